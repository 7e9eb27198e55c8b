"""Agenda pages: the coordinator's agenda builder and the agenda as a member agency sees it,
with its downloads.

``/meetings/<id>/agenda`` is one address for everyone: the panel's coordinators and chairs get
the builder, other members the circulated agenda (404 before circulation, or outside the
panel). Both show only what ``agenda_for`` returns, the filter every download also uses.

A button pressed on a stale page (the item was moved or removed meanwhile, the meeting
closed) is not a form error: the page is reloaded with a banner saying what happened.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for

from casework.dates import long_date, long_day
from casework.errors import Invalid
from casework.http import current_actor, services
from casework.meetings import agenda, agenda_export, victims
from casework.meetings.agenda_view import agenda_for, local_start
from casework.roles import MANAGERS
from casework.routes import policy, signed_in
from casework.web.blueprint import blueprint
from casework.web.forms import date_from_parts, error_list, form_data

STALE = ("stale_agenda", "meeting_not_open", "agenda_unchanged", "no_agenda", "invalid_transition")
STATUS_TEXT = {"none": "Not started", "draft": "Draft", "published": "Published"}


def _day(value: str | date) -> str:
    """Tuesday 1 December 2026."""
    return long_day(value)


def _target(meeting_id: str) -> str:
    return url_for("web.agenda_page", meeting_id=meeting_id)


def _builder(
    meeting_id: str, errors: dict[str, list[str]] | None = None, values: Any = None
) -> Any:
    svc, actor = services(), current_actor()
    state = agenda.builder_state(svc, actor, meeting_id)
    shown = agenda_for(svc, actor, meeting_id)
    details = {i["item_id"]: i for i in shown["items"]}
    addable = agenda.addable_referrals(svc, actor, meeting_id) if state["open"] else []
    errors = errors or {}
    summary = error_list({("date-day" if k == "date" else k): v for k, v in errors.items()})
    following = state["next_meeting"]
    page = render_template(
        "agenda/builder.html",
        state=state,
        meeting=shown["meeting"],
        meeting_day=_day(shown["meeting"]["date"]),
        next_day=_day(local_start(following).date()) if following else "",
        details=details,
        addable=addable,
        status_text=STATUS_TEXT,
        long_date=long_date,
        errors=errors,
        error_items=summary,
        values=values or {},
    )
    return (page, 422) if errors else page


def _member_view(meeting_id: str) -> Any:
    shown = agenda_for(services(), current_actor(), meeting_id)
    return render_template(
        "agenda/view.html",
        agenda=shown,
        meeting=shown["meeting"],
        meeting_day=_day(shown["meeting"]["date"]),
        columns=agenda_export.columns_for(shown),
        kinds=agenda_export.entry_labels(),
        long_date=long_date,
    )


@blueprint.get("/meetings/<meeting_id>/agenda")
@signed_in
@policy("referral")
def agenda_page(meeting_id: str) -> Any:
    if current_actor().has_any(*MANAGERS):
        return _builder(meeting_id)
    return _member_view(meeting_id)


@blueprint.get("/meetings/<meeting_id>/agenda.<fmt>")
@signed_in
@policy("referral")
def agenda_download(meeting_id: str, fmt: str) -> Any:
    download = agenda_export.download(services(), current_actor(), meeting_id, fmt)
    response = Response(download.content, mimetype=download.mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{download.filename}"'
    return response


def _change(meeting_id: str, change: Any, done: str, *args: Any) -> Any:
    """A button with nothing to type: any refusal is said in a banner over the fresh page."""
    try:
        change(services(), current_actor(), meeting_id, *args)
    except Invalid as exc:
        flash(exc.message if exc.code != "invalid" else _first(exc), "important")
        return redirect(_target(meeting_id))
    flash(done, "success")
    return redirect(_target(meeting_id))


def _first(exc: Invalid) -> str:
    return next((m[0] for m in exc.fields.values() if m), exc.message)


@blueprint.post("/meetings/<meeting_id>/agenda/build")
@signed_in
@policy("referral")
def agenda_build(meeting_id: str) -> Any:
    return _change(meeting_id, agenda.build_agenda, "Draft agenda updated")


@blueprint.post("/meetings/<meeting_id>/agenda/publish")
@signed_in
@policy("referral")
def agenda_publish(meeting_id: str) -> Any:
    try:
        version = agenda.publish_agenda(services(), current_actor(), meeting_id)
    except Invalid as exc:
        if exc.code in STALE:
            flash(exc.message, "important")
            return redirect(_target(meeting_id))
        raise
    flash(f"Agenda version {version.version} published; member agencies have been told", "success")
    return redirect(_target(meeting_id))


@blueprint.post("/meetings/<meeting_id>/agenda/items")
@signed_in
@policy("referral")
def agenda_add(meeting_id: str) -> Any:
    data = form_data()
    try:
        item = agenda.add_item(services(), current_actor(), meeting_id, data)
    except Invalid as exc:
        if exc.code in STALE:
            flash(exc.message, "important")
            return redirect(_target(meeting_id))
        return _builder(meeting_id, exc.fields, data)
    if victims.rows_of(services(), item):
        flash(
            f"Referral added to item {item.position}: the same victim's referrals are one case, "
            "heard together",
            "success",
        )
    else:
        flash(f"Case added to the agenda as item {item.position}", "success")
    return redirect(_target(meeting_id))


@blueprint.post("/meetings/<meeting_id>/agenda/items/<item_id>/move")
@signed_in
@policy("referral")
def agenda_move(meeting_id: str, item_id: str) -> Any:
    direction = request.form.get("direction", "")
    return _change(meeting_id, agenda.move_item, f"Item moved {direction}", item_id, direction)


@blueprint.post("/meetings/<meeting_id>/agenda/items/<item_id>/remove")
@signed_in
@policy("referral")
def agenda_remove(meeting_id: str, item_id: str) -> Any:
    return _change(
        meeting_id,
        agenda.remove_item,
        "Item removed; its referral is back in the list of accepted referrals",
        item_id,
    )


@blueprint.post("/meetings/<meeting_id>/agenda/joined/<row_id>/split")
@signed_in
@policy("referral")
def agenda_split(meeting_id: str, row_id: str) -> Any:
    return _change(
        meeting_id,
        agenda.split_item,
        "Referral listed as a case of its own at the end of the agenda",
        row_id,
    )


@blueprint.post("/meetings/<meeting_id>/agenda/items/<item_id>/defer")
@signed_in
@policy("referral")
def agenda_defer(meeting_id: str, item_id: str) -> Any:
    return _change(
        meeting_id,
        agenda.defer_items,
        "Item deferred to the next meeting",
        {"items": [item_id]},
    )


@blueprint.post("/meetings/<meeting_id>/agenda/overflow")
@signed_in
@policy("referral")
def agenda_overflow(meeting_id: str) -> Any:
    """The overflow warning's form: defer the chosen items, or hold an extra meeting."""
    data = form_data(lists=("items",))
    choice = data.pop("choice", "")
    svc, actor = services(), current_actor()
    try:
        if choice == "defer":
            data = {"items": data.get("items", [])}
            target = agenda.defer_items(svc, actor, meeting_id, data)
            done = f"Items deferred to the meeting on {long_date(local_start(target).date())}"
        elif choice == "extra":
            date_from_parts(data, "date")
            extra = agenda.add_extra_meeting(svc, actor, meeting_id, data)
            done = f"Extra meeting arranged for {long_date(local_start(extra).date())}"
        else:
            agenda.builder_state(svc, actor, meeting_id)  # 403/404 before any form error
            raise Invalid({"choice": ["Choose whether to defer items or hold an extra meeting"]})
    except Invalid as exc:
        if exc.code in STALE:
            flash(exc.message, "important")
            return redirect(_target(meeting_id))
        values = {**request.form.to_dict(), "items": request.form.getlist("items")}
        return _builder(meeting_id, exc.fields, {**values, "choice": choice})
    flash(done, "success")
    return redirect(_target(meeting_id))
