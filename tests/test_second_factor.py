"""Two-factor sign-in: the second step, its lock, replay, recovery codes, first-sign-in set
up, the recent-factor check before a token is made, and the admin reset."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pyotp
import pytest
from sqlalchemy import select, text

from casework import clock
from casework.accounts import second_factor as factor
from casework.accounts.factors import recovery_codes_left
from casework.accounts.models import ApiToken, SecurityKey, TotpFactor, User, UserSession
from casework.audit.models import AuditEntry
from tests.conftest import bearer, csrf_token, post_form, sign_in
from tests.test_rate_limits import client_at, limited  # noqa: F401  (a fixture)

pytestmark = pytest.mark.dates


def enrol(svc: Any, user: User) -> tuple[str, list[str]]:
    """An authenticator app set up and confirmed the way the page does it: (secret, codes)."""
    app = factor.totp_to_confirm(svc, user)
    secret = app.secret
    codes = factor.confirm_totp(
        svc, user, pyotp.TOTP(secret).at(clock.now() - timedelta(seconds=30))
    )
    svc.session.commit()
    assert codes is not None and len(codes) == 10
    return secret, codes


def now_code(secret: str) -> str:
    return pyotp.TOTP(secret).at(clock.now())


def second_step(client: Any, code: str) -> Any:
    return post_form(client, "/sign-in/code", {"code": code})


def test_half_signed_in_reaches_no_page_until_the_code(client, factory, svc):
    user = factory.user()
    secret, _ = enrol(svc, user)
    answer = sign_in(client, user.email)
    assert answer.status_code == 302 and answer.location.endswith("/sign-in/code")
    for url in ("/", "/account", "/account/security", "/admin/users", "/referrals"):
        refused = client.get(url)
        assert refused.status_code == 302 and "/sign-in" in refused.location, url
    done = second_step(client, now_code(secret))
    assert done.status_code == 302 and done.location.endswith("/")
    assert client.get("/account").status_code == 200
    # the half-signed-in row ended; the real session is a fresh one
    rows = svc.session.scalars(select(UserSession).where(UserSession.user_id == user.id)).all()
    assert sorted((r.pending, r.ended_at is None) for r in rows) == [(False, True), (True, False)]


def test_a_code_is_accepted_once(client, factory, svc, app):
    user = factory.user()
    secret, _ = enrol(svc, user)
    code = now_code(secret)
    sign_in(client, user.email)
    assert second_step(client, code).status_code == 302
    other = app.test_client()
    sign_in(other, user.email)
    replay = second_step(other, code)
    assert replay.status_code == 401 and "Enter a correct code" in replay.text
    assert other.get("/").status_code == 302


def test_wrong_codes_lock_the_account_with_the_same_answer(client, factory, svc):
    user = factory.user()
    secret, _ = enrol(svc, user)
    sign_in(client, user.email)
    answers = [second_step(client, "000000") for _ in range(5)]
    assert [a.status_code for a in answers] == [401] * 5
    svc.session.expire_all()
    assert svc.session.get(User, user.id).locked
    right = second_step(client, now_code(secret))
    assert right.status_code == 401
    assert right.text.count("Enter a correct code") == answers[0].text.count("Enter a correct code")
    assert client.get("/").status_code == 302


def test_a_right_password_does_not_clear_wrong_codes(client, factory, svc):
    user = factory.user()
    enrol(svc, user)
    for _ in range(2):
        sign_in(client, user.email)
        for _ in range(3):
            second_step(client, "123456")
    svc.session.expire_all()
    assert svc.session.get(User, user.id).locked


def test_a_recovery_code_works_once(client, factory, svc, app):
    user = factory.user()
    _, codes = enrol(svc, user)
    sign_in(client, user.email)
    assert second_step(client, codes[0].upper().replace("-", " ")).status_code == 302
    other = app.test_client()
    sign_in(other, user.email)
    assert second_step(other, codes[0]).status_code == 401
    assert second_step(other, codes[1]).status_code == 302


def test_the_secret_is_sealed_to_its_account(factory, svc):
    user = factory.user()
    secret, codes = enrol(svc, user)
    with svc.db.engine.connect() as conn:
        stored = conn.execute(text("SELECT secret FROM totp_factors")).scalar_one()
        hashes = conn.execute(text("SELECT code_hash FROM recovery_codes")).scalars().all()
    assert secret.encode() not in bytes(stored)
    assert not any(c.replace("-", "") in h for c in codes for h in hashes)


def test_required_setting_sets_up_an_app_at_first_sign_in(client, factory, svc, monkeypatch):
    monkeypatch.setitem(svc.settings, "SECOND_FACTOR", "required")
    user = factory.user()
    answer = sign_in(client, user.email)
    assert answer.location.endswith("/sign-in/set-up")
    assert client.get("/").status_code == 302
    page = client.get("/sign-in/set-up")
    assert 'src="data:image/svg+xml' in page.text and 'alt="QR code' in page.text
    secret = svc.session.get(TotpFactor, user.id).secret
    assert " ".join(secret[i : i + 4] for i in range(0, 32, 4)) in page.text
    wrong = client.post("/sign-in/set-up", data={"code": "12", "csrf_token": csrf_token(page.text)})
    assert wrong.status_code == 422
    done = client.post(
        "/sign-in/set-up", data={"code": now_code(secret), "csrf_token": csrf_token(page.text)}
    )
    assert done.status_code == 200 and done.text.count("<code>") == 10
    assert client.get("/").status_code == 200


def test_optional_setting_keeps_password_only_sign_in(client, factory):
    user = factory.user()
    assert sign_in(client, user.email).location.endswith("/")
    assert client.get("/").status_code == 200


def test_a_token_from_the_pages_needs_a_recent_second_factor(client, factory, svc):
    user = factory.user()
    secret, _ = enrol(svc, user)
    sign_in(client, user.email)
    second_step(client, now_code(secret))
    made = post_form(client, "/account/security/tokens/new", {})
    token = made.text.split('id="api-token">')[1].split("<")[0]
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    with clock.travel(clock.now() + timedelta(minutes=11)):
        asked = client.get("/account/security/tokens/new")
        assert asked.status_code == 302 and "/account/security/confirm?then=token" in asked.location
        page = client.get(asked.location)
        late = client.post(
            "/account/security/tokens/new", data={"csrf_token": csrf_token(page.text)}
        )
        assert late.status_code == 302  # refused: asked again, nothing made
        assert svc.session.scalar(select(ApiToken.id).where(ApiToken.user_id == user.id))
        count = len(svc.session.scalars(select(ApiToken)).all())
        assert count == 1
        back = client.post(
            asked.location,
            data={"code": now_code(secret), "csrf_token": csrf_token(page.text)},
        )
        assert back.location.endswith("/account/security/tokens/new")
        assert client.get("/account/security/tokens/new").status_code == 200


def test_an_account_without_a_factor_cannot_make_a_token_from_the_pages(client, factory, svc):
    user = factory.user()
    sign_in(client, user.email)
    client.post("/account/security/tokens/new", data={})
    page = client.get("/account/security/tokens/new")
    assert page.status_code == 302
    assert svc.session.scalars(select(ApiToken)).all() == []


def test_admin_reset_clears_factors_and_ends_sessions(client, factory, svc, app):
    admin = factory.user("admin@example.org", roles=("admin",))
    admin_token = factory.token(admin)
    user = factory.user()
    secret, _ = enrol(svc, user)
    user_token = factory.token(user)
    sign_in(client, user.email)
    second_step(client, now_code(secret))
    assert client.get("/").status_code == 200
    other = app.test_client()
    assert (
        other.delete(
            f"/api/v1/users/{user.id}/second-factor", headers=bearer(user_token)
        ).status_code
        == 403
    )
    reset = other.delete(f"/api/v1/users/{user.id}/second-factor", headers=bearer(admin_token))
    assert reset.status_code == 204 and reset.data == b""
    unknown = other.delete("/api/v1/users/not-an-id/second-factor", headers=bearer(admin_token))
    assert unknown.status_code == 404 and unknown.json["error"]["code"] == "not_found"
    assert client.get("/").status_code == 302
    svc.session.expire_all()
    assert svc.session.get(TotpFactor, user.id) is None
    assert client.get("/api/v1/me", headers=bearer(user_token)).status_code == 200
    entry = svc.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.record_id == str(user.id), AuditEntry.action == "update")
        .order_by(AuditEntry.seq)
    ).all()[-1]
    assert entry.fields == ["second_factor"] and entry.actor_user_id == admin.id
    # without a factor and with the setting optional, the password alone signs in again
    assert sign_in(client, user.email).location.endswith("/")


def test_the_second_step_is_rate_limited_like_the_password(limited, factory, svc):  # noqa: F811
    user = factory.user()
    secret, _ = enrol(svc, user)
    app = limited(RATE_LIMIT_SIGN_IN_PER_ACCOUNT="3/15m")
    client = client_at(app, "203.0.113.9")
    sign_in(client, user.email)
    for _ in range(3):
        assert second_step(client, "000000").status_code == 401
    refused = second_step(client, now_code(secret))  # even the right code
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert "Too many attempts" in refused.text


def _signed_in_with_app(client: Any, svc: Any, user: User) -> str:
    secret, _ = enrol(svc, user)
    sign_in(client, user.email)
    assert second_step(client, now_code(secret)).status_code == 302
    return secret


def test_a_new_app_replaces_the_old_one_only_once_confirmed(client, factory, svc):
    user = factory.user()
    old = _signed_in_with_app(client, svc, user)
    page = client.get("/account/security/app/replace")
    assert page.status_code == 200 and "Replace your authenticator app" in page.text
    new = page.text.split('id="totp-secret">')[1].split("<")[0].replace(" ", "")
    form = {
        "csrf_token": csrf_token(page.text),
        "replacement": page.text.split('name="replacement" value="')[1].split('"')[0],
    }
    assert new != old and new not in form["replacement"]
    wrong = client.post("/account/security/app/replace", data={**form, "code": now_code(old)})
    assert wrong.status_code == 422 and "Enter a correct code" in wrong.text
    svc.session.expire_all()
    assert svc.session.get(TotpFactor, user.id).secret == old  # the old app still works
    later = clock.now() + timedelta(seconds=30)
    with clock.travel(later):
        done = client.post(
            "/account/security/app/replace", data={**form, "code": pyotp.TOTP(new).at(later)}
        )
    assert done.status_code == 302 and done.location.endswith("/account/security")
    svc.session.expire_all()
    assert svc.session.get(TotpFactor, user.id).secret == new
    entry = svc.session.scalars(
        select(AuditEntry).where(AuditEntry.record_id == str(user.id)).order_by(AuditEntry.at)
    ).all()[-1]
    assert (entry.action, entry.fields) == ("update", ["second_factor"])


def test_turning_two_factor_off_only_where_the_setting_allows(
    client, factory, svc, app, monkeypatch
):
    user = factory.user()
    _signed_in_with_app(client, svc, user)
    monkeypatch.setitem(svc.settings, "SECOND_FACTOR", "required")
    refused = post_form(client, "/account/security/turn-off", {}, page="/account/security")
    assert refused.status_code == 422 and "every account must have one" in refused.text
    assert svc.session.get(TotpFactor, user.id) is not None
    monkeypatch.setitem(svc.settings, "SECOND_FACTOR", "optional")
    assert "Turn off two-factor sign-in" in client.get("/account/security").text
    with clock.travel(clock.now() + timedelta(minutes=11)):  # asks for the factor again
        asked = client.get("/account/security/turn-off")
        assert "/account/security/confirm?then=off" in asked.location
    done = post_form(client, "/account/security/turn-off", {})
    assert done.status_code == 302
    svc.session.expire_all()
    assert svc.session.get(TotpFactor, user.id) is None
    assert recovery_codes_left(svc, user) == 0
    other = app.test_client()
    assert sign_in(other, user.email).location.endswith("/")  # the password alone again


def test_security_keys_are_renamed_and_the_last_factor_stays_where_required(
    client, factory, svc, monkeypatch
):
    user = factory.user()
    _signed_in_with_app(client, svc, user)
    key = SecurityKey(user_id=user.id, credential_id="cred-1", public_key=b"pk", name="Key")
    svc.session.add(key)
    svc.session.execute(TotpFactor.__table__.delete())  # the key is now the only factor
    svc.session.commit()
    url = f"/account/security/keys/{key.id}"
    bad = post_form(client, f"{url}/rename", {"name": "  "})
    assert bad.status_code == 422 and "Enter a name for the security key" in bad.text
    assert post_form(client, f"{url}/rename", {"name": "Blue key"}).status_code == 302
    monkeypatch.setitem(svc.settings, "SECOND_FACTOR", "required")
    refused = post_form(client, f"{url}/remove", {}, page="/account/security")
    assert refused.status_code == 422 and "every account must have one" in refused.text
    assert 'href="#security-keys"' in refused.text and "Blue key" in refused.text
    monkeypatch.setitem(svc.settings, "SECOND_FACTOR", "optional")
    assert post_form(client, f"{url}/remove", {}, page="/account/security").status_code == 302
    svc.session.expire_all()
    assert svc.session.scalars(select(SecurityKey)).all() == []
    assert recovery_codes_left(svc, user) == 0  # codes alone are no factor


def test_admins_see_which_factors_an_account_has_and_no_secret(client, factory, svc):
    admin = factory.user("admin@example.org", roles=("admin",))
    user = factory.user()
    secret, codes = enrol(svc, user)
    sign_in(client, admin.email)
    listed = client.get("/admin/users").text
    row = listed.split(user.email)[1].split("</tr>")[0]
    assert "App, 10 recovery codes left" in row
    assert "Not set up" in listed.split(admin.email)[1].split("</tr>")[0]
    page = client.get(f"/admin/users/{user.id}").text
    assert "Set up: App, 10 recovery codes left." in page
    for shown in (listed, page):
        assert secret not in shown and not any(c in shown for c in codes)
