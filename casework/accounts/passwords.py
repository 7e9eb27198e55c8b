"""Password policy and hashing (Argon2id, NCSC/NIST style: length over complexity rules).

A password is judged by how easily it is guessed (zxcvbn, score 3 or more), not by what it
is made of: no composition rules and no expiry (NCSC). zxcvbn is told who the account is for
(e-mail, name, agency, the service's name) so a password built from them is judged weak, and
its feedback is reworded into plain sentences people can act on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

COMMON_PASSWORD_COUNT = 1000
MIN_SCORE = 3
# zxcvbn judges at most 72 characters (its cost grows with length); a longer password is
# judged by its first 72, and is never weaker than them.
JUDGED_LENGTH = 72

# zxcvbn's warnings, said plainly. A warning not listed here is shown as zxcvbn words it.
WARNINGS = {
    "Straight rows of keys are easy to guess.": "It uses a row of keys on the keyboard",
    "Short keyboard patterns are easy to guess.": "It uses a pattern of keys on the keyboard",
    'Repeats like "aaa" are easy to guess.': "It repeats the same character",
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".': (
        "It repeats the same word or characters"
    ),
    "Sequences like abc or 6543 are easy to guess.": "It uses a sequence such as abc or 6543",
    "Recent years are easy to guess.": "It uses a recent year",
    "Dates are often easy to guess.": "It uses a date",
    "This is a top-10 common password.": "It is one of the most used passwords",
    "This is a top-100 common password.": "It is one of the most used passwords",
    "This is a very common password.": "It is a very common password",
    "This is similar to a commonly used password.": "It is too like a common password",
    "A word by itself is easy to guess.": "A single word is easy to guess",
    "Names and surnames by themselves are easy to guess.": "A name on its own is easy to guess",
    "Common names and surnames are easy to guess.": "It uses common names",
}
ADVICE = "Use three or four unrelated words, or a longer phrase only you would think of"


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The most used passwords from breach corpora, as ranked in zxcvbn's frequency list."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"][:COMMON_PASSWORD_COUNT])


def context_words(*values: str | None) -> list[str]:
    """What someone guessing would try first for this account: each value whole and in its
    parts (an e-mail's local part and domain, each word of a name)."""
    words: list[str] = []
    for value in values:
        if not value:
            continue
        value = value.strip().lower()
        words.append(value)
        words.extend(w for w in re.split(r"[^\w]+", value) if len(w) >= 3)
    return list(dict.fromkeys(words))


def _guessability(password: str, user_inputs: Iterable[str]) -> list[str]:
    """Why zxcvbn thinks the password is guessed too easily (empty: it is not)."""
    inputs = list(user_inputs)
    result = zxcvbn(password[:JUDGED_LENGTH], user_inputs=inputs)
    if result["score"] >= MIN_SCORE:
        return []
    reasons: list[str] = []
    if any(m.get("dictionary_name") == "user_inputs" for m in result["sequence"]):
        reasons.append("It uses your name, e-mail address, agency or the service's name")
    warning = result["feedback"].get("warning") or ""
    if warning:
        reasons.append(WARNINGS.get(warning, warning.rstrip(".")))
    if not reasons:
        reasons.append("It would be too easy to guess")
    return [f"Password is too easy to guess. {r}. {ADVICE}" for r in dict.fromkeys(reasons)]


def password_problems(
    password: str, *, min_length: int, max_length: int, user_inputs: Iterable[str] = ()
) -> list[str]:
    """Checked exactly as typed: no trimming, no truncation, no normalisation."""
    problems = []
    if len(password) < min_length:
        problems.append(f"Password must be {min_length} characters or more")
    if len(password) > max_length:
        problems.append(f"Password must be {max_length} characters or fewer")
    if password.lower() in common_passwords():
        problems.append("Password is too common; choose a longer phrase of unrelated words")
    if not problems:
        problems.extend(_guessability(password, user_inputs))
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
