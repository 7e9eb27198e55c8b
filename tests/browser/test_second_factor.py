"""Two-factor sign-in in real Chromium: an authenticator app (codes computed from the secret
the page shows), recovery codes, a virtual security key, and an admin reset. Every two-factor
page a journey passes through is checked with axe as it goes."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
from playwright.sync_api import expect

from casework import clock
from tests.browser.test_journeys import _violations
from tests.conftest import PASSWORD


@pytest.fixture()
def tab(browser, live_server, svc):
    """A page on ``localhost``: WebAuthn refuses an IP address as the site's id."""
    context = browser.new_context(base_url=live_server.replace("127.0.0.1", "localhost"))
    page = context.new_page()
    yield page
    context.close()


def _sign_in(page, email: str) -> None:
    page.goto("/sign-in")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/sign-in?signed_out=1")


def _code(page, code: str) -> None:
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Continue").click()


def test_authenticator_app_and_recovery_codes(tab, factory, axe_source):
    user = factory.user()
    _sign_in(tab, user.email)  # no factor yet and the setting optional: the password alone
    tab.wait_for_url("**/")
    tab.goto("/account/security")
    assert _violations(tab, axe_source) == [], "/account/security"
    tab.get_by_role("link", name="Set up an authenticator app").click()
    tab.wait_for_url("**/account/security/app")
    assert _violations(tab, axe_source) == [], "set up"
    secret = tab.locator("#totp-secret").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)
    tab.get_by_label("Code from the app").fill(totp.at(clock.now()))
    tab.get_by_role("button", name="Continue").click()
    expect(tab.locator("#recovery-codes code")).to_have_count(10)
    codes = tab.locator("#recovery-codes code").all_inner_texts()
    assert _violations(tab, axe_source) == [], "recovery codes"
    _sign_out(tab)

    with clock.travel(clock.now() + timedelta(seconds=60)):  # a later code than the first one
        _sign_in(tab, user.email)
        tab.wait_for_url("**/sign-in/code")
        assert _violations(tab, axe_source) == [], "second step"
        _code(tab, "000000")
        expect(tab.get_by_text("There is a problem")).to_be_visible()
        assert _violations(tab, axe_source) == [], "second step with errors"
        _code(tab, totp.at(clock.now()))
        tab.wait_for_url("**/")
        _sign_out(tab)

        for attempt in ("first", "second"):
            _sign_in(tab, user.email)
            tab.wait_for_url("**/sign-in/code")
            _code(tab, codes[0])
            if attempt == "first":
                tab.wait_for_url("**/")
                _sign_out(tab)
        expect(tab.get_by_text("Enter a correct code").first).to_be_visible()
        assert tab.url.endswith("/sign-in/code")


def test_security_key_signs_in(tab, factory, axe_source):
    cdp = tab.context.new_cdp_session(tab)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    user = factory.user()
    _sign_in(tab, user.email)
    tab.wait_for_url("**/")
    tab.goto("/account/security/keys/new")
    assert _violations(tab, axe_source) == [], "add a key"
    tab.get_by_label("Name of the key").fill("Laptop")
    tab.get_by_role("button", name="Add security key").click()
    tab.wait_for_url("**/account/security")
    tab.get_by_role("link", name="Rename Laptop").click()
    tab.wait_for_url("**/rename")
    assert _violations(tab, axe_source) == [], "rename a key"
    tab.get_by_label("Rename a security key").fill("")
    tab.get_by_role("button", name="Save name").click()
    expect(tab.get_by_text("Enter a name for the security key").first).to_be_visible()
    assert _violations(tab, axe_source) == [], "rename a key with errors"
    tab.get_by_label("Rename a security key").fill("Work laptop")
    tab.get_by_role("button", name="Save name").click()
    tab.wait_for_url("**/account/security")
    assert tab.get_by_role("button", name="Remove Work laptop").is_visible()
    _sign_out(tab)

    _sign_in(tab, user.email)
    tab.wait_for_url("**/sign-in/code")
    tab.get_by_role("button", name="Use security key").click()
    tab.wait_for_url("**/")
    assert tab.get_by_role("button", name="Sign out").is_visible()

    tab.goto("/account/security/turn-off")  # the key was just given: not asked for again
    assert _violations(tab, axe_source) == [], "turn off two-factor sign-in"
    tab.get_by_role("button", name="Turn off two-factor sign-in").click()
    tab.wait_for_url("**/account/security")
    assert tab.get_by_text("Two-factor sign-in turned off").is_visible()
    assert tab.get_by_text("None added.").is_visible()


def test_required_set_up_then_codes_tokens_and_a_new_app(
    tab, factory, svc, axe_source, monkeypatch
):
    monkeypatch.setitem(svc.settings, "SECOND_FACTOR", "required")
    user = factory.user()
    _sign_in(tab, user.email)
    tab.wait_for_url("**/sign-in/set-up")
    assert _violations(tab, axe_source) == [], "set up at first sign-in"
    tab.get_by_label("Code from the app").fill("000000")
    tab.get_by_role("button", name="Continue").click()
    expect(tab.get_by_text("There is a problem")).to_be_visible()
    assert _violations(tab, axe_source) == [], "set up at first sign-in with errors"
    totp = pyotp.TOTP(tab.locator("#totp-secret").inner_text().replace(" ", ""))
    tab.get_by_label("Code from the app").fill(totp.at(clock.now()))
    tab.get_by_role("button", name="Continue").click()
    tab.get_by_role("link", name="I have saved my codes").click()
    tab.wait_for_url("**/")

    tab.goto("/account/security/recovery-codes")  # the app was just given: not asked again
    assert _violations(tab, axe_source) == [], "make new recovery codes"
    tab.get_by_role("button", name="Make new codes").click()
    expect(tab.locator("#recovery-codes code")).to_have_count(10)

    tab.goto("/account/security/tokens/new")
    assert _violations(tab, axe_source) == [], "create an API token"
    tab.get_by_role("button", name="Create token").click()
    assert tab.locator("#api-token").inner_text().strip()
    assert _violations(tab, axe_source) == [], "the new API token"

    tab.goto("/account/security/app/replace")
    assert _violations(tab, axe_source) == [], "replace the authenticator app"
    tab.get_by_label("Code from the app").fill("000000")
    tab.get_by_role("button", name="Continue").click()
    expect(tab.get_by_text("There is a problem")).to_be_visible()
    assert _violations(tab, axe_source) == [], "replace the authenticator app with errors"

    # Once the factor given is no longer recent, a sensitive page asks for it again first.
    monkeypatch.setitem(svc.settings, "SECOND_FACTOR_RECENT_MINUTES", -1)
    tab.goto("/account/security/tokens/new")
    tab.wait_for_url("**/account/security/confirm**")
    assert _violations(tab, axe_source) == [], "give the second factor again"


def test_admin_reset_ends_the_users_sessions(tab, browser, live_server, factory, svc):
    user = factory.user()
    factory.user("admin@example.org", roles=("admin",))
    _sign_in(tab, user.email)
    tab.wait_for_url("**/")
    admin_context = browser.new_context(base_url=live_server)
    admin = admin_context.new_page()
    try:
        _sign_in(admin, "admin@example.org")
        admin.wait_for_url("**/")
        admin.goto(f"/admin/users/{user.id}")
        admin.get_by_role("button", name="Reset two-factor sign-in").click()
        admin.get_by_text("Two-factor sign-in reset").wait_for()
    finally:
        admin_context.close()
    tab.goto("/account")
    assert "/sign-in" in tab.url
