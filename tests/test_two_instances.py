"""Two web instances and one scheduler on one PostgreSQL database, as a hosting team runs them
behind a load balancer: whatever one instance knows (a session, a sign-in count, the repeat
rule's earlier referrals, the audit chain, the scheduler's claims) the other knows too, because
it lives in the database and nowhere else.

Production settings throughout: `casework run` (gunicorn) with keys from `casework keys
generate`, a second factor required, a schema of the test's own migrated by `casework init`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.referral_data import referral_body
from tests.servers import (
    Client,
    Process,
    csrf,
    fresh_schema,
    postgres_server,
    production_env,
    run_command,
    sign_in_setting_up_app,
    start,
    start_server,
    stop_all,
    wait_until_serving,
)

pytestmark = pytest.mark.postgres

EMAIL = "coordinator@police.example.org"
PASSWORD = "a long pass phrase for the test"
SUBMISSIONS = 6  # the same victim, submitted at once through both instances


@dataclass
class Deployment:
    env: dict[str, str]
    database_url: str
    a: str  # instance A's base URL
    b: str  # instance B's
    scheduler: Process
    token: str


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    server = postgres_server()
    folder: Path = tmp_path_factory.mktemp("two-instances")
    with fresh_schema(server, "two_instances") as url:
        env = production_env(
            folder,
            url,
            SCHEDULER_POLL_SECONDS=1,
            RATE_LIMIT_SIGN_IN_PER_ACCOUNT="3/15m",  # small, to see one count shared cheaply
        )
        run_command(env, "init")
        processes: list[Process] = []
        try:
            web_a, a = start_server(env, "web-a", folder)
            processes.append(web_a)
            web_b, b = start_server(env, "web-b", folder)
            processes.append(web_b)
            scheduler = start(env, "scheduler", folder, "scheduler")
            processes.append(scheduler)
            # The accounts are made while the servers start, as an administrator would.
            run_command(env, "agency", "add", "POL", "--name", "Police", "--sector", "police")
            run_command(env, "user", "add", EMAIL, "--agency", "POL", "--role", "coordinator",
                        stdin=PASSWORD + "\n")  # fmt: skip
            token = run_command(env, "token", "create", EMAIL).strip()
            wait_until_serving(web_a, a)
            wait_until_serving(web_b, b)
            yield Deployment(env, url, a, b, scheduler, token)
        finally:
            stop_all(processes)


def test_a_session_started_on_one_instance_continues_on_the_other(deployment):
    on_a = Client(deployment.a)
    sign_in_setting_up_app(on_a, EMAIL, PASSWORD)
    on_b = on_a.on(deployment.b)
    home = on_b.get("/")
    assert home.status == 200
    assert Client(deployment.b).get("/").status == 302  # without the cookie: sign in first
    # Signing out on B ends the session everywhere: A refuses the same cookie.
    assert on_b.form("/sign-out", {"csrf_token": csrf(home.text)}).status == 302
    assert Client(deployment.a, on_a.cookies).get("/").status == 302


def test_sign_in_attempts_count_across_instances(deployment):
    """Three attempts naming one e-mail are allowed in 15 minutes (set above): three made on A
    leave none for B."""
    email = "someone.else@example.org"
    on_a = Client(deployment.a)
    token = csrf(on_a.get("/sign-in").text)
    for _ in range(3):
        failed = on_a.form("/sign-in", {"csrf_token": token, "email": email, "password": "x" * 12})
        assert failed.status == 401
    on_b = Client(deployment.b)
    token = csrf(on_b.get("/sign-in").text)
    refused = on_b.form("/sign-in", {"csrf_token": token, "email": email, "password": "x" * 12})
    assert refused.status == 429
    assert "Retry-After" in refused.headers


def test_concurrent_referrals_through_both_instances_keep_the_repeat_rule(deployment):
    """The same victim and perpetrator submitted at once, half through each instance: exactly
    one is the first referral and every other is a repeat, each reference is unique, and the
    audit chain that every submission extended still verifies."""
    api = Client(deployment.a)
    panel = api.post_json(
        "/api/v1/panels",
        {
            "kind": "marac",
            "name": "Anytown MARAC",
            "area": "Anytown",
            "agencies": ["POL"],
            "schedule": "day=1st tue; hour=10",
        },
        deployment.token,
    )
    assert panel.status == 201, panel.text
    body = referral_body(panel.json()["id"])
    start_together = threading.Barrier(SUBMISSIONS)
    answers: list = [None] * SUBMISSIONS

    def submit(i: int) -> None:
        client = Client(deployment.a if i % 2 else deployment.b)
        start_together.wait()
        answers[i] = client.post_json("/api/v1/referrals", body, deployment.token)

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(SUBMISSIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert [answer.status for answer in answers] == [201] * SUBMISSIONS, answers
    made = [answer.json() for answer in answers]
    repeats = [m["repeat"]["is_repeat"] for m in made]
    assert repeats.count(True) == SUBMISSIONS - 1
    assert len({m["reference"] for m in made}) == SUBMISSIONS
    verified = run_command(deployment.env, "audit", "verify")
    assert "audit chain intact" in verified


def test_the_scheduler_claims_each_run_once(deployment):
    """One scheduler polling every second: each hourly `keep_meetings` due time is claimed by
    one run row, done, however many times the scheduler woke in that hour."""
    engine = create_engine(deployment.database_url)
    query = text("SELECT due_at, status FROM job_runs WHERE job = 'keep_meetings'")
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                if any(status == "done" for _, status in conn.execute(query)):
                    break
            time.sleep(0.5)
        else:
            pytest.fail(f"no keep_meetings run was done:\n{deployment.scheduler.output()}")
        time.sleep(3)  # three more wake-ups
        assert deployment.scheduler.stop() == 0, deployment.scheduler.output()
        with engine.connect() as conn:
            # The processes run on the real clock (production refuses a test clock): the time
            # they stopped is read off the database server's, on the same machine.
            stopped = conn.execute(text("SELECT now()")).scalar_one().astimezone(UTC)
            runs = conn.execute(query).all()
    finally:
        engine.dispose()
    due = sorted(run.due_at.replace(tzinfo=UTC) for run in runs)  # stored as UTC
    assert all(run.status == "done" for run in runs)
    # One row per hour the scheduler saw, no more: consecutive hours up to the last one due.
    assert due == [due[0] + timedelta(hours=h) for h in range(len(due))]
    assert due[-1] <= stopped < due[-1] + timedelta(hours=1, seconds=5)
