"""The signed-in person's own account: who they are signed in as, and changing their password.

Only the account's owner reaches these pages (there is no account id in the URL). A new
password keeps this browser signed in and signs the account out everywhere else
(``casework.accounts.own_password``).
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from casework.accounts.own_password import change_own_password
from casework.errors import Invalid
from casework.http import current_actor, services
from casework.routes import policy, signed_in
from casework.web.blueprint import blueprint
from casework.web.forms import error_list
from casework.web.home import ROLE_NAMES

PASSWORD_FIELDS = ("current_password", "new_password")


@blueprint.get("/account")
@signed_in
@policy()
def account_page() -> Any:
    user = current_user.user
    roles = [ROLE_NAMES.get(r, r) for r in user.roles]
    return render_template("account/account.html", user=user, roles=roles)


def _password_page(errors: dict[str, list[str]]) -> Any:
    # Passwords are never written back into the form, even when the answer is an error.
    page = render_template("account/password.html", errors=errors, error_items=error_list(errors))
    return (page, 422) if errors else page


@blueprint.get("/account/password")
@signed_in
@policy()
def own_password_page() -> Any:
    return _password_page({})


@blueprint.post("/account/password")
@signed_in
@policy()
def own_password_save() -> Any:
    data = {name: value for name in PASSWORD_FIELDS if (value := request.form.get(name, ""))}
    try:
        change_own_password(services(), current_actor(), data, current_session=current_user.secret)
    except Invalid as exc:
        return _password_page(exc.fields)
    flash("Your password has been changed. You are signed out on every other device.", "success")
    return redirect(url_for("web.account_page"))
