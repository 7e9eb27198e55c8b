"""The History tab of a case: the victim's referrals and what happened to each, oldest first,
through the same action as the API (``casework.referrals.history``), so the page shows
exactly the events the sharing engine lets the reader see."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import render_template

from casework import dates
from casework.http import current_actor, services
from casework.referrals.history import victim_history
from casework.risk.dash import RiskRules
from casework.routes import policy, signed_in
from casework.web.blueprint import blueprint
from casework.web.referral_errors import STATUS_NAMES, criteria_text

KIND_NAMES = {
    "referral": "Referred",
    "idva_assignment": "IDVA",
    "listed": "Listed for a meeting",
    "heard": "Heard at a meeting",
    "minute": "Minutes",
    "action": "Action agreed",
    "action_outcome": "Action outcome",
}
ACTION_STATUS = {"open": "Open", "done": "Done", "not_done": "Not done", "deleted": "Deleted"}


def _day(at: str) -> str:
    """An event's day as people read it: a referral's date, or a moment's UK day."""
    if "T" not in at:
        return dates.long_date(at)
    return dates.long_date(dates.uk(datetime.fromisoformat(at)))


@blueprint.get("/referrals/<referral_id>/history")
@signed_in
@policy("referral", "minute", "action", "nominal", "youth_record")
def referral_history(referral_id: str) -> Any:
    svc, actor = services(), current_actor()
    history = victim_history(svc, actor, referral_id)
    events = [{**e, "day": _day(e["at"])} for e in history["events"]]
    mine = next(
        (e for e in events if e["kind"] == "referral" and e["referral_id"] == referral_id), None
    )
    return render_template(
        "referrals/history.html",
        title="Case history",
        referral_id=referral_id,
        reference=mine["reference"] if mine else None,
        events=events,
        also_known_to=history["also_known_to"],
        kind_names=KIND_NAMES,
        status_names=STATUS_NAMES,
        action_status=ACTION_STATUS,
        criteria_text=criteria_text(RiskRules.from_settings(svc.settings)),
    )
