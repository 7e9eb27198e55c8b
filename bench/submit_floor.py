"""The floor under a submission's cost: its own SQL statements replayed through the sqlite3
driver alone, with none of the work in Python (validation, encryption, blind indexes,
SQLAlchemy), against the same bare insert the target is set against.

The replay copies one real submission's statements and parameters, giving each round fresh
ids for the rows it writes (a new reference and audit number too), so SQLite does exactly what
a submission makes it do: the look-ups, four inserts into their indexes, foreign-key checks,
and the commit.
"""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Callable
from typing import Any

from harness import World, referral_body
from sqlalchemy import event

from casework.db import write_intent
from casework.referrals.actions import submit_referral

ROUNDS, BLOCK = 500, 50


def floor_ms(world: World, bare_insert: Callable[[], None]) -> tuple[float, float]:
    """(replayed statements, bare insert) in ms each, alternating in blocks."""
    statements, own = _one_submission(world)
    connection = sqlite3.connect(world.svc.db.engine.url.database, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("PRAGMA foreign_keys=ON")
    replay = bare = 0.0
    try:
        for first in range(0, ROUNDS, BLOCK):
            start = time.perf_counter()
            for n in range(first, first + BLOCK):
                _replay(connection, statements, own, n)
            replay += time.perf_counter() - start
            start = time.perf_counter()
            for _ in range(BLOCK):
                bare_insert()
            bare += time.perf_counter() - start
    finally:
        connection.close()
    return replay / ROUNDS * 1000, bare / ROUNDS * 1000


def _one_submission(world: World) -> tuple[list[tuple[str, tuple[Any, ...]]], set[Any]]:
    """The statements of one submission, and the values that are its own rows' ids."""
    caught: list[tuple[str, tuple[Any, ...]]] = []

    def catch(
        _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, many: bool
    ) -> None:
        if statement.split(None, 1)[0] not in ("SELECT", "INSERT"):
            return
        # a batch insert (executemany) is replayed row by row, as SQLite runs it anyway
        for row in parameters if many else [parameters]:
            caught.append((statement, tuple(row)))

    engine = world.svc.db.engine
    event.listen(engine, "before_cursor_execute", catch)
    try:
        with write_intent():
            made = submit_referral(
                world.svc, world.referrer, referral_body(world.panel_id, 90_000_000)
            )
            world.settle()
    finally:
        event.remove(engine, "before_cursor_execute", catch)
    own: set[Any] = {made.id.hex, made.reference}
    own |= {row.id.hex for row in (*made.perpetrators, *made.children)}
    for statement, parameters in caught:
        if not statement.startswith("INSERT INTO"):
            continue
        columns = _columns(statement)
        if "id" in columns:  # every row the submission inserts is its own (search tokens too)
            own.add(parameters[columns.index("id")])
        if statement.startswith("INSERT INTO audit_entries"):
            own.add(parameters[columns.index("seq")])
    return caught, own


def _columns(statement: str) -> list[str]:
    return statement[statement.index("(") + 1 : statement.index(")")].split(", ")


def _replay(
    connection: sqlite3.Connection,
    statements: list[tuple[str, tuple[Any, ...]]],
    own: set[Any],
    n: int,
) -> None:
    fresh = {value: _fresh(value, n) for value in own}  # one new value for each, every use
    connection.execute("BEGIN IMMEDIATE")
    for statement, parameters in statements:
        connection.execute(statement, tuple(fresh.get(v, v) for v in parameters)).fetchall()
    connection.execute("COMMIT")


def _fresh(value: Any, n: int) -> Any:
    """This round's stand-in for one of the submission's own ids, reference or audit number."""
    if isinstance(value, int):
        return 10**9 + n  # an audit sequence number nothing else uses
    if len(value) == 32:  # a row id, as SQLite stores a UUID
        return uuid.uuid4().hex
    return f"{value[:4]}{n:06d}"  # a reference: M26-XXXXXX becomes M26-000123
