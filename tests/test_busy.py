"""On SQLite one request writes at a time; a request that waits longer than the busy timeout
is answered 503 with Retry-After (nothing was read or saved), never 500."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import text

from casework.app import create_app
from casework.services import Services
from tests.conftest import Factory, bearer, csrf_token


@pytest.fixture()
def impatient(database_url: str, instance_path: Path, svc: Services) -> Iterator[Flask]:
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


def test_a_request_kept_waiting_is_told_to_retry(
    impatient: Flask, factory: Factory, svc: Services
) -> None:
    factory.agency("POL", "police")
    user = factory.user("ref@pol.example", "POL", ("referrer",))
    headers = bearer(factory.token(user))
    client = impatient.test_client()
    form = {"email": "ref@pol.example", "password": "x"}
    form["csrf_token"] = csrf_token(client.get("/sign-in").text)
    with svc.db.engine.connect() as other:  # another request holding the write lock
        other.info["begin_mode"] = "IMMEDIATE"
        with other.begin():
            other.execute(text("SELECT 1"))
            api = client.get("/api/v1/referrals", headers=headers)
            page = client.post("/sign-in", data=form)
    assert api.status_code == 503 and api.headers["Retry-After"] == "5"
    assert api.json["error"]["code"] == "busy"
    assert page.status_code == 503 and "The service is busy" in page.get_data(as_text=True)
    assert client.get("/api/v1/referrals", headers=headers).status_code == 200
