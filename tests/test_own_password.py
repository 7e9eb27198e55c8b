"""Passwords that resist guessing, and people changing their own password."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from casework.accounts.models import User, UserSession
from casework.audit.models import AuditEntry
from casework.errors import Invalid
from tests.conftest import PASSWORD, csrf_token, sign_in

NEW = "quiet otter under amber lamps"


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("password1234", "It is a very common password"),
        ("123456789012", "It is too like a common password"),
        ("passwordpassword", "It repeats the same word or characters"),
    ],
)
def test_guessable_passwords_are_refused_saying_why(factory, password, reason):
    factory.agency("POL")
    with pytest.raises(Invalid) as refused:
        factory.user("a@example.org", password=password)
    message = refused.value.fields["password"][0]
    assert message.startswith("Password is too easy to guess.") and reason in message
    assert "unrelated words" in message


def test_a_password_made_of_the_account_itself_is_refused(factory, svc):
    from casework.accounts.actions import create_user
    from casework.actors import Actor

    factory.agency("HOU", "housing", name="Brackenford Homes")
    body = {
        "email": "zephyrine.quillfeather@example.org",
        "name": "Zephyrine Quillfeather",
        "agency": "HOU",
        "roles": ["referrer"],
    }
    system = Actor.system("test")
    for guessable in ("zephyrinequillfeather", "brackenford homes"):
        with pytest.raises(Invalid) as refused:
            create_user(svc, system, {**body, "password": guessable})
        assert "your name, e-mail address, agency" in refused.value.fields["password"][0]
    svc.session.rollback()
    # the same words are fine for someone else: only this account's own words are refused
    factory.user("kim@example.org", "HOU", password="zephyrinequillfeather")


def _change(client, data):
    token = csrf_token(client.get("/account/password").text)
    return client.post("/account/password", data={**data, "csrf_token": token})


def test_changing_my_password_ends_my_other_sessions_only(app, factory, svc):
    factory.user("sam@example.org")
    here, elsewhere = app.test_client(), app.test_client()
    sign_in(here, "sam@example.org")
    sign_in(elsewhere, "sam@example.org")
    assert "Your account" in here.get("/account").text

    done = _change(here, {"current_password": PASSWORD, "new_password": NEW})
    assert done.status_code == 302 and done.location.endswith("/account")
    assert "Your password has been changed" in here.get("/account").text
    assert elsewhere.get("/").status_code == 302  # signed out there: back to sign-in
    svc.session.expire_all()
    user = svc.session.scalar(select(User).where(User.email == "sam@example.org"))
    open_sessions = svc.session.scalars(
        select(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    ).all()
    assert len(open_sessions) == 1
    changed = svc.session.scalars(
        select(AuditEntry).where(
            AuditEntry.record_id == str(user.id), AuditEntry.action == "update"
        )
    ).all()
    assert [e.fields for e in changed] == [["password"]]
    fresh = app.test_client()
    assert sign_in(fresh, "sam@example.org", PASSWORD).status_code == 401
    assert sign_in(fresh, "sam@example.org", NEW).status_code == 302


def test_a_refused_change_says_why_and_keeps_the_old_password(client, factory, svc):
    factory.user("sam@example.org")
    sign_in(client, "sam@example.org")
    wrong = _change(client, {"current_password": "not my password", "new_password": NEW})
    assert wrong.status_code == 422
    assert "Enter your current password correctly" in wrong.text
    assert NEW not in wrong.text and "not my password" not in wrong.text
    weak = _change(client, {"current_password": PASSWORD, "new_password": "password1234"})
    assert weak.status_code == 422 and "It is a very common password" in weak.text
    assert PASSWORD not in weak.text
    empty = _change(client, {})
    assert "Enter your current password" in empty.text and "Enter a new password" in empty.text
    client.post("/sign-out", data={"csrf_token": csrf_token(client.get("/").text)})
    assert sign_in(client, "sam@example.org", PASSWORD).status_code == 302


def test_guessing_the_current_password_locks_and_signs_out(client, factory, svc):
    factory.user("sam@example.org")
    sign_in(client, "sam@example.org")
    for _ in range(svc.settings["LOCKOUT_FAILURES"]):
        answer = _change(client, {"current_password": "a wrong guess", "new_password": NEW})
        if answer.status_code != 422:
            break
    assert client.get("/account").status_code == 302  # the lock ended this session too
    assert sign_in(client, "sam@example.org", PASSWORD).status_code == 401
