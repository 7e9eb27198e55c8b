"""Two-step sign-in: a password, then a code from an authenticator app, a recovery code or a
security key.

After the password a browser is only *half* signed in: its session row is ``pending`` and
``auth.resolve_session`` refuses it, so no page will take it. Only the second step reads it
(``resolve_pending``), for a few minutes. The second step counts towards the same lock as the
password (``auth.record_failure``) and gives one answer to every failure, locked or not.
When it succeeds the pending row ends and a fresh session starts (a new identifier: nothing
issued before the second factor survives it).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import or_, update

from casework.accounts import recovery, totp
from casework.accounts.auth import (
    actor_for,
    clear_failures,
    find_session,
    record_failure,
    start_session,
)
from casework.accounts.factors import confirmed_totp, has_second_factor
from casework.accounts.models import TotpFactor, User, UserSession
from casework.audit import log as audit
from casework.db import utcnow
from casework.services import Services


def required(svc: Services) -> bool:
    return svc.settings.get("SECOND_FACTOR", "required") == "required"


def needs_second_step(svc: Services, user: User) -> bool:
    """Everyone with a factor gives it; without one, only when the setting requires it (and
    then the second step is setting one up)."""
    return has_second_factor(svc, user) or required(svc)


def begin(svc: Services, user: User) -> str:
    """The half-signed-in session's secret, for the browser that gave the right password."""
    return start_session(svc, user, pending=True)


def resolve_pending(svc: Services, secret: str | None) -> UserSession | None:
    if not secret:
        return None
    row = find_session(svc, secret)
    if row is None or not row.pending or row.ended_at is not None or not row.user.can_sign_in:
        return None
    limit = timedelta(minutes=svc.settings["SECOND_FACTOR_PENDING_MINUTES"])
    if utcnow() - row.created_at > limit:
        row.ended_at = utcnow()
        return None
    return row


def _accept_totp(svc: Services, factor: TotpFactor, code: str) -> bool:
    """A right code for a step later than the last one accepted. The step is moved forward by
    one conditional UPDATE, so two requests racing with the same code cannot both win."""
    step = totp.matching_step(factor.secret, code, utcnow())
    if step is None:
        return False
    moved = svc.session.execute(
        update(TotpFactor)
        .where(
            TotpFactor.id == factor.id,
            or_(TotpFactor.last_step.is_(None), TotpFactor.last_step < step),
        )
        .values(last_step=step)
        .execution_options(synchronize_session=False)
    )
    return moved.rowcount == 1


def check_code(svc: Services, user: User, code: str) -> str | None:
    """Which factor ``code`` proved ("totp" or "recovery-code"), or None. A recovery code is
    spent by being checked."""
    typed = "".join(code.split())
    if totp.looks_like_code(typed):
        factor = confirmed_totp(svc, user)
        return "totp" if factor is not None and _accept_totp(svc, factor, typed) else None
    return "recovery-code" if recovery.use_code(svc, user, typed) else None


def proved(svc: Services, user: User, how: str | None) -> bool:
    """Whether a factor checked as ``how`` lets the user on; a failure is counted and audited
    here. A locked or disabled account is refused even with a right factor, with the same
    answer as a wrong one (its owner has been told by e-mail)."""
    if how is not None and user.can_sign_in and not user.locked:
        return True
    record_failure(svc, user, counts=how is None)
    return False


def complete(svc: Services, row: UserSession) -> str:
    """End the half-signed-in row and start the real session: its secret."""
    user = row.user
    row.ended_at = utcnow()
    clear_failures(svc, user)
    audit.record(svc.session, actor_for(user), "sign-in", "user", user.id, ("second_factor",))
    return start_session(svc, user, factor=True)


def confirm_again(svc: Services, row: UserSession) -> None:
    """A signed-in browser proved its factor again (before a sensitive step)."""
    row.factor_at = utcnow()
    clear_failures(svc, row.user)


def recent(svc: Services, row: UserSession | None) -> bool:
    """Whether this browser gave a second factor within the last few minutes."""
    if row is None or row.factor_at is None:
        return False
    window = timedelta(minutes=svc.settings["SECOND_FACTOR_RECENT_MINUTES"])
    return utcnow() - row.factor_at <= window


# --- Setting up an authenticator app ------------------------------------------------------


def totp_to_confirm(svc: Services, user: User) -> TotpFactor | None:
    """The app being set up: a secret kept (sealed) until a first code confirms it, so a
    reloaded page shows the same QR code. None once an app is confirmed."""
    factor = svc.session.get(TotpFactor, user.id)
    if factor is not None and factor.confirmed_at is not None:
        return None
    if factor is None:
        factor = TotpFactor(id=user.id)
        factor.secret = totp.new_secret()
        svc.session.add(factor)
        svc.session.flush()
    return factor


def confirm_totp(svc: Services, user: User, code: str) -> list[str] | None:
    """Confirm the app with its first code: the new recovery codes (shown once), or None."""
    factor = svc.session.get(TotpFactor, user.id)
    if factor is None or factor.confirmed_at is not None:
        return None
    step = totp.matching_step(factor.secret, "".join(code.split()), utcnow())
    if step is None:
        return None
    factor.confirmed_at = utcnow()
    factor.last_step = step
    audit.record(svc.session, actor_for(user), "update", "user", user.id, ("second_factor",))
    return recovery.replace_codes(svc, user)


def new_recovery_codes(svc: Services, user: User) -> list[str]:
    audit.record(svc.session, actor_for(user), "update", "user", user.id, ("recovery_codes",))
    return recovery.replace_codes(svc, user)
