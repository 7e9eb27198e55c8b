"""Sign-in, server-side sessions and API tokens.

Session cookies and API tokens carry a random secret; the database keeps only its SHA-256,
so a copied database cannot be replayed and a revoked session is refused on the next request.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Select, bindparam, func, select, update
from sqlalchemy.orm import joinedload

from casework.accounts import notices
from casework.accounts.actions import find_by_email
from casework.accounts.factors import has_second_factor
from casework.accounts.models import ApiToken, LoginFailure, User, UserRole, UserSession
from casework.actors import Actor
from casework.agencies.models import Agency
from casework.audit import log as audit
from casework.db import defer_write, utcnow
from casework.services import Services

TOKEN_PREFIX = "cw_"  # noqa: S105  (a label, not a secret)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def actor_for(user: User, via: str = "web") -> Actor:
    agency = user.agency
    return Actor(
        user_id=user.id,
        email=user.email,
        agency_id=agency.id,
        agency_code=agency.code,
        sector=agency.sector,
        is_police=agency.is_police,
        roles=frozenset(user.roles),
        via=via,
    )


@dataclass
class SignInResult:
    """``user`` when signed in, else None. Deliberately nothing more: the caller answers every
    failure (unknown e-mail, wrong password, locked or disabled account) the same way."""

    user: User | None


def authenticate(svc: Services, email: str, password: str) -> SignInResult:
    """One answer, and one Argon2 verification, for every attempt.

    An unknown e-mail is verified against a dummy hash made once (``Hasher``), and a locked
    account's password is still checked, so neither can be told apart by timing. Five
    failures within the window lock the account for a fixed time; its owner is told by e-mail
    (the sign-in page never says), and admins see the lock on the user list.
    """
    user = find_by_email(svc, email)
    ok = svc.hasher.verify(user.password_hash if user else None, password)
    if user is None:
        return SignInResult(None)
    if ok and user.can_sign_in and not user.locked:
        if not has_second_factor(svc, user):
            # With a second factor the count is cleared by the second step instead, or a
            # known password would buy fresh guesses at the code on every sign-in.
            clear_failures(svc, user)
        if svc.hasher.needs_rehash(user.password_hash):
            user.password_hash = svc.hasher.hash(password)
        audit.record(svc.session, actor_for(user), "sign-in", "user", user.id, ("password",))
        return SignInResult(user)
    record_failure(svc, user, counts=not ok)
    return SignInResult(None)


def clear_failures(svc: Services, user: User) -> None:
    svc.session.execute(LoginFailure.__table__.delete().where(LoginFailure.user_id == user.id))
    user.locked_until = None


def record_failure(svc: Services, user: User, *, counts: bool = True) -> None:
    """A failed sign-in step (password or second factor): audited, and with ``counts`` one
    more towards the lock. Five within the window lock the account for a fixed time; its owner
    is told by e-mail (the sign-in pages never say), and admins see the lock."""
    s = svc.settings
    now = utcnow()
    locked = user.locked
    if counts:
        svc.session.add(LoginFailure(user_id=user.id, at=now))
        svc.session.flush()
        window = now - timedelta(minutes=s["LOCKOUT_WINDOW_MINUTES"])
        failures = svc.session.scalar(
            select(func.count())
            .select_from(LoginFailure)
            .where(LoginFailure.user_id == user.id, LoginFailure.at >= window)
        )
        if failures >= s["LOCKOUT_FAILURES"] and not locked:
            user.locked_until = now + timedelta(minutes=s["LOCKOUT_MINUTES"])
            notices.account_locked(svc, user, user.locked_until)
    audit.record(svc.session, actor_for(user), "sign-in-failure", "user", user.id)


def start_session(svc: Services, user: User, *, pending: bool = False, factor: bool = False) -> str:
    """A fresh identifier at every sign-in (no session fixation). ``pending`` makes a
    half-signed-in row, which only the second step accepts; ``factor`` notes that a second
    factor was just given."""
    secret = secrets.token_urlsafe(32)
    svc.session.add(
        UserSession(
            token_hash=digest(secret),
            user_id=user.id,
            pending=pending,
            factor_at=utcnow() if factor else None,
        )
    )
    return secret


def find_session(svc: Services, secret: str) -> UserSession | None:
    return svc.session.scalar(select(UserSession).where(UserSession.token_hash == digest(secret)))


# The session with its user, agency and roles in one query: every page starts here.
_SESSION_WITH_USER = (joinedload(UserSession.user).joinedload(User.role_rows),)


def resolve_session(svc: Services, secret: str) -> User | None:
    s = svc.settings
    row = (
        svc.session.scalars(
            select(UserSession)
            .options(*_SESSION_WITH_USER)
            .where(UserSession.token_hash == digest(secret))
        )
        .unique()
        .one_or_none()
    )
    if row is None or row.ended_at is not None or row.pending or not row.user.can_sign_in:
        return None
    now = utcnow()
    idle = timedelta(minutes=s["SESSION_IDLE_MINUTES"])
    absolute = timedelta(hours=s["SESSION_ABSOLUTE_HOURS"])
    if now - row.last_seen_at > idle or now - row.created_at > absolute:
        row.ended_at = now
        return None
    # Touch at most once a minute: an idle clock needs no write on every request.
    if now - row.last_seen_at > timedelta(minutes=1):  # written as the request commits
        seen = update(UserSession).where(UserSession.id == row.id).values(last_seen_at=now)
        defer_write(svc.session, seen)
    return row.user


def end_session(svc: Services, secret: str) -> None:
    row = svc.session.scalar(select(UserSession).where(UserSession.token_hash == digest(secret)))
    if row is not None and row.ended_at is None:
        row.ended_at = utcnow()
        audit.record(svc.session, actor_for(row.user), "sign-out", "user", row.user_id)


def create_token(svc: Services, user: User) -> tuple[ApiToken, str]:
    """Returns the row and the secret; the secret is shown once and never stored."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(token_hash=digest(secret), user_id=user.id)
    svc.session.add(token)
    return token, secret


def _token_statement() -> Select:
    """Token, user, agency and roles in one Core statement, built once: every API request
    starts here, and whole mapped objects cost more than the rest of a small read."""
    token, user = ApiToken.__table__.c, User.__table__.c
    agency, role = Agency.__table__.c, UserRole.__table__.c
    return (
        select(
            token.id,
            token.revoked_at,
            token.last_used_at,
            user.id.label("user_id"),
            user.email,
            user.active,
            agency.id.label("agency_id"),
            agency.code,
            agency.sector,
            agency.is_police,
            agency.active.label("agency_active"),
            role.role,
        )
        .join_from(ApiToken.__table__, User.__table__, user.id == token.user_id)
        .join(Agency.__table__, agency.id == user.agency_id)
        .outerjoin(UserRole.__table__, role.user_id == user.id)
        .where(token.token_hash == bindparam("token_hash"))
    )


_TOKEN = _token_statement()


def resolve_token(svc: Services, secret: str) -> Actor | None:
    """The caller an API token speaks for, or None if it is unknown, revoked, or its user or
    agency is disabled."""
    rows = svc.session.connection().execute(_TOKEN, {"token_hash": digest(secret)}).all()
    if not rows:
        return None
    first = rows[0]
    if first.revoked_at is not None or not (first.active and first.agency_active):
        return None
    now = utcnow()
    if first.last_used_at is None or now - first.last_used_at > timedelta(minutes=1):
        used = update(ApiToken).where(ApiToken.id == first.id).values(last_used_at=now)
        defer_write(svc.session, used)  # written as the request commits: a read stays a read
    return Actor(
        user_id=first.user_id,
        email=first.email,
        agency_id=first.agency_id,
        agency_code=first.code,
        sector=first.sector,
        is_police=first.is_police,
        roles=frozenset(row.role for row in rows if row.role is not None),
        via="api",
    )


def revoke_token(svc: Services, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()


def revoke_secret(svc: Services, secret: str) -> None:
    token = svc.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(secret)))
    if token is not None:
        revoke_token(svc, token)
