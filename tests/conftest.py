"""Fixtures: one migrated database per run (SQLite, or PostgreSQL when
CASEWORK_TEST_DATABASE_URL names one), emptied after every test; factories go through actions."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from casework import clock, create_app
from casework.accounts.actions import create_user
from casework.accounts.auth import actor_for, create_token
from casework.accounts.models import User
from casework.actors import Actor
from casework.agencies.actions import create_agency
from casework.agencies.models import Agency
from casework.db import Base
from casework.migrate import upgrade
from casework.panels.actions import create_panel
from casework.panels.models import Panel
from casework.referrals.actions import submit_referral
from casework.referrals.models import Referral
from casework.services import Services
from tests.referral_data import referral_body

IN_CI = os.environ.get("CI") == "true"
PASSWORD = "correct horse battery staple"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--today",
        default=os.environ.get("CASEWORK_TEST_TODAY") or None,
        help="run the suite as of this UK day or moment (2028-02-29, 2027-01-05T10:30); "
        "default: the real date (env CASEWORK_TEST_TODAY does the same)",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Set the service's one clock before any test module is imported, so module-level
    dates and the live server the browser tests start all read the chosen day."""
    clock.set_to(config.getoption("--today"))


def pytest_report_header(config: pytest.Config) -> str:
    return f"casework clock: {clock.uk_now():%Y-%m-%d %H:%M} UK" + (
        " (set with --today)" if clock.is_set() else " (real time)"
    )


# Tests whose answers turn on the date: the test command runs them again as of fixed days
# (scripts/test.sh), so a rule that only holds on some days of the year shows at once.
DATE_SENSITIVE = (
    "tests/meetings/",
    "tests/scheduler/",
    "tests/stats/",
    "tests/referrals/test_repeat.py",
    "tests/referrals/test_submit.py",
    "tests/referrals/test_matches.py",
    "tests/referrals/test_lifecycle.py",
    "tests/offenders/test_classification.py",
    "tests/offenders/test_targeting.py",
    "tests/offenders/test_nominals.py",
    "tests/offenders/test_outcomes.py",
    "tests/browser/test_meeting_journey.py",
    "tests/browser/test_agenda_browser.py",
    "tests/browser/test_panel_journey.py",
    "tests/sharing/test_changes_ask_the_engine.py",
    "tests/browser/test_targeting_journey.py",
    "tests/browser/test_agenda_victims.py",
    "tests/browser/test_meeting_close_browser.py",
    "tests/browser/test_nothing_typed_is_lost.py",
    "tests/asb/test_asb_agenda.py",
    "tests/asb/test_asb_journey.py",
    "tests/asb/test_asb_cases_api.py",
    "tests/asb/test_triggers_api.py",
    "tests/asb/test_interventions_api.py",
    "tests/asb/test_asb_stats.py",
    "tests/test_demo_history.py",
    "tests/referrals/test_history.py",
    "tests/referrals/test_history_page.py",
    "tests/browser/test_search_journey.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    root = Path(str(config.rootpath))
    for item in items:
        where = Path(str(item.fspath)).relative_to(root).as_posix()
        if where.startswith(DATE_SENSITIVE):
            item.add_marker(pytest.mark.dates)


def need(condition: bool, reason: str) -> None:
    """Skip locally with a visible reason; under CI a missing prerequisite is a failure."""
    if not condition:
        if IN_CI:
            pytest.fail(f"CI=true and {reason}")
        pytest.skip(reason)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database for this run. On PostgreSQL each run gets its own schema (via
    ``search_path``), so runs sharing one server cannot trample each other."""
    url = os.environ.get("CASEWORK_TEST_DATABASE_URL") or ""
    if not url:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'casework.db'}"
        upgrade(url)
        yield url
        return
    base = url.replace("postgresql://", "postgresql+psycopg://", 1)
    schema = f"test_{os.getpid()}"
    engine = create_engine(base)
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
    upgrade(url)
    yield url
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    engine.dispose()


@pytest.fixture(scope="session")
def instance_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("instance")


@pytest.fixture(scope="session")
def app(database_url: str, instance_path: Path) -> Iterator[Flask]:
    application = create_app(
        {
            "ENV": "testing",
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": str(instance_path),
        }
    )
    yield application
    application.extensions["casework"].db.dispose()


@pytest.fixture()
def svc(app: Flask) -> Iterator[Services]:
    services: Services = app.extensions["casework"]
    yield services
    services.db.session.remove()
    tables = reversed(Base.metadata.sorted_tables)
    with services.db.engine.begin() as conn:
        if services.db.is_sqlite:
            for table in tables:
                conn.execute(table.delete())
        else:  # one round trip, not one a table: a ninth of the time on PostgreSQL
            names = (table.name for table in tables)  # the models' own table names
            conn.exec_driver_sql("; ".join(f'DELETE FROM "{name}"' for name in names))  # noqa: S608
    # the audit log's head file goes with the emptied log (casework.audit.head)
    Path(services.settings["AUDIT_HEAD_FILE"]).unlink(missing_ok=True)


@pytest.fixture()
def client(app: Flask, svc: Services) -> FlaskClient:
    return app.test_client()


class Factory:
    """Builds data through the same actions users call, as an administrator would."""

    def __init__(self, svc: Services) -> None:
        self.svc = svc
        self.system = Actor.system("test")

    def agency(self, code: str = "POL", sector: str = "police", **kw: Any) -> Agency:
        agency = create_agency(
            self.svc,
            self.system,
            {
                "code": code,
                "name": kw.get("name", f"{code} agency"),
                "sector": sector,
                "police": kw.get("police", sector == "police"),
            },
        )
        self.svc.session.commit()
        return agency

    def user(
        self,
        email: str = "user@example.org",
        agency: str = "POL",
        roles: tuple[str, ...] = ("referrer",),
        password: str = PASSWORD,
    ) -> User:
        if self.svc.session.query(Agency).filter_by(code=agency).first() is None:
            self.agency(agency, "police" if agency == "POL" else "other")
        user = create_user(
            self.svc,
            self.system,
            {
                "email": email,
                "name": email.split("@")[0].title(),
                "agency": agency,
                "roles": list(roles),
                "password": password,
            },
        )
        self.svc.session.commit()
        return user

    def panel(self, agencies: tuple[str, ...] = ("POL",), kind: str = "marac", **kw: Any) -> Panel:
        panel = create_panel(
            self.svc,
            self.system,
            {
                "kind": kind,
                "name": kw.get("name", f"{kind.upper()} panel"),
                "area": kw.get("area", "Anytown"),
                "agencies": list(agencies),
                "schedule": kw.get("schedule", "day=1st tue; hour=10"),
            },
        )
        self.svc.session.commit()
        return panel

    def referral(self, user: User, panel: Panel, **changes: Any) -> Referral:
        """A referral submitted by ``user`` through the action the API calls."""
        referral = submit_referral(
            self.svc, actor_for(user, via="test"), referral_body(panel.id, **changes)
        )
        self.svc.session.commit()
        return referral

    def token(self, user: User) -> str:
        _, secret = create_token(self.svc, user)
        self.svc.session.commit()
        return secret


@pytest.fixture()
def factory(svc: Services) -> Factory:
    return Factory(svc)


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD) -> Any:
    token = csrf_token(client.get("/sign-in").text)
    return client.post("/sign-in", data={"email": email, "password": password, "csrf_token": token})


def post_form(client: FlaskClient, url: str, data: dict[str, Any], page: str | None = None) -> Any:
    """Submit a form the way a browser does: with the CSRF token from the page."""
    token = csrf_token(client.get(page or url).text)
    return client.post(url, data={**data, "csrf_token": token})


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}
