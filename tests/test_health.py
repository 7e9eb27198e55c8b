"""/healthz and /readyz: what a load balancer relies on to send work only where it can be done."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import update

from casework import clock, create_app
from casework.mail.models import OutboxMessage
from casework.migrate import downgrade, upgrade
from casework.services import Services


def test_healthz_answers_without_a_session_or_the_database(client: FlaskClient, svc, monkeypatch):
    def no_database(*_a, **_kw):
        raise AssertionError("the liveness probe touched the database")

    monkeypatch.setattr(svc.db.engine, "connect", no_database)
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.get_json() == {"alive": True}


def test_readyz_names_every_check_when_ready(client: FlaskClient):
    answer = client.get("/readyz")
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["ready"] is True
    assert set(body["checks"]) == {"database", "migrations", "keyring", "audit_key", "outbox"}
    assert all(check["ok"] for check in body["checks"].values())


def test_readyz_is_not_ready_when_the_key_ring_file_is_gone(client: FlaskClient, svc: Services):
    ring = Path(svc.settings["KEYRING_FILE"])
    hidden = ring.with_name("keyring.hidden")
    os.replace(ring, hidden)
    try:
        answer = client.get("/readyz")
    finally:
        os.replace(hidden, ring)
    assert answer.status_code == 503
    body = answer.get_json()
    assert body["ready"] is False
    assert body["checks"]["keyring"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True
    assert client.get("/readyz").status_code == 200  # back once the file is


def test_readyz_is_not_ready_when_migrations_are_behind(tmp_path: Path, instance_path: Path):
    url = f"sqlite:///{tmp_path / 'behind.db'}"
    upgrade(url)
    downgrade(url, "-1")
    app = create_app({"ENV": "testing", "DATABASE_URL": url, "INSTANCE_PATH": str(instance_path)})
    try:
        answer = app.test_client().get("/readyz")
    finally:
        app.extensions["casework"].db.dispose()
    assert answer.status_code == 503
    check = answer.get_json()["checks"]["migrations"]
    assert check["ok"] is False
    assert "casework init" in check["detail"]


def test_readyz_is_not_ready_when_the_outbox_is_stuck(
    client: FlaskClient, svc: Services, monkeypatch
):
    monkeypatch.setitem(svc.settings, "SMTP_HOST", "mail.example.org")
    monkeypatch.setitem(svc.settings, "READY_OUTBOX_MAX_AGE_MINUTES", 60)
    message = OutboxMessage(
        to_address="someone@example.org",
        subject="A subject",
        body="A body",
        created_at=clock.now() - timedelta(minutes=30),
    )
    svc.session.add(message)
    svc.session.commit()
    assert client.get("/readyz").status_code == 200  # waiting, but not too long

    older = clock.now() - timedelta(minutes=61)
    svc.session.execute(update(OutboxMessage).values(created_at=older))
    svc.session.commit()
    answer = client.get("/readyz")
    assert answer.status_code == 503
    check = answer.get_json()["checks"]["outbox"]
    assert check["ok"] is False
    assert "someone@example.org" not in answer.text  # the check names no recipient


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_write_no_audit_entry(client: FlaskClient, svc: Services, path: str):
    from sqlalchemy import func, select

    from casework.audit.models import AuditEntry

    client.get(path)
    assert svc.session.scalar(select(func.count()).select_from(AuditEntry)) == 0
