"""The audit chain's head kept outside the database: deleting the newest entries, emptying the
log or replacing the head file is found by ``casework audit verify``, which exits non-zero."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from casework.actors import Actor
from casework.audit import log
from casework.audit.chain import seal_pending, verify
from casework.audit.head import HeadLog, attach, head_path, read_lines
from casework.audit.models import AuditEntry
from casework.cli import main
from tests.audit.writers import write_concurrently

ACTOR = Actor.system("test")


@pytest.fixture()
def head(svc) -> Iterator[HeadLog]:
    """Sessions of the app record heads as they commit (as every process's sessions do)."""
    before = dict(svc.db.factory.kw.get("info") or {})
    svc.db.session.remove()
    head_log = attach(svc.db, svc.settings)
    head_log.known_id = None
    yield head_log
    svc.db.session.remove()
    svc.db.factory.configure(info=before)


@pytest.fixture()
def cli(monkeypatch, database_url, instance_path):
    monkeypatch.setenv("CASEWORK_DATABASE_URL", database_url)
    monkeypatch.setenv("CASEWORK_INSTANCE_PATH", str(instance_path))
    monkeypatch.setenv("CASEWORK_ENV", "testing")
    return lambda *args: CliRunner().invoke(main, list(args))


def _write(svc, n: int, per_commit: int = 1) -> None:
    for i in range(n):
        log.record(svc.session, ACTOR, "view", "agency", f"rec-{i}", ["name"])
        if (i + 1) % per_commit == 0:
            svc.session.commit()
    svc.session.commit()


def _heads(path: Path) -> list[tuple[int, str]]:
    return [(line.seq, line.mac) for line in read_lines(path) if not isinstance(line, int)]


def _tail(svc) -> tuple[int, str]:
    svc.session.rollback()
    last = svc.session.execute(
        select(AuditEntry.seq, AuditEntry.mac).order_by(AuditEntry.seq.desc()).limit(1)
    ).one()
    return last.seq, last.mac


def _run_sql(svc, statement: str) -> None:
    """As someone with access to the database, not to the service, would."""
    with svc.db.engine.begin() as conn:
        conn.execute(text(statement))


def test_each_commit_records_its_head_and_an_untouched_log_verifies_clean(svc, head, cli):
    _write(svc, 6, per_commit=2)
    heads = _heads(head.path)
    assert [seq for seq, _ in heads] == [2, 4, 6]
    assert heads[-1] == _tail(svc)
    assert head.path.read_text().startswith("# casework audit head file ")
    result = cli("audit", "verify")
    assert result.exit_code == 0, result.output
    assert "6 entries checked" in result.output and "agrees with the head file" in result.output


def test_a_rolled_back_batch_records_no_head(svc, head):
    _write(svc, 2)
    log.record(svc.session, ACTOR, "view", "agency", "undone")
    svc.session.flush()
    svc.session.rollback()
    _write(svc, 1)
    assert [seq for seq, _ in _heads(head.path)] == [1, 2, 3]
    assert verify(svc).ok


@pytest.mark.parametrize("deleted", [3, 203])
def test_deleting_the_newest_entries_after_the_last_checkpoint_is_reported(svc, head, cli, deleted):
    _write(svc, 5)
    seal_pending(svc)  # signs a checkpoint at entry 5: nothing is missing up to there
    _write(svc, deleted, per_commit=50)
    last = 5 + deleted
    _run_sql(svc, "DELETE FROM audit_entries WHERE seq > 5")
    result = cli("audit", "verify")
    assert result.exit_code == 1
    assert (
        f"audit chain broken: {deleted} entries are missing from the end of the log, "
        f"from entry 6: the audit head file {head.path} records entry {last}"
    ) in result.output


def test_an_emptied_log_whose_head_file_was_replaced_by_a_fresh_one_is_reported(svc, head, cli):
    _write(svc, 3)
    _run_sql(svc, "DELETE FROM audit_entries")
    head.path.unlink()  # and the head file swapped for a fresh one, which the service begins
    _write(svc, 2)
    result = cli("audit", "verify")
    assert result.exit_code == 1
    assert f"the audit head file {head.path} was replaced" in result.output


def test_an_emptied_log_written_again_is_reported(svc, head, cli):
    _write(svc, 4)
    _run_sql(svc, "DELETE FROM audit_entries")
    _write(svc, 6)  # the chain starts again at 1 and grows past where it was
    result = cli("audit", "verify")
    assert result.exit_code == 1
    assert "the log was emptied or cut back and written again" in result.output


def test_concurrent_processes_record_whole_heads(svc, head):
    write_concurrently(svc, ACTOR, writers=4, actions=("view",))
    lines = list(read_lines(head.path))
    assert len(lines) == 40 and not any(isinstance(line, int) for line in lines)
    assert sorted(line.seq for line in lines) == list(range(1, 41))  # type: ignore[union-attr]
    assert verify(svc).ok


def test_heads_go_to_syslog_when_configured(tmp_path):
    receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    receiver.bind(("127.0.0.1", 0))
    receiver.settimeout(10)
    port = receiver.getsockname()[1]
    head_log = HeadLog(tmp_path / "audit-head.log", f"udp://127.0.0.1:{port}")
    head_log.create(after=0)
    head_log.append(7, "ab" * 32)
    message = receiver.recv(4096).decode()
    receiver.close()
    assert "casework: audit head: entry 7 mac " + "ab" * 32 in message


def test_the_head_file_lives_in_the_instance_folder_unless_configured(tmp_path):
    assert head_path({"INSTANCE_PATH": str(tmp_path)}) == tmp_path / "audit-head.log"
    assert head_path({"AUDIT_HEAD_FILE": "/var/lib/casework/head"}) == Path(
        "/var/lib/casework/head"
    )


def test_the_head_file_is_never_recreated_behind_the_log_by_an_append(svc, head):
    _write(svc, 1)
    head.path.unlink()
    head.append(99, "cd" * 32)  # e.g. a commit racing the removal: logged, nothing created
    assert not head.path.exists()
