"""How the sharing conditions read for a nominal, as SQL the engine filters lists with.

One ``Nominal`` row is one of two record types, chosen by ``is_youth``: a young person
(Prevent and Deter) is shared only as a ``youth_record``, which the offender protocol gives
to police, youth offending and children's services alone; an adult only as a ``nominal``.

A nominal may be in the cohorts of several panels at once (PPO and IOM, say), and those
panels may work under different protocols. So the record has no single protocol: every
condition below is scoped to panels under the protocol the engine passes in, and the engine
asks each protocol in turn (any protocol that grants, grants).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, and_, or_, select

from casework.meetings.agenda_window import listed_in_window, listed_where_attended
from casework.meetings.models import AgendaItem, Meeting
from casework.offenders.models import CohortMembership, Nominal
from casework.panels.models import Panel, PanelMember
from casework.sharing.asking import Asking
from casework.sharing.engine import RecordType, register
from casework.sharing.protocols import Protocol


def current_membership(today: date) -> ColumnElement[bool]:
    """A cohort spell that has not ended: no exit date, or an exit date today or later."""
    return or_(CohortMembership.exit_date.is_(None), CohortMembership.exit_date >= today)


def _conditions(asking: Asking, protocol: Protocol) -> dict[str, ColumnElement[bool]]:
    # Uncorrelated IN sets, worked out once a query rather than once a row of a list.
    ever_under_protocol = Nominal.id.in_(
        select(CohortMembership.nominal_id)
        .join(Panel, Panel.id == CohortMembership.panel_id)
        .where(Panel.protocol == protocol.key)
    )
    # An erased nominal (casework.retention) is nobody's to see, whatever a protocol grants.
    kept = Nominal.erased.is_(False)
    if asking.agency_id is None:
        return {"always": and_(kept, ever_under_protocol)}
    member_of_current_panel = Nominal.id.in_(
        select(CohortMembership.nominal_id)
        .join(Panel, Panel.id == CohortMembership.panel_id)
        .join(PanelMember, PanelMember.panel_id == Panel.id)
        .where(
            current_membership(asking.today),
            Panel.protocol == protocol.key,
            PanelMember.agency_id == asking.agency_id,
        )
    )
    on_agenda = Nominal.id.in_(
        listed_in_window(AgendaItem.nominal_id, asking, protocol, panel_under_protocol=True)
    )
    attended = Nominal.id.in_(
        listed_where_attended(AgendaItem.nominal_id, asking)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .join(Panel, Panel.id == Meeting.panel_id)
        .where(Panel.protocol == protocol.key)
    )
    conditions = {
        # Not true() as for one-protocol records: a nominal is under a protocol only through
        # a panel that works under it.
        "always": ever_under_protocol,
        "panel_member": member_of_current_panel,
        "own_agency": (Nominal.lead_agency_id == asking.agency_id) & ever_under_protocol,
        "on_agenda": on_agenda,
        "attendee": attended,
    }
    return {name: and_(kept, cond) for name, cond in conditions.items()}


NOMINAL = register(RecordType("nominal", Nominal, None, _conditions, when=("is_youth", False)))
YOUTH_RECORD = register(
    RecordType("youth_record", Nominal, None, _conditions, when=("is_youth", True))
)
