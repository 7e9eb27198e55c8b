"""Administration pages: admins manage agencies and users; errors shown GOV.UK style."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from casework.accounts.models import User
from tests.conftest import post_form, sign_in


@pytest.fixture()
def admin(app, factory):
    factory.user("admin@example.org", roles=("admin",))
    client = app.test_client()
    sign_in(client, "admin@example.org")
    return client


def test_admin_adds_an_agency(admin):
    response = post_form(
        admin,
        "/admin/agencies/new",
        {"code": "HOUSING", "name": "Northshire Homes", "sector": "housing"},
    )
    assert response.status_code == 302
    listing = admin.get("/admin/agencies").text
    assert "Northshire Homes" in listing and "Agency HOUSING added" in listing


def test_bad_agency_form_shows_errors_and_keeps_what_was_typed(admin):
    response = post_form(
        admin, "/admin/agencies/new", {"code": "bad code!", "name": "Typed name", "sector": ""}
    )
    assert response.status_code == 422
    html = response.text
    assert "govuk-error-summary" in html and "There is a problem" in html
    assert 'href="#code"' in html and 'href="#sector"' in html
    assert 'value="Typed name"' in html and 'value="bad code!"' in html
    assert "<title>Error: " in html


def test_admin_adds_a_user_with_roles_and_can_disable_them(admin, app, svc):
    post_form(
        admin, "/admin/agencies/new", {"code": "IDVA", "name": "IDVA service", "sector": "idva"}
    )
    response = post_form(
        admin,
        "/admin/users/new",
        {
            "email": "jo@example.org",
            "name": "Jo",
            "agency": "IDVA",
            "roles": ["idva", "referrer"],
            "password": "a long enough passphrase",
        },
    )
    assert response.status_code == 302
    jo = svc.session.scalar(select(User).where(User.email == "jo@example.org"))
    assert jo.roles == ["idva", "referrer"]
    other = app.test_client()
    assert sign_in(other, "jo@example.org", "a long enough passphrase").status_code == 302


def test_bad_user_form_keeps_values_but_never_the_password(admin):
    response = post_form(
        admin,
        "/admin/users/new",
        {
            "email": "jo@example.org",
            "name": "Jo",
            "agency": "NOPE",
            "roles": ["idva"],
            "password": "short secret",
        },
    )
    assert response.status_code == 422
    assert "No agency has code NOPE" in response.text
    assert 'value="jo@example.org"' in response.text
    assert "short secret" not in response.text


@pytest.mark.parametrize(
    "roles",
    [("referrer",), ("coordinator",), ("chair",), ("analyst",), ("dpo",), ("idva", "agency_rep")],
)
def test_admin_pages_are_for_admins_only(app, factory, roles):
    factory.user("someone@example.org", roles=roles)
    client = app.test_client()
    sign_in(client, "someone@example.org")
    for url in (
        "/admin/agencies",
        "/admin/agencies/new",
        "/admin/users",
        "/admin/users/new",
        "/admin/agencies/POL",
    ):
        assert client.get(url).status_code == 403, url


def test_home_page_differs_by_role(app, factory):
    factory.user("admin@example.org", roles=("admin",))
    factory.user("rep@example.org", roles=("agency_rep",))
    admin, rep = app.test_client(), app.test_client()
    sign_in(admin, "admin@example.org")
    sign_in(rep, "rep@example.org")
    assert "Manage user accounts" in admin.get("/").text
    assert "Your agency's panels" not in admin.get("/").text
    rep_home = rep.get("/").text
    assert "Manage user accounts" not in rep_home and "Your agency's panels" in rep_home
