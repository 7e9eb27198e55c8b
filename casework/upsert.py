"""Find a row by its natural key, or insert it, safely when two requests do so at once.

"Find, else insert" races: two requests saving the first row for the same key (one minute per
case, one research note per agency and case) both find nothing and both insert, and the second
insert breaks the unique constraint. Unhandled, that is a 500. Here the insert runs under a
SAVEPOINT (``Session.begin_nested``), portable across SQLite and PostgreSQL, so a unique
violation undoes only that insert: the caller's transaction, its earlier writes and its audit
entries stay intact, the winner's row is loaded instead and the caller updates it, exactly as a
sequential second save would (last write wins). On PostgreSQL (READ COMMITTED) the losing
INSERT waits for the winner to commit before it fails, so the winner's row is then visible.
On SQLite writers already run in BEGIN IMMEDIATE, so there the race cannot happen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from casework.errors import Invalid

T = TypeVar("T")

CONFLICT = "Someone else saved this at the same moment. Check it and save again."


def find_or_insert(
    session: Session, find: Callable[[], T | None], make: Callable[[], T]
) -> tuple[T, bool]:
    """The row ``find`` returns, else a new row from ``make``, inserted; and whether it is new.

    When the insert breaks a constraint because another transaction inserted the same key
    after ``find`` looked, that row is returned (not new) for the caller to update. Should it
    be gone again (or the violation be another one), ``Invalid`` with code ``conflict`` (422)
    makes the request roll back whole rather than answer 500 or write part of itself.
    """
    row = find()
    if row is not None:
        return row, False
    # Pending changes are written before the savepoint, so rolling the savepoint back can only
    # ever undo the insert below.
    session.flush()
    row = make()
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        winner = find()
        if winner is None:
            raise Invalid({"_schema": [CONFLICT]}, message=CONFLICT, code="conflict") from None
        return winner, False
    return row, True
