"""The protocols' ``on_agenda`` and ``attendee`` conditions as SQL, for every record type that
uses them.

An agency sees a case while it is on the agenda of a meeting of a panel the agency belongs
to: from the moment the agenda is circulated until the protocol's number of days after the
meeting; never for a cancelled meeting. An agency present at a meeting sees what was listed
at it, and its minutes.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, select

from casework.meetings.models import AgendaItem, Attendance, Meeting
from casework.panels.models import Panel, PanelMember
from casework.sharing.asking import Asking
from casework.sharing.protocols import Protocol


def listed_in_window(
    column: ColumnElement[Any],
    asking: Asking,
    protocol: Protocol,
    *,
    panel_under_protocol: bool = False,
) -> Select[tuple[Any]]:
    """The values of ``column`` (an agenda item's) over the items in the sharing window, for
    ``record.id IN (...)``: uncorrelated, the database works the set out once a query, where
    an ``EXISTS`` per row of a month of 28,000 referrals was most of a list's time. Add
    ``.where`` for the record's own kind of item.

    ``panel_under_protocol`` also requires the meeting's panel to work under ``protocol``
    (for records, such as nominals, that belong to no single panel)."""
    stmt = _in_window(select(column), asking, protocol, panel_under_protocol)
    return stmt.where(column.is_not(None))


def meetings_in_window(asking: Asking, protocol: Protocol) -> Select[tuple[Any]]:
    """The ids of the meetings in the sharing window for the asking agency: of a panel it
    belongs to, agenda circulated, not cancelled, until the protocol's days after."""
    return (
        select(Meeting.id)
        .join(PanelMember, PanelMember.panel_id == Meeting.panel_id)
        .where(*_window(asking, protocol))
    )


def _in_window(
    stmt: Select[Any], asking: Asking, protocol: Protocol, panel_under_protocol: bool
) -> Select[Any]:
    stmt = (
        stmt.select_from(AgendaItem)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .join(PanelMember, PanelMember.panel_id == Meeting.panel_id)
        .where(*_window(asking, protocol))
    )
    if panel_under_protocol:
        stmt = stmt.join(Panel, Panel.id == Meeting.panel_id).where(Panel.protocol == protocol.key)
    return stmt


def _window(asking: Asking, protocol: Protocol) -> list[ColumnElement[bool]]:
    """The sharing window, on ``Meeting`` and the ``PanelMember`` row joined to it."""
    return [
        PanelMember.agency_id == asking.agency_id,
        Meeting.status != "cancelled",
        Meeting.circulated_at.is_not(None),
        Meeting.circulated_at <= asking.now,
        Meeting.starts_at >= asking.since(protocol.agenda_days_after_meeting),
    ]


def attended_meetings(asking: Asking) -> Select[tuple[Any]]:
    """The ids of the meetings the asking agency was present at."""
    return select(Attendance.meeting_id).where(*_present(asking))


def listed_where_attended(column: ColumnElement[Any], asking: Asking) -> Select[tuple[Any]]:
    """The values of ``column`` (an agenda item's) over the items of meetings the asking
    agency was present at, for ``record.id IN (...)``; add ``.where`` (or joins) for the
    record's own kind of item."""
    return (
        select(column)
        .select_from(AgendaItem)
        .join(Attendance, Attendance.meeting_id == AgendaItem.meeting_id)
        .where(column.is_not(None), *_present(asking))
    )


def _present(asking: Asking) -> list[ColumnElement[bool]]:
    return [Attendance.agency_id == asking.agency_id, Attendance.status == "present"]
