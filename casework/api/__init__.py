"""The JSON API under /api/v1 (see CONTRACT.md). Bearer tokens only: no cookies, no CSRF."""

from __future__ import annotations

from flask import Blueprint, g, request

from casework.accounts import auth
from casework.errors import Unauthenticated
from casework.http import services

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")


@blueprint.before_request
def _authenticate() -> None:
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthenticated("Send an API token as 'Authorization: Bearer <token>'")
    user = auth.resolve_token(services(), secret.strip())
    if user is None:
        raise Unauthenticated("The API token is not valid")
    g.actor = auth.actor_for(user, via="api")


from casework.api import (  # noqa: E402,F401  (routes register on import)
    accounts,
    actions,
    meeting_close,
    meeting_cycle,
    meetings,
    offender_stats,
    offenders,
    panels,
    referrals,
    referrals_manage,
    stats,
)
