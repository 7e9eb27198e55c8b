"""Sending the outbox over SMTP, with retries and backoff.

Each message is claimed before it is sent (status ``sending`` and a lease in
``next_attempt_at``, in its own short transaction), so two senders never pick up the same
message; one whose sender died is picked up again when the lease runs out. SMTP gives no
exactly-once delivery, so that rare case can send a message twice: it is never lost.

Temporary failures (no connection, a 4xx answer) are retried after 1, 2, 4 … minutes up to
``MAIL_MAX_ATTEMPTS``; a permanent 5xx refusal fails the message at once. ``last_error``
keeps only the exception's class or the SMTP code, never a server's text (which can quote
the address or the message).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

from sqlalchemy import select, update

from casework.db import utcnow, write_intent
from casework.mail.models import OutboxMessage
from casework.services import Services

log = logging.getLogger("casework.mail")

Connect = Callable[[], smtplib.SMTP]


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def connector(settings: Any) -> Connect:
    """An SMTP connection as configured: STARTTLS (verified) and login when set."""

    def connect() -> smtplib.SMTP:
        smtp = smtplib.SMTP(
            settings["SMTP_HOST"],
            int(settings["SMTP_PORT"]),
            timeout=float(settings.get("SMTP_TIMEOUT_SECONDS", 30)),
        )
        try:
            if settings.get("SMTP_STARTTLS"):
                smtp.starttls(context=ssl.create_default_context())
            if settings.get("SMTP_USERNAME"):
                smtp.login(settings["SMTP_USERNAME"], settings.get("SMTP_PASSWORD") or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    return connect


def _error_code(exc: BaseException) -> tuple[str, bool]:
    """(what to record, whether it is permanent). Never the server's text."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused) and exc.recipients:
        code = next(iter(exc.recipients.values()))[0]
        return f"SMTP {code}", 500 <= code < 600
    if isinstance(exc, smtplib.SMTPResponseException):
        code = exc.smtp_code
        return f"SMTP {code}", 500 <= code < 600
    return type(exc).__name__, False


def backoff(settings: Any, attempts: int) -> timedelta:
    base = int(settings.get("MAIL_RETRY_BASE_SECONDS", 60))
    cap = int(settings.get("MAIL_RETRY_MAX_SECONDS", 6 * 3600))
    return timedelta(seconds=min(cap, base * 2 ** max(attempts - 1, 0)))


def build_message(settings: Any, row: OutboxMessage) -> EmailMessage:
    sender = settings.get("MAIL_FROM") or "casework@localhost"
    message = EmailMessage()
    message["From"] = sender
    message["To"] = row.to_address
    message["Subject"] = row.subject
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies
    message.set_content(row.body)
    return message


def _claim(svc: Services, message_id: Any, now: datetime) -> OutboxMessage | None:
    """Take one message for sending, or None if another sender has it or it was sent."""
    lease = timedelta(seconds=int(svc.settings.get("MAIL_SEND_LEASE_SECONDS", 600)))
    with write_intent(), svc.db.transaction() as session:
        taken = session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == message_id,
                OutboxMessage.status.in_(("pending", "sending")),
                OutboxMessage.next_attempt_at <= now,
            )
            .values(
                status="sending",
                attempts=OutboxMessage.attempts + 1,
                next_attempt_at=now + lease,
            )
        )
        if taken.rowcount != 1:
            return None
        row = session.get(OutboxMessage, message_id)
        assert row is not None
        session.expunge(row)
        return row


def _finish(svc: Services, message_id: Any, **values: Any) -> None:
    with write_intent(), svc.db.transaction() as session:
        session.execute(
            update(OutboxMessage).where(OutboxMessage.id == message_id).values(**values)
        )


def send_pending(
    svc: Services, now: datetime | None = None, *, connect: Connect | None = None
) -> SendReport:
    """Send what is due, oldest first; one SMTP connection for the batch."""
    settings = svc.settings
    now = now or utcnow()
    report = SendReport()
    if not settings.get("SMTP_HOST") and connect is None:
        return report  # no mail server configured: messages wait in the outbox
    connect = connect or connector(settings)
    with svc.db.transaction() as session:
        due = list(
            session.scalars(
                select(OutboxMessage.id)
                .where(
                    OutboxMessage.status.in_(("pending", "sending")),
                    OutboxMessage.next_attempt_at <= now,
                )
                .order_by(OutboxMessage.next_attempt_at, OutboxMessage.created_at)
                .limit(int(settings.get("MAIL_BATCH_SIZE", 100)))
            )
        )
    smtp: smtplib.SMTP | None = None
    try:
        for message_id in due:
            row = _claim(svc, message_id, now)
            if row is None:
                continue
            if smtp is None:
                try:
                    smtp = connect()
                except (smtplib.SMTPException, OSError) as exc:
                    # The server, not the message: never a permanent failure of the message.
                    code, _ = _error_code(exc)
                    _failed(svc, row, code, False, now, report)
                    break
            try:
                smtp.send_message(build_message(settings, row))
            except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused) as exc:
                code, permanent = _error_code(exc)
                _failed(svc, row, code, permanent, now, report)
                continue
            except (smtplib.SMTPException, OSError) as exc:
                code, _ = _error_code(exc)  # the connection dropped: try again next time
                _failed(svc, row, code, False, now, report)
                smtp = _close(smtp)
                break
            report.sent += 1
            _finish(svc, message_id, status="sent", sent_at=now, last_error=None)
    finally:
        _close(smtp)
    return report


def _failed(
    svc: Services,
    row: OutboxMessage,
    code: str,
    permanent: bool,
    now: datetime,
    report: SendReport,
) -> None:
    report.errors.append(code)
    log.warning("e-mail not sent: %s", code, extra={"job": "send_outbox"})
    if permanent or row.attempts >= int(svc.settings.get("MAIL_MAX_ATTEMPTS", 8)):
        report.failed += 1
        _finish(svc, row.id, status="failed", last_error=code)
        return
    report.retrying += 1
    _finish(
        svc,
        row.id,
        status="pending",
        last_error=code,
        next_attempt_at=now + backoff(svc.settings, row.attempts),
    )


def _close(smtp: smtplib.SMTP | None) -> None:
    if smtp is None:
        return None
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()
    return None
