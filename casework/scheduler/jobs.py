"""The timed jobs, and when each is due.

Two shapes:

- *Periodic* jobs fall due on a grid (every N seconds, or daily at a UK time). On each tick a
  job lists the grid times that passed since its last run and claims each, so a restart or a
  missed tick catches up. Jobs that only bring the present up to date (keep meetings ahead,
  send the outbox) ``coalesce``: one run covers every time missed, so only the latest missed
  time is claimed and run.
- *Per-meeting* jobs fall due at a meeting's deadline (cut-off, circulation, minutes due):
  the job name carries the meeting id and the due time is the deadline, so a meeting moved
  to a new deadline is due again and every meeting is handled once per deadline.

Job functions take ``(svc, due_at, now)`` and run inside the runner's one transaction
(``svc.session``); they return a short detail for the run record (counts, never case data).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select, update

from casework.agencies.models import Agency
from casework.meetings import minutes_signoff
from casework.meetings.calendar import at_local, local, parse_clock
from casework.meetings.models import CaseAction, Meeting
from casework.meetings.schedule import schedule_meetings
from casework.panels.models import Panel
from casework.safety_plans.reminders import remind_plan_reviews
from casework.scheduler import notices
from casework.services import Services

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
MAX_CATCH_UP = 400  # a grid job never claims more than this many missed times in one tick


@dataclass(frozen=True)
class Grid:
    """Due times: every ``seconds`` from 2000-01-01 UTC, or daily at ``clock`` UK time."""

    seconds: int = 0
    clock: time | None = None

    def latest(self, now: datetime) -> datetime:
        if self.clock is None:
            steps = int((now - EPOCH).total_seconds()) // self.seconds
            return EPOCH + timedelta(seconds=steps * self.seconds)
        today = local(now).date()
        moment = at_local(today, self.clock)
        return moment if moment <= now else at_local(today - timedelta(days=1), self.clock)

    def between(self, after: datetime, now: datetime) -> list[datetime]:
        """Due times in (after, now], oldest first, at most MAX_CATCH_UP (the newest)."""
        out: list[datetime] = []
        moment = self.latest(now)
        while moment > after and len(out) < MAX_CATCH_UP:
            out.append(moment)
            moment = self._previous(moment)
        return out[::-1]

    def _previous(self, moment: datetime) -> datetime:
        if self.clock is None:
            return moment - timedelta(seconds=self.seconds)
        return at_local(local(moment).date() - timedelta(days=1), self.clock)


@dataclass(frozen=True)
class Periodic:
    name: str
    grid: Callable[[Any], Grid]
    run: Callable[[Services, datetime, datetime], str | None]
    coalesce: bool = False
    # Sending e-mail must not hold a database transaction open across SMTP: it commits
    # per message itself (see casework.mail.send).
    own_transactions: bool = False


@dataclass(frozen=True)
class PerMeeting:
    name: str
    due: Callable[[Services, datetime], list[tuple[uuid.UUID, datetime]]]
    run: Callable[[Services, Meeting, datetime, datetime], str | None]

    def key(self, meeting_id: uuid.UUID) -> str:
        return f"{self.name}:{meeting_id}"


# --- periodic jobs ---------------------------------------------------------------------------


def keep_meetings_ahead(svc: Services, due_at: datetime, now: datetime) -> str | None:
    added = 0
    for panel in list(svc.session.scalars(select(Panel).where(Panel.active.is_(True)))):
        added += len(schedule_meetings(svc, panel, now))
    return f"meetings added: {added}" if added else None


def send_outbox(svc: Services, due_at: datetime, now: datetime) -> str | None:
    from casework.mail.send import send_pending

    report = send_pending(svc, now)
    if not (report.sent or report.retrying or report.failed):
        return None
    return f"{report.sent} sent, {report.retrying} to retry, {report.failed} failed"


def seal_audit(svc: Services, due_at: datetime, now: datetime) -> str | None:
    """Chain any audit entry left unsealed and sign a fresh head after a quiet spell, so even
    a log nobody writes to has a recent checkpoint against truncation."""
    from casework.audit.chain import seal_pending

    sealed = seal_pending(svc)
    return f"audit entries sealed: {sealed}" if sealed else None


def remind_overdue_actions(svc: Services, due_at: datetime, now: datetime) -> str:
    """One e-mail per owning agency's representatives per day, for open actions past due."""
    on = local(due_at).date()
    overdue = (CaseAction.status == "open", CaseAction.due_on < on)
    counts = svc.session.execute(
        select(CaseAction.owner_agency_id, func.count(CaseAction.id))
        .join(Agency, Agency.id == CaseAction.owner_agency_id)
        .where(*overdue, Agency.active.is_(True))
        .group_by(CaseAction.owner_agency_id)
    ).all()
    queued = sum(notices.overdue_actions(svc, agency, count, on) for agency, count in counts)
    svc.session.execute(
        update(CaseAction)
        .where(*overdue, CaseAction.owner_agency_id.in_([a for a, _ in counts]))
        .values(last_reminded_on=on)
        .execution_options(synchronize_session=False)
    )
    return f"{len(counts)} agencies, {queued} e-mails"


def review_retention(svc: Services, due_at: datetime, now: datetime) -> str | None:
    """List the records whose retention period has ended for the DPO (erases nothing)."""
    from casework.retention.actions import refresh_review_list

    added, dropped = refresh_review_list(svc, local(due_at).date())
    return f"retention: {added} listed, {dropped} dropped" if added or dropped else None


# --- per-meeting jobs -------------------------------------------------------------------------


def _clock(svc: Services, name: str, default: str) -> time:
    return parse_clock(svc.settings.get(name) or default)


def _today(now: datetime) -> date:
    return local(now).date()


def _draft_due(svc: Services, now: datetime) -> list[tuple[uuid.UUID, datetime]]:
    """The morning after the cut-off day: referrals submitted at any time on the cut-off day
    are on time (``build_draft`` counts to midnight), so the draft waits for the day to end."""
    clock = _clock(svc, "SCHEDULER_DRAFT_TIME", "07:00")
    rows = svc.session.execute(
        select(Meeting.id, Meeting.cutoff_on).where(
            Meeting.status == "scheduled",
            Meeting.agenda_status != "published",
            Meeting.starts_at > now,
            Meeting.cutoff_on < _today(now),
        )
    )
    return [
        (mid, at) for mid, day in rows if (at := at_local(day + timedelta(days=1), clock)) <= now
    ]


def _publish_due(svc: Services, now: datetime) -> list[tuple[uuid.UUID, datetime]]:
    clock = _clock(svc, "SCHEDULER_REMINDER_TIME", "08:00")
    rows = svc.session.execute(
        select(Meeting.id, Meeting.circulate_on).where(
            Meeting.status == "scheduled",
            Meeting.agenda_status != "published",
            Meeting.starts_at > now,
            Meeting.circulate_on <= _today(now),
        )
    )
    return [(mid, at) for mid, day in rows if (at := at_local(day, clock)) <= now]


def _minutes_due(svc: Services, now: datetime) -> list[tuple[uuid.UUID, datetime]]:
    """Meetings that were held; one not yet marked held is picked up once it is. Reminders
    older than 30 days are no longer useful, which also keeps the query small."""
    clock = _clock(svc, "SCHEDULER_REMINDER_TIME", "08:00")
    today = _today(now)
    rows = svc.session.execute(
        select(Meeting.id, Meeting.minutes_due_on).where(
            Meeting.status.in_(("held", "closed")),
            Meeting.minutes_due_on <= today,
            Meeting.minutes_due_on >= today - timedelta(days=30),
        )
    )
    return [(mid, at) for mid, day in rows if (at := at_local(day, clock)) <= now]


def build_draft_agenda(svc: Services, meeting: Meeting, due_at: datetime, now: datetime) -> str:
    """After the cut-off: the draft agenda (``agenda.build_draft``), then tell the
    coordinators."""
    if meeting.status != "scheduled" or meeting.agenda_status == "published":
        return "skipped: meeting not open for a draft"
    from casework.meetings.agenda import build_draft  # the agenda module, loaded when needed

    items = build_draft(svc, meeting)
    panel = svc.session.get(Panel, meeting.panel_id)
    assert panel is not None
    queued = notices.draft_agenda_ready(svc, panel, meeting)
    return f"{len(items)} items, {queued} e-mails"


def remind_to_publish(svc: Services, meeting: Meeting, due_at: datetime, now: datetime) -> str:
    if meeting.status != "scheduled" or meeting.agenda_status == "published":
        return "skipped: already published"
    panel = svc.session.get(Panel, meeting.panel_id)
    assert panel is not None
    return f"{notices.publish_reminder(svc, panel, meeting)} e-mails"


def remind_minutes(svc: Services, meeting: Meeting, due_at: datetime, now: datetime) -> str:
    if minutes_signoff.is_approved(svc, meeting):
        return "skipped: minutes approved"
    panel = svc.session.get(Panel, meeting.panel_id)
    assert panel is not None
    return f"{notices.minutes_due(svc, panel, meeting)} e-mails"


PERIODIC = (
    Periodic("keep_meetings", lambda s: Grid(seconds=3600), keep_meetings_ahead, coalesce=True),
    Periodic(
        "overdue_actions",
        lambda s: Grid(clock=parse_clock(s.get("SCHEDULER_REMINDER_TIME") or "08:00")),
        remind_overdue_actions,
    ),
    Periodic("seal_audit", lambda s: Grid(seconds=600), seal_audit, coalesce=True),
    Periodic(
        "safety_plan_reviews",
        lambda s: Grid(clock=parse_clock(s.get("SCHEDULER_REMINDER_TIME") or "08:00")),
        remind_plan_reviews,
    ),
    Periodic(
        "retention_review",
        lambda s: Grid(clock=parse_clock(s.get("RETENTION_REVIEW_TIME") or "06:30")),
        review_retention,
        coalesce=True,
    ),
    Periodic(
        "send_outbox",
        lambda s: Grid(seconds=int(s.get("MAIL_SEND_EVERY_SECONDS") or 60)),
        send_outbox,
        coalesce=True,
        own_transactions=True,
    ),
)
PER_MEETING = (
    PerMeeting("agenda_draft", _draft_due, build_draft_agenda),
    PerMeeting("publish_reminder", _publish_due, remind_to_publish),
    PerMeeting("minutes_reminder", _minutes_due, remind_minutes),
)
JOB_NAMES = tuple(j.name for j in PERIODIC) + tuple(j.name for j in PER_MEETING)
