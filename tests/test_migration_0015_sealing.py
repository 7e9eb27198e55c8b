"""Migration 0015: attendee names and lead officers written before it are sealed by the upgrade,
an interrupted sealing is finished by upgrading again without sealing anything twice, and the
downgrade gives the plain values back."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import select

import casework.crypto.fields as fields_module
from casework.crypto import KeyRing, backfill, configure
from casework.db import Database, make_engine
from casework.meetings.models import Attendee
from casework.migrate import alembic_config, downgrade, upgrade
from casework.offenders.models import Nominal
from tests.at_rest import database_bytes

BEFORE = "0014e1f2a3b4"
NAMES = ["Quillon Marchbanks", "Zoë Ferncastle", "Rhiannon Applewhite", "Ibrahim Oyelaran", "Li Na"]
OFFICERS = ["DC Perpetua Wolstenholme", None, "PO Ezekiel Throckmorton"]
WORDS = [b"Marchbanks", b"Ferncastle", b"Applewhite", b"Oyelaran", b"Wolstenholme", b"Throckmorton"]
NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


@pytest.fixture()
def ring(monkeypatch: pytest.MonkeyPatch) -> None:
    """A key ring of this test's own, the suite's restored afterwards."""
    monkeypatch.setattr(fields_module, "_ring", None)
    monkeypatch.setattr(fields_module, "_source", None)
    configure(KeyRing.generate())


@pytest.fixture()
def url(tmp_path, ring) -> Iterator[str]:
    """An empty database: a fresh SQLite file, or a schema of its own on the PostgreSQL run."""
    server = os.environ.get("CASEWORK_TEST_DATABASE_URL") or ""
    if not server:
        yield f"sqlite:///{tmp_path / 'upgrade.db'}"
        return
    base = server.replace("postgresql://", "postgresql+psycopg://", 1)
    schema = f"seal_{os.getpid()}"
    engine = sa.create_engine(base)
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    yield f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    engine.dispose()


def _insert(conn: sa.Connection, table: str, row: dict[str, Any]) -> None:
    types = {uuid.UUID: sa.Uuid(), datetime: sa.DateTime(), bool: sa.Boolean()}
    columns = [sa.column(k, types.get(type(v), sa.String())) for k, v in row.items()]
    conn.execute(sa.insert(sa.table(table, *columns)), [row])


def _write_before_0015(url: str) -> None:
    """Rows as the service wrote them before 0015: plain text in both columns."""
    agency, panel, meeting = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    engine = make_engine(url)
    with engine.begin() as conn:
        common = {"active": True, "created_at": NOW}
        _insert(
            conn,
            "agencies",
            {"id": agency, "code": "POL", "name": "Police", "sector": "police", "is_police": True}
            | common,
        )
        panel_row = {"id": panel, "kind": "marac", "name": "North", "area": "North"}
        panel_row |= {"schedule": "monthly", "nation": "england", "protocol": "marac"}
        _insert(conn, "panels", panel_row | common)
        _insert(
            conn,
            "meetings",
            {"id": meeting, "panel_id": panel, "starts_at": NOW, "status": "held"}
            | {"created_at": NOW},
        )
        for name in NAMES:
            person = {"id": uuid.uuid4(), "meeting_id": meeting, "agency_id": agency}
            _insert(conn, "meeting_attendees", person | {"name": name})
        for officer in OFFICERS:
            nominal = {"id": uuid.uuid4(), "is_youth": False, "created_at": NOW}
            _insert(conn, "nominals", nominal | {"lead_officer": officer})
    engine.dispose()


def _raw(url: str) -> dict[str, list[Any]]:
    engine = make_engine(url)
    with engine.connect() as conn:
        found = {
            "names": list(conn.scalars(sa.text("SELECT name FROM meeting_attendees"))),
            "officers": list(conn.scalars(sa.text("SELECT lead_officer FROM nominals"))),
        }
    engine.dispose()
    return found


def _read(url: str) -> tuple[list[str], list[str | None]]:
    """Through the models, as the service reads them."""
    db = Database(url)
    with db.transaction() as session:
        names = sorted(a.name for a in session.scalars(select(Attendee)))
        officers = sorted(
            (n.lead_officer for n in session.scalars(select(Nominal))), key=lambda o: o or ""
        )
    db.dispose()
    return names, officers


def _kinds(values: list[Any]) -> list[str]:
    """What each stored value is: an envelope, a marked plain value waiting, or nothing."""
    return ["none" if v is None else {1: "sealed", 0: "marked"}[bytes(v)[0]] for v in values]


def test_the_upgrade_seals_what_was_written_before_it_and_the_downgrade_opens_it(url):
    upgrade(url, BEFORE)
    _write_before_0015(url)
    upgrade(url)
    raw = _raw(url)
    assert _kinds(raw["names"]) == ["sealed"] * len(NAMES)
    assert sorted(_kinds(raw["officers"])) == ["none", "sealed", "sealed"]
    stored = b"".join(bytes(v) for v in raw["names"] + raw["officers"] if v is not None)
    on_disk = database_bytes(url)
    for word in WORDS:
        assert word not in stored
        assert on_disk is None or word not in on_disk
    assert _read(url) == (sorted(NAMES), sorted(OFFICERS, key=lambda o: o or ""))

    downgrade(url, BEFORE)
    raw = _raw(url)
    assert sorted(raw["names"]) == sorted(NAMES)
    assert sorted(raw["officers"], key=lambda o: o or "") == sorted(OFFICERS, key=lambda o: o or "")


def test_an_interrupted_sealing_is_finished_by_upgrading_again_and_nothing_is_sealed_twice(url):
    upgrade(url, BEFORE)
    _write_before_0015(url)
    command.upgrade(alembic_config(url), "head")  # the schema change alone, as if killed after it
    assert _kinds(_raw(url)["names"]) == ["marked"] * len(NAMES)

    def killed(_table: str, _rows: int) -> None:
        raise KeyboardInterrupt

    db = Database(url)
    with pytest.raises(KeyboardInterrupt):
        backfill.run(db, backfill.find(engine=db.engine), batch_size=2, progress=killed)
    db.dispose()
    first = _raw(url)
    assert sorted(_kinds(first["names"])) == ["marked"] * 3 + ["sealed"] * 2
    done_before = {bytes(v) for v in first["names"] if bytes(v)[0] == 1}

    upgrade(url)  # run again: finishes the job
    again = _raw(url)
    assert _kinds(again["names"]) == ["sealed"] * len(NAMES)
    assert sorted(_kinds(again["officers"])) == ["none", "sealed", "sealed"]
    assert done_before <= {bytes(v) for v in again["names"]}  # untouched: not sealed twice
    assert _read(url) == (sorted(NAMES), sorted(OFFICERS, key=lambda o: o or ""))
    upgrade(url)  # and once more: nothing left to do, nothing changes
    assert _raw(url) == again
