"""E-mail to an account's owner about the account itself.

The sign-in page answers a locked account exactly as it answers a wrong password or an unknown
e-mail (nobody can learn there which e-mails have accounts), so the owner learns of a lock
here, at the address the account already has. Like every notice it carries no personal data:
no name, no address the attempts came from; only what happened, until when, and what to do.
"""

from __future__ import annotations

from datetime import datetime

from casework.accounts.models import User
from casework.dates import time_and_day
from casework.mail.outbox import queue
from casework.services import Services


def _link(svc: Services, path: str) -> str:
    return str(svc.settings.get("SERVICE_URL") or "").rstrip("/") + path


def account_locked(svc: Services, user: User, until: datetime) -> None:
    """Queued in the transaction that sets the lock, once per lock."""
    when = f"{time_and_day(until)} (UK time)"
    failures = svc.settings["LOCKOUT_FAILURES"]
    body = (
        f"Your account on {svc.settings['SERVICE_NAME']} was locked after {failures} failed "
        f"sign-in attempts. It unlocks by itself at {when}; an administrator can unlock it "
        "sooner.\n\n"
        "If these attempts were not yours, tell your administrator: someone may be trying to "
        "guess your password.\n\n"
        f"{_link(svc, '/sign-in')}\n\n"
        "This message was sent automatically; replies are not read."
    )
    queue(
        svc.session,
        user.email,
        "Your account is locked",
        body,
        dedupe_key=f"locked:{user.id}:{until:%Y%m%dT%H%M%S}",
    )
