"""Administration pages: agencies and user accounts. No case data is reachable from here."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for

from casework.accounts import actions as accounts
from casework.accounts.factor_summary import factor_summaries
from casework.agencies import actions as agencies
from casework.agencies.models import SECTORS
from casework.dates import time_and_date
from casework.db import utcnow
from casework.errors import Invalid
from casework.http import current_actor, services
from casework.roles import ROLES
from casework.routes import policy, signed_in
from casework.web.blueprint import blueprint
from casework.web.forms import error_list, form_data
from casework.web.home import ROLE_NAMES


def _choices() -> dict[str, Any]:
    return {
        "sectors": SECTORS,
        "roles": [(r, ROLE_NAMES[r]) for r in ROLES],
        "agencies": agencies.list_agencies(services(), current_actor()),
    }


@blueprint.route("/admin/agencies")
@signed_in
@policy()
def agency_list() -> Any:
    svc, actor = services(), current_actor()
    accounts.enter_admin(actor)
    return render_template("admin/agencies.html", agencies=agencies.list_agencies(svc, actor))


@blueprint.route("/admin/agencies/new", methods=["GET", "POST"])
@signed_in
@policy()
def agency_new() -> Any:
    return _agency_form(None)


@blueprint.route("/admin/agencies/<code>", methods=["GET", "POST"])
@signed_in
@policy()
def agency_edit(code: str) -> Any:
    return _agency_form(code)


def _agency_form(code: str | None) -> Any:
    svc, actor = services(), current_actor()
    agency = agencies.get_agency(svc, actor, code) if code else None
    if code is None:
        accounts.enter_admin(actor)
    values: dict[str, Any] = {}
    if agency is not None:
        values = {
            "code": agency.code,
            "name": agency.name,
            "sector": agency.sector,
            "police": agency.is_police,
            "active": agency.active,
        }
    if request.method == "GET":
        return render_template(
            "admin/agency_form.html",
            agency=agency,
            values=values,
            errors={},
            error_items=[],
            **_choices(),
        )
    booleans = ("police", "active") if agency else ("police",)
    data = form_data(booleans=booleans)
    try:
        if agency is None:
            saved = agencies.create_agency(svc, actor, data)
            flash(f"Agency {saved.code} added", "success")
        else:
            data.pop("code", None)
            saved = agencies.update_agency(svc, actor, agency.code, data)
            flash(f"Agency {saved.code} saved", "success")
    except Invalid as exc:
        return render_template(
            "admin/agency_form.html",
            agency=agency,
            values=data,
            errors=exc.fields,
            error_items=error_list(exc.fields),
            **_choices(),
        ), 422
    return redirect(url_for("web.agency_list"))


@blueprint.route("/admin/users")
@signed_in
@policy()
def user_list() -> Any:
    users = accounts.list_users(services(), current_actor())
    factors = factor_summaries(services(), current_actor(), users)
    return render_template(
        "admin/users.html", users=users, factors=factors, now=utcnow(), uk_moment=time_and_date
    )


@blueprint.route("/admin/users/new", methods=["GET", "POST"])
@signed_in
@policy()
def user_new() -> Any:
    return _user_form(None)


@blueprint.route("/admin/users/<user_id>", methods=["GET", "POST"])
@signed_in
@policy()
def user_edit(user_id: str) -> Any:
    return _user_form(user_id)


def _user_form(user_id: str | None) -> Any:
    svc, actor = services(), current_actor()
    user = accounts.get_user(svc, actor, user_id) if user_id else None
    if user is None:
        accounts.enter_admin(actor)
    values: dict[str, Any] = {}
    if user is not None:
        values = {
            "email": user.email,
            "name": user.name,
            "agency": user.agency.code,
            "roles": user.roles,
            "active": user.active,
        }
    page = {"user": user, "now": utcnow(), "uk_moment": time_and_date, **_choices()}
    if user is not None:
        page["factors"] = factor_summaries(svc, actor, [user])[user.id]
    if request.method == "GET":
        return render_template(
            "admin/user_form.html", values=values, errors={}, error_items=[], **page
        )
    booleans = ("active",) if user else ()
    data = form_data(lists=("roles",), booleans=booleans)
    try:
        if user is None:
            saved = accounts.create_user(svc, actor, data)
            flash(f"Account for {saved.email} added", "success")
        else:
            data.pop("email", None)
            saved = accounts.update_user(svc, actor, user.id, data)
            flash(f"Account for {saved.email} saved", "success")
    except Invalid as exc:
        data.pop("password", None)
        return render_template(
            "admin/user_form.html",
            values=data,
            errors=exc.fields,
            error_items=error_list(exc.fields),
            **page,
        ), 422
    return redirect(url_for("web.user_list"))


@blueprint.route("/admin/users/<user_id>/unlock", methods=["POST"])
@signed_in
@policy()
def user_unlock(user_id: str) -> Any:
    user = accounts.unlock_user(services(), current_actor(), user_id)
    flash(f"Account for {user.email} unlocked", "success")
    return redirect(url_for("web.user_edit", user_id=user.id))


@blueprint.route("/admin/users/<user_id>/reset-second-factor", methods=["POST"])
@signed_in
@policy()
def user_reset_second_factor(user_id: str) -> Any:
    user = accounts.reset_second_factor(services(), current_actor(), user_id)
    flash(f"Two-factor sign-in reset for {user.email}: they are signed out everywhere", "success")
    return redirect(url_for("web.user_edit", user_id=user.id))
