"""`casework keys seal`: values an upgrade carried over from a formerly plain column are sealed
in batches (and `keys rotate`, which must open every value, seals them first)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from casework.cli import main
from casework.crypto import key_id_of
from casework.crypto.backfill import mark
from casework.meetings.models import Attendee
from tests.meetings.conduct_setup import partnership


@pytest.fixture()
def cli(monkeypatch, database_url, instance_path, svc):
    monkeypatch.setenv("CASEWORK_DATABASE_URL", database_url)
    monkeypatch.setenv("CASEWORK_INSTANCE_PATH", str(instance_path))
    monkeypatch.setenv("CASEWORK_ENV", "testing")
    return lambda *args: CliRunner().invoke(main, list(args))


def _carried_over(svc, factory) -> list[Attendee]:
    """Attendees whose names are stored as an upgrade leaves them: marked, not yet sealed."""
    p = partnership(factory)
    p.attend(p.meeting(cases=1), ("POL", "CSP", "HSG"))
    people = list(svc.session.scalars(select(Attendee)))
    for person in people:
        svc.session.execute(
            text("UPDATE meeting_attendees SET name = :v WHERE id = :i"),
            {"v": mark(person.name), "i": person.id.hex if svc.db.is_sqlite else person.id},
        )
    svc.session.commit()
    svc.db.session.remove()
    return people


def _stored(svc) -> list[bytes]:
    svc.db.session.remove()
    return [bytes(v) for v in svc.session.scalars(text("SELECT name FROM meeting_attendees"))]


def test_keys_seal_seals_what_an_upgrade_carried_over(cli, svc, factory):
    people = _carried_over(svc, factory)
    assert all(v[:1] == b"\x00" for v in _stored(svc))
    result = cli("keys", "seal", "--batch-size", "2")
    assert result.exit_code == 0, result.output
    assert "meeting_attendees: 3 row(s) sealed" in result.output
    assert "Verified: no value waits to be sealed" in result.output
    assert all(v[:1] == b"\x01" and b"officer" not in v for v in _stored(svc))
    names = sorted(a.name for a in svc.session.scalars(select(Attendee)))
    assert names == sorted(p.name for p in people)
    again = cli("keys", "seal")
    assert again.exit_code == 0 and "(0 row(s) sealed now)" in again.output


def test_keys_rotate_seals_carried_over_values_before_moving_them(cli, svc, factory):
    _carried_over(svc, factory)
    result = cli("keys", "rotate")
    assert result.exit_code == 0, result.output
    assert "meeting_attendees: 3 row(s) sealed" in result.output
    primary = {key_id_of(v) for v in _stored(svc)}
    assert len(primary) == 1 and f"Primary key is now {primary.pop()}." in result.output
