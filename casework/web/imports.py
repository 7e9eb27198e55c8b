"""The coordinator's upload page for historical referrals, and the CSV template.

The page says where each unfinished import into the coordinator's panels got to: uploading
the same file again carries on from there (``casework.imports.runs``)."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Response, render_template, request

from casework.authz import action, require_role
from casework.dates import date_at
from casework.errors import Invalid
from casework.http import current_actor, services
from casework.imports.runs import unfinished
from casework.panels import actions as panels
from casework.panels import kinds as panel_kinds
from casework.referrals.importer import ImportReport, import_referrals, template
from casework.routes import policy, signed_in
from casework.services import Services
from casework.web.blueprint import blueprint
from casework.web.forms import csv_upload, error_list, file_error


@action
def _coordinator(svc: Services, actor: Any) -> list[Any]:
    require_role(actor, "coordinator")
    taking = panel_kinds.disclosing("referral")  # the kinds whose panels hear referrals
    return [p for p in panels.list_panels(svc, actor) if p.kind in taking]


@action
def _unfinished_notes(svc: Services, actor: Any, choices: list[Any]) -> list[str]:
    """One sentence per unfinished import into these panels (counts and a date only)."""
    require_role(actor, "coordinator")
    names = {p.id: p.name for p in choices}
    return [
        f"An import into {names.get(run.panel_id, 'a panel')} started on "
        f"{date_at(run.started_at)} stopped after "
        f"{run.rows_done:,} of {run.rows_total:,} rows; uploading the same file again carries "
        "on from there."
        for run in unfinished(svc, "referrals", names)
    ]


@blueprint.route("/referrals/import/template.csv")
@signed_in
@policy()
def import_template() -> Any:
    _coordinator(services(), current_actor())
    return Response(
        template(),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="referral-import-template.csv"'},
    )


@blueprint.route("/referrals/import", methods=["GET", "POST"])
@signed_in
@policy("referral")
def import_page() -> Any:
    svc, actor = services(), current_actor()
    choices = _coordinator(svc, actor)
    if request.method == "GET":
        notes = _unfinished_notes(svc, actor, choices)
        return _page(choices, {"panel_id": "", "all_or_nothing": False}, {}, None, notes)
    values, errors, text = csv_upload(
        {str(p.id) for p in choices}, "Choose the MARAC panel the referrals were heard by"
    )
    if errors:
        return _page(choices, values, errors, None), 422
    try:
        report = import_referrals(
            svc,
            actor,
            uuid.UUID(values["panel_id"]),
            text,
            all_or_nothing=bool(values["all_or_nothing"]),
        )
    except Invalid as exc:
        return _page(choices, values, file_error(exc), None), 422
    return _page(choices, values, {}, report)


def _page(
    choices: list[Any],
    values: dict,
    errors: dict,
    report: ImportReport | None,
    notes: list[str] | None = None,
) -> str:
    return render_template(
        "imports/referrals.html",
        title="Import historical referrals",
        panels=choices,
        values=values,
        errors=errors,
        error_items=error_list(errors),
        report=report,
        unfinished=notes or [],
    )
