"""Crafted input answers 4xx, never 500; bodies are bounded; types are strict (issue 16;
CONTRACT.md, "Limits"). Each test is a reproduction from the probe that found the fault."""

from __future__ import annotations

import io
import json
import uuid
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from marshmallow import fields

from casework import clock
from casework.errors import Invalid
from casework.meetings.schedule import furthest_move
from casework.panels.models import Panel
from casework.referrals.models import Referral
from casework.schemas import JsonObject, StrictSchema, load
from casework.services import Services
from tests.conftest import Factory, bearer, csrf_token, sign_in
from tests.referral_data import referral_body

MB = 1024 * 1024


class Endless(io.RawIOBase):
    """A request body that goes on (to 64 MB, so a server that never stops reading fails the
    test instead of filling memory), counting what the server reads of it."""

    def __init__(self, cap: int = 64 * 1024 * 1024) -> None:
        self.read_bytes = 0
        self.cap = cap

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = min(len(buffer), self.cap - self.read_bytes)
        buffer[:n] = b"a" * n
        self.read_bytes += n
        return n


@pytest.fixture()
def marac(factory: Factory) -> dict[str, Any]:
    factory.agency("POL", "police")
    panel = factory.panel(("POL",))
    referrer = factory.user("ref@pol.example", "POL", ("referrer",))
    coordinator = factory.user("coord@pol.example", "POL", ("coordinator",))
    return {
        "panel": panel,
        "referrer": bearer(factory.token(referrer)),
        "coordinator": bearer(factory.token(coordinator)),
    }


def _fields(response: Any) -> dict[str, list[str]]:
    assert response.status_code == 422, response.json
    return response.json["error"]["fields"]


def _referrals(svc: Services) -> int:
    return svc.session.query(Referral).count()


# --- the JSON door: media type, nesting, repeated keys ---------------------------------------


@pytest.mark.parametrize("depth", [33, 1000, 100_000])
def test_json_nested_too_deep_is_400_before_it_is_decoded(client, marac, depth):
    body = "[" * depth + "]" * depth
    response = client.post(
        "/api/v1/panels", data=body, headers=marac["coordinator"], content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json["error"]["code"] == "bad_json"
    assert "32 levels" in response.json["error"]["message"]


def test_json_nested_32_deep_and_brackets_in_strings_are_fine(client, marac):
    nested = "[" * 31 + "]" * 31
    body = '{"name": ' + nested + ', "area": "' + "[" * 40 + '"}'  # 32 deep in all
    response = client.post(
        "/api/v1/panels", data=body, headers=marac["coordinator"], content_type="application/json"
    )
    assert response.status_code == 422  # decoded, then refused field by field
    assert "name" in response.json["error"]["fields"]
    assert "area" not in response.json["error"]["fields"]


def test_a_repeated_key_is_400_not_silently_the_last(client, marac, svc):
    body = json.dumps(referral_body(marac["panel"].id))[:-1] + ', "consent": false}'
    response = client.post(
        "/api/v1/referrals", data=body, headers=marac["referrer"], content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json["error"] == {
        "code": "bad_json",
        "message": 'The request body gives the key "consent" twice in one object',
    }
    assert _referrals(svc) == 0


@pytest.mark.parametrize(
    ("content_type", "encoding"),
    [
        ("text/plain", "utf-8"),
        (None, "utf-8"),
        ("application/x-www-form-urlencoded", "utf-8"),
        ("application/json", "utf-16"),
        ("application/json; charset=utf-16", "utf-16"),
    ],
)
def test_json_not_sent_as_utf8_application_json_is_415(client, marac, svc, content_type, encoding):
    body = json.dumps(referral_body(marac["panel"].id)).encode(encoding)
    headers = dict(marac["referrer"])
    if content_type:
        headers["Content-Type"] = content_type
    response = client.post("/api/v1/referrals", data=body, headers=headers)
    assert response.status_code == 415
    assert response.json["error"]["code"] == "unsupported_media_type"
    assert _referrals(svc) == 0


def test_json_with_charset_utf8_is_accepted(client, marac):
    body = json.dumps(referral_body(marac["panel"].id))
    headers = {**marac["referrer"], "Content-Type": "application/json; charset=UTF-8"}
    assert client.post("/api/v1/referrals", data=body, headers=headers).status_code == 201


# --- bounded bodies --------------------------------------------------------------------------


def test_a_declared_body_over_1mb_is_413_and_never_read(client, marac, svc):
    stream = Endless()
    response = client.post(
        "/api/v1/referrals",
        headers={**marac["referrer"], "Content-Type": "application/json"},
        environ_overrides={"wsgi.input": stream, "CONTENT_LENGTH": str(50 * MB)},
    )
    assert response.status_code == 413
    assert response.json["error"]["code"] == "too_large"
    assert "1 MB" in response.json["error"]["message"]
    assert stream.read_bytes == 0
    assert _referrals(svc) == 0


def test_a_streamed_body_stops_being_read_at_the_limit(client, marac, svc):
    """Chunked, without Content-Length: the server reads up to the limit, then answers 413."""
    stream = Endless()
    response = client.post(
        "/api/v1/referrals",
        headers={**marac["referrer"], "Content-Type": "application/json"},
        environ_overrides={
            "wsgi.input": stream,
            "wsgi.input_terminated": True,  # the server terminates a chunked stream
            "CONTENT_LENGTH": "",
            "HTTP_TRANSFER_ENCODING": "chunked",
        },
    )
    assert response.status_code == 413
    assert response.json["error"]["code"] == "too_large"
    assert MB <= stream.read_bytes <= MB + 128 * 1024
    assert _referrals(svc) == 0


def test_a_50mb_password_on_the_sign_in_form_is_413_unread(client, factory):
    factory.user("sam@example.org")
    client.get("/sign-in")
    stream = Endless()
    response = client.post(
        "/sign-in",
        content_type="application/x-www-form-urlencoded",
        environ_overrides={"wsgi.input": stream, "CONTENT_LENGTH": str(50 * MB)},
    )
    assert response.status_code == 413
    assert "govuk-heading-l" in response.text and "too large" in response.text
    assert stream.read_bytes == 0


def test_an_upload_page_takes_more_than_a_form_but_not_more_than_20mb(app, factory):
    factory.agency("POL", "police")
    factory.panel(("POL",))
    factory.user("coord@pol.example", "POL", ("coordinator",))
    client = app.test_client()
    sign_in(client, "coord@pol.example")
    token = csrf_token(client.get("/referrals/import").text)
    two_mb = b"reference,referral_date\n" + b"x" * (2 * MB)
    response = client.post(
        "/referrals/import",
        data={"csrf_token": token, "panel_id": "", "file": (io.BytesIO(two_mb), "big.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422  # read and answered by the page (no panel chosen)
    assert "Choose the MARAC panel" in response.text
    stream = Endless()
    refused = client.post(
        "/referrals/import",
        content_type="multipart/form-data; boundary=x",
        environ_overrides={"wsgi.input": stream, "CONTENT_LENGTH": str(21 * MB)},
    )
    assert refused.status_code == 413 and stream.read_bytes == 0
    assert "20 MB" in refused.text
    form = client.post(
        "/panels",
        content_type="application/x-www-form-urlencoded",
        environ_overrides={"wsgi.input": Endless(), "CONTENT_LENGTH": str(2 * MB)},
    )
    assert form.status_code == 413  # the same 2 MB on an ordinary form is refused


# --- text ------------------------------------------------------------------------------------


def test_a_lone_surrogate_in_a_referral_name_is_422_naming_it(client, marac, svc):
    body = referral_body(marac["panel"].id, victim__first_name="\ud800")
    response = client.post("/api/v1/referrals", json=body, headers=marac["referrer"])
    assert set(_fields(response)) == {"victim.first_name"}
    assert _referrals(svc) == 0


def test_a_lone_surrogate_in_a_nominal_name_is_422_naming_it(client, factory):
    factory.agency("POL", "police")
    panel = factory.panel(("POL",), "ppo")
    headers = bearer(factory.token(factory.user("c@pol.example", "POL", ("coordinator",))))
    body = _nominal(panel, first_name="\ud800")
    response = client.post("/api/v1/nominals", json=body, headers=headers)
    assert set(_fields(response)) == {"first_name"}


def test_a_lone_surrogate_in_a_panel_area_is_422_naming_it(client, marac):
    url = f"/api/v1/panels/{marac['panel'].id}"
    response = client.patch(url, json={"area": "North \udfff"}, headers=marac["coordinator"])
    assert set(_fields(response)) == {"area"}


@pytest.mark.parametrize(
    "name",
    [
        "Jane\x00",  # NUL
        "Jane\x07",  # BEL
        "Jane\x1b[31m",  # an ESC sequence
        "Jane\tDoe",  # tab: long text only
        "Jane\nDoe",  # a line break: long text only
        "Jane\u202eeoD",  # a right-to-left override never closed
        "Jane\u2067Doe",  # an isolate never closed
        "Ja\u200bne",  # a zero-width space
        "Ja\u200dne",  # a zero-width joiner in Latin text
    ],
)
def test_names_refuse_control_direction_and_invisible_characters(client, marac, svc, name):
    body = referral_body(marac["panel"].id, victim__first_name=name)
    response = client.post("/api/v1/referrals", json=body, headers=marac["referrer"])
    assert set(_fields(response)) == {"victim.first_name"}
    assert _referrals(svc) == 0


def test_names_in_every_script_and_long_text_with_line_breaks_are_kept(client, marac, svc):
    body = referral_body(
        marac["panel"].id,
        victim__first_name="\u0645\u0647\u062f\u06cc\u200c\u0632\u0627\u062f\u0647",  # ZWNJ
        victim__last_name="\u2067\u05db\u05d4\u05df\u2069 Cohen",  # a closed isolate
        summary="First line\n\tindented second line\r\nthird",
    )
    response = client.post("/api/v1/referrals", json=body, headers=marac["referrer"])
    assert response.status_code == 201, response.json


def test_long_text_still_refuses_control_characters(client, marac):
    body = referral_body(marac["panel"].id, summary="Escalating\x1b[2J abuse")
    response = client.post("/api/v1/referrals", json=body, headers=marac["referrer"])
    assert set(_fields(response)) == {"summary"}


def test_plain_marshmallow_fields_get_the_rules_too():
    """A schema that forgets the project's types (fields.String, fields.Date, in a list)."""

    class Forgetful(StrictSchema):
        name = fields.String()
        names = fields.List(fields.String())
        day = fields.Date()

    with pytest.raises(Invalid) as caught:
        load(Forgetful(), {"name": "a\x00", "names": ["ok", "b\ud800"], "day": "9999-12-31"})
    assert set(caught.value.fields) == {"name", "names.1", "day"}


# --- whole numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", [2.5, 2.0, "3", True, None, 2**40, "", [3]])
def test_whole_numbers_in_json_must_be_json_integers(client, marac, svc, value):
    body = referral_body(marac["panel"].id, risk__police_incidents_12m=value)
    response = client.post("/api/v1/referrals", json=body, headers=marac["referrer"])
    assert set(_fields(response)) == {"risk.police_incidents_12m"}
    assert _referrals(svc) == 0


@pytest.mark.parametrize("value", [0, 1, "yes", "true", "on", None])
def test_true_or_false_in_json_must_be_json_booleans(client, marac, svc, value):
    body = referral_body(marac["panel"].id, consent=value, victim__bme=value)
    response = client.post("/api/v1/referrals", json=body, headers=marac["referrer"])
    expected = {"consent", "victim.bme"} if value is not None else {"consent"}
    assert set(_fields(response)) == expected  # bme may be null (not known)
    assert _referrals(svc) == 0


def test_a_json_integer_is_stored_as_sent(client, marac, svc):
    body = referral_body(marac["panel"].id, risk__police_incidents_12m=3)
    response = client.post("/api/v1/referrals", json=body, headers=marac["referrer"])
    assert response.status_code == 201
    assert svc.session.get(Referral, uuid.UUID(response.json["id"])).police_incidents_12m == 3


def test_panel_settings_in_json_must_be_integers(client, marac):
    url = f"/api/v1/panels/{marac['panel'].id}"
    response = client.patch(url, json={"minutes_per_case": "20"}, headers=marac["coordinator"])
    assert set(_fields(response)) == {"minutes_per_case"}


def test_forms_still_send_whole_numbers_as_text(app, factory, svc):
    """An HTML form sends text: "20" is twenty, "2.5" and "abc" are clear errors."""
    factory.agency("POL", "police")
    panel = factory.panel(("POL",), name="North MARAC")
    factory.user("coord@pol.example", "POL", ("coordinator",))
    client = app.test_client()
    sign_in(client, "coord@pol.example")
    url = f"/panels/{panel.id}/settings"
    form = {
        "name": "North MARAC",
        "area": "North",
        "schedule": "day=1st tue; hour=10",
        "nation": "england-and-wales",
        "meeting_minutes": "180",
        "minutes_per_case": "2.5",
        "cutoff_working_days": "abc",
        "circulation_working_days": "5",
        "agencies": ["POL"],
    }
    bad = client.post(url, data={**form, "csrf_token": csrf_token(client.get(url).text)})
    assert bad.status_code == 422
    assert "Minutes per case must be a whole number" in bad.text
    assert "Referral cut-off must be a whole number" in bad.text
    assert 'value="2.5"' in bad.text and 'value="abc"' in bad.text  # what was typed is kept
    good = {**form, "minutes_per_case": "20", "cutoff_working_days": " 8 "}
    saved = client.post(url, data={**good, "csrf_token": csrf_token(client.get(url).text)})
    assert saved.status_code == 302
    svc.session.expire_all()
    stored = svc.session.get(Panel, panel.id)
    assert (stored.minutes_per_case, stored.cutoff_working_days) == (20, 8)


def test_the_loader_is_strict_only_for_json_bodies():
    from casework.referrals.schemas import RiskIn
    from tests.referral_data import dash

    text = {"dash": dash(3), "police_incidents_12m": "3", "professional_judgement": "no"}
    loaded = load(RiskIn(), text)  # a form or a CSV row: text
    assert (loaded["police_incidents_12m"], loaded["professional_judgement"]) == (3, False)
    with pytest.raises(Invalid) as caught:
        load(RiskIn(), JsonObject(text))
    assert set(caught.value.fields) == {"police_incidents_12m", "professional_judgement"}


# --- dates -----------------------------------------------------------------------------------


def test_stats_api_refuses_a_date_beyond_2100(client, factory):
    factory.agency("POL", "police")
    factory.panel(("POL",))
    headers = bearer(factory.token(factory.user("a@pol.example", "POL", ("analyst",))))
    response = client.get("/api/v1/stats/marac?from=2026-01-01&to=9999-12-31", headers=headers)
    assert _fields(response) == {"to": ["Enter a date between 1 January 1900 and 31 December 2100"]}
    before = client.get("/api/v1/stats/marac?from=1899-12-31&to=2026-01-01", headers=headers)
    assert set(_fields(before)) == {"from"}


STATS_9999 = "from-day=1&from-month=1&from-year=2026&to-day=31&to-month=12&to-year=9999&panel="


@pytest.mark.parametrize("path", ["/stats", "/stats/marac.csv", "/stats/marac.xlsx"])
def test_stats_page_and_downloads_show_a_govuk_error_for_31_12_9999(app, factory, path):
    factory.agency("POL", "police")
    factory.panel(("POL",))
    factory.user("a@pol.example", "POL", ("analyst",))
    client = app.test_client()
    sign_in(client, "a@pol.example")
    response = client.get(f"{path}?{STATS_9999}")
    assert response.status_code == 422
    assert response.mimetype == "text/html"
    assert "The end date must be between 1 January 1900 and 31 December 2100" in response.text
    assert 'href="#to-day"' in response.text
    assert 'value="9999"' in response.text  # what was typed is kept


def test_a_nominal_born_or_entered_beyond_2100_is_422(client, factory):
    factory.agency("POL", "police")
    panel = factory.panel(("POL",), "ppo")
    headers = bearer(factory.token(factory.user("c@pol.example", "POL", ("coordinator",))))
    body = _nominal(panel, entry_date="9999-12-31", date_of_birth="0001-01-01")
    response = client.post("/api/v1/nominals", json=body, headers=headers)
    assert set(_fields(response)) == {"entry_date", "date_of_birth"}


def _meeting(client: FlaskClient, marac: dict[str, Any]) -> dict[str, Any]:
    url = f"/api/v1/panels/{marac['panel'].id}/meetings"
    return client.get(url, headers=marac["coordinator"]).json[0]


def test_moving_a_meeting_to_9999_is_422_naming_the_date(client, marac):
    meeting = _meeting(client, marac)
    response = client.post(
        f"/api/v1/meetings/{meeting['id']}/move",
        json={"date": "9999-12-31", "time": "10:00"},
        headers=marac["coordinator"],
    )
    assert set(_fields(response)) == {"date"}


@pytest.mark.parametrize("body", [[None, None], "2027-01-01", 3])
def test_a_move_body_that_is_not_an_object_is_422(client, marac, body):
    meeting = _meeting(client, marac)
    url = f"/api/v1/meetings/{meeting['id']}/move"
    response = client.post(url, json=body, headers=marac["coordinator"])
    assert _fields(response) == {"_schema": ["Expected a JSON object"]}


def test_a_meeting_moves_at_most_two_years_ahead(client, marac):
    meeting = _meeting(client, marac)
    latest = furthest_move(clock.today())
    url = f"/api/v1/meetings/{meeting['id']}/move"
    too_far = client.post(
        url,
        json={"date": (latest + timedelta(days=1)).isoformat(), "time": "10:00"},
        headers=marac["coordinator"],
    )
    assert _fields(too_far) == {
        "date": [
            f"The new date must be within two years: {latest.day} {latest:%B %Y} at the latest"
        ]
    }
    moved = client.post(
        url, json={"date": latest.isoformat(), "time": "10:00"}, headers=marac["coordinator"]
    )
    assert moved.status_code == 200, moved.json
    assert moved.json["date"] == latest.isoformat()


def test_two_years_ahead_of_29_february_is_28_february():
    from datetime import date

    assert furthest_move(date(2028, 2, 29)) == date(2030, 2, 28)


# --- lists -----------------------------------------------------------------------------------


def _nominal(panel: Panel, **changes: Any) -> dict[str, Any]:
    today = clock.today()
    body = {
        "panel_id": str(panel.id),
        "first_name": "Dean",
        "last_name": "Price",
        "date_of_birth": today.replace(year=today.year - 30, day=1).isoformat(),
        "pnc_id": "09/123456X",
        "entry_date": today.isoformat(),
        "cohort": None,
    }
    return {**body, **changes}


@pytest.mark.parametrize("factors", [[[]], [{}], [1], ["school_exclusion", ["x"]]])
def test_risk_factors_that_are_not_names_are_422(client, factory, factors):
    factory.agency("POL", "police")
    panel = factory.panel(("POL",), "ppo")
    headers = bearer(factory.token(factory.user("c@pol.example", "POL", ("coordinator",))))
    body = _nominal(panel, risk_factors=factors)
    response = client.post("/api/v1/nominals", json=body, headers=headers)
    assert _fields(response) == {
        "risk_factors": ["Give risk factors by name, like school_exclusion"]
    }
