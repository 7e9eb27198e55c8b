"""Triage: a coordinator or chair accepts several waiting referrals in one go, gives each an
IDVA if they choose, and lists them at the next meeting or a chosen one.

The page gathers a form and calls ``cycle.accept_referrals``, the action behind
``POST /api/v1/referrals/accept``, so it is all or nothing in one transaction (a 422 answer
rolls the request back) and every change is audited by the single-referral actions it is
built from. Its errors name rows by index into the selection (``ids.N``); here they are
turned back into the rows they are about, so the page can show each against its referral
and keep what was ticked and chosen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, g, redirect, render_template, request, url_for
from sqlalchemy.exc import SQLAlchemyError

from casework.dates import date_at, long_date
from casework.errors import Invalid
from casework.http import current_actor, services
from casework.meetings import cycle, triage
from casework.roles import MANAGERS
from casework.routes import policy, signed_in
from casework.web.blueprint import blueprint
from casework.web.referral_errors import BANDS

# Errors that concern the selection as a whole, or a row the page no longer lists.
TABLE = "referrals"


@blueprint.app_context_processor
def _navigation() -> dict[str, Callable[[], int | None]]:
    def triage_waiting() -> int | None:
        """How many referrals wait for acceptance, for the home page's link."""
        actor = g.get("actor")
        if actor is None or not actor.has_any(*MANAGERS):
            return None
        try:
            return triage.waiting_count(services(), actor)
        except SQLAlchemyError:
            return None  # an error page must still render while the database is unwell

    return {"triage_waiting": triage_waiting}


def _submitted() -> dict[str, Any]:
    """The form as typed, kept to show again: ticked ids in page order, each row's IDVA."""
    ids = [v for v in request.form.getlist("ids") if v]
    return {
        "ids": ids,
        "idvas": {rid: request.form.get(f"idva-{rid}", "") for rid in ids},
        "list_at": request.form.get("list_at") or "none",
    }


def _form_errors(values: dict[str, Any]) -> dict[str, list[str]]:
    """What the page asks before the action: things only a form can get wrong."""
    errors: dict[str, list[str]] = {}
    if not values["ids"]:
        errors[TABLE] = ["Select the referrals to accept"]
    return errors


def _body(values: dict[str, Any]) -> dict[str, Any]:
    """The API's body for the same request (CONTRACT.md: POST /referrals/accept)."""
    place = values["list_at"]  # "none", "next" or a meeting's id, as the select offers
    body: dict[str, Any] = {"ids": values["ids"], "list_at": None if place == "none" else place}
    idvas = [values["idvas"].get(rid) or None for rid in values["ids"]]
    if any(idvas):
        body["idvas"] = idvas
    return body


def _on_page(fields: dict[str, list[str]], values: dict[str, Any]) -> dict[str, list[str]]:
    """The action's field names as the page's element ids: ``ids.N`` is the N-th ticked
    row's checkbox, ``idvas.N`` its IDVA; ``list_at`` is the meeting select."""
    ids = values["ids"]
    out: dict[str, list[str]] = {}
    for name, messages in fields.items():
        head, _, tail = name.partition(".")
        row = ids[int(tail)] if tail.isdigit() and int(tail) < len(ids) else None
        if head == "ids" and row:
            key = f"select-{row}"
        elif head == "idvas" and row:
            key = f"idva-{row}"
        elif head == "list_at":
            key = "list_at"
        else:  # the selection as a whole (ids, idvas, idva, _schema)
            key = TABLE
        out.setdefault(key, []).extend(messages)
    return out


def _anchor(key: str, shown: set[str]) -> str:
    """Where an error summary link goes: a row no longer waiting (someone else moved it
    meanwhile) is not on the page, so its message links to the table."""
    kind, _, row = key.partition("-")
    if kind in ("select", "idva") and row not in shown:
        return TABLE
    return key


def _page(errors: dict[str, list[str]] | None = None, values: dict[str, Any] | None = None) -> Any:
    view = triage.triage_view(services(), current_actor())
    errors = errors or {}
    shown = {str(row["id"]) for row in view["rows"]}
    items = [
        {"text": msgs[0], "href": f"#{_anchor(key, shown)}"} for key, msgs in errors.items() if msgs
    ]
    page = render_template(
        "coordination/triage.html",
        view=view,
        values=values or {"ids": [], "idvas": {}, "list_at": "none"},
        errors=errors,
        error_items=items,
        bands=BANDS,
        long_date=long_date,
        date_at=date_at,
    )
    return (page, 422) if errors else page


@blueprint.get("/referrals/triage")
@signed_in
@policy("referral")
def referral_triage() -> Any:
    return _page()


@blueprint.post("/referrals/triage")
@signed_in
@policy("referral")
def referral_triage_accept() -> Any:
    values = _submitted()
    errors = _form_errors(values)
    if errors:
        return _page(errors, values)
    svc, actor = services(), current_actor()
    body = _body(values)
    try:
        result = cycle.accept_referrals(svc, actor, body)
    except Invalid as exc:
        return _page(_on_page(exc.fields, values), values)
    accepted = result["accepted"]
    given = sum(1 for user_id in body.get("idvas", ()) if user_id)
    done = f"{len(accepted)} referral{'s' if len(accepted) != 1 else ''} accepted"
    done += ": " + ", ".join(r["reference"] for r in accepted)
    if given:
        done += f". IDVA assigned to {given}"
    places = triage.meeting_labels(svc, actor, result["meeting_ids"])
    if places:
        done += ". Listed at " + "; ".join(
            f"{m['panel_name']} on {date_at(m['starts_at'])}" for m in places
        )
    flash(done, "success")
    return redirect(url_for("web.referral_triage"))
