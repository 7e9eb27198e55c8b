"""The web pages (GOV.UK Design System).

The blueprint lives in ``casework.web.blueprint``; importing this package registers every page
module on it.
"""

from casework.web import (  # noqa: F401  (views register on import)
    actions_manage,
    admin,
    agenda,
    asb,
    asb_enforcement,
    asb_stats,
    audit,
    auth,
    coordination,
    engagement,
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
    referral_form,
    referrals,
    research,
    search,
    stats,
    triage,
    wording,
)
from casework.web.blueprint import blueprint

__all__ = ["blueprint"]
