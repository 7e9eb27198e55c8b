"""Retention and erasure: what falls due is listed for the DPO (held cases not), erasure leaves
the MARAC figures of its period as they were, and nothing of the erased case stays in the
database file or a dump: not a value, not a ciphertext, not a blind index or search token."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from casework import clock, create_app
from casework.audit.models import AuditEntry
from casework.crypto import Sealed
from casework.db import Base
from casework.referrals.models import Referral
from casework.retention import actions as retention
from casework.retention.models import RetentionDue
from casework.scheduler.jobs import review_retention
from casework.search.models import SearchToken
from casework.settings import ConfigError
from casework.stats.marac import Scope, marac_figures, safelives_return
from tests.at_rest import database_files
from tests.conftest import Factory, need, post_form, sign_in
from tests.retention_world import (
    ACTION_TEXT,
    CANARIES,
    MINUTE_TEXT,
    OLD,
    PERPETRATOR,
    World,
    build_world,
)

pytestmark = pytest.mark.dates


@pytest.fixture()
def world(factory: Factory) -> World:
    return build_world(factory)


def _run_job(w: World) -> None:
    now = clock.now()
    review_retention(w.p.svc, now, now)
    w.p.svc.session.commit()


def _listed(w: World) -> set:
    view = retention.review(w.p.svc, w.p.actor("dpo"))
    w.p.svc.session.commit()
    return {item.record_id for item in view.items}


def test_a_referral_past_its_date_is_listed_and_a_held_one_is_not(world: World) -> None:
    w = world
    retention.place_hold(
        w.p.svc, w.p.actor("dpo"), {"reference": w.held.reference, "reason": "Civil claim pending"}
    )
    w.p.svc.session.commit()
    _run_job(w)
    listed = _listed(w)
    assert w.erased.id in listed
    assert w.held.id not in listed and w.recent.id not in listed
    # A hold placed after the list was made takes the case off it at once; lifting puts it back
    hold = retention.place_hold(
        w.p.svc, w.p.actor("dpo"), {"reference": w.erased.reference, "reason": "Inquiry"}
    )
    w.p.svc.session.commit()
    assert w.erased.id not in _listed(w)
    retention.lift_hold(w.p.svc, w.p.actor("dpo"), hold.id)
    w.p.svc.session.commit()
    _run_job(w)
    assert w.erased.id in _listed(w)
    placed = w.p.audits("referral", "update", w.erased.id)
    assert [e.purpose for e in placed][-2:] == [
        f"legal hold placed on {w.erased.reference}",
        f"legal hold lifted from {w.erased.reference}",
    ]


def _figures(w: World) -> tuple:
    scope = Scope(OLD - timedelta(days=31), OLD + timedelta(days=62), None)
    session = w.p.svc.session
    return marac_figures(session, scope), safelives_return(session, scope)


def _erase(w: World) -> None:
    _run_job(w)
    due = w.p.svc.session.scalar(select(RetentionDue).where(RetentionDue.record_id == w.erased.id))
    retention.erase(
        w.p.svc,
        w.p.actor("dpo"),
        {"records": [str(due.id)], "reason": "Period ended", "confirm": True},
    )
    w.p.svc.session.commit()


def test_erasure_leaves_the_marac_figures_of_its_period_unchanged(world: World) -> None:
    w = world
    before = _figures(w)
    assert before[0]["referrals"]["total"] == 2 and before[0]["heard"]["cases"] == 2
    _erase(w)
    assert _figures(w) == before
    tomb = w.p.svc.session.get(Referral, w.erased.id)
    assert tomb.erased and tomb.victim_last_name is None and tomb.summary is None
    assert tomb.perpetrators == [] and tomb.children == []
    # Nobody sees it any more, whatever the protocol grants its referring agency
    assert not w.p.svc.sharing.may(w.p.svc.session, w.p.actor("referrer"), "view", tomb)
    entry = w.p.svc.session.scalar(
        select(AuditEntry).where(
            AuditEntry.action == "erase", AuditEntry.record_id == str(w.erased.id)
        )
    )
    assert entry.actor_email == "dpo@csp.example" and w.erased.reference in entry.purpose
    assert "minutes emptied: 1" in entry.fields and "referral_children deleted: 1" in entry.fields
    assert "Quillfeather" not in str(entry.fields) + entry.purpose


def _stored(w: World, mine: bool) -> set[bytes]:
    """Every sealed value, blind index and search token stored for the erased case (or, with
    ``mine=False``, for anything else), as SQL returns them."""
    session = w.p.svc.session
    found: set[bytes] = set()
    for table in Base.metadata.sorted_tables:
        personal = [
            c.name for c in table.columns if isinstance(c.type, Sealed) or c.name.endswith("_ix")
        ]
        key = "id" if table.name == "referrals" else "referral_id"
        if not personal or key not in table.c:
            continue
        case = table.c[key] == w.erased.id
        for name in personal:
            stmt = select(table.c[name]).where(table.c[name].is_not(None))
            for value in session.scalars(stmt.where(case if mine else ~case)):
                found.add(value if isinstance(value, bytes) else value.encode())
    case = SearchToken.record_id == w.erased.id
    found |= {
        t.encode()
        for t in session.scalars(select(SearchToken.token).where(case if mine else ~case))
    }
    return found


def _ciphertexts(w: World) -> set[bytes]:
    """What only the erased case holds: a short blind index or a search token for a common
    word ("Doe") may be shared with someone else, and stays for them."""
    found = _stored(w, mine=True) - _stored(w, mine=False)
    assert len(found) > 10  # the case was there to find
    return found


def _dump(database_url: str) -> dict[str, bytes]:
    if database_url.startswith("sqlite"):
        return database_files(database_url)
    pg_dump = shutil.which("pg_dump")
    need(pg_dump is not None, "pg_dump is not installed")
    url = database_url.replace("postgresql+psycopg://", "postgresql://", 1)
    dump = subprocess.run([pg_dump, "--data-only", url], capture_output=True, check=True)
    assert b".referrals (" in dump.stdout
    return {"pg_dump": dump.stdout}


def test_the_canary_scan_finds_nothing_of_the_erased_case(world: World, database_url: str) -> None:
    w = world
    stored = _ciphertexts(w)
    words = [*CANARIES.values(), *PERPETRATOR.values(), MINUTE_TEXT, ACTION_TEXT]
    _erase(w)
    for name, blob in _dump(database_url).items():
        for value in stored:
            assert value not in blob, f"a stored value of the erased case is still in {name}"
        for word in words:
            assert word.encode() not in blob
    # the held, unerased case is still there: the scan reads the real file
    assert w.p.svc.session.get(Referral, w.held.id).victim_last_name.startswith("Doe")


def test_the_dpo_erases_a_batch_from_the_page(world: World, client) -> None:
    w = world
    _run_job(w)
    sign_in(client, "dpo@csp.example")
    page = client.get("/retention")
    assert page.status_code == 200 and w.erased.reference in page.text
    assert "Quillfeather" not in page.text
    due = str(
        w.p.svc.session.scalar(select(RetentionDue.id).where(RetentionDue.record_id == w.erased.id))
    )
    refused = post_form(
        client, "/retention/erase", {"records": due, "reason": "Ended"}, page="/retention"
    )
    assert refused.status_code == 422 and "Confirm that the chosen records" in refused.text
    assert not w.p.svc.session.get(Referral, w.erased.id).erased
    done = post_form(
        client,
        "/retention/erase",
        {"records": due, "reason": "Ended", "confirm": "yes"},
        page="/retention",
    )
    assert done.status_code == 302
    w.p.svc.session.expire_all()
    assert w.p.svc.session.get(Referral, w.erased.id).erased


@pytest.mark.parametrize("role_user", ["coordinator", "chair", "analyst", "referrer"])
def test_every_retention_url_is_404_to_other_roles(world: World, client, role_user: str) -> None:
    w = world
    sign_in(client, w.p.users[role_user].email)
    assert client.get("/retention").status_code == 404
    hold = retention.place_hold(
        w.p.svc, w.p.actor("dpo"), {"reference": w.held.reference, "reason": "Claim"}
    )
    w.p.svc.session.commit()
    for url in ("/retention/erase", "/retention/holds", f"/retention/holds/{hold.id}/lift"):
        answer = post_form(client, url, {"reason": "x", "reference": w.recent.reference}, page="/")
        assert answer.status_code == 404, url


def test_a_bad_retention_file_stops_the_service(tmp_path: Path, database_url: str) -> None:
    bad = tmp_path / "retention.toml"
    bad.write_text("[marac_referral]\nyears = 0\n[referral_draft]\ndays = 90\nweeks = 1\n")
    with pytest.raises(ConfigError) as refused:
        create_app(
            {
                "ENV": "testing",
                "DATABASE_URL": database_url,
                "INSTANCE_PATH": str(tmp_path),
                "RETENTION_FILE": str(bad),
            }
        )
    message = str(refused.value)
    assert "marac_referral: years must be a whole number" in message
    assert "referral_draft: unknown keys weeks" in message and "audit_log: missing" in message


def test_a_period_in_years_ends_on_the_same_day_or_the_28th(app: Flask) -> None:
    from casework.retention.policy import Period

    six = Period(6, "years")
    assert six.after(date(2020, 2, 29)) == date(2026, 2, 28)
    assert six.before(date(2026, 2, 28)) == date(2020, 2, 29)
    assert six.after(six.before(date(2031, 3, 1)) + timedelta(days=1)) > date(2031, 3, 1)
