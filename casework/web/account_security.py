"""Your account's two-factor sign-in and API tokens: the authenticator app, recovery codes,
security keys, and tokens for the API.

Anything that adds or removes a way in (a new set of recovery codes, a security key, an API
token) asks for a second factor again unless this browser gave one in the last few minutes
(``SECOND_FACTOR_RECENT_MINUTES``): a browser left signed in is not enough. An account with
no second factor yet may add its first one freely, but must have one to create a token.
"""

from __future__ import annotations

from typing import Any

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from casework.accounts import auth
from casework.accounts import factor_changes as changes
from casework.accounts import second_factor as factor
from casework.accounts import security_keys as keys
from casework.accounts.factors import (
    confirmed_totp,
    has_second_factor,
    has_security_key,
    recovery_codes_left,
    security_keys,
)
from casework.accounts.models import ApiToken, User, UserSession
from casework.audit import log as audit
from casework.db import utcnow
from casework.http import current_actor, services
from casework.routes import policy, signed_in
from casework.web.blueprint import blueprint
from casework.web.factor_pages import (
    CODE_FAILURE,
    KEY_FAILURE,
    credential,
    json_failure,
    json_options,
    key_name,
    relying_party,
    setup_page,
)
from casework.web.forms import error_list

# Where asking for the second factor again may lead back to: names, never a URL from the query.
AFTER_CONFIRM = {
    "token": "web.token_new",
    "codes": "web.recovery_codes_new",
    "key": "web.security_key_new",
    "security": "web.account_security",
    "app": "web.totp_replace",
    "off": "web.two_factor_off",
}


def session_row() -> UserSession:
    row = auth.find_session(services(), current_user.secret)
    assert row is not None  # a signed-in browser has its row: resolve_session found it
    return row


def signed_in_user() -> User:
    return current_user.user


def needs_confirm(then: str) -> Any | None:
    """A redirect to ask for the factor again, or None when none is due. An account without
    a factor has nothing to ask for (it may add its first one)."""
    svc = services()
    if has_second_factor(svc, signed_in_user()) and not factor.recent(svc, session_row()):
        return redirect(url_for("web.factor_confirm", then=then))
    return None


@blueprint.get("/account/security")
@signed_in
@policy()
def account_security() -> Any:
    return security_page()


def security_page(problem: str | None = None) -> Any:
    """The account's factors and tokens; ``problem`` (a refused removal) as an error, 422."""
    svc, user = services(), signed_in_user()
    tokens = svc.session.scalars(
        select(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at)
    ).all()
    html = render_template(
        "second_factor/security.html",
        has_app=confirmed_totp(svc, user) is not None,
        codes_left=recovery_codes_left(svc, user),
        keys=security_keys(svc, user),
        tokens=tokens,
        required=factor.required(svc),
        error_items=[{"text": problem, "href": "#security-keys"}] if problem else [],
    )
    return (html, 422) if problem else html


@blueprint.route("/account/security/confirm", methods=["GET", "POST"])
@signed_in
@policy()
def factor_confirm() -> Any:
    svc, user = services(), signed_in_user()
    then = request.args.get("then", "security")
    target = url_for(AFTER_CONFIRM.get(then, "web.account_security"))
    page = {
        "heading": "Check it is you",
        "lead": "Before you go on, give your second factor again.",
        "has_app": confirmed_totp(svc, user) is not None,
        "has_key": has_security_key(svc, user),
        "key_options": url_for("web.factor_confirm_key_options"),
        "key_verify": url_for("web.factor_confirm_key", then=then),
    }
    if request.method == "GET":
        return render_template("second_factor/code.html", errors={}, error_items=[], **page)
    how = factor.check_code(svc, user, request.form.get("code", ""))
    if not factor.proved(svc, user, how):
        svc.session.commit()  # counts towards the lock although the answer is an error
        errors = {"code": [CODE_FAILURE]}
        html = render_template(
            "second_factor/code.html", errors=errors, error_items=error_list(errors), **page
        )
        return html, 401
    factor.confirm_again(svc, session_row())
    return redirect(target)


@blueprint.post("/account/security/confirm/key/options")
@signed_in
@policy()
def factor_confirm_key_options() -> Any:
    if not has_security_key(services(), signed_in_user()):
        return json_failure(KEY_FAILURE, 422)
    return json_options(keys.authentication_options(services(), relying_party(), session_row()))


@blueprint.post("/account/security/confirm/key")
@signed_in
@policy()
def factor_confirm_key() -> Any:
    svc, row = services(), session_row()
    answer = credential()
    ok = answer is not None and keys.authenticate(svc, relying_party(), row, answer)
    if not factor.proved(svc, row.user, "security-key" if ok else None):
        svc.session.commit()
        return json_failure(KEY_FAILURE, 401)
    factor.confirm_again(svc, row)
    then = request.args.get("then", "security")
    return jsonify({"redirect": url_for(AFTER_CONFIRM.get(then, "web.account_security"))})


@blueprint.route("/account/security/app", methods=["GET", "POST"])
@signed_in
@policy()
def totp_setup() -> Any:
    svc, user = services(), signed_in_user()
    if has_second_factor(svc, user) and (asked := needs_confirm("security")):
        return asked
    app = factor.totp_to_confirm(svc, user)
    if app is None:
        return redirect(url_for("web.account_security"))
    if request.method == "GET":
        return setup_page(app, user, {})
    codes = factor.confirm_totp(svc, user, request.form.get("code", ""))
    if codes is None:
        return setup_page(app, user, {"code": [CODE_FAILURE]}, 422)
    session_row().factor_at = utcnow()
    next_url = url_for("web.account_security")
    return render_template("second_factor/recovery_codes.html", codes=codes, next_url=next_url)


@blueprint.route("/account/security/recovery-codes", methods=["GET", "POST"])
@signed_in
@policy()
def recovery_codes_new() -> Any:
    svc, user = services(), signed_in_user()
    if confirmed_totp(svc, user) is None and not has_security_key(svc, user):
        return redirect(url_for("web.account_security"))
    if asked := needs_confirm("codes"):
        return asked
    if request.method == "GET":
        return render_template("second_factor/codes_new.html")
    codes = factor.new_recovery_codes(svc, user)
    next_url = url_for("web.account_security")
    return render_template("second_factor/recovery_codes.html", codes=codes, next_url=next_url)


@blueprint.get("/account/security/keys/new")
@signed_in
@policy()
def security_key_new() -> Any:
    if asked := needs_confirm("key"):
        return asked
    return render_template("second_factor/key_new.html")


@blueprint.post("/account/security/keys/options")
@signed_in
@policy()
def security_key_options() -> Any:
    if needs_confirm("key") is not None:
        return json_failure("Check it is you first: reload the page.", 403)
    return json_options(keys.registration_options(services(), relying_party(), session_row()))


@blueprint.post("/account/security/keys")
@signed_in
@policy()
def security_key_add() -> Any:
    svc = services()
    if needs_confirm("key") is not None:
        return json_failure("Check it is you first: reload the page.", 403)
    answer = credential()
    row = session_row()
    added = answer is not None and keys.register(svc, relying_party(), row, answer, key_name())
    if not added:
        return json_failure("The security key could not be added. Try again.", 422)
    row.factor_at = utcnow()
    flash("Security key added", "success")
    return jsonify({"redirect": url_for("web.account_security")})


@blueprint.post("/account/security/keys/<key_id>/remove")
@signed_in
@policy()
def security_key_remove(key_id: str) -> Any:
    """Where the setting requires a second factor, the last one stays (422, saying why)."""
    if asked := needs_confirm("security"):
        return asked
    svc, user = services(), signed_in_user()
    key = changes.own_key(svc, user, key_id)
    if key is None:
        return redirect(url_for("web.account_security"))
    if refusal := changes.removal_refusal(svc, user, key_id=key.id):
        return security_page(refusal)
    if keys.remove(svc, session_row(), key_id):
        changes.drop_codes_without_factor(svc, user)
        flash("Security key removed", "success")
    return redirect(url_for("web.account_security"))


@blueprint.route("/account/security/tokens/new", methods=["GET", "POST"])
@signed_in
@policy()
def token_new() -> Any:
    """An API token needs a second factor on the account, given within the last minutes."""
    svc, user = services(), signed_in_user()
    if not has_second_factor(svc, user):
        flash("Set up two-factor sign-in before you create an API token.", "info")
        return redirect(url_for("web.account_security"))
    if asked := needs_confirm("token"):
        return asked
    if request.method == "GET":
        return render_template("second_factor/token_new.html")
    token, secret = auth.create_token(svc, user)
    audit.record(svc.session, current_actor(), "create", "api_token", token.id)
    return render_template("second_factor/token_created.html", secret=secret)


@blueprint.post("/account/security/tokens/<token_id>/revoke")
@signed_in
@policy()
def token_revoke(token_id: str) -> Any:
    svc, user = services(), signed_in_user()
    for token in svc.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)):
        if str(token.id) == token_id:
            auth.revoke_token(svc, token)
            audit.record(svc.session, current_actor(), "update", "api_token", token.id)
            flash("API token revoked", "success")
    return redirect(url_for("web.account_security"))
