"""Amending a referral: who may, what a version keeps, what is decided again, who is told."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import func, select

from casework.audit.models import AuditEntry
from casework.errors import Conflict, Forbidden, Invalid, NotVisible
from casework.mail.models import OutboxMessage
from casework.referrals import lifecycle
from casework.referrals.amend import amend_referral
from casework.referrals.amend_versions import list_versions, version_view
from casework.referrals.models import Referral
from casework.referrals.version_models import ReferralVersion
from casework.search.actions import search
from tests.at_rest import database_bytes, stored
from tests.conftest import Factory, bearer, csrf_token, post_form, sign_in
from tests.referrals.coordination_setup import Partnership, partnership

ROB = {"first_name": "Rob", "last_name": "Smith", "date_of_birth": None}
JOHN = {"first_name": "John", "last_name": "Roe", "date_of_birth": "1988-01-01"}


@pytest.fixture()
def p(factory: Factory) -> Partnership:
    return partnership(factory)


def _count(p: Partnership, model: type) -> int:
    return int(p.svc.session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.dates
def test_two_amendments_make_a_history_and_take_the_repeat_decision_again(
    p: Partnership,
) -> None:
    earlier = p.refer("2025-09-01")
    # Another perpetrator: not the same case, so not a repeat of the earlier referral.
    later = p.refer("2026-08-01", perpetrators=[ROB])
    assert not later.crit_repeat
    referrer, coordinator = p.actor("referrer"), p.actor("coordinator")

    # 1. The referrer corrects the perpetrator before acceptance: now the same case, a repeat.
    first = amend_referral(
        p.svc, referrer, later.id, {"perpetrators": [JOHN], "reason": "Wrong perpetrator"}
    )
    p.svc.session.commit()
    assert first["referral"]["repeat"] == {
        "is_repeat": True,
        "previous_referral_date": "2025-09-01",
    }
    assert "repeat" in first["referral"]["risk"]["criteria"]
    assert p.svc.session.get(Referral, later.id).previous_referral_id == earlier.id

    # The coordinator is told: the reference and a link, nobody's name.
    (mail,) = p.svc.session.scalars(select(OutboxMessage))
    assert mail.to_address == "coord@csp.example"
    assert later.reference in mail.subject and f"/referrals/{later.id}/versions" in mail.body
    for name in ("Jane", "Doe", "John", "Roe", "Rob", "Smith"):
        assert name not in mail.subject + mail.body

    # 2. Accepted: the referrer may no longer amend, the coordinator may. A later referral
    # date puts the earlier referral more than 12 months back: no longer a repeat.
    lifecycle.accept_referral(p.svc, coordinator, later.id)
    p.svc.session.commit()
    with pytest.raises(Forbidden):
        amend_referral(p.svc, referrer, later.id, {"summary": "More", "reason": "Update"})
    p.svc.session.rollback()
    second = amend_referral(
        p.svc, coordinator, later.id, {"referral_date": "2026-10-01", "reason": "Date typo"}
    )
    p.svc.session.commit()
    assert second["referral"]["repeat"]["is_repeat"] is False
    assert "repeat" not in second["referral"]["risk"]["criteria"]

    history = list_versions(p.svc, p.actor("chair"), later.id)["versions"]
    assert [(v["number"], v["by"]["email"], v["status"]) for v in history] == [
        (1, "ref@pol.example", "submitted"),
        (2, "coord@csp.example", "accepted"),
    ]
    assert history[0]["reason"] == "Wrong perpetrator" and history[0]["at"]
    one = {c["field"]: (c["before"], c["after"]) for c in history[0]["changes"]}
    assert one["perpetrators[0].first_name"] == ("Rob", "John")
    assert one["perpetrators[0].date_of_birth"] == (None, "1988-01-01")
    assert one["repeat.is_repeat"] == (False, True)
    two = {c["field"]: (c["before"], c["after"]) for c in history[1]["changes"]}
    assert two["referral_date"] == ("2026-08-01", "2026-10-01")
    assert two["repeat.is_repeat"] == (True, False)
    assert "victim.first_name" not in two  # only what changed
    updates = p.audits("referral", later.id)
    assert any("perpetrators.first_name" in e.fields for e in updates)


def test_an_outsider_gets_404_and_a_member_who_may_not_amend_403(p: Partnership) -> None:
    referral = p.refer()
    body = {"summary": "Changed", "reason": "Because"}
    with pytest.raises(NotVisible):
        amend_referral(p.svc, p.actor("outsider"), referral.id, body)
    p.svc.session.rollback()
    # The coordinator sees it but it is not accepted yet: the referrer's to correct.
    with pytest.raises(Forbidden):
        amend_referral(p.svc, p.actor("coordinator"), referral.id, body)
    p.svc.session.rollback()
    p.set_status(referral, "withdrawn")
    with pytest.raises(Conflict):
        amend_referral(p.svc, p.actor("coordinator"), referral.id, body)


def test_a_bad_body_names_every_bad_field_and_writes_nothing(p: Partnership) -> None:
    referral = p.refer()
    before = referral.victim_last_name
    audits = _count(p, AuditEntry)
    bad = {
        "victim": {"last_name": "", "date_of_birth": "31/02/1990"},
        "risk": {"dash": {"3": "maybe"}},
        "colour": "blue",
        "panel_id": str(p.panel.id),
    }
    with pytest.raises(Invalid) as raised:
        amend_referral(p.svc, p.actor("referrer"), referral.id, bad)
    p.svc.session.rollback()
    assert set(raised.value.fields) >= {
        "victim.last_name",
        "victim.date_of_birth",
        "risk.dash.3",
        "colour",
        "panel_id",
        "reason",
    }
    assert _count(p, ReferralVersion) == 0 and _count(p, AuditEntry) == audits
    p.svc.session.expire_all()
    assert p.svc.session.get(Referral, referral.id).victim_last_name == before


def test_amended_values_are_sealed_and_shown_only_where_the_protocol_grants(
    p: Partnership, database_url: str
) -> None:
    referral = p.refer()
    answer = amend_referral(
        p.svc,
        p.actor("referrer"),
        referral.id,
        {
            "victim": {"last_name": "Quillfeather", "address": "77 Canary Wharf Lane"},
            "reason": "Xylophonic correction",
        },
    )
    p.svc.session.commit()
    assert {c["field"] for c in answer["version"]["changes"]} == {
        "victim.last_name",
        "victim.address",
    }
    canaries = [b"Quillfeather", b"77 Canary Wharf Lane", b"Xylophonic"]
    for column in ("changes", "reason"):
        for value in stored(p.svc.session, "referral_versions", column):
            assert not any(c in value for c in canaries)
    blob = database_bytes(database_url)
    if blob is not None:
        assert not any(c in blob for c in canaries)
    # The name is found by search under its new spelling.
    hits = search(p.svc, p.actor("coordinator"), {"q": "Quillfeather"})
    assert [h["id"] for h in hits if h["type"] == "referral"] == [str(referral.id)]
    # A reader granted the name but not the address learns nothing of the address's change.
    version = p.svc.session.scalars(select(ReferralVersion)).one()
    seen = version_view(version, frozenset({"victim.last_name"}), {})
    assert [c["field"] for c in seen["changes"]] == ["victim.last_name"]
    assert seen["reason"] is None


def test_the_api_amends_and_lists_versions(client, p: Partnership) -> None:
    referral = p.refer()
    url = f"/api/v1/referrals/{referral.id}"
    referrer = bearer(p.factory.token(p.users["referrer"]))
    outsider = bearer(p.factory.token(p.users["outsider"]))
    body = {"victim": {"phone": "07700 900123"}, "reason": "New number"}
    assert client.patch(url, json=body, headers=outsider).status_code == 404
    bad = client.patch(url, json={"victim": {"phone": 7}, "colour": 1}, headers=referrer)
    assert bad.status_code == 422
    assert set(bad.json["error"]["fields"]) == {"victim.phone", "colour", "reason"}
    done = client.patch(url, json=body, headers=referrer)
    assert done.status_code == 200, done.json
    assert done.json["version"]["number"] == 1
    assert done.json["referral"]["status"] == "submitted"
    shown = client.get(f"{url}/versions", headers=referrer).json["versions"]
    assert shown[0]["changes"] == [
        {"field": "victim.phone", "before": "07700 900000", "after": "07700 900123"}
    ]
    assert client.get(f"{url}/versions", headers=outsider).status_code == 404


def _form(html: str) -> dict[str, str]:
    """The amendment form's fields as the page fills them (inputs, text areas, choices)."""
    data = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html))
    data |= dict(re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>([^<]*)</textarea>', html))
    for name, value in re.findall(
        r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"[^>]*checked', html
    ):
        data[name] = value
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        data[name] = re.search(r'value="([^"]*)" selected', body).group(1)
    data.pop("csrf_token", None)
    return {k: unescape(v) for k, v in data.items()}


def test_the_amend_page_keeps_what_was_typed_and_shows_the_versions(client, p: Partnership) -> None:
    referral = p.refer()
    sign_in(client, "ref@pol.example")
    detail = client.get(f"/referrals/{referral.id}").text
    assert f"/referrals/{referral.id}/amend" in detail
    url = f"/referrals/{referral.id}/amend"
    page = client.get(url)
    assert page.status_code == 200 and "Amend this referral" in page.text
    data = _form(page.text)
    assert data["victim-last_name"] == "Doe" and data["victim-date_of_birth-year"] == "1990"
    # No reason, and a phone number with a control character: both named, typing kept.
    data |= {"victim-postcode": "ZZ1 1ZZ", "victim-phone": "0770\x07"}
    again = post_form(client, url, data)
    assert again.status_code == 422
    assert "Say why the referral is being amended" in again.text
    assert 'href="#victim-phone"' in again.text and 'value="ZZ1 1ZZ"' in again.text
    data |= {"victim-phone": "07700 900999", "reason": "Moved house"}
    done = post_form(client, url, data)
    assert done.status_code == 302
    versions = client.get(done.headers["Location"]).text
    assert "Version 1" in versions and "Moved house" in versions
    assert "Victim&#39;s postcode" in versions and "ZZ1 1ZZ" in versions
    # An agency outside the panel: the pages are not found.
    client.post("/sign-out", data={"csrf_token": csrf_token(versions)})
    sign_in(client, "coord@hsg.example")
    assert client.get(url).status_code == 404
    assert client.get(f"/referrals/{referral.id}/versions").status_code == 404


def _dash(yes: int) -> dict[str, str]:
    return {str(q): ("yes" if q <= yes else "no") for q in range(1, 25)}


@pytest.mark.dates
def test_dash_answers_changed_on_the_page_take_the_band_again_and_make_a_version(
    client, p: Partnership
) -> None:
    judgement = {"professional_judgement": True, "professional_judgement_reason": "Fear"}
    referral = p.refer(risk={"dash": _dash(11), **judgement})
    assert (referral.dash_score, referral.band) == (11, "medium")
    sign_in(client, "ref@pol.example")
    overview = client.get(f"/referrals/{referral.id}/amend").text
    url = f"/referrals/{referral.id}/amend/dash"
    assert f'href="{url}"' in overview and "11 “yes” answers of 24" in unescape(overview)
    page = client.get(url)
    assert page.status_code == 200 and "Amend referral" in page.text
    data = _form(page.text)
    assert data["11"] == "yes" and data["12"] == "no"
    # A comment with a control character, a bad answer and no reason: each named, typing kept.
    data |= {"12": "yes", "comment-12": "Threats to kill since May", "comment-3": "Bell\x07"}
    again = post_form(client, url, data | {"20": "maybe"})
    assert again.status_code == 422
    for anchor in ("risk-dash_comments-3", "risk-dash-20", "reason"):
        assert f'href="#{anchor}"' in again.text
    assert "Threats to kill since May" in again.text
    data["comment-3"] = ""
    assert p.svc.session.scalar(select(func.count()).select_from(ReferralVersion)) == 0
    data |= {"13": "yes", "14": "yes", "20": "no", "reason": "Checklist redone with the victim"}
    done = post_form(client, url, data)
    assert done.status_code == 302, done.text
    p.svc.session.expire_all()
    saved = p.svc.session.get(Referral, referral.id)
    assert (saved.dash_score, saved.band) == (14, "high")
    assert "visible_high_risk" in saved.criteria
    (version,) = p.svc.session.scalars(select(ReferralVersion))
    assert {"risk.dash.12", "risk.dash_comments.12", "risk.band"} <= set(version.fields)
    versions = client.get(done.headers["Location"]).text
    assert "DASH question 12" in versions and "Comment on DASH question 12" in versions
    assert "Threats to kill since May" in versions


def test_people_are_changed_added_and_removed_on_their_own_pages(client, p: Partnership) -> None:
    referral = p.refer()
    sign_in(client, "ref@pol.example")
    base = f"/referrals/{referral.id}/amend"
    listed = client.get(f"{base}/perpetrators")
    assert listed.status_code == 200 and "John Roe" in listed.text
    assert f"{base}/perpetrators/0" in listed.text
    person = _form(client.get(f"{base}/perpetrators/0").text)
    assert person["last_name"] == "Roe" and person["date_of_birth-year"] == "1988"
    bad = post_form(client, f"{base}/perpetrators/0", person | {"last_name": ""})
    assert bad.status_code == 422 and 'href="#perpetrators-0-last_name"' in bad.text
    changed = person | {"last_name": "Rowe", "reason": "Spelling"}
    assert post_form(client, f"{base}/perpetrators/0", changed).status_code == 302
    child = {"first_name": "Alex", "date_of_birth-day": "1", "date_of_birth-month": "2"}
    child |= {"date_of_birth-year": "2021", "reason": "A second child"}
    assert post_form(client, f"{base}/children/1", child).status_code == 302
    assert (
        post_form(client, f"{base}/children/0/remove", {"reason": "Moved out"}).status_code == 302
    )
    last = post_form(client, f"{base}/perpetrators/0/remove", {"reason": "Wrong"})
    assert last.status_code == 422 and 'href="#reason"' in last.text
    p.svc.session.expire_all()
    body = list_versions(p.svc, p.actor("coordinator"), referral.id)
    assert [v["number"] for v in body["versions"]] == [1, 2, 3]
    shown = p.svc.session.get(Referral, referral.id)
    assert [c.first_name for c in shown.children] == ["Alex"]
    assert [x.last_name for x in shown.perpetrators] == ["Rowe"]
    assert client.get(f"{base}/children/5").status_code == 404
    assert client.get(f"{base}/victim").status_code == 404
    client.post("/sign-out", data={"csrf_token": csrf_token(listed.text)})
    sign_in(client, "coord@hsg.example")
    assert client.get(f"{base}/perpetrators").status_code == 404
