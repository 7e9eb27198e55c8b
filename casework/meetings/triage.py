"""What the triage page shows: the referrals waiting for a coordinator or chair to accept.

The changes themselves are ``cycle.accept_referrals`` (the API's), so the page and the API
cannot disagree about what "accept, assign, list, all or none" means. This module only
reads: the waiting referrals through the sharing engine (a summary: reference, date,
referring agency, risk band, repeat flag, each disclosed and audited as a list), and the
choices the form offers (IDVAs as the single-referral page offers them, and the scheduled
meetings ahead of the panels those referrals are on).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select

from casework import clock
from casework.actors import Actor
from casework.authz import action, require_role
from casework.meetings.agenda_view import is_member
from casework.meetings.cycle_schemas import MAX_BULK
from casework.meetings.models import Meeting
from casework.panels.models import Panel
from casework.referrals import lifecycle
from casework.referrals.models import Referral
from casework.roles import MANAGERS
from casework.services import Services

# What a row shows beyond the record header (reference, date, referring agency).
SUMMARY = frozenset({"risk.band", "repeat.is_repeat"})


def _waiting(svc: Services, actor: Actor) -> Any:
    """Submitted referrals the caller may both see and manage: the same two questions
    ``lifecycle.managed_referral`` asks of each one when it is accepted."""
    return select(Referral).where(
        Referral.status == "submitted",
        svc.sharing.visible_clause(actor, "list", Referral),
        svc.sharing.visible_clause(actor, "edit", Referral),
    )


@action(reads=("referral",))
def waiting_count(svc: Services, actor: Actor) -> int:
    """For the home page link: how many referrals wait (a count, no personal data)."""
    require_role(actor, *MANAGERS)
    stmt = select(func.count()).select_from(_waiting(svc, actor).subquery())
    return int(svc.session.scalar(stmt) or 0)


def _meetings(svc: Services, actor: Actor, panel_ids: set[uuid.UUID]) -> list[dict[str, Any]]:
    """Scheduled meetings ahead on the waiting referrals' panels (the caller's agency is a
    member of each, as ``agenda.managed_meeting`` will require): no case data."""
    panels = [p for p in panel_ids if is_member(svc, actor, p)]
    if not panels:
        return []
    stmt = (
        select(Meeting, Panel.name)
        .join(Panel, Panel.id == Meeting.panel_id)
        .where(
            Meeting.panel_id.in_(panels),
            Meeting.status == "scheduled",
            Meeting.starts_at > clock.now(),
        )
        .order_by(Meeting.starts_at, Panel.name)
        .limit(50)
    )
    return [
        {"id": str(m.id), "panel_name": name, "starts_at": m.starts_at}
        for m, name in svc.session.execute(stmt)
    ]


@action(reads=("referral",))
def triage_view(svc: Services, actor: Actor) -> dict[str, Any]:
    """The oldest waiting referrals first (up to what one request may accept), with the
    form's choices. ``more`` says the list was cut, so the page can say so."""
    require_role(actor, *MANAGERS)
    stmt = _waiting(svc, actor).order_by(
        Referral.referral_date, Referral.created_at, Referral.reference
    )
    referrals = list(svc.session.scalars(stmt.limit(MAX_BULK + 1)))
    more = len(referrals) > MAX_BULK
    rows = svc.sharing.disclose(
        svc.session, actor, Referral, referrals[:MAX_BULK], verb="list", only=SUMMARY
    )
    panels = {r.panel_id for r in referrals[:MAX_BULK]}
    return {
        "rows": rows,
        "more": more,
        "idvas": lifecycle.idva_choices(svc, actor),
        "meetings": _meetings(svc, actor, panels),
    }


@action(reads=())  # meetings' panels and times: no case data
def meeting_labels(svc: Services, actor: Actor, meeting_ids: list[str]) -> list[dict[str, Any]]:
    """Where referrals were just listed, for the page's confirmation."""
    require_role(actor, *MANAGERS)
    ids = [uuid.UUID(m) for m in meeting_ids]
    if not ids:
        return []
    stmt = (
        select(Meeting, Panel.name)
        .join(Panel, Panel.id == Meeting.panel_id)
        .where(Meeting.id.in_(ids))
        .order_by(Meeting.starts_at)
    )
    return [
        {"id": str(m.id), "panel_name": name, "starts_at": m.starts_at}
        for m, name in svc.session.execute(stmt)
    ]
