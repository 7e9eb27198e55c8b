"""Blind-index columns kept in step with the encrypted values they index.

A model lists its indexes in ``__blind_indexes__``; a ``before_flush`` hook recomputes them
for every new or changed row, so business code never computes an index by hand and an index
can never go stale. Key rotation calls ``refresh_indexes`` to move rows to the new key.

    class Person(UUIDPrimaryKey, Base):
        name_dob_ix: Mapped[str | None] = mapped_column(String(80), index=True)
        __blind_indexes__ = (
            BlindIndex("name_dob_ix", "person_name_dob",
                       lambda p: (p.last_name, p.date_of_birth.isoformat())),
        )

``parts`` returns ``None`` when an input is missing: the row is then simply not indexed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from casework.crypto.blind import blind_index, blind_index_candidates
from casework.crypto.fields import current_ring, sealed_row

_bits = 32


def configure_bits(bits: int) -> None:
    """Index width for the installation (BLIND_INDEX_BITS): fewer bits, more candidates."""
    global _bits
    if bits % 4 or not 8 <= bits <= 256:
        raise ValueError("BLIND_INDEX_BITS must be a multiple of 4 between 8 and 256")
    _bits = bits


def index_bits() -> int:
    """The installation's index width, for hashes made outside a ``BlindIndex`` column."""
    return _bits


@dataclass(frozen=True)
class DerivedIndex:
    """A table of keyed hashes derived from *other* rows' encrypted values (search tokens).

    Its rows cannot be re-hashed from themselves, so a model declares
    ``__derived_index__ = DerivedIndex("token", refresh)``: key rotation finds its rows still
    under an old key by ``column``'s key-id prefix, like any blind index, and hands each batch
    of them to ``refresh(session, rows)``, which rewrites them from their sources under the
    primary key and returns how many sources it rewrote.
    """

    column: str
    refresh: Callable[[Session, Sequence[Any]], int]


@dataclass(frozen=True)
class BlindIndex:
    column: str  # attribute holding the index
    name: str  # index name: the HMAC key is derived per name
    parts: Callable[[Any], Sequence[str] | None]

    def compute(self, obj: Any) -> str | None:
        parts = self.parts(obj)
        if not parts or any(not p or not p.strip() for p in parts):
            return None
        try:
            return blind_index(current_ring(), self.name, *parts, bits=_bits)
        except ValueError:  # a part that normalises to nothing (e.g. only punctuation)
            return None


def surname_and_birth(last_name: str | None, born: date | None) -> tuple[str, str] | None:
    """The parts of a person's surname + date-of-birth index (None when either is missing):
    the low-entropy pair indexed together, never alone."""
    return (last_name, born.isoformat()) if last_name and born else None


def candidates(name: str, *parts: str) -> list[str]:
    """Every stored form of this index across the key ring (for ``WHERE ix IN (...)``)."""
    try:
        return blind_index_candidates(current_ring(), name, *parts, bits=_bits)
    except ValueError:
        return []


def indexes_of(cls: type) -> tuple[BlindIndex, ...]:
    return tuple(getattr(cls, "__blind_indexes__", ()))


def index_values(cls: type, plain: Mapping[str, Any]) -> dict[str, str | None]:
    """The blind indexes of a new ``cls`` row from its plain values by attribute name (what
    the flush hook would set), for rows built without an object (``sealed_row``)."""
    view = SimpleNamespace(**plain)
    return {spec.column: spec.compute(view) for spec in indexes_of(cls)}


def stored_row(cls: type, plain: Mapping[str, Any]) -> dict[str, Any]:
    """A new ``cls`` row as it is inserted: sealed fields and blind indexes, by attribute."""
    return {**sealed_row(cls, plain), **index_values(cls, plain)}


def refresh_indexes(obj: Any) -> bool:
    """Recompute every blind index of ``obj`` under the primary key; True if any changed."""
    changed = False
    for spec in indexes_of(type(obj)):
        value = spec.compute(obj)
        if getattr(obj, spec.column) != value:
            setattr(obj, spec.column, value)
            changed = True
    return changed


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    for obj in list(session.new) + list(session.dirty):
        if indexes_of(type(obj)):
            refresh_indexes(obj)
