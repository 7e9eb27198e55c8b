"""Importing this registers every record type with the sharing engine (see sharing/engine.py)."""

from casework.meetings import policies as meetings
from casework.offenders import policies as offenders
from casework.referrals import policies as referrals

__all__ = ["meetings", "offenders", "referrals"]
