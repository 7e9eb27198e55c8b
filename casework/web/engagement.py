"""The page an IDVA (or the panel's coordinator or chair) uses to record whether the victim
was offered an IDVA and engaged. Until now only the API could, so the dashboard's IDVA
engagement stayed at 0. The page calls ``engagement.record_engagement``, the API's action,
so both answer the same 403/404 and write the same audit entry."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for

from casework.errors import Invalid
from casework.home_tasks import CHOICES, engagement_form
from casework.http import current_actor, services
from casework.referrals.engagement import record_engagement
from casework.routes import policy, signed_in
from casework.web.blueprint import blueprint
from casework.web.forms import error_list

FIELD = "engagement"
OPTIONS = [
    ("offered", "Offered an IDVA, not yet engaged"),
    ("engaged", "Engaged with the IDVA"),
    ("declined", "Offered an IDVA and declined"),
    ("unable", "Unable to contact, so not offered"),
]


def _page(referral_id: str, chosen: str | None, errors: dict[str, list[str]]) -> Any:
    view = engagement_form(services(), current_actor(), referral_id)
    page = render_template(
        "engagement/record.html",
        view=view,
        chosen=chosen if chosen is not None else view["choice"],
        options=OPTIONS,
        errors=errors,
        error_items=error_list(errors),
    )
    return (page, 422) if errors else page


@blueprint.get("/referrals/<referral_id>/engagement")
@signed_in
@policy("referral")
def engagement_page(referral_id: str) -> Any:
    return _page(referral_id, None, {})


@blueprint.post("/referrals/<referral_id>/engagement")
@signed_in
@policy("referral")
def engagement_save(referral_id: str) -> Any:
    chosen = request.form.get(FIELD, "")
    if chosen not in CHOICES:
        errors = {FIELD: ["Select whether the victim was offered an IDVA and engaged"]}
        return _page(referral_id, chosen or None, errors)
    offered, engaged = CHOICES[chosen]
    try:
        record_engagement(
            services(), current_actor(), referral_id, {"offered": offered, "engaged": engaged}
        )
    except Invalid as exc:
        return _page(referral_id, chosen, {FIELD: [m for ms in exc.fields.values() for m in ms]})
    flash("IDVA engagement recorded", "success")
    return redirect(url_for("web.home"))
