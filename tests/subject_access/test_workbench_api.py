"""The subject access workbench through the API: a victim's disclosure, a perpetrator's,
and the decisions that change them."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text

from casework.audit.models import AuditEntry
from casework.services import Services
from tests.conftest import Factory
from tests.subject_access.world import SarWorld


@pytest.fixture()
def world(client: FlaskClient, factory: Factory) -> SarWorld:
    return SarWorld(client, factory).build()


def test_a_victims_disclosure_has_her_details_and_marks_the_perpetrators(
    world: SarWorld, svc: Services
) -> None:
    request_id = world.open("victim")
    found = world.find(request_id, "Jane Doe", "1990-04-01")
    assert [(f["role"], f["name"], f["reference"]) for f in found] == [
        ("victim", "Jane Doe", world.reference)
    ]
    items = world.gather(request_id, [found[0]["key"]])["items"]
    decisions = {i["category"]: (i["decision"], i["reason"]) for i in items}
    assert decisions["own_details"] == ("release", None)
    assert decisions["perpetrator_details"] == ("redact", "Information about another person")
    assert decisions["child_details"][0] == "redact"

    text_ = world.pdf_text(request_id)
    assert "Jane Doe" in text_ and "1 High Street, Anytown" in text_
    assert "[redacted: Information about another person]" in text_
    assert "Roe" not in text_ and "1 January 1988" not in text_  # the perpetrator
    assert "5 May 2019" not in text_  # the child's date of birth

    svc.session.expire_all()
    entries = svc.session.query(AuditEntry).filter(AuditEntry.actor_email == "dpo@council.example")
    seen = {(e.action, e.record_type) for e in entries}
    assert {
        ("create", "subject_access_request"),
        ("list", "search"),
        ("view", "referral"),
        ("disclose", "referral"),
        ("export", "subject_access_request"),
    } <= seen
    raw = svc.session.execute(text("SELECT title, content, reason FROM subject_access_items"))
    assert not any(b"Jane" in bytes(v) for row in raw for v in row if v is not None)


def test_a_perpetrators_disclosure_reveals_no_referral_until_the_dpo_releases_it(
    world: SarWorld,
) -> None:
    request_id = world.open("perpetrator")
    found = world.find(request_id, "John Roe", "1988-01-01")
    assert [f["role"] for f in found] == ["perpetrator"]
    items = world.gather(request_id, [found[0]["key"]])["items"]
    assert items and {i["decision"] for i in items} == {"withhold"}

    preview = world.client.get(f"/api/v1/subject-access/{request_id}/disclosure", headers=world.dpo)
    assert preview.status_code == 200 and preview.json == {"items": []}
    text_ = world.pdf_text(request_id)
    for revealing in (world.reference, "Jane", "referral", "MARAC", "redacted"):
        assert revealing.lower() not in text_.lower(), revealing

    own = next(i for i in items if i["category"] == "own_details")
    answer = world.client.put(
        f"/api/v1/subject-access/{request_id}/items/{own['id']}",
        json={"decision": "release", "reason": "Released after review"},
        headers=world.dpo,
    )
    assert answer.status_code == 200 and answer.json["decision"] == "release"
    text_ = world.pdf_text(request_id)
    assert "John Roe" in text_ and world.reference in text_  # the item's title names it
    assert "Jane" not in text_


def test_redacting_or_withholding_needs_a_reason_and_nothing_changes_without_one(
    world: SarWorld,
) -> None:
    request_id = world.open("victim")
    key = world.find(request_id, "Jane Doe", "1990-04-01")[0]["key"]
    item = next(i for i in world.gather(request_id, [key])["items"] if i["decision"] == "release")
    url = f"/api/v1/subject-access/{request_id}/items/{item['id']}"
    answer = world.client.put(url, json={"decision": "withhold"}, headers=world.dpo)
    assert answer.status_code == 422 and "reason" in answer.json["error"]["fields"]
    again = world.client.get(f"/api/v1/subject-access/{request_id}", headers=world.dpo).json
    assert next(i for i in again["items"] if i["id"] == item["id"])["decision"] == "release"


def test_gathering_twice_adds_nothing_twice(world: SarWorld) -> None:
    request_id = world.open("victim")
    key = world.find(request_id, "Jane Doe", "1990-04-01")[0]["key"]
    first = world.gather(request_id, [key])["items"]
    assert world.gather(request_id, [key])["items"] == first
    bad = world.client.post(
        f"/api/v1/subject-access/{request_id}/gather",
        json={"people": ["referral:not-a-key"]},
        headers=world.dpo,
    )
    assert bad.status_code == 422 and "people" in bad.json["error"]["fields"]
