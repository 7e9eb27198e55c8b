"""ASB case pages: the cases the reader's agency may see, the referral form, and one case
(its details as granted, incidents, perpetrators, the risk assessment with its questions,
adding an incident, closing the case).

Pages call the same actions as the API (``casework.asb.cases``), so they show exactly what the
sharing engine grants; a case the reader may not see is "Page not found". Forms send the same
body the API takes, and its 422 comes back as a GOV.UK error summary keeping what was typed.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for

from casework.asb import cases
from casework.asb.models import CASE_OUTCOMES, INCIDENT_TYPES
from casework.asb.risk import matrix_for
from casework.errors import Invalid
from casework.http import current_actor, services
from casework.roles import ASB_REFERRERS
from casework.routes import policy, signed_in
from casework.web.blueprint import blueprint
from casework.web.forms import date_from_parts

POLICY = ("asb_case",)
INCIDENT_ROWS = 3  # incident rows on the referral form
PERSON_ROWS = 2  # people responsible on the referral form (plus one group)
LABELS = {
    "panel_id": "the panel",
    "victim.first_name": "the victim's first name",
    "victim.last_name": "the victim's surname",
    "victim.date_of_birth": "the victim's date of birth",
    "location": "where the behaviour happens",
    "date": "the date of the incident",
    "type": "the type of incident",
    "agency": "the agency it was reported to",
    "outcome": "the outcome",
    "closed_on": "the date the case closed",
}


def _words(field: str, message: str) -> str:
    """marshmallow's messages as GOV.UK error messages, naming what to do."""
    label = LABELS.get(field) or LABELS.get(field.rsplit(".", 1)[-1], "this")
    if message.startswith("Missing data"):
        return f"Enter {label}" if "date" not in field else f"Enter {label} as a real date"
    if message.startswith("Not a valid date"):
        return f"Enter {label} as a real date"
    if message.startswith("Must be one of") or message.startswith("Not a valid UUID"):
        return f"Choose {label}"
    if message == "Unknown field.":
        return "Remove this field"
    return message


def _anchor(field: str) -> str:
    return field.replace(".", "-")


def page_errors(fields: dict[str, list[str]], rows: dict[str, str] | None = None) -> dict:
    """The action's field errors keyed by the form's names (``rows`` maps a list index sent to
    the form row it came from, so an error lands on the row typed in)."""
    out: dict[str, str] = {}
    for field, messages in fields.items():
        name = field
        for prefix, mapping in (rows or {}).items():
            parts = field.split(".")
            if parts[0] == prefix and len(parts) > 1 and parts[1] in mapping:
                name = ".".join([prefix, mapping[parts[1]], *parts[2:]])
        out[_anchor(name)] = _words(field, messages[0])
    return out


def summary(errors: dict[str, str]) -> list[dict[str, str]]:
    return [{"text": text, "href": f"#{anchor}"} for anchor, text in errors.items()]


def _text(form: dict[str, str], name: str) -> str | None:
    value = form.get(name, "").strip()
    return value or None


def _day(form: dict[str, str], name: str) -> str | None:
    parts = {f"{name}-{p}": form.get(f"{name}-{p}", "") for p in ("day", "month", "year")}
    data: dict[str, Any] = dict(parts)
    date_from_parts(data, name)
    return data.get(name)


def _incident(form: dict[str, str], row: str) -> dict[str, Any] | None:
    prefix = f"incidents-{row}"
    values = {
        "date": _day(form, f"{prefix}-date"),
        "type": _text(form, f"{prefix}-type"),
        "agency": _text(form, f"{prefix}-agency"),
        "reference": _text(form, f"{prefix}-reference"),
    }
    if not any(values.values()):
        return None
    return {k: v for k, v in values.items() if v is not None or k == "reference"}


def _rows(form: dict[str, str], count: int, make: Any) -> tuple[list[dict], dict[str, str]]:
    """The rows typed in, and which form row each sent index came from."""
    sent, where = [], {}
    for row in range(count):
        item = make(form, str(row))
        if item is not None:
            where[str(len(sent))] = str(row)
            sent.append(item)
    return sent, where


def _person(form: dict[str, str], row: str) -> dict[str, Any] | None:
    prefix = f"perpetrators-{row}"
    values = {
        "first_name": _text(form, f"{prefix}-first_name"),
        "last_name": _text(form, f"{prefix}-last_name"),
        "date_of_birth": _day(form, f"{prefix}-date_of_birth"),
    }
    return {k: v for k, v in values.items() if v} or None


def referral_body(form: dict[str, str], questions: list[str]) -> tuple[dict, dict]:
    """The API's referral body from the form, and the row mappings for its errors."""
    incidents, incident_rows = _rows(form, INCIDENT_ROWS, _incident)
    people, people_rows = _rows(form, PERSON_ROWS, _person)
    group = {
        "group_name": _text(form, "perpetrators-group-group_name"),
        "description": _text(form, "perpetrators-group-description"),
    }
    if any(group.values()):
        people_rows[str(len(people))] = "group"
        people.append({k: v for k, v in group.items() if v})
    victim = {
        "first_name": _text(form, "victim-first_name"),
        "last_name": _text(form, "victim-last_name"),
        "date_of_birth": _day(form, "victim-date_of_birth"),
        "address": _text(form, "victim-address"),
        "phone": _text(form, "victim-phone"),
    }
    body = {
        "panel_id": _text(form, "panel_id"),
        "victim": {k: v for k, v in victim.items() if v},
        "location": _text(form, "location"),
        "summary": _text(form, "summary"),
        "risk_answers": {q: form[f"risk-{q}"] for q in questions if form.get(f"risk-{q}")},
        "incidents": incidents,
        "perpetrators": people,
    }
    body = {k: v for k, v in body.items() if v is not None}
    return body, {"incidents": incident_rows, "perpetrators": people_rows}


def _agencies(svc: Any) -> list[tuple[str, str]]:
    return cases.incident_agencies(svc, current_actor())


@blueprint.get("/asb/cases")
@signed_in
@policy(*POLICY)
def asb_case_list() -> Any:
    svc, actor = services(), current_actor()
    filters = {k: v for k in ("status", "band") if (v := request.args.get(k))}
    try:
        rows = cases.list_cases(svc, actor, filters)
    except Invalid:
        filters, rows = {}, cases.list_cases(svc, actor, {})
    can_refer = actor.has_any(*ASB_REFERRERS) and bool(cases.member_panels(svc, actor))
    return render_template(
        "asb/list.html", title="ASB cases", rows=rows, filters=filters, can_refer=can_refer
    )


@blueprint.route("/asb/cases/new", methods=["GET", "POST"])
@signed_in
@policy(*POLICY)
def asb_case_new() -> Any:
    svc, actor = services(), current_actor()
    panels = cases.referral_panels(svc, actor)
    matrix = matrix_for(svc.settings)
    values: dict[str, str] = {"panel_id": str(panels[0].id)} if len(panels) == 1 else {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = {k: v for k, v in request.form.items() if k != "csrf_token"}
        body, rows = referral_body(values, [q.code for q in matrix.questions])
        try:
            made = cases.refer_case(svc, actor, body)
        except Invalid as exc:
            errors = page_errors(exc.fields or {"_schema": [exc.message]}, rows)
        else:
            flash(f"Case {made['reference']} referred", "success")
            if cases.visible_after_referral(svc, actor, made["id"]):
                return redirect(url_for("web.asb_case", case_id=made["id"]))
            return redirect(url_for("web.asb_case_list"))
    html = render_template(
        "asb/refer.html",
        title="Refer a victim of anti-social behaviour",
        panels=panels,
        matrix=matrix,
        incident_types=INCIDENT_TYPES,
        agencies=_agencies(svc),
        incident_rows=INCIDENT_ROWS,
        person_rows=PERSON_ROWS,
        values=values,
        errors=errors,
        error_items=summary(errors),
    )
    return (html, 422) if errors else html


def _case_page(case_id: str, values: dict, errors: dict[str, str]) -> str:
    svc, actor = services(), current_actor()
    case = cases.get_case(svc, actor, case_id)
    editable = set(case["may_edit"])
    is_open = case["status"] == "open"
    return render_template(
        "asb/case.html",
        title=case["reference"],
        case=case,
        case_id=case["id"],
        matrix=matrix_for(svc.settings),
        incident_types=INCIDENT_TYPES,
        outcomes=CASE_OUTCOMES,
        agencies=_agencies(svc) if is_open and "incidents" in editable else [],
        can_add=is_open and "incidents" in editable,
        can_close=is_open and "outcome" in editable,
        values=values,
        errors=errors,
        error_items=summary(errors),
    )


@blueprint.get("/asb/cases/<case_id>")
@signed_in
@policy(*POLICY)
def asb_case(case_id: str) -> Any:
    return _case_page(case_id, {}, {})


@blueprint.post("/asb/cases/<case_id>/incidents")
@signed_in
@policy(*POLICY)
def asb_case_incident(case_id: str) -> Any:
    svc, actor = services(), current_actor()
    values = {k: v for k, v in request.form.items() if k != "csrf_token"}
    item = _incident(values, "new")
    try:
        cases.add_incidents(svc, actor, case_id, {"incidents": [item] if item else []})
    except Invalid as exc:
        fields = exc.fields or {"_schema": [exc.message]}
        if "incidents" in fields:
            fields = {"incidents.0.date": ["Enter the incident's details"]}
        errors = page_errors(fields, {"incidents": {"0": "new"}})
        return _case_page(case_id, values, errors), 422
    flash("Incident added", "success")
    return redirect(url_for("web.asb_case", case_id=case_id))


@blueprint.post("/asb/cases/<case_id>/close")
@signed_in
@policy(*POLICY)
def asb_case_close(case_id: str) -> Any:
    svc, actor = services(), current_actor()
    values = {k: v for k, v in request.form.items() if k != "csrf_token"}
    body = {"outcome": _text(values, "outcome"), "closed_on": _day(values, "closed_on")}
    try:
        cases.close_case(svc, actor, case_id, {k: v for k, v in body.items() if v})
    except Invalid as exc:
        errors = page_errors(exc.fields or {"_schema": [exc.message]})
        return _case_page(case_id, values, errors), 422
    flash("Case closed", "success")
    return redirect(url_for("web.asb_case", case_id=case_id))
