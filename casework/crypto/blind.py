"""Blind indexes: keyed, truncated hashes that let encrypted values be found by equality.

An index is ``HMAC-SHA256(k_index, normalised parts)`` truncated to a few bits and prefixed
with its key id, e.g. ``"k1:3fa2c01b"``. The HMAC key is derived per index name from the
version's ``idx`` root, so indexes cannot be compared across names and the ``enc`` secret is
never involved.

Safety rules, because an index is a deterministic function of the value:

* Never index low-entropy values alone (surname, date of birth, postcode, sex, a yes/no):
  anyone holding the index key, or able to insert chosen rows, can enumerate them. Index them
  only in combination, e.g. ``blind_index(ring, "person_name_dob", surname, dob.isoformat())``.
* Never index free text (notes, narratives): it is not looked up by equality and leaks
  repetition between rows.
* Truncation is deliberate. Short indexes (32 bits by default) collide on purpose across a
  large table, so equal index values do not prove equal plaintexts; callers must decrypt the
  candidate rows and compare. That trade keeps frequency analysis weaker.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import unicodedata

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from casework.crypto.keyring import KeyRing

_HYPHENS = "-\u2010\u2011\u2013\u2014"
_APOSTROPHES = "'\u2019\u2018`\u00b4\u02bc"
_DROP = frozenset(_HYPHENS + _APOSTROPHES)
_SEP = "\x1f"
# For ASCII text NFKD changes nothing, casefold is lower() and nothing combines: only these go.
_ASCII_DROPPED = {c: None for c in range(128) if chr(c).isspace() or chr(c) in _DROP}


def normalise(text: str) -> str:
    """Reduce a value to the form people mean when they say two names are the same.

    NFKD then strip combining marks (Ó -> O), casefold (stronger than lower: ß -> ss), and drop
    whitespace, hyphens and apostrophes, so "O'Brien", "o’brien", "Ó Brien" and "o-brien" all
    become "obrien". Python counts the unit separator (\\x1f) as whitespace, so it is removed
    too and cannot be smuggled into a part to shift the boundary between parts.
    """
    if text.isascii():  # most names and every date: the same answer, a step instead of three
        return text.lower().translate(_ASCII_DROPPED)
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    return "".join(
        ch
        for ch in decomposed
        if not unicodedata.combining(ch) and not ch.isspace() and ch not in _DROP
    )


@functools.lru_cache(maxsize=1024)
def _index_key(root: bytes, name: str) -> bytes:
    """Per-index HMAC key. Cached by root secret (not key id) so rings never share keys."""
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=b"casework/index/v1/" + name.encode(),
    ).derive(root)


def blind_index(
    ring: KeyRing, name: str, *parts: str, bits: int = 32, key_id: str | None = None
) -> str:
    """The blind index of ``parts`` for index ``name`` under ``key_id`` (default: primary).

    Parts are normalised and joined with \\x1f. Only index low-entropy values in combination
    (surname + date of birth), never alone and never free text; see the module docstring.
    Raises ``ValueError`` for an empty part, since all empty values would share one index.
    """
    if not name:
        raise ValueError("index name must not be empty")
    if bits % 4 or not 8 <= bits <= 256:
        raise ValueError("bits must be a multiple of 4 between 8 and 256")
    if not parts:
        raise ValueError(f"index {name!r} needs at least one part")
    normalised = []
    for i, part in enumerate(parts):
        if not isinstance(part, str):
            raise TypeError(f"index {name!r} part {i} is {type(part).__name__}, not str")
        value = normalise(part)
        if not value:
            raise ValueError(f"index {name!r} part {i} is empty after normalisation")
        normalised.append(value)
    kid = ring.primary if key_id is None else key_id
    version = ring.get(kid)
    if version is None:
        raise KeyError(f"key {kid!r} is not in the key ring")
    digest = hmac.new(
        _index_key(version.idx, name), _SEP.join(normalised).encode(), hashlib.sha256
    ).hexdigest()
    return f"{kid}:{digest[: bits // 4]}"


def blind_index_candidates(ring: KeyRing, name: str, *parts: str, bits: int = 32) -> list[str]:
    """The index under every key in the ring, primary first, for ``WHERE ix IN (...)``.

    While a rotation is half done some rows are indexed under an old key; looking up all
    candidates finds them without knowing which rows have been re-indexed yet.
    """
    return [blind_index(ring, name, *parts, bits=bits, key_id=kid) for kid in ring.key_ids]
