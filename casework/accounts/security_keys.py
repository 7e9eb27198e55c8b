"""Security keys and passkeys (WebAuthn) as a second factor: phishing-resistant, because the
browser binds every answer to the site's origin.

Only public material is kept: the credential's id, its public key and its signature counter.
Each ceremony's challenge is kept on the browser's own session row (not in its cookie) and
used once. The relying party id and origins come from the caller (``casework.web``), which
knows the request; this module knows nothing of Flask.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

import webauthn
from sqlalchemy import select
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from casework.accounts.auth import actor_for
from casework.accounts.factors import security_keys
from casework.accounts.models import SecurityKey, User, UserSession
from casework.audit import log as audit
from casework.db import utcnow
from casework.services import Services

NAME_MAX = 100


@dataclass(frozen=True)
class RelyingParty:
    id: str  # a host name, e.g. casework.example.gov.uk
    name: str
    origins: tuple[str, ...]  # e.g. ("https://casework.example.gov.uk",)


def _descriptors(svc: Services, user: User) -> list[PublicKeyCredentialDescriptor]:
    return [
        PublicKeyCredentialDescriptor(id=base64url_to_bytes(k.credential_id))
        for k in security_keys(svc, user)
    ]


def _take_challenge(row: UserSession) -> bytes | None:
    challenge, row.challenge = row.challenge, None
    return base64url_to_bytes(challenge) if challenge else None


def registration_options(svc: Services, rp: RelyingParty, row: UserSession) -> str:
    """The options for ``navigator.credentials.create``, as JSON."""
    user = row.user
    options = webauthn.generate_registration_options(
        rp_id=rp.id,
        rp_name=rp.name,
        user_name=user.email,
        user_id=user.id.bytes,
        user_display_name=user.name,
        exclude_credentials=_descriptors(svc, user),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
    )
    row.challenge = bytes_to_base64url(options.challenge)
    return webauthn.options_to_json(options)


def register(
    svc: Services, rp: RelyingParty, row: UserSession, credential: Any, name: str
) -> SecurityKey | None:
    """Keep the new key if the browser's answer matches this session's challenge."""
    challenge = _take_challenge(row)
    if challenge is None:
        return None
    try:
        verified = webauthn.verify_registration_response(
            credential=json.dumps(credential) if isinstance(credential, dict) else credential,
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=list(rp.origins),
        )
    except (WebAuthnException, ValueError, TypeError, KeyError):
        return None
    credential_id = bytes_to_base64url(verified.credential_id)
    if svc.session.scalar(select(SecurityKey.id).where(SecurityKey.credential_id == credential_id)):
        return None
    key = SecurityKey(
        user_id=row.user_id,
        credential_id=credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        name=(name.strip() or "Security key")[:NAME_MAX],
    )
    svc.session.add(key)
    audit.record(
        svc.session, actor_for(row.user), "update", "user", row.user_id, ("security_keys",)
    )
    return key


def authentication_options(svc: Services, rp: RelyingParty, row: UserSession) -> str:
    """The options for ``navigator.credentials.get``, naming the account's keys, as JSON."""
    options = webauthn.generate_authentication_options(
        rp_id=rp.id,
        allow_credentials=_descriptors(svc, row.user),
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    row.challenge = bytes_to_base64url(options.challenge)
    return webauthn.options_to_json(options)


def authenticate(svc: Services, rp: RelyingParty, row: UserSession, credential: Any) -> bool:
    """Whether the answer was signed by one of this account's keys for this challenge. A
    signature counter that went backwards (a cloned key) is refused by the library."""
    challenge = _take_challenge(row)
    if challenge is None or not isinstance(credential, dict):
        return False
    raw_id = credential.get("rawId") or credential.get("id")
    if not isinstance(raw_id, str):
        return False
    key = svc.session.scalar(
        select(SecurityKey).where(
            SecurityKey.user_id == row.user_id, SecurityKey.credential_id == raw_id
        )
    )
    if key is None:
        return False
    try:
        verified = webauthn.verify_authentication_response(
            credential=json.dumps(credential),
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=list(rp.origins),
            credential_public_key=key.public_key,
            credential_current_sign_count=key.sign_count,
        )
    except (WebAuthnException, ValueError, TypeError, KeyError):
        return False
    key.sign_count = verified.new_sign_count
    key.last_used_at = utcnow()
    return True


def remove(svc: Services, row: UserSession, key_id: str) -> bool:
    try:
        wanted = uuid.UUID(key_id)
    except ValueError:
        return False
    key = svc.session.scalar(
        select(SecurityKey).where(SecurityKey.user_id == row.user_id, SecurityKey.id == wanted)
    )
    if key is None:
        return False
    svc.session.delete(key)
    audit.record(
        svc.session, actor_for(row.user), "update", "user", row.user_id, ("security_keys",)
    )
    return True
