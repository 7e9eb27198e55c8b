"""The kinds of panel casework runs (MARAC, PPO, Prevent and Deter, IOM, ...): one registry.

A kind is declared once, by the package that implements it, as a record type is declared to
the sharing engine (``casework.sharing.engine.RecordType``): its code and label, the protocol a
new panel of the kind works under by default, the record types its panels disclose, what it
adds to an agenda and how those entries are shown, and which statistics it has. Everything
that lists or shows kinds (panel validation, protocol files, pages, meetings, agendas,
statistics) asks this module, so adding a kind is its own package, its protocol file, its
templates and a migration, plus one ``register`` call: if code elsewhere needs
``if kind == ...``, a hook is missing here.

Kinds register when their package's ``kinds`` module is imported; ``casework.policies`` (which
``casework.bootstrap`` imports) imports them all, before any protocol file is read.

This module imports nothing of the application: the layers below meetings and offenders
(sharing, panels) read it, and the packages above fill in its hooks, so the registry is how a
lower layer calls a higher one without importing it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class AgendaShown:
    """What a kind's hook shows of the agenda items it owns, for one reader.

    ``entries`` maps each owned item's id to its agenda entry without the slot (position and
    times, which the meeting adds), or to None when the reader may see nothing of it (the item
    is then omitted). ``disclosed`` are the ``Disclosed`` records behind those entries, so an
    export's single "disclose" audit entry names their fields too.
    """

    entries: dict[uuid.UUID, dict[str, Any] | None]
    disclosed: Sequence[Any] = ()


# (svc, meeting) -> how many items the kind added to the meeting's draft agenda.
DraftHook = Callable[[Any, Any], int]
# (svc, actor, items, disclosing) -> the owned items' entries; ``disclosing`` is the keyword
# arguments of ``Sharing.disclosures`` for the door the agenda leaves by (verb, audit, recipient).
ShowHook = Callable[[Any, Any, list[Any], dict[str, Any]], AgendaShown]


@dataclass(frozen=True)
class ExportColumn:
    """A column of agenda downloads for a kind's own entries: the dotted field of an entry
    whose presence shows it, under a heading (``group``) in the PDF. Like the meeting's own
    columns, it appears only when some item of the file shows that field."""

    label: str
    path: str
    group: str
    dates: bool = False  # holds ISO dates, written out in words for people
    summary: bool = False  # also a column of the PDF's summary table (its first page)


@dataclass(frozen=True)
class AgendaHooks:
    """A kind's part in its meetings' agendas, beside the entries every meeting has (the
    panel's listed referrals and reviews of open actions, ``casework.meetings.agenda``).
    None: the kind adds nothing of its own there."""

    draft: DraftHook | None = None
    show: ShowHook | None = None
    # How the entries ``show`` returns are laid out in PDF, CSV and XLSX downloads.
    columns: tuple[ExportColumn, ...] = ()


@dataclass(frozen=True)
class KindPage:
    """A page of a kind's own in the service navigation, offered to people whose agency sits
    on a panel of the kind (``casework.web.kind_nav``)."""

    text: str  # the link's text ("ASB cases")
    endpoint: str  # the Flask endpoint it leads to ("web.asb_case_list")
    active_prefix: str  # endpoints starting with this mark the link as the current page
    roles: tuple[str, ...] = ()  # who is offered it (``casework.roles``); empty: case roles


@dataclass(frozen=True)
class PanelKind:
    code: str  # stored in ``panels.kind`` and named in protocols' ``panel_kinds``
    label: str  # what pages call it ("Prevent and Deter")
    # The protocol file (config/isp/<protocol>.toml) a new panel of this kind gets by default.
    protocol: str
    # The record types (casework.sharing.catalogue) its panels' cases are disclosed as.
    record_types: tuple[str, ...] = ()
    agenda: AgendaHooks = field(default_factory=AgendaHooks)
    # The agenda entry kinds it adds (``AgendaItem.kind``) and what pages and exports call them.
    entries: dict[str, str] = field(default_factory=dict)
    # The statistics sets (``"marac"``: the SafeLives MARAC figures; ``"offenders"``) it counts in.
    statistics: tuple[str, ...] = ()
    # The record type (registered with the sharing engine) of the kind's own cases, listed on
    # its agendas, minuted and given actions by ``case_type``/``case_id`` (``AgendaItem``,
    # ``Minute``, ``CaseAction``, ``ResearchNote``) rather than by a column per kind. None:
    # the kind's agendas list referrals (MARAC) or nominals (offender panels).
    case_record: str | None = None
    # Its pages in the service navigation (several kinds may name the same page: it is offered
    # once).
    pages: tuple[KindPage, ...] = ()
    # Checks the kind's own settings when the service starts (``casework.bootstrap``), raising
    # ``casework.settings.ConfigError`` naming what is wrong, as a bad protocol file does.
    check_settings: Callable[[Any], None] | None = None


_kinds: dict[str, PanelKind] = {}


def register(panel_kind: PanelKind) -> PanelKind:
    """Declare a kind (a second declaration of a code replaces the first, as for record
    types, so a test can redefine one). Registration order is the order kinds are listed in."""
    _kinds[panel_kind.code] = panel_kind
    return panel_kind


def unregister(code: str) -> None:
    """Forget a kind: for tests that declare a throw-away one."""
    _kinds.pop(code, None)


def kind(code: str) -> PanelKind:
    """The kind with this code; ``KeyError`` for a code nobody registered."""
    return _kinds[code]


def all_kinds() -> tuple[PanelKind, ...]:
    return tuple(_kinds.values())


def codes() -> tuple[str, ...]:
    """Every registered kind's code: what a panel's ``kind`` and a protocol may name."""
    return tuple(_kinds)


def labels() -> dict[str, str]:
    """Code -> label, in registration order (for pages and downloads)."""
    return {k.code: k.label for k in _kinds.values()}


def label(code: str) -> str:
    """A kind's label; an unknown code is shown as itself rather than failing a page."""
    found = _kinds.get(code)
    return found.label if found is not None else code


def disclosing(record_type: str) -> tuple[str, ...]:
    """The kinds whose panels hold this record type (``"referral"``: panels taking referrals)."""
    return tuple(k.code for k in _kinds.values() if record_type in k.record_types)


def with_statistics(name: str) -> tuple[str, ...]:
    """The kinds counted in this statistics set (``"marac"``: the MARAC figures)."""
    return tuple(k.code for k in _kinds.values() if name in k.statistics)


def entry_labels() -> dict[str, str]:
    """Agenda entry kind -> its name on pages and in exports, for every kind's own entries."""
    return {entry: name for k in _kinds.values() for entry, name in k.entries.items()}


def case_record(code: str) -> str | None:
    """The record type of a kind's own cases (``PanelKind.case_record``); None if it has none."""
    found = _kinds.get(code)
    return found.case_record if found is not None else None


def case_records() -> tuple[str, ...]:
    """Every kind's own case record type: what ``AgendaItem.case_type`` may hold."""
    return tuple(dict.fromkeys(k.case_record for k in _kinds.values() if k.case_record))


def export_columns() -> tuple[ExportColumn, ...]:
    """Every kind's download columns, in registration order (a label once)."""
    seen: dict[str, ExportColumn] = {}
    for k in _kinds.values():
        for column in k.agenda.columns:
            seen.setdefault(column.label, column)
    return tuple(seen.values())


def check_settings(settings: Any) -> None:
    """Run every kind's settings check (the first problem stops the service)."""
    for k in _kinds.values():
        if k.check_settings is not None:
            k.check_settings(settings)


def agenda_hooks(code: str) -> AgendaHooks:
    """A kind's agenda hooks; a panel of an unregistered kind adds and shows nothing extra."""
    found = _kinds.get(code)
    return found.agenda if found is not None else AgendaHooks()
