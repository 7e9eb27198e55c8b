"""The JSON API under /api/v1 (see CONTRACT.md). Bearer tokens only: no cookies, no CSRF.

The blueprint lives in ``casework.api.blueprint``; importing this package registers every
endpoint module on it.
"""

from casework.api import (  # noqa: F401  (routes register on import)
    accounts,
    actions,
    asb,
    asb_enforcement,
    asb_stats,
    history,
    meeting_close,
    meeting_cycle,
    meetings,
    minutes,
    offender_stats,
    offenders,
    panels,
    referral_amend,
    referrals,
    referrals_manage,
    research_collated,
    retention,
    safety_plans,
    search,
    stats,
    subject_access,
)
from casework.api.blueprint import blueprint

__all__ = ["blueprint"]
