"""Amending a referral: each amendment a version, its decisions taken again.

Who may amend: until a coordinator accepts it, the referrer (the user who submitted it, or a
colleague of the referring agency with a referring role); from acceptance until it is closed
or withdrawn, the panel's coordinator (a coordinator the protocol lets edit it). Anyone else
who can see the referral is refused (403); anyone who cannot see it gets 404.

An amendment is a partial body of the submission's own fields plus a reason. It is laid over
the referral as stored and the whole result goes through the submission's checks, so a rule
that spans fields (a professional judgement needs its reasons, the victim's age on the
referral date) holds after every amendment exactly as at submission. The score, band,
criteria and repeat decision are then taken again by the submission's own code
(``casework.referrals.rows.decided`` and ``repeat.repeat_among``), under the victim's lock;
blind indexes and search tokens follow from the flush hooks.
"""

from __future__ import annotations

import uuid
from typing import Any, NoReturn

from sqlalchemy import func, select

from casework.accounts.models import User
from casework.actors import Actor
from casework.audit import log as audit
from casework.authz import action
from casework.db import as_uuid
from casework.errors import Conflict, Forbidden, Invalid
from casework.mail.outbox import queue
from casework.panels.models import Panel
from casework.referrals.actions import REFERRAL_IN, check_victim_age, min_victim_age, people_of
from casework.referrals.amend_diff import (
    DERIVED,
    as_body,
    changes,
    merged,
    protocol_field,
    shown_to,
)
from casework.referrals.amend_versions import version_view
from casework.referrals.amend_write import write_people
from casework.referrals.lifecycle import ENDED, state
from casework.referrals.matches import relink_repeat
from casework.referrals.models import PossibleMatch, Referral
from casework.referrals.repeat import (
    Candidate,
    lock_name,
    repeat_among,
    repeat_rule,
    stored_candidates,
    victim_keys,
)
from casework.referrals.rows import decided
from casework.referrals.serialise import dump
from casework.referrals.version_models import ReferralVersion
from casework.risk.dash import RiskRules
from casework.roles import REFERRERS
from casework.scheduler.notices import FOOTER, link, panel_staff
from casework.schemas import JsonObject, StrictSchema, Text, load
from casework.services import Services

REASON_MAX = 500
# What an amendment may not touch: moving a referral to another panel changes who may see
# it, which is a new referral to that panel, not a correction.
FIXED = ("panel_id",)
# Plain columns ``decided`` sets that an amendment keeps as they are.
KEPT = ("reference", "panel_id", "referring_agency_id", "referrer_user_id", "status", "created_at")


def amend_refusal(actor: Actor, referral: Referral, may_edit: bool) -> str | None:
    """Why ``actor`` may not amend ``referral`` now (None: they may). ``may_edit``: the
    protocol lets them edit it. Pure, so the referral page asks it to offer the link."""
    if referral.status in ENDED:
        return f"This referral is {referral.status}, so it can no longer be amended."
    if referral.status == "submitted":
        own = actor.user_id is not None and actor.user_id == referral.referrer_user_id
        colleague = actor.agency_id == referral.referring_agency_id and actor.has_any(*REFERRERS)
        if own or colleague:
            return None
        return "Until it is accepted, only the referrer can amend this referral."
    if actor.has_any("coordinator") and may_edit:
        return None
    return "Once accepted, only the panel's coordinator can amend this referral."


def amendable(svc: Services, actor: Actor, referral_id: Any) -> tuple[Referral, frozenset[str]]:
    """The referral ``actor`` may amend, locked for the transaction, with the fields they may
    see; 404 if they cannot see it, 409 once it has ended, 403 otherwise."""
    rid = as_uuid(referral_id)
    referral, fields = svc.sharing.get(svc.session, actor, Referral, rid, verb="view")
    svc.session.refresh(referral, with_for_update=True)  # two amendments at once: one waits
    may_edit = svc.sharing.may(svc.session, actor, "edit", referral)
    refusal = amend_refusal(actor, referral, may_edit)
    if refusal is not None:
        refuse(referral, refusal)
    return referral, fields


def refuse(referral: Referral, refusal: str) -> NoReturn:
    """409 once the referral has ended (nobody may amend it), 403 otherwise."""
    if referral.status in ENDED:
        raise Conflict(refusal, code="invalid_transition")
    raise Forbidden(refusal)


def current_body(referral: Referral) -> dict[str, Any]:
    """The stored referral as the body that would submit it (every field, none disclosed:
    only the amendment's own checks and diff read it)."""
    return as_body(REFERRAL_IN, dump(referral, None))


class ReasonIn(StrictSchema):
    reason = Text(
        max_length=REASON_MAX,
        multiline=True,
        error_messages={"required": "Say why the referral is being amended"},
    )


def _checked(svc: Services, data: Any, body: dict[str, Any]) -> tuple[dict, dict, str]:
    """The referral as it was and as it would be, and the reason: 422 naming every bad field
    of the body (and the reason) together, nothing written."""
    if not isinstance(data, dict):
        raise Invalid({"_schema": ["Expected a JSON object"]})
    errors: dict[str, list[str]] = {}
    into = JsonObject if isinstance(data, JsonObject) else dict
    reason = ""
    try:
        reason = load(REASON_IN, into({k: data[k] for k in ("reason",) if k in data}))["reason"]
    except Invalid as exc:
        errors |= exc.fields
    patch = {k: v for k, v in data.items() if k != "reason"}
    for key in FIXED:
        if key in patch:
            errors[key] = ["Cannot be amended: withdraw it and refer to the other panel"]
    if not patch:
        errors["_schema"] = ["Give at least one field to change"]
    new: dict[str, Any] = {}
    try:
        new = load(REFERRAL_IN, merged(body, patch, into))
        check_victim_age(new, min_victim_age(svc.settings))
    except Invalid as exc:
        if not errors and exc.code != "invalid":
            raise  # the victim is under age: its own message says where to refer instead
        errors = {**exc.fields, **errors}
    if errors:
        raise Invalid(errors)
    old = load(REFERRAL_IN, into(body))
    return old, new, reason


REASON_IN = ReasonIn()


def _earlier(found: list[Candidate], referral: Referral, day: Any) -> list[Candidate]:
    """The other referrals the rule may compare with, as it would have at submission: never
    itself, and of those on the same day only those made before it."""
    return [
        c
        for c in found
        if c.id != referral.id
        and not (c.referral_date == day and c.created_at >= referral.created_at)
    ]


def _decide(svc: Services, referral: Referral, new: dict[str, Any]) -> dict[str, Any]:
    """Score, band, criteria and repeat taken again, under the (new) victim's lock."""
    victim, perps = people_of(new)
    keys = victim_keys(victim)
    svc.db.lock(svc.session, lock_name(keys))
    found = _earlier(stored_candidates(svc.session, keys), referral, new["referral_date"])
    answer = repeat_among(found, victim, perps, new["referral_date"], **repeat_rule(svc.settings))
    rules = RiskRules.from_settings(svc.settings)
    decision = decided(
        new,
        answer,
        rules,
        referral.referring_agency_id,
        referral.referrer_user_id,
        referral.status,
        referral.reference,
    )
    known = set(
        svc.session.scalars(
            select(PossibleMatch.other_referral_id).where(PossibleMatch.referral_id == referral.id)
        )
    )
    for other, why in answer.possible:
        if other.id not in known:
            svc.session.add(
                PossibleMatch(referral_id=referral.id, other_referral_id=other.id, reason=why)
            )
    return {k: v for k, v in decision.items() if k not in KEPT}


def _derived(referral: Referral) -> dict[str, Any]:
    return {path: getattr(referral, attr) for path, attr in DERIVED}


@action(changes=("referral",))
def amend_referral(svc: Services, actor: Actor, referral_id: Any, data: Any) -> dict[str, Any]:
    """Amend, keep the version, tell the coordinators; answer the version and the state."""
    referral, granted = amendable(svc, actor, referral_id)
    old, new, reason = _checked(svc, data, current_body(referral))
    given = changes(old, new)
    hidden = {p: ["You cannot see this field"] for p in given if not shown_to(p, granted)}
    if hidden:
        raise Invalid(hidden)
    if not given:
        raise Invalid({"_schema": ["Nothing would change: the referral already says this"]})
    before = _derived(referral)
    decision = _decide(svc, referral, new)
    write_people(referral, old, new)
    for key, value in decision.items():
        setattr(referral, key, value)
    svc.session.flush()
    relink_repeat(svc, referral)  # a match a coordinator confirmed still counts
    after = _derived(referral)
    given |= changes(before, after)
    number = svc.session.scalar(
        select(func.coalesce(func.max(ReferralVersion.number), 0)).where(
            ReferralVersion.referral_id == referral.id
        )
    )
    version = ReferralVersion(
        id=uuid.uuid4(),
        referral_id=referral.id,
        number=int(number or 0) + 1,
        changed_by_id=actor.user_id,
        status_then=referral.status,
        fields=sorted(given),
    )
    version.reason = reason
    version.changes = given
    svc.session.add(version)
    svc.session.flush()
    named = {f for p in given if (f := protocol_field(p))}
    audit.record(svc.session, actor, "update", "referral", referral.id, named)
    _tell_coordinators(svc, actor, referral, version)
    by = svc.session.get(User, actor.user_id) if actor.user_id else None
    return {
        "version": version_view(version, granted, {by.id: by} if by else {}),
        "referral": state(referral, granted),
    }


def _tell_coordinators(
    svc: Services, actor: Actor, referral: Referral, version: ReferralVersion
) -> int:
    """An e-mail to each of the panel's coordinators but the one amending: the reference and a
    link, never what changed (that is personal data, read on the service)."""
    panel = svc.session.get(Panel, referral.panel_id)
    name = panel.name if panel else "the panel"
    subject = f"Referral {referral.reference} amended"
    body = (
        f"Referral {referral.reference} to {name} has been amended (version {version.number}). "
        f"Its risk and repeat decisions were taken again; see what changed on the referral's "
        f"versions page.\n\n{link(svc, f'/referrals/{referral.id}/versions')}"
    )
    told = 0
    for user in panel_staff(svc, referral.panel_id, "coordinator"):
        if user.id == actor.user_id:
            continue
        key = f"amended:{version.id}:{user.id}"
        told += queue(svc.session, user.email, subject, body + FOOTER, key) is not None
    return told
