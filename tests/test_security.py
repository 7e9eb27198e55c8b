"""Every signed-in URL refuses the signed-out; headers on every answer."""

from __future__ import annotations

import re

import pytest

from casework.routes import access_of
from tests.conftest import bearer, sign_in

PUBLIC = {"web.sign_in", "web.openapi", "web.health", "static"}
PUBLIC |= {"ops.healthz", "ops.readyz", "ops.metrics"}  # probes; metrics has its own token
PUBLIC |= {"web.accessibility_statement"}  # the regulations want it reachable by anyone
# The second step of signing in: only a half-signed-in browser gets past their first line.
PUBLIC |= {"web.second_step", "web.second_step_key", "web.second_step_key_options"}
PUBLIC |= {"web.second_factor_setup"}


def first_choices(rule: str) -> str:
    """A rule with each ``<any(a, b):name>`` filled with its first choice."""
    return re.sub(r"<any\(([a-z0-9_]+)[^)]*\):[a-z_]+>", r"\1", rule)


def _sample_url(rule) -> str:
    """A concrete URL for a rule: a nil UUID for ids, the first choice of an ``any(...)``."""
    url = first_choices(rule.rule)
    return re.sub(r"<(?:[a-z]+:)?[a-z_]+>", "00000000-0000-0000-0000-000000000000", url)


def test_every_route_declares_its_access(app):
    undeclared = [
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static" and access_of(app.view_functions[rule.endpoint]) is None
    ]
    assert undeclared == []
    public = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if access_of(app.view_functions[rule.endpoint]) == "public"
    }
    assert public <= PUBLIC


def test_every_signed_in_url_refuses_the_signed_out(app, client):
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC:
            continue
        url = _sample_url(rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = client.open(url, method=method, json={} if url.startswith("/api/") else None)
            if url.startswith("/api/"):
                assert response.status_code == 401, (method, url)
                assert response.json["error"]["code"] == "unauthenticated"
            elif method == "GET":
                assert response.status_code == 302 and "/sign-in" in response.location, url
            else:
                # a signed-out POST has no CSRF token either: refused before the view runs
                assert response.status_code in (302, 400), (method, url)
            checked += 1
    assert checked > 20


@pytest.mark.parametrize("url", ["/sign-in", "/", "/api/v1/me", "/openapi.json"])
def test_security_headers_on_every_answer(client, factory, url):
    user = factory.user("sam@example.org")
    secret = factory.token(user)
    if url != "/sign-in":
        sign_in(client, "sam@example.org")
    response = client.get(url, headers=bearer(secret) if url.startswith("/api") else {})
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert "script-src 'self' 'sha256-" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_when_served_over_https(client):
    response = client.get("/sign-in", base_url="https://casework.example")
    assert "max-age=" in response.headers["Strict-Transport-Security"]


def test_pages_carry_no_inline_script_but_the_hashed_one(client):
    from casework.http import GOVUK_BODY_SCRIPT

    html = client.get("/sign-in").text
    inline = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", html, re.S)
    assert inline == [GOVUK_BODY_SCRIPT]


def test_session_cookie_flags(app, client, factory):
    factory.user("sam@example.org")
    response = sign_in(client, "sam@example.org")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert app.config["SESSION_COOKIE_SECURE"] is False  # testing: plain HTTP
    from casework.settings import _module_settings

    assert _module_settings("production")["SESSION_COOKIE_SECURE"] is True


def test_assets_are_served(client):
    assert client.get("/assets/govuk/govuk-frontend.min.css").status_code == 200
    assert client.get("/assets/app.js").status_code == 200
