"""API: the caller, agencies, users and the caller's own token."""

from __future__ import annotations

from typing import Any

from flask import request
from marshmallow import fields

from casework.accounts import actions as accounts
from casework.accounts import auth
from casework.accounts.schemas import UserIn, UserOut, UserUpdate
from casework.agencies import actions as agencies
from casework.agencies.schemas import AgencyIn, AgencyOut, AgencyUpdate
from casework.api.blueprint import blueprint
from casework.api.registry import endpoint, json_body
from casework.http import current_actor, services
from casework.schemas import StrictSchema


class MeOut(StrictSchema):
    email = fields.String()
    agency = fields.String(allow_none=True)
    roles = fields.List(fields.String())


@blueprint.get("/me")
@endpoint(policy=(), summary="The caller's account", tag="accounts", response=MeOut, never=(403,))
def me() -> Any:
    actor = current_actor()
    return {"email": actor.email, "agency": actor.agency_code, "roles": sorted(actor.roles)}


@blueprint.delete("/tokens/current")
@endpoint(
    policy=(),
    summary="Revoke the token used for this request",
    tag="accounts",
    status=204,
    never=(403, 422),
)
def revoke_current_token() -> Any:
    secret = request.headers["Authorization"].partition(" ")[2].strip()
    auth.revoke_secret(services(), secret)
    return "", 204


@blueprint.get("/agencies")
@endpoint(policy=(), summary="List agencies", tag="agencies", response=AgencyOut, many=True)
def list_agencies() -> Any:
    return AgencyOut(many=True).dump(agencies.list_agencies(services(), current_actor()))


@blueprint.post("/agencies")
@endpoint(
    policy=(),
    summary="Add an agency",
    tag="agencies",
    body=AgencyIn,
    response=AgencyOut,
    status=201,
    roles=("admin",),
)
def create_agency() -> Any:
    agency = agencies.create_agency(services(), current_actor(), json_body())
    return AgencyOut().dump(agency), 201


@blueprint.get("/agencies/<code>")
@endpoint(policy=(), summary="One agency", tag="agencies", response=AgencyOut, roles=("admin",))
def get_agency(code: str) -> Any:
    return AgencyOut().dump(agencies.get_agency(services(), current_actor(), code))


@blueprint.patch("/agencies/<code>")
@endpoint(
    policy=(),
    summary="Change an agency",
    tag="agencies",
    body=AgencyUpdate,
    response=AgencyOut,
    roles=("admin",),
)
def update_agency(code: str) -> Any:
    agency = agencies.update_agency(services(), current_actor(), code, json_body())
    return AgencyOut().dump(agency)


@blueprint.get("/users")
@endpoint(
    policy=(),
    summary="List user accounts",
    tag="users",
    response=UserOut,
    many=True,
    roles=("admin",),
)
def list_users() -> Any:
    return UserOut(many=True).dump(accounts.list_users(services(), current_actor()))


@blueprint.post("/users")
@endpoint(
    policy=(),
    summary="Add a user account",
    tag="users",
    body=UserIn,
    response=UserOut,
    status=201,
    roles=("admin",),
)
def create_user() -> Any:
    return UserOut().dump(accounts.create_user(services(), current_actor(), json_body())), 201


@blueprint.get("/users/<user_id>")
@endpoint(policy=(), summary="One user account", tag="users", response=UserOut, roles=("admin",))
def get_user(user_id: str) -> Any:
    return UserOut().dump(accounts.get_user(services(), current_actor(), user_id))


@blueprint.patch("/users/<user_id>")
@endpoint(
    policy=(),
    summary="Change a user account (disabling it ends its sessions and tokens)",
    tag="users",
    body=UserUpdate,
    response=UserOut,
    roles=("admin",),
)
def update_user(user_id: str) -> Any:
    return UserOut().dump(accounts.update_user(services(), current_actor(), user_id, json_body()))


@blueprint.delete("/users/<user_id>/second-factor")
@endpoint(
    policy=(),
    summary="Reset a user's two-factor sign-in (ends their sessions; tokens stay)",
    tag="users",
    status=204,
    roles=("admin",),
    never=(422,),
)
def reset_second_factor(user_id: str) -> Any:
    accounts.reset_second_factor(services(), current_actor(), user_id)
    return "", 204
