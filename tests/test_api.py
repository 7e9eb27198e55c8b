"""The JSON API: authentication, errors in the contract's shape, panels, OpenAPI."""

from __future__ import annotations

from tests.conftest import bearer


def _api(factory, roles=("coordinator",), agency="POL", email="api@example.org"):
    user = factory.user(email, agency=agency, roles=roles)
    return bearer(factory.token(user))


def test_missing_and_bad_tokens_answer_401(client, factory):
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers=bearer("cw_nonsense")).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Basic abc"}).status_code == 401


def test_session_cookie_does_not_authenticate_the_api(client, factory):
    from tests.conftest import sign_in

    factory.user("sam@example.org")
    sign_in(client, "sam@example.org")
    assert client.get("/api/v1/me").status_code == 401


def test_me(client, factory):
    headers = _api(factory, roles=("idva", "referrer"))
    body = client.get("/api/v1/me", headers=headers).json
    assert body == {"email": "api@example.org", "agency": "POL", "roles": ["idva", "referrer"]}


def test_revoked_token_is_refused(client, factory):
    headers = _api(factory)
    assert client.delete("/api/v1/tokens/current", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_disabled_user_token_is_refused(client, factory):
    headers = _api(factory)
    admin = _api(factory, roles=("admin",), email="admin@example.org")
    uid = client.get("/api/v1/users", headers=admin).json
    sam = next(u for u in uid if u["email"] == "api@example.org")
    assert (
        client.patch(
            f"/api/v1/users/{sam['id']}", json={"active": False}, headers=admin
        ).status_code
        == 200
    )
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_disabled_agency_token_is_refused(client, factory, svc):
    from sqlalchemy import update

    from casework.agencies.models import Agency

    headers = _api(factory)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    svc.session.execute(update(Agency).where(Agency.code == "POL").values(active=False))
    svc.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_non_json_body_answers_400(client, factory):
    headers = _api(factory)
    response = client.post(
        "/api/v1/panels", data="{not json", headers=headers, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json["error"]["code"] == "bad_json"


def test_invalid_panel_names_every_bad_field_and_stores_nothing(client, factory):
    headers = _api(factory)
    response = client.post(
        "/api/v1/panels",
        headers=headers,
        json={
            "kind": "weekly",
            "name": "",
            "agencies": [],
            "schedule": "day=9th tue",
            "colour": "blue",
        },
    )
    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"kind", "name", "area", "agencies", "schedule", "colour"}
    assert client.get("/api/v1/panels", headers=headers).json == []


def test_panel_with_unknown_agency_is_refused(client, factory):
    headers = _api(factory)
    response = client.post(
        "/api/v1/panels",
        headers=headers,
        json={
            "kind": "marac",
            "name": "North MARAC",
            "area": "North",
            "agencies": ["POL", "NOPE"],
            "schedule": "day=1st tue; hour=10",
        },
    )
    assert response.status_code == 422
    assert response.json["error"]["fields"]["agencies"] == ["No agency has code NOPE"]


def test_create_and_list_panels_by_membership(client, factory):
    headers = _api(factory)
    factory.agency("HOUSING", "housing")
    outsider = _api(factory, roles=("agency_rep",), agency="HEALTH", email="h@example.org")
    created = client.post(
        "/api/v1/panels",
        headers=headers,
        json={
            "kind": "marac",
            "name": "North MARAC",
            "area": "North",
            "agencies": ["POL", "HOUSING"],
            "schedule": "day=1st tue; hour=10",
        },
    )
    assert created.status_code == 201
    body = created.json
    assert body["kind"] == "marac" and body["agencies"] == ["HOUSING", "POL"]
    assert isinstance(body["id"], str)
    listed = client.get("/api/v1/panels", headers=headers).json
    assert [p["id"] for p in listed] == [body["id"]]
    assert client.get("/api/v1/panels", headers=outsider).json == []


def test_roles_that_may_never_create_panels_get_403(client, factory):
    headers = _api(factory, roles=("referrer", "analyst"))
    response = client.post("/api/v1/panels", headers=headers, json={})
    assert response.status_code == 403
    assert response.json["error"]["code"] == "forbidden"


def test_unknown_record_is_404_in_contract_shape(client, factory):
    admin = _api(factory, roles=("admin",))
    for url in (
        "/api/v1/users/00000000-0000-0000-0000-000000000000",
        "/api/v1/users/not-a-uuid",
        "/api/v1/agencies/NOPE",
        "/api/v1/no-such-thing",
    ):
        response = client.get(url, headers=admin)
        assert response.status_code == 404, url
        assert response.json["error"]["code"] == "not_found"


def test_wrong_method_is_405_with_allow_header(client, factory):
    headers = _api(factory)
    response = client.put("/api/v1/panels", headers=headers, json={})
    assert response.status_code == 405
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
    assert response.json["error"]["code"] == "method_not_allowed"


def test_admin_manages_agencies_and_users(client, factory):
    admin = _api(factory, roles=("admin",))
    created = client.post(
        "/api/v1/agencies",
        headers=admin,
        json={"code": "HOUSING", "name": "Homes", "sector": "housing"},
    )
    assert created.status_code == 201 and created.json["police"] is False
    dup = client.post(
        "/api/v1/agencies",
        headers=admin,
        json={"code": "HOUSING", "name": "Homes", "sector": "housing"},
    )
    assert dup.status_code == 422 and "code" in dup.json["error"]["fields"]
    user = client.post(
        "/api/v1/users",
        headers=admin,
        json={
            "email": "h@example.org",
            "name": "H",
            "agency": "HOUSING",
            "roles": ["agency_rep"],
            "password": "a long enough passphrase",
        },
    )
    assert user.status_code == 201 and "password" not in user.json
    weak = client.post(
        "/api/v1/users",
        headers=admin,
        json={
            "email": "w@example.org",
            "name": "W",
            "agency": "NOPE",
            "roles": ["boss"],
            "password": "short",
        },
    )
    assert weak.status_code == 422
    assert set(weak.json["error"]["fields"]) == {"roles.0"}
    weak = client.post(
        "/api/v1/users",
        headers=admin,
        json={
            "email": "w@example.org",
            "name": "W",
            "agency": "NOPE",
            "roles": ["chair"],
            "password": "short",
        },
    )
    assert set(weak.json["error"]["fields"]) == {"agency", "password"}


def test_admin_api_is_for_admins_only(client, factory):
    headers = _api(factory, roles=("coordinator", "chair", "analyst", "dpo"))
    assert client.get("/api/v1/users", headers=headers).status_code == 403
    assert client.post("/api/v1/agencies", headers=headers, json={}).status_code == 403


def test_openapi_describes_every_api_route(app, client):
    spec = client.get("/openapi.json").json
    assert spec["openapi"].startswith("3.")
    documented = {(path, method) for path, ops in spec["paths"].items() for method in ops}
    import re

    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method.lower()) in documented, (path, method)
    create = spec["paths"]["/api/v1/panels"]["post"]
    schema_ref = create["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    props = spec["components"]["schemas"][schema_ref.split("/")[-1]]["properties"]
    assert {"kind", "name", "area", "agencies", "schedule"} <= set(props)
