"""Upgrades keep the data: a database made by an earlier release's own code (the demo and a few
hundred referrals, tests/fixtures/upgrade/) is migrated to this code's head on SQLite and on
PostgreSQL; its referrals read back, its audit chain verifies, and a new referral can be
submitted. Downgrading a database that holds data is refused."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from click.testing import CliRunner
from sqlalchemy import create_engine, func, select, text

import casework.crypto.fields as fields_module
from casework import clock
from casework.audit.chain import verify
from casework.backup import BackupError, postgres
from casework.backup.manifest import code_head
from casework.backup.restore import current
from casework.bootstrap import build_services
from casework.cli import main
from casework.demo_cases import demo_actor
from casework.migrate import alembic_config, upgrade
from casework.panels.models import Panel
from casework.referrals.actions import submit_referral
from casework.referrals.models import Referral
from casework.settings import load_settings
from tests.conftest import need
from tests.fixtures.upgrade import fixture_keys
from tests.referral_data import referral_body

FIXTURES = Path(__file__).parent / "fixtures" / "upgrade"
RELEASES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir() and p.name[0].isdigit())
AFTER = "2026-11-03T10:00"  # the day after the fixtures were made (build_fixture.MOMENT)


@pytest.fixture()
def fixture_ring(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fixture's key ring is configured by the test; the suite's is put back afterwards."""
    monkeypatch.setattr(fields_module, "_ring", fields_module._ring)
    monkeypatch.setattr(fields_module, "_source", fields_module._source)


def _settings(url: str, instance: Path, made: Path) -> dict[str, Any]:
    instance.mkdir(exist_ok=True)
    shutil.copy(made / "audit-head.log", instance / "audit-head.log")  # kept across upgrades
    return load_settings(
        {
            "ENV": "testing",
            "DATABASE_URL": url,
            "INSTANCE_PATH": str(instance),
            "KEYRING": fixture_keys.keyring_json(),
            "AUDIT_KEY": fixture_keys.audit_key(),
            "AUDIT_HEAD_FILE": str(instance / "audit-head.log"),
        }
    )


def _upgrade_and_read(settings: dict[str, Any], made: Path) -> None:
    expected = json.loads((made / "expected.json").read_text())["referrals"]
    svc = build_services(settings)  # configures the fixture's key ring, for the sealing step
    try:
        upgrade(settings["DATABASE_URL"])
        assert current(settings["DATABASE_URL"]).schema_revision == code_head()
        with clock.travel(AFTER):
            assert (
                svc.session.scalar(select(func.count()).select_from(Referral)) == expected["total"]
            )
            for want in expected["sample"]:
                referral = svc.session.get(Referral, uuid.UUID(want["id"]))
                assert referral is not None, want["reference"]
                assert (
                    referral.reference,
                    referral.victim_first_name,
                    referral.victim_last_name,
                    referral.victim_date_of_birth.isoformat(),
                    referral.dash_score,
                ) == (
                    want["reference"],
                    want["first_name"],
                    want["last_name"],
                    want["date_of_birth"],
                    want["dash_score"],
                )
            svc.session.commit()
            verdict = verify(svc)
            assert verdict.ok, verdict.problem

            panel = svc.session.scalar(select(Panel.id).where(Panel.kind == "marac"))
            actor = demo_actor(svc, "referrer@police.demo")
            body = referral_body(panel, referral_date=clock.today().isoformat())
            made_now = submit_referral(svc, actor, body)
            svc.session.commit()
            assert svc.session.get(Referral, made_now.id).victim_last_name == "Doe"
            verdict = verify(svc)
            assert verdict.ok, verdict.problem
            assert verdict.checked > 0
    finally:
        svc.db.dispose()


@pytest.mark.parametrize("release", RELEASES)
def test_sqlite_database_of_an_earlier_release_upgrades(release, tmp_path, fixture_ring):
    made = FIXTURES / release / "sqlite"
    database = tmp_path / "casework.db"
    database.write_bytes(gzip.decompress((made / "casework.sqlite.gz").read_bytes()))
    _upgrade_and_read(_settings(f"sqlite:///{database}", tmp_path / "instance", made), made)


def _postgres_server() -> str:
    """The suite's PostgreSQL server; the SQLite run leaves this to the PostgreSQL run."""
    url = os.environ.get("CASEWORK_TEST_DATABASE_URL") or ""
    if url.startswith("postgresql"):
        return url
    if os.environ.get("CASEWORK_TEST_POSTGRES_URL"):
        pytest.skip("runs in the PostgreSQL run of the suite")
    need(False, "no PostgreSQL server: set CASEWORK_TEST_DATABASE_URL to one")
    return ""


@pytest.mark.postgres
@pytest.mark.parametrize("release", RELEASES)
def test_postgresql_dump_of_an_earlier_release_upgrades(release, tmp_path, fixture_ring):
    server = _postgres_server()
    try:
        psql = postgres.tool("psql")
    except BackupError:
        need(False, "psql is not installed")
    made = FIXTURES / release / "postgresql"
    schema = f"upgrade_{os.getpid()}"
    sql = gzip.decompress((made / "casework.sql.gz").read_bytes()).decode()
    # The dump's own schema becomes this run's; \restrict lines (pg_dump 15.14 and later)
    # are dropped for older psql, which does not know them (the fixture is trusted).
    sql = sql.replace("casework_upgrade_fixture", schema)
    sql = "\n".join(line for line in sql.splitlines() if not line.startswith("\\restrict"))
    sql = "\n".join(line for line in sql.splitlines() if not line.startswith("\\unrestrict"))
    base = server.split("?")[0].replace("postgresql+psycopg://", "postgresql://", 1)
    engine = create_engine(base.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    try:
        subprocess.run(
            [psql, "--no-psqlrc", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", base],
            input=sql.encode(),
            check=True,
            capture_output=True,
        )
        url = f"{base}?options=-csearch_path%3D{schema}"
        _upgrade_and_read(_settings(url, tmp_path / "instance", made), made)
    finally:
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        engine.dispose()


def test_downgrade_is_refused_for_a_database_holding_data(tmp_path, monkeypatch):
    made = FIXTURES / RELEASES[-1] / "sqlite"
    database = tmp_path / "casework.db"
    database.write_bytes(gzip.decompress((made / "casework.sqlite.gz").read_bytes()))
    url = f"sqlite:///{database}"
    before = current(url)
    monkeypatch.setenv("CASEWORK_DATABASE_URL", url)
    monkeypatch.setenv("CASEWORK_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("CASEWORK_ENV", "testing")
    refused = CliRunner().invoke(main, ["downgrade", "base"])
    assert refused.exit_code == 1
    assert "refusing to downgrade" in refused.output
    assert "restore the backup taken before the upgrade" in refused.output
    assert current(url) == before  # not a row or a table touched

    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    upgrade(empty)
    monkeypatch.setenv("CASEWORK_DATABASE_URL", empty)
    previous = ScriptDirectory.from_config(alembic_config(empty)).get_revision(code_head())
    done = CliRunner().invoke(main, ["downgrade", str(previous.down_revision)])
    assert done.exit_code == 0, done.output
    assert current(empty).schema_revision == previous.down_revision
