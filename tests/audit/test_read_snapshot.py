"""A read holds no write lock while it reads, and its answer never leaves without its audit
entry committed: the entries are written in a short transaction after the snapshot ends."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text

from casework.app import create_app
from casework.audit import log
from tests.conftest import Factory, bearer
from tests.referral_data import referral_body


def _referral(client: Any, factory: Factory) -> tuple[dict[str, str], str]:
    factory.agency("POL", "police")
    panel = factory.panel(("POL",))
    user = factory.user("ref@pol.example", "POL", ("referrer",))
    headers = bearer(factory.token(user))
    made = client.post("/api/v1/referrals", json=referral_body(panel.id), headers=headers)
    assert made.status_code == 201
    client.get(f"/api/v1/referrals/{made.json['id']}", headers=headers)  # token touched
    return headers, made.json["id"]


def _views(svc: Any, referral_id: str) -> int:
    svc.session.rollback()
    return svc.session.execute(
        text("SELECT count(*) FROM audit_entries WHERE action = 'view' AND record_id = :id"),
        {"id": referral_id},
    ).scalar()


def test_a_writer_commits_while_a_read_is_under_way(
    client, factory: Factory, svc, database_url: str, monkeypatch
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's single write lock: PostgreSQL readers never hold one")
    headers, referral_id = _referral(client, factory)
    before = _views(svc, referral_id)
    saved: dict[str, bool] = {}

    def save_elsewhere() -> None:
        conn = sqlite3.connect(svc.db.engine.url.database, timeout=0, isolation_level=None)
        try:  # refused at once ("database is locked") if the read held the write lock
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("UPDATE agencies SET name = 'Police (renamed)'")
            conn.execute("COMMIT")
            saved["during the read"] = True
        finally:
            conn.close()

    real_record = log.record

    def record_while_someone_saves(*args: Any, **kwargs: Any) -> Any:
        thread = threading.Thread(target=save_elsewhere)
        thread.start()
        thread.join(timeout=10)
        return real_record(*args, **kwargs)

    monkeypatch.setattr("casework.referrals.actions.audit.record", record_while_someone_saves)
    response = client.get(f"/api/v1/referrals/{referral_id}", headers=headers)
    assert response.status_code == 200
    assert saved.get("during the read"), "a writer was kept waiting by a read"
    assert _views(svc, referral_id) == before + 1


def test_a_disclosure_whose_audit_write_fails_sends_nothing(
    client, factory: Factory, svc, monkeypatch
) -> None:
    headers, referral_id = _referral(client, factory)
    before = _views(svc, referral_id)

    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("the audit table is unwritable")

    monkeypatch.setattr("casework.http.audit.put", broken)
    response = client.get(f"/api/v1/referrals/{referral_id}", headers=headers)
    assert response.status_code == 500
    assert "Jane" not in response.get_data(as_text=True)
    assert _views(svc, referral_id) == before


@pytest.fixture()
def impatient(database_url: str, instance_path: Path, svc) -> Iterator[Flask]:
    """The same database, served by an app that waits only 50 ms for the write lock."""
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's single write lock: PostgreSQL requests do not wait for one")
    app = create_app(
        {
            "ENV": "testing",
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": str(instance_path),
            "SQLITE_BUSY_TIMEOUT_MS": 50,
        }
    )
    yield app
    app.extensions["casework"].db.dispose()


def test_a_read_whose_entry_cannot_be_written_in_time_is_told_to_retry(
    client, impatient: Flask, factory: Factory, svc
) -> None:
    headers, referral_id = _referral(client, factory)
    before = _views(svc, referral_id)
    reader = impatient.test_client()
    with svc.db.engine.connect() as other:  # a writer holding the lock past the busy timeout
        other.info["begin_mode"] = "IMMEDIATE"
        with other.begin():
            other.execute(text("SELECT 1"))
            response = reader.get(f"/api/v1/referrals/{referral_id}", headers=headers)
    assert response.status_code == 503 and response.json["error"]["code"] == "busy"
    assert "Jane" not in response.get_data(as_text=True)
    assert _views(svc, referral_id) == before
    again = reader.get(f"/api/v1/referrals/{referral_id}", headers=headers)
    assert again.status_code == 200 and again.json["victim"]["first_name"] == "Jane"
    assert _views(svc, referral_id) == before + 1
