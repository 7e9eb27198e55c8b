"""Signing off the minutes, and each present agency's copy (the e-mailed link lands here).

The chair and coordinator record the header (venue, chair, observers) and see the versions;
the chair approves. A member of an agency recorded present downloads its copy as a PDF,
through the sharing filter and audited as a disclosure; anyone else gets 404.
"""

from __future__ import annotations

from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for

from casework.dates import long_day
from casework.errors import Conflict, Invalid
from casework.http import current_actor, services
from casework.meetings import minutes_pdf, minutes_signoff
from casework.meetings.calendar import local_date
from casework.routes import policy, signed_in
from casework.web.blueprint import blueprint
from casework.web.forms import error_list, form_data
from casework.web.meeting import meeting_when


def _signoff_page(
    meeting_id: str,
    status: int = 200,
    errors: dict[str, list[str]] | None = None,
    values: dict[str, Any] | None = None,
) -> Any:
    svc, actor = services(), current_actor()
    head = minutes_signoff.header_view(svc, actor, meeting_id)
    errors = errors or {}
    page = render_template(
        "minutes/signoff.html",
        head=head,
        values=values or {**head, "observers": "\n".join(head["observers"])},
        history=minutes_signoff.versions(svc, actor, meeting_id)["versions"],
        may_approve=actor.has_any(minutes_signoff.APPROVER),
        errors=errors,
        error_items=error_list(errors),
        observers_error=next((m[0] for k, m in errors.items() if k.startswith("observers")), None),
        long_day=long_day,
    )
    return page, status


@blueprint.route("/meetings/<meeting_id>/minutes/sign-off", methods=["GET", "POST"])
@signed_in
@policy("minute", "action")
def minutes_sign_off(meeting_id: str) -> Any:
    """GET: the header form, where the minutes stand and their versions. POST: save the
    header, or (the chair) approve."""
    if request.method == "GET":
        return _signoff_page(meeting_id)
    here = url_for("web.minutes_sign_off", meeting_id=meeting_id)
    svc, actor = services(), current_actor()
    if request.form.get("do") == "approve":
        try:
            done = minutes_signoff.approve(svc, actor, meeting_id)
        except Invalid as exc:
            return _signoff_page(meeting_id, 422, exc.fields)
        except Conflict as exc:
            flash(exc.message, "important")
            return redirect(here)
        flash(
            f"Version {done['version']} approved and sent to {', '.join(done['circulated_to'])}",
            "success",
        )
        return redirect(here)
    raw = form_data()
    data = {k: v for k, v in raw.items() if k in ("venue", "chair")}
    data["observers"] = [
        line.strip() for line in str(raw.get("observers", "")).splitlines() if line.strip()
    ]
    if "observers" not in raw:
        data["observers"] = []
    unknown = set(raw) - {"venue", "chair", "observers", "do"}
    data.update({k: raw[k] for k in unknown})  # refused by the schema, by name
    try:
        minutes_signoff.save_header(svc, actor, meeting_id, data)
    except Invalid as exc:
        return _signoff_page(meeting_id, 422, exc.fields, dict(request.form))
    flash("Minutes header saved", "success")
    return redirect(here)


@blueprint.get("/meetings/<meeting_id>/minutes/approved")
@signed_in
@policy()
def minutes_received(meeting_id: str) -> Any:
    """Where the e-mail's link lands: the approved version ready for the caller's agency."""
    view = minutes_pdf.received_view(services(), current_actor(), meeting_id)
    return render_template(
        "minutes/received.html",
        view=view,
        day=long_day(local_date(view["meeting"].starts_at)),
        meeting_when=meeting_when,
    )


@blueprint.get("/meetings/<meeting_id>/minutes/approved.pdf")
@signed_in
@policy("minute", "action", "referral")
def minutes_received_pdf(meeting_id: str) -> Any:
    """The agency's copy as a PDF, through the sharing filter, audited as a disclosure."""
    download = minutes_pdf.download(services(), current_actor(), meeting_id)
    response = Response(download.content, mimetype=download.mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{download.filename}"'
    return response
