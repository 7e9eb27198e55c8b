"""Key rotation: every row moves to the new key, reads back the same and is still found by its
blind index, even half way through, after an interruption, and from another process's view."""

from __future__ import annotations

import base64
import logging
import os
import stat
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy import ForeignKey, String, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

import casework.crypto.fields as fields_module
import casework.crypto.rotate as rotate_module
from casework.cli import main
from casework.crypto import (
    BlindIndex,
    KeyRing,
    RingFile,
    Sealed,
    candidates,
    configure,
    current_ring,
    encrypted,
    encrypted_fields,
    key_id_of,
    load_keyring,
    reload_keyring_if_changed,
    write_keyring,
)
from casework.crypto.indexes import indexes_of
from casework.crypto.keyring import write_private_file
from casework.crypto.rotate import (
    RotationError,
    State,
    begin,
    find_targets,
    read_state,
    state_path,
    target_of,
)
from casework.db import Base as CaseworkBase
from casework.db import Database, UUIDPrimaryKey


class Base(DeclarativeBase):
    """Test-only models, kept off casework's metadata (and so out of its migrations)."""


def _name_dob(last_name: str | None, dob: date | None) -> tuple[str, str] | None:
    return (last_name, dob.isoformat()) if last_name and dob else None


class Client(UUIDPrimaryKey, Base):
    __tablename__ = "rotate_clients"

    reference: Mapped[str] = mapped_column(String(20))
    first_name_ct: Mapped[bytes | None] = mapped_column("first_name", Sealed())
    first_name = encrypted("first_name_ct")
    last_name_ct: Mapped[bytes | None] = mapped_column("last_name", Sealed())
    last_name = encrypted("last_name_ct")
    dob_ct: Mapped[bytes | None] = mapped_column("date_of_birth", Sealed())
    date_of_birth = encrypted("dob_ct", kind="date")
    name_dob_ix: Mapped[str | None] = mapped_column(String(80), index=True)

    __blind_indexes__ = (
        BlindIndex(
            "name_dob_ix", "client_name_dob", lambda c: _name_dob(c.last_name, c.date_of_birth)
        ),
    )


class Note(UUIDPrimaryKey, Base):  # encrypted, no index
    __tablename__ = "rotate_notes"

    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("rotate_clients.id"))
    body_ct: Mapped[bytes | None] = mapped_column("body", Sealed())
    body = encrypted("body_ct", kind="json")


class Alias(UUIDPrimaryKey, Base):  # an index over a plain column, nothing encrypted
    __tablename__ = "rotate_aliases"

    nickname: Mapped[str] = mapped_column(String(40))
    nickname_ix: Mapped[str | None] = mapped_column(String(80))

    __blind_indexes__ = (BlindIndex("nickname_ix", "alias_nickname", lambda a: (a.nickname,)),)


class Plain(UUIDPrimaryKey, Base):  # nothing to rotate
    __tablename__ = "rotate_plain"

    label: Mapped[str] = mapped_column(String(40))


MODELS = [Client, Note, Alias, Plain]
TABLES = ("rotate_aliases", "rotate_clients", "rotate_notes")
ROWS = 23  # per table; batches of 5 leave a short last batch
PEOPLE = [
    ("Siobhán", "O'Brien", date(1980, 2, 29)),
    ("Renée", "Le Blanc", date(1975, 12, 1)),
    ("Zoë", "Straße", date(2001, 6, 30)),
    ("Sam", None, date(1990, 1, 1)),  # not indexed: no surname
    ("Kai", "Nguyen", None),  # not indexed: no date of birth
]
SEALED_COLUMNS = [
    Client.__table__.c.first_name,
    Client.__table__.c.last_name,
    Client.__table__.c.date_of_birth,
    Note.__table__.c.body,
]
INDEX_COLUMNS = [Client.__table__.c.name_dob_ix, Alias.__table__.c.nickname_ix]


@pytest.fixture
def ring_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A ring file loaded the way the app loads one (watched), restored after the test."""
    monkeypatch.setattr(fields_module, "_ring", None)
    monkeypatch.setattr(fields_module, "_source", None)
    path = tmp_path / "keyring.json"
    write_keyring(path, KeyRing.generate())
    source = RingFile(path)
    configure(source.load(), source=source)
    return path


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """A temporary SQLite file, or the suite's PostgreSQL database on its PostgreSQL run (the
    test tables are dropped again so the migration check never sees them)."""
    url = os.environ.get("CASEWORK_TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'rotate.db'}"
    database = Database(url)
    Base.metadata.drop_all(database.engine)  # left over if an earlier run was killed
    Base.metadata.create_all(database.engine)
    yield database
    Base.metadata.drop_all(database.engine)
    database.dispose()


def seed(db: Database) -> dict[tuple[str, uuid.UUID], dict[str, Any]]:
    with db.transaction() as session:
        clients = []
        for i in range(ROWS):
            first, last, dob = PEOPLE[i % len(PEOPLE)]
            clients.append(
                Client(
                    reference=f"R{i:03}",
                    first_name=f"{first} {i}",
                    last_name=last,
                    date_of_birth=dob,
                )
            )
            session.add(Alias(nickname=f"Nick-{i}"))
        session.add_all(clients)
        session.flush()
        for i, client in enumerate(clients):
            session.add(Note(client_id=client.id, body={"text": f"note {i}", "urgent": i % 2 == 0}))
    return read_all(db)


def read_all(db: Database) -> dict[tuple[str, uuid.UUID], dict[str, Any]]:
    """Every row's plain values, read through fresh objects (nothing cached)."""
    attrs: dict[type, tuple[str, ...]] = {
        Client: ("reference", "first_name", "last_name", "date_of_birth"),
        Note: ("client_id", "body"),
        Alias: ("nickname",),
    }
    found = {}
    with db.transaction() as session:
        for model, names in attrs.items():
            for obj in session.scalars(select(model)):
                found[(model.__tablename__, obj.id)] = {n: getattr(obj, n) for n in names}
    return found


def stored_key_ids(db: Database) -> Counter[str]:
    """Key ids as the database holds them: envelope headers and blind-index prefixes."""
    ids: Counter[str] = Counter()
    with db.engine.connect() as conn:
        for column in SEALED_COLUMNS:
            ids.update(key_id_of(v) for v in conn.scalars(select(column)) if v is not None)
        for column in INDEX_COLUMNS:
            ids.update(v.split(":")[0] for v in conn.scalars(select(column)) if v is not None)
    return ids


def assert_every_lookup_finds_its_row(db: Database) -> None:
    with db.transaction() as session:
        clients = session.scalars(select(Client)).all()
        indexed = [c for c in clients if c.last_name and c.date_of_birth]
        assert len(indexed) > ROWS // 2
        for client in indexed:
            assert client.last_name is not None and client.date_of_birth is not None
            for spelling in (client.last_name, client.last_name.upper().replace("'", "’")):
                wanted = candidates("client_name_dob", spelling, client.date_of_birth.isoformat())
                found = session.scalars(select(Client.id).where(Client.name_dob_ix.in_(wanted)))
                assert client.id in set(found)
        for alias in session.scalars(select(Alias)).all():
            wanted = candidates("alias_nickname", alias.nickname)
            found = session.scalars(select(Alias.id).where(Alias.nickname_ix.in_(wanted)))
            assert alias.id in set(found)


def run_to_end(ring_path: Path, db: Database, batch_size: int = 5) -> dict[str, int]:
    with begin(ring_path, db, MODELS) as rotation:
        moved = rotation.run(batch_size)
        assert rotation.finish() == dict.fromkeys(TABLES, 0)
    return moved


def test_rotation_moves_every_row_to_the_new_key(ring_path: Path, db: Database) -> None:
    before = seed(db)
    assert set(stored_key_ids(db)) == {"k1"}

    with begin(ring_path, db, MODELS) as rotation:
        assert (rotation.key_id, rotation.previous, rotation.resumed) == ("k2", "k1", False)
        assert [t.table for t in rotation.targets] == list(TABLES)  # Plain is not a target
        assert rotation.pending() == dict.fromkeys(TABLES, ROWS)
        batches: list[tuple[str, int]] = []
        moved = rotation.run(batch_size=5, progress=lambda table, n: batches.append((table, n)))
        assert moved == dict.fromkeys(TABLES, ROWS)
        assert rotation.finish() == dict.fromkeys(TABLES, 0)
        assert rotation.finished

    assert batches[:5] == [("rotate_aliases", 5)] * 4 + [("rotate_aliases", 3)]
    assert set(stored_key_ids(db)) == {"k2"}
    assert not state_path(ring_path).exists()
    ring = load_keyring(ring_path, None)
    assert ring.primary == "k2" and set(ring.keys) == {"k1", "k2"}  # old key kept for backups
    assert stat.S_IMODE(ring_path.stat().st_mode) == 0o600
    assert read_all(db) == before


def test_every_record_reads_back_identically_from_a_fresh_process_view(
    ring_path: Path, db: Database
) -> None:
    before = seed(db)
    run_to_end(ring_path, db)
    # What another process starting now sees: only the file, nothing cached.
    fields_module._ring = None
    configure(RingFile(ring_path).load())
    assert current_ring().primary == "k2"
    assert read_all(db) == before


def test_every_blind_index_lookup_still_finds_its_row(ring_path: Path, db: Database) -> None:
    seed(db)
    assert_every_lookup_finds_its_row(db)
    run_to_end(ring_path, db)
    assert_every_lookup_finds_its_row(db)
    with db.transaction() as session:
        unindexed = sum(1 for i in range(ROWS) if None in PEOPLE[i % len(PEOPLE)])
        assert session.scalar(select(func.count()).where(Client.name_dob_ix.is_(None))) == unindexed


def test_an_interrupted_rotation_resumes_without_a_second_new_key(
    ring_path: Path, db: Database
) -> None:
    before = seed(db)

    class Interrupted(Exception):
        pass

    def stop(_table: str, _rows: int) -> None:
        raise Interrupted

    with pytest.raises(Interrupted), begin(ring_path, db, MODELS) as rotation:
        rotation.run(batch_size=5, progress=stop)

    assert read_state(ring_path) == State("k2", "k1", rotation.started)
    half = stored_key_ids(db)
    assert half["k2"] == 5 and half["k1"] > 0  # the first batch committed, nothing else
    # Half way, the service still works: every row opens and every lookup finds its row.
    assert read_all(db) == before
    assert_every_lookup_finds_its_row(db)

    with begin(ring_path, db, MODELS) as resumed:
        assert (resumed.key_id, resumed.resumed, resumed.started) == ("k2", True, rotation.started)
        assert resumed.pending() == {
            "rotate_aliases": ROWS - 5,
            "rotate_clients": ROWS,
            "rotate_notes": ROWS,
        }
        resumed.run(batch_size=5)
        assert resumed.finish() == dict.fromkeys(TABLES, 0)

    assert set(load_keyring(ring_path, None).keys) == {"k1", "k2"}
    assert set(stored_key_ids(db)) == {"k2"}
    assert not state_path(ring_path).exists()
    assert read_all(db) == before
    assert_every_lookup_finds_its_row(db)

    with begin(ring_path, db, MODELS) as later:  # a finished rotation is not resumed
        assert (later.key_id, later.resumed) == ("k3", False)


def test_a_run_stopped_before_the_ring_was_written_makes_the_recorded_key(
    ring_path: Path, db: Database
) -> None:
    seed(db)
    # The state is saved before the ring: a crash in between leaves a key id no ring holds.
    write_private_file(state_path(ring_path), State("k2", "k1", "2025-01-01T00:00").to_json())
    with begin(ring_path, db, MODELS) as rotation:
        assert (rotation.key_id, rotation.resumed) == ("k2", True)
        rotation.run()
        assert not any(rotation.finish().values())
    assert set(load_keyring(ring_path, None).keys) == {"k1", "k2"}


def test_a_state_file_that_disagrees_with_the_ring_stops_rotation(
    ring_path: Path, db: Database
) -> None:
    run_to_end(ring_path, db)  # ring now k2 primary, k1 kept
    write_private_file(state_path(ring_path), State("k1", "k0", "then").to_json())
    with pytest.raises(RotationError, match="records a rotation to key k1"):
        begin(ring_path, db, MODELS)
    state_path(ring_path).write_text("{not json")
    with pytest.raises(RotationError, match="damaged"):
        begin(ring_path, db, MODELS)
    assert load_keyring(ring_path, None).primary == "k2"


def test_only_one_rotation_runs_at_a_time(ring_path: Path, db: Database) -> None:
    with (
        begin(ring_path, db, MODELS),
        pytest.raises(RotationError, match="another key rotation is running"),
    ):
        begin(ring_path, db, MODELS)
    assert set(load_keyring(ring_path, None).keys) == {"k1", "k2"}


def test_rows_a_stale_server_writes_behind_the_cursor_are_moved_too(
    ring_path: Path, db: Database
) -> None:
    before = seed(db)
    old_ring = current_ring()
    late_id = uuid.UUID(int=0)  # sorts before every row already passed

    def stale_server_writes(table: str, _rows: int) -> None:
        if table != "rotate_clients" or late_id in {k[1] for k in before}:
            return
        ring, source = fields_module._ring, fields_module._source
        configure(old_ring)  # a server that has not reloaded yet
        try:
            with db.transaction() as session:
                late = Client(id=late_id, reference="LATE", first_name="Late", last_name="Comer")
                session.add(late)
        finally:
            assert ring is not None
            configure(ring, source=source)
        before[("rotate_clients", late_id)] = {
            "reference": "LATE",
            "first_name": "Late",
            "last_name": "Comer",
            "date_of_birth": None,
        }

    with begin(ring_path, db, MODELS) as rotation:
        moved = rotation.run(batch_size=5, progress=stale_server_writes)
        assert moved["rotate_clients"] == ROWS + 1
        assert rotation.finish() == dict.fromkeys(TABLES, 0)
    assert set(stored_key_ids(db)) == {"k2"}
    assert read_all(db) == before


def test_a_running_server_follows_a_rotation_made_by_another_process(
    ring_path: Path, db: Database
) -> None:
    before = seed(db)
    # Two server processes' views, both loaded before the rotation.
    reader = RingFile(ring_path)
    reader_ring = reader.load()
    requester = RingFile(ring_path)
    requester_ring = requester.load()

    run_to_end(ring_path, db)

    # A row under a key it has never seen makes a process reread the ring file.
    configure(reader_ring, source=reader)
    assert current_ring().primary == "k1"
    assert read_all(db) == before
    assert current_ring().primary == "k2"

    # The start of each request rereads it when the file changed, so new writes use the new key.
    configure(requester_ring, source=requester)
    assert reload_keyring_if_changed() is True
    assert current_ring().primary == "k2"
    assert reload_keyring_if_changed() is False  # unchanged file: one stat, no reread
    assert key_id_of(Client(first_name="New").first_name_ct or b"") == "k2"


def test_a_broken_ring_file_is_reported_once_and_the_ring_in_memory_kept(
    ring_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    ring = current_ring()
    write_private_file(ring_path, '{"primary": "k1", "keys": {}}')
    with caplog.at_level(logging.ERROR, logger="casework.crypto"):
        assert reload_keyring_if_changed() is False
        assert reload_keyring_if_changed() is False
    assert current_ring() is ring
    assert [r.levelname for r in caplog.records] == ["ERROR"]
    assert "not reloaded" in caplog.records[0].getMessage()


def test_each_request_picks_up_a_rotated_ring(ring_path: Path, client: FlaskClient) -> None:
    write_keyring(ring_path, load_keyring(ring_path, None).with_new_primary())
    assert current_ring().primary == "k1"
    client.get("/sign-in")
    assert current_ring().primary == "k2"


def test_write_keyring_replaces_atomically_with_private_mode(tmp_path: Path) -> None:
    path = tmp_path / "ring.json"
    path.write_text("old")
    path.chmod(0o644)
    ring = KeyRing.generate().with_new_primary()
    write_keyring(path, ring)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_keyring(path, None).keys == ring.keys
    assert [p.name for p in tmp_path.iterdir()] == ["ring.json"]  # no temporary file left


def test_write_keyring_keeps_the_owner_or_leaves_the_file_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "ring.json"
    write_keyring(path, KeyRing.generate())
    before = path.read_text()
    owner = path.stat()
    chowned: list[tuple[int, int]] = []
    monkeypatch.setattr(os, "geteuid", lambda: owner.st_uid + 1)  # run by someone else
    monkeypatch.setattr(os, "fchown", lambda _fd, uid, gid: chowned.append((uid, gid)))
    write_keyring(path, KeyRing.generate())
    assert chowned == [(owner.st_uid, owner.st_gid)]

    def refuse(_fd: int, _uid: int, _gid: int) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "fchown", refuse)
    after_first = path.read_text()
    with pytest.raises(PermissionError):
        write_keyring(path, KeyRing.generate())
    assert path.read_text() == after_first != before
    assert [p.name for p in tmp_path.iterdir()] == ["ring.json"]


def test_old_key_rows_are_found_in_sql_by_their_exact_key_id(ring_path: Path, db: Database) -> None:
    seed(db)
    target = target_of(Client)
    assert target is not None
    with db.transaction() as session:
        for key_id, expected in [("k1", 0), ("k10", ROWS), ("k", ROWS), ("k2", ROWS)]:
            query = select(func.count()).select_from(Client).where(target.stale(key_id))
            assert session.scalar(query) == expected, key_id


def test_every_casework_model_with_encrypted_data_is_found() -> None:
    expected = {
        m.class_
        for m in CaseworkBase.registry.mappers
        if encrypted_fields(m.class_)
        or indexes_of(m.class_)
        or getattr(m.class_, "__derived_index__", None)  # search tokens
    }
    assert {t.model for t in find_targets()} == expected
    assert {t.model for t in find_targets(MODELS)} == {Client, Note, Alias}


# The command line, end to end.


@pytest.fixture
def cli(ring_path: Path, db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("CASEWORK_ENV", "testing")
    monkeypatch.setenv("CASEWORK_DATABASE_URL", db.url)
    monkeypatch.setenv("CASEWORK_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("CASEWORK_SECRET_KEY", "s" * 48)  # no "generated a secret" warnings
    monkeypatch.setenv("CASEWORK_AUDIT_KEY", "a" * 48)
    monkeypatch.setenv("CASEWORK_KEYRING_FILE", str(ring_path))
    monkeypatch.delenv("CASEWORK_KEYRING", raising=False)
    real = rotate_module.find_targets
    monkeypatch.setattr(rotate_module, "find_targets", lambda models=None: real(models or MODELS))

    def run(*args: str) -> Any:
        return CliRunner().invoke(main, list(args))

    return run


def _secrets(ring_path: Path) -> list[str]:
    ring = load_keyring(ring_path, None)
    return [base64.b64encode(s).decode() for v in ring for s in (v.enc, v.idx)] + [
        s.hex() for v in ring for s in (v.enc, v.idx)
    ]


def test_cli_rotates_every_row_and_reports(cli: Any, ring_path: Path, db: Database) -> None:
    before = seed(db)
    result = cli("keys", "rotate", "--batch-size", "7")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Made key k2 the primary (was k1)" in out
    for table in TABLES:
        assert f"{table}: {ROWS} row(s) re-encrypted" in out
    assert "Primary key is now k2. Verified: no row uses an old key." in out
    assert not any(secret in out for secret in _secrets(ring_path))
    assert set(stored_key_ids(db)) == {"k2"}
    assert read_all(db) == before
    assert_every_lookup_finds_its_row(db)


def test_cli_resumes_an_interrupted_rotation(cli: Any, ring_path: Path, db: Database) -> None:
    before = seed(db)

    def stop(_table: str, _rows: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt), begin(ring_path, db, MODELS) as rotation:
        rotation.run(batch_size=5, progress=stop)

    result = cli("keys", "rotate")
    assert result.exit_code == 0, result.output
    assert "Resuming the unfinished rotation to key k2" in result.output
    assert "rotate_aliases: 18 row(s) re-encrypted" in result.output
    assert set(load_keyring(ring_path, None).keys) == {"k1", "k2"}
    assert set(stored_key_ids(db)) == {"k2"}
    assert read_all(db) == before


def test_cli_refuses_a_ring_from_the_environment(
    cli: Any, ring_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CASEWORK_KEYRING_FILE")
    monkeypatch.setenv("CASEWORK_KEYRING", ring_path.read_text())
    result = cli("keys", "rotate")
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "CASEWORK_KEYRING" in lines[0] and "Traceback" not in lines[0]
    assert not any(secret in result.output for secret in _secrets(ring_path))
    assert load_keyring(ring_path, None).primary == "k1"


def test_cli_refuses_while_another_rotation_runs(cli: Any, ring_path: Path, db: Database) -> None:
    with begin(ring_path, db, MODELS):
        result = cli("keys", "rotate")
    assert result.exit_code == 1
    assert "another key rotation is running" in result.output.strip().splitlines()[-1]
