"""How the sharing conditions read for what a meeting produces: research notes, minutes and
actions, as SQL the engine filters lists with and decides single records by.

Each record belongs to a meeting, so its protocol is the protocol of the meeting's panel.
Only the conditions that make sense for a record type are answered; every other condition is
false for it (deny by default), so a research note can never be reached through "panel
member" or "on the agenda" whatever a protocol says.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import ColumnElement, and_, or_, select

from casework.meetings import disclosed
from casework.meetings.agenda_window import (
    attended_meetings,
    listed_in_window,
    meetings_in_window,
)
from casework.meetings.models import (
    ActionChange,
    AgendaItem,
    CaseAction,
    Meeting,
    Minute,
    ResearchNote,
)
from casework.panels.models import Panel, PanelMember
from casework.sharing.asking import Asking
from casework.sharing.engine import RecordType, register
from casework.sharing.protocols import Protocol


def _protocol_via_meeting(model: type) -> Callable[[], ColumnElement[str]]:
    def key() -> ColumnElement[str]:
        return (
            select(Panel.protocol)
            .join(Meeting, Meeting.panel_id == Panel.id)
            .where(Meeting.id == model.meeting_id)
            .scalar_subquery()
        )

    return key


# The conditions are uncorrelated IN sets, worked out once a query: a correlated EXISTS
# would run once for every row a list filters (docs/layout.md, Adding a kind).


def _member_of_meeting_panel(model: type, asking: Asking) -> ColumnElement[bool]:
    return model.meeting_id.in_(
        select(Meeting.id)
        .join(PanelMember, PanelMember.panel_id == Meeting.panel_id)
        .where(PanelMember.agency_id == asking.agency_id)
    )


def _research_conditions(asking: Asking, protocol: Protocol) -> dict[str, ColumnElement[bool]]:
    """A note is its agency's own; beyond that, only a note its agency chose to share
    (``shared_research``), and only as far as the protocol grants who reads it then."""
    if asking.agency_id is None:
        return {}
    return {
        "own_research": ResearchNote.agency_id == asking.agency_id,
        "shared_research": _shared_research(asking, protocol),
    }


def _shared_research(asking: Asking, protocol: Protocol) -> ColumnElement[bool]:
    """The note is marked "share before the meeting", the reader's agency is a member of
    the meeting's panel, and the meeting is in its sharing window: agenda circulated, not
    cancelled, until the protocol's days after it (the window ``on_agenda`` uses)."""
    in_window = ResearchNote.meeting_id.in_(meetings_in_window(asking, protocol))
    return and_(ResearchNote.shared_before_meeting.is_(True), in_window)


def _minute_conditions(asking: Asking, protocol: Protocol) -> dict[str, ColumnElement[bool]]:
    """Minutes follow attendance at *their* meeting: an agency that sent apologies, or was
    not there, does not read what was said."""
    if asking.agency_id is None:
        return {}
    attended = Minute.meeting_id.in_(attended_meetings(asking))
    return {"attendee": attended, "panel_member": _member_of_meeting_panel(Minute, asking)}


def _action_conditions(asking: Asking, protocol: Protocol) -> dict[str, ColumnElement[bool]]:
    """An action is seen by the agency that owns it and, like the case itself, by member
    agencies while the case (or the action, as a review item) is on a circulated agenda of
    their panel, until the protocol's window after that meeting closes."""
    if asking.agency_id is None:
        return {}
    on_agenda = or_(
        CaseAction.referral_id.in_(listed_in_window(AgendaItem.referral_id, asking, protocol)),
        CaseAction.case_id.in_(listed_in_window(AgendaItem.case_id, asking, protocol)),
        CaseAction.id.in_(listed_in_window(AgendaItem.action_id, asking, protocol)),
    )
    # An agency an action was moved away from (a correction of its owner) keeps seeing it:
    # the correction must reach the agency that no longer owns it, not vanish from its view.
    moved_from_us = CaseAction.id.in_(
        select(ActionChange.action_id).where(ActionChange.owner_before_id == asking.agency_id)
    )
    return {
        "own_agency": or_(CaseAction.owner_agency_id == asking.agency_id, moved_from_us),
        "on_agenda": on_agenda,
        "panel_member": _member_of_meeting_panel(CaseAction, asking),
    }


RESEARCH_NOTE = register(
    RecordType(
        "research_note",
        ResearchNote,
        _protocol_via_meeting(ResearchNote),
        _research_conditions,
        dump=disclosed.research_notes,
    )
)
MINUTE = register(RecordType("minute", Minute, _protocol_via_meeting(Minute), _minute_conditions))
ACTION = register(
    RecordType(
        "action",
        CaseAction,
        _protocol_via_meeting(CaseAction),
        _action_conditions,
        dump=disclosed.actions,
    )
)
