"""Erasing a nominal (offender panels) and an ASB case: every personal value goes, the
figures stay.

As for a MARAC referral (``casework.retention.erase``), the record's own row stays as an
anonymous tombstone marked ``erased`` (the sharing engine then shows it to nobody), and the
rows the statistics count stay with every sealed column and blind index emptied:

* **a nominal**: the cohort figures (``casework/offenders/outcomes.py``) read cohort spells,
  offences and other events, custody periods, classifications and pathway needs by their
  plain columns (dates, kinds, categories, outcomes, flags), so those rows stay; every table
  with a ``nominal_id`` column (interventions, targeting decisions, agenda items, actions...)
  has its sealed columns emptied; search tokens go.
* **an ASB case**: the ASB figures (``casework/stats/asb.py``) read the case's plain columns,
  Community Triggers, interventions and breaches, so those stay, emptied; incidents go (only
  their dates and kinds were counted, by nobody); a person responsible goes unless an
  intervention against them stays (emptied then).
* both: minutes, research notes and actions about the case (``case_type``/``case_id`` or
  ``nominal_id``) are emptied, approved minutes lose this case's texts, and subject access
  copies of any of it are deleted.
"""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Any

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from casework.asb.models import (
    AsbBreach,
    AsbCase,
    AsbIncident,
    AsbIntervention,
    AsbPerpetrator,
    CommunityTrigger,
)
from casework.asb.policies import RECORD_TYPE as ASB_CASE
from casework.db import Base
from casework.meetings.models import CaseAction, Minute
from casework.offenders.models import Nominal
from casework.retention.erase import (
    disclosure_copies,
    empty_action_changes,
    minutes_versions,
    sweep,
)
from casework.search.models import SearchToken

# Plain columns of the tombstones that name staff: emptied as well.
NOMINAL_LINKS = ("created_by_id",)
ASB_LINKS = ("referred_by_id",)


def erase_nominal(session: Session, nominal_id: uuid.UUID) -> dict[str, int]:
    """Erase one nominal and everything about them (module docstring); returns how many rows
    of each table were emptied or deleted (no values)."""
    counts: Counter[str] = Counter()
    empty_action_changes(session, CaseAction.nominal_id == nominal_id)
    for table in Base.metadata.sorted_tables:
        if "nominal_id" in table.c and table.name != "nominals":
            counts += sweep(session, table, table.c.nominal_id == nominal_id)
    tokens = (SearchToken.record_type == "nominal") & (SearchToken.record_id == nominal_id)
    counts += sweep(session, SearchToken.__table__, tokens, remove=True)
    no_minute = Minute.id.is_(None)  # minutes name no nominal: none match
    counts += minutes_versions(session, nominal_id, CaseAction.nominal_id == nominal_id, no_minute)
    counts += disclosure_copies(
        session,
        nominal_id,
        lambda m: m.nominal_id == nominal_id if hasattr(m, "nominal_id") else None,
    )
    counts += _tombstone(session, Nominal, nominal_id, NOMINAL_LINKS)
    session.expire_all()  # loaded objects held the values just removed
    return dict(sorted(counts.items()))


def erase_asb_case(session: Session, case_id: uuid.UUID) -> dict[str, int]:
    """Erase one ASB case and everything about it (module docstring)."""
    counts: Counter[str] = Counter()

    def about(model: Any) -> Any:
        return (model.case_type == ASB_CASE) & (model.case_id == case_id)

    empty_action_changes(session, about(CaseAction))
    for table in Base.metadata.sorted_tables:
        if "case_type" in table.c and "case_id" in table.c:
            counts += sweep(session, table, about(table.c))
    interventions = select(AsbIntervention.id).where(AsbIntervention.case_id == case_id)
    counts += sweep(session, AsbBreach.__table__, AsbBreach.intervention_id.in_(interventions))
    for model in (AsbIntervention, CommunityTrigger):
        counts += sweep(session, model.__table__, model.case_id == case_id)
    counts += sweep(session, AsbIncident.__table__, AsbIncident.case_id == case_id, remove=True)
    acted_on = exists().where(AsbIntervention.perpetrator_id == AsbPerpetrator.id)
    mine = AsbPerpetrator.case_id == case_id
    counts += sweep(session, AsbPerpetrator.__table__, mine & ~acted_on, remove=True)
    counts += sweep(session, AsbPerpetrator.__table__, mine & acted_on)
    counts += minutes_versions(session, case_id, about(CaseAction), about(Minute))
    counts += disclosure_copies(session, case_id, about)
    counts += _tombstone(session, AsbCase, case_id, ASB_LINKS)
    session.expire_all()
    return dict(sorted(counts.items()))


def _tombstone(session: Session, model: Any, record_id: uuid.UUID, links: tuple) -> Counter:
    """The record's own row: sealed columns and blind indexes emptied, staff links cleared,
    marked erased."""
    table = model.__table__
    counts = sweep(session, table, table.c.id == record_id)
    session.execute(
        update(table)
        .where(table.c.id == record_id)
        .values({**dict.fromkeys(links), "erased": True})
    )
    return counts
