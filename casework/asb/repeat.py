"""The ASB repeat victim rule, with the victim found through a blind index.

A case's victim is a **repeat victim** when they reported at least ``incidents`` incidents
(``ASB_REPEAT_VICTIM``, default 3) dated within the ``days`` days (default 183, about six
months) that end on the case's latest date: its latest incident or its referral date,
whichever is later. Incidents of every ASB case of the same victim count, whichever panel
holds it: the same person is found through the ``victim_ix`` blind index (surname and date of
birth), then compared exactly (first name, surname, date of birth, decrypted and normalised).

The rule is evaluated when a case is referred and when incidents are added to it. The flag
keeps the answer once it was yes: a victim who was a repeat victim when referred stays one
for the panel and the statistics, even when later incidents move the window on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework.asb.models import AsbCase, AsbIncident
from casework.crypto import candidates, normalise


@dataclass(frozen=True)
class RepeatRule:
    incidents: int = 3
    days: int = 183

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> RepeatRule:
        """The configured rule, or ``ValueError`` naming what is wrong (checked at start-up)."""
        raw = settings.get("ASB_REPEAT_VICTIM") or {}
        if not isinstance(raw, Mapping) or set(raw) - {"incidents", "days"}:
            raise ValueError("ASB_REPEAT_VICTIM must be a table of incidents and days")
        rule = cls(**raw)
        for name in ("incidents", "days"):
            value = getattr(rule, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"ASB_REPEAT_VICTIM {name} must be a whole number, 1 or more")
        return rule

    def window(self, end: date) -> tuple[date, date]:
        """The first and last day counted, both included: ``days`` days ending on ``end``."""
        return end - timedelta(days=self.days - 1), end


def window_end(case: AsbCase) -> date:
    """The case's latest incident or its referral date, whichever is later."""
    dates = [case.referral_date, *(i.occurred_on for i in case.incidents)]
    return max(dates)


def same_victim_cases(session: Session, case: AsbCase) -> list[AsbCase]:
    """Every ASB case of this case's victim, this one included (candidates by blind index,
    then an exact comparison: indexes are truncated on purpose and collide now and then)."""
    if not case.victim_last_name or case.victim_date_of_birth is None:
        return [case]
    born = case.victim_date_of_birth.isoformat()
    keys = candidates("asb_victim_name_dob", case.victim_last_name, born)
    found = (
        list(session.scalars(select(AsbCase).where(AsbCase.victim_ix.in_(keys)))) if keys else []
    )
    same = [
        c
        for c in found
        if c.victim_date_of_birth == case.victim_date_of_birth
        and normalise(c.victim_last_name or "") == normalise(case.victim_last_name)
        and normalise(c.victim_first_name or "") == normalise(case.victim_first_name or "")
    ]
    return same if any(c.id == case.id for c in same) else [*same, case]


def incidents_in_window(session: Session, case: AsbCase, rule: RepeatRule) -> int:
    """Incidents of the victim's cases dated in the rule's window ending on ``window_end``."""
    session.flush()  # the new case's blind index and incidents, counted with the rest
    first, last = rule.window(window_end(case))
    ids = [c.id for c in same_victim_cases(session, case)]
    stmt = select(func.count(AsbIncident.id)).where(
        AsbIncident.case_id.in_(ids), AsbIncident.occurred_on.between(first, last)
    )
    return int(session.scalar(stmt) or 0)


def evaluate(session: Session, case: AsbCase, rule: RepeatRule) -> bool:
    """Set and return the case's repeat victim flag (kept once true; module docstring)."""
    case.repeat_victim = bool(case.repeat_victim) or (
        incidents_in_window(session, case, rule) >= rule.incidents
    )
    return case.repeat_victim
