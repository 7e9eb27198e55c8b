"""The chair's and coordinator's "Change" and "Delete" pages for an action, and the owning
agency's page of actions changed or deleted under it.

The meeting's case page links here for each open action. Both forms keep what was typed when
they come back with errors; a stale form (the action was completed or deleted meanwhile)
returns to where the action was agreed with a banner saying so. The rules, the sharing check
and the audit are all in ``casework.meetings.action_changes``, the same as the API's.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import flash, redirect, render_template, request, url_for

from casework.dates import long_date
from casework.errors import Invalid
from casework.http import current_actor, services
from casework.meetings import action_changes, tracking
from casework.routes import policy, signed_in
from casework.web.blueprint import blueprint
from casework.web.forms import form_data
from casework.web.meeting import case_name, meeting_when

DATE_PARTS = ("day", "month", "year")


def _back(view: dict[str, Any]) -> str:
    """Where the action was agreed: its case at the meeting, else the meeting page."""
    act = view["action"]
    if act.get("referral_id"):
        return url_for(
            "web.meeting_case", meeting_id=act["meeting_id"], referral_id=act["referral_id"]
        )
    return url_for("web.meeting_conduct", meeting_id=act["meeting_id"])


def _joined_date(raw: dict[str, Any]) -> dict[str, Any]:
    """The GOV.UK date boxes as one ISO date (a missing box makes an invalid date, which is
    reported against the field)."""
    data = {k: v for k, v in raw.items() if not k.startswith("due_on-")}
    parts = [str(raw.get(f"due_on-{p}", "")).strip() for p in DATE_PARTS]
    if any(parts):
        day, month, year = parts
        data["due_on"] = f"{year}-{month:0>2}-{day:0>2}"
    return data


def _current(act: dict[str, Any]) -> dict[str, str]:
    """The form as first shown: the action as it stands."""
    due = date.fromisoformat(act["due_date"]) if act.get("due_date") else None
    return {
        "description": act.get("description") or "",
        "owner_agency": act.get("owner_agency") or "",
        "due_on-day": str(due.day) if due else "",
        "due_on-month": str(due.month) if due else "",
        "due_on-year": str(due.year) if due else "",
    }


def _summary(errors: dict[str, list[str]]) -> list[dict[str, str]]:
    """Error summary links; the date's goes to its day box, as GOV.UK asks."""
    return [
        {"text": messages[0], "href": "#due_on-day" if name == "due_on" else f"#{name}"}
        for name, messages in errors.items()
        if messages
    ]


def _page(template: str, view: dict[str, Any], values: dict, errors: dict) -> Any:
    page = render_template(
        template,
        view=view,
        act=view["action"],
        values=values,
        errors=errors,
        error_items=_summary(errors),
        back=_back(view),
        status_names=tracking.STATUS_NAMES,
        long_date=long_date,
    )
    return (page, 422) if errors else page


def _stale(exc: Invalid, view: dict[str, Any]) -> Any:
    flash(exc.message, "important")
    return redirect(_back(view))


@blueprint.route("/actions/<action_id>/change", methods=["GET", "POST"])
@signed_in
@policy("action", "referral")
def action_change(action_id: str) -> Any:
    svc, actor = services(), current_actor()
    view = tracking.action_for_change(svc, actor, action_id)
    if request.method == "GET":
        return _page("actions_manage/change.html", view, _current(view["action"]), {})
    typed = form_data()
    # The form always shows all three, so a box left empty is an error, not "unchanged".
    body = {"description": "", "owner_agency": "", "due_on": "", **_joined_date(typed)}
    try:
        action_changes.correct_action(svc, actor, action_id, body)
    except Invalid as exc:
        if exc.code == "already_updated":
            return _stale(exc, view)
        errors = {("description" if k == "_schema" else k): v for k, v in exc.fields.items()}
        return _page("actions_manage/change.html", view, typed, errors)
    flash("Action changed. The agency that owns it can see what changed.", "success")
    return redirect(_back(view))


@blueprint.route("/actions/<action_id>/delete", methods=["GET", "POST"])
@signed_in
@policy("action", "referral")
def action_delete(action_id: str) -> Any:
    svc, actor = services(), current_actor()
    view = tracking.action_for_change(svc, actor, action_id)
    if request.method == "GET":
        return _page("actions_manage/delete.html", view, {}, {})
    typed = form_data()
    try:
        action_changes.delete_action(svc, actor, action_id, typed)
    except Invalid as exc:
        if exc.code == "already_updated":
            return _stale(exc, view)
        errors = {("reason" if k == "_schema" else k): v for k, v in exc.fields.items()}
        return _page("actions_manage/delete.html", view, typed, errors)
    flash("Action deleted. The agency that owned it can see that it was deleted, and why.")
    return redirect(_back(view))


@blueprint.get("/actions/changes")
@signed_in
@policy("referral", "action")
def actions_changed() -> Any:
    return render_template(
        "actions_manage/changes.html",
        actions=tracking.changed_actions(services(), current_actor()),
        status_names=tracking.STATUS_NAMES,
        reason_names=tracking.REASON_NAMES,
        case_name=case_name,
        long_date=long_date,
        meeting_when=meeting_when,
    )
