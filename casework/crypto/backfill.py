"""Sealing the values a migration carried over from a column that used to be plain text.

A migration has no business holding the field keys (it runs from Alembic, on machines that may
not have them), so one that turns a plain column into a ``Sealed`` one only *marks* each value
it keeps: ``PLAIN_MARK`` (format byte 0x00) followed by the UTF-8 text. No envelope starts that
way (envelopes start with format byte 0x01), so the database itself says which values still
wait, and this module seals them under the primary key, bound to their row like any other.

Shaped like key rotation (``casework.crypto.rotate``):

* Rows move in batches ordered by primary key, one short transaction per batch (``FOR UPDATE``
  on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite), so progress is committed as it goes.
* Whether a row still waits is decided in SQL from the first byte, so counting, resuming after
  an interruption and running twice need no saved cursor, and a sealed value, which starts
  with 0x01, is never picked up again: nothing is sealed twice.
* Only the columns a model declares in ``__sealed_from_plain__`` are looked at: a marked value
  written into any other sealed column is an error when read, never quietly sealed.

The old plain values must not outlive the upgrade in the database's free space, so sealing
overwrites freed space (SQLite ``secure_delete``) and ``scrub`` rebuilds the tables afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, LargeBinary, event, func, literal, or_, select, text
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import lazyload

from casework.crypto import rotate
from casework.crypto.fields import encrypted
from casework.db import Database

PLAIN_MARK = b"\x00"
DEFAULT_BATCH_SIZE = 500

Progress = Callable[[str, int], None]  # (table, rows in the batch just committed)


def mark(value: str) -> bytes:
    """How a migration stores a plain value it carries over into a sealed column."""
    return PLAIN_MARK + value.encode("utf-8")


@dataclass(frozen=True)
class Backfill:
    """One model whose declared columns may still hold marked plain values."""

    model: type
    table: str
    pk: Any
    fields: tuple[tuple[str, encrypted], ...]  # (attribute, descriptor) of each declared field

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(field.location(self.model)[1] for _, field in self.fields)

    def waiting(self) -> ColumnElement[bool]:
        """True for rows holding a marked plain value in any declared column."""
        header = literal(PLAIN_MARK, LargeBinary())
        return or_(
            *(func.substr(getattr(self.model, f.ct_attr), 1, 1) == header for _, f in self.fields)
        )


def _backfill_of(target: rotate.Target) -> Backfill | None:
    declared = getattr(target.model, "__sealed_from_plain__", ())
    if not declared:
        return None
    fields = []
    for name in declared:
        field = vars(target.model).get(name)
        if not isinstance(field, encrypted) or field.kind != "str":
            raise TypeError(f"{target.model.__name__}.{name} is not an encrypted text field")
        fields.append((name, field))
    return Backfill(target.model, target.table, target.pk, tuple(fields))


def find(models: Iterable[type] | None = None, engine: Engine | None = None) -> list[Backfill]:
    """Every model declaring ``__sealed_from_plain__`` (default: all of casework's models).

    Given an engine, only those whose declared columns the database already holds as binary:
    before the converting migration the columns are text, and there is nothing to seal yet.
    """
    found = [b for t in rotate.find_targets(models) if (b := _backfill_of(t)) is not None]
    if engine is None:
        return found
    inspector = sa_inspect(engine)
    ready = []
    for backfill in found:
        if not inspector.has_table(backfill.table):
            continue
        types = {c["name"]: c["type"] for c in inspector.get_columns(backfill.table)}
        if all(isinstance(types.get(c), LargeBinary) for c in backfill.columns):
            ready.append(backfill)
    return ready


def pending(db: Database, backfills: Iterable[Backfill]) -> dict[str, int]:
    """Rows per table still holding a marked plain value."""
    with db.transaction() as session:
        return {
            b.table: session.scalar(select(func.count()).select_from(b.model).where(b.waiting()))
            or 0
            for b in backfills
        }


def _seal_row(backfill: Backfill, obj: Any) -> bool:
    sealed = False
    for name, field in backfill.fields:
        value = getattr(obj, field.ct_attr)
        if value is not None and value[:1] == PLAIN_MARK:
            # Assigning through the descriptor seals under the primary key, bound to this row.
            setattr(obj, name, bytes(value[1:]).decode("utf-8"))
            sealed = True
    return sealed


def _secure_delete(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA secure_delete=ON")
    cur.close()


def _overwrite_freed_space(engine: Engine) -> None:
    """SQLite: zero what a changed row leaves behind, so the plain value is not kept as slack."""
    if engine.dialect.name != "sqlite" or event.contains(engine, "connect", _secure_delete):
        return
    event.listen(engine, "connect", _secure_delete)
    engine.dispose()  # pooled connections were made without it


def run(
    db: Database,
    backfills: Iterable[Backfill],
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Seal every waiting value; returns the rows sealed per table. Each batch commits on its
    own, so an interrupted run keeps what it did and the next run finishes the rest."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    _overwrite_freed_space(db.engine)
    done: dict[str, int] = {}
    for backfill in backfills:
        done[backfill.table] = 0
        query = (
            select(backfill.model)
            .where(backfill.waiting())
            .order_by(backfill.pk)
            .limit(batch_size)
            .options(lazyload("*"))
            .with_for_update(of=backfill.model)
        )
        after: Any = None
        while True:
            batch = query if after is None else query.where(backfill.pk > after)
            with db.serialised() as session:
                rows = session.scalars(batch).all()
                done[backfill.table] += sum(_seal_row(backfill, obj) for obj in rows)
            if not rows:
                break
            after = getattr(rows[-1], backfill.pk.key)
            if progress is not None:
                progress(backfill.table, len(rows))
    return done


def scrub(db: Database, tables: Iterable[str]) -> str | None:
    """Rebuild the database (SQLite) or the tables (PostgreSQL) so no page keeps an old plain
    value; returns a line for the operator when that could not be done now.

    SQLite: ``VACUUM`` writes every live row to fresh pages, then the write-ahead log is
    truncated. PostgreSQL: ``VACUUM FULL`` rewrites each table without its dead row versions;
    it waits at most ten seconds for its lock. Backups and archived logs taken before the
    upgrade still hold the plain values until they expire.
    """
    names = sorted(set(tables))
    if not names:
        return None
    try:
        if db.is_sqlite:
            # On the driver's connection: casework's engine begins a transaction for every
            # statement (casework.db), and VACUUM refuses to run inside one.
            raw = db.engine.raw_connection()
            try:
                cur = raw.cursor()
                cur.execute("VACUUM")
                cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                cur.close()
            finally:
                raw.close()
        else:
            with db.engine.connect() as conn:
                conn = conn.execution_options(isolation_level="AUTOCOMMIT")
                conn.execute(text("SET lock_timeout = '10s'"))
                for name in names:
                    conn.exec_driver_sql(f'VACUUM (FULL) "{name}"')
    except Exception as exc:  # noqa: BLE001  (the values are sealed; this only tidies up)
        kind = "VACUUM" if db.is_sqlite else "VACUUM FULL " + ", ".join(names)
        return (
            f"the old plain values may remain in free space until {kind} runs "
            f"({type(exc).__name__}); run it when the service is quiet"
        )
    return None
