"""Building blocks for targeting, classification and outcome tests: events, meetings and
classifications written straight to the models (their own actions are tested elsewhere)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from casework.meetings.models import Meeting
from casework.offenders.models import Classification, Nominal, OffenderEvent
from casework.panels.models import Panel
from casework.services import Services
from tests.offenders.conftest import World

D = date.fromisoformat


def person(world: World, n: int, entry: str, panel: str = "ppo", **kw: Any) -> Nominal:
    """Nominal number ``n`` (distinct names and PNC numbers) entered on ``panel``."""
    return world.nominal(
        panel,
        first_name=kw.pop("first_name", f"Person{chr(65 + n)}"),
        last_name=kw.pop("last_name", f"Surname{chr(65 + n)}"),
        pnc_id=kw.pop("pnc_id", f"09/{100000 + n}X"),
        entry_date=entry,
        **kw,
    )


def event(
    svc: Services,
    nominal: Nominal,
    day: str,
    kind: str = "offence",
    category: str | None = "burglary",
    outcome: str | None = "arrest",
    positive: bool | None = None,
) -> None:
    svc.session.add(
        OffenderEvent(
            nominal_id=nominal.id,
            kind=kind,
            event_date=D(day),
            category=category if kind == "offence" else None,
            outcome=outcome if kind == "offence" else None,
            positive=positive,
        )
    )
    svc.session.commit()


def meeting(svc: Services, panel: Panel, day: date | str, status: str = "scheduled") -> Meeting:
    """A meeting at 10:00 UTC (the same UK date all year round)."""
    day = D(day) if isinstance(day, str) else day
    row = Meeting(
        panel_id=panel.id, starts_at=datetime.combine(day, time(10), tzinfo=UTC), status=status
    )
    svc.session.add(row)
    svc.session.commit()
    return row


def classify(
    svc: Services, panel: Panel, nominal: Nominal, value: str, day: str, meeting_id: Any = None
) -> Classification:
    row = Classification(
        nominal_id=nominal.id,
        panel_id=panel.id,
        classification=value,
        decided_on=D(day),
        meeting_id=meeting_id,
    )
    row.reason = "Reviewed at the panel"
    svc.session.add(row)
    svc.session.commit()
    return row
