"""SQLAlchemy integration: models read and write plain values, the database only sees envelopes.

A model declares the stored column and a descriptor side by side::

    first_name_ct: Mapped[bytes | None] = mapped_column("first_name", Sealed())
    first_name = encrypted("first_name_ct", kind="str")

Encryption happens on assignment (not at flush) so the plaintext never sits in SQLAlchemy's
unit of work, history or events, and so audit code diffing attributes only ever sees
ciphertext. This needs the row's ``id`` before insert, which is why models assign their UUID
in ``__init__`` *before* any other attribute.
"""

from __future__ import annotations

import functools
import json
import logging
import uuid
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal, Self, overload

import sqlalchemy
from sqlalchemy.orm import ColumnProperty
from sqlalchemy.types import LargeBinary, TypeDecorator

from casework.crypto.aead import (
    DecryptionError,
    envelope_prefix,
    key_id_of,
    open_,
    seal,
    seal_row,
)
from casework.crypto.keyring import KeyRing, KeyRingError, RingFile

Kind = Literal["str", "date", "json", "bool", "int"]
KINDS: tuple[str, ...] = ("str", "date", "json", "bool", "int")

_ring: KeyRing | None = None
_source: RingFile | None = None
log = logging.getLogger("casework.crypto")


class KeyRingNotConfiguredError(RuntimeError):
    """Encryption was used before the application called ``configure(ring)``."""


class EncryptedFieldError(RuntimeError):
    """An encrypted field was used in a way that cannot be made safe (e.g. no row id yet)."""


def configure(ring: KeyRing, *, source: RingFile | None = None) -> None:
    """Install the process-wide key ring; the app calls this once at start-up (and on rotation).

    ``source`` is the file the ring was loaded from, if any: ``reload_keyring_if_changed``
    watches it so a server picks up a rotation made by another process without a restart.
    """
    global _ring, _source
    if not isinstance(ring, KeyRing):
        raise TypeError("configure() needs a KeyRing")
    _ring = ring
    _source = source


def reload_keyring_if_changed() -> bool:
    """Reload the ring from its file if the file changed since it was read; True if reloaded.

    Called at the start of every request (one ``os.stat``) and when a row names a key this
    process has never seen. A ring that came from an environment variable has no file and
    never changes. A file that no longer loads is logged (the message names the problem,
    never a secret) and the ring in memory is kept: refusing every request would not help,
    and every key in memory still opens the rows it wrote.
    """
    source = _source
    if source is None or not source.changed():
        return False
    try:
        ring = source.load()
    except KeyRingError as exc:
        source.mark_seen()
        log.error("key ring not reloaded, keeping the one in memory: %s", exc)
        return False
    configure(ring, source=source)
    log.info("key ring reloaded from %s: primary key %s", source.path, ring.primary)
    return True


def _ring_for(envelope: bytes) -> KeyRing:
    """The ring to open ``envelope`` with: if it names a key this process does not hold, another
    process has rotated, so reread the ring file before giving up."""
    ring = current_ring()
    if isinstance(envelope, bytes) and envelope.startswith(envelope_prefix(ring.primary)):
        return ring  # sealed under the primary key, as almost every cell is
    try:
        key_id = key_id_of(envelope)
    except DecryptionError:
        return ring  # open_ reports the malformed envelope with its table, column and row
    if ring.get(key_id) is None and reload_keyring_if_changed():
        ring = current_ring()
    return ring


def ring_file() -> Path | None:
    """The file the ring in use was read from (None when it was given as a value): readiness
    checks it can still be read, since a process that cannot reread it cannot follow a
    rotation made by another one."""
    return _source.path if _source is not None else None


def current_ring() -> KeyRing:
    """The configured ring. Failing loudly beats writing rows nobody can ever decrypt."""
    if _ring is None:
        raise KeyRingNotConfiguredError(
            "no encryption key ring configured: call casework.crypto.configure(ring) at start-up"
        )
    return _ring


class Sealed(TypeDecorator[bytes]):
    """Storage type for ciphertext columns: bytes in, bytes out.

    A ``str`` bound to it almost certainly means plaintext bypassed the ``encrypted``
    descriptor (or a query compares a ciphertext column to a plain value), so it is refused.
    """

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> bytes | None:
        if value is None or type(value) is bytes:
            return value
        if isinstance(value, bytearray | memoryview):
            return bytes(value)
        raise TypeError(
            f"Sealed column given {type(value).__name__}; only encrypted envelopes (bytes) may "
            "be stored. Assign the plain value through its `encrypted` attribute instead."
        )

    def process_result_value(self, value: Any, dialect: Any) -> bytes | None:
        return None if value is None else bytes(value)

    def bind_processor(self, dialect: Any) -> Any:
        # Both drivers take bytes as they are (sqlite3 and psycopg 3 adapt bytes natively), so
        # LargeBinary's wrapping of every value in the driver's Binary() is skipped: an import
        # binds tens of envelopes a row.
        check = self.process_bind_param

        def process(value: Any) -> Any:
            return value if value is None or type(value) is bytes else check(value, dialect)

        return process


_ACCEPTS: dict[str, Any] = {
    "str": lambda v: isinstance(v, str),
    "date": lambda v: isinstance(v, date) and not isinstance(v, datetime),
    "bool": lambda v: isinstance(v, bool),
    "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "json": lambda v: True,
}


def _encode(kind: str, value: Any, where: str) -> bytes:
    """Serialise a plain value; errors name the field and expected type but never the value."""
    if not _ACCEPTS[kind](value):
        raise TypeError(f"{where} expects {kind}, got {type(value).__name__}")
    try:
        if kind == "str":
            return value.encode("utf-8")
        if kind == "date":
            return value.isoformat().encode("ascii")
        if kind == "bool":
            return b"true" if value else b"false"
        if kind == "int":
            return str(value).encode("ascii")
        return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode(
            "utf-8"
        )
    except (TypeError, ValueError):
        # Messages from these can quote the offending value, so they are not chained.
        raise TypeError(f"{where}: value cannot be stored as {kind}") from None


def _decode(kind: str, raw: bytes, where: str) -> Any:
    try:
        if kind == "str":
            return raw.decode("utf-8")
        if kind == "date":
            return date.fromisoformat(raw.decode("ascii"))
        if kind == "bool":
            if raw not in (b"true", b"false"):
                raise ValueError
            return raw == b"true"
        if kind == "int":
            return int(raw.decode("ascii"))
        return json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise DecryptionError(f"cannot decrypt {where}: plaintext is not a valid {kind}") from None


class encrypted:  # lower case on purpose: it reads like a column declaration
    """Descriptor exposing a plain value backed by a ``Sealed`` ciphertext attribute.

    Reads decrypt and cache the plain value on the instance, keyed by the envelope and row id,
    so repeated reads are cheap while a reloaded or replaced ciphertext is decrypted afresh.
    Assigning an unchanged value keeps the existing envelope, so a re-saved form does not
    rewrite the row or show up as a change in audit diffs.
    """

    def __init__(self, ct_attr: str, *, kind: Kind = "str") -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown encrypted kind {kind!r}; use one of {', '.join(KINDS)}")
        self.ct_attr = ct_attr
        self.kind: Kind = kind
        self.name = ct_attr
        self._cache_key = f"_encrypted_cache__{ct_attr}"
        self._locations: dict[type, tuple[str, str]] = {}

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        self._cache_key = f"_encrypted_cache__{name}"

    def __repr__(self) -> str:
        return f"encrypted({self.ct_attr!r}, kind={self.kind!r})"

    # Without this, ``Model.first_name == "x"`` is plain ``False`` and a query silently
    # matches nothing. Encrypted values cannot be searched in SQL; say so.
    def __eq__(self, other: object) -> bool:
        if isinstance(other, encrypted):
            return self is other
        raise TypeError(
            f"encrypted field {self.name!r} cannot be compared or queried in SQL; "
            "look rows up through a blind index column"
        )

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    __hash__ = object.__hash__

    def location(self, cls: type) -> tuple[str, str]:
        """(table name, column name) this field's ciphertext is bound to, looked up lazily.

        Uses the mapped column's own table, which equals ``__tablename__`` for ordinary models
        and stays stable when a subclass in a joined-inheritance hierarchy loads the row.
        """
        found = self._locations.get(cls)
        if found is None:
            prop = sqlalchemy.inspect(cls).attrs.get(self.ct_attr)
            if not isinstance(prop, ColumnProperty):
                raise EncryptedFieldError(
                    f"{cls.__name__}.{self.name}: {self.ct_attr!r} is not a mapped column"
                )
            column = prop.columns[0]
            found = (column.table.name, column.name)  # type: ignore[attr-defined]
            self._locations[cls] = found
        return found

    def _where(self, obj: object) -> str:
        return f"{type(obj).__name__}.{self.name}"

    def _row_id(self, obj: Any) -> uuid.UUID:
        row_id = getattr(obj, "id", None)
        if row_id is None:
            raise EncryptedFieldError(
                f"{self._where(obj)}: the object has no id yet, and encryption is bound to it. "
                "Assign id (a uuid.UUID) in __init__ before setting any encrypted field."
            )
        return row_id

    @overload
    def __get__(self, obj: None, objtype: type | None = None) -> Self: ...

    @overload
    def __get__(self, obj: object, objtype: type | None = None) -> Any: ...

    def __get__(self, obj: object | None, objtype: type | None = None) -> Any:
        if obj is None:
            return self
        envelope = getattr(obj, self.ct_attr)
        if envelope is None:
            return None
        row_id = self._row_id(obj)
        cached = obj.__dict__.get(self._cache_key)
        if cached is not None and cached[0] == envelope and cached[1] == row_id:
            raw = cached[2]
            value = cached[3]
        else:
            raw, value = self._open(type(obj), row_id, envelope)
            obj.__dict__[self._cache_key] = (envelope, row_id, raw, value)
        # Hand out a fresh JSON object each time: mutating it in place would not be saved.
        return json.loads(raw) if self.kind == "json" else value

    def _open(self, cls: type, row_id: uuid.UUID, envelope: bytes) -> tuple[bytes, Any]:
        table, column = self.location(cls)
        raw = open_(_ring_for(envelope), table, column, row_id, envelope)
        return raw, _decode(self.kind, raw, f"{cls.__name__}.{self.name}")

    def value_of(self, cls: type, row_id: uuid.UUID, envelope: bytes | None) -> Any:
        """The plain value of a ciphertext read with Core (no object): for look-ups that
        need a few fields of many rows, not whole mapped objects."""
        if envelope is None:
            return None
        raw, value = self._open(cls, row_id, envelope)
        return json.loads(raw) if self.kind == "json" else value

    def __set__(self, obj: object, value: Any) -> None:
        if value is None:
            setattr(obj, self.ct_attr, None)
            obj.__dict__.pop(self._cache_key, None)
            return
        ring = current_ring()
        row_id = self._row_id(obj)
        where = self._where(obj)
        raw = _encode(self.kind, value, where)
        envelope = getattr(obj, self.ct_attr)
        cached = obj.__dict__.get(self._cache_key)
        if (
            cached is not None
            and envelope is not None
            and cached[0] == envelope
            and cached[1] == row_id
            and cached[2] == raw
            and key_id_of(envelope) == ring.primary
        ):
            return
        table, column = self.location(type(obj))
        envelope = seal(ring, table, column, row_id, raw)
        setattr(obj, self.ct_attr, envelope)
        obj.__dict__[self._cache_key] = (envelope, row_id, raw, _decode(self.kind, raw, where))

    def forget(self, obj: object) -> None:
        """Drop the cached plain value for ``obj`` (to shed plaintext from memory, or benchmark)."""
        obj.__dict__.pop(self._cache_key, None)

    def rewrap(self, obj: object, ring: KeyRing) -> bool:
        """Re-seal this field under ``ring.primary`` if it is under another key; True if so."""
        envelope = getattr(obj, self.ct_attr)
        if envelope is None or key_id_of(envelope) == ring.primary:
            return False
        row_id = self._row_id(obj)
        table, column = self.location(type(obj))
        raw = open_(ring, table, column, row_id, envelope)
        new = seal(ring, table, column, row_id, raw)
        setattr(obj, self.ct_attr, new)
        value = _decode(self.kind, raw, self._where(obj))
        obj.__dict__[self._cache_key] = (new, row_id, raw, value)
        return True


def encrypted_fields(cls: type) -> list[tuple[str, encrypted]]:
    """Every ``encrypted`` descriptor on ``cls`` (inherited ones included), in definition order."""
    found: dict[str, encrypted] = {}
    for klass in reversed(cls.__mro__):
        for name, attr in vars(klass).items():
            if isinstance(attr, encrypted):
                found[name] = attr
            elif name in found:
                del found[name]  # overridden by a plain attribute in a subclass
    return list(found.items())


@functools.cache
def _seal_plan(cls: type) -> dict[str, tuple[str, str, str, Kind]]:
    """Attribute name to (ciphertext attribute, table, column, kind) of each encrypted field."""
    return {name: (f.ct_attr, *f.location(cls), f.kind) for name, f in encrypted_fields(cls)}


def sealed_row(cls: type, plain: Mapping[str, Any]) -> dict[str, Any]:
    """The attribute values a new row of ``cls`` is stored with, made without an object.

    ``plain`` holds the row's ``id`` and plain values by attribute name; encrypted fields come
    back sealed under their ciphertext attributes, bound to the row exactly as assigning them
    to an object would, and the rest as given. For bulk inserts, where building and flushing
    thousands of mapped objects costs more than the encryption itself.
    """
    row_id = plain["id"]
    if not isinstance(row_id, uuid.UUID):
        raise EncryptedFieldError(f"{cls.__name__}: a row needs its uuid id before sealing")
    plan = _seal_plan(cls)
    out: dict[str, Any] = {}
    cells: list[tuple[str, str, bytes]] = []
    sealed_at: list[str] = []
    for name, value in plain.items():
        spec = plan.get(name)
        if spec is None:
            out[name] = value
        elif value is None:
            out[spec[0]] = None
        else:
            ct_attr, table, column, kind = spec
            cells.append((table, column, _encode(kind, value, f"{cls.__name__}.{name}")))
            sealed_at.append(ct_attr)
    envelopes = seal_row(current_ring(), str(row_id), cells) if cells else []
    out.update(zip(sealed_at, envelopes, strict=True))
    return out


def reencrypt(obj: object) -> bool:
    """Re-seal every encrypted field of ``obj`` not under the current primary key.

    Used by key rotation: load rows in batches, call this, commit. Returns whether anything
    changed so the caller can count progress and skip clean rows.
    """
    ring = current_ring()
    changed = False
    for _name, field in encrypted_fields(type(obj)):
        changed = field.rewrap(obj, ring) or changed
    return changed
