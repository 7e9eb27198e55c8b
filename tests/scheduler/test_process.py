"""The scheduler process: APScheduler's timetable in the database, the `casework scheduler`
command, and the development server starting it once (never twice under the reloader)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from casework.scheduler import service
from casework.scheduler.models import ApschedulerJob, JobRun
from casework.scheduler.service import ORDER, build_scheduler, in_process_enabled


def _count(svc, model) -> int:
    value = svc.session.scalar(select(func.count()).select_from(model))
    svc.session.commit()
    return value or 0


def test_jobs_are_stored_in_the_apscheduler_table_once_across_restarts(svc):
    for _ in range(2):  # a start, then a restart replacing the same rows
        scheduler = build_scheduler(svc, blocking=False)
        scheduler.start(paused=True)
        scheduler.shutdown(wait=False)
    ids = svc.session.scalars(select(ApschedulerJob.id).order_by(ApschedulerJob.id)).all()
    svc.session.commit()
    assert ids == sorted(f"casework.{name}" for name in ORDER)


def test_the_background_scheduler_runs_the_jobs(svc, monkeypatch):
    monkeypatch.setitem(svc.settings, "SCHEDULER_POLL_SECONDS", 1)
    wanted = {"keep_meetings", "send_outbox"}
    scheduler = build_scheduler(svc, blocking=False)
    scheduler.start()
    try:
        # wait for these two, not for any two: on some days another job is due first
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not wanted <= _jobs_run(svc):
            time.sleep(0.2)
    finally:
        scheduler.shutdown(wait=True)
    assert wanted <= _jobs_run(svc)


def _jobs_run(svc) -> set[str]:
    jobs = set(svc.session.scalars(select(JobRun.job)))
    svc.session.commit()
    return jobs


@pytest.mark.parametrize(
    ("env", "setting", "enabled"),
    [
        ("development", None, True),
        ("testing", None, False),
        ("production", None, False),
        ("production", True, True),
        ("development", False, False),
    ],
)
def test_in_process_scheduler_setting(env, setting, enabled):
    assert in_process_enabled({"ENV": env, "SCHEDULER_IN_PROCESS": setting}) is enabled


def test_the_development_server_starts_the_scheduler_once_under_the_reloader(monkeypatch):
    started: list[object] = []

    class Fake:
        running = False

        def start(self) -> None:
            started.append(self)

    monkeypatch.setattr(service, "build_scheduler", lambda svc, blocking: Fake())
    app = SimpleNamespace(config={"ENV": "development"}, extensions={"casework": None})
    monkeypatch.delenv("WERKZEUG_RUN_MAIN", raising=False)
    assert service.start_in_process(app, use_reloader=True) is None  # the watching parent
    monkeypatch.setenv("WERKZEUG_RUN_MAIN", "true")
    assert service.start_in_process(app, use_reloader=True) is not None  # the serving child
    assert service.start_in_process(app, use_reloader=False) is not None  # no reloader
    assert len(started) == 2
    app.config["ENV"] = "testing"
    assert service.start_in_process(app, use_reloader=False) is None
    assert len(started) == 2


def test_the_scheduler_command_runs_until_stopped(svc, database_url, instance_path, tmp_path):
    env = {
        **os.environ,
        "CASEWORK_ENV": "testing",
        "CASEWORK_DATABASE_URL": database_url,
        "CASEWORK_INSTANCE_PATH": str(instance_path),
        "CASEWORK_SCHEDULER_POLL_SECONDS": "1",
    }
    casework = Path(sys.executable).with_name("casework")
    # The logs go to a file: a pipe nobody reads fills up (64 KiB) and then blocks the
    # scheduler's threads mid-write, so it could not stop when asked.
    logs = tmp_path / "scheduler.log"
    with logs.open("wb") as sink:
        proc = subprocess.Popen(
            [str(casework), "scheduler"], env=env, stdout=subprocess.PIPE, stderr=sink
        )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().decode().startswith("scheduler running jobs: keep_meetings")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and _count(svc, JobRun) == 0:
            time.sleep(0.2)
        assert _count(svc, JobRun) > 0
    finally:
        proc.send_signal(signal.SIGTERM)  # what a service manager sends
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            pytest.fail(f"the scheduler did not stop; its last logs: {logs.read_text()[-2000:]}")
    assert proc.returncode == 0, logs.read_text()[-2000:]
