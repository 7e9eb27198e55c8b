"""Ending sign-ins for good: browser sessions ended and API tokens revoked, row by row.

Disabling an account, or a whole agency, writes the end into every session and token it
had. Enabling it again therefore brings none of them back: an old cookie or token stays
refused, and its owner signs in afresh. (A check of the account's or agency's flag alone
would let the old ones work again the moment the flag was turned back.)
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import Select, select, update

from casework.accounts.models import ApiToken, User, UserSession
from casework.db import utcnow
from casework.services import Services


def end_sessions(
    svc: Services, user_ids: Iterable[uuid.UUID] | Select, *, tokens: bool = True
) -> None:
    """End the open sessions of ``user_ids`` (ids or a query of them) and, with ``tokens``,
    revoke their API tokens."""
    ids = user_ids if isinstance(user_ids, Select) else list(user_ids)
    now = utcnow()
    svc.session.execute(
        update(UserSession)
        .where(UserSession.user_id.in_(ids), UserSession.ended_at.is_(None))
        .values(ended_at=now)
        .execution_options(synchronize_session=False)
    )
    if not tokens:
        return
    svc.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id.in_(ids), ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )


def end_agency_sessions(svc: Services, agency_id: uuid.UUID) -> None:
    """Every session and token of every account of the agency, as disabling it requires."""
    end_sessions(svc, select(User.id).where(User.agency_id == agency_id))
