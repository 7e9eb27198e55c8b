"""People change their own password: the current one is asked for, the new one must resist
guessing (``casework.accounts.passwords``), and every other sign-in of the account ends.

Someone who finds a signed-in browser must not be able to take the account over, so the
current password is required and a wrong one counts towards the same lock as a failed
sign-in; the lock ends every session. Ending the other sessions on a change is what people
expect when they change a password they think someone else knows. API tokens are left
alone: they are revoked one by one, and an integration should not stop because a person
changed their password.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from marshmallow import fields, validate
from sqlalchemy import func, select, update

from casework.accounts import notices
from casework.accounts.actions import account_words, check_password
from casework.accounts.auth import digest
from casework.accounts.models import LoginFailure, User, UserSession
from casework.actors import Actor
from casework.audit import log as audit
from casework.authz import action, signed_in
from casework.db import utcnow
from casework.errors import Invalid, NotVisible
from casework.schemas import StrictSchema, load
from casework.services import Services

WRONG_CURRENT = "Enter your current password correctly"


class OwnPasswordIn(StrictSchema):
    current_password = fields.String(
        required=True,
        validate=validate.Length(min=1, max=1024, error=WRONG_CURRENT),
        error_messages={"required": "Enter your current password"},
    )
    new_password = fields.String(required=True, error_messages={"required": "Enter a new password"})


def _wrong_current(svc: Services, user: User) -> None:
    """Count the failure as a failed sign-in would; at the limit, lock and sign out."""
    s = svc.settings
    now = utcnow()
    svc.session.add(LoginFailure(user_id=user.id, at=now))
    svc.session.flush()
    window = now - timedelta(minutes=s["LOCKOUT_WINDOW_MINUTES"])
    failures = svc.session.scalar(
        select(func.count())
        .select_from(LoginFailure)
        .where(LoginFailure.user_id == user.id, LoginFailure.at >= window)
    )
    if failures >= s["LOCKOUT_FAILURES"] and not user.locked:
        user.locked_until = now + timedelta(minutes=s["LOCKOUT_MINUTES"])
        notices.account_locked(svc, user, user.locked_until)
        _end_sessions(svc, user, keep=None)


def _end_sessions(svc: Services, user: User, keep: str | None) -> None:
    """End the account's open browser sessions except the one with hash ``keep``."""
    stmt = update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    if keep is not None:
        stmt = stmt.where(UserSession.token_hash != keep)
    svc.session.execute(stmt.values(ended_at=utcnow()).execution_options(synchronize_session=False))


@action(reads=())  # the caller's own account, no case data
def change_own_password(
    svc: Services, actor: Actor, data: Any, *, current_session: str | None = None
) -> User:
    """``current_session``: the secret of the browser session making the change, which stays
    signed in; every other session of the account ends."""
    signed_in(actor)
    user = svc.session.get(User, actor.user_id) if actor.user_id else None
    if user is None or not user.can_sign_in:
        raise NotVisible()
    values = load(OwnPasswordIn(), data)
    if not svc.hasher.verify(user.password_hash, values["current_password"]):
        _wrong_current(svc, user)
        audit.record(svc.session, actor, "sign-in-failure", "user", user.id, ("password",))
        svc.session.commit()  # the failure counts even though the answer is an error
        raise Invalid({"current_password": [WRONG_CURRENT]})
    if values["new_password"] == values["current_password"]:
        raise Invalid({"new_password": ["Enter a new password, not your current one"]})
    check_password(svc, values["new_password"], "new_password", about=account_words(user))
    user.password_hash = svc.hasher.hash(values["new_password"])
    _end_sessions(svc, user, keep=digest(current_session) if current_session else None)
    audit.record(svc.session, actor, "update", "user", user.id, ("password",))
    return user
