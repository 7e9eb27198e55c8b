"""A referrals table grown to a million rows fast enough to benchmark against.

Submitting a million referrals through the action would take hours, so only the victims the
benchmark looks up go through it (their envelopes are bound to their own rows and their blind
indexes are real). Every other row is a bulk SQLAlchemy Core ``executemany`` in large batches:
it copies the envelopes of those looked-up rows (valid-looking, realistic sizes, but bound to
another row, so never opened) and carries a real blind index of its own distinct surname and
date of birth under the real key ring. Each bulk referral has a perpetrator and a child as
well, so the tables loaded with every candidate are as large as they would be.

A 32-bit index collides now and then across a million rows; a bulk row whose index collides
with one the benchmark looks up is given another name, because its borrowed envelopes cannot
be opened. In production such a collision costs one extra decryption.
"""

from __future__ import annotations

import os
import random
from datetime import datetime, timedelta
from typing import Any

from harness import TODAY, World, birth_date, referral_body, word
from sqlalchemy import Column, MetaData, Table, create_engine, event, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.sql.sqltypes import NullType

from casework.crypto import candidates
from casework.db import write_intent
from casework.referrals.actions import submit_referral
from casework.referrals.models import Child, Perpetrator, Referral
from casework.referrals.repeat import Person

TARGET_OFFSET = 30_000_000  # victims on file and looked up
STRANGER_OFFSET = 31_000_000  # victims looked up but never referred
BULK_OFFSET = 50_000_000  # everyone else (word() has 65 million names)
BATCH = 20_000
MODELS = (Referral, Perpetrator, Child)
STATUSES = ("submitted", "accepted", "listed", "heard", "closed", "closed", "closed", "withdrawn")


def _people(body: dict[str, Any]) -> tuple[Person, Person]:
    v, p = body["victim"], body["perpetrators"][0]
    return (
        Person(v["first_name"], v["last_name"], _day(v["date_of_birth"])),
        Person(p["first_name"], p["last_name"], _day(p["date_of_birth"])),
    )


def _day(text: str) -> Any:
    return datetime.strptime(text, "%Y-%m-%d").date()


def _keys(person: Person) -> set[str]:
    """Every index value a look-up for ``person`` asks for (day and month swapped too)."""
    dob = person.date_of_birth
    assert dob is not None
    days = [dob]
    if dob.day <= 12 and dob.day != dob.month:
        days.append(dob.replace(month=dob.day, day=dob.month))
    return {k for d in days for k in candidates("victim_name_dob", person.last_name, d.isoformat())}


class BulkReferrals:
    def __init__(self, world: World, seed: int) -> None:
        self.world = world
        self.rng = random.Random(seed)
        self.count = 0
        self.next_name = BULK_OFFSET
        self.looked_up: set[str] = set()
        self.templates: dict[str, list[dict[str, Any]]] = {}

    def add_targets(self, count: int) -> list[tuple[Person, Person]]:
        """Victims referred 200 days ago through the action, so a referral today is a repeat."""
        svc, day = self.world.svc, TODAY - timedelta(days=200)
        people = []
        for n in range(TARGET_OFFSET, TARGET_OFFSET + count):
            body = referral_body(self.world.panel_id, n, day)
            with write_intent():
                submit_referral(svc, self.world.referrer, body)
                self.world.settle()
            people.append(_people(body))
        svc.db.session.remove()
        self.count += count
        for victim, _ in people:
            self.looked_up |= _keys(victim)
        self._load_templates()
        return people

    def strangers(self, count: int) -> list[tuple[Person, Person]]:
        people = [
            _people(referral_body(self.world.panel_id, n))
            for n in range(STRANGER_OFFSET, STRANGER_OFFSET + count)
        ]
        for victim, _ in people:
            self.looked_up |= _keys(victim)
        return people

    def _load_templates(self) -> None:
        """The target rows exactly as SQLite stores them (hex ids, ISO dates, envelopes)."""
        with self.world.svc.db.engine.connect() as conn:
            for model in MODELS:
                rows = conn.execute(select(_untyped(model))).mappings()
                self.templates[model.__tablename__] = [dict(r) for r in rows]

    def plan(self, victim: Person) -> str:
        """SQLite's plan for the candidate query (it should search the victim_ix index)."""
        stmt = select(Referral).where(
            Referral.victim_ix.in_(sorted(_keys(victim))), Referral.status != "withdrawn"
        )
        engine = self.world.svc.db.engine
        sql = str(stmt.compile(engine, compile_kwargs={"literal_binds": True}))
        with engine.connect() as conn:
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql).all()
        return "; ".join(str(row[-1]) for row in rows)

    def grow_to(self, total: int) -> None:
        """Bulk-insert referrals until ``total`` are stored, then checkpoint the WAL, as a
        database that has been running for a while would be."""
        loader = _loader(self.world.svc.db.url)
        tables = {model.__tablename__: _untyped(model) for model in MODELS}
        try:
            while self.count < total:
                size = min(BATCH, total - self.count)
                batch = [self._row() for _ in range(size)]
                with loader.begin() as conn:
                    for name, table in tables.items():
                        conn.execute(table.insert(), [rows[name] for rows in batch])
                self.count += size
            with loader.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            loader.dispose()
        with self.world.svc.db.engine.connect() as conn:
            stored = conn.scalar(select(func.count()).select_from(Referral))
        assert stored == total, f"expected {total} referrals, found {stored}"

    def _row(self) -> dict[str, dict[str, Any]]:
        """One bulk referral with its perpetrator and child, envelopes borrowed from a target."""
        while True:
            n = self.next_name
            self.next_name += 1
            index = candidates("victim_name_dob", word(n), birth_date(n).isoformat())[0]
            if index not in self.looked_up:
                break
        pick = self.rng.randrange(len(self.templates["referrals"]))
        referral = dict(self.templates["referrals"][pick])
        day = TODAY - timedelta(days=self.rng.randrange(1_095))
        referral.update(
            id=os.urandom(16).hex(),
            reference=f"X{n:011d}",
            victim_ix=index,
            status=self.rng.choice(STATUSES),
            referral_date=day.isoformat(),
            created_at=f"{day.isoformat()} 10:00:00.000000",
        )
        perpetrator = dict(self.templates["referral_perpetrators"][pick])
        perpetrator.update(
            id=os.urandom(16).hex(),
            referral_id=referral["id"],
            name_dob_ix=f"{index.split(':')[0]}:{self.rng.getrandbits(32):08x}",
        )
        child = dict(self.templates["referral_children"][pick])
        child.update(id=os.urandom(16).hex(), referral_id=referral["id"])
        return {
            "referrals": referral,
            "referral_perpetrators": perpetrator,
            "referral_children": child,
        }


def _untyped(model: type) -> Table:
    """The model's table with untyped columns, so values reach SQLite as they are: the rows are
    built in stored form, and a million rows would otherwise spend minutes in type processing."""
    columns = [Column(c.name, NullType()) for c in model.__table__.columns]  # type: ignore[attr-defined]
    return Table(model.__tablename__, MetaData(), *columns)  # type: ignore[attr-defined]


def _loader(url: str) -> Engine:
    """An engine for loading only: no fsync and a large page cache. Rows are valid by
    construction, so foreign keys are not checked. Look-ups use the service's own engine."""
    engine = create_engine(url)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        for pragma in ("synchronous=OFF", "cache_size=-262144", "foreign_keys=OFF"):
            dbapi_conn.execute(f"PRAGMA {pragma}")

    return engine
