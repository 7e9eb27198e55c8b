"""Ten single-use recovery codes, for the day the phone is lost.

Codes are random (about 60 bits each), so a keyed hash is enough to keep them: HMAC-SHA256
under a key derived from the key ring (the blind-index key, at full length and bound to the
account), rather than a slow password hash. A copied database alone cannot test guesses, and
a code is found with one indexed look-up. A new set replaces the old one entirely.
"""

from __future__ import annotations

import secrets

from sqlalchemy import delete, select

from casework.accounts.models import RecoveryCode, User
from casework.crypto import blind_index, blind_index_candidates, current_ring
from casework.db import utcnow
from casework.services import Services

COUNT = 10
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off paper without doubt
INDEX = "recovery_code"


def _new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def _normal(code: str) -> str:
    """Spaces, hyphens and case do not matter when a code is typed back."""
    return "".join(ch for ch in code.lower() if ch.isalnum())


def replace_codes(svc: Services, user: User) -> list[str]:
    """A fresh set of codes, shown once; the old set stops working."""
    svc.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_new_code() for _ in range(COUNT)]
    ring = current_ring()
    for code in codes:
        digest = blind_index(ring, INDEX, str(user.id), _normal(code), bits=256)
        svc.session.add(RecoveryCode(user_id=user.id, code_hash=digest))
    return codes


def use_code(svc: Services, user: User, code: str) -> bool:
    """Spend one code: True the first time a right code is given, never again."""
    normal = _normal(code)
    if len(normal) != 12:
        return False
    hashes = blind_index_candidates(current_ring(), INDEX, str(user.id), normal, bits=256)
    row = svc.session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash.in_(hashes),
            RecoveryCode.used_at.is_(None),
        )
    )
    if row is None:
        return False
    row.used_at = utcnow()
    return True


def clear_codes(svc: Services, user_id: object) -> None:
    svc.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
