"""Importing this registers every record type with the sharing engine (see sharing/engine.py)
and every panel kind with the panel registry (see panels/kinds.py)."""

from casework.asb import policies as asb
from casework.meetings import policies as meetings
from casework.offenders import policies as offenders
from casework.referrals import policies as referrals
from casework.safety_plans import policies as safety_plans

# Kinds are listed (pages, validation messages, the API document) in registration order.
# isort: split
from casework.referrals import kinds as referral_kinds

# isort: split
from casework.offenders import kinds as offender_kinds

# isort: split
from casework.asb import kinds as asb_kinds

__all__ = [
    "asb",
    "asb_kinds",
    "meetings",
    "offender_kinds",
    "offenders",
    "referral_kinds",
    "referrals",
    "safety_plans",
]
