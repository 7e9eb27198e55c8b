"""The meeting page (attendance, attendees and the confidentiality statement, then case by
case minutes and actions), the minutes as attending agencies receive them, and the "Actions
for my agency" pages.

The meeting page and each case's page are one form each, whose buttons say which part to
save: everything typed elsewhere on the page comes back and is kept (``casework.web.kept``).

Buttons pressed on a stale page (the meeting was closed meanwhile, someone else already
recorded an action's outcome) reload the page with a banner saying so instead of showing a
form error that no longer applies.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

from flask import flash, redirect, render_template, request, url_for

from casework.dates import long_date, long_moment
from casework.errors import Invalid
from casework.http import current_actor, services
from casework.meetings import conduct, minutes, tracking
from casework.meetings.conduct_schemas import ATTENDANCE_CHOICES
from casework.meetings.minutes_links import minutes_links
from casework.meetings.models import Meeting
from casework.names import full_name
from casework.routes import policy, signed_in
from casework.web.blueprint import blueprint
from casework.web.forms import form_data
from casework.web.kept import CHANGED, changed, chosen, fingerprint, only

STALE = ("meeting_closed", "already_updated")
DATE_PARTS = ("day", "month", "year")


def meeting_when(meeting: Meeting | datetime | str) -> str:
    """Tuesday 1 December 2026 at 10:00, on the partnership's (UK) clock (a meeting, a moment,
    or a moment as the API's views carry it, in ISO 8601)."""
    return long_moment(meeting.starts_at if isinstance(meeting, Meeting) else meeting)


def case_name(case: dict[str, Any] | None) -> str:
    """How a case is named on these pages: the victim's name if the reader may see it,
    otherwise its reference (never more than the engine granted)."""
    if not case:
        return "A case you cannot see"
    victim = case.get("victim") or {}
    name = full_name(victim.get("first_name"), victim.get("last_name"))  # display form
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


def error_items(errors: dict[str, list[str]], dates: tuple[str, ...] = ()) -> list[dict[str, str]]:
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
    svc, actor = services(), current_actor()
    view = conduct.conduct_view(svc, actor, meeting_id)
    errors = errors or {}
    page = render_template(
        "meeting/conduct.html",
        view=view,
        links=minutes_links(svc, actor, view["meeting"]),
        choices=ATTENDANCE_CHOICES,
        values=values or {},
        errors=errors,
        error_items=error_items(errors),
        fingerprint=fingerprint,
        meeting_when=meeting_when,
        case_name=case_name,
    )
    return (page, 422) if errors else page


@blueprint.get("/meetings/<meeting_id>/conduct")
@signed_in
@policy("referral", "minute")
def meeting_conduct(meeting_id: str) -> Any:
    return _conduct_page(meeting_id)


CONDUCT_SAVES: dict[str, tuple[Any, str]] = {
    "attendance": (conduct.record_attendance, "Attendance saved"),
    "attendee": (conduct.add_attendee, "Attendee added"),
    "acknowledged": (conduct.acknowledge, "Acknowledgements saved"),
}
CONDUCT_UNSAVED = {
    "attendance": "your changes to attendance",
    "attendee": "the attendee you started to add",
    "acknowledged": "your changes to the acknowledgements",
}


@blueprint.post("/meetings/<meeting_id>/conduct")
@signed_in
@policy("referral", "minute")
def meeting_conduct_save(meeting_id: str) -> Any:
    """Save attendance, add an attendee, remove one or save acknowledgements: the meeting page
    is one form, so whatever was chosen or typed in the other parts is kept (``web.kept``).

    The attendee's fields are shown prefixed (``attendee-name``) because their names are
    common words; attendance (``attendance-<CODE>``) and acknowledgements name their own.
    """
    raw = form_data(lists=("acknowledged",))
    typed = {
        "attendance": {k: v for k, v in raw.items() if k.startswith("attendance-")},
        "attendee": only(raw, ("name", "agency")),
        "acknowledged": {"acknowledged": raw["acknowledged"]},
    }
    edited = {
        "attendance": changed("attendance", typed["attendance"]),
        "attendee": bool(typed["attendee"]),
        "acknowledged": changed("acknowledged", raw["acknowledged"]),
    }
    removing = request.form.get("remove")
    part = "remove" if removing else chosen(CONDUCT_SAVES)
    if part == CHANGED:  # Enter: the part being typed into
        part = next((p for p in ("attendee", "acknowledged") if edited[p]), "attendance")
    target = url_for("web.meeting_conduct", meeting_id=meeting_id)
    svc, actor = services(), current_actor()
    try:
        if removing:
            conduct.remove_attendee(svc, actor, meeting_id, removing)
        else:
            CONDUCT_SAVES[part][0](svc, actor, meeting_id, typed[part])
    except Invalid as exc:
        if exc.code in STALE or removing:
            return _stale(exc, target)
        errors = (
            prefixed_errors(exc.fields, "attendee", "name") if part == "attendee" else exc.fields
        )
        return _conduct_page(meeting_id, errors, typed)
    flash("Attendee removed" if removing else CONDUCT_SAVES[part][1], "success")
    left = [p for p in CONDUCT_SAVES if p != part and edited[p]]
    if not left:
        return redirect(target)
    flash(f"Not saved yet: {' and '.join(CONDUCT_UNSAVED[p] for p in left)}.", "important")
    return _conduct_page(meeting_id, values={p: typed[p] for p in left})


# Closing the meeting: its confirmation page and reopening are in casework.web.meeting_close


# One case at the meeting


def with_due_date(raw: dict[str, Any]) -> dict[str, Any]:
    """The action form with its GOV.UK date boxes joined into one ISO date for the action
    (a missing or non-numeric box makes an invalid date, reported against the field)."""
    data = {k: v for k, v in raw.items() if not k.startswith("due_on-")}
    parts = [raw.get(f"due_on-{p}", "").strip() for p in DATE_PARTS]
    if any(parts):
        day, month, year = parts
        data["due_on"] = f"{year}-{month:0>2}-{day:0>2}"
    return data


def case_form_context(
    errors: dict[str, list[str]] | None = None, values: dict | None = None
) -> dict[str, Any]:
    """What a page showing a case's minutes and action form (meeting/_case_form.html: the
    case page and live chair mode) renders with, besides its own view."""
    errors = errors or {}
    return {
        "values": values or {},
        "errors": errors,
        "error_items": error_items(errors, dates=("action-due_on",)),
        "fingerprint": fingerprint,
        "meeting_when": meeting_when,
        "case_name": case_name,
        "long_date": long_date,
        "reason_names": tracking.REASON_NAMES,
        "status_names": tracking.STATUS_NAMES,
    }


def _case_page(
    meeting_id: str,
    referral_id: str,
    errors: dict[str, list[str]] | None = None,
    values: dict | None = None,
) -> Any:
    view = minutes.case_view(services(), current_actor(), meeting_id, referral_id)
    page = render_template("meeting/case.html", view=view, **case_form_context(errors, values))
    return (page, 422) if errors else page


@blueprint.get("/meetings/<meeting_id>/cases/<referral_id>")
@signed_in
@policy("referral", "minute", "action")
def meeting_case(meeting_id: str, referral_id: str) -> Any:
    return _case_page(meeting_id, referral_id)


# "risks": the risks identified, saved beside the information shared (SafeLives checklist).
MINUTE_FIELDS = ("text", "risks")
ACTION_FIELDS = ("description", "owner_agency", *(f"due_on-{p}" for p in DATE_PARTS))
NOT_SAVED = {
    "minute": "Your changes to the minutes are not saved yet. Select Save minutes to keep them.",
    "action": "The action you started is not added yet. Select Add action to add it.",
}


def minute_typed(raw: dict[str, Any]) -> dict[str, Any]:
    """The minutes part of a posted page. ``form_data`` leaves empty boxes out, which for the
    risks would keep those saved: a risks box posted empty is the chair clearing them, while a
    form without the box (an older page) leaves them as they were."""
    typed = only(raw, MINUTE_FIELDS)
    if "risks" in request.form and "risks" not in typed:
        typed["risks"] = ""
    return typed


def minute_changed(raw: dict[str, Any]) -> bool:
    """Whether the minutes boxes (information shared, risks identified) differ from what the
    page showed (its ``shown-minute`` digest of both)."""
    return changed("minute", raw.get("text"), raw.get("risks"))


def save_case_form(
    raw: dict[str, Any],
    save: Callable[[str, dict[str, Any]], Any],
    target: str,
    redraw: Callable[[dict[str, list[str]] | None, dict], Any],
) -> Any:
    """Save the minutes or add the action, whichever button was pressed, for a page showing
    meeting/_case_form.html (the case page and live chair mode). The page is one form, so what
    was typed in the other part comes back too and is kept (``web.kept``).

    ``save(part, data)`` calls the page's action for ``"minute"`` or ``"action"``; ``redraw(
    errors, values)`` draws the page again; ``target`` is where a save with nothing else
    typed redirects (so a reload cannot save twice)."""
    typed = {"minute": minute_typed(raw), "action": only(raw, ACTION_FIELDS)}
    part = chosen(typed)
    if part == CHANGED:  # Enter: the action if one was started, else the minutes
        part = "action" if typed["action"] else "minute"
    try:
        save(part, typed["minute"] if part == "minute" else with_due_date(typed["action"]))
    except Invalid as exc:
        if exc.code in STALE:
            return _stale(exc, target)
        whole = "text" if part == "minute" else "description"
        return redraw(prefixed_errors(exc.fields, part, whole), typed)
    flash("Minutes saved" if part == "minute" else "Action added", "success")
    other = "action" if part == "minute" else "minute"
    unsaved = bool(typed["action"]) if other == "action" else minute_changed(raw)
    if not unsaved:
        return redirect(target)
    flash(NOT_SAVED[other], "important")
    return redraw(None, {other: typed[other]})


@blueprint.post("/meetings/<meeting_id>/cases/<referral_id>")
@signed_in
@policy("referral", "case", "minute", "action")
def meeting_case_save(meeting_id: str, referral_id: str) -> Any:
    svc, actor = services(), current_actor()

    def save(part: str, data: dict[str, Any]) -> Any:
        change = minutes.save_minute if part == "minute" else minutes.add_action
        return change(svc, actor, meeting_id, referral_id, data)

    return save_case_form(
        form_data(),
        save,
        url_for("web.meeting_case", meeting_id=meeting_id, referral_id=referral_id),
        partial(_case_page, meeting_id, referral_id),
    )


@blueprint.get("/meetings/<meeting_id>/minutes")
@signed_in
@policy("referral", "minute", "action")
def meeting_minutes(meeting_id: str) -> Any:
    svc, actor = services(), current_actor()
    view = minutes.minutes_view(svc, actor, meeting_id)
    return render_template(
        "meeting/minutes.html",
        view=view,
        links=minutes_links(svc, actor, view["meeting"]),
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
        error_items=error_items(errors),
        meeting_when=meeting_when,
        case_name=case_name,
        long_date=long_date,
        reason_names=tracking.REASON_NAMES,
    )
    return (page, 422) if errors else page
