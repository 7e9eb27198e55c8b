"""How the sharing conditions read for an ASB case, as SQL the engine filters lists with.

An ASB case belongs to one panel, so its protocol is its panel's (``config/isp/asb.toml`` by
default). Its fields are declared here, with the package that defines the record type, so no
list elsewhere needs an edit for a new kind (``casework.sharing.catalogue.declare``).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, select

from casework.asb.dump import dump
from casework.asb.models import AsbCase
from casework.meetings.agenda_window import listed_in_window, listed_where_attended
from casework.meetings.models import AgendaItem
from casework.panels.models import Panel, PanelMember
from casework.sharing import catalogue
from casework.sharing.asking import Asking
from casework.sharing.engine import RecordType, register
from casework.sharing.protocols import Protocol

RECORD_TYPE = "asb_case"

FIELDS = (
    "victim.first_name",
    "victim.last_name",
    "victim.date_of_birth",
    "victim.address",
    "victim.phone",
    "location",
    "summary",
    "risk.answers",
    "risk.score",
    "risk.band",
    "repeat_victim",
    # each incident's date, type and agency; its reference number is a field of its own
    "incidents",
    "incidents.reference",
    "perpetrators.first_name",
    "perpetrators.last_name",
    "perpetrators.date_of_birth",
    "perpetrators.group_name",
    "perpetrators.description",
    "interventions",
    "community_triggers",
    "outcome",
)
HEADER = ("id", "reference", "status", "panel_id", "referral_date", "referring_agency")

catalogue.declare(RECORD_TYPE, FIELDS, HEADER)


def _protocol_key() -> ColumnElement[str]:
    return select(Panel.protocol).where(Panel.id == AsbCase.panel_id).scalar_subquery()


def _conditions(asking: Asking, protocol: Protocol) -> dict[str, ColumnElement[bool]]:
    """Members of the case's panel, the agency that referred it, member agencies while it is
    on a circulated agenda (the protocol's window), and agencies present when it was heard."""
    # An erased case (casework.retention) is nobody's to see, whatever a protocol grants.
    kept = AsbCase.erased.is_(False)
    if asking.agency_id is None:
        return {"always": kept}
    # Uncorrelated IN sets, worked out once a query rather than once a row of a list.
    member = AsbCase.panel_id.in_(
        select(PanelMember.panel_id).where(PanelMember.agency_id == asking.agency_id)
    )
    ours = AgendaItem.case_type == RECORD_TYPE
    on_agenda = AsbCase.id.in_(listed_in_window(AgendaItem.case_id, asking, protocol).where(ours))
    attended = AsbCase.id.in_(listed_where_attended(AgendaItem.case_id, asking).where(ours))
    conditions = {
        "panel_member": member,
        "own_agency": AsbCase.referring_agency_id == asking.agency_id,
        "on_agenda": on_agenda,
        "attendee": attended,
    }
    return {**{name: and_(kept, c) for name, c in conditions.items()}, "always": kept}


# ``dump``: how ``Sharing.disclose`` shows a batch of cases, pruned to what was granted.
ASB_CASE = register(RecordType(RECORD_TYPE, AsbCase, _protocol_key, _conditions, dump=dump))
