"""The roles a user may hold, and the groups of them that the rules name: the one home.

A rule such as "coordinators and chairs manage a meeting" was written as a tuple of role
names in a dozen modules; a new role, or a change to who manages, meant finding them all.
Each group is named here for what it means, and every module imports it from here. This
module imports nothing from casework, so any layer may use it.

Order matters only for what people read: the API document lists an endpoint's roles in the
order its group gives them.
"""

from __future__ import annotations

#: Every role, in the order the administration pages offer them.
ROLES = ("referrer", "idva", "agency_rep", "coordinator", "chair", "analyst", "admin", "dpo")

#: Roles that work on cases: the sharing protocols grant them case fields.
CASE_ROLES = ("referrer", "idva", "agency_rep", "coordinator", "chair")
#: Roles no sharing protocol may grant a case field to (figures, accounts, the audit log).
NO_CASE_DATA_ROLES = ("analyst", "admin", "dpo")

#: Run a panel's meetings and cases: schedule, list, close, decide.
MANAGERS = ("coordinator", "chair")
#: Set up panels (and their membership).
PANEL_EDITORS = ("coordinator", "admin")
#: See performance figures (analysts for every panel, the others for their own).
STATS_ROLES = ("analyst", "coordinator", "chair")

#: May submit (and so draft) a MARAC referral.
REFERRERS = ("referrer", "idva", "coordinator")
#: Record a victim's engagement with the IDVA service.
ENGAGEMENT_RECORDERS = ("idva", "coordinator", "chair")
#: Keep a case's safety plan (the protocol then decides whose: the IDVA service's and the
#: panel's coordinator's).
SAFETY_PLAN_KEEPERS = ("idva", "coordinator")
#: See who has viewed a case: its panel's coordinator, and the data protection officer.
CASE_VIEWERS_READERS = ("coordinator", "dpo")

#: May enter a person on their offender panel's cohort.
COHORT_ENTERERS = ("coordinator", "chair", "agency_rep")
#: May see which offender panels their agency sits on and their cohorts' counts.
COHORT_VIEWERS = (*COHORT_ENTERERS, "referrer", "analyst")
#: Shown the offender pages in the navigation (when their agency sits on an offender panel).
OFFENDER_PAGE_ROLES = (*COHORT_ENTERERS, "referrer")

#: May refer a victim to an ASB risk assessment panel their agency sits on.
ASB_REFERRERS = ("referrer", "agency_rep", "coordinator")
