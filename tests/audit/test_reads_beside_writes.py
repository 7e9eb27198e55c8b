"""A page view is never refused because a colleague saved something at the same moment.

Reading case data writes an audit entry in the same transaction. On SQLite a transaction
that has read and then writes fails outright if another writer committed in between, so
every request takes the write lock when its transaction begins (PostgreSQL needs nothing).
"""

from __future__ import annotations

import functools
import sqlite3
import threading
from typing import Any

import pytest
from sqlalchemy import text

from casework.audit import log
from casework.exports import csv_chunks
from tests.conftest import Factory, bearer, sign_in
from tests.referral_data import referral_body


def test_a_read_with_a_write_committed_midway_is_answered_and_audited(
    client, factory: Factory, svc, monkeypatch
) -> None:
    factory.agency("POL", "police")
    panel = factory.panel(("POL",))
    user = factory.user("ref@pol.example", "POL", ("referrer",))
    headers = bearer(factory.token(user))
    made = client.post("/api/v1/referrals", json=referral_body(panel.id), headers=headers)
    referral_id = made.json["id"]
    colleague: dict[str, Any] = {}

    def save_elsewhere() -> None:
        """Another request writing, in its own connection, while the read is under way."""
        with svc.db.engine.connect() as conn:
            conn.info["begin_mode"] = "IMMEDIATE"
            with conn.begin():
                conn.execute(text("UPDATE agencies SET name = 'Police (renamed)'"))
        colleague["saved"] = True

    real_record = log.record

    def record_while_someone_saves(*args: Any, **kwargs: Any) -> Any:
        if "thread" not in colleague:  # the read has happened; its audit entry comes next
            colleague["thread"] = threading.Thread(target=save_elsewhere)
            colleague["thread"].start()
            colleague["thread"].join(timeout=0.5)  # long enough to commit if it may
        return real_record(*args, **kwargs)

    monkeypatch.setattr("casework.referrals.actions.audit.record", record_while_someone_saves)
    response = client.get(f"/api/v1/referrals/{referral_id}", headers=headers)
    colleague["thread"].join(timeout=10)
    assert response.status_code == 200
    assert response.json["victim"]["first_name"] == "Jane"
    assert colleague.get("saved"), "the colleague's save went through after the read"
    svc.session.rollback()
    views = svc.session.execute(
        text("SELECT count(*) FROM audit_entries WHERE action = 'view' AND record_id = :id"),
        {"id": referral_id},
    ).scalar()
    assert views == 1


def test_a_download_streaming_its_rows_leaves_others_free_to_write(
    client, factory: Factory, svc, database_url: str, monkeypatch
) -> None:
    """The request's own transaction (with the export's audit entry) commits before the body
    streams; the reads that follow must not hold SQLite's write lock while a client downloads."""
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's single write lock: PostgreSQL readers never hold one")
    factory.agency("POL", "police")
    factory.user("dpo@pol.example", "POL", ("dpo",))
    sign_in(client, "dpo@pol.example")
    one_row_a_chunk = functools.partial(csv_chunks, chunk_rows=1)
    monkeypatch.setattr("casework.web.audit.csv_chunks", one_row_a_chunk)
    download = client.get("/audit.csv", buffered=False)
    assert download.status_code == 200
    chunks = iter(download.response)
    next(chunks)  # the first row sent: the download is reading the log, and not finished
    other = sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=0.5)
    try:
        other.execute("BEGIN IMMEDIATE")  # raises "database is locked" if the lock is held
        other.execute("ROLLBACK")
    finally:
        other.close()
        rest = b"".join(chunks)
        download.close()
    assert b'"create","agency"' in rest  # and the download still finishes
