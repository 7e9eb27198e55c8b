"""Live chair mode's page: ``/meetings/<id>/live`` opens the meeting (attendance and the
confidentiality statement), ``?case=<n>`` shows the case at agenda position ``n``.

The case's minutes box and its "Add an action" fields are one form (``casework.web.kept``), as
on the case page: whichever button is pressed, what was typed in the other part comes back and
is kept, so an action refused for a missing date does not lose the minutes typed beside it.
Saving redirects back to the same case (no resubmission on reload). Everything works without
JavaScript; ``static/live.js`` only ticks the timer and warns before leaving unsaved typing.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for

from casework import clock
from casework.dates import long_date, long_moment
from casework.errors import Invalid, NotVisible
from casework.http import current_actor, services
from casework.meetings import live, tracking
from casework.routes import policy, signed_in
from casework.web.blueprint import blueprint
from casework.web.forms import form_data
from casework.web.kept import CHANGED, chosen, fingerprint, only
from casework.web.meeting import (
    ACTION_FIELDS,
    NOT_SAVED,
    STALE,
    case_name,
    error_items,
    meeting_when,
    minute_changed,
    minute_typed,
    prefixed_errors,
    with_due_date,
)

READS = ("referral", "case", "minute", "action")
# Saving goes through ``minutes.agree_action``, whose doors include offender panels' nominals.
WRITES = (*READS, "nominal", "youth_record")


def _position() -> int | None:
    """``?case=<n>``: an agenda position; anything else is 404, as a case that is not there."""
    raw = request.args.get("case")
    if raw is None or raw == "":
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 4:
        raise NotVisible()
    return int(raw)


def _epoch_ms(moment: Any) -> int:
    return int(moment.timestamp() * 1000)


def _page(
    meeting_id: str,
    position: int | None,
    errors: dict[str, list[str]] | None = None,
    values: dict | None = None,
) -> Any:
    view = live.live_view(services(), current_actor(), meeting_id, position)
    errors = errors or {}
    page = render_template(
        "meeting/live.html",
        view=view,
        values=values or {},
        errors=errors,
        error_items=error_items(errors, dates=("action-due_on",)),
        fingerprint=fingerprint,
        meeting_when=meeting_when,
        case_name=case_name,
        long_date=long_date,
        long_moment=long_moment,
        epoch_ms=_epoch_ms,
        now_ms=_epoch_ms(clock.now()),
        sequence=live.CHAIRING_SEQUENCE,
        reason_names=tracking.REASON_NAMES,
        status_names=tracking.STATUS_NAMES,
    )
    return (page, 422) if errors else page


@blueprint.get("/meetings/<meeting_id>/live")
@signed_in
@policy(*READS)
def meeting_live(meeting_id: str) -> Any:
    return _page(meeting_id, _position())


@blueprint.post("/meetings/<meeting_id>/live")
@signed_in
@policy(*WRITES)
def meeting_live_save(meeting_id: str) -> Any:
    """Save the minutes or add the action for the case the page showed (its id is in the
    form, so a reordered agenda cannot move the typing to another case)."""
    position = _position()
    if position is None:
        raise NotVisible()
    raw = form_data()
    case_id = raw.get("case_id", "")
    typed = {"minute": minute_typed(raw), "action": only(raw, ACTION_FIELDS)}
    part = chosen(typed)
    if part == CHANGED:  # Enter: the action if one was started, else the minutes
        part = "action" if typed["action"] else "minute"
    target = url_for("web.meeting_live", meeting_id=meeting_id, case=position)
    svc, actor = services(), current_actor()
    try:
        if part == "minute":
            live.write_minute(svc, actor, meeting_id, case_id, typed["minute"])
        else:
            live.agree(svc, actor, meeting_id, case_id, with_due_date(typed["action"]))
    except Invalid as exc:
        if exc.code in STALE:
            flash(exc.message, "important")
            return redirect(target)
        whole = "text" if part == "minute" else "description"
        errors = prefixed_errors(exc.fields, part, whole)
        return _page(meeting_id, position, errors, typed)
    flash("Minutes saved" if part == "minute" else "Action added", "success")
    other = "action" if part == "minute" else "minute"
    unsaved = bool(typed["action"]) if other == "action" else minute_changed(raw)
    if not unsaved:
        return redirect(target)
    flash(NOT_SAVED[other], "important")
    return _page(meeting_id, position, values={other: typed[other]})
