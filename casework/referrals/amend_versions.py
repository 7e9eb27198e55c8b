"""A referral's versions as a reader may see them.

A version names who changed the referral, when, and each changed path with its values before
and after. A path is shown only when the sharing engine grants the reader its protocol field
now (``amend_diff.shown_to``): a reader who may not see the victim's address does not learn
that it changed, nor from what. The reason is free text about the case, so it goes with the
referral's narrative (``summary``).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from casework.accounts.models import User
from casework.actors import Actor
from casework.audit import log as audit
from casework.authz import action
from casework.db import as_uuid
from casework.referrals.amend_diff import protocol_field, shown_to
from casework.referrals.models import Referral
from casework.referrals.version_models import ReferralVersion
from casework.services import Services

# The protocol field the reason is shown with.
REASON_FIELD = "summary"


def version_view(
    version: ReferralVersion, granted: frozenset[str], users: Mapping[uuid.UUID, User]
) -> dict[str, Any]:
    """One version with only what ``granted`` shows (values are opened only when shown)."""
    paths = [p for p in version.fields if shown_to(p, granted)]
    values = version.changes or {} if paths else {}
    by = users.get(version.changed_by_id) if version.changed_by_id else None
    return {
        "id": str(version.id),
        "number": version.number,
        "at": version.created_at.isoformat(),
        "status": version.status_then,
        "by": None if by is None else {"id": str(by.id), "name": by.name, "email": by.email},
        "reason": version.reason if REASON_FIELD in granted else None,
        "changes": [
            {
                "field": p,
                "before": values.get(p, [None, None])[0],
                "after": values.get(p, [None])[-1],
            }
            for p in paths
        ],
    }


def shown_fields(versions: list[dict[str, Any]], granted: frozenset[str]) -> set[str]:
    """The protocol fields a list of versions disclosed, for its audit entry."""
    named = {f for v in versions for c in v["changes"] if (f := protocol_field(c["field"]))}
    if any(v["reason"] is not None for v in versions):
        named.add(REASON_FIELD)
    return named & granted


@action(reads=("referral",))
def list_versions(svc: Services, actor: Actor, referral_id: Any) -> dict[str, Any]:
    """The referral's header and its versions, oldest first, as the caller may see them; 404
    when they may not see the referral. Audited with the fields shown."""
    rid = as_uuid(referral_id)
    referral, granted = svc.sharing.get(svc.session, actor, Referral, rid, verb="view")
    versions = list(
        svc.session.scalars(
            select(ReferralVersion)
            .where(ReferralVersion.referral_id == referral.id)
            .order_by(ReferralVersion.number)
        )
    )
    ids = {v.changed_by_id for v in versions if v.changed_by_id}
    users = {u.id: u for u in svc.session.scalars(select(User).where(User.id.in_(ids)))}
    shown = [version_view(v, granted, users) for v in versions]
    audit.record(svc.session, actor, "view", "referral", referral.id, shown_fields(shown, granted))
    return {
        "id": str(referral.id),
        "reference": referral.reference,
        "status": referral.status,
        "versions": shown,
    }
