"""What an administrator sees of an account's second factors: which kinds it has and how many
recovery codes are left, never a secret, a key's id or a code. Enough to answer "why is she
not asked for a code?" or "has he set up his phone yet?" before a reset."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from casework.accounts.models import RecoveryCode, SecurityKey, TotpFactor, User
from casework.actors import Actor
from casework.authz import action, require_role
from casework.services import Services


@dataclass(frozen=True)
class FactorSummary:
    app: bool
    keys: int
    codes_left: int

    @property
    def any(self) -> bool:
        return self.app or self.keys > 0

    def parts(self) -> list[str]:
        """In words, e.g. ["App", "2 security keys", "8 recovery codes left"]."""
        if not self.any:
            return []
        out = ["App"] if self.app else []
        if self.keys:
            out.append(f"{self.keys} security key{'s' if self.keys != 1 else ''}")
        out.append(f"{self.codes_left} recovery code{'s' if self.codes_left != 1 else ''} left")
        return out


@action
def factor_summaries(
    svc: Services, actor: Actor, users: Iterable[User]
) -> dict[uuid.UUID, FactorSummary]:
    """Each account's summary, in three queries whatever the number of accounts."""
    require_role(actor, "admin")
    ids = [u.id for u in users]
    if not ids:
        return {}
    apps = set(
        svc.session.scalars(
            select(TotpFactor.id).where(
                TotpFactor.id.in_(ids), TotpFactor.confirmed_at.is_not(None)
            )
        )
    )
    keys = Counter(
        svc.session.scalars(select(SecurityKey.user_id).where(SecurityKey.user_id.in_(ids)))
    )
    codes = Counter(
        svc.session.scalars(
            select(RecoveryCode.user_id).where(
                RecoveryCode.user_id.in_(ids), RecoveryCode.used_at.is_(None)
            )
        )
    )
    return {i: FactorSummary(i in apps, keys[i], codes[i]) for i in ids}
