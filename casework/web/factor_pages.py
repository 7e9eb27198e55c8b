"""What the second-factor pages share: the relying party for security keys, the QR code,
the setting-up page and the browser's WebAuthn answer."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import segno
from flask import jsonify, render_template, request

from casework.accounts import totp
from casework.accounts.models import TotpFactor, User
from casework.accounts.security_keys import RelyingParty
from casework.http import services
from casework.web.forms import error_list

CODE_FAILURE = "Enter a correct code"
KEY_FAILURE = "Your security key could not be used. Try again, or use a code instead."


def relying_party() -> RelyingParty:
    """WEBAUTHN_RP_ID / WEBAUTHN_ORIGINS when set; else SERVICE_URL's host in production (a
    proxy's Host header is not to be trusted there) and the request's host elsewhere."""
    s = services().settings
    if s["ENV"] == "production":
        base = urlsplit(s["SERVICE_URL"])
        rp_id, origin = base.hostname or "", f"{base.scheme}://{base.netloc}"
    else:
        rp_id, origin = request.host.split(":")[0], request.host_url.rstrip("/")
    origins = tuple(s.get("WEBAUTHN_ORIGINS") or ()) or (origin,)
    return RelyingParty(
        id=s.get("WEBAUTHN_RP_ID") or rp_id, name=s["SERVICE_NAME"], origins=origins
    )


def qr_image(uri: str) -> str:
    """The otpauth:// address drawn as an SVG data URI (the CSP allows data: images)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2, dark="#0b0c0c")


def setup_page(
    factor: TotpFactor, user: User, errors: dict[str, list[str]], status: int = 200
) -> Any:
    secret = factor.secret
    uri = totp.provisioning_uri(secret, user.email, services().settings["SERVICE_NAME"])
    page = render_template(
        "second_factor/setup.html",
        qr=qr_image(uri),
        secret=totp.grouped(secret),
        errors=errors,
        error_items=error_list(errors),
    )
    return page, status


def credential() -> dict[str, Any] | None:
    body = request.get_json(silent=True)
    found = body.get("credential") if isinstance(body, dict) else None
    return found if isinstance(found, dict) else None


def key_name() -> str:
    body = request.get_json(silent=True)
    name = body.get("name") if isinstance(body, dict) else None
    return name if isinstance(name, str) else ""


def json_options(options: str) -> Any:
    return options, 200, {"Content-Type": "application/json"}


def json_failure(message: str, status: int) -> Any:
    return jsonify({"message": message}), status
