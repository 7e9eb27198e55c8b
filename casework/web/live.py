"""Live chair mode's page: ``/meetings/<id>/live`` opens the meeting (attendance and the
confidentiality statement), ``?case=<n>`` shows the case at agenda position ``n``.

The case's minutes box and its "Add an action" fields are one form (``casework.web.kept``), as
on the case page: whichever button is pressed, what was typed in the other part comes back and
is kept, so an action refused for a missing date does not lose the minutes typed beside it.
Saving redirects back to the same case (no resubmission on reload). Everything works without
JavaScript; ``static/live.js`` only ticks the timer and warns before leaving unsaved typing.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from flask import render_template, request, url_for

from casework import clock
from casework.dates import long_moment
from casework.errors import NotVisible
from casework.http import current_actor, services
from casework.meetings import live
from casework.routes import policy, signed_in
from casework.web.blueprint import blueprint
from casework.web.forms import form_data
from casework.web.meeting import case_form_context, save_case_form

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
    page = render_template(
        "meeting/live.html",
        view=view,
        **case_form_context(errors, values),
        long_moment=long_moment,
        epoch_ms=_epoch_ms,
        now_ms=_epoch_ms(clock.now()),
        sequence=live.CHAIRING_SEQUENCE,
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
    svc, actor = services(), current_actor()
    saves = {"minute": live.write_minute, "action": live.agree}
    return save_case_form(
        raw,
        lambda part, data: saves[part](svc, actor, meeting_id, case_id, data),
        url_for("web.meeting_live", meeting_id=meeting_id, case=position),
        partial(_page, meeting_id, position),
    )
