"""Nothing in the workbench is visible to any role but the DPO: every workbench URL, page or
API, answers 404 to the others (as for something that does not exist), whatever the method,
and the DPO reaches each page."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from casework.services import Services
from tests.conftest import Factory, csrf_token, post_form, sign_in
from tests.subject_access.world import OTHER_ROLES, SarWorld


def _workbench_urls(app: Flask, request_id: str, item_id: str) -> list[tuple[str, str]]:
    """(method, URL) of every workbench route, read off the URL map so none is forgotten."""
    out = []
    for rule in app.url_map.iter_rules():
        if "subject_access" not in rule.endpoint:
            continue
        url = rule.rule.replace("<request_id>", request_id).replace("<item_id>", item_id)
        assert not re.search(r"<[^>]+>", url), url
        out += [(m, url) for m in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return out


@pytest.fixture()
def opened(client: FlaskClient, factory: Factory) -> tuple[SarWorld, str, str]:
    world = SarWorld(client, factory).build()
    request_id = world.open("victim")
    key = world.find(request_id, "Jane Doe", "1990-04-01")[0]["key"]
    item_id = world.gather(request_id, [key])["items"][0]["id"]
    return world, request_id, item_id


def test_every_workbench_url_is_not_found_for_every_other_role(
    app: Flask, client: FlaskClient, opened: tuple[SarWorld, str, str], factory: Factory
) -> None:
    world, request_id, item_id = opened
    urls = _workbench_urls(app, request_id, item_id)
    assert sum(1 for _, u in urls if u.startswith("/api/")) >= 7
    assert sum(1 for _, u in urls if not u.startswith("/api/")) >= 7
    body = {"decision": "release", "q": "Jane Doe", "people": ["x"]}
    for role in OTHER_ROLES:
        headers = world.headers_of(role)
        for method, url in (u for u in urls if u[1].startswith("/api/")):
            answer = client.open(url, method=method, json=body, headers=headers)
            assert answer.status_code == 404, (role, method, url)
            assert answer.json["error"]["code"] == "not_found"
        sign_in(client, f"{role}@pol.example")
        token = csrf_token(client.get("/").text)
        for method, url in (u for u in urls if not u[1].startswith("/api/")):
            answer = client.open(url, method=method, data={**body, "csrf_token": token})
            assert answer.status_code == 404, (role, method, url)
            assert "Jane" not in answer.text and "SAR-0001" not in answer.text
        client.post("/sign-out", data={"csrf_token": token})


def test_the_dpo_works_through_the_pages(
    client: FlaskClient, opened: tuple[SarWorld, str, str], svc: Services
) -> None:
    world, request_id, item_id = opened
    sign_in(client, "dpo@council.example")
    assert "SAR-0001" in client.get("/subject-access").text
    page = client.get(f"/subject-access/{request_id}").text
    assert "Response due" in page and "Referral " + world.reference + ": perpetrator 1" in page
    found = post_form(
        client,
        f"/subject-access/{request_id}/find",
        {
            "q": "Jane Doe",
            "date_of_birth-day": "1",
            "date_of_birth-month": "4",
            "date_of_birth-year": "1990",
        },
        page=f"/subject-access/{request_id}",
    )
    assert found.status_code == 200 and "Jane Doe, born 1 April 1990" in found.text
    item_url = f"/subject-access/{request_id}/items/{item_id}"
    refused = post_form(client, item_url, {"decision": "withhold", "reason": ""})
    assert refused.status_code == 422 and "Give the reason" in refused.text
    saved = post_form(client, item_url, {"decision": "withhold", "reason": "Checked with police"})
    assert saved.status_code == 302
    assert "Checked with police" in client.get(f"/subject-access/{request_id}").text
    download = client.get(f"/subject-access/{request_id}/disclosure.pdf")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
