"""The casework command: contract commands, and one clear line for every mistake."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from casework.cli import main


@pytest.fixture()
def cli(monkeypatch, database_url, instance_path, svc):
    monkeypatch.setenv("CASEWORK_DATABASE_URL", database_url)
    monkeypatch.setenv("CASEWORK_INSTANCE_PATH", str(instance_path))
    monkeypatch.setenv("CASEWORK_ENV", "testing")
    runner = CliRunner()

    def run(*args: str, stdin: str | None = None):
        return runner.invoke(main, list(args), input=stdin)

    return run


def test_help_lists_the_contract_commands(cli):
    out = cli("--help").output
    for command in ("init", "agency", "user", "token", "demo", "audit", "keys"):
        assert f"  {command} " in out


def test_init_is_idempotent(cli):
    assert cli("init").exit_code == 0
    assert cli("init").exit_code == 0


def test_agency_user_and_token(cli, client):
    assert (
        cli("agency", "add", "POL", "--name", "Police", "--sector", "police", "--police").exit_code
        == 0
    )
    result = cli(
        "user",
        "add",
        "sam@example.org",
        "--agency",
        "POL",
        "--role",
        "referrer",
        "--role",
        "idva",
        stdin="a long enough passphrase\n",
    )
    assert result.exit_code == 0, result.output
    token = cli("token", "create", "sam@example.org")
    assert token.exit_code == 0
    secret = token.output.strip()
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 200 and me.json["roles"] == ["idva", "referrer"]
    assert cli("token", "revoke", "sam@example.org").exit_code == 0
    assert (
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    )


@pytest.mark.parametrize(
    "args,stdin,expected",
    [
        (
            ("agency", "add", "POL", "--name", "Again", "--sector", "police"),
            None,
            "An agency with code POL already exists",
        ),
        (("agency", "add", "X1", "--name", "Odd", "--sector", "space"), None, "sector"),
        (
            ("user", "add", "a@example.org", "--agency", "NOPE", "--role", "referrer"),
            "a long enough passphrase\n",
            "No agency has code NOPE",
        ),
        (
            ("user", "add", "a@example.org", "--agency", "POL", "--role", "boss"),
            "a long enough passphrase\n",
            "roles",
        ),
        (
            ("user", "add", "a@example.org", "--agency", "POL", "--role", "referrer"),
            "short\n",
            "12 characters or more",
        ),
        (("token", "create", "nobody@example.org"), None, "no active user"),
    ],
)
def test_mistakes_exit_non_zero_with_one_clear_line(cli, args, stdin, expected):
    assert cli("agency", "add", "POL", "--name", "Police", "--sector", "police").exit_code == 0
    result = cli(*args, stdin=stdin)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0]
    assert "Traceback" not in result.output


def test_demo_loads_a_partnership_and_prints_sign_ins(cli, client, svc):
    result = cli("demo")
    assert result.exit_code == 0, result.output
    logins = [line.split() for line in result.output.splitlines() if "@" in line]
    roles = {role.strip(",") for line in logins for role in line[2:]}
    assert roles == {
        "referrer",
        "idva",
        "agency_rep",
        "coordinator",
        "chair",
        "analyst",
        "admin",
        "dpo",
    }
    email, password = logins[0][0], logins[0][1]
    from tests.conftest import sign_in

    assert sign_in(client, email, password).status_code == 302
    assert "Northshire MARAC" in client.get("/").text
    from casework.referrals.models import Referral

    # a year of heard cases behind it (tests/test_demo_history.py), and four waiting
    waiting = svc.session.query(Referral).filter_by(status="submitted").all()
    assert len(waiting) == 4
    assert [r.victim_first_name for r in waiting if r.crit_repeat] == ["amelia"]
    again = cli("demo")
    assert again.exit_code == 0 and "already holds data" in again.output
    assert email in again.output


def test_keys_rotate_moves_every_record_to_a_new_key(cli, factory, svc):
    from sqlalchemy import select

    from casework.crypto import candidates, current_ring, encrypted_fields, key_id_of
    from casework.crypto.indexes import indexes_of
    from casework.crypto.rotate import find_targets

    factory.agency("POL", "police")
    panel = factory.panel(("POL",))
    user = factory.user("idva@pol.example", "POL", ("idva",))
    for day in ("2026-01-05", "2026-02-05", "2026-03-05"):
        factory.referral(user, panel, referral_date=day)
    targets = find_targets()

    def rows():
        svc.db.session.remove()  # fresh objects: nothing decrypted is cached
        return [(t, row) for t in targets for row in svc.session.scalars(select(t.model))]

    def plain_values():
        return {
            (t.table, getattr(row, t.pk.key)): {
                n: getattr(row, n) for n, _ in encrypted_fields(t.model)
            }
            for t, row in rows()
        }

    before = plain_values()
    assert len(before) >= 3
    old_primary = current_ring().primary
    result = cli("keys", "rotate", "--batch-size", "2")
    assert result.exit_code == 0, result.output
    assert "Verified: no row uses an old key." in result.output
    assert "  referrals: 3 row(s) re-encrypted" in result.output
    primary = current_ring().primary
    assert primary != old_primary and f"Primary key is now {primary}." in result.output
    assert plain_values() == before
    for target, row in rows():
        for _, field in encrypted_fields(target.model):
            envelope = getattr(row, field.ct_attr)
            assert envelope is None or key_id_of(envelope) == primary
        for spec in indexes_of(target.model):
            value, parts = getattr(row, spec.column), spec.parts(row)
            if parts is None:
                continue
            assert value.startswith(f"{primary}:")
            column = getattr(target.model, spec.column)
            found = svc.session.scalars(
                select(target.pk).where(column.in_(candidates(spec.name, *parts)))
            )
            assert getattr(row, target.pk.key) in set(found)
