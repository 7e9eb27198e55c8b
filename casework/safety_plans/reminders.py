"""The daily reminder that a safety plan's review date has come.

Each plan is reminded once per review date: the e-mail's de-duplication key names the plan,
the date and the IDVA, so a rerun, a catch-up after downtime or a second worker queues
nothing twice, and a new review date is reminded afresh. The e-mail names the case only by
its reference and links to the plan: no personal data leaves in it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from casework.accounts.models import User
from casework.dates import long_day
from casework.mail.outbox import queue
from casework.meetings.calendar import local
from casework.safety_plans.actions import due_plans
from casework.safety_plans.models import SafetyPlan
from casework.scheduler.notices import FOOTER, link
from casework.services import Services

# A review missed for longer than this is on the IDVA's home page, not in their inbox.
LOOK_BACK_DAYS = 30


def remind_plan_reviews(svc: Services, due_at: datetime, now: datetime) -> str:
    on = local(due_at).date()
    rows = svc.session.execute(
        due_plans(on).where(SafetyPlan.review_date >= on - timedelta(days=LOOK_BACK_DAYS))
    ).all()
    queued = 0
    for plan, reference, idva_id in rows:
        idva = svc.session.get(User, idva_id)
        if idva is None or not idva.can_sign_in:
            continue
        body = (
            f"The safety plan for case {reference} was due for review on "
            f"{long_day(plan.review_date)}. Review it with the victim, then record what "
            f"changed and the next review date.\n\n"
            f"{link(svc, f'/referrals/{plan.referral_id}/safety-plan')}"
        )
        key = f"safety-plan:{plan.id}:{plan.review_date:%Y%m%d}:{idva.id}"
        subject = f"Safety plan review due: {reference}"
        if queue(svc.session, idva.email, subject, body + FOOTER, key):
            queued += 1
    return f"{len(rows)} plans due, {queued} e-mails"
