"""Key rotation: a new primary key, then every encrypted field and blind index moved onto it.

Why it is shaped this way:

* The new ring (old keys kept) is written to its file, durably, *before* any row is touched,
  so a crash can never leave ciphertext whose key exists nowhere. Old keys stay in the ring:
  backups taken before the rotation still need them.
* Rows move in batches ordered by primary key, one short transaction per batch, so the service
  keeps serving. On SQLite a batch takes the write lock at BEGIN and holds it for milliseconds;
  on PostgreSQL it locks only its own rows (``FOR UPDATE``) so a concurrent edit is not lost.
* Whether a row still needs work is decided in SQL: envelopes start with their key id and
  blind indexes are prefixed with it. Counting, skipping finished rows and resuming after an
  interruption therefore need no decryption and no saved cursor.
* A state file beside the ring (``<ring>.rotation.json``: new key id, previous primary, start
  time; never a secret) marks a rotation unfinished. Running again resumes it instead of
  making yet another key; the file is removed once no row is left under an old key.
* A server that has not yet reloaded the ring can still write a row under the old primary
  behind the cursor, so after each pass the rows are counted again and another pass made.

Nothing here knows Flask: the CLI drives it and draws the progress bar.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import ColumnElement, LargeBinary, and_, func, literal, or_, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import lazyload

from casework import clock
from casework.crypto.aead import envelope_prefix
from casework.crypto.fields import configure, encrypted_fields, reencrypt
from casework.crypto.indexes import DerivedIndex, indexes_of, refresh_indexes
from casework.crypto.keyring import KeyRingError, RingFile, write_keyring, write_private_file
from casework.db import Base, Database

DEFAULT_BATCH_SIZE = 500
MAX_PASSES = 3
STATE_SUFFIX = ".rotation.json"
LOCK_SUFFIX = ".rotation.lock"

Progress = Callable[[str, int], None]  # (table, rows in the batch just committed)


class RotationError(RuntimeError):
    """Rotation cannot start or go on. One line for the operator; never a secret or a value."""


def state_path(ring_path: Path) -> Path:
    return Path(ring_path).with_name(Path(ring_path).name + STATE_SUFFIX)


def _lock_path(ring_path: Path) -> Path:
    return Path(ring_path).with_name(Path(ring_path).name + LOCK_SUFFIX)


@dataclass(frozen=True)
class Target:
    """One model to rotate, and the columns that show in SQL which key a row is under."""

    model: type
    table: str
    pk: Any  # the primary-key attribute, for ORDER BY and the batch cursor
    sealed: tuple[Any, ...]  # ciphertext columns
    indexed: tuple[Any, ...]  # blind-index columns
    # Hashes derived from other rows (search tokens): stale rows go to ``derived.refresh``.
    derived: DerivedIndex | None = None

    def stale(self, key_id: str) -> ColumnElement[bool]:
        """True for rows holding any envelope or blind index not under ``key_id``."""
        prefix = envelope_prefix(key_id)
        header = literal(prefix, LargeBinary())
        tests = [
            and_(col.is_not(None), func.substr(col, 1, len(prefix)) != header)
            for col in self.sealed
        ]
        tests += [
            and_(col.is_not(None), ~col.startswith(f"{key_id}:", autoescape=True))
            for col in self.indexed
        ]
        return or_(*tests)


def target_of(model: type) -> Target | None:
    """The rotation target for ``model``, or None when it has nothing encrypted or indexed."""
    fields = encrypted_fields(model)
    indexes = indexes_of(model)
    derived: DerivedIndex | None = getattr(model, "__derived_index__", None)
    if not fields and not indexes and derived is None:
        return None
    mapper = sa_inspect(model)
    # Loud rather than silently half-done: a subclass's rows would be rotated through its base
    # class's query, whose SQL test cannot see the subclass's own columns.
    if mapper.inherits is not None:
        raise RotationError(f"{model.__name__}: models using inheritance cannot be rotated yet")
    if len(mapper.primary_key) != 1:
        raise RotationError(f"{model.__name__}: rotation needs a single-column primary key")
    pk = mapper.get_property_by_column(mapper.primary_key[0]).class_attribute
    return Target(
        model=model,
        table=mapper.local_table.name,
        pk=pk,
        sealed=tuple(getattr(model, field.ct_attr) for _, field in fields),
        indexed=tuple(getattr(model, spec.column) for spec in indexes)
        + ((getattr(model, derived.column),) if derived is not None else ()),
        derived=derived,
    )


def find_targets(models: Iterable[type] | None = None) -> list[Target]:
    """Every model with encrypted fields or blind indexes (default: all of ``casework.db.Base``).

    The default is every model mapped so far: crypto knows nothing of the application above it,
    so the entry point (``casework.bootstrap``, ``casework.migrate``) has imported
    ``casework.models`` first.
    """
    if models is None:
        models = [mapper.class_ for mapper in Base.registry.mappers]
    found = [target for model in models if (target := target_of(model)) is not None]
    return sorted(found, key=lambda target: target.table)


@dataclass(frozen=True)
class State:
    """What is saved beside the ring while a rotation is unfinished. No secrets."""

    key_id: str
    previous: str
    started: str

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2) + "\n"


def read_state(ring_path: Path) -> State | None:
    """The unfinished rotation recorded beside the ring, if any."""
    path = state_path(ring_path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise RotationError(f"cannot read rotation state {path}: {exc.strerror or exc}") from None
    try:
        doc = json.loads(text)
        return State(str(doc["key_id"]), str(doc["previous"]), str(doc["started"]))
    except (ValueError, KeyError, TypeError):
        raise RotationError(
            f"rotation state {path} is damaged; check the key ring, then delete that file"
        ) from None


def _take_lock(ring_path: Path) -> int:
    """Hold an exclusive lock for the whole run: two rotations at once could each make a
    different key with the same id, and rows sealed under the losing one would be lost."""
    path = _lock_path(ring_path)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise RotationError(f"cannot create {path}: {exc.strerror or exc}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise RotationError(
            f"another key rotation is running on {ring_path}; wait for it to finish"
        ) from None
    return fd


def _install_new_primary(ring_path: Path) -> tuple[State, bool]:
    """Make (or find) the new primary and configure this process with it; True if resumed."""
    source = RingFile(ring_path)
    try:
        ring = source.load()
    except KeyRingError as exc:
        raise RotationError(str(exc)) from None
    state = read_state(ring_path)
    if state is not None and ring.primary == state.key_id:
        configure(ring, source=source)
        return state, True
    if state is not None and ring.get(state.key_id) is not None:
        raise RotationError(
            f"{state_path(ring_path)} records a rotation to key {state.key_id}, but the ring's "
            f"primary is {ring.primary}; check the key ring, then delete that file"
        )
    # No rotation under way, or one stopped after saving its state but before writing the ring
    # (so nothing was sealed under its key): make the key now.
    new = ring.with_new_primary()
    started = state.started if state else clock.now().isoformat(timespec="seconds")
    fresh = State(key_id=new.primary, previous=ring.primary, started=started)
    try:
        # State first: if we stop after the ring is written, the next run resumes instead of
        # making yet another key.
        write_private_file(state_path(ring_path), fresh.to_json())
        write_keyring(ring_path, new)
    except OSError as exc:
        raise RotationError(f"cannot write beside {ring_path}: {exc.strerror or exc}") from None
    configure(source.load(), source=source)  # what servers will read, read back from disk
    return fresh, state is not None


class Rotation:
    """An unfinished rotation to ``key_id``. Holds the rotation lock until closed."""

    def __init__(
        self,
        db: Database,
        ring_path: Path,
        targets: list[Target],
        state: State,
        resumed: bool,
        lock_fd: int | None = None,
    ) -> None:
        self.db = db
        self.ring_path = ring_path
        self.targets = targets
        self.key_id = state.key_id
        self.previous = state.previous
        self.started = state.started
        self.resumed = resumed
        self.finished = False
        self._lock_fd = lock_fd

    def __enter__(self) -> Rotation:
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _exc: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # releases the flock
            self._lock_fd = None

    def pending(self) -> dict[str, int]:
        """Rows per table still holding an envelope or index under another key."""
        counts: dict[str, int] = {}
        with self.db.transaction() as session:
            for target in self.targets:
                stale = target.stale(self.key_id)
                counts[target.table] = (
                    session.scalar(select(func.count()).select_from(target.model).where(stale)) or 0
                )
        return counts

    def run(
        self, batch_size: int = DEFAULT_BATCH_SIZE, progress: Progress | None = None
    ) -> dict[str, int]:
        """Move every row onto the new key; returns the rows changed per table.

        Passes repeat (at most ``MAX_PASSES``) while rows under an old key remain: a server
        that had not yet reloaded the ring may have written one behind the cursor.
        """
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        moved = {target.table: 0 for target in self.targets}
        for _ in range(MAX_PASSES):
            for target in self.targets:
                moved[target.table] += self._pass(target, batch_size, progress)
            if not any(self.pending().values()):
                break
        return moved

    def _pass(self, target: Target, batch_size: int, progress: Progress | None) -> int:
        moved = 0
        after: Any = None
        query = (
            select(target.model)
            .where(target.stale(self.key_id))
            .order_by(target.pk)
            .limit(batch_size)
            .options(lazyload("*"))  # relationships are not needed, so not loaded
            .with_for_update(of=target.model)  # PostgreSQL: a concurrent edit waits, not lost
        )
        while True:
            batch = query if after is None else query.where(target.pk > after)
            with self.db.serialised() as session:  # SQLite: BEGIN IMMEDIATE, so no lock upgrade
                rows = session.scalars(batch).all()
                if target.derived is not None and rows:
                    moved += target.derived.refresh(session, rows)
                for obj in rows if target.derived is None else ():
                    changed = reencrypt(obj)
                    if refresh_indexes(obj) or changed:
                        moved += 1
            if not rows:
                return moved
            after = getattr(rows[-1], target.pk.key)
            if progress is not None:
                progress(target.table, len(rows))

    def finish(self) -> dict[str, int]:
        """Verify: count rows still under an old key. When none are left the rotation is over
        and its state file is removed; otherwise it stays so the next run resumes."""
        left = self.pending()
        if not any(left.values()):
            state_path(self.ring_path).unlink(missing_ok=True)
            self.finished = True
        return left


def begin(ring_path: Path, db: Database, models: Iterable[type] | None = None) -> Rotation:
    """Start a rotation, or resume the unfinished one, and switch this process to the new ring.

    Use as a context manager so the lock is released. ``models`` defaults to every model of
    ``casework.db.Base``; tests pass their own.
    """
    ring_path = Path(ring_path)
    targets = find_targets(models)  # before any key is made: an unrotatable model stops us here
    fd = _take_lock(ring_path)
    try:
        state, resumed = _install_new_primary(ring_path)
    except BaseException:
        os.close(fd)
        raise
    return Rotation(db, ring_path, targets, state, resumed, lock_fd=fd)
