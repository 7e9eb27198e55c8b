"""Research pages: the meetings an agency is preparing for, and its notes on each listed case.

Each case has its own small form on the meeting's page. A form sent back with errors is shown
again in place, with what was typed, and the error summary links to that case's fields.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for

from casework.db import as_uuid
from casework.errors import Invalid
from casework.http import current_actor, services
from casework.meetings import research
from casework.routes import policy, signed_in
from casework.web import blueprint
from casework.web.forms import form_data
from casework.web.meeting import case_name, long_date, meeting_when, prefixed_errors


@blueprint.get("/research")
@signed_in
@policy()
def research_list() -> Any:
    actor = current_actor()
    return render_template(
        "meeting/research_list.html",
        rows=research.research_meetings(services(), actor),
        manages=actor.has_any("coordinator", "chair"),
        meeting_when=meeting_when,
    )


def _page(
    meeting_id: str,
    failed: str | None = None,
    errors: dict[str, list[str]] | None = None,
    values: dict[str, Any] | None = None,
) -> Any:
    view = research.research_view(services(), current_actor(), meeting_id)
    prefix = None
    if failed is not None:
        for number, row in enumerate(view["cases"], start=1):
            if row["case"]["id"] == failed:
                prefix = f"case-{number}"
    shown = prefixed_errors(errors or {}, prefix or "case", "text")
    page = render_template(
        "meeting/research.html",
        view=view,
        failed=failed,
        values=values or {},
        errors=shown,
        error_items=[{"text": v[0], "href": f"#{k}"} for k, v in shown.items() if v],
        meeting_when=meeting_when,
        case_name=case_name,
        long_date=long_date,
    )
    return (page, 422) if errors else page


@blueprint.get("/meetings/<meeting_id>/research")
@signed_in
@policy("referral", "research_note")
def research_page(meeting_id: str) -> Any:
    return _page(meeting_id)


@blueprint.post("/meetings/<meeting_id>/research/<referral_id>")
@signed_in
@policy("referral", "research_note")
def research_save(meeting_id: str, referral_id: str) -> Any:
    data = form_data()
    target = url_for("web.research_page", meeting_id=meeting_id)
    try:
        research.save_note(services(), current_actor(), meeting_id, referral_id, data)
    except Invalid as exc:
        if exc.code == "meeting_closed":
            flash(exc.message, "important")
            return redirect(target)
        return _page(meeting_id, str(as_uuid(referral_id)), exc.fields, data)
    flash("Research saved. Only your agency can see it.", "success")
    return redirect(f"{target}#case-{referral_id}")
