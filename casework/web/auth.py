"""Sign-in (password, then a second factor), sign-out, and loading the signed-in user for
every page request.

Between the two steps the browser holds only a half-signed-in session
(``casework.accounts.second_factor``): Flask-Login never hears of it, so every page but the
second step's answers as to a stranger.
"""

from __future__ import annotations

from typing import Any

from flask import g, jsonify, redirect, render_template, request, session, url_for
from flask_login import UserMixin, current_user, login_user, logout_user

from casework.accounts import auth
from casework.accounts import second_factor as factor
from casework.accounts import security_keys as keys
from casework.accounts.factors import confirmed_totp, has_second_factor, has_security_key
from casework.accounts.models import User, UserSession
from casework.accounts.schemas import SignIn
from casework.errors import Invalid
from casework.extensions import login_manager
from casework.http import is_api, services
from casework.routes import policy, public, signed_in
from casework.schemas import load
from casework.web.blueprint import blueprint
from casework.web.factor_pages import (
    CODE_FAILURE,
    KEY_FAILURE,
    credential,
    json_failure,
    json_options,
    relying_party,
    setup_page,
)
from casework.web.forms import error_list

GENERIC_FAILURE = "Enter a correct e-mail address and password"
PENDING = "pending_sign_in"  # the half-signed-in session's secret, in the signed cookie


class SignedInUser(UserMixin):
    """What Flask-Login keeps: the id it stores in the cookie is the session secret itself."""

    def __init__(self, user: User, secret: str) -> None:
        self.user = user
        self.secret = secret

    def get_id(self) -> str:
        return self.secret


@login_manager.user_loader
def _load(secret: str) -> SignedInUser | None:
    user = auth.resolve_session(services(), secret)
    return SignedInUser(user, secret) if user else None


@login_manager.unauthorized_handler
def _unauthorised() -> Any:
    return redirect(url_for("web.sign_in"))


@blueprint.before_app_request
def _load_actor() -> None:
    if is_api() or request.endpoint == "static":
        return
    if current_user.is_authenticated:
        g.actor = auth.actor_for(current_user.user)


@blueprint.route("/sign-in", methods=["GET", "POST"])
@public
def sign_in() -> Any:
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(url_for("web.home"))
        return render_template("sign_in.html", values={}, errors=[])
    svc = services()
    try:
        values = load(SignIn(), {k: v for k, v in request.form.items() if k != "csrf_token"})
    except Invalid:
        return _failed({"email": request.form.get("email", "")}, GENERIC_FAILURE)
    result = auth.authenticate(svc, values["email"], values["password"])
    if result.user is None:
        # Keep the failure count, the lock notice and the audit entry although the answer is
        # an error. One message for every failure: a locked account says so only by e-mail.
        svc.session.commit()
        return _failed({"email": values["email"]}, GENERIC_FAILURE)
    user = result.user
    session.clear()  # a new identifier for the new session: no fixation
    if factor.needs_second_step(svc, user):
        session[PENDING] = factor.begin(svc, user)
        if has_second_factor(svc, user):
            return redirect(url_for("web.second_step"))
        return redirect(url_for("web.second_factor_setup"))
    login_user(SignedInUser(user, auth.start_session(svc, user)))
    return redirect(url_for("web.home"))


def _failed(values: dict[str, str], message: str) -> Any:
    errors = error_list({"email": [message]})
    return render_template("sign_in.html", values=values, errors=errors), 401


def _pending() -> UserSession | None:
    return factor.resolve_pending(services(), session.get(PENDING))


def _signed_in(row: UserSession) -> None:
    """The second step passed: swap the half-signed-in session for a real one."""
    secret = factor.complete(services(), row)
    user = row.user
    session.clear()
    login_user(SignedInUser(user, secret))


@blueprint.route("/sign-in/code", methods=["GET", "POST"])
@public
def second_step() -> Any:
    svc = services()
    row = _pending()
    if row is None:
        return redirect(url_for("web.sign_in"))
    page = {"has_app": confirmed_totp(svc, row.user) is not None}
    page["has_key"] = has_security_key(svc, row.user)
    if not (page["has_app"] or page["has_key"]):
        return redirect(url_for("web.second_factor_setup"))
    if request.method == "GET":
        return render_template("second_factor/code.html", errors={}, error_items=[], **page)
    how = factor.check_code(svc, row.user, request.form.get("code", ""))
    if not factor.proved(svc, row.user, how):
        svc.session.commit()  # the failure counts although the answer is an error
        errors = {"code": [CODE_FAILURE]}
        html = render_template(
            "second_factor/code.html", errors=errors, error_items=error_list(errors), **page
        )
        return html, 401
    _signed_in(row)
    return redirect(url_for("web.home"))


@blueprint.route("/sign-in/set-up", methods=["GET", "POST"])
@public
def second_factor_setup() -> Any:
    """First sign-in where a second factor is required: set up an authenticator app."""
    svc = services()
    row = _pending()
    if row is None or has_second_factor(svc, row.user):
        return redirect(url_for("web.sign_in"))
    app = factor.totp_to_confirm(svc, row.user)
    if app is None:
        return redirect(url_for("web.sign_in"))
    if request.method == "GET":
        return setup_page(app, row.user, {})
    codes = factor.confirm_totp(svc, row.user, request.form.get("code", ""))
    if codes is None:
        return setup_page(app, row.user, {"code": [CODE_FAILURE]}, 422)
    _signed_in(row)
    return render_template("second_factor/recovery_codes.html", codes=codes)


@blueprint.post("/sign-in/key/options")
@public
def second_step_key_options() -> Any:
    row = _pending()
    if row is None or not has_security_key(services(), row.user):
        return json_failure(KEY_FAILURE, 401)
    return json_options(keys.authentication_options(services(), relying_party(), row))


@blueprint.post("/sign-in/key")
@public
def second_step_key() -> Any:
    svc = services()
    row = _pending()
    if row is None:
        return json_failure(KEY_FAILURE, 401)
    answer = credential()
    ok = answer is not None and keys.authenticate(svc, relying_party(), row, answer)
    if not factor.proved(svc, row.user, "security-key" if ok else None):
        svc.session.commit()
        return json_failure(KEY_FAILURE, 401)
    _signed_in(row)
    return jsonify({"redirect": url_for("web.home")})


@blueprint.route("/sign-out", methods=["POST"])
@signed_in
@policy()
def sign_out() -> Any:
    auth.end_session(services(), current_user.secret)
    logout_user()
    session.clear()
    return redirect(url_for("web.sign_in", signed_out=1))
