"""Panel pages: the panels a person's agency sits on, each with its meetings (dates, referral
cut-off, agenda circulation, minutes due, status), the panel's settings, and moving or
cancelling a meeting. Nothing here is case data: meetings are dates and counts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for

from casework import dates
from casework.agencies import actions as agencies
from casework.db import utcnow
from casework.errors import Invalid
from casework.http import current_actor, services
from casework.meetings import schedule
from casework.meetings.calendar import local
from casework.panels import actions as panels
from casework.panels import kinds as panel_kinds
from casework.panels.editing import enter_panel_editing
from casework.panels.schemas import DEFAULTS
from casework.roles import MANAGERS, PANEL_EDITORS
from casework.routes import policy, signed_in
from casework.web.blueprint import blueprint
from casework.web.forms import date_from_parts, error_list, form_data

NATION_NAMES = {
    "england-and-wales": "England and Wales",
    "scotland": "Scotland",
    "northern-ireland": "Northern Ireland",
}
STATUS = {
    "scheduled": ("Scheduled", "govuk-tag--blue"),
    "cancelled": ("Cancelled", "govuk-tag--grey"),
    "held": ("Held", "govuk-tag--green"),
    "closed": ("Closed", "govuk-tag--green"),
    "reopened": ("Reopened", "govuk-tag--yellow"),
}
AGENDA = {"none": "Not started", "draft": "Draft", "published": "Published"}
SETTING_FIELDS = (
    "name",
    "area",
    "schedule",
    "nation",
    "meeting_minutes",
    "minutes_per_case",
    "cutoff_working_days",
    "circulation_working_days",
    "adult_female_population",
    "protocol",
)
DEFAULT_SETTINGS = {name: str(value) for name, value in DEFAULTS.items()}


def long_day(value: date | datetime | None) -> str:
    """Tuesday 1 December 2026 (GOV.UK style), in UK time."""
    if value is None:
        return "Not set"
    return dates.long_day(local(value) if isinstance(value, datetime) else value)


def _link(endpoint: str, **values: Any) -> str | None:
    """A link to another area's page, if that page exists in this build."""
    if f"web.{endpoint}" not in current_app.view_functions:
        return None
    return url_for(f"web.{endpoint}", **values)


def _rows(meetings: list[Any], now: datetime) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    upcoming, past = [], []
    for meeting in meetings:
        row = schedule.meeting_row(meeting)
        row.update(
            day=long_day(meeting.starts_at),
            cutoff=long_day(meeting.cutoff_on),
            circulate=long_day(meeting.circulate_on),
            minutes_due=long_day(meeting.minutes_due_on),
            status_text=STATUS[meeting.status],
            agenda_text=AGENDA.get(meeting.agenda_status, meeting.agenda_status),
            moved_from_day=long_day(meeting.moved_from) if meeting.moved_from else None,
            agenda_url=None
            if meeting.status == "cancelled"
            else _link("agenda_page", meeting_id=meeting.id),
            meeting_url=None
            if meeting.status == "cancelled"
            else _link("meeting_conduct", meeting_id=meeting.id),
        )
        (upcoming if meeting.starts_at > now else past).append(row)
    return upcoming, past[::-1]


@blueprint.route("/panels")
@signed_in
@policy()
def panel_list() -> Any:
    svc, actor = services(), current_actor()
    mine = panels.list_panels(svc, actor)
    every = panels.list_all_panels(svc, actor) if actor.has_any("admin") else []
    kinds = panel_kinds.labels()
    creates = actor.has_any(*PANEL_EDITORS)  # a link only: the action decides on submit
    return render_template(
        "panels/list.html", panels=mine, all_panels=every, kinds=kinds, creates=creates
    )


@blueprint.route("/panels/<panel_id>")
@signed_in
@policy()
def panel_page(panel_id: str) -> Any:
    svc, actor = services(), current_actor()
    panel, meetings = schedule.panel_meetings(svc, actor, panel_id)
    upcoming, past = _rows(meetings, utcnow())
    return render_template(
        "panels/panel.html",
        panel=panel,
        upcoming=upcoming,
        past=past,
        kinds=panel_kinds.labels(),
        nations=NATION_NAMES,
        manages=actor.has_any(*MANAGERS),
        edits=actor.has_any(*PANEL_EDITORS),
    )


BLANK = {
    "name": "Enter the panel's name",
    "area": "Enter the area the panel covers",
    "schedule": "Enter when the panel meets",
}
# The API's wording where a person needs GOV.UK's (a field left empty, a list left unticked).
CHOOSE = {
    "kind": "Select the kind of panel",
    "agencies": "Select at least one member agency",
}


def _form_page(svc: Any, actor: Any, kind: str | None) -> dict[str, Any]:
    """What the new-panel and settings forms offer: kinds, nations, active agencies and the
    protocols that cover the panel's kind (every protocol while the kind is not chosen)."""
    protocols = [
        {"key": key, "name": p.name, "kinds": sorted(p.panel_kinds)}
        for key, p in sorted(svc.sharing.protocols.items())
        if kind is None or kind in p.panel_kinds
    ]
    return {
        "nations": NATION_NAMES,
        "kinds": panel_kinds.labels(),
        "agencies": [a for a in agencies.list_agencies(svc, actor) if a.active],
        "protocols": protocols,
    }


def _submitted() -> dict[str, Any]:
    """The form as the API takes it: blank numbers and protocol mean "none" or "the usual"."""
    data = form_data(lists=("agencies",))
    data.setdefault("adult_female_population", None)
    if "active" in data:
        data["active"] = data["active"] == "yes"
    return data


def _form_errors(data: dict[str, Any], exc: Invalid | None) -> dict[str, list[str]]:
    errors = {name: [text] for name, text in BLANK.items() if not data.get(name)}
    for name, messages in (exc.fields if exc else {}).items():
        empty = name in CHOOSE and not data.get(name)
        errors.setdefault(name, [CHOOSE[name]] if empty else messages)
    return errors


@blueprint.route("/panels/new", methods=["GET", "POST"])
@signed_in
@policy()
def panel_new() -> Any:
    """A new panel, as ``POST /api/v1/panels`` makes one (administrators and coordinators)."""
    svc, actor = services(), current_actor()
    enter_panel_editing(actor)
    if request.method == "GET":
        values = {"nation": "england-and-wales", **DEFAULT_SETTINGS}
        if actor.agency_code:
            values["agencies"] = [actor.agency_code]
        page = _form_page(svc, actor, None)
        return render_template("panels/new.html", values=values, errors={}, **page)
    data = _submitted()
    if not data.get("protocol"):
        data["protocol"] = None  # the protocol that covers the kind
    created, exc = None, None
    try:
        created = panels.create_panel(svc, actor, data)
    except Invalid as error:
        exc = error
    errors = _form_errors(data, exc)
    if errors or created is None:  # a 422 answer rolls the transaction back: nothing is saved
        page = _form_page(svc, actor, None)
        return render_template(
            "panels/new.html", values=data, errors=errors, error_items=error_list(errors), **page
        ), 422
    flash(f"{created.name} created, with its next meetings in the diary", "success")
    if actor.has_any("admin") and created.id not in {p.id for p in panels.list_panels(svc, actor)}:
        return redirect(url_for("web.panel_list"))
    return redirect(url_for("web.panel_page", panel_id=created.id))


@blueprint.route("/panels/<panel_id>/settings", methods=["GET", "POST"])
@signed_in
@policy()
def panel_settings(panel_id: str) -> Any:
    """A panel's settings, as ``PATCH /api/v1/panels/{id}`` changes them."""
    svc, actor = services(), current_actor()
    panel = panels.editable_panel(svc, actor, panel_id)
    page = {"panel": panel, **_form_page(svc, actor, panel.kind)}
    if request.method == "GET":
        values = {name: getattr(panel, name) for name in SETTING_FIELDS}
        values["agencies"] = panel.agency_codes
        values["active"] = "yes" if panel.active else "no"
        return render_template(
            "panels/settings.html", values=values, errors={}, error_items=[], **page
        )
    data = _submitted()
    exc = None
    try:
        panels.update_panel(svc, actor, panel.id, data)
    except Invalid as error:
        exc = error
    errors = _form_errors(data, exc)
    if errors:  # a 422 answer rolls the request's transaction back: nothing is half-saved
        if "active" in data:
            data["active"] = "yes" if data["active"] else "no"
        return render_template(
            "panels/settings.html",
            values=data,
            errors=errors,
            error_items=error_list(errors),
            **page,
        ), 422
    flash("Panel settings saved", "success")
    if not panel.active and not actor.has_any("admin"):
        return redirect(url_for("web.panel_list"))
    return redirect(url_for("web.panel_page", panel_id=panel.id))


def _managed(panel_id: str, meeting_id: str) -> tuple[Any, Any]:
    svc, actor = services(), current_actor()
    panel, meetings = schedule.panel_meetings(svc, actor, panel_id)
    meeting = next((m for m in meetings if str(m.id) == meeting_id), None)
    return panel, schedule.managed_view(svc, actor, meeting.id if meeting else None)


def _not_open(panel: Any, meeting: Any, what: str) -> Any:
    """A stale page (the meeting was cancelled or held meanwhile): say so on the panel page."""
    status = STATUS[meeting.status][0].lower()
    flash(f"This meeting is {status}, so it cannot be {what}.", "info")
    return redirect(url_for("web.panel_page", panel_id=panel.id))


@blueprint.route("/panels/<panel_id>/meetings/<meeting_id>/move", methods=["GET", "POST"])
@signed_in
@policy()
def meeting_move(panel_id: str, meeting_id: str) -> Any:
    panel, meeting = _managed(panel_id, meeting_id)
    if meeting.status != "scheduled":
        return _not_open(panel, meeting, "moved")
    page = {"panel": panel, "meeting": meeting, "day": long_day(meeting.starts_at)}
    if request.method == "GET":
        start = local(meeting.starts_at)
        values = {
            "date-day": start.day,
            "date-month": start.month,
            "date-year": start.year,
            "time": start.strftime("%H:%M"),
        }
        return render_template("panels/move.html", values=values, errors={}, **page)
    data = form_data()
    values = dict(data)
    date_from_parts(data, "date")
    try:
        moved = schedule.move_meeting(services(), current_actor(), meeting.id, data)
    except Invalid as exc:
        items = error_list({("date-day" if k == "date" else k): v for k, v in exc.fields.items()})
        return render_template(
            "panels/move.html", values=values, errors=exc.fields, error_items=items, **page
        ), 422
    flash(f"Meeting moved to {dates.long_moment(moved.starts_at)}", "success")
    return redirect(url_for("web.panel_page", panel_id=panel.id))


@blueprint.route("/panels/<panel_id>/meetings/<meeting_id>/cancel", methods=["GET", "POST"])
@signed_in
@policy()
def meeting_cancel(panel_id: str, meeting_id: str) -> Any:
    panel, meeting = _managed(panel_id, meeting_id)
    if meeting.status != "scheduled":
        return _not_open(panel, meeting, "cancelled")
    if request.method == "GET":
        return render_template(
            "panels/cancel.html",
            panel=panel,
            meeting=meeting,
            day=long_day(meeting.starts_at),
            items=len(meeting.items),
        )
    done = schedule.cancel_meeting(services(), current_actor(), meeting.id)
    if done.moved_to is not None and done.moved_to.items:
        flash(
            f"Meeting cancelled. Its agenda items moved to {long_day(done.moved_to.starts_at)}",
            "success",
        )
    else:
        flash("Meeting cancelled", "success")
    return redirect(url_for("web.panel_page", panel_id=panel.id))
