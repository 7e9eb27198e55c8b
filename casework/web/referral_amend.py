"""Pages: amending a referral (with a reason) and its versions.

Both call the API's actions (``amend.amend_referral``, ``amend_versions.list_versions``), so
the page and the API refuse and audit alike. The form's fields come from the submission
schema (``amend_form.form_fields``); what was typed is kept when the form comes back with
errors.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from flask import flash, redirect, render_template, request, url_for

from casework.errors import Invalid
from casework.http import current_actor, services
from casework.referrals import amend, amend_form, amend_versions
from casework.referrals.draft_form import TITLES
from casework.routes import policy, signed_in
from casework.web.blueprint import blueprint
from casework.web.forms import error_list
from casework.web.referral_errors import GENDERS

PARTS = ("day", "month", "year")
YES_NO = {"yes": True, "no": False}


def _typed(fields: list[amend_form.FormField]) -> dict[str, Any]:
    """The form as typed, by path (dates as their three boxes), to show again."""
    typed: dict[str, Any] = {}
    for f in fields:
        if f.kind == "date":
            typed[f.path] = {p: request.form.get(f"{f.id}-{p}", "").strip() for p in PARTS}
        else:
            typed[f.path] = request.form.get(f.id, "")
    typed["reason"] = request.form.get("reason", "")
    return typed


def _value(f: amend_form.FormField, raw: Any) -> Any:
    """A typed value as the schema reads a form's text; empty is "not given"."""
    if f.kind == "date":
        if not any(raw.values()):
            return None
        y, m, d = (raw[p] for p in ("year", "month", "day"))
        if all(x.isascii() and x.isdigit() for x in (y, m, d)):
            return f"{int(y):04d}-{int(m):02d}-{int(d):02d}"
        return f"{y}-{m}-{d}"
    if f.kind == "bool":
        return YES_NO.get(raw)
    return raw.strip() or None


def _patch(fields: list[amend_form.FormField], typed: dict[str, Any]) -> dict[str, Any]:
    """The body the API would take: every field shown, nested by path, and the reason."""
    body: dict[str, Any] = {}
    for f in fields:
        node = body
        *parents, name = f.path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[name] = _value(f, typed[f.path])
    if typed["reason"].strip():
        body["reason"] = typed["reason"]
    return body


def _shown(f: amend_form.FormField, value: Any) -> Any:
    """A stored value as the form shows it."""
    if f.kind == "date":
        parts = str(value or "").split("-")
        if len(parts) != 3:
            return dict.fromkeys(PARTS, "")
        return {"year": parts[0], "month": parts[1].lstrip("0"), "day": parts[2].lstrip("0")}
    if f.kind == "bool":
        return {True: "yes", False: "no"}.get(value, "")
    return "" if value is None else str(value)


def _page(view: dict[str, Any], typed: dict[str, Any], errors: dict[str, list[str]]) -> Any:
    html = render_template(
        "referrals/amend.html",
        title=f"Amend referral {view['reference']}",
        view=view,
        typed=typed,
        genders=GENDERS,
        titles=TITLES,
        errors=errors,
        error_items=error_list(errors),
    )
    return (html, 422) if errors else html


@blueprint.get("/referrals/<referral_id>/amend")
@signed_in
@policy("referral")
def referral_amend_page(referral_id: str) -> Any:
    view = amend_form.amend_form(services(), current_actor(), referral_id)
    typed = {f.path: _shown(f, view["values"][f.path]) for f in view["fields"]}
    return _page(view, {**typed, "reason": ""}, {})


@blueprint.post("/referrals/<referral_id>/amend")
@signed_in
@policy("referral")
def referral_amend_save(referral_id: str) -> Any:
    view = amend_form.amend_form(services(), current_actor(), referral_id)
    typed = _typed(view["fields"])
    try:
        done = amend.amend_referral(
            services(), current_actor(), referral_id, _patch(view["fields"], typed)
        )
    except Invalid as exc:
        services().session.rollback()
        view = amend_form.amend_form(services(), current_actor(), referral_id)
        fields = exc.fields or {"_schema": [exc.message]}
        return _page(view, typed, {k.replace("_schema", "reason"): v for k, v in fields.items()})
    flash(f"Referral amended: version {done['version']['number']}", "success")
    return redirect(url_for("web.referral_versions_page", referral_id=referral_id))


@blueprint.get("/referrals/<referral_id>/versions")
@signed_in
@policy("referral")
def referral_versions_page(referral_id: str) -> Any:
    view = amend_versions.list_versions(services(), current_actor(), referral_id)
    labels = {f.path: f.label for f in amend_form.form_fields()}
    for version in view["versions"]:
        version["when"] = datetime.fromisoformat(version["at"])
        for change in version["changes"]:
            change["label"] = change_label(change["field"], labels)
    return render_template(
        "referrals/versions.html",
        title=f"Versions of referral {view['reference']}",
        view=view,
    )


DERIVED_LABELS = {
    "risk.dash_score": "DASH score",
    "risk.band": "Risk band",
    "risk.criteria": "Criteria met",
    "repeat.is_repeat": "Repeat referral",
    "repeat.previous_referral_date": "Date of the previous referral",
}
_LISTED = re.compile(r"^(perpetrators|children)\[(\d+)\]\.(.+)$")
_PERSON = {"perpetrators": "Perpetrator", "children": "Child"}


def change_label(path: str, labels: dict[str, str]) -> str:
    """A changed path as the page names it: 'Perpetrator 1: last name', 'DASH question 7'."""
    if path in labels or path in DERIVED_LABELS:
        return labels.get(path) or DERIVED_LABELS[path]
    listed = _LISTED.match(path)
    if listed:
        group, index, name = listed.groups()
        return f"{_PERSON[group]} {int(index) + 1}: {name.replace('_', ' ')}"
    if path.startswith("risk.dash_comments."):
        return f"Comment on DASH question {path.rsplit('.', 1)[-1]}"
    if path.startswith("risk.dash."):
        return f"DASH question {path.rsplit('.', 1)[-1]}"
    return path.replace("_", " ").capitalize()
