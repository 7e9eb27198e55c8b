"""Searching and exporting the audit log: only the DPO, every filter narrows, and the DPO's own
reading is recorded with the filter names but none of the values typed."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from casework.actors import Actor
from casework.audit import actions
from casework.audit import log as audit
from casework.audit.actions import PAGE_SIZE, export_audit, search_audit
from casework.audit.models import AuditEntry
from casework.errors import Forbidden, Invalid
from casework.roles import ROLES

JO_ID = uuid.uuid4()
SAM_ID = uuid.uuid4()


def _actor(user_id: uuid.UUID, email: str, agency: str, *roles: str) -> Actor:
    return Actor(user_id, email, uuid.uuid4(), agency, "other", False, frozenset(roles))


DPO = _actor(uuid.uuid4(), "dpo@csp.example", "CSP", "dpo")
JO = _actor(JO_ID, "jo@idva.example", "IDVA", "idva", "referrer")
SAM = _actor(SAM_ID, "sam@police.example", "POL", "referrer")


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _entry(svc, actor: Actor, action: str, record_id: str, at: str, **kw) -> AuditEntry:
    entry = audit.record(svc.session, actor, action, "user", record_id, **kw)
    entry.at = _at(at)
    return entry


@pytest.fixture()
def log(svc):
    """Four entries across two users, two agencies, two actions and a month boundary."""
    _entry(svc, JO, "view", "rec-1", "2026-02-28 23:59:59.999999")
    _entry(svc, JO, "update", "rec-2", "2026-03-01 00:00:00", fields=["name"])
    _entry(svc, SAM, "view", "rec-2", "2026-03-31 23:59:59.999999")
    _entry(svc, SAM, "create", "rec-3", "2026-04-01 00:00:00")
    svc.session.commit()
    return svc


def _ids(page) -> list[str]:
    return [e.record_id for e in page.entries]


def test_everything_newest_first_when_no_filter(log):
    page = search_audit(log, DPO, {})
    assert _ids(page) == ["rec-3", "rec-2", "rec-2", "rec-1"]
    assert (page.total, page.page, page.pages) == (4, 1, 1)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"record": "rec-2"}, [("rec-2", "view"), ("rec-2", "update")]),
        ({"record": "rec"}, []),  # exact, not a prefix
        ({"user": "jo@idva.example"}, [("rec-2", "update"), ("rec-1", "view")]),
        ({"user": "  JO@IDVA.Example "}, [("rec-2", "update"), ("rec-1", "view")]),
        ({"user": str(SAM_ID)}, [("rec-3", "create"), ("rec-2", "view")]),
        ({"user": "jo@idva"}, []),
        ({"agency": "POL"}, [("rec-3", "create"), ("rec-2", "view")]),
        ({"agency": "pol"}, [("rec-3", "create"), ("rec-2", "view")]),
        ({"action": "view"}, [("rec-2", "view"), ("rec-1", "view")]),
        ({"agency": "IDVA", "action": "view"}, [("rec-1", "view")]),
        (
            {"date_from": "2026-03-01"},
            [("rec-3", "create"), ("rec-2", "view"), ("rec-2", "update")],
        ),
        ({"date_to": "2026-02-28"}, [("rec-1", "view")]),
    ],
)
def test_each_filter_narrows(log, filters, expected):
    page = search_audit(log, DPO, filters)
    assert [(e.record_id, e.action) for e in page.entries] == expected
    # the export also sees the search just made (it is in the log now): leave the DPO's out
    exported = [r for r in export_audit(log, DPO, filters) if r.actor_email != DPO.email]
    assert [(r.record_id, r.action) for r in exported] == expected


def test_date_bounds_are_whole_uk_days_and_inclusive(log):
    """Days are the UK's: March ends at 23:00 UTC on the 31st (British Summer Time began on
    the 29th), so an entry at 23:59 UTC that evening belongs to 1 April."""
    page = search_audit(log, DPO, {"date_from": "2026-03-01", "date_to": "2026-03-31"})
    assert [e.at for e in page.entries] == [_at("2026-03-01 00:00:00")]
    one_day = search_audit(log, DPO, {"date_from": "2026-04-01", "date_to": "2026-04-01"})
    assert [(e.record_id, e.at) for e in one_day.entries] == [
        ("rec-3", _at("2026-04-01 00:00:00")),
        ("rec-2", _at("2026-03-31 23:59:59.999999")),
    ]


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"date_from": "2026-02-30"}, "date_from"),
        ({"date_to": "31/03/2026"}, "date_to"),
        ({"date_from": "2026-03-02", "date_to": "2026-03-01"}, "date_to"),
        ({"action": "delete-everything"}, "action"),
        ({"agency": "not a code"}, "agency"),
        ({"record": "x" * 65}, "record"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_filters_are_refused_naming_the_field(log, filters, field):
    with pytest.raises(Invalid) as caught:
        search_audit(log, DPO, filters)
    assert list(caught.value.fields) == [field]
    with pytest.raises(Invalid):
        export_audit(log, DPO, filters)


def test_a_bad_date_names_the_field_in_words(log):
    with pytest.raises(Invalid) as caught:
        search_audit(log, DPO, {"date_from": "2026-02-30"})
    assert caught.value.fields["date_from"] == [
        "Date from must be a real date, for example 27 3 2026"
    ]


@pytest.mark.parametrize("role", [r for r in ROLES if r != "dpo"])
def test_every_other_role_is_refused_and_nothing_is_recorded(log, role):
    actor = _actor(uuid.uuid4(), "someone@example.org", "POL", role)
    before = log.session.query(AuditEntry).count()
    with pytest.raises(Forbidden):
        search_audit(log, actor, {})
    with pytest.raises(Forbidden):
        export_audit(log, actor, {})
    # refused before validation, too: a bad filter does not reveal anything either
    with pytest.raises(Forbidden):
        search_audit(log, actor, {"date_from": "nonsense"})
    assert log.session.query(AuditEntry).count() == before


def test_a_dpo_with_other_roles_too_may_search(log):
    actor = _actor(uuid.uuid4(), "both@csp.example", "CSP", "coordinator", "dpo")
    assert search_audit(log, actor, {}).total == 4


def _own_entries(svc, action: str) -> list[AuditEntry]:
    svc.session.commit()  # as a request ends: the transaction writes its audit entries
    return list(
        svc.session.scalars(
            select(AuditEntry).where(
                AuditEntry.actor_email == DPO.email, AuditEntry.action == action
            )
        )
    )


def test_the_dpo_search_is_audited_with_filter_names_never_values(log):
    search_audit(log, DPO, {"user": "Jo@IDVA.example", "agency": "IDVA", "date_from": "2026-01-01"})
    log.session.commit()
    (entry,) = _own_entries(log, "list")
    assert entry.record_type == "audit_log" and entry.record_id is None
    assert entry.fields == ["agency", "date_from", "user"]
    assert entry.roles == "dpo" and entry.agency_code == "CSP"
    stored = [str(getattr(entry, c.key)) for c in AuditEntry.__table__.columns]
    assert not any("jo@idva" in value.lower() or "2026-01-01" in value for value in stored)


def test_the_export_is_audited_before_any_row_is_read(log):
    rows = export_audit(log, DPO, {"record": "rec-2"})
    (entry,) = _own_entries(log, "export")
    assert entry.fields == ["record"] and entry.record_type == "audit_log"
    assert len(list(rows)) == 2


def test_the_search_does_not_list_its_own_entry_or_anything_after_it(log):
    first = search_audit(log, DPO, {})
    log.session.commit()
    _entry(log, SAM, "view", "rec-later", "2099-01-01 00:00:00")  # written after the search
    log.session.commit()
    again = search_audit(log, DPO, {"as_of": first.as_of.isoformat()})
    assert _ids(again) == _ids(first)  # neither the first search's entry nor the later one
    exported = [r.record_id for r in export_audit(log, DPO, {"as_of": first.as_of.isoformat()})]
    assert exported == _ids(first)


def test_pages_of_fifty_newest_first_and_a_page_past_the_end_shows_the_last(svc):
    start = _at("2026-01-01 00:00:00")
    for i in range(PAGE_SIZE * 2 + 5):
        audit.record(svc.session, SAM, "view", "user", f"r{i:03}").at = start + timedelta(minutes=i)
    svc.session.commit()
    first = search_audit(svc, DPO, {})
    assert (first.total, first.pages, len(first.entries)) == (105, 3, 50)
    assert first.entries[0].record_id == "r104" and first.first == 1
    third = search_audit(svc, DPO, {"as_of": first.as_of.isoformat()}, page=3)
    assert _ids(third) == [f"r{i:03}" for i in range(4, -1, -1)] and third.first == 101
    assert search_audit(svc, DPO, {}, page=99).page == 3
    assert search_audit(svc, DPO, {}, page=-1).page == 1


def test_the_export_streams_every_matching_row_in_chunks_without_repeats(svc, monkeypatch):
    monkeypatch.setattr(actions, "EXPORT_CHUNK", 7)
    same_time = _at("2026-01-01 12:00:00")
    for i in range(30):  # equal times: the chunks must still not skip or repeat a row
        audit.record(svc.session, SAM, "view", "user", f"r{i:02}").at = same_time
    audit.record(svc.session, JO, "view", "user", "other").at = same_time
    svc.session.commit()
    rows = export_audit(svc, DPO, {"agency": "POL"})
    assert sorted(r.record_id for r in rows) == [f"r{i:02}" for i in range(30)]
