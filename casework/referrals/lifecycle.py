"""A referral's life: submitted -> accepted -> listed -> heard -> closed, or withdrawn.

Only the panel's coordinator or chair moves a referral or assigns its IDVA. Access is decided
in one order everywhere (``managed_referral``): a role that may never manage referrals gets
403 whatever the record; a referral the caller cannot see gets 404 like one that does not
exist; one they can see but the protocol does not let them edit gets 403.

Listing, de-listing and hearing happen through meetings, so ``mark_listed``, ``mark_unlisted``
and ``mark_heard`` take a referral the meetings code has already authorised and only enforce
the transition and write the audit row.

Withdrawing a referral stops it counting for the repeat rule from then on (``repeat.py``
ignores withdrawn referrals), but later referrals already flagged repeat *because of it* are
deliberately not recomputed: their flag was right when they were referred and heard, and
quarterly figures already reported must not change behind the partnership's back.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from casework.accounts.models import User, UserRole
from casework.actors import Actor
from casework.agencies.models import Agency
from casework.audit import log as audit
from casework.authz import action, require_role
from casework.db import as_uuid
from casework.errors import Forbidden, Invalid
from casework.referrals.manage_schemas import AssignIdvaIn, WithdrawIn
from casework.referrals.models import PossibleMatch, Referral
from casework.roles import MANAGERS
from casework.schemas import load
from casework.services import Services
from casework.sharing.engine import header_fields, prune

# Where each status may go next. Withdrawal is open until a referral is closed.
TRANSITIONS: dict[str, frozenset[str]] = {
    "submitted": frozenset({"accepted", "withdrawn"}),
    "accepted": frozenset({"listed", "withdrawn"}),
    "listed": frozenset({"heard", "accepted", "withdrawn"}),
    "heard": frozenset({"closed", "withdrawn"}),
    "closed": frozenset(),
    "withdrawn": frozenset(),
}
ENDED = frozenset({"closed", "withdrawn"})

# How each target status reads in "cannot be ..." messages.
_DONE = {
    "accepted": "accepted",
    "listed": "listed on an agenda",
    "heard": "marked as heard",
    "closed": "closed",
    "withdrawn": "withdrawn",
}


def managed_referral(
    svc: Services, actor: Actor, referral_id: Any
) -> tuple[Referral, frozenset[str]]:
    """The referral a coordinator or chair may manage, locked for the rest of the transaction,
    with the fields they may see; 403 or 404 otherwise (see the module docstring)."""
    require_role(actor, *MANAGERS)
    rid = as_uuid(referral_id)
    referral, fields = svc.sharing.get(svc.session, actor, Referral, rid, verb="view")
    if not svc.sharing.may(svc.session, actor, "edit", referral):
        raise Forbidden("Only the panel's coordinator or chair can manage this referral")
    # Two coordinators pressing buttons at once: the second sees the first one's status.
    svc.session.refresh(referral, with_for_update=True)
    return referral, fields


def state(referral: Referral, fields: frozenset[str]) -> dict[str, Any]:
    """Where the referral stands now, with only the fields the caller may see."""
    data = {
        "id": str(referral.id),
        "reference": referral.reference,
        "status": referral.status,
        "panel_id": str(referral.panel_id),
        "referral_date": referral.referral_date.isoformat(),
        "assigned_idva": None
        if referral.assigned_idva_id is None
        else str(referral.assigned_idva_id),
        "repeat": {
            "is_repeat": referral.crit_repeat,
            "previous_referral_date": (
                None
                if referral.previous_referral_date is None
                else referral.previous_referral_date.isoformat()
            ),
        },
        "risk": {"criteria": referral.criteria},
    }
    return prune(data, fields, header_fields("referral"))


def _check(referral: Referral, to: str, only_from: tuple[str, ...] = ()) -> None:
    if to not in TRANSITIONS[referral.status] or (only_from and referral.status not in only_from):
        raise Invalid(
            {"status": [f"A referral that is {referral.status} cannot be {_DONE[to]}"]},
            message=f"This referral is {referral.status}, so it cannot be {_DONE[to]}.",
            code="invalid_transition",
        )


def _move(
    svc: Services,
    actor: Actor,
    referral: Referral,
    to: str,
    fields: tuple[str, ...] = (),
    only_from: tuple[str, ...] = (),
) -> None:
    _check(referral, to, only_from)
    _set_status(svc, actor, referral, to, fields)


def _set_status(
    svc: Services, actor: Actor, referral: Referral, to: str, fields: tuple[str, ...] = ()
) -> None:
    referral.status = to
    svc.session.flush()
    audit.record(svc.session, actor, "update", "referral", referral.id, ["status", *fields])


@action(changes=("referral",))
def accept_referral(svc: Services, actor: Actor, referral_id: Any) -> dict[str, Any]:
    referral, fields = managed_referral(svc, actor, referral_id)
    # listed -> accepted is taking it off an agenda, which the meetings code does
    _move(svc, actor, referral, "accepted", only_from=("submitted",))
    return state(referral, fields)


@action(changes=("referral",))
def close_referral(svc: Services, actor: Actor, referral_id: Any) -> dict[str, Any]:
    referral, fields = managed_referral(svc, actor, referral_id)
    _move(svc, actor, referral, "closed")
    return state(referral, fields)


@action(changes=("referral",))
def withdraw_referral(svc: Services, actor: Actor, referral_id: Any, data: Any) -> dict[str, Any]:
    """Withdraw with a reason (stored encrypted). Earlier repeat flags are left as they were:
    see the module docstring."""
    referral, fields = managed_referral(svc, actor, referral_id)
    _check(referral, "withdrawn")  # a stale page learns the status before any form error
    values = load(WithdrawIn(), data)
    referral.withdrawn_reason = values["reason"]
    _move(svc, actor, referral, "withdrawn", ("withdrawn_reason",))
    return state(referral, fields)


def _idva_query() -> Any:
    """Active IDVAs of active agencies, from any agency: victims are often supported by an
    IDVA service outside the panel's area."""
    return (
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .join(Agency, Agency.id == User.agency_id)
        .where(UserRole.role == "idva", User.active.is_(True), Agency.active.is_(True))
    )


def _open_to_idva_change(
    svc: Services, actor: Actor, referral_id: Any
) -> tuple[Referral, frozenset[str]]:
    """The referral a manager may give to or take from an IDVA: not once it has ended."""
    referral, fields = managed_referral(svc, actor, referral_id)
    if referral.status in ENDED:
        raise Invalid(
            {"user_id": [f"The referral is {referral.status}: its IDVA can no longer change"]},
            message=f"This referral is {referral.status}, so its IDVA can no longer change.",
            code="invalid_transition",
        )
    return referral, fields


@action(changes=("referral",))
def assign_idva(svc: Services, actor: Actor, referral_id: Any, data: Any) -> dict[str, Any]:
    """Give the case to an IDVA; the protocol's ``assigned_idva`` rule then lets them see it."""
    referral, fields = _open_to_idva_change(svc, actor, referral_id)
    values = load(AssignIdvaIn(), data)
    idva = svc.session.scalar(_idva_query().where(User.id == values["user_id"]))
    if idva is None:
        raise Invalid({"user_id": ["Choose an active IDVA"]})
    if referral.assigned_idva_id != idva.id:
        referral.assigned_idva_id = idva.id
        svc.session.flush()
        audit.record(svc.session, actor, "update", "referral", referral.id, ["assigned_idva"])
    return state(referral, fields)


@action(changes=("referral",))
def unassign_idva(svc: Services, actor: Actor, referral_id: Any) -> dict[str, Any]:
    """Take the case from its IDVA (who leaves, or was chosen by mistake): the protocol's
    ``assigned_idva`` rule stops showing it to them at once.

    Unlike assigning, this stays open once the referral is withdrawn or closed: an ended case
    is exactly one an IDVA should stop seeing, and taking access away never widens it."""
    referral, fields = managed_referral(svc, actor, referral_id)
    if referral.assigned_idva_id is None:
        raise Invalid(
            {"user_id": ["No IDVA is assigned to this referral"]},
            message="No IDVA is assigned to this referral now. Reload the page to see its state.",
            code="invalid_transition",
        )
    referral.assigned_idva_id = None
    svc.session.flush()
    audit.record(svc.session, actor, "update", "referral", referral.id, ["assigned_idva"])
    return state(referral, fields)


@action(reads=())  # staff, not case data
def idva_choices(svc: Services, actor: Actor) -> list[User]:
    """Who a coordinator may assign. Staff names and e-mails are not case data."""
    require_role(actor, *MANAGERS)
    return list(svc.session.scalars(_idva_query().order_by(User.name, User.email)))


@action(reads=("referral",))
def manage_view(svc: Services, actor: Actor, referral_id: Any) -> dict[str, Any]:
    """What the coordinator's page shows: where the referral stands, its IDVA and the steps
    open from here. It names no one (the reference identifies the case; the referral's own
    page shows the person), so a form shown again with errors discloses nothing new."""
    referral, fields = managed_referral(svc, actor, referral_id)
    current = state(referral, fields)
    shown = {"repeat.is_repeat", "repeat.previous_referral_date", "risk.criteria", "assigned_idva"}
    reason = None
    if referral.status == "withdrawn" and "withdrawn_reason" in fields:
        reason = referral.withdrawn_reason
        shown.add("withdrawn_reason")
    shown &= fields
    idva = None
    if referral.assigned_idva_id is not None and "assigned_idva" in fields:
        idva = svc.session.get(User, referral.assigned_idva_id)
    waiting = svc.session.scalar(
        select(func.count())
        .select_from(PossibleMatch)
        .where(PossibleMatch.referral_id == referral.id, PossibleMatch.status == "pending")
    )
    audit.record(svc.session, actor, "view", "referral", referral.id, shown)
    return {
        "pending_matches": int(waiting or 0),
        "referral": current,
        "withdrawn_reason": reason,
        "idva": idva,
        "next": TRANSITIONS[referral.status],
        "may_assign": referral.status not in ENDED and "assigned_idva" in fields,
        "may_unassign": referral.assigned_idva_id is not None and "assigned_idva" in fields,
    }


def mark_listed(svc: Services, actor: Actor, referral: Referral) -> None:
    """Put on a meeting's agenda (the meetings code has checked the caller may do this)."""
    _move(svc, actor, referral, "listed")


def mark_unlisted(svc: Services, actor: Actor, referral: Referral) -> None:
    """Taken off an agenda before the meeting: back to accepted, ready to list again."""
    _move(svc, actor, referral, "accepted", only_from=("listed",))


def mark_heard(svc: Services, actor: Actor, referral: Referral) -> None:
    """Discussed at a meeting (the meetings code has checked the caller may do this)."""
    _move(svc, actor, referral, "heard")


def mark_unheard(svc: Services, actor: Actor, referral: Referral) -> None:
    """The meeting that heard it was reopened: back to listed until it closes again, so the
    referral's status agrees with the figures (a reopened meeting is not yet held).

    Not in ``TRANSITIONS``: no one chooses this step on a referral; it only undoes a closing,
    which the meetings code has authorised. Audited like every other change of status.
    """
    if referral.status != "heard":
        raise Invalid(
            {"status": [f"A referral that is {referral.status} cannot go back to listed"]},
            message=f"This referral is {referral.status}, so it cannot go back to listed.",
            code="invalid_transition",
        )
    _set_status(svc, actor, referral, "listed")
