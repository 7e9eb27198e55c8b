"""The meeting page (attendance, attendees and the confidentiality statement, then case by
case minutes and actions), the minutes as attending agencies receive them, and the "Actions
for my agency" pages.

Buttons pressed on a stale page (the meeting was closed meanwhile, someone else already
recorded an action's outcome) reload the page with a banner saying so instead of showing a
form error that no longer applies.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import flash, redirect, render_template, request, url_for

from casework.errors import Invalid
from casework.http import current_actor, services
from casework.meetings import conduct, minutes, tracking
from casework.meetings.conduct_schemas import ATTENDANCE_CHOICES
from casework.meetings.meeting_access import UK
from casework.meetings.models import Meeting
from casework.routes import policy, signed_in
from casework.web import blueprint
from casework.web.forms import form_data

STALE = ("meeting_closed", "already_updated")
DATE_PARTS = ("day", "month", "year")


def meeting_when(meeting: Meeting | datetime) -> str:
    """Tuesday 1 December 2026 at 10:00, on the partnership's (UK) clock."""
    moment = meeting.starts_at if isinstance(meeting, Meeting) else meeting
    local = moment.astimezone(UK)
    return f"{local:%A} {local.day} {local:%B %Y} at {local:%H:%M}"


def long_date(value: str | date | None) -> str:
    if not value:
        return ""
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day.day} {day:%B %Y}"


def case_name(case: dict[str, Any] | None) -> str:
    """How a case is named on these pages: the victim's name if the reader may see it,
    otherwise its reference (never more than the engine granted)."""
    if not case:
        return "A case you cannot see"
    victim = case.get("victim") or {}
    name = " ".join(p for p in (victim.get("first_name"), victim.get("last_name")) if p)
    return f"{name} ({case['reference']})" if name else f"Case {case['reference']}"


def prefixed_errors(
    errors: dict[str, list[str]], prefix: str, whole_form: str
) -> dict[str, list[str]]:
    """Field errors renamed to the ids of one form on a page holding several; errors about
    the whole form point at ``whole_form``."""
    return {
        f"{prefix}-{whole_form if name == '_schema' else name}": messages
        for name, messages in errors.items()
    }


def _items(errors: dict[str, list[str]], dates: tuple[str, ...] = ()) -> list[dict[str, str]]:
    """Error summary links; a date input's link goes to its day box, as GOV.UK asks."""
    out = []
    for name, messages in errors.items():
        if messages:
            href = f"#{name}-day" if name in dates else f"#{name}"
            out.append({"text": messages[0], "href": href})
    return out


def _stale(exc: Invalid, target: str) -> Any:
    flash(exc.message, "important")
    return redirect(target)


# The meeting page


def _conduct_page(
    meeting_id: str, errors: dict[str, list[str]] | None = None, values: dict | None = None
) -> Any:
    view = conduct.conduct_view(services(), current_actor(), meeting_id)
    errors = errors or {}
    page = render_template(
        "meeting/conduct.html",
        view=view,
        choices=ATTENDANCE_CHOICES,
        values=values or {},
        errors=errors,
        error_items=_items(errors),
        meeting_when=meeting_when,
        case_name=case_name,
    )
    return (page, 422) if errors else page


@blueprint.get("/meetings/<meeting_id>/conduct")
@signed_in
@policy("referral", "minute")
def meeting_conduct(meeting_id: str) -> Any:
    return _conduct_page(meeting_id)


def _conduct_post(meeting_id: str, change: Any, data: Any, form: str, done: str) -> Any:
    """Run one of the meeting page's forms; errors come back on the page, against that form.

    The attendee form's fields are prefixed (``attendee-name``) because its names are common
    words; attendance (``attendance-<CODE>``) and acknowledgements name their own fields.
    """
    target = url_for("web.meeting_conduct", meeting_id=meeting_id)
    try:
        change(services(), current_actor(), meeting_id, data)
    except Invalid as exc:
        if exc.code in STALE:
            return _stale(exc, target)
        errors = (
            prefixed_errors(exc.fields, "attendee", "name") if form == "attendee" else exc.fields
        )
        return _conduct_page(meeting_id, errors, {form: data})
    flash(done, "success")
    return redirect(target)


@blueprint.post("/meetings/<meeting_id>/conduct/attendance")
@signed_in
@policy("referral", "minute")
def meeting_attendance(meeting_id: str) -> Any:
    data = form_data()
    return _conduct_post(
        meeting_id, conduct.record_attendance, data, "attendance", "Attendance saved"
    )


@blueprint.post("/meetings/<meeting_id>/conduct/attendees")
@signed_in
@policy("referral", "minute")
def meeting_attendee_add(meeting_id: str) -> Any:
    data = form_data()
    return _conduct_post(meeting_id, conduct.add_attendee, data, "attendee", "Attendee added")


@blueprint.post("/meetings/<meeting_id>/conduct/attendees/<attendee_id>/remove")
@signed_in
@policy("referral", "minute")
def meeting_attendee_remove(meeting_id: str, attendee_id: str) -> Any:
    target = url_for("web.meeting_conduct", meeting_id=meeting_id)
    try:
        conduct.remove_attendee(services(), current_actor(), meeting_id, attendee_id)
    except Invalid as exc:
        return _stale(exc, target)
    flash("Attendee removed", "success")
    return redirect(target)


@blueprint.post("/meetings/<meeting_id>/conduct/acknowledgements")
@signed_in
@policy("referral", "minute")
def meeting_acknowledge(meeting_id: str) -> Any:
    data = form_data(lists=("acknowledged",))
    return _conduct_post(
        meeting_id, conduct.acknowledge, data, "acknowledged", "Acknowledgements saved"
    )


@blueprint.post("/meetings/<meeting_id>/close")
@signed_in
@policy("referral", "minute")
def meeting_close(meeting_id: str) -> Any:
    target = url_for("web.meeting_conduct", meeting_id=meeting_id)
    try:
        heard = conduct.close_meeting(services(), current_actor(), meeting_id)
    except Invalid as exc:
        if exc.code in STALE:
            return _stale(exc, target)
        return _conduct_page(meeting_id, {"close": list(exc.fields.get("_schema", []))})
    flash(f"Meeting closed. {len(heard)} cases marked as heard", "success")
    return redirect(target)


# One case at the meeting


def _with_due_date(raw: dict[str, Any]) -> dict[str, Any]:
    """The action form with its GOV.UK date boxes joined into one ISO date for the action
    (a missing or non-numeric box makes an invalid date, reported against the field)."""
    data = {k: v for k, v in raw.items() if not k.startswith("due_on-")}
    parts = [raw.get(f"due_on-{p}", "").strip() for p in DATE_PARTS]
    if any(parts):
        day, month, year = parts
        data["due_on"] = f"{year}-{month:0>2}-{day:0>2}"
    return data


def _case_page(
    meeting_id: str,
    referral_id: str,
    errors: dict[str, list[str]] | None = None,
    values: dict | None = None,
) -> Any:
    view = minutes.case_view(services(), current_actor(), meeting_id, referral_id)
    errors = errors or {}
    page = render_template(
        "meeting/case.html",
        view=view,
        values=values or {},
        errors=errors,
        error_items=_items(errors, dates=("action-due_on",)),
        meeting_when=meeting_when,
        case_name=case_name,
        long_date=long_date,
        reason_names=tracking.REASON_NAMES,
        status_names=tracking.STATUS_NAMES,
    )
    return (page, 422) if errors else page


@blueprint.get("/meetings/<meeting_id>/cases/<referral_id>")
@signed_in
@policy("referral", "minute", "action")
def meeting_case(meeting_id: str, referral_id: str) -> Any:
    return _case_page(meeting_id, referral_id)


def _case_post(
    meeting_id: str, referral_id: str, change: Any, data: Any, prefix: str, typed: Any = None
) -> Any:
    target = url_for("web.meeting_case", meeting_id=meeting_id, referral_id=referral_id)
    try:
        change(services(), current_actor(), meeting_id, referral_id, data)
    except Invalid as exc:
        if exc.code in STALE:
            return _stale(exc, target)
        whole = "text" if prefix == "minute" else "description"
        errors = prefixed_errors(exc.fields, prefix, whole)
        return _case_page(meeting_id, referral_id, errors, {prefix: typed or data})
    flash("Minutes saved" if prefix == "minute" else "Action added", "success")
    return redirect(target)


@blueprint.post("/meetings/<meeting_id>/cases/<referral_id>/minute")
@signed_in
@policy("referral", "minute")
def meeting_minute(meeting_id: str, referral_id: str) -> Any:
    return _case_post(meeting_id, referral_id, minutes.save_minute, form_data(), "minute")


@blueprint.post("/meetings/<meeting_id>/cases/<referral_id>/actions")
@signed_in
@policy("referral", "action")
def meeting_action_add(meeting_id: str, referral_id: str) -> Any:
    raw = form_data()
    return _case_post(
        meeting_id, referral_id, minutes.add_action, _with_due_date(raw), "action", raw
    )


@blueprint.get("/meetings/<meeting_id>/minutes")
@signed_in
@policy("referral", "minute", "action")
def meeting_minutes(meeting_id: str) -> Any:
    view = minutes.minutes_view(services(), current_actor(), meeting_id)
    return render_template(
        "meeting/minutes.html",
        view=view,
        meeting_when=meeting_when,
        case_name=case_name,
        long_date=long_date,
        reason_names=tracking.REASON_NAMES,
        status_names=tracking.STATUS_NAMES,
    )


# Actions for my agency


@blueprint.get("/actions")
@signed_in
@policy("referral", "action")
def my_actions() -> Any:
    return render_template(
        "meeting/actions.html",
        actions=tracking.my_actions(services(), current_actor()),
        meeting_when=meeting_when,
        case_name=case_name,
        long_date=long_date,
    )


@blueprint.route("/actions/<action_id>", methods=["GET", "POST"])
@signed_in
@policy("referral", "action")
def action_update(action_id: str) -> Any:
    svc, actor = services(), current_actor()
    errors: dict[str, list[str]] = {}
    data: dict[str, Any] = {}
    if request.method == "POST":
        data = form_data()
        try:
            tracking.update_action(svc, actor, action_id, data)
        except Invalid as exc:
            if exc.code in STALE:
                return _stale(exc, url_for("web.my_actions"))
            errors = exc.fields
        else:
            flash("Outcome recorded", "success")
            return redirect(url_for("web.my_actions"))
    view = tracking.action_for_update(svc, actor, action_id)
    page = render_template(
        "meeting/action_form.html",
        act=view,
        values=data,
        errors=errors,
        error_items=_items(errors),
        meeting_when=meeting_when,
        case_name=case_name,
        long_date=long_date,
        reason_names=tracking.REASON_NAMES,
    )
    return (page, 422) if errors else page
