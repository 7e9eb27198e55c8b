"""The OpenAPI document promises what the API does: a schema for every success answer, the
error shape for every error, ``Location`` on every 201, and the enums validation applies."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from marshmallow import validate

from casework.meetings import agenda_export
from casework.meetings.conduct_schemas import ATTENDANCE_CHOICES
from casework.meetings.cycle_schemas import AttendanceRowIn
from casework.panels.schemas import PanelIn
from casework.stats.actions import StatsQuery
from tests.conftest import Factory, bearer

ERROR_REF = "#/components/schemas/Error"


@pytest.fixture()
def spec(client: FlaskClient) -> dict[str, Any]:
    return client.get("/openapi.json").json


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, op)
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        if path.startswith("/api/v1")
    ]


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    name = ref.rsplit("/", 1)[-1]
    assert name in spec["components"]["schemas"], ref
    return spec["components"]["schemas"][name]


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def test_every_operation_documents_its_success_answer(spec: dict[str, Any]) -> None:
    for path, method, op in _operations(spec):
        successes = {s: r for s, r in op["responses"].items() if s.startswith("2")}
        assert len(successes) == 1, (method, path)
        status, answer = next(iter(successes.items()))
        if status == "204":
            assert "content" not in answer, (method, path)
            continue
        schema = answer["content"]["application/json"]["schema"]
        assert _resolve(spec, schema.get("items", schema)), (method, path)
        if status == "201":
            location = answer["headers"]["Location"]
            assert location["schema"]["type"] == "string", (method, path)


def test_every_error_answer_uses_the_error_shape(spec: dict[str, Any]) -> None:
    for path, method, op in _operations(spec):
        errors = {s: r for s, r in op["responses"].items() if not s.startswith("2")}
        assert "401" in errors, (method, path)
        for status, answer in errors.items():
            assert int(status) >= 400, (method, path, status)
            schema = answer["content"]["application/json"]["schema"]
            assert schema == {"$ref": ERROR_REF}, (method, path, status)
        # 400 is a body that is not JSON: only where a body is read
        assert ("400" in errors) == ("requestBody" in op), (method, path)


def test_every_reference_resolves(spec: dict[str, Any]) -> None:
    for ref in _refs(spec["paths"]) + _refs(spec["components"]):
        _resolve(spec, {"$ref": ref})


ANY_REQUEST = {"413", "429", "503"}  # body over the limit, rate limits, database busy


def test_errors_are_only_those_an_operation_can_give(spec: dict[str, Any]) -> None:
    me = spec["paths"]["/api/v1/me"]["get"]["responses"]
    assert set(me) == {"200", "401"} | ANY_REQUEST
    delete = spec["paths"]["/api/v1/meetings/{meeting_id}/agenda/items/{item_id}"]["delete"]
    assert set(delete["responses"]) == {"204", "401", "403", "404", "422"} | ANY_REQUEST


def test_the_limits_are_documented_where_they_apply(spec: dict[str, Any]) -> None:
    """CONTRACT.md, "Limits": 413 and 429 anywhere, 415 wherever a JSON body is read, and
    Retry-After with every 429 and 503."""
    for path, method, op in _operations(spec):
        responses = op["responses"]
        assert set(responses) >= ANY_REQUEST, (method, path)
        assert ("415" in responses) == ("requestBody" in op), (method, path)
        for status in ("429", "503"):
            assert responses[status]["headers"]["Retry-After"]["required"], (method, path)


def _choices(schema: type, name: str) -> list[Any]:
    field = schema._declared_fields[name]
    one_of = [v for v in field.validators if isinstance(v, validate.OneOf)]
    return list(one_of[0].choices)


def _query(spec: dict[str, Any], path: str, name: str) -> dict[str, Any]:
    params = spec["paths"][path]["get"]["parameters"]
    return next(p for p in params if p["in"] == "query" and p["name"] == name)


def test_enums_are_the_validators_choices(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    assert schemas["PanelIn"]["properties"]["kind"]["enum"] == _choices(PanelIn, "kind")
    status = schemas["AttendanceRowIn"]["properties"]["status"]
    assert status["enum"] == _choices(AttendanceRowIn, "status") == list(ATTENDANCE_CHOICES)
    agenda_format = _query(spec, "/api/v1/meetings/{meeting_id}/agenda", "format")
    assert agenda_format["schema"]["enum"] == ["json", *agenda_export.FORMATS]
    stats_format = _query(spec, "/api/v1/stats/marac", "format")
    assert stats_format["schema"]["enum"] == _choices(StatsQuery, "format")
    assert _query(spec, "/api/v1/stats/marac", "from")["required"] is True


def test_lengths_follow_validation(spec: dict[str, Any]) -> None:
    minutes = spec["components"]["schemas"]["MinuteTextIn"]["properties"]["text"]
    assert minutes["minLength"] == 1 and minutes["maxLength"] == 20000
    ids = spec["components"]["schemas"]["AcceptManyIn"]["properties"]["ids"]
    assert ids["minItems"] == 1 and ids["maxItems"] == 100


def test_a_201_sends_the_location_it_documents(client: FlaskClient, factory: Factory) -> None:
    admin = factory.user("admin@example.org", "POL", ("admin", "coordinator"))
    headers = bearer(factory.token(admin))
    agency = client.post(
        "/api/v1/agencies",
        json={"code": "HSG", "name": "Housing", "sector": "housing"},
        headers=headers,
    )
    assert agency.status_code == 201
    assert agency.headers["Location"] == "/api/v1/agencies/HSG"
    assert client.get(agency.headers["Location"], headers=headers).status_code == 200
    panel = client.post(
        "/api/v1/panels",
        json={
            "kind": "marac",
            "name": "Northshire MARAC",
            "area": "Northshire",
            "agencies": ["POL", "HSG"],
            "schedule": "day=1st tue; hour=10",
        },
        headers=headers,
    )
    assert panel.status_code == 201
    assert panel.headers["Location"] == f"/api/v1/panels/{panel.json['id']}"
    assert client.get(panel.headers["Location"], headers=headers).json["id"] == panel.json["id"]
