"""ASB case pages: log a Community Trigger application and record its decision; record an
intervention against a perpetrator, a breach of it and how it ended.

Each page is a form over the same action the API calls, so the rules, the sharing check
(404 for a case the reader cannot see, 403 for one they may see but not change) and the
audit are the API's. Errors are shown GOV.UK style with what was typed kept; dates are
GOV.UK's three boxes (``casework.web.forms.date_from_parts``). On success the reader goes
back to the case's page (``web.asb_case``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from werkzeug.routing import BuildError

from casework.asb import interventions, triggers
from casework.asb.enforcement_access import may_record
from casework.asb.models import (
    INTERVENTION_NAMES,
    INTERVENTION_OUTCOMES,
    INTERVENTION_TYPES,
    TRIGGER_DECISIONS,
)
from casework.asb.policies import RECORD_TYPE
from casework.dates import long_date
from casework.errors import Conflict, Invalid
from casework.http import current_actor, services
from casework.routes import policy, signed_in
from casework.web import offender_forms as shared
from casework.web.blueprint import blueprint
from casework.web.forms import date_from_parts, form_data

Field, Form, day = shared.Field, shared.Form, shared.day
LABELS = {
    **INTERVENTION_NAMES,
    "complied": "Complied",
    "breached": "Breached",
    "ended": "Ended",
    "revoked": "Revoked",
    "no_further_action": "No further action",
    "recommendations_made": "Recommendations made",
    "received": "Received",
    "threshold_not_met": "Threshold not met",
    "review": "Case review under way",
    "decided": "Decided",
}


def label(code: str | None) -> str:
    return shared.name_of(code, LABELS)


def _choices(codes: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    return shared.options(codes, label)


@blueprint.app_context_processor
def _enforcement_helpers() -> dict[str, Any]:
    def asb_may_record(case_id: Any) -> frozenset[str]:
        """What the case page offers its reader to record (asked of the engine)."""
        return may_record(services(), current_actor(), case_id)

    return {
        "asb_label": label,
        "asb_may_record": asb_may_record,
        "asb_date": long_date,
    }


TRIGGER_FORM = Form(
    "Log a Community Trigger application",
    (
        day("received_on", "Date the application was received"),
        Field(
            "applicant",
            "Applicant, if not the victim",
            hint="For example, a relative, a carer, a councillor or an MP",
            optional=True,
        ),
        Field(
            "complaints_counted",
            "Complaints about the behaviour in the threshold's window",
            hint="Leave blank to count the incidents recorded on this case",
            optional=True,
        ),
    ),
    button="Log application",
    done="Community Trigger application logged",
)


def _decision_form(meetings: list[tuple[str, Any]]) -> Form:
    heard = (("", "Not heard at a meeting"), *((m, long_date(d)) for m, d in meetings))
    return Form(
        "Record the case review's decision",
        (
            Field("decision", "Decision", "radios", _choices(TRIGGER_DECISIONS)),
            day("decided_on", "Date decided"),
            Field(
                "meeting_id",
                "Meeting the case was heard at",
                "select",
                heard,
                hint="Meetings of this panel with the case on the agenda",
                optional=True,
            ),
            Field("recommendations", "Recommendations", "textarea", optional=True),
            day("letter_sent_on", "Date the decision letter was sent", optional=True),
            Field("letter_summary", "What the letter said", "textarea", optional=True),
        ),
        button="Record decision",
        done="Decision recorded",
    )


def _intervention_form(agencies: list[tuple[str, str]]) -> Form:
    return Form(
        "Record an intervention",
        (
            shared.intervention_kind(_choices(INTERVENTION_TYPES)),
            Field(
                "agency", "Agency that issued it", "select", (("", "Choose an agency"), *agencies)
            ),
            day("issued_on", "Date issued"),
            day("ends_on", "Date it ends", optional=True),
            Field("notes", "Notes", "textarea", optional=True),
        ),
        button="Record intervention",
        done="Intervention recorded",
    )


BREACH_FORM = Form(
    "Record a breach",
    (
        day("occurred_on", "Date of the breach"),
        Field("action_taken", "Action taken", "textarea", optional=True),
    ),
    button="Record breach",
    done="Breach recorded",
)
OUTCOME_FORM = Form(
    "Record how the intervention ended",
    (
        Field("outcome", "Outcome", "radios", _choices(INTERVENTION_OUTCOMES)),
        day("outcome_on", "Date"),
    ),
    button="Record outcome",
    done="Outcome recorded",
)


def case_page(case_id: str) -> str:
    """The case's page; its address is the case pages' (``casework.web.asb``)."""
    try:
        return url_for("web.asb_case", case_id=case_id)
    except BuildError:  # the case pages are registered by their own module
        return f"/asb/cases/{case_id}"


def _typed(form: Form) -> tuple[dict[str, Any], dict[str, Any]]:
    """What was typed (to show back) and the body for the action (dates joined)."""
    values = {k: v.strip() for k, v in request.form.items() if k != "csrf_token"}
    body = form_data()
    for f in form.fields:
        if f.kind == "date":
            date_from_parts(body, f.name)
    return values, body


def _page(
    form: Form,
    context: dict[str, Any],
    write: Callable[[dict[str, Any]], Any],
    caption: str,
) -> Any:
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        values, body = _typed(form)
        try:
            write(body)
        except (Invalid, Conflict) as exc:  # a decided review: said on the page, as a 422
            errors = shared.friendly(form, exc.fields or {"_schema": [exc.message]})
        else:
            flash(form.done, "success")
            return redirect(case_page(context["case_id"]))
    html = render_template(
        "asb/intervention_form.html",
        title=form.title,
        form=form,
        caption=caption,
        values=values,
        errors=errors,
        error_items=shared.summary(form, errors),
        back=case_page(context["case_id"]),
        notes=context.get("notes", ()),
    )
    return (html, 422) if errors else html


@blueprint.route("/asb/cases/<case_id>/community-triggers/new", methods=["GET", "POST"])
@signed_in
@policy(RECORD_TYPE)
def asb_trigger_new(case_id: str) -> Any:
    svc, actor = services(), current_actor()
    context = triggers.trigger_form(svc, actor, case_id)
    return _page(
        TRIGGER_FORM,
        context,
        lambda body: triggers.record_trigger(svc, actor, case_id, body),
        f"Case {context['reference']}",
    )


@blueprint.route(
    "/asb/cases/<case_id>/community-triggers/<trigger_id>/decision", methods=["GET", "POST"]
)
@signed_in
@policy(RECORD_TYPE)
def asb_trigger_decide(case_id: str, trigger_id: str) -> Any:
    svc, actor = services(), current_actor()
    context = triggers.trigger_form(svc, actor, case_id, trigger_id)
    got = context["trigger"]
    context["notes"] = (
        f"Application received {long_date(got['received_on'])}; "
        f"decision due by {long_date(got['decision_due_on'])}.",
    )
    return _page(
        _decision_form(context["meetings"]),
        context,
        lambda body: triggers.decide_trigger(svc, actor, case_id, trigger_id, body),
        f"Case {context['reference']}",
    )


@blueprint.route(
    "/asb/cases/<case_id>/perpetrators/<perpetrator_id>/interventions/new",
    methods=["GET", "POST"],
)
@signed_in
@policy(RECORD_TYPE)
def asb_intervention_new(case_id: str, perpetrator_id: str) -> Any:
    svc, actor = services(), current_actor()
    context = interventions.ladder_form(svc, actor, case_id, perpetrator_id)
    return _page(
        _intervention_form(context["agencies"]),
        context,
        lambda body: interventions.record_intervention(svc, actor, case_id, perpetrator_id, body),
        f"Case {context['reference']}, perpetrator {context['position']}",
    )


def _on_intervention(context: dict[str, Any]) -> str:
    done = context["intervention"]
    return (
        f"Case {context['reference']}, perpetrator {context['position']}: "
        f"{label(done['kind']).lower()} issued {long_date(done['issued_on'])}"
    )


@blueprint.route(
    "/asb/cases/<case_id>/perpetrators/<perpetrator_id>/interventions/<intervention_id>/breach",
    methods=["GET", "POST"],
)
@signed_in
@policy(RECORD_TYPE)
def asb_breach_new(case_id: str, perpetrator_id: str, intervention_id: str) -> Any:
    svc, actor = services(), current_actor()
    context = interventions.ladder_form(svc, actor, case_id, perpetrator_id, intervention_id)
    return _page(
        BREACH_FORM,
        context,
        lambda body: interventions.record_breach(
            svc, actor, case_id, perpetrator_id, intervention_id, body
        ),
        _on_intervention(context),
    )


@blueprint.route(
    "/asb/cases/<case_id>/perpetrators/<perpetrator_id>/interventions/<intervention_id>/outcome",
    methods=["GET", "POST"],
)
@signed_in
@policy(RECORD_TYPE)
def asb_outcome(case_id: str, perpetrator_id: str, intervention_id: str) -> Any:
    svc, actor = services(), current_actor()
    context = interventions.ladder_form(svc, actor, case_id, perpetrator_id, intervention_id)
    return _page(
        OUTCOME_FORM,
        context,
        lambda body: interventions.record_outcome(
            svc, actor, case_id, perpetrator_id, intervention_id, body
        ),
        _on_intervention(context),
    )
