"""Password policy and hashing (Argon2id, NCSC/NIST style: length over complexity rules)."""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

COMMON_PASSWORD_COUNT = 1000


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The most used passwords from breach corpora, as ranked in zxcvbn's frequency list."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"][:COMMON_PASSWORD_COUNT])


def password_problems(password: str, *, min_length: int, max_length: int) -> list[str]:
    """Checked exactly as typed: no trimming, no truncation, no normalisation."""
    problems = []
    if len(password) < min_length:
        problems.append(f"Password must be {min_length} characters or more")
    if len(password) > max_length:
        problems.append(f"Password must be {max_length} characters or fewer")
    if password.lower() in common_passwords():
        problems.append("Password is too common; choose a longer phrase of unrelated words")
    return problems


class Hasher:
    def __init__(self, *, time_cost: int, memory_kib: int, parallelism: int) -> None:
        self._ph = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID
        )
        # Verified against when the e-mail is unknown, so both paths cost the same.
        self._dummy = self._ph.hash("not a real password: equalises sign-in timing")

    def hash(self, password: str) -> str:
        return self._ph.hash(password)

    def verify(self, stored: str | None, password: str) -> bool:
        try:
            return self._ph.verify(stored or self._dummy, password) and stored is not None
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        return self._ph.check_needs_rehash(stored)
