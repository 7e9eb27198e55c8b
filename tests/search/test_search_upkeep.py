"""Search tokens stay right: a changed name, an audit entry that keeps the query sealed, key
rotation and the backfill of people written before search existed."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy import delete, func, select

from casework.audit.models import AuditEntry
from casework.cli import main
from casework.crypto import current_ring
from casework.migrate import index_for_search
from casework.search.audit import open_query
from casework.search.models import SearchToken
from casework.services import Services
from tests.at_rest import database_bytes
from tests.conftest import Factory, bearer
from tests.search.world import SearchWorld


def found(client: FlaskClient, secret: str, q: str, **more: str) -> list[tuple[str, str]]:
    answer = client.get("/api/v1/search", query_string={"q": q, **more}, headers=bearer(secret))
    assert answer.status_code == 200, answer.json
    return [(r["id"], r["match"]) for r in answer.json["results"]]


def test_a_changed_name_is_found_by_its_new_name_only(
    client: FlaskClient, world: SearchWorld, factory: Factory, svc: Services
) -> None:
    referral = world.referral("Sara", "Whitfield")
    nominal = world.nominal("Dean", "Price")
    secret = factory.token(world.users["police"])
    referral = svc.session.get(type(referral), referral.id)
    referral.victim_last_name = "Okafor"
    referral.perpetrators[0].first_name = "Brendan"
    svc.session.get(type(nominal), nominal.id).last_name = "Okonkwo-Evans"
    svc.session.commit()
    assert found(client, secret, "sara okafor") == [(str(referral.id), "exact")]
    assert found(client, secret, "sara whitfield") == []
    assert found(client, secret, "brendan roe") == [(str(referral.id), "exact")]
    assert found(client, secret, "dean price") == []
    assert found(client, secret, "dean evans") == [(str(nominal.id), "similar")]


def test_each_search_writes_one_audit_entry_whose_query_is_sealed(
    client: FlaskClient, world: SearchWorld, factory: Factory, svc: Services, database_url: str
) -> None:
    referral = world.referral("Sara", "Whitfield")
    secret = factory.token(world.users["idva"])
    before = svc.session.scalar(select(func.count()).select_from(AuditEntry))
    typed = "Quenbyfrost Whitfield"  # in no record: only the search itself could store it
    assert found(client, secret, typed) == []
    assert found(client, secret, "sara whitfeld", date_of_birth="1990-04-01") == [
        (str(referral.id), "similar")
    ]
    svc.db.session.remove()
    entries = svc.session.scalars(
        select(AuditEntry).where(AuditEntry.record_type == "search").order_by(AuditEntry.seq)
    ).all()
    assert svc.session.scalar(select(func.count()).select_from(AuditEntry)) == before + 2
    assert [e.action for e in entries] == ["list", "list"]
    assert entries[0].fields == [] and entries[1].fields == [f"referral:{referral.id}"]
    assert open_query(entries[0].id, entries[0].purpose) == (typed, None)
    assert open_query(entries[1].id, entries[1].purpose) == ("sara whitfeld", "1990-04-01")
    stored = database_bytes(database_url)
    if stored is None:
        pytest.skip("reads the SQLite file")
    for text in (b"Quenbyfrost", b"quenbyfrost", b"QUENBYFROST", b"whitfeld", b"Whitfield"):
        assert text not in stored


def test_key_rotation_moves_every_token_and_search_still_finds(
    client: FlaskClient,
    world: SearchWorld,
    factory: Factory,
    svc: Services,
    database_url: str,
    instance_path: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    referral = world.referral("Sara", "Whitfield")
    secret = factory.token(world.users["idva"])
    count = svc.session.scalar(select(func.count()).select_from(SearchToken))
    monkeypatch.setenv("CASEWORK_DATABASE_URL", database_url)
    monkeypatch.setenv("CASEWORK_INSTANCE_PATH", str(instance_path))
    monkeypatch.setenv("CASEWORK_ENV", "testing")
    old = current_ring().primary
    result = CliRunner().invoke(main, ["keys", "rotate", "--batch-size", "3"])
    assert result.exit_code == 0, result.output
    assert "Verified: no row uses an old key." in result.output
    new = current_ring().primary
    assert new != old
    svc.db.session.remove()
    tokens = svc.session.scalars(select(SearchToken.token)).all()
    assert len(tokens) == count and all(t.startswith(f"{new}:") for t in tokens)
    assert found(client, secret, "sarah whitfield") == [(str(referral.id), "similar")]
    assert found(client, secret, "sara whitfield") == [(str(referral.id), "exact")]


def test_people_written_before_search_existed_are_indexed_by_init(
    client: FlaskClient, world: SearchWorld, factory: Factory, svc: Services, database_url: str
) -> None:
    referral = world.referral("Sara", "Whitfield")
    nominal = world.nominal("Dean", "Price")
    secret = factory.token(world.users["police"])
    count = svc.session.scalar(select(func.count()).select_from(SearchToken))
    svc.session.execute(delete(SearchToken))
    svc.session.commit()
    assert found(client, secret, "sara whitfield") == []
    assert index_for_search(database_url) == 4  # victim, perpetrator, child, nominal
    assert index_for_search(database_url) == 0
    svc.db.session.remove()
    assert svc.session.scalar(select(func.count()).select_from(SearchToken)) == count
    assert found(client, secret, "sara whitfield") == [(str(referral.id), "exact")]
    assert found(client, secret, "dean price") == [(str(nominal.id), "exact")]
