"""Offender pages: the cohort overview, a panel's nominals, one nominal, adding a nominal,
recording events and the rest against one, and the police-extract upload.

Every page reads through the offender actions, so it shows exactly what the sharing engine
grants: a section the reader's agency may not see (a young person's school, say) is left
out, and a nominal it may not see at all is "Page not found", as if it did not exist.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for

from casework.errors import Invalid, NotVisible
from casework.http import current_actor, services
from casework.offenders import actions as nominals
from casework.offenders import records
from casework.offenders.actions import Duplicate
from casework.offenders.importer import ImportReport, import_events, template
from casework.offenders.models import COHORTS
from casework.roles import COHORT_ENTERERS, MANAGERS
from casework.routes import policy, signed_in
from casework.web import offender_forms as forms
from casework.web.blueprint import blueprint
from casework.web.forms import csv_upload, error_list, file_error

POLICY = ("nominal", "youth_record")
ACTIONS = {
    "offence": records.record_event,
    "intelligence": records.record_event,
    "warrant": records.record_event,
    "drug_test": records.record_event,
    "custody": records.record_custody,
    "pathway": records.record_pathway,
    "intervention": records.record_intervention,
    "risk_factors": records.set_risk_factors,
    "classification": records.record_classification,
    "exit": nominals.leave_cohort,
    "join": nominals.join_cohort,
}


@blueprint.app_context_processor
def _offender_helpers() -> dict[str, Any]:
    # "Offenders" in the navigation is the offender kinds' page (casework/web/kind_nav.py).
    return {"name_of": forms.name_of}


@blueprint.get("/offenders")
@signed_in
@policy()
def offender_overview() -> Any:
    svc, actor = services(), current_actor()
    return render_template(
        "offenders/overview.html",
        title="Offender cohorts",
        rows=nominals.cohort_overview(svc, actor),
        cohorts=COHORTS,
        can_add=actor.has_any(*COHORT_ENTERERS),
        can_import=actor.has_any("coordinator"),
    )


@blueprint.get("/offenders/panels/<panel_id>")
@signed_in
@policy(*POLICY)
def offender_panel(panel_id: str) -> Any:
    svc, actor = services(), current_actor()
    panel = next((p for p in nominals.offender_panels(svc, actor) if str(p.id) == panel_id), None)
    if panel is None:
        raise NotVisible()
    rows = nominals.list_nominals(svc, actor, {"panel_id": str(panel.id)})
    return render_template(
        "offenders/panel.html",
        title=panel.name,
        panel=panel,
        rows=rows,
        can_add=actor.has_any(*COHORT_ENTERERS),
    )


def _added(nominal: Any) -> Any:
    """After adding someone, a page the creator may see: the record, or (when the protocol
    does not share it with their agency, as with a young person's record) the panel's list,
    saying plainly that the person was added and why the record will not open for them."""
    if nominals.opens_after_entry(services(), current_actor(), nominal):
        flash("Nominal added", "success")
        return redirect(url_for("web.offender_detail", nominal_id=nominal.id))
    why = (
        "the panel's information sharing protocol shares young people's records only with "
        "the agencies it names for them, such as police and youth offending"
        if nominal.is_youth
        else "the panel's information sharing protocol does not share it with your agency"
    )
    flash(
        f"Nominal added. Your agency cannot open this record: {why}. Ask the panel's police "
        "member if you need to know more.",
        "success",
    )
    panel_id = nominal.memberships[0].panel_id
    return redirect(url_for("web.offender_panel", panel_id=panel_id))


@blueprint.route("/offenders/nominals/new", methods=["GET", "POST"])
@signed_in
@policy(*POLICY)
def offender_new() -> Any:
    svc, actor = services(), current_actor()
    panels = nominals.entry_panels(svc, actor)
    agencies = sorted(
        {(m.agency.code, m.agency.name) for p in panels for m in p.members}, key=lambda a: a[1]
    )
    form = forms.nominal_form(
        [(str(p.id), f"{p.name} ({forms.name_of(p.kind)})") for p in panels], agencies
    )
    values: dict[str, Any] = {"panel_id": request.args.get("panel_id", "")}
    errors: dict[str, list[str]] = {}
    notice = existing = None
    if request.method == "POST":
        values = forms.typed(form)
        body = forms.body(form, values)
        if not body.get("risk_factors"):
            body.pop("risk_factors", None)
        try:
            nominal = nominals.create_nominal(svc, actor, body)
        except Duplicate as exc:
            errors, notice, existing = (
                forms.friendly(form, exc.fields),
                exc.message,
                exc.existing_id,
            )
        except Invalid as exc:
            errors = forms.friendly(form, exc.fields or {"_schema": [exc.message]})
            notice = exc.message if exc.code != "invalid" else None
        else:
            return _added(nominal)
    html = render_template(
        "offenders/form.html",
        title=form.title,
        form=form,
        values=values,
        errors=errors,
        error_items=forms.summary(form, errors),
        notice=notice,
        existing=existing,
        back=url_for("web.offender_overview"),
    )
    return (html, 422) if errors else html


@blueprint.get("/offenders/nominals/<nominal_id>")
@signed_in
@policy(*POLICY)
def offender_detail(nominal_id: str) -> Any:
    actor = current_actor()
    n = nominals.get_nominal(services(), actor, nominal_id)
    editable = set(n["may_edit"])
    offered = [
        (what, spec.title)
        for what, (field, spec) in forms.RECORD_FORMS.items()
        if field in editable
        and (what != "classification" or actor.has_any(*MANAGERS))
        and (what != "exit" or actor.has_any(*MANAGERS))
    ]
    if actor.has_any(*COHORT_ENTERERS):
        offered.append(("join", forms.JOIN_FORM.title))
    name = " ".join(n[k] for k in ("first_name", "last_name") if n.get(k))
    return render_template(
        "offenders/detail.html",
        title=name or "Nominal",
        n=n,
        offered=offered,
    )


def _record_form(what: str, svc: Any, target: dict[str, Any]) -> forms.Form:
    if what == "join":
        spec = forms.JOIN_FORM
        choices = (("", "Choose a panel"), *target["other_panels"])
        return forms.Form(
            spec.title,
            (forms.Field("panel_id", "Panel", "select", choices), *spec.fields[1:]),
            done=spec.done,
        )
    spec = forms.RECORD_FORMS[what][1]
    fields = []
    for f in spec.fields:
        if what == "offence" and f.name == "category":
            categories = forms.options(records.offence_categories(svc))
            f = forms.Field(f.name, f.label, f.kind, (("", "Choose"), *categories))
        if what == "exit" and f.name == "panel_id":
            f = forms.Field(f.name, f.label, f.kind, (("", "Choose"), *target["open_panels"]))
        fields.append(f)
    return forms.Form(spec.title, tuple(fields), spec.button, spec.fixed, spec.done)


@blueprint.route("/offenders/nominals/<nominal_id>/record/<what>", methods=["GET", "POST"])
@signed_in
@policy(*POLICY)
def offender_record(nominal_id: str, what: str) -> Any:
    if what not in ACTIONS:
        raise NotVisible()
    svc, actor = services(), current_actor()
    field = None if what == "join" else forms.RECORD_FORMS[what][0]
    target = records.editing(svc, actor, nominal_id, field)
    form = _record_form(what, svc, target)
    values: dict[str, Any] = {"status": "identified"} if what == "pathway" else {}
    if what == "risk_factors":
        values["risk_factors"] = list(target["risk_factors"])
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        values = forms.typed(form)
        body = forms.body(form, values)
        if what == "risk_factors":  # keep the notes of factors that stay ticked
            body["risk_factors"] = {k: target["risk_factors"].get(k) for k in body["risk_factors"]}
        try:
            ACTIONS[what](svc, actor, nominal_id, body)
        except Invalid as exc:
            errors = forms.friendly(form, exc.fields or {"_schema": [exc.message]})
        else:
            flash(form.done, "success")
            return redirect(url_for("web.offender_detail", nominal_id=target["id"]))
    html = render_template(
        "offenders/form.html",
        title=form.title,
        form=form,
        caption=target["name"],
        values=values,
        errors=errors,
        error_items=forms.summary(form, errors),
        back=url_for("web.offender_detail", nominal_id=target["id"]),
    )
    return (html, 422) if errors else html


@blueprint.route("/offenders/import/template.csv")
@signed_in
@policy()
def offender_import_template() -> Any:
    nominals.import_panels(services(), current_actor())
    return Response(
        template(),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="offence-import-template.csv"'},
    )


@blueprint.route("/offenders/import", methods=["GET", "POST"])
@signed_in
@policy(*POLICY)
def offender_import() -> Any:
    svc, actor = services(), current_actor()
    choices = nominals.import_panels(svc, actor)
    if request.method == "GET":
        return _import_page(choices, {"panel_id": "", "all_or_nothing": False}, {}, None)
    values, errors, text = csv_upload(
        {str(p.id) for p in choices}, "Choose the panel whose cohort the extract is for"
    )
    if errors:
        return _import_page(choices, values, errors, None), 422
    try:
        report = import_events(
            svc,
            actor,
            text,
            panel_id=uuid.UUID(values["panel_id"]),
            all_or_nothing=bool(values["all_or_nothing"]),
        )
    except Invalid as exc:
        return _import_page(choices, values, file_error(exc), None), 422
    return _import_page(choices, values, {}, report)


def _import_page(
    choices: list[Any], values: dict, errors: dict, report: ImportReport | None
) -> str:
    return render_template(
        "offenders/import.html",
        title="Import offences from a police extract",
        panels=choices,
        values=values,
        errors=errors,
        error_items=error_list(errors),
        report=report,
    )
