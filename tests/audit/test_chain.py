"""The audit chain: sealed in order, and any alteration, gap, reordering or truncation is named."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from casework.actors import Actor
from casework.agencies.actions import create_agency
from casework.agencies.models import Agency
from casework.audit import log
from casework.audit.chain import seal_pending, verify
from casework.audit.models import AuditCheckpoint, AuditEntry
from casework.db import utcnow
from casework.scheduler.jobs import seal_audit
from tests.audit.writers import write_concurrently
from tests.conftest import bearer


def _entries(svc, n: int) -> None:
    actor = Actor.system("test")
    for i in range(n):
        log.record(svc.session, actor, "view", "agency", f"rec-{i}", ["name"])
    svc.session.commit()
    seal_pending(svc)  # signs the head: nothing has been checkpointed yet


def _seqs(svc) -> list[int | None]:
    svc.session.rollback()
    return svc.session.scalars(select(AuditEntry.seq).order_by(AuditEntry.seq)).all()


def test_entries_are_chained_by_the_transaction_that_commits_them(svc):
    actor = Actor.system("test")
    log.record(svc.session, actor, "view", "agency", "a")
    log.record(svc.session, actor, "view", "agency", "b")
    svc.session.commit()  # no separate sealing step
    assert _seqs(svc) == [1, 2]
    assert verify(svc).ok and verify(svc).pending == 0


def test_undone_writes_leave_no_gap_in_the_chain(svc):
    actor = Actor.system("test")
    log.record(svc.session, actor, "view", "agency", "kept-1")
    with svc.session.begin_nested() as savepoint:
        log.record(svc.session, actor, "view", "agency", "undone")
        svc.session.flush()
        savepoint.rollback()
    log.record(svc.session, actor, "view", "agency", "kept-2")
    svc.session.commit()
    log.record(svc.session, actor, "view", "agency", "rolled-back")
    svc.session.flush()
    svc.session.rollback()
    log.record(svc.session, actor, "view", "agency", "kept-3")
    svc.session.commit()
    kept = svc.session.scalars(select(AuditEntry.record_id).order_by(AuditEntry.seq)).all()
    assert kept == ["kept-1", "kept-2", "kept-3"] and _seqs(svc) == [1, 2, 3]
    assert verify(svc).ok


def test_concurrent_writers_make_one_unbroken_chain(svc):
    """Transactions committing entries at the same moment, each in its own session."""
    write_concurrently(svc, Actor.system("test"), writers=6, actions=("view", "list"))
    assert _seqs(svc) == list(range(1, 121))
    assert verify(svc).ok and verify(svc).checked == 120


def test_entries_written_without_the_key_are_sealed_by_the_scheduled_job(svc):
    actor = Actor.system("test")
    log.record(svc.session, actor, "view", "agency", "sealed")
    svc.session.commit()
    with Session(svc.db.engine) as keyless:  # e.g. a maintenance script's own session
        log.record(keyless, actor, "view", "agency", "left unsealed")
        keyless.commit()
    assert verify(svc).pending == 1
    assert seal_audit(svc, utcnow(), utcnow()) == "audit entries sealed: 1"
    assert _seqs(svc) == [1, 2] and verify(svc).ok and verify(svc).pending == 0


def test_a_quiet_log_gets_one_fresh_signed_head(svc):
    actor = Actor.system("test")
    log.record(svc.session, actor, "view", "agency", "only")
    svc.session.commit()
    positions = select(AuditCheckpoint.seq).where(AuditCheckpoint.seq > 0)  # 0: the head file
    assert svc.session.scalars(positions).all() == []
    seal_audit(svc, utcnow(), utcnow())
    seal_audit(svc, utcnow(), utcnow())  # nothing new since: no second checkpoint
    svc.session.rollback()  # a fresh snapshot
    assert svc.session.scalars(positions).all() == [1]


def test_entries_are_sealed_in_order_and_verify(svc):
    _entries(svc, 5)
    seqs = svc.session.scalars(select(AuditEntry.seq).order_by(AuditEntry.seq)).all()
    assert seqs == [1, 2, 3, 4, 5]
    assert verify(svc).ok and verify(svc).checked == 5


def test_an_altered_entry_is_named(svc):
    _entries(svc, 5)
    svc.session.execute(update(AuditEntry).where(AuditEntry.seq == 3).values(record_id="other"))
    svc.session.commit()
    verdict = verify(svc)
    assert not verdict.ok and verdict.problem.startswith("entry 3 ")


def test_a_missing_entry_is_named(svc):
    _entries(svc, 5)
    svc.session.execute(delete(AuditEntry).where(AuditEntry.seq == 2))
    svc.session.commit()
    assert verify(svc).problem == "entry 2 is missing (next found is 3)"


def test_reordered_entries_are_detected(svc):
    _entries(svc, 4)
    svc.session.execute(update(AuditEntry).where(AuditEntry.seq == 2).values(seq=-2))
    svc.session.execute(update(AuditEntry).where(AuditEntry.seq == 3).values(seq=2))
    svc.session.execute(update(AuditEntry).where(AuditEntry.seq == -2).values(seq=3))
    svc.session.commit()
    verdict = verify(svc)
    assert not verdict.ok and "entry 2 " in verdict.problem


def test_deleting_the_newest_entries_is_caught_by_the_signed_checkpoint(svc):
    _entries(svc, 5)
    svc.session.execute(delete(AuditEntry).where(AuditEntry.seq >= 4))
    svc.session.commit()
    assert verify(svc).problem == "entries 4 to 5 are missing (signed checkpoint at 5)"


def test_a_forged_checkpoint_is_refused(svc):
    _entries(svc, 3)
    svc.session.execute(update(AuditCheckpoint).where(AuditCheckpoint.seq == 3).values(seq=2))
    svc.session.commit()
    assert "bad signature" in verify(svc).problem


def test_requests_write_audit_rows_and_seal_them(client, factory, svc):
    admin = factory.user("admin@example.org", roles=("admin",))
    headers = bearer(factory.token(admin))
    client.post(
        "/api/v1/agencies",
        headers=headers,
        json={"code": "HOUSING", "name": "Homes", "sector": "housing"},
    )
    entry = svc.session.scalar(
        select(AuditEntry).where(
            AuditEntry.record_type == "agency", AuditEntry.actor_email == "admin@example.org"
        )
    )
    assert entry.action == "create" and entry.via == "api" and entry.seq is not None
    assert set(entry.fields) == {"code", "name", "sector", "police"}
    assert verify(svc).ok


def test_a_failed_audit_write_rolls_back_the_change(client, factory, svc, monkeypatch):
    admin = factory.user("admin@example.org", roles=("admin",))
    headers = bearer(factory.token(admin))

    def broken(*args, **kwargs):
        raise RuntimeError("audit table unavailable")

    monkeypatch.setattr("casework.agencies.actions.audit.record", broken)
    response = client.post(
        "/api/v1/agencies",
        headers=headers,
        json={"code": "HOUSING", "name": "Homes", "sector": "housing"},
    )
    assert response.status_code == 500
    assert (
        svc.session.scalar(select(func.count()).select_from(Agency).where(Agency.code == "HOUSING"))
        == 0
    )


def test_concurrent_sealers_make_one_unbroken_chain(svc, app):
    actor = Actor.system("test")
    for i in range(200):
        log.record(svc.session, actor, "view", "agency", f"rec-{i}")
    svc.session.commit()
    errors: list[BaseException] = []

    def seal() -> None:
        try:
            seal_pending(svc, batch=25)
            seal_pending(svc, batch=500)
        except BaseException as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=seal) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert verify(svc).ok and verify(svc).checked == 200


@pytest.mark.parametrize("tamper", ["none", "alter"])
def test_cli_audit_verify(monkeypatch, database_url, instance_path, svc, tamper):
    from click.testing import CliRunner

    from casework.cli import main

    monkeypatch.setenv("CASEWORK_DATABASE_URL", database_url)
    monkeypatch.setenv("CASEWORK_INSTANCE_PATH", str(instance_path))
    monkeypatch.setenv("CASEWORK_ENV", "testing")
    create_agency(svc, Actor.system("test"), {"code": "POL", "name": "P", "sector": "police"})
    svc.session.commit()
    if tamper == "alter":
        seal_pending(svc)
        svc.session.execute(update(AuditEntry).values(actor_email="someone-else"))
        svc.session.commit()
    result = CliRunner().invoke(main, ["audit", "verify"])
    if tamper == "none":
        assert result.exit_code == 0 and "1 entries checked" in result.output
    else:
        assert result.exit_code == 1 and "entry 1 " in result.output
