"""Who may use the subject access workbench: the data protection officer, and nobody else.

The sharing protocols never grant the DPO case data (``casework.roles.NO_CASE_DATA_ROLES``),
and they are right not to: a DPO does not work on cases. Answering a subject access request
is the one duty that needs everything held about one person across every panel, so it is
granted here, explicitly and narrowly: only to the ``dpo`` role, only inside the workbench's
actions, which declare the record types they read (``@action(reads=...)``) and write an audit
entry for every record they read, naming the request it was read for.

Every other role gets 404 on every workbench URL, as for a record that does not exist: the
workbench does not say to anyone else that it holds anything.
"""

from __future__ import annotations

from casework.actors import Actor
from casework.authz import mark_checked
from casework.errors import NotVisible

DPO = "dpo"

#: The record types the workbench reads (and so the policy every route that shows its items
#: declares): MARAC referrals and what meetings hold about them, offender management
#: records, and anti-social behaviour cases.
SOURCE_TYPES = (
    "referral",
    "research_note",
    "minute",
    "action",
    "nominal",
    "youth_record",
    "asb_case",
)


def require_dpo(actor: Actor, *record_types: str) -> None:
    """404 for anyone but a DPO; for a DPO, the subject access grant over ``record_types``.

    The grant is what ``casework.authz.action`` checks an action's declared record types
    against: for a DPO it is given by role here, as the sharing engine has no rule that could
    give it (and must not have one: a protocol rule would open cases to the DPO everywhere).
    """
    if DPO not in actor.roles:
        raise NotVisible()
    mark_checked(*record_types)
