"""Keeping search tokens in step with people's names, whichever door a name comes in by.

Three doors, each hooked here so no caller can forget the tokens:

* the unit of work (``before_flush``): a new or changed referral, perpetrator, child or
  nominal whose name or date of birth changed gets its tokens replaced; a deleted one (or a
  perpetrator or child dropped from its referral) loses them;
* Core bulk inserts (``casework.db.after_insert_rows``): a submission or import writes people
  without mapped objects, so their sealed rows are opened and tokenised as they go in;
* key rotation (``DerivedIndex``): tokens still under an old key are rewritten from their
  people under the new one; ``fill_missing`` gives rows written before the table existed
  their tokens (``casework init``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, event, exists, inspect, select
from sqlalchemy.orm import Session, lazyload

from casework.crypto import encrypted
from casework.crypto.indexes import DerivedIndex
from casework.db import Database, after_insert_rows, insert_rows
from casework.offenders.models import Nominal
from casework.referrals.models import Child, Perpetrator, Referral
from casework.search.models import SearchToken
from casework.search.tokens import Person, token_pairs, token_rows


@dataclass(frozen=True)
class Source:
    """A model holding people: which attributes are the name and date of birth, and which
    holds the record (the referral or nominal) a person is found as."""

    model: type
    record_type: str
    role: str
    first: str
    last: str
    born: str
    record_attr: str

    def _field(self, name: str) -> encrypted:
        return vars(self.model)[name]

    def person(self, obj: Any) -> Person:
        return Person(
            self.record_type,
            getattr(obj, self.record_attr),
            obj.id,
            self.role,
            getattr(obj, self.first),
            getattr(obj, self.last),
            getattr(obj, self.born),
        )

    def person_of_row(self, row: dict[str, Any]) -> Person:
        """The person in a sealed row as ``insert_rows`` got it (values by attribute)."""

        def plain(name: str) -> Any:
            field = self._field(name)
            return field.value_of(self.model, row["id"], row.get(field.ct_attr))

        return Person(
            self.record_type,
            row[self.record_attr],
            row["id"],
            self.role,
            plain(self.first),
            plain(self.last),
            plain(self.born),
        )


SOURCES = (
    Source(
        Referral,
        "referral",
        "victim",
        "victim_first_name",
        "victim_last_name",
        "victim_date_of_birth",
        "id",
    ),
    Source(
        Perpetrator,
        "referral",
        "perpetrator",
        "first_name",
        "last_name",
        "date_of_birth",
        "referral_id",
    ),
    Source(Child, "referral", "child", "first_name", "last_name", "date_of_birth", "referral_id"),
    Source(Nominal, "nominal", "nominal", "first_name", "last_name", "date_of_birth", "id"),
)
_BY_MODEL = {s.model: s for s in SOURCES}
_BY_ROLE = {s.role: s for s in SOURCES}


def replace(session: Session, people: Sequence[Person], gone: Iterable[uuid.UUID] = ()) -> None:
    """Drop the tokens of ``people`` and of the ``gone`` ids, then write ``people``'s afresh."""
    ids = list({p.person_id for p in people} | set(gone))
    if not ids:
        return
    conn = session.connection()
    for start in range(0, len(ids), 500):
        conn.execute(delete(SearchToken).where(SearchToken.person_id.in_(ids[start : start + 500])))
    rows = [row for p in people for row in token_rows(p)]
    insert_rows(session, SearchToken, rows)


def _changed(obj: Any, source: Source) -> bool:
    """Did a name or date of birth change in value? Re-sealing under a new key (rotation)
    changes the ciphertext only, and leaves the tokens alone."""
    state = inspect(obj)
    for name in (source.first, source.last, source.born):
        field = vars(source.model)[name]
        history = state.attrs[field.ct_attr].history
        if not history.has_changes():
            continue
        before = history.deleted[0] if history.deleted else None
        if before is None or getattr(obj, field.ct_attr) is None:
            return True
        if field.value_of(source.model, obj.id, before) != getattr(obj, name):
            return True
    return False


def _dropped_people(referral: Referral) -> list[uuid.UUID]:
    state = inspect(referral)
    return [
        p.id for rel in ("perpetrators", "children") for p in state.attrs[rel].history.deleted or ()
    ]


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    people: list[Person] = []
    gone: list[uuid.UUID] = []
    for obj in session.new:
        source = _BY_MODEL.get(type(obj))
        if source is not None:
            people.append(source.person(obj))
    for obj in session.dirty:
        source = _BY_MODEL.get(type(obj))
        if source is None:
            continue
        if _changed(obj, source):
            people.append(source.person(obj))
        if isinstance(obj, Referral):
            gone += _dropped_people(obj)
    for obj in session.deleted:
        if type(obj) in _BY_MODEL:
            gone.append(obj.id)
    if people or gone:
        replace(session, people, gone)


def _after_insert(source: Source) -> Any:
    def listener(session: Session, rows: Sequence[dict[str, Any]]) -> None:
        people = [source.person_of_row(row) for row in rows]
        insert_rows(session, SearchToken, [r for p in people for r in token_rows(p)])

    return listener


def refresh_stale(session: Session, rows: Sequence[Any]) -> int:
    """Rotation: re-hash these token rows under the primary key, in place (same ids), from
    their people's encrypted names; a row whose person or word is no longer held goes.
    Returns the rows changed."""
    by_person: dict[uuid.UUID, list[Any]] = {}
    for row in rows:
        by_person.setdefault(row.person_id, []).append(row)
    people: dict[uuid.UUID, Person] = {}
    for role in {row.role for row in rows}:
        source = _BY_ROLE.get(role)
        if source is None:
            continue
        ids = [pid for pid, mine in by_person.items() if mine[0].role == role]
        stmt = select(source.model).where(source.model.id.in_(ids)).options(lazyload("*"))
        people.update({obj.id: source.person(obj) for obj in session.scalars(stmt)})
    for person_id, mine in by_person.items():
        person = people.get(person_id)
        moved: dict[tuple[str, str], str] = {}
        if person is not None:
            new = token_pairs(person)
            for key_id in {row.token.split(":", 1)[0] for row in mine}:
                moved |= dict(zip(token_pairs(person, key_id), (t for _, t in new), strict=True))
        for row in mine:
            token = moved.get((row.kind, row.token))
            if token is None:
                session.delete(row)
            else:
                row.token = token
    return len(rows)


def _missing(source: Source) -> Any:
    return ~exists().where(SearchToken.person_id == source.model.id)


def anyone_missing(session: Session) -> bool:
    """Is any person without tokens? (A look at one row per source.)"""
    return any(
        session.scalar(select(source.model.id).where(_missing(source)).limit(1)) is not None
        for source in SOURCES
    )


def fill_missing(db: Database, batch_size: int = 500) -> int:
    """Give every person without tokens their tokens (rows written before search existed);
    returns how many people were indexed. Batches commit on their own; running again after an
    interruption carries on."""
    done = 0
    for source in SOURCES:
        missing = _missing(source)
        after: Any = None
        while True:
            stmt = select(source.model).where(missing).order_by(source.model.id)
            stmt = stmt.limit(batch_size).options(lazyload("*"))
            if after is not None:
                stmt = stmt.where(source.model.id > after)
            with db.serialised() as session:
                objs = list(session.scalars(stmt))
                if objs:
                    replace(session, [source.person(o) for o in objs])
            if not objs:
                break
            done += len(objs)
            after = objs[-1].id
    return done


SearchToken.__derived_index__ = DerivedIndex("token", refresh_stale)  # type: ignore[attr-defined]
for _source in SOURCES:
    after_insert_rows(_source.model, _after_insert(_source))
event.listen(Session, "before_flush", _before_flush)
