"""The web pages (GOV.UK Design System).

The blueprint lives in ``casework.web.blueprint``; importing this package registers every page
module on it.
"""

from casework.web import (  # noqa: F401  (views register on import)
    accessibility,
    account,
    account_security,
    actions_manage,
    admin,
    agenda,
    asb,
    asb_enforcement,
    asb_stats,
    audit,
    auth,
    case_viewers,
    coordination,
    engagement,
    factor_changes,
    history,
    home,
    imports,
    kind_nav,
    live,
    meeting,
    meeting_close,
    minutes_signoff,
    offender_panels,
    offenders,
    panels,
    referral_amend,
    referral_amend_sections,
    referral_form,
    referrals,
    research,
    retention,
    safety_plans,
    search,
    stats,
    subject_access,
    triage,
    wording,
)
from casework.web.blueprint import blueprint

__all__ = ["blueprint"]
