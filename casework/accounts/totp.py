"""Authenticator-app codes (TOTP, RFC 6238): 6 digits, 30-second steps, SHA-1 as every app
expects. A code is accepted for the step before and after the current one (clocks drift),
and each step only once: ``casework.accounts.second_factor`` keeps the step last accepted, so
a code seen over a shoulder or replayed from a proxy log is refused even inside its window."""

from __future__ import annotations

import hmac
from datetime import datetime

import pyotp

DRIFT_STEPS = 1
ISSUER = "Casework"


def new_secret() -> str:
    """160 random bits in base32, the length RFC 4226 recommends."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, account: str, issuer: str = ISSUER) -> str:
    """The otpauth:// address an app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def looks_like_code(text: str) -> bool:
    return len(text) == 6 and text.isascii() and text.isdigit()


def matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step ``code`` belongs to, within the drift allowed, or None."""
    if not looks_like_code(code):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    found = None
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        # Every candidate is compared, in constant time: no early answer to time.
        if hmac.compare_digest(totp.generate_otp(step), code):
            found = step
    return found
