"""Pages for changing one's own second factors: a new authenticator app in place of the old
one, a security key's name, and turning two-factor sign-in off where the setting allows it.

Replacing the app and turning two-factor off ask for the current factor again (as adding one
does); the old app keeps working until a code from the new one is right.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for

from casework.accounts import factor_changes as changes
from casework.accounts import second_factor as factor
from casework.accounts import totp
from casework.accounts.factors import confirmed_totp
from casework.http import services
from casework.routes import policy, signed_in
from casework.web.account_security import (
    needs_confirm,
    security_page,
    session_row,
    signed_in_user,
)
from casework.web.blueprint import blueprint
from casework.web.factor_pages import CODE_FAILURE, qr_image
from casework.web.forms import error_list


def _replace_page(secret: str, token: str, errors: dict[str, list[str]], status: int = 200) -> Any:
    user = signed_in_user()
    uri = totp.provisioning_uri(secret, user.email, services().settings["SERVICE_NAME"])
    html = render_template(
        "second_factor/setup.html",
        title="Replace your authenticator app",
        replacing=True,
        replacement=token,
        qr=qr_image(uri),
        secret=totp.grouped(secret),
        errors=errors,
        error_items=error_list(errors),
    )
    return html, status


@blueprint.route("/account/security/app/replace", methods=["GET", "POST"])
@signed_in
@policy()
def totp_replace() -> Any:
    """A new secret each time the page is opened; a wrong code shows the same one again."""
    svc, row = services(), session_row()
    if confirmed_totp(svc, row.user) is None:
        return redirect(url_for("web.totp_setup"))
    if request.method == "GET":
        if asked := needs_confirm("app"):
            return asked
        return _replace_page(*changes.offer_replacement(svc, row), {})
    token = request.form.get("replacement", "")
    secret = changes.offered_secret(svc, row, token)
    if secret is None:  # too old, or not made for this browser: start again
        flash("That set-up page has expired. Scan the new QR code.", "info")
        return redirect(url_for("web.totp_replace"))
    if not changes.replace_app(svc, row, token, request.form.get("code", "")):
        return _replace_page(secret, token, {"code": [CODE_FAILURE]}, 422)
    factor.confirm_again(svc, row)
    flash("Authenticator app replaced: the old one no longer works", "success")
    return redirect(url_for("web.account_security"))


@blueprint.route("/account/security/turn-off", methods=["GET", "POST"])
@signed_in
@policy()
def two_factor_off() -> Any:
    svc, user = services(), signed_in_user()
    refusal = changes.removal_refusal(svc, user)
    if refusal is not None:
        return security_page(refusal)
    if asked := needs_confirm("off"):
        return asked
    if request.method == "GET":
        return render_template("second_factor/turn_off.html", title="Turn off two-factor sign-in")
    changes.turn_off(svc, user)
    flash("Two-factor sign-in turned off: your password alone now signs you in", "success")
    return redirect(url_for("web.account_security"))


@blueprint.route("/account/security/keys/<key_id>/rename", methods=["GET", "POST"])
@signed_in
@policy()
def security_key_rename(key_id: str) -> Any:
    svc, user = services(), signed_in_user()
    key = changes.own_key(svc, user, key_id)
    if key is None:
        return redirect(url_for("web.account_security"))
    name = request.form.get("name", key.name) if request.method == "POST" else key.name
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        problem = changes.rename_key(svc, user, key, name)
        if problem is None:
            flash("Security key renamed", "success")
            return redirect(url_for("web.account_security"))
        errors = {"name": [problem]}
    html = render_template(
        "second_factor/key_rename.html",
        title="Rename a security key",
        name=name,
        errors=errors,
        error_items=error_list(errors),
    )
    return (html, 422) if errors else html
