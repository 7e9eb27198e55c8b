"""The command line's import in a real process: its forked preparers die with it, and a run
killed or stopped part way keeps a true record, so running it again adds exactly the rest."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from casework.imports.models import ImportRow, ImportRun
from casework.referrals.models import Referral
from casework.services import Services
from tests.referrals.test_import import csv_text, row
from tests.referrals.test_import_runs import panel  # noqa: F401 - the fixture

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="finds the preparers through /proc (Linux)"
)
ROWS = 1200  # three batches of 500 or fewer: the command forks two preparers for it


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()  # state, ppid, ...


def _alive(pid: int) -> bool:
    fields = _stat(pid)
    return fields is not None and fields[0] not in ("Z", "X")


def _children(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields and fields[1] == str(parent) and fields[0] not in ("Z", "X"):
                found.append(int(entry.name))
    return found


def _until(condition: Callable[[], Any], seconds: float) -> Any:
    """Poll ``condition`` until it is truthy (its value) or the time is up (None)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    return None


def _counts(svc: Services) -> tuple[int, int, int]:
    """(run's rows done, referrals, row identities) as committed, read afresh."""
    with svc.db.engine.connect() as conn:
        done = conn.scalar(select(func.max(ImportRun.rows_done))) or 0
        made = conn.scalar(select(func.count()).select_from(Referral)) or 0
        keys = conn.scalar(select(func.count()).select_from(ImportRow)) or 0
    return done, made, keys


Start = Callable[[], "subprocess.Popen[str]"]
RunAgain = Callable[[], "subprocess.CompletedProcess[str]"]


@pytest.fixture()
def command(
    panel: Any,  # noqa: F811
    database_url: str,
    instance_path: Path,
    tmp_path: Path,
) -> Iterator[tuple[Start, RunAgain]]:
    """(start the import, run it to the end) on a file of ``ROWS`` rows, as a partnership
    runs it: a fresh process of the installed command."""
    path = tmp_path / "history.csv"
    path.write_text("".join(csv_text(*(row(victim_last_name=f"Vic{n:04d}") for n in range(ROWS)))))
    env = {
        **os.environ,
        "CASEWORK_ENV": "testing",
        "CASEWORK_DATABASE_URL": database_url,
        "CASEWORK_INSTANCE_PATH": str(instance_path),
    }
    casework = Path(sys.executable).with_name("casework")
    args = [str(casework), "import", "referrals", str(path), "--panel", str(panel.id)]
    started: list[subprocess.Popen[str]] = []

    def start() -> subprocess.Popen[str]:
        proc = subprocess.Popen(
            args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        started.append(proc)
        return proc

    def run_again() -> subprocess.CompletedProcess[str]:
        return subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)

    yield start, run_again
    for proc in started:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _midway(svc: Services, proc: subprocess.Popen[str]) -> list[int]:
    """Wait until a batch is committed and both preparers run; their pids."""

    def ready() -> list[int] | None:
        assert proc.poll() is None, "the import ended before it could be interrupted"
        kids = _children(proc.pid)
        return kids if len(kids) >= 2 and _counts(svc)[0] > 0 else None

    kids = _until(ready, 90)
    assert kids, "no batch committed with two preparers running"
    return kids


def test_killed_the_preparers_die_and_running_it_again_adds_exactly_the_rest(
    svc: Services, command: tuple[Start, RunAgain]
) -> None:
    start, run_again = command
    proc = start()
    kids = _midway(svc, proc)
    proc.kill()  # SIGKILL: nothing in the process runs again
    proc.wait()
    assert _until(lambda: not any(_alive(k) for k in kids), 5), "preparers outlived the import"
    done, made, keys = _counts(svc)
    assert 0 < done < ROWS and done == made == keys  # the record says truly how far it got
    again = run_again()
    assert again.returncode == 0, again.stderr[-3000:]
    assert f"A previous import of this file stopped after {done:,} of {ROWS:,} rows" in again.stdout
    assert f"imported {ROWS - done} referrals; 0 rows refused; {done} already imported" in (
        again.stdout
    )
    assert _counts(svc) == (ROWS, ROWS, ROWS)


def test_sigterm_stops_after_the_batch_in_hand_and_ends_the_preparers(
    svc: Services, command: tuple[Start, RunAgain]
) -> None:
    start, _ = command
    proc = start()
    kids = _midway(svc, proc)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM
    assert "run the same command again to carry on" in stderr and "Traceback" not in stderr
    assert _until(lambda: not any(_alive(k) for k in kids), 5), "preparers outlived the import"
    done, made, keys = _counts(svc)
    assert 0 < done < ROWS and done == made == keys
    svc.session.rollback()
    run = svc.session.scalars(select(ImportRun)).one()
    assert (run.status, run.rows_done, run.imported) == ("interrupted", done, done)
