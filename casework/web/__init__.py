"""The web pages (GOV.UK Design System)."""

from flask import Blueprint

blueprint = Blueprint("web", __name__)

from casework.web import (  # noqa: E402,F401  (views register on import)
    actions_manage,
    admin,
    agenda,
    audit,
    auth,
    coordination,
    home,
    imports,
    meeting,
    meeting_close,
    offender_panels,
    offenders,
    panels,
    referral_form,
    referrals,
    research,
    stats,
)
