"""The safety plan page: the IDVA service and the panel's coordinator keep the case's plan.

Risks are typed one per line in a text area; measures are rows of what, who and status,
with a button that adds a blank row (no script needed). Everything typed comes back with
the errors when the plan is refused. The page calls the API's actions, so both answer the
same 403/404 and write the same audit entries.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from flask import flash, redirect, render_template, request, url_for

from casework.errors import Invalid
from casework.http import current_actor, services
from casework.routes import policy, signed_in
from casework.safety_plans.actions import get_safety_plan, save_safety_plan
from casework.safety_plans.schemas import MEASURE_STATUSES, STATUS_NAMES
from casework.web.blueprint import blueprint
from casework.web.forms import date_from_parts, error_list

BLANK_ROWS = 1
MAX_ROWS = 40
_MEASURE_KEY = re.compile(r"^measures\.(\d+)\.(\w+)$")


def _blank() -> dict[str, str]:
    return {"what": "", "who": "", "status": "planned"}


def _values_of(plan: dict[str, Any]) -> dict[str, Any]:
    """The form's values from a saved plan."""
    day = plan.get("review_date") or ""
    year, month, date_ = (day.split("-") + ["", "", ""])[:3] if day else ("", "", "")
    return {
        "risks": "\n".join(plan.get("risks") or []),
        "measures": [
            {"what": m["what"], "who": m.get("who") or "", "status": m["status"]}
            for m in plan.get("measures") or []
        ]
        + [_blank() for _ in range(BLANK_ROWS)],
        "review_date-day": date_.lstrip("0"),
        "review_date-month": month.lstrip("0"),
        "review_date-year": year,
    }


def _typed() -> dict[str, Any]:
    """What was typed, exactly, to show again."""
    count = min(request.form.get("rows", 0, type=int), MAX_ROWS)
    rows = [
        {
            "what": request.form.get(f"measures-{i}-what", ""),
            "who": request.form.get(f"measures-{i}-who", ""),
            "status": request.form.get(f"measures-{i}-status", "planned"),
        }
        for i in range(count)
    ]
    values: dict[str, Any] = {"risks": request.form.get("risks", ""), "measures": rows}
    for part in ("day", "month", "year"):
        values[f"review_date-{part}"] = request.form.get(f"review_date-{part}", "").strip()
    return values


def _body(values: dict[str, Any]) -> tuple[dict[str, Any], list[int]]:
    """The action's input, and for each measure sent the form row it came from (blank rows
    are left out, so an error on the 2nd measure sent may belong to the 3rd row)."""
    risks = [line.strip() for line in values["risks"].splitlines() if line.strip()]
    measures, rows = [], []
    for i, row in enumerate(values["measures"]):
        if not (row["what"].strip() or row["who"].strip()):
            continue
        measure = {"what": row["what"], "status": row["status"]}
        if row["who"].strip():
            measure["who"] = row["who"]
        measures.append(measure)
        rows.append(i)
    body: dict[str, Any] = {"risks": risks, "measures": measures}
    parts = {k: values[k] for k in values if k.startswith("review_date-")}
    date_from_parts(parts, "review_date")
    body["review_date"] = parts.get("review_date")
    return body, rows


def _errors_on_rows(fields: dict[str, list[str]], rows: list[int]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, messages in fields.items():
        match = _MEASURE_KEY.match(key)
        if match and int(match.group(1)) < len(rows):
            key = f"measures.{rows[int(match.group(1))]}.{match.group(2)}"
        elif key.startswith("risks."):
            key = "risks"
        out.setdefault(key, []).extend(messages)
    return out


def _page(plan: dict[str, Any], values: dict[str, Any], errors: dict[str, list[str]]) -> Any:
    items = error_list(errors)
    for item in items:
        if item["href"] == "#review_date":
            item["href"] = "#review_date-day"
    page = render_template(
        "safety_plans/plan.html",
        plan=plan,
        updated_at=datetime.fromisoformat(plan["updated_at"]) if plan.get("updated_at") else None,
        values=values,
        errors=errors,
        error_items=items,
        statuses=[(s, STATUS_NAMES[s]) for s in MEASURE_STATUSES],
        status_names=STATUS_NAMES,
    )
    return (page, 422) if errors else page


@blueprint.get("/referrals/<referral_id>/safety-plan")
@signed_in
@policy("referral", "safety_plan")
def safety_plan_page(referral_id: str) -> Any:
    plan = get_safety_plan(services(), current_actor(), referral_id)
    return _page(plan, _values_of(plan), {})


@blueprint.post("/referrals/<referral_id>/safety-plan")
@signed_in
@policy("referral", "safety_plan")
def safety_plan_save(referral_id: str) -> Any:
    svc, actor = services(), current_actor()
    values = _typed()
    if "add_measure" in request.form:
        plan = get_safety_plan(svc, actor, referral_id)
        if len(values["measures"]) < MAX_ROWS:
            values["measures"].append(_blank())
        return _page(plan, values, {})
    body, rows = _body(values)
    try:
        save_safety_plan(svc, actor, referral_id, body)
    except Invalid as exc:
        svc.session.rollback()
        plan = get_safety_plan(svc, actor, referral_id)
        return _page(plan, values, _errors_on_rows(exc.fields, rows))
    flash("Safety plan saved", "success")
    return redirect(url_for("web.safety_plan_page", referral_id=referral_id))
