"""The API's blueprint and its bearer-token check, which every endpoint module registers on.

Apart from the package's ``__init__`` (which imports every endpoint module) so that an
endpoint module importing the blueprint does not import its own package back (no cycle).
"""

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
    actor = auth.resolve_token(services(), secret.strip())
    if actor is None:
        raise Unauthenticated("The API token is not valid")
    g.actor = actor
