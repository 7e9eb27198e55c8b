"""The coordinator's review queue of possible matches.

``submit_referral`` never sets the repeat flag on a near match (same surname and date of birth
but another first name; or day and month of birth swapped): it records a ``PossibleMatch``
between the new referral and the earlier one, and only when they share a perpetrator (or the
partnership matches on the victim alone). Confirming therefore means "same victim, same
case": the earlier referral then counts for the newer one's repeat flag. Rejecting records
that a person looked and decided they differ, so nobody is asked again.

Links are not followed transitively: a referral confirmed as the same victim as B is not
thereby linked to referrals that only B matched. Each pair is decided on its own.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from casework.actors import Actor
from casework.audit import log as audit
from casework.authz import action, require_role
from casework.db import as_uuid, utcnow
from casework.errors import Invalid, NotVisible
from casework.referrals.lifecycle import managed_referral, state
from casework.referrals.manage_schemas import MatchQuery
from casework.referrals.models import PossibleMatch, Referral
from casework.referrals.repeat import lock_name, minus_months, victim_keys, victim_of
from casework.roles import MANAGERS
from casework.schemas import load
from casework.services import Services
from casework.sharing.engine import header_fields, prune

REASONS = {
    "different_first_name": "different first name",
    "day_month_swapped": "day and month of birth swapped",
}
IDENTITY = ("victim.first_name", "victim.last_name", "victim.date_of_birth")
DECISION_FIELDS = ("status", "decided_by", "decided_at")


def _actionable(svc: Services, actor: Actor) -> Any:
    """Pending matches whose newer referral the actor may edit (its flag is what changes) and
    whose earlier referral they may see: the one SQL condition the queue and its count share."""
    editable = select(Referral.id).where(svc.sharing.visible_clause(actor, "edit", Referral))
    visible = select(Referral.id).where(svc.sharing.visible_clause(actor, "view", Referral))
    return (
        PossibleMatch.status == "pending",
        PossibleMatch.referral_id.in_(editable),
        PossibleMatch.other_referral_id.in_(visible),
    )


@action
def pending_match_count(svc: Services, actor: Actor) -> int:
    """For the navigation: how many decisions wait for this coordinator (no personal data)."""
    require_role(actor, *MANAGERS)
    stmt = select(func.count()).select_from(PossibleMatch).where(*_actionable(svc, actor))
    return int(svc.session.scalar(stmt) or 0)


def _side(referral: Referral, fields: frozenset[str]) -> dict[str, Any]:
    dob = referral.victim_date_of_birth
    data = {
        "id": str(referral.id),
        "reference": referral.reference,
        "status": referral.status,
        "panel_id": str(referral.panel_id),
        "referral_date": referral.referral_date.isoformat(),
        "victim": {
            "first_name": referral.victim_first_name if "victim.first_name" in fields else None,
            "last_name": referral.victim_last_name if "victim.last_name" in fields else None,
            "date_of_birth": dob.isoformat() if dob and "victim.date_of_birth" in fields else None,
        },
    }
    return prune(data, fields & frozenset(IDENTITY), header_fields("referral"))


def _dump(match: PossibleMatch, newer: dict[str, Any], older: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(match.id),
        "reason": match.reason,
        "reason_text": REASONS.get(match.reason, match.reason.replace("_", " ")),
        "status": match.status,
        "referral": newer,
        "other_referral": older,
        "decided_by": None if match.decided_by_id is None else str(match.decided_by_id),
        "decided_at": None if match.decided_at is None else match.decided_at.isoformat(),
    }


@action(reads=("referral",))
def list_possible_matches(
    svc: Services, actor: Actor, panel_id: Any = None
) -> list[dict[str, Any]]:
    """The queue: pending matches the caller can decide, oldest first, each side showing only
    the identifying fields the protocol grants. Showing them is audited per referral."""
    require_role(actor, *MANAGERS)
    query = load(MatchQuery(), {} if panel_id in (None, "") else {"panel_id": panel_id})
    stmt = select(PossibleMatch).where(*_actionable(svc, actor))
    if query["panel_id"]:
        in_panel = select(Referral.id).where(Referral.panel_id == query["panel_id"])
        stmt = stmt.where(PossibleMatch.referral_id.in_(in_panel))
    matches = list(svc.session.scalars(stmt.order_by(PossibleMatch.created_at).limit(200)))
    ids = {m.referral_id for m in matches} | {m.other_referral_id for m in matches}
    referrals = list(svc.session.scalars(select(Referral).where(Referral.id.in_(ids))))
    by_id = {r.id: r for r in referrals}
    sides = {
        d.record.id: d.data
        for d in svc.sharing.disclosures(
            svc.session,
            actor,
            Referral,
            referrals,
            audit_as="list",
            only=frozenset(IDENTITY),
            shape=_side,
        )
    }
    # A side the caller may see nothing of (edit without view) shows its header only.
    return [
        _dump(
            m,
            sides.get(m.referral_id) or _side(by_id[m.referral_id], frozenset()),
            sides.get(m.other_referral_id) or _side(by_id[m.other_referral_id], frozenset()),
        )
        for m in matches
    ]


def _decide(
    svc: Services, actor: Actor, match_id: Any, decision: str
) -> tuple[PossibleMatch, Referral, frozenset[str]]:
    """Checks and records a decision; the caller then applies what it means."""
    require_role(actor, *MANAGERS)
    mid = as_uuid(match_id)
    match = svc.session.get(PossibleMatch, mid) if mid is not None else None
    if match is None:
        raise NotVisible()
    # Seeing the earlier referral is needed to judge the pair; 404 exactly as if no match.
    svc.sharing.get(svc.session, actor, Referral, match.other_referral_id, verb="view")
    newer, fields = managed_referral(svc, actor, match.referral_id)
    svc.db.lock(svc.session, lock_name(victim_keys(victim_of(newer))))  # serialise with submissions
    svc.session.refresh(match, with_for_update=True)
    if match.status != "pending":
        raise Invalid(
            {"status": [f"This possible match was already {match.status}"]},
            message=f"Someone has already {match.status} this possible match.",
            code="already_decided",
        )
    match.status = decision
    match.decided_by_id = actor.user_id
    match.decided_at = utcnow()
    svc.session.flush()
    audit.record(svc.session, actor, "update", "possible_match", match.id, DECISION_FIELDS)
    return match, newer, fields


def relink_repeat(svc: Services, referral: Referral) -> bool:
    """Recompute ``referral``'s repeat flag from its confirmed matches and the previous
    referral already found for it; True when the flag or its previous referral changed.

    The SafeLives rule: a repeat iff the most recent earlier referral of the case (not
    withdrawn) is dated on or after the referral date minus 12 calendar months. Confirming can
    only add a link, so it never clears a flag; as with withdrawal (lifecycle.py), a flag once
    set is history, not recomputed.
    """
    months = int(svc.settings.get("REPEAT_MONTHS", 12))
    since = minus_months(referral.referral_date, months)
    confirmed = select(PossibleMatch.other_referral_id).where(
        PossibleMatch.referral_id == referral.id, PossibleMatch.status == "confirmed"
    )
    pool = list(
        svc.session.scalars(
            select(Referral).where(
                Referral.id.in_(confirmed),
                Referral.status != "withdrawn",
                Referral.referral_date <= referral.referral_date,
            )
        )
    )
    if referral.previous_referral_id is not None:
        current = svc.session.get(Referral, referral.previous_referral_id)
        pool += [current] if current is not None else []
    latest = max(pool, key=lambda r: (r.referral_date, r.created_at), default=None)
    if latest is None or latest.referral_date < since:
        return False
    if referral.crit_repeat and referral.previous_referral_id == latest.id:
        return False
    referral.crit_repeat = True
    referral.previous_referral_id = latest.id
    referral.previous_referral_date = latest.referral_date
    return True


@action(changes=("referral",))
def confirm_match(svc: Services, actor: Actor, match_id: Any) -> dict[str, Any]:
    """Same victim, same case: link the two and recompute the newer referral's repeat flag."""
    match, newer, fields = _decide(svc, actor, match_id, "confirmed")
    if relink_repeat(svc, newer):
        svc.session.flush()
        changed = ["repeat.is_repeat", "repeat.previous_referral_date", "risk.criteria"]
        audit.record(svc.session, actor, "update", "referral", newer.id, changed)
    return _decided(svc, match, newer, fields)


@action(changes=("referral",))
def reject_match(svc: Services, actor: Actor, match_id: Any) -> dict[str, Any]:
    """Different people: record the decision; the repeat flag is left as it was."""
    match, newer, fields = _decide(svc, actor, match_id, "rejected")
    return _decided(svc, match, newer, fields)


def _decided(
    svc: Services, match: PossibleMatch, newer: Referral, fields: frozenset[str]
) -> dict[str, Any]:
    """The decision and the newer referral's state; identities are not repeated here."""
    older = svc.session.get(Referral, match.other_referral_id)
    assert older is not None  # seen in _decide, in this same transaction
    out = _dump(match, _side(newer, frozenset()), _side(older, frozenset()))
    out["new_state"] = state(newer, fields)
    return out
