"""Staff accounts, their server-side sessions, API tokens and sign-in failures."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, LargeBinary, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.agencies.models import Agency
from casework.crypto import Sealed, encrypted
from casework.db import Base, UUIDPrimaryKey, utcnow


class User(UUIDPrimaryKey, Base):
    __tablename__ = "users"

    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    locked_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    agency: Mapped[Agency] = relationship(lazy="joined")
    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="UserRole.role"
    )

    @property
    def can_sign_in(self) -> bool:
        """A disabled account, or any account of a disabled agency, is refused."""
        return self.active and self.agency.active

    @property
    def locked(self) -> bool:
        """Locked by repeated failed sign-ins (``locked_until`` stays set once it has passed)."""
        return self.locked_until is not None and self.locked_until > utcnow()

    @property
    def roles(self) -> list[str]:
        return [r.role for r in self.role_rows]

    def set_roles(self, roles: list[str]) -> None:
        wanted = set(roles)
        self.role_rows = [r for r in self.role_rows if r.role in wanted]
        have = {r.role for r in self.role_rows}
        self.role_rows.extend(UserRole(role=r) for r in sorted(wanted - have))


class UserRole(Base):
    __tablename__ = "user_roles"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(32), primary_key=True)


class UserSession(UUIDPrimaryKey, Base):
    """A signed-in browser. The cookie holds a random token; only its hash is stored."""

    __tablename__ = "user_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    # Half signed in: the password was right, the second factor is still to come. Such a row
    # opens only the second step (``casework.accounts.second_factor``), never a page.
    pending: Mapped[bool] = mapped_column(default=False, server_default=false())
    # When this browser last proved a second factor: sensitive steps ask again after a while.
    factor_at: Mapped[datetime | None]
    # The WebAuthn challenge this browser was last given, kept server-side and used once.
    challenge: Mapped[str | None] = mapped_column(String(128))

    user: Mapped[User] = relationship(lazy="joined")


class ApiToken(UUIDPrimaryKey, Base):
    __tablename__ = "api_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined")


class LoginFailure(UUIDPrimaryKey, Base):
    __tablename__ = "login_failures"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class RateCount(Base):
    """How often one rate-limited thing happened in one fixed window (``casework.accounts.limits``).

    Kept in the database so every worker process and every instance counts together. ``key``
    names the limit and an HMAC of what is counted (an address, an e-mail, a token), never the
    value itself; ``window_start`` is the window's first second (Unix time).
    """

    __tablename__ = "rate_counts"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    window_start: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    count: Mapped[int] = mapped_column(default=0)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class TotpFactor(Base):
    """An authenticator app's shared secret, sealed with the user's id as associated data
    (the row's id *is* the user's id), so a secret copied to another account does not open."""

    __tablename__ = "totp_factors"

    id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    secret_ct: Mapped[bytes | None] = mapped_column("secret", Sealed())
    secret = encrypted("secret_ct", kind="str")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # None until the user has typed a first code: an unconfirmed secret signs nobody in.
    confirmed_at: Mapped[datetime | None]
    # The last time step a code was accepted for: that step and earlier ones are refused.
    last_step: Mapped[int | None] = mapped_column(BigInteger)

    def __init__(self, **kwargs: object) -> None:
        self.id = kwargs.pop("id")  # type: ignore[assignment]  # bound before the secret
        super().__init__(**kwargs)


class RecoveryCode(UUIDPrimaryKey, Base):
    """One single-use recovery code, kept only as a keyed hash (``casework.accounts.recovery``)."""

    __tablename__ = "recovery_codes"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(80), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]


class SecurityKey(UUIDPrimaryKey, Base):
    """A registered WebAuthn credential (security key or passkey): public material only."""

    __tablename__ = "security_keys"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    credential_id: Mapped[str] = mapped_column(String(1400), unique=True)  # base64url
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    sign_count: Mapped[int] = mapped_column(BigInteger, default=0)
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
