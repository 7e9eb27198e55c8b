"""Offender-panel pages: targeting and outcomes.

* ``/offenders/targeting``: the coordinator's or chair's panels and meetings (analysts: the
  panels whose figures they may count);
* ``/offenders/panels/<id>/candidates``: the ranked candidates from the targeting matrix;
* ``/offenders/panels/<id>/reviews``: PPO classification reviews, overdue ones flagged;
* ``/meetings/<id>/offenders``: a meeting's candidates (select or reject, with the reason)
  and reviews (R&R or C&C, with the reason);
* ``/offenders/nominals/<id>/outcomes``: one nominal's offending before and after entry and
  their classification history;
* ``/offenders/panels/<id>/figures`` (+ ``.csv``/``.xlsx``): the cohort figures, counts only.

Views parse, call an action and render; every personal field shown comes through the
sharing engine in the actions (a person the reader's agency may not see is left out).
"""

from __future__ import annotations

from typing import Any

from flask import flash, g, redirect, render_template, request, url_for
from sqlalchemy.exc import SQLAlchemyError

from casework import clock
from casework.api.offender_stats import figures_download
from casework.dates import long_date
from casework.errors import Invalid, NotVisible
from casework.http import current_actor, services
from casework.offenders import agenda, classification, outcomes, targeting
from casework.offenders.models import CLASSIFICATIONS, COHORTS
from casework.referrals.repeat import minus_months
from casework.roles import MANAGERS, STATS_ROLES
from casework.routes import policy, signed_in
from casework.web.blueprint import blueprint

POLICY = ("nominal", "youth_record")
DATES = {"from": "start date", "to": "end date"}
PARTS = ("day", "month", "year")


@blueprint.get("/offenders/targeting")
@signed_in
@policy()
def targeting_home() -> Any:
    svc, actor = services(), current_actor()
    panels = outcomes.countable_panels(svc, actor)
    meetings = agenda.offender_meetings(svc, actor) if actor.has_any(*MANAGERS) else []
    return render_template(
        "offender_panels/home.html",
        title="Targeting and outcomes",
        panels=panels,
        meetings=meetings,
        today=clock.today(),
    )


@blueprint.get("/offenders/panels/<panel_id>/candidates")
@signed_in
@policy(*POLICY)
def targeting_candidates(panel_id: str) -> Any:
    data = targeting.candidate_list(services(), current_actor(), panel_id)
    return render_template(
        "offender_panels/candidates.html", title=f"Candidates: {data['panel'].name}", **data
    )


@blueprint.get("/offenders/panels/<panel_id>/reviews")
@signed_in
@policy(*POLICY)
def targeting_reviews(panel_id: str) -> Any:
    data = classification.review_list(services(), current_actor(), panel_id)
    return render_template(
        "offender_panels/reviews.html",
        title=f"Classification reviews: {data['panel'].name}",
        **data,
    )


def _meeting_page(
    meeting_id: str,
    errors: dict[str, list[str]] | None = None,
    target: str | None = None,
    typed: dict[str, str] | None = None,
) -> Any:
    """The meeting's offender items; ``target`` names the item whose form had ``errors``."""
    data = agenda.meeting_offender_items(services(), current_actor(), meeting_id)
    errors = errors or {}
    items = [
        {"text": messages[0], "href": f"#{name}-{target}"}
        for name, messages in errors.items()
        if messages
    ]
    html = render_template(
        "offender_panels/meeting.html",
        title=f"Offenders at the meeting of {long_date(data['day'])}",
        field_errors={name: {"text": messages[0]} for name, messages in errors.items() if messages},
        target=target,
        typed=typed or {},
        error_items=items,
        cohorts=COHORTS,
        classifications=CLASSIFICATIONS,
        **data,
    )
    return (html, 422) if errors else html


@blueprint.get("/meetings/<meeting_id>/offenders")
@signed_in
@policy(*POLICY)
def targeting_meeting(meeting_id: str) -> Any:
    return _meeting_page(meeting_id)


def _back(meeting_id: str) -> Any:
    return redirect(url_for("web.targeting_meeting", meeting_id=meeting_id))


def _form_errors(exc: Invalid, known: tuple[str, ...]) -> dict[str, list[str]]:
    """Errors keyed by a field of the form (anything else is shown on the first field)."""
    out: dict[str, list[str]] = {}
    for name, messages in (exc.fields or {"_schema": [exc.message]}).items():
        out.setdefault(name if name in known else known[0], []).extend(messages)
    return out


@blueprint.post("/meetings/<meeting_id>/offenders/add")
@signed_in
@policy(*POLICY)
def targeting_meeting_add(meeting_id: str) -> Any:
    try:
        added = agenda.add_offender_items(services(), current_actor(), meeting_id)
    except Invalid as exc:
        flash(exc.fields.get("_schema", [exc.message])[0], "info")
        return _back(meeting_id)
    flash(f"{len(added)} added to the agenda" if added else "Nothing new to add", "success")
    return _back(meeting_id)


@blueprint.post("/meetings/<meeting_id>/offenders/<nominal_id>/decision")
@signed_in
@policy(*POLICY)
def targeting_decision(meeting_id: str, nominal_id: str) -> Any:
    typed = {k: request.form.get(k, "") for k in ("decision", "reason", "cohort")}
    body = {k: v for k, v in typed.items() if v.strip()}
    try:
        targeting.decide_candidate(services(), current_actor(), meeting_id, nominal_id, body)
    except Invalid as exc:
        errors = _form_errors(exc, ("decision", "reason", "cohort"))
        return _meeting_page(meeting_id, errors, nominal_id, typed)
    selected = body["decision"] == "selected"
    flash("Selected: entered in the cohort" if selected else "Rejected", "success")
    return _back(meeting_id)


@blueprint.post("/meetings/<meeting_id>/offenders/<nominal_id>/classification")
@signed_in
@policy(*POLICY)
def targeting_reclassify(meeting_id: str, nominal_id: str) -> Any:
    typed = {k: request.form.get(k, "") for k in ("classification", "reason")}
    try:
        classification.reclassify(
            services(),
            current_actor(),
            nominal_id,
            meeting_id,
            typed["classification"].strip() or None,
            typed["reason"],
        )
    except Invalid as exc:
        errors = _form_errors(exc, ("classification", "reason"))
        return _meeting_page(meeting_id, errors, nominal_id, typed)
    flash("Classification recorded", "success")
    return _back(meeting_id)


@blueprint.get("/offenders/nominals/<nominal_id>/outcomes")
@signed_in
@policy(*POLICY)
def offender_outcomes(nominal_id: str) -> Any:
    svc, actor = services(), current_actor()
    data = outcomes.nominal_outcomes(svc, actor, nominal_id)
    story = classification.history(svc, actor, nominal_id)
    return render_template(
        "offender_panels/outcomes.html",
        title=f"Outcomes: {data['name']}" if data["name"] else "Outcomes",
        data=data,
        story=story,
    )


def _figure_query(panel_id: str) -> tuple[dict[str, str], dict[str, str]]:
    """(what the date boxes show, the action's query); no dates: the last 12 months."""
    values = {f"{d}-{p}": request.args.get(f"{d}-{p}", "").strip() for d in DATES for p in PARTS}
    if not any(values.values()):
        today = clock.today()
        for name, day in (("from", minus_months(today, 12)), ("to", today)):
            values.update({f"{name}-day": str(day.day), f"{name}-month": str(day.month)})
            values[f"{name}-year"] = str(day.year)
    query = {"panel_id": panel_id}
    for name in DATES:
        day, month, year = (values[f"{name}-{p}"] for p in PARTS)
        if day or month or year:
            query[name] = f"{year}-{month:0>2}-{day:0>2}"
    return values, query


def _figure_errors(exc: Invalid) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name, label in DATES.items():
        key = "from" if name == "from" else "to"
        if exc.fields.get(key) or exc.fields.get(f"{key}_"):
            messages = exc.fields.get(key) or exc.fields[f"{key}_"]
            if messages[0].startswith("Missing"):
                errors[name] = [f"Enter the {label}"]
            elif "after the start" in messages[0]:
                errors[name] = ["The end date must be on or after the start date"]
            else:
                errors[name] = [f"The {label} must be a real date"]
    if not errors:
        raise NotVisible()  # the panel itself was refused
    return errors


@blueprint.get("/offenders/panels/<panel_id>/figures")
@signed_in
@policy()
def targeting_figures(panel_id: str) -> Any:
    svc, actor = services(), current_actor()
    panel = next((p for p in outcomes.countable_panels(svc, actor) if str(p.id) == panel_id), None)
    if panel is None:
        raise NotVisible()
    values, query = _figure_query(panel_id)
    figures, errors = None, {}
    try:
        _, figures = outcomes.offender_stats(svc, actor, query)
    except Invalid as exc:
        errors = _figure_errors(exc)
    html = render_template(
        "offender_panels/figures.html",
        title=f"Cohort figures: {panel.name}",
        panel=panel,
        values=values,
        figures=figures,
        errors=errors,
        error_items=[{"text": m[0], "href": f"#{n}"} for n, m in errors.items()],
        download_args={k: v for k, v in values.items() if v},
    )
    return (html, 422) if errors else html


@blueprint.get("/offenders/panels/<panel_id>/figures.<fmt>")
@signed_in
@policy()
def targeting_figures_download(panel_id: str, fmt: str) -> Any:
    if fmt not in ("csv", "xlsx"):
        raise NotVisible()
    _, query = _figure_query(panel_id)
    query["format"] = fmt
    if request.args.get("publication") == "true":
        query["publication"] = "true"
    q, figures = outcomes.offender_stats(services(), current_actor(), query)
    return figures_download(figures, fmt, q["publication"], q["to"])


@blueprint.app_context_processor
def _targeting_navigation() -> dict[str, Any]:
    def targeting_nav() -> bool:
        """Offer "Targeting and outcomes" to coordinators, chairs and analysts who may count
        at least one offender panel."""
        actor = g.get("actor")
        if actor is None or not actor.has_any(*STATS_ROLES):
            return False
        try:
            return bool(outcomes.countable_panels(services(), actor))
        except SQLAlchemyError:
            return False  # an error page must still render while the database is unwell

    return {"targeting_nav": targeting_nav}
