"""Referral pages: the list (with the user's own drafts), one referral, the confirmation after
sending, and starting a new referral.

Lists and pages read only through ``referral_page`` and ``get_referral``, so they show exactly
what the sharing engine grants: a section the reader's agency may not see is left out, and a
referral it may not see at all is "Page not found", as if it did not exist.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import redirect, render_template, request, url_for

from casework import clock
from casework.dates import long_date
from casework.errors import Invalid
from casework.http import current_actor, services
from casework.panels import kinds as panel_kinds
from casework.panels.actions import list_panels
from casework.referrals import draft_form as form
from casework.referrals import drafts
from casework.referrals.actions import get_referral, referral_page
from casework.referrals.amend_form import may_amend
from casework.referrals.models import STATUSES
from casework.risk.dash import QUESTIONS, RiskRules
from casework.roles import MANAGERS, REFERRERS
from casework.routes import policy, signed_in
from casework.safety_plans.actions import may_see_plan
from casework.web.blueprint import blueprint
from casework.web.referral_errors import (
    BANDS,
    GENDERS,
    STATUS_NAMES,
    criteria_text,
    friendly,
    summary_items,
)
from casework.web.referral_form import section_url

DATE_FILTERS = ("from", "to")
PARTS = ("day", "month", "year")


@blueprint.app_template_filter("day_month_year")
def day_month_year(value: str | date | None) -> str:
    """An ISO date as GOV.UK writes dates: 2 November 2026."""
    return long_date(value)


def _words() -> dict[str, Any]:
    rules = RiskRules.from_settings(services().settings)
    return {
        "criteria_text": criteria_text(rules),
        "genders": GENDERS,
        "bands": BANDS,
        "status_names": STATUS_NAMES,
    }


def _query() -> dict[str, str]:
    """The filters as typed, for the form and for links; anything else in the URL is ignored."""
    names = ["panel_id", "status", *(f"{d}-{p}" for d in DATE_FILTERS for p in PARTS)]
    return {n: v for n in names if (v := request.args.get(n, "").strip())}


def _filters(query: dict[str, str]) -> dict[str, str]:
    filters = {k: query[k] for k in ("panel_id", "status") if k in query}
    for name in DATE_FILTERS:
        day, month, year = (query.get(f"{name}-{p}", "") for p in PARTS)
        if day or month or year:
            filters[name] = f"{year}-{month:0>2}-{day:0>2}"
    return filters


# Referrals a page of the list shows.
PAGE_SIZE = 50


def _page_of(filters: dict[str, Any], page: int) -> dict[str, Any]:
    return {**filters, "limit": PAGE_SIZE, "offset": (page - 1) * PAGE_SIZE}


def _pagination(query: dict[str, str], page: int, more: bool) -> dict[str, Any] | None:
    """Previous and next links keeping the filters (GOV.UK pagination, no page count: counting
    every referral the caller may see would cost as much as the page itself)."""
    if page == 1 and not more:
        return None

    def href(number: int) -> str:
        return url_for("web.referral_list", **query, page=number)

    return {
        "previous": {"href": href(page - 1)} if page > 1 else None,
        "next": {"href": href(page + 1)} if more else None,
        "landmarkLabel": "Pages of referrals",
    }


# What the list shows of each referral beside its header (``templates/referrals/list.html``):
# only these are decrypted and audited as shown.
LIST_COLUMNS = frozenset(
    {"victim.first_name", "victim.last_name", "risk.dash_score", "risk.band", "repeat.is_repeat"}
)


@blueprint.get("/referrals")
@signed_in
@policy("referral")
def referral_list() -> Any:
    svc, actor = services(), current_actor()
    query = _query()
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    errors: dict[str, list[str]] = {}
    more = False
    try:
        rows, more = referral_page(svc, actor, _page_of(_filters(query), page), LIST_COLUMNS)
    except Invalid as exc:
        rows, errors = [], exc.fields
    if errors:
        errors = {
            k: [m.replace("Not a valid date.", "Enter a real date") for m in v]
            for k, v in errors.items()
        }
    own_drafts = drafts.list_drafts(svc, actor)
    taking = panel_kinds.disclosing("referral")  # the kinds whose panels hear referrals
    panels = [p for p in list_panels(svc, actor) if p.kind in taking]
    html = render_template(
        "referrals/list.html",
        title="Referrals",
        rows=rows,
        drafts=[
            {
                "draft": d,
                "victim": d.victim_name(),
                "completed": sum(form.completed(d.panel_id, d.content).values()),
            }
            for d in own_drafts
        ],
        sections=len(form.SECTIONS),
        panels=panels,
        panel_names={str(p.id): p.name for p in panels},
        statuses=STATUSES,
        values=query,
        pagination=_pagination(query, page, more),
        errors=errors,
        error_items=summary_items(errors),
        can_refer=actor.has_any(*REFERRERS),
        **_words(),
    )
    return (html, 422) if errors else html


@blueprint.route("/referrals/new", methods=["GET", "POST"])
@signed_in
@policy("referral")
def referral_new() -> Any:
    """Choose the MARAC, then the form starts as a draft only this user can open."""
    svc, actor = services(), current_actor()
    panels = drafts.marac_panels(svc, actor)
    errors: dict[str, list[str]] = {}
    chosen = request.form.get("panel_id", "")
    if request.method == "POST":
        try:
            draft = drafts.start_draft(svc, actor, chosen, clock.today())
        except Invalid as exc:
            errors = friendly(exc.fields)
        else:
            return redirect(section_url(draft.id, "victim"))
    if not chosen and len(panels) == 1:
        chosen = str(panels[0].id)
    html = render_template(
        "referrals/new.html",
        title="Make a MARAC referral",
        panels=panels,
        chosen=chosen,
        errors=errors,
        error_items=summary_items(errors),
    )
    return (html, 422) if errors else html


@blueprint.get("/referrals/<referral_id>")
@signed_in
@policy("referral", "safety_plan")
def referral_detail(referral_id: str) -> Any:
    actor = current_actor()
    referral = get_referral(services(), actor, referral_id)
    return render_template(
        "referrals/detail.html",
        title=f"Referral {referral['reference']}",
        r=referral,
        questions=QUESTIONS,
        can_manage=actor.has_any(*MANAGERS),
        can_amend=may_amend(services(), actor, referral["id"]),
        can_plan=may_see_plan(services(), actor, referral["id"]),
        can_see_viewers=actor.has_any("coordinator") and actor.has_any(*MANAGERS),
        **_words(),
    )


@blueprint.get("/referrals/<referral_id>/confirmation")
@signed_in
@policy("referral")
def referral_confirmation(referral_id: str) -> Any:
    """After sending: the reference, the score and band, the criteria met and whether it is a
    repeat. Only the referral's id is in the address; the rest comes through the sharing
    engine like any other read."""
    referral = get_referral(services(), current_actor(), referral_id)
    return render_template(
        "referrals/confirmation.html",
        title="Referral sent",
        r=referral,
        detail_url=url_for("web.referral_detail", referral_id=referral["id"]),
        **_words(),
    )
