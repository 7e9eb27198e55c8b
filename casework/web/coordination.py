"""The coordinator's pages: managing a referral's status and IDVA, and the review queue of
possible matches.

A button pressed on a stale page (someone else already moved the referral or decided the
match) is not a form error: the page is reloaded with a banner saying what happened, so the
coordinator sees the current state rather than a form that no longer applies.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, g, redirect, render_template, url_for
from sqlalchemy.exc import SQLAlchemyError

from casework.dates import long_date
from casework.errors import Invalid
from casework.http import current_actor, services
from casework.referrals import lifecycle, matches
from casework.roles import MANAGERS
from casework.routes import policy, signed_in
from casework.web.blueprint import blueprint
from casework.web.forms import error_list, form_data

STATUS_NAMES = {
    "submitted": "Submitted",
    "accepted": "Accepted",
    "listed": "Listed on an agenda",
    "heard": "Heard",
    "closed": "Closed",
    "withdrawn": "Withdrawn",
}
STALE = ("invalid_transition", "already_decided")


@blueprint.app_context_processor
def _navigation() -> dict[str, Callable[[], int | None]]:
    def pending_matches() -> int | None:
        """How many possible matches wait for this coordinator, for the navigation."""
        actor = g.get("actor")
        if actor is None or not actor.has_any(*MANAGERS):
            return None
        try:
            return matches.pending_match_count(services(), actor)
        except SQLAlchemyError:
            return None  # an error page must still render while the database is unwell

    return {"pending_matches": pending_matches}


def _manage_page(
    referral_id: str, errors: dict[str, list[str]] | None = None, values: dict | None = None
) -> Any:
    svc, actor = services(), current_actor()
    view = lifecycle.manage_view(svc, actor, referral_id)
    idvas = lifecycle.idva_choices(svc, actor) if view["may_assign"] else []
    page = render_template(
        "coordination/manage.html",
        view=view,
        referral=view["referral"],
        idvas=idvas,
        status_names=STATUS_NAMES,
        long_date=long_date,
        values=values or {},
        errors=errors or {},
        error_items=error_list(errors or {}),
    )
    return (page, 422) if errors else page


def _stale(exc: Invalid, target: str) -> Any:
    flash(exc.message, "important")
    return redirect(target)


@blueprint.get("/referrals/<referral_id>/manage")
@signed_in
@policy("referral")
def referral_manage(referral_id: str) -> Any:
    return _manage_page(referral_id)


def _lifecycle_change(
    referral_id: str,
    change: Callable[..., dict[str, Any]],
    done: str,
    data: dict[str, Any] | None = None,
    *,
    errors_on_page: bool = True,
) -> Any:
    """One button of the manage page: ``change`` (given ``data`` when the button posts a form)
    and back to the page saying ``done`` (``{reference}`` is the referral's). A stale page gets
    a banner; other refusals are the page's form errors, or raised when it has no form."""
    target = url_for("web.referral_manage", referral_id=referral_id)
    args = () if data is None else (data,)
    try:
        result = change(services(), current_actor(), referral_id, *args)
    except Invalid as exc:
        if exc.code in STALE:
            return _stale(exc, target)
        if not errors_on_page:
            raise
        return _manage_page(referral_id, exc.fields, data or {})
    flash(done.format(reference=result["reference"]), "success")
    return redirect(target)


@blueprint.post("/referrals/<referral_id>/manage/accept")
@signed_in
@policy("referral")
def referral_accept(referral_id: str) -> Any:
    return _lifecycle_change(
        referral_id,
        lifecycle.accept_referral,
        "Referral {reference} accepted",
        errors_on_page=False,
    )


@blueprint.post("/referrals/<referral_id>/manage/close")
@signed_in
@policy("referral")
def referral_close(referral_id: str) -> Any:
    return _lifecycle_change(
        referral_id, lifecycle.close_referral, "Referral {reference} closed", errors_on_page=False
    )


@blueprint.post("/referrals/<referral_id>/manage/withdraw")
@signed_in
@policy("referral")
def referral_withdraw(referral_id: str) -> Any:
    withdraw, done = lifecycle.withdraw_referral, "Referral {reference} withdrawn"
    return _lifecycle_change(referral_id, withdraw, done, form_data())


@blueprint.post("/referrals/<referral_id>/manage/assign-idva")
@signed_in
@policy("referral")
def referral_assign_idva(referral_id: str) -> Any:
    assign, done = lifecycle.assign_idva, "IDVA assigned to referral {reference}"
    return _lifecycle_change(referral_id, assign, done, form_data())


@blueprint.post("/referrals/<referral_id>/manage/unassign-idva")
@signed_in
@policy("referral")
def referral_unassign_idva(referral_id: str) -> Any:
    unassign, done = lifecycle.unassign_idva, "Referral {reference} no longer has an IDVA"
    return _lifecycle_change(referral_id, unassign, done)


@blueprint.get("/referrals/review")
@signed_in
@policy("referral")
def match_review() -> Any:
    items = matches.list_possible_matches(services(), current_actor())
    return render_template(
        "coordination/review.html",
        items=items,
        months=_months(),
        status_names=STATUS_NAMES,
        long_date=long_date,
    )


def _months() -> int:
    return int(services().settings.get("REPEAT_MONTHS", 12))


def _outcome(result: dict[str, Any]) -> str:
    state = result["new_state"]
    reference = state["reference"]
    repeat = state.get("repeat") or {}
    if repeat.get("is_repeat"):
        previous = long_date(repeat.get("previous_referral_date"))
        return f"Match confirmed. Referral {reference} is a repeat (previous referral {previous})"
    return (
        f"Match confirmed. Referral {reference} is not a repeat: the earlier referral is more "
        f"than {_months()} months before it, or has been withdrawn"
    )


@blueprint.post("/referrals/review/<match_id>/confirm")
@signed_in
@policy("referral")
def match_confirm(match_id: str) -> Any:
    try:
        result = matches.confirm_match(services(), current_actor(), match_id)
    except Invalid as exc:
        if exc.code in STALE:
            return _stale(exc, url_for("web.match_review"))
        raise
    flash(_outcome(result), "success")
    return redirect(url_for("web.match_review"))


@blueprint.post("/referrals/review/<match_id>/reject")
@signed_in
@policy("referral")
def match_reject(match_id: str) -> Any:
    try:
        result = matches.reject_match(services(), current_actor(), match_id)
    except Invalid as exc:
        if exc.code in STALE:
            return _stale(exc, url_for("web.match_review"))
        raise
    reference = result["new_state"]["reference"]
    flash(f"Match rejected. Referral {reference} keeps its repeat flag as it was", "success")
    return redirect(url_for("web.match_review"))
