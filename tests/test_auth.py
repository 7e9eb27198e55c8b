"""Signing in and out, lock-out, sessions, passwords."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import select, update

from casework import clock
from casework.accounts.models import User, UserSession
from casework.accounts.passwords import common_passwords
from casework.audit.models import AuditEntry
from casework.db import utcnow
from casework.mail.models import OutboxMessage
from tests.conftest import PASSWORD, bearer, post_form, sign_in


def test_sign_in_reaches_home_page(client, factory):
    factory.user("sam@example.org")
    response = sign_in(client, "sam@example.org")
    assert response.status_code == 302 and response.location == "/"
    home = client.get("/")
    assert home.status_code == 200 and "sam@example.org" in home.text


def test_unknown_email_and_wrong_password_get_the_same_answer(client, factory):
    factory.user("sam@example.org")
    wrong = sign_in(client, "sam@example.org", "not the right password")
    unknown = sign_in(client, "nobody@example.org", "not the right password")
    assert wrong.status_code == unknown.status_code == 401
    assert "Enter a correct e-mail address and password" in wrong.text
    strip = lambda html: html.replace("sam@example.org", "").replace("nobody@example.org", "")  # noqa: E731
    import re

    no_token = lambda html: re.sub(r'value="[^"]{40,}"', "", strip(html))  # noqa: E731
    assert no_token(wrong.text) == no_token(unknown.text)


def test_email_is_matched_without_regard_to_case(client, factory):
    factory.user("sam@example.org")
    assert sign_in(client, "  SAM@Example.org ").status_code == 302


def test_five_failures_lock_the_account_for_fifteen_minutes(client, factory, svc):
    user = factory.user("sam@example.org")
    for _ in range(5):
        assert sign_in(client, "sam@example.org", "wrong password!!").status_code == 401
    locked = sign_in(client, "sam@example.org", PASSWORD)
    assert (
        locked.status_code == 401 and "Enter a correct e-mail address and password" in locked.text
    )
    svc.session.expire_all()
    until = svc.session.get(User, user.id).locked_until
    assert timedelta(minutes=14) < until - utcnow() <= timedelta(minutes=15)
    # after the lock expires the right password works again
    svc.session.execute(
        update(User).where(User.id == user.id).values(locked_until=utcnow() - timedelta(seconds=1))
    )
    svc.session.commit()
    assert sign_in(client, "sam@example.org", PASSWORD).status_code == 302


def test_failures_spread_beyond_the_window_do_not_lock(client, factory, svc):
    from casework.accounts.models import LoginFailure

    user = factory.user("sam@example.org")
    for _ in range(4):
        sign_in(client, "sam@example.org", "wrong password!!")
    svc.session.execute(
        update(LoginFailure)
        .where(LoginFailure.user_id == user.id)
        .values(at=utcnow() - timedelta(minutes=16))
    )
    svc.session.commit()
    sign_in(client, "sam@example.org", "wrong password!!")
    assert sign_in(client, "sam@example.org", PASSWORD).status_code == 302


def test_lock_is_visible_to_admins_who_can_unlock(client, app, factory, svc):
    factory.user("sam@example.org")
    factory.user("admin@example.org", roles=("admin",))
    for _ in range(5):
        sign_in(client, "sam@example.org", "wrong password!!")
    admin = app.test_client()
    sign_in(admin, "admin@example.org")
    assert "Locked" in admin.get("/admin/users").text
    sam = svc.session.scalar(select(User).where(User.email == "sam@example.org"))
    page = f"/admin/users/{sam.id}"
    assert "This account is locked" in admin.get(page).text
    post_form(admin, f"{page}/unlock", {}, page=page)
    assert sign_in(client, "sam@example.org").status_code == 302


def test_sign_in_and_failures_are_audited(client, factory, svc):
    factory.user("sam@example.org")
    sign_in(client, "sam@example.org", "wrong password!!")
    sign_in(client, "sam@example.org")
    actions = [e.action for e in svc.session.scalars(select(AuditEntry).order_by(AuditEntry.at))]
    assert "sign-in-failure" in actions and "sign-in" in actions


def test_each_sign_in_gets_a_new_session_identifier(app, factory):
    factory.user("sam@example.org")
    first, second = app.test_client(), app.test_client()
    sign_in(first, "sam@example.org")
    sign_in(second, "sam@example.org")
    a = first.get_cookie("casework_session").value
    b = second.get_cookie("casework_session").value
    assert a != b


def test_replayed_cookie_after_sign_out_is_refused(app, client, factory):
    factory.user("sam@example.org")
    sign_in(client, "sam@example.org")
    old_cookie = client.get_cookie("casework_session").value
    post_form(client, "/sign-out", {}, page="/")
    thief = app.test_client()
    thief.set_cookie("casework_session", old_cookie)
    response = thief.get("/")
    assert response.status_code == 302 and "/sign-in" in response.location


def test_disabling_an_account_ends_its_sessions(app, client, factory, svc):
    sam = factory.user("sam@example.org")
    factory.user("admin@example.org", roles=("admin",))
    sign_in(client, "sam@example.org")
    assert client.get("/").status_code == 200
    admin = app.test_client()
    sign_in(admin, "admin@example.org")
    page = f"/admin/users/{sam.id}"
    post_form(admin, page, {"name": "Sam", "agency": "POL", "roles": ["referrer"]}, page=page)
    assert client.get("/").status_code == 302


def test_idle_sessions_expire_after_thirty_minutes(client, factory, svc):
    factory.user("sam@example.org")
    sign_in(client, "sam@example.org")
    svc.session.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=31)))
    svc.session.commit()
    assert client.get("/").status_code == 302


def test_sessions_end_after_twelve_hours_however_active(client, factory, svc):
    factory.user("sam@example.org")
    sign_in(client, "sam@example.org")
    svc.session.execute(
        update(UserSession).values(created_at=utcnow() - timedelta(hours=12, minutes=1))
    )
    svc.session.commit()
    assert client.get("/").status_code == 302


def test_active_session_survives_inside_the_limits(client, factory, svc):
    factory.user("sam@example.org")
    sign_in(client, "sam@example.org")
    svc.session.execute(
        update(UserSession).values(
            last_seen_at=utcnow() - timedelta(minutes=29), created_at=utcnow() - timedelta(hours=11)
        )
    )
    svc.session.commit()
    assert client.get("/").status_code == 200


def test_disabled_agency_staff_cannot_sign_in(client, factory, svc):
    from casework.agencies.models import Agency

    factory.user("sam@example.org")
    svc.session.execute(update(Agency).values(active=False))
    svc.session.commit()
    assert sign_in(client, "sam@example.org").status_code == 401


def test_forms_without_csrf_token_are_refused(client, factory):
    factory.user("sam@example.org")
    response = client.post("/sign-in", data={"email": "sam@example.org", "password": PASSWORD})
    assert response.status_code == 400
    sign_in(client, "sam@example.org")
    assert client.post("/sign-out").status_code == 400
    assert client.get("/").status_code == 200  # still signed in: the forged sign-out failed


def test_password_policy(factory, svc):
    import pytest

    from casework.errors import Invalid

    factory.agency("POL")
    with pytest.raises(Invalid) as short:
        factory.user("a@example.org", password="elevenchars")
    assert "12 characters or more" in short.value.fields["password"][0]
    common = next(p for p in sorted(common_passwords(), key=len, reverse=True) if len(p) >= 12)
    with pytest.raises(Invalid) as too_common:
        factory.user("b@example.org", password=common)
    assert "too common" in too_common.value.fields["password"][0]
    long_one = "x" * 40 + " spaces and ünïcode kept exactly " + "y" * 20
    assert len(long_one) >= 64
    factory.user("c@example.org", password=long_one)


def test_passwords_are_checked_exactly_as_typed(client, factory):
    factory.user("sam@example.org", password="  padded passphrase  ")
    assert sign_in(client, "sam@example.org", "padded passphrase").status_code == 401
    assert sign_in(client, "sam@example.org", "  padded passphrase  ").status_code == 302


def test_argon2id_parameters_meet_the_minimum(factory, svc, tmp_path):
    user = factory.user("sam@example.org")
    assert user.password_hash.startswith("$argon2id$")
    params = dict(p.split("=") for p in user.password_hash.split("$")[3].split(","))
    # The hasher uses the configured cost (the test configuration lowers it for speed) ...
    assert int(params["m"]) == svc.settings["ARGON2_MEMORY_KIB"]
    assert int(params["t"]) == svc.settings["ARGON2_TIME_COST"]
    # ... and the cost every other environment starts from meets OWASP's minimum.
    from casework.settings import load_settings

    shipped = load_settings({"ENV": "development", "INSTANCE_PATH": str(tmp_path)})
    assert shipped["ARGON2_MEMORY_KIB"] >= 19 * 1024 and shipped["ARGON2_TIME_COST"] >= 2


def _answer(response: Any, email: str) -> tuple[int, str]:
    """Status and page, without what differs by design: the e-mail typed (kept in the form)
    and the form's CSRF token."""
    page = re.sub(r'name="csrf_token" value="[^"]+"', "", response.text).replace(email, "")
    return response.status_code, page


def test_unknown_locked_and_wrong_password_answer_alike_at_one_hash_each(
    client, factory, monkeypatch
):
    factory.user("sam@example.org")
    factory.user("kim@example.org")
    for _ in range(5):
        sign_in(client, "sam@example.org", "wrong password!!")
    verified: list[str] = []
    real_verify = PasswordHasher.verify

    def counting(self: PasswordHasher, stored: str, password: str) -> bool:
        verified.append(stored)
        return real_verify(self, stored, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting)
    answers = {}
    for case, email, password in (
        ("locked, right password", "sam@example.org", PASSWORD),
        ("wrong password", "kim@example.org", "wrong password!!"),
        ("unknown e-mail", "nobody@example.org", PASSWORD),
    ):
        verified.clear()
        answers[case] = _answer(sign_in(client, email, password), email)
        # Exactly one Argon2 verification each: the unknown e-mail's against the dummy hash.
        assert len(verified) == 1 and verified[0].startswith("$argon2id$"), case
    assert len(set(answers.values())) == 1
    status, page = answers["unknown e-mail"]
    assert status == 401 and "Enter a correct e-mail address and password" in page
    assert "locked" not in page.lower().replace("an account is locked for a while", "")


def test_the_owner_is_emailed_once_when_the_account_locks(client, factory, svc):
    factory.user("sam@example.org")
    for _ in range(7):
        sign_in(client, "sam@example.org", "wrong password!!")
    messages = list(svc.session.scalars(select(OutboxMessage)))
    assert [(m.to_address, m.subject) for m in messages] == [
        ("sam@example.org", "Your account is locked")
    ]
    body = messages[0].body
    assert "5 failed sign-in attempts" in body and "(UK time)" in body
    assert "Sam" not in body and "sam@example.org" not in body  # no name, no address
    assert "http://127.0.0.1:5000/sign-in" in body


def test_unknown_emails_send_no_mail(client, factory, svc):
    for _ in range(6):
        sign_in(client, "nobody@example.org", "wrong password!!")
    assert svc.session.scalars(select(OutboxMessage)).all() == []


def test_admins_see_until_when_an_account_is_locked(app, client, factory, svc):
    sam = factory.user("sam@example.org")
    admin_user = factory.user("admin@example.org", roles=("admin",))
    for _ in range(5):
        sign_in(client, "sam@example.org", "wrong password!!")
    svc.session.expire_all()
    until = svc.session.get(User, sam.id).locked_until.astimezone(clock.UK)
    admin = app.test_client()
    sign_in(admin, "admin@example.org")
    listing = admin.get("/admin/users").text
    assert "Locked" in listing and f"until {until:%H:%M} on {until.day} {until:%B %Y}" in listing
    token = bearer(factory.token(admin_user))
    answer = app.test_client().get(f"/api/v1/users/{sam.id}", headers=token).json
    assert answer["locked"] is True and answer["locked_until"]
    others = app.test_client().get(f"/api/v1/users/{admin_user.id}", headers=token).json
    assert others["locked"] is False


def test_disabling_an_agency_ends_sessions_and_tokens_for_good(app, client, factory, svc):
    sam = factory.user("sam@example.org", agency="HOUSING")
    admin_user = factory.user("admin@example.org", roles=("admin",))
    sign_in(client, "sam@example.org")
    cookie = client.get_cookie("casework_session").value
    token = bearer(factory.token(sam))
    api = app.test_client()
    assert (
        client.get("/").status_code == 200
        and api.get("/api/v1/me", headers=token).status_code == 200
    )
    admin = bearer(factory.token(admin_user))
    for active in (False, True):
        answer = api.patch("/api/v1/agencies/HOUSING", json={"active": active}, headers=admin)
        assert answer.status_code == 200
    # The agency is back, but the old cookie and token stay dead.
    replay = app.test_client()
    replay.set_cookie("casework_session", cookie)
    assert replay.get("/").status_code == 302 and "/sign-in" in replay.get("/").location
    assert client.get("/").status_code == 302
    assert api.get("/api/v1/me", headers=token).status_code == 401
    # ... and a new sign-in works.
    fresh = app.test_client()
    assert sign_in(fresh, "sam@example.org").status_code == 302
    assert fresh.get("/").status_code == 200
    assert api.get("/api/v1/me", headers=bearer(factory.token(sam))).status_code == 200


def test_disabling_an_agency_from_its_page_ends_sessions_for_good(app, client, factory):
    factory.user("sam@example.org", agency="HOUSING")
    factory.user("admin@example.org", roles=("admin",))
    sign_in(client, "sam@example.org")
    admin = app.test_client()
    sign_in(admin, "admin@example.org")
    page = "/admin/agencies/HOUSING"
    form = {"name": "HOUSING agency", "sector": "other"}
    assert post_form(admin, page, form).status_code == 302  # "active" unticked: disabled
    assert post_form(admin, page, {**form, "active": "on"}).status_code == 302
    assert client.get("/").status_code == 302
