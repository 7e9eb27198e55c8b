"""The data protection officer's subject access workbench: the pages.

Thin: each page calls the workbench's actions (``casework.subject_access.actions``), which
answer 404 to anyone but a DPO, so the pages do too. Names searched for are posted, never put
in a URL. After a change the page redirects (POST/redirect/GET); a refused form is shown
again with what was typed and a GOV.UK error summary.
"""

from __future__ import annotations

from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for

from casework.errors import Invalid
from casework.http import current_actor, services
from casework.routes import policy, signed_in
from casework.subject_access import actions, pdf
from casework.subject_access.access import SOURCE_TYPES
from casework.subject_access.defaults import CATEGORIES
from casework.subject_access.find import ROLE_NAMES
from casework.subject_access.models import DECISIONS, REQUESTER_TYPES
from casework.web.blueprint import blueprint
from casework.web.forms import date_from_parts, error_list

REQUESTERS = {"victim": "A victim", "perpetrator": "A perpetrator", "other": "Another person"}
DECISION_NAMES = {"release": "Release", "redact": "Redact", "withhold": "Withhold"}


def _errors(exc: Invalid) -> dict[str, list[str]]:
    return {
        k: [m.replace("Not a valid date.", "Enter a real date") for m in v]
        for k, v in exc.fields.items()
    }


def _summary(errors: dict[str, list[str]], dates: tuple[str, ...] = ()) -> list[dict[str, str]]:
    """Error summary links; a date input's link goes to its first box, as GOV.UK asks."""
    items = error_list(errors)
    for item in items:
        if item["href"].lstrip("#") in dates:
            item["href"] += "-day"
    return items


@blueprint.get("/subject-access")
@signed_in
@policy()
def subject_access_list() -> Any:
    rows = actions.list_requests(services(), current_actor())
    return render_template(
        "subject_access/list.html",
        title="Subject access requests",
        rows=rows,
        requesters=REQUESTERS,
    )


@blueprint.route("/subject-access/new", methods=["GET", "POST"])
@signed_in
@policy()
def subject_access_new() -> Any:
    svc, actor = services(), current_actor()
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        values = {k: v for k, v in request.form.items() if k != "csrf_token"}
        data = {k: v.strip() for k, v in values.items() if v.strip()}
        date_from_parts(data, "received_on")
        try:
            row = actions.open_request(svc, actor, data)
        except Invalid as exc:
            errors = _errors(exc)
        else:
            flash("Request opened", "success")
            return redirect(url_for("web.subject_access_page", request_id=row.id))
    else:
        actions.workbench(svc, actor)  # 404 for anyone but a DPO, before showing a form
    page = render_template(
        "subject_access/new.html",
        title="Open a subject access request",
        values=values,
        errors=errors,
        error_items=_summary(errors, ("received_on",)),
        requesters=REQUESTERS,
        requester_types=REQUESTER_TYPES,
    )
    return (page, 422) if errors else page


def _request_page(
    request_id: str,
    *,
    found: list[dict[str, Any]] | None = None,
    values: dict[str, str] | None = None,
    errors: dict[str, list[str]] | None = None,
) -> Any:
    row = actions.get_request(services(), current_actor(), request_id)
    errors = errors or {}
    page = render_template(
        "subject_access/request.html",
        title="Subject access request",
        row=row,
        found=found,
        values=values or {},
        errors=errors,
        error_items=_summary(errors, ("date_of_birth",)),
        requesters=REQUESTERS,
        role_names=ROLE_NAMES,
        categories=CATEGORIES,
        decision_names=DECISION_NAMES,
        pending=actions.pending_count(row),
    )
    return (page, 422) if errors else page


@blueprint.get("/subject-access/<request_id>")
@signed_in
@policy(*SOURCE_TYPES)
def subject_access_page(request_id: str) -> Any:
    return _request_page(request_id)


@blueprint.post("/subject-access/<request_id>/find")
@signed_in
@policy(*SOURCE_TYPES)
def subject_access_find(request_id: str) -> Any:
    names = ("q", "date_of_birth-day", "date_of_birth-month", "date_of_birth-year")
    values = {k: request.form.get(k, "") for k in names}
    data: dict[str, Any] = {k: v.strip() for k, v in values.items() if v.strip()}
    date_from_parts(data, "date_of_birth")
    try:
        found = actions.find_subject(services(), current_actor(), request_id, data)
    except Invalid as exc:
        return _request_page(request_id, values=values, errors=_errors(exc))
    return _request_page(request_id, found=found, values=values)


@blueprint.post("/subject-access/<request_id>/gather")
@signed_in
@policy(*SOURCE_TYPES)
def subject_access_gather(request_id: str) -> Any:
    people = [k for k in request.form.getlist("people") if k]
    try:
        actions.gather_items(services(), current_actor(), request_id, {"people": people})
    except Invalid as exc:
        return _request_page(request_id, errors=_errors(exc))
    flash("Everything held about the people chosen has been gathered", "success")
    return redirect(url_for("web.subject_access_page", request_id=request_id, _anchor="items"))


@blueprint.route("/subject-access/<request_id>/items/<item_id>", methods=["GET", "POST"])
@signed_in
@policy(*SOURCE_TYPES)
def subject_access_item(request_id: str, item_id: str) -> Any:
    svc, actor = services(), current_actor()
    errors: dict[str, list[str]] = {}
    values: dict[str, str] = {}
    if request.method == "POST":
        values = {k: request.form.get(k, "") for k in ("decision", "reason")}
        data = {k: v for k, v in values.items() if v.strip()}
        try:
            actions.decide(svc, actor, request_id, item_id, data)
        except Invalid as exc:
            errors = _errors(exc)
        else:
            flash("Decision recorded", "success")
            return redirect(
                url_for("web.subject_access_page", request_id=request_id, _anchor="items")
            )
    row, item = actions.get_item(svc, actor, request_id, item_id)
    if not values:
        values = {"decision": item.decision, "reason": item.reason or ""}
    page = render_template(
        "subject_access/item.html",
        title="Decide what to disclose",
        row=row,
        item=item,
        values=values,
        errors=errors,
        error_items=_summary(errors),
        categories=CATEGORIES,
        decisions=DECISIONS,
        decision_names=DECISION_NAMES,
    )
    return (page, 422) if errors else page


@blueprint.get("/subject-access/<request_id>/disclosure.pdf")
@signed_in
@policy(*SOURCE_TYPES)
def subject_access_pdf(request_id: str) -> Any:
    made = pdf.download(services(), current_actor(), request_id)
    response = Response(made.content, mimetype=made.mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{made.filename}"'
    return response
