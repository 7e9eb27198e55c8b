"""The data protection officer's retention page: the review list, legal holds, erasure.

One page, three forms (erase a batch, place a hold, lift a hold), each posting to its own URL
and coming back to the page; a form with a problem shows the page again with a GOV.UK error
summary and what was typed. Every URL answers 404 to any role but ``dpo`` (the actions
decide: ``casework.retention.actions.dpo_only``).
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for

from casework.dates import long_date
from casework.errors import Invalid
from casework.http import current_actor, services
from casework.retention.actions import erase, lift_hold, place_hold, review
from casework.routes import policy, signed_in
from casework.web.blueprint import blueprint
from casework.web.forms import error_list, form_data


def _page(errors: dict[str, list[str]] | None = None, values: dict[str, Any] | None = None) -> Any:
    errors = errors or {}
    page = render_template(
        "retention/review.html",
        view=review(services(), current_actor()),
        errors=errors,
        error_items=error_list(errors),
        values=values or {},
        long_date=long_date,
    )
    return (page, 422) if errors else page


# policy(): the DPO is shown references, panels, dates and statuses, never a case field, and no
# sharing protocol grants `dpo` one.
@blueprint.get("/retention")
@signed_in
@policy()
def retention_page() -> Any:
    return _page()


@blueprint.post("/retention/erase")
@signed_in
@policy()
def retention_erase() -> Any:
    data = form_data(lists=("records",), booleans=("confirm",))
    try:
        done = erase(services(), current_actor(), data)
    except Invalid as exc:
        return _page(exc.fields, {**data, "form": "erase"})
    flash(f"{len(done)} record{'s' if len(done) != 1 else ''} erased", "success")
    return redirect(url_for("web.retention_page"))


@blueprint.post("/retention/holds")
@signed_in
@policy()
def retention_hold() -> Any:
    data = form_data()
    try:
        place_hold(services(), current_actor(), data)
    except Invalid as exc:
        return _page(exc.fields, {**data, "form": "hold"})
    flash(f"Legal hold placed on {data.get('reference', '').upper() or 'the referral'}", "success")
    return redirect(url_for("web.retention_page"))


@blueprint.post("/retention/holds/<hold_id>/lift")
@signed_in
@policy()
def retention_lift(hold_id: str) -> Any:
    lift_hold(services(), current_actor(), hold_id)
    flash("Legal hold lifted", "success")
    return redirect(url_for("web.retention_page", _anchor="holds"))
