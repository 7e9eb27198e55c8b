"""Sign-in and sign-out pages, and loading the signed-in user for every page request."""

from __future__ import annotations

from typing import Any

from flask import g, redirect, render_template, request, session, url_for
from flask_login import UserMixin, current_user, login_user, logout_user

from casework.accounts import auth
from casework.accounts.models import User
from casework.accounts.schemas import SignIn
from casework.errors import Invalid
from casework.extensions import login_manager
from casework.http import is_api, services
from casework.routes import policy, public, signed_in
from casework.schemas import load
from casework.web.blueprint import blueprint
from casework.web.forms import error_list

GENERIC_FAILURE = "Enter a correct e-mail address and password"


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
    secret = auth.start_session(svc, result.user)
    session.clear()  # a new identifier for the new session: no fixation
    login_user(SignedInUser(result.user, secret))
    return redirect(url_for("web.home"))


def _failed(values: dict[str, str], message: str) -> Any:
    errors = error_list({"email": [message]})
    return render_template("sign_in.html", values=values, errors=errors), 401


@blueprint.route("/sign-out", methods=["POST"])
@signed_in
@policy()
def sign_out() -> Any:
    auth.end_session(services(), current_user.secret)
    logout_user()
    session.clear()
    return redirect(url_for("web.sign_in", signed_out=1))
