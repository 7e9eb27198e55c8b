"""How the sharing conditions read for a referral, as SQL the engine can filter lists with."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.orm import Session, joinedload

from casework.agencies.actions import agency_codes
from casework.meetings.agenda_window import listed_in_window, listed_where_attended
from casework.meetings.models import AgendaItem
from casework.panels.models import Panel, PanelMember
from casework.referrals.models import Referral
from casework.referrals.serialise import visible_referral
from casework.sharing.asking import Asking
from casework.sharing.engine import RecordType, register
from casework.sharing.protocols import Protocol


def _protocol_key() -> ColumnElement[str]:
    return select(Panel.protocol).where(Panel.id == Referral.panel_id).scalar_subquery()


def _conditions(asking: Asking, protocol: Protocol) -> dict[str, ColumnElement[bool]]:
    if asking.agency_id is None:
        return {"always": Referral.erased.is_(False)}
    # Uncorrelated ``IN`` sets, each worked out once a query: a list filters every referral
    # of a month by these, and a subquery per row was most of its time at volume.
    member_of_referral_panel = Referral.panel_id.in_(
        select(PanelMember.panel_id).where(PanelMember.agency_id == asking.agency_id)
    )
    on_agenda = Referral.id.in_(listed_in_window(AgendaItem.referral_id, asking, protocol))
    attended = Referral.id.in_(listed_where_attended(AgendaItem.referral_id, asking))
    conditions: dict[str, ColumnElement[bool]] = {
        "panel_member": member_of_referral_panel,
        "own_agency": Referral.referring_agency_id == asking.agency_id,
        "on_agenda": on_agenda,
        "attendee": attended,
    }
    if asking.user_id is not None:
        conditions["assigned_idva"] = Referral.assigned_idva_id == asking.user_id
    # An erased referral (casework.retention) is nobody's to see, whatever a protocol grants.
    kept = Referral.erased.is_(False)
    conditions = {name: and_(kept, cond) for name, cond in conditions.items()}
    conditions["always"] = kept
    return conditions


def _dump(
    session: Session, referrals: Sequence[Referral], shown: Mapping[Any, frozenset[str]]
) -> dict[Any, dict[str, Any]]:
    """Referrals as disclosed: the header, the referring agency's code and the fields shown."""
    codes = agency_codes(session, (r.referring_agency_id for r in referrals))
    return {
        r.id: visible_referral(r, shown[r.id], codes.get(r.referring_agency_id)) for r in referrals
    }


# One referral is read with its people joined (``RecordType.get_options``).
_WITH_PEOPLE = (joinedload(Referral.perpetrators), joinedload(Referral.children))
REFERRAL = register(
    RecordType(
        "referral", Referral, _protocol_key, _conditions, dump=_dump, get_options=_WITH_PEOPLE
    )
)
