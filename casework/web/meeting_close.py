"""Closing a meeting on its own page, and reopening it.

Closing used to be one button at the foot of the meeting page: pressed weeks early, or with
cases unminuted, it fixed the record and counted the meeting as held. Now the button leads
here: the page says what closing does, lists what is missing (``closing.close_view``) and
closes only when confirmed. Before the start time it explains why it cannot close and offers
to move the meeting instead. Reopening (within a few working days) takes a reason.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for

from casework.dates import long_day
from casework.errors import Conflict, Invalid
from casework.http import current_actor, services
from casework.meetings import closing, conduct
from casework.routes import policy, signed_in
from casework.web.blueprint import blueprint
from casework.web.forms import error_list, form_data
from casework.web.meeting import case_name, meeting_when


def _close_page(
    meeting_id: str,
    status: int = 200,
    errors: dict[str, list[str]] | None = None,
    refusal: str | None = None,
) -> Any:
    view = closing.close_view(services(), current_actor(), meeting_id)
    errors = errors or {}
    page = render_template(
        "meeting/close.html",
        view=view,
        errors=errors,
        error_items=error_list(errors),
        refusal=refusal,
        meeting_when=meeting_when,
        case_name=case_name,
        long_day=long_day,
    )
    return page, status


@blueprint.route("/meetings/<meeting_id>/close", methods=["GET", "POST"])
@signed_in
@policy("referral", "minute", "action")
def meeting_close(meeting_id: str) -> Any:
    """GET: the confirmation page. POST: close, or the page again saying why not (409 too
    early, 422 not ready)."""
    conduct_page = url_for("web.meeting_conduct", meeting_id=meeting_id)
    if request.method == "GET":
        return _close_page(meeting_id)
    try:
        heard = conduct.close_meeting(services(), current_actor(), meeting_id)
    except Conflict as exc:
        return _close_page(meeting_id, 409, refusal=exc.message)
    except Invalid as exc:
        if exc.code == "meeting_closed":  # closed meanwhile by someone else
            flash(exc.message, "important")
            return redirect(conduct_page)
        return _close_page(meeting_id, 422, {"close": exc.fields.get("_schema", [exc.message])})
    cases = "case" if len(heard) == 1 else "cases"
    flash(f"Meeting closed. {len(heard)} {cases} marked as heard", "success")
    return redirect(conduct_page)


def _reopen_page(
    meeting_id: str,
    status: int = 200,
    errors: dict[str, list[str]] | None = None,
    values: dict[str, Any] | None = None,
    refusal: str | None = None,
) -> Any:
    view = closing.reopen_view(services(), current_actor(), meeting_id)
    errors = errors or {}
    page = render_template(
        "meeting/reopen.html",
        view=view,
        values=values or {},
        errors=errors,
        error_items=error_list(errors),
        refusal=refusal,
        meeting_when=meeting_when,
        long_day=long_day,
    )
    return page, status


@blueprint.route("/meetings/<meeting_id>/reopen", methods=["GET", "POST"])
@signed_in
@policy()
def meeting_reopen(meeting_id: str) -> Any:
    """GET: the reason form (or why reopening is no longer possible). POST: reopen."""
    conduct_page = url_for("web.meeting_conduct", meeting_id=meeting_id)
    if request.method == "GET":
        return _reopen_page(meeting_id)
    data = form_data()
    try:
        done = closing.reopen_meeting(services(), current_actor(), meeting_id, data)
    except Conflict as exc:
        return _reopen_page(meeting_id, 409, refusal=exc.message)
    except Invalid as exc:
        if exc.code == "meeting_not_closed":  # reopened meanwhile by someone else
            flash(exc.message, "important")
            return redirect(conduct_page)
        return _reopen_page(meeting_id, 422, exc.fields, {"reason": request.form.get("reason")})
    again = done["listed_again"]
    flash(
        f"Meeting reopened. {again} {'case is' if again == 1 else 'cases are'} listed again "
        "until you close the meeting",
        "success",
    )
    return redirect(conduct_page)
