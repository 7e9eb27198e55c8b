"""Submitting, reading and listing MARAC referrals.

Reading goes through the sharing engine only: ``get_referral`` answers 404 for anything the
caller may not see, and ``list_referrals`` filters with the same SQL conditions, so the two
cannot disagree. Every read and change is audited in the caller's transaction.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session, lazyload, load_only

from casework.actors import Actor
from casework.agencies.actions import codes_of
from casework.audit import log as audit
from casework.authz import action, require_role
from casework.db import as_uuid
from casework.errors import Forbidden, Invalid
from casework.panels.models import Panel
from casework.referrals.models import PossibleMatch, Referral
from casework.referrals.repeat import (
    Person,
    RepeatAnswer,
    lock_name,
    repeat_among,
    repeat_rule,
    stored_candidates,
    victim_keys,
)
from casework.referrals.rows import (
    age_on,
    decided,
    insert_referral,
    people_rows,
    safelives_field_names,
    sealed_rows,
)
from casework.referrals.schemas import ReferralIn, ReferralQuery
from casework.referrals.serialise import columns_shown, visible_referral
from casework.risk.dash import RiskRules
from casework.roles import REFERRERS
from casework.schemas import load
from casework.services import Services

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # 32 letters and digits no one misreads


def _reference(day: date) -> str:
    # Each random byte's low five bits pick a character: uniform, as 256 is a multiple of 32.
    return f"M{day:%y}-" + "".join(_ALPHABET[b & 31] for b in secrets.token_bytes(6))


_TAKEN = select(Referral.reference).where(
    Referral.reference.in_(bindparam("references", expanding=True))
)


def fresh_references(session: Session, days: Sequence[date]) -> list[str]:
    """A new reference for each referral date, none already used.

    Six random characters give a billion references a year, but among a few thousand a year
    two would still coincide now and then (the birthday bound): drawn ones already stored, or
    drawn twice here, are drawn again.
    """
    drawn = [_reference(day) for day in days]
    while True:
        taken = set(session.connection().execute(_TAKEN, {"references": drawn}).scalars())
        seen: set[str] = set()
        again = []
        for i, reference in enumerate(drawn):
            if reference in taken or reference in seen:
                again.append(i)
            seen.add(reference)
        if not again:
            return drawn
        for i in again:
            drawn[i] = _reference(days[i])


_ACTIVE_MARAC = select(Panel.id).where(
    Panel.id == bindparam("panel_id"), Panel.kind == "marac", Panel.active
)


def check_panel(svc: Services, panel_id: uuid.UUID) -> None:
    # One column, not the Panel: loading one brings its members and their agencies too.
    found = svc.session.connection().execute(_ACTIVE_MARAC, {"panel_id": panel_id}).first()
    if found is None:
        raise Invalid({"panel_id": ["Choose an active MARAC panel"]})


@action(changes=("referral",))
def submit_referral(svc: Services, actor: Actor, data: Any) -> Referral:
    require_role(actor, *REFERRERS)
    values = check_referral(svc, data)
    if actor.agency_id is None:
        raise Invalid({"_schema": ["Referrals are made by a member of an agency"]})
    referral = record_referral(svc, actor, values, actor.agency_id, actor.user_id)
    # the engine decides on the row written: a referral is made by an agency the panel's
    # protocol shows it to (``own_agency``), else nothing is kept
    if not svc.sharing.may(svc.session, actor, "view", referral):
        raise Forbidden("The panel's sharing protocol does not show this referral to your agency")
    return referral


# Built once: making ReferralIn and its nested schemas costs three times a load. Loading keeps
# no state on the schema, so requests on several threads share it.
REFERRAL_IN = ReferralIn()


def check_referral(svc: Services, data: Any) -> dict[str, Any]:
    """Every rule that needs no lock: the schema, the panel, the victim's age."""
    values = load(REFERRAL_IN, data)
    check_panel(svc, values["panel_id"])
    check_victim_age(values, min_victim_age(svc.settings))
    return values


def min_victim_age(settings: Mapping[str, Any]) -> int:
    return int(settings.get("MARAC_MIN_VICTIM_AGE", 16))


def check_victim_age(values: dict[str, Any], min_age: int) -> None:
    v, day = values["victim"], values["referral_date"]
    if v["date_of_birth"] > day:
        raise Invalid({"victim.date_of_birth": ["Date of birth must be before the referral date"]})
    if age_on(v["date_of_birth"], day) < min_age:
        raise Invalid(
            {"victim.date_of_birth": [f"The victim is under {min_age} on the referral date"]},
            message=(
                f"MARAC is for victims aged {min_age} or over. Refer a child at risk to "
                "children's safeguarding (the local children's social care front door) now."
            ),
            code="victim_under_16",
        )


def people_of(values: dict[str, Any]) -> tuple[Person, list[Person]]:
    """The victim and perpetrators of a checked referral, as the repeat rule compares them."""
    v = values["victim"]
    victim = Person(v["first_name"], v["last_name"], v["date_of_birth"])
    return victim, [
        Person(p["first_name"], p["last_name"], p["date_of_birth"]) for p in values["perpetrators"]
    ]


def record_referral(
    svc: Services,
    actor: Actor,
    values: dict[str, Any],
    agency_id: uuid.UUID,
    referrer_user_id: uuid.UUID | None,
    status: str = "submitted",
) -> Referral:
    """Decide repeat and criteria under the victim's lock, then write and audit.

    Callers have checked access and run ``check_referral``.
    """
    victim, perps = people_of(values)
    keys = victim_keys(victim)
    svc.db.lock(svc.session, lock_name(keys))
    found = stored_candidates(svc.session, keys)
    rule = repeat_rule(svc.settings)
    answer = repeat_among(found, victim, perps, values["referral_date"], **rule)
    (reference,) = fresh_references(svc.session, [values["referral_date"]])
    rules = RiskRules.from_settings(svc.settings)
    decision = decided(values, answer, rules, agency_id, referrer_user_id, status, reference)
    rows = people_rows(values)
    rows.referral |= decision
    referral = insert_referral(svc.session, sealed_rows(rows))
    record_outcome(svc, actor, referral.id, answer, written_fields(values))
    return referral


def record_outcome(
    svc: Services,
    actor: Actor,
    referral_id: uuid.UUID,
    answer: RepeatAnswer,
    written: list[str],
) -> None:
    """The near matches for a coordinator to review, and the audit entry of the creation
    (``written``: the fields given, from ``written_fields``)."""
    for other, reason in answer.possible:
        svc.session.add(
            PossibleMatch(referral_id=referral_id, other_referral_id=other.id, reason=reason)
        )
    audit.record(svc.session, actor, "create", "referral", referral_id, written)


def written_fields(values: dict[str, Any]) -> list[str]:
    names = [f"victim.{k}" for k, v in values["victim"].items() if v is not None]
    names += [f"risk.{k}" for k, v in values["risk"].items() if v is not None]
    names += [f"perpetrators.{k}" for p in values["perpetrators"] for k, v in p.items() if v]
    names += [f"children.{k}" for c in values["children"] for k, v in c.items() if v]
    names += [k for k in ("victim_aware", "consent", "summary") if values[k] is not None]
    return [n for n in names if n != "risk.dash_comments"] + safelives_field_names(values)


def visible_view(svc: Services, referral: Referral, fields: frozenset[str]) -> dict[str, Any]:
    codes = codes_of(svc, [referral.referring_agency_id])
    return visible_referral(referral, fields, codes.get(referral.referring_agency_id))


@action(reads=("referral",))
def get_referral(svc: Services, actor: Actor, referral_id: Any) -> dict[str, Any]:
    """The referral as the caller may see it, or NotVisible (404)."""
    _, shown = svc.sharing.disclose_one(svc.session, actor, Referral, as_uuid(referral_id))
    return shown


# Field prefixes of a referral's people, read in a query of their own.
_PEOPLE = ("perpetrators.", "children.")


@action(reads=("referral",))
def list_referrals(
    svc: Services, actor: Actor, query: Any, only: frozenset[str] | None = None
) -> list[dict[str, Any]]:
    """Referrals the caller may list, each with only the fields the caller may see.

    ``only``: the fields a page shows (of those granted). Only those are decrypted and
    audited, and a referral's people are read only if the page shows them."""
    return _listed(svc, actor, query, only)[0]


@action(reads=("referral",))
def referral_page(
    svc: Services, actor: Actor, query: Any, only: frozenset[str]
) -> tuple[list[dict[str, Any]], bool]:
    """``list_referrals`` for a page of ``limit`` from ``offset``, and whether more follow."""
    return _listed(svc, actor, query, only)


_NEWEST_FIRST = (Referral.referral_date.desc(), Referral.reference, Referral.id)


def list_statement(svc: Services, actor: Actor, q: dict[str, Any]) -> Select[tuple[Any]]:
    """The ids of the referrals ``actor`` may list that match the loaded ``ReferralQuery``
    ``q``, newest first. For a panel's month both the sharing filter and the sort read
    ``ix_referrals_list`` alone; the rows of one page are read afterwards by id."""
    stmt = select(Referral.id).where(svc.sharing.visible_clause(actor, "list", Referral))
    if q["panel_id"]:
        stmt = stmt.where(Referral.panel_id == q["panel_id"])
    if q["status"]:
        stmt = stmt.where(Referral.status == q["status"])
    if q["from_"]:
        stmt = stmt.where(Referral.referral_date >= q["from_"])
    if q["to"]:
        stmt = stmt.where(Referral.referral_date <= q["to"])
    return stmt.order_by(*_NEWEST_FIRST)


def _listed(
    svc: Services, actor: Actor, query: Any, only: frozenset[str] | None
) -> tuple[list[dict[str, Any]], bool]:
    q = load(ReferralQuery(), query)
    # one more than asked says whether another page follows; it is neither shown nor audited
    page = list_statement(svc, actor, q).limit(q["limit"] + 1).offset(q["offset"])
    stmt = select(Referral).where(Referral.id.in_(page)).order_by(*_NEWEST_FIRST)
    if only is not None:
        # a page reads the columns it shows, not a referral's 53 (most of them ciphertexts)
        stmt = stmt.options(load_only(*columns_shown(only)))
        if not any(f.startswith(_PEOPLE) for f in only):
            stmt = stmt.options(lazyload(Referral.perpetrators), lazyload(Referral.children))
    referrals = list(svc.session.scalars(stmt))
    shown = svc.sharing.disclose(
        svc.session, actor, Referral, referrals[: q["limit"]], verb="list", only=only
    )
    return shown, len(referrals) > q["limit"]
