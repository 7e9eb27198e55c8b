"""The token rows of one person: keyed hashes of their name words and sounds.

Every hash is ``casework.crypto.blind_index`` under an index name of its own per kind, so a
word's hash cannot be compared with a sound's, nor either with any other blind index. With a
date of birth, each word and sound is hashed again together with it (``*_dob``): a search that
gives a date of birth asks for those, and a date of birth is never hashed alone.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from casework.crypto import blind_index, current_ring
from casework.crypto.indexes import candidates, index_bits
from casework.search.normalise import sounds, words

INDEX_NAMES = {
    "name": "search_name",
    "sound": "search_sound",
    "name_dob": "search_name_dob",
    "sound_dob": "search_sound_dob",
}


@dataclass(frozen=True)
class Person:
    """One searchable person: where they are held and their plain name and date of birth."""

    record_type: str
    record_id: uuid.UUID
    person_id: uuid.UUID
    role: str
    first: str | None
    last: str | None
    born: date | None


def _parts(person: Person) -> list[tuple[str, tuple[str, ...]]]:
    out: list[tuple[str, tuple[str, ...]]] = []
    born = person.born.isoformat() if person.born else None
    for word in words(person.first, person.last):
        codes = sounds(word)
        out.append(("name", (word,)))
        out += [("sound", (code,)) for code in codes]
        if born:
            out.append(("name_dob", (word, born)))
            out += [("sound_dob", (code, born)) for code in codes]
    return out


def token_pairs(person: Person, key_id: str | None = None) -> list[tuple[str, str]]:
    """(kind, hash) of each of ``person``'s words and sounds under ``key_id`` (default: the
    ring's primary), in a fixed order: rotation pairs a row's old hash with its new one."""
    ring, bits = current_ring(), index_bits()
    return [
        (kind, blind_index(ring, INDEX_NAMES[kind], *parts, bits=bits, key_id=key_id))
        for kind, parts in _parts(person)
    ]


def token_rows(person: Person) -> list[dict[str, Any]]:
    """The rows to insert for ``person`` (by attribute, for ``casework.db.insert_rows``),
    each (kind, hash) once, under the ring's primary key."""
    rows = []
    for kind, token in dict.fromkeys(token_pairs(person)):
        rows.append(
            {
                "id": uuid.uuid4(),
                "record_type": person.record_type,
                "record_id": person.record_id,
                "person_id": person.person_id,
                "role": person.role,
                "kind": kind,
                "token": token,
            }
        )
    return rows


def lookup(kind: str, *parts: str) -> list[str]:
    """Every stored form of one (kind, parts) hash across the key ring, for ``IN (...)``:
    rows not yet moved by a rotation are found too."""
    return candidates(INDEX_NAMES[kind], *parts)
