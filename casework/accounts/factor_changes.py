"""Changing one's own second factors: replacing the authenticator app, renaming or removing a
security key, and turning two-factor sign-in off where the setting allows it.

A new app's secret is not stored until its first code confirms it: until then it travels in
the page as an envelope sealed to this browser's session row (another browser, or another
account, cannot open it), so the old app keeps working if the user gives up half way. Where
every account must have a second factor, the last one cannot be removed.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from casework.accounts import totp
from casework.accounts.auth import actor_for
from casework.accounts.factors import confirmed_totp, security_keys
from casework.accounts.models import RecoveryCode, SecurityKey, TotpFactor, User, UserSession
from casework.accounts.second_factor import required
from casework.audit import log as audit
from casework.crypto import DecryptionError, current_ring, open_, seal
from casework.db import utcnow
from casework.services import Services
from casework.text_rules import text_problem

LAST_FACTOR = (
    "You cannot remove your only second factor: every account must have one. Add another one first."
)
KEY_NAME_MAX = 100
# Where the sealed envelope says it belongs (associated data: table, column, session row).
_TABLE, _COLUMN = "user_sessions", "totp_replacement"


def _audit(svc: Services, user: User, field: str) -> None:
    audit.record(svc.session, actor_for(user), "update", "user", user.id, (field,))


# --- Replacing the authenticator app -------------------------------------------------------


def offer_replacement(svc: Services, row: UserSession) -> tuple[str, str]:
    """A new secret for the app and the sealed envelope the page sends back with its code."""
    secret = totp.new_secret()
    plain = json.dumps({"secret": secret, "at": utcnow().isoformat()}).encode()
    envelope = seal(current_ring(), _TABLE, _COLUMN, row.id, plain)
    return secret, base64.urlsafe_b64encode(envelope).decode("ascii")


def offered_secret(svc: Services, row: UserSession, token: str) -> str | None:
    """The secret an envelope from this browser holds, while it is fresh; None otherwise."""
    try:
        envelope = base64.urlsafe_b64decode(token.encode("ascii"))
        plain = json.loads(open_(current_ring(), _TABLE, _COLUMN, row.id, envelope))
        made = datetime.fromisoformat(plain["at"])
        secret = plain["secret"]
    except (DecryptionError, ValueError, KeyError, TypeError, UnicodeError, binascii.Error):
        return None
    limit = timedelta(minutes=svc.settings["SECOND_FACTOR_PENDING_MINUTES"])
    return secret if isinstance(secret, str) and utcnow() - made <= limit else None


def replace_app(svc: Services, row: UserSession, token: str, code: str) -> bool:
    """Swap in the new app's secret once a code from it is right; the old one stops working.
    The recovery codes stay as they were (they stand in for the account, not the app)."""
    secret = offered_secret(svc, row, token)
    factor = confirmed_totp(svc, row.user)
    if secret is None or factor is None:
        return False
    step = totp.matching_step(secret, "".join(code.split()), utcnow())
    if step is None:
        return False
    factor.secret = secret
    factor.confirmed_at = utcnow()
    factor.last_step = step
    _audit(svc, row.user, "second_factor")
    return True


# --- Removing factors -----------------------------------------------------------------------


def removal_refusal(svc: Services, user: User, *, key_id: uuid.UUID | None = None) -> str | None:
    """Why removing the key ``key_id`` (or, without one, every factor) is refused, or None."""
    if not required(svc):
        return None
    if key_id is None:
        return LAST_FACTOR
    others = [k for k in security_keys(svc, user) if k.id != key_id]
    return None if others or confirmed_totp(svc, user) is not None else LAST_FACTOR


def turn_off(svc: Services, user: User) -> str | None:
    """Remove the app, the security keys and the recovery codes (codes alone are no factor):
    the refusal when the setting requires a factor, else None once done."""
    refusal = removal_refusal(svc, user)
    if refusal is not None:
        return refusal
    svc.session.execute(delete(TotpFactor).where(TotpFactor.id == user.id))
    for model in (RecoveryCode, SecurityKey):
        svc.session.execute(delete(model).where(model.user_id == user.id))
    _audit(svc, user, "second_factor")
    return None


def drop_codes_without_factor(svc: Services, user: User) -> None:
    """After the last key went (where that is allowed): its recovery codes go with it."""
    if confirmed_totp(svc, user) is None and not security_keys(svc, user):
        svc.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


# --- Naming a security key ------------------------------------------------------------------


def own_key(svc: Services, user: User, key_id: str) -> SecurityKey | None:
    try:
        wanted = uuid.UUID(key_id)
    except ValueError:
        return None
    return svc.session.scalar(
        select(SecurityKey).where(SecurityKey.user_id == user.id, SecurityKey.id == wanted)
    )


def name_problem(name: str) -> str | None:
    if not name.strip():
        return "Enter a name for the security key"
    if len(name.strip()) > KEY_NAME_MAX:
        return f"Name must be {KEY_NAME_MAX} characters or fewer"
    return text_problem(name)


def rename_key(svc: Services, user: User, key: SecurityKey, name: str) -> str | None:
    """The problem with ``name``, or None once the key is renamed."""
    problem = name_problem(name)
    if problem is not None:
        return problem
    key.name = name.strip()
    _audit(svc, user, "security_keys")
    return None
