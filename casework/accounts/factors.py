"""Which second factors an account has: the one question sign-in and the pages both ask."""

from __future__ import annotations

from sqlalchemy import exists, select

from casework.accounts.models import RecoveryCode, SecurityKey, TotpFactor, User
from casework.services import Services


def confirmed_totp(svc: Services, user: User) -> TotpFactor | None:
    """The account's authenticator app, once a first code has confirmed it."""
    factor = svc.session.get(TotpFactor, user.id)
    return factor if factor is not None and factor.confirmed_at is not None else None


def security_keys(svc: Services, user: User) -> list[SecurityKey]:
    return list(
        svc.session.scalars(
            select(SecurityKey)
            .where(SecurityKey.user_id == user.id)
            .order_by(SecurityKey.created_at)
        )
    )


def has_security_key(svc: Services, user: User) -> bool:
    return bool(svc.session.scalar(select(exists().where(SecurityKey.user_id == user.id))))


def has_second_factor(svc: Services, user: User) -> bool:
    """An authenticator app or a security key. Recovery codes alone are not a factor: they
    stand in for one that was lost, and are made only with one."""
    return confirmed_totp(svc, user) is not None or has_security_key(svc, user)


def recovery_codes_left(svc: Services, user: User) -> int:
    return len(
        svc.session.scalars(
            select(RecoveryCode.id).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        ).all()
    )
