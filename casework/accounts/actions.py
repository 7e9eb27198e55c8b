"""Managing staff accounts: administrators only. Admins see accounts, never case data."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, select

from casework.accounts.models import LoginFailure, RecoveryCode, SecurityKey, TotpFactor, User
from casework.accounts.passwords import context_words, password_problems
from casework.accounts.schemas import UserIn, UserUpdate
from casework.accounts.sessions import end_sessions
from casework.actors import Actor
from casework.agencies.actions import find_by_code
from casework.audit import log as audit
from casework.authz import action, require_role
from casework.errors import Invalid, NotVisible
from casework.schemas import load
from casework.services import Services


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_password(
    svc: Services, password: str, field: str = "password", *, about: tuple[str | None, ...] = ()
) -> None:
    """``about``: the account's e-mail, name, agency name and code, which a guesser tries
    first (the service's name is always added)."""
    problems = password_problems(
        password,
        min_length=svc.settings["PASSWORD_MIN_LENGTH"],
        max_length=svc.settings["PASSWORD_MAX_LENGTH"],
        user_inputs=context_words(*about, svc.settings.get("SERVICE_NAME")),
    )
    if problems:
        raise Invalid({field: problems})


def account_words(user: User) -> tuple[str | None, ...]:
    """What a guesser knows of this account: its e-mail, name and agency."""
    return (user.email, user.name, user.agency.name, user.agency.code)


def find_by_email(svc: Services, email: str) -> User | None:
    return svc.session.scalar(select(User).where(User.email == normalise_email(email)))


@action
def enter_admin(actor: Actor) -> None:
    """The administration pages: a gate for forms that show before any record is touched."""
    require_role(actor, "admin")


@action
def create_user(svc: Services, actor: Actor, data: Any) -> User:
    require_role(actor, "admin")
    values = load(UserIn(), data)
    errors: dict[str, list[str]] = {}
    agency = find_by_code(svc, values["agency"])
    if agency is None:
        errors["agency"] = [f"No agency has code {values['agency']}"]
    if find_by_email(svc, values["email"]):
        errors["email"] = ["An account with this e-mail address already exists"]
    try:
        about = (values["email"], values.get("name"), agency.name if agency else None)
        check_password(svc, values["password"], about=about)
    except Invalid as exc:
        errors.update(exc.fields)
    if errors:
        raise Invalid(errors)
    user = User(
        email=normalise_email(values["email"]),
        name=values["name"],
        agency=agency,
        password_hash=svc.hasher.hash(values["password"]),
        active=True,  # set here, not left to the column default: the answer is dumped unflushed
    )
    user.set_roles(values["roles"])
    svc.session.add(user)
    audit.record(
        svc.session, actor, "create", "user", user.id, ("email", "name", "agency", "roles")
    )
    return user


def _get(svc: Services, user_id: uuid.UUID | str) -> User:
    try:
        uid = user_id if isinstance(user_id, uuid.UUID) else uuid.UUID(str(user_id))
    except ValueError:
        raise NotVisible() from None
    user = svc.session.get(User, uid)
    if user is None:
        raise NotVisible()
    return user


@action
def get_user(svc: Services, actor: Actor, user_id: uuid.UUID | str) -> User:
    require_role(actor, "admin")
    return _get(svc, user_id)


@action
def list_users(svc: Services, actor: Actor) -> list[User]:
    require_role(actor, "admin")
    return list(svc.session.scalars(select(User).order_by(User.name)))


@action
def update_user(svc: Services, actor: Actor, user_id: uuid.UUID | str, data: Any) -> User:
    require_role(actor, "admin")
    values = load(UserUpdate(), data)
    user = _get(svc, user_id)
    if "agency" in values:
        agency = find_by_code(svc, values["agency"])
        if agency is None:
            raise Invalid({"agency": [f"No agency has code {values['agency']}"]})
        user.agency = agency
    if "password" in values:
        check_password(svc, values["password"], about=account_words(user))
        user.password_hash = svc.hasher.hash(values["password"])
        end_all_sessions(svc, user.id, tokens=False)
    if "name" in values:
        user.name = values["name"]
    if "roles" in values:
        user.set_roles(values["roles"])
    if "active" in values:
        user.active = values["active"]
        if not user.active:
            end_all_sessions(svc, user.id)
    audit.record(svc.session, actor, "update", "user", user.id, values.keys())
    return user


@action
def unlock_user(svc: Services, actor: Actor, user_id: uuid.UUID | str) -> User:
    require_role(actor, "admin")
    user = _get(svc, user_id)
    user.locked_until = None
    svc.session.execute(LoginFailure.__table__.delete().where(LoginFailure.user_id == user.id))
    audit.record(svc.session, actor, "update", "user", user.id, ("locked_until",))
    return user


@action
def reset_second_factor(svc: Services, actor: Actor, user_id: uuid.UUID | str) -> User:
    """For a lost phone or key: remove the account's authenticator app, recovery codes and
    security keys, and sign it out everywhere (its API tokens stay). At the next sign-in it
    sets up a new app where the setting requires one."""
    require_role(actor, "admin")
    user = _get(svc, user_id)
    for model in (TotpFactor, RecoveryCode, SecurityKey):
        column = model.id if model is TotpFactor else model.user_id
        svc.session.execute(delete(model).where(column == user.id))
    end_all_sessions(svc, user.id, tokens=False)
    audit.record(svc.session, actor, "update", "user", user.id, ("second_factor",))
    return user


def end_all_sessions(svc: Services, user_id: uuid.UUID, *, tokens: bool = True) -> None:
    """Disabling an account signs it out everywhere at once and revokes its API tokens;
    a new password ends its browser sessions."""
    end_sessions(svc, [user_id], tokens=tokens)
