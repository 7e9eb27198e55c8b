"""Rate limits: sign-in per address and per account, failed API authentications per address,
requests per token; 429 with Retry-After, counted in the database every process shares."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from casework import clock, create_app
from casework.accounts import limits
from casework.accounts.models import RateCount
from casework.settings import load_settings, rate_limit_settings
from tests.conftest import PASSWORD, bearer, sign_in

# The start of a minute and of a quarter hour (UTC in January): every test's windows are fresh.
WINDOW_START = "2027-01-05T10:30:00"
OFF = {
    "RATE_LIMIT_SIGN_IN_PER_ADDRESS": "",
    "RATE_LIMIT_SIGN_IN_PER_ACCOUNT": "",
    "RATE_LIMIT_API_AUTH_FAILURES_PER_ADDRESS": "",
    "RATE_LIMIT_API_PER_TOKEN": "",
}


@pytest.fixture()
def limited(database_url: str, instance_path: Path, svc: Any) -> Iterator[Callable[..., Flask]]:
    """Apps on the test database with the given limits (all others off)."""
    made: list[Flask] = []

    def make(**rates: str) -> Flask:
        app = create_app(
            {
                "ENV": "testing",
                "DATABASE_URL": database_url,
                "INSTANCE_PATH": str(instance_path),
                "RATE_LIMITS": True,
                **OFF,
                **rates,
            }
        )
        made.append(app)
        return app

    with clock.travel(WINDOW_START):
        yield make
    for app in made:
        app.extensions["casework"].db.dispose()


def client_at(app: Flask, address: str) -> Any:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_the_test_suite_runs_unthrottled_but_everywhere_else_is_limited(app, tmp_path):
    assert "casework_limits" not in app.extensions
    shipped = rate_limit_settings(
        load_settings({"ENV": "development", "INSTANCE_PATH": str(tmp_path)})
    )
    assert shipped["RATE_LIMITS"] is True
    assert shipped["RATE_LIMIT_SIGN_IN_PER_ADDRESS"] == "10/1m"
    assert shipped["RATE_LIMIT_API_PER_TOKEN"] == "600/1m"


def test_sign_in_attempts_per_address_answer_429_with_retry_after(limited, factory):
    factory.user("sam@example.org")
    app = limited(RATE_LIMIT_SIGN_IN_PER_ADDRESS="3/1m")
    client = client_at(app, "203.0.113.7")
    for _ in range(3):  # each failure rolls its request back: the count must survive that
        assert sign_in(client, "sam@example.org", "wrong password!!").status_code == 401
    refused = sign_in(client, "sam@example.org", PASSWORD)  # even the right password
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert "Too many attempts" in refused.text and "govuk-heading-l" in refused.text
    # Another address is not held back.
    assert sign_in(client_at(app, "203.0.113.8"), "sam@example.org").status_code == 302


def test_sign_in_per_account_is_the_same_for_known_and_unknown_emails(limited, factory):
    factory.user("sam@example.org")
    app = limited(RATE_LIMIT_SIGN_IN_PER_ACCOUNT="2/15m")
    answers = {}
    for email in ("sam@example.org", "nobody@example.org"):
        # From a new address each time: the account's count is what stops the third.
        statuses = [
            sign_in(client_at(app, f"198.51.100.{n}"), email, "wrong password!!").status_code
            for n in range(3)
        ]
        last = sign_in(client_at(app, "198.51.100.9"), email, PASSWORD)
        answers[email] = (statuses, last.status_code, int(last.headers["Retry-After"]))
    known, unknown = answers["sam@example.org"], answers["nobody@example.org"]
    assert known[:2] == unknown[:2] == ([401, 401, 429], 429)
    # Both wait for the end of their 15-minute window; the clock moved on a little between.
    assert 0 < unknown[2] <= 900 and abs(known[2] - unknown[2]) <= 1


def test_failed_api_authentications_per_address(limited, factory):
    token = bearer(factory.token(factory.user("sam@example.org")))
    app = limited(RATE_LIMIT_API_AUTH_FAILURES_PER_ADDRESS="3/1m")
    client = client_at(app, "203.0.113.7")
    for n in range(3):
        assert client.get("/api/v1/me", headers=bearer(f"cw_guess{n}")).status_code == 401
    refused = client.get("/api/v1/me", headers=token)  # a good token from a guessing address
    assert refused.status_code == 429
    assert refused.json["error"]["code"] == "rate_limited"
    assert refused.json["error"]["message"].startswith("Too many requests")
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert client_at(app, "203.0.113.8").get("/api/v1/me", headers=token).status_code == 200


def test_requests_per_token(limited, factory):
    sam = factory.user("sam@example.org")
    first, second = bearer(factory.token(sam)), bearer(factory.token(sam))
    app = limited(RATE_LIMIT_API_PER_TOKEN="3/1m")
    client = client_at(app, "203.0.113.7")
    assert [client.get("/api/v1/me", headers=first).status_code for _ in range(4)] == [
        200,
        200,
        200,
        429,
    ]
    assert client.get("/api/v1/me", headers=second).status_code == 200


def test_a_request_that_fails_counts_as_one_that_succeeds(limited, factory, svc):
    """A request let through is counted with its own commit; one that ends in an error is
    rolled back, and is then counted on its own: both use up the token's rate."""
    token = bearer(factory.token(factory.user("sam@example.org")))
    app = limited(RATE_LIMIT_API_PER_TOKEN="3/1m")
    client = client_at(app, "203.0.113.7")
    missing = "/api/v1/referrals/00000000-0000-4000-8000-000000000000"
    assert client.get("/api/v1/me", headers=token).status_code == 200
    assert client.get(missing, headers=token).status_code == 404
    assert client.post("/api/v1/referrals", json={}, headers=token).status_code == 422
    assert client.get("/api/v1/me", headers=token).status_code == 429
    svc.session.expire_all()
    assert svc.session.scalars(select(RateCount.count)).all() == [3]  # the 429 is not counted


def test_processes_sharing_the_database_count_together(limited, factory):
    token = bearer(factory.token(factory.user("sam@example.org")))
    workers = [limited(RATE_LIMIT_API_PER_TOKEN="4/1m") for _ in range(2)]  # engines of their own
    statuses = [
        client_at(workers[n % 2], "203.0.113.7").get("/api/v1/me", headers=token).status_code
        for n in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]


def test_counts_name_no_address_email_or_token(limited, factory, svc):
    factory.user("sam@example.org")
    app = limited(RATE_LIMIT_SIGN_IN_PER_ADDRESS="5/1m", RATE_LIMIT_SIGN_IN_PER_ACCOUNT="5/15m")
    sign_in(client_at(app, "203.0.113.7"), "sam@example.org", "wrong password!!")
    keys = svc.session.scalars(select(RateCount.key)).all()
    assert len(keys) == 2
    assert not any("203.0.113" in k or "sam" in k for k in keys)


def test_ended_windows_are_pruned(app, svc):
    db = svc.db
    rate = limits.Rate(2, 60)
    with clock.travel(WINDOW_START):
        limits.hit(db, "a:1", rate, clock.now())
        limits.hit(db, "a:1", rate, clock.now())
        assert not limits.hit(db, "a:1", rate, clock.now()).allowed
    with clock.travel("2027-01-05T10:32:00"):
        assert limits.hit(db, "a:1", rate, clock.now()).allowed  # a new window begins ...
        rows = svc.session.execute(select(RateCount.key, RateCount.count)).all()
    assert rows == [("a:1", 1)]  # ... and the ended one is gone


def test_a_tokens_first_request_of_a_window_prunes_the_ended_ones(limited, factory, svc):
    """Also when the request writes: its pruning waits until the request's own transaction,
    which holds SQLite's write lock from its first statement, has ended."""
    sam = factory.user("sam@example.org")
    reader, writer = bearer(factory.token(sam)), bearer(factory.token(sam))
    client = client_at(limited(RATE_LIMIT_API_PER_TOKEN="10/1m"), "203.0.113.7")
    with clock.travel(WINDOW_START):
        assert client.get("/api/v1/me", headers=reader).status_code == 200
    with clock.travel("2027-01-05T10:32:00"):
        assert client.delete("/api/v1/tokens/current", headers=writer).status_code == 204
    svc.session.expire_all()
    assert svc.session.scalars(select(RateCount.count)).all() == [1]  # the new window's alone


@pytest.mark.parametrize("value", ["ten a minute", "10/0", "10/1d"])
def test_a_limit_that_means_nothing_stops_the_start(value):
    from casework.settings import ConfigError

    with pytest.raises(ConfigError, match="RATE_LIMIT_API_PER_TOKEN"):
        limits.Rate.parse("RATE_LIMIT_API_PER_TOKEN", value)


def test_rates_read_as_written():
    assert limits.Rate.parse("X", "10/1m") == limits.Rate(10, 60)
    assert limits.Rate.parse("X", "5/15m") == limits.Rate(5, 900)
    assert limits.Rate.parse("X", "600/60") == limits.Rate(600, 60)
    assert limits.Rate.parse("X", "") is None and limits.Rate.parse("X", 0) is None
