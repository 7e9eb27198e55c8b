"""The backup drill: data backed up, the database wiped, the backup restored; the audit chain
verifies, a referral and the statistics read back identical, and neither key is in the backup.
A restore with the wrong key ring fails loudly. Runs on the suite's database: SQLite, or
PostgreSQL on the PostgreSQL run (which needs pg_dump and pg_restore)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, select, text

import casework.crypto.fields as fields_module
from casework.accounts.auth import create_token
from casework.accounts.models import User
from casework.audit.models import AuditEntry
from casework.backup import BackupError, postgres
from casework.backup.manifest import MANIFEST
from casework.cli import main
from casework.crypto import KeyRing
from casework.crypto.keyring import write_keyring
from casework.demo import load_demo
from casework.panels.models import Panel
from casework.services import Services
from tests.conftest import bearer, need

COORDINATOR = "coordinator@csp.demo"  # reads every MARAC referral and the statistics


@pytest.fixture()
def cli(monkeypatch, database_url, instance_path, svc):
    monkeypatch.setenv("CASEWORK_DATABASE_URL", database_url)
    monkeypatch.setenv("CASEWORK_INSTANCE_PATH", str(instance_path))
    monkeypatch.setenv("CASEWORK_ENV", "testing")
    if not database_url.startswith("sqlite"):
        try:
            postgres.tool("pg_dump"), postgres.tool("pg_restore")
        except BackupError:
            need(False, "pg_dump and pg_restore are not installed")
    runner = CliRunner()
    return lambda *args: runner.invoke(main, [str(a) for a in args])


def _wipe(svc: Services, database_url: str) -> None:
    """A new, empty database where the old one was (nothing of it left to fall back on)."""
    svc.db.dispose()
    if database_url.startswith("sqlite"):
        path = Path(database_url.removeprefix("sqlite:///"))
        for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            name.unlink(missing_ok=True)
        return
    schema = postgres.schema_of(database_url)
    assert schema, "the suite's PostgreSQL database is a schema of its own"
    engine = create_engine(database_url.split("?")[0])
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine.dispose()


def _key_material(instance_path: Path) -> list[bytes]:
    """Every secret of the suite's key ring (raw and as written) and its audit key."""
    ring = json.loads((instance_path / "keyring.json").read_text())
    found = []
    for version in ring["keys"].values():
        for part in ("enc", "idx"):
            found += [version[part].encode(), base64.b64decode(version[part])]
    found.append((instance_path / "audit_key").read_text().strip().encode())
    return found


def _last_logged(svc: Services) -> tuple[str, str, str | None]:
    """The newest audit entry's action, actor and purpose, as the database holds it now."""
    svc.session.rollback()
    entry = svc.session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert entry is not None
    return entry.action, entry.actor_email, entry.purpose


def _readings(client, headers: dict[str, str], referral_id: str, panel_id: str) -> tuple:
    referral = client.get(f"/api/v1/referrals/{referral_id}", headers=headers)
    query = f"panel_id={panel_id}&from=2000-01-01&to=2100-12-31"
    stats = client.get(f"/api/v1/stats/marac?{query}", headers=headers)
    assert referral.status_code == 200 and stats.status_code == 200
    return referral.json, stats.json


def test_backup_wipe_restore(cli, client, svc, database_url, instance_path, tmp_path, monkeypatch):
    assert load_demo(svc, history=False) is not None
    user = svc.session.scalar(select(User).where(User.email == COORDINATOR))
    _, secret = create_token(svc, user)
    svc.session.commit()
    headers = bearer(secret)
    listed = client.get("/api/v1/referrals", headers=headers).json
    hart = next(r for r in listed if r["victim"]["last_name"] == "Hart")
    panel = svc.session.scalar(select(Panel.id).where(Panel.kind == "marac"))
    before = _readings(client, headers, hart["id"], str(panel))
    assert before[1]["referrals"]["total"] == 5

    folder = tmp_path / "backup"
    made = cli("backup", folder)
    assert made.exit_code == 0, made.output
    manifest = json.loads((folder / MANIFEST).read_text())
    assert manifest["tables"]["referrals"] == 5
    assert manifest["audit_head"]["seq"] > 0
    assert _last_logged(svc) == ("backup", "system:cli", f"to {folder}")
    secrets = _key_material(instance_path)
    for path in folder.iterdir():
        blob = path.read_bytes()
        assert not [s for s in secrets if s in blob], f"key material in {path.name}"

    _wipe(svc, database_url)
    assert cli("audit", "verify").exit_code == 1  # nothing left: the head file names a lost log
    restored = cli("restore", folder)
    assert restored.exit_code == 0, restored.output
    assert "the key ring opens the restored data" in restored.output
    verified = cli("audit", "verify")
    assert verified.exit_code == 0, verified.output
    made_at = manifest["created_at"]
    assert _last_logged(svc) == ("restore", "system:cli", f"from the backup made {made_at}")
    assert _readings(client, headers, hart["id"], str(panel)) == before

    # Those reads were logged after the backup: restoring again rewinds the log, and the head
    # file that recorded them is kept aside while a new one begins at the restored head.
    again = cli("restore", folder, "--replace")
    assert again.exit_code == 0 and "begun again" in again.output, again.output
    assert cli("audit", "verify").exit_code == 0

    # The same backup under another key ring: refused, loudly, naming the cause.
    monkeypatch.setattr(fields_module, "_ring", fields_module._ring)  # the suite's, kept
    monkeypatch.setattr(fields_module, "_source", fields_module._source)
    write_keyring(tmp_path / "other-ring.json", KeyRing.generate())
    monkeypatch.setenv("CASEWORK_KEYRING_FILE", str(tmp_path / "other-ring.json"))
    wrong = cli("restore", folder, "--replace")
    assert wrong.exit_code == 1
    assert "the key ring does not match this backup" in wrong.output


def test_restore_refuses_what_it_cannot_trust(cli, factory, tmp_path):
    factory.agency("POL", "police")
    folder = tmp_path / "backup"
    assert cli("backup", folder).exit_code == 0
    assert cli("backup", folder).exit_code == 1  # never written over

    refused = cli("restore", folder)
    assert refused.exit_code == 1 and "not empty" in refused.output

    manifest = json.loads((folder / MANIFEST).read_text())
    older = folder.parent / "older"
    older.mkdir()
    (older / manifest["file"]).write_bytes((folder / manifest["file"]).read_bytes())
    (older / MANIFEST).write_text(json.dumps({**manifest, "schema_revision": "0019d4e5f6a7"}))
    refused = cli("restore", older, "--replace")
    assert refused.exit_code == 1 and "restore with the release that made it" in refused.output

    (folder / manifest["file"]).write_bytes(b"not the copy" * 10)
    refused = cli("restore", folder, "--replace")
    assert refused.exit_code == 1 and "does not match the SHA-256" in refused.output
