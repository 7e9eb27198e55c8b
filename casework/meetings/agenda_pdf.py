"""The agenda as a PDF people read: a landscape summary table, then one case a page.

Drawn, like every download, from ``agenda_for(..., verb="export")``: a cell or a section exists
only for fields the sharing engine granted the reader's agency, so a housing representative's
summary has no IDVA column and their case pages no contact section at all. What an item does
not hold is left out rather than printed as "(none)".

* **Summary** (landscape): item, time, reference, who the case is about and their date of
  birth, perpetrators, number of children, referring agency, repeat, IDVA for MARAC; an
  offender panel's nominal, PNC ID, classification and lead agency; and any column a panel
  kind marks ``summary``. A column appears only if some item on the agenda shows it.
* **Case pages** (portrait), one per item: the ``pdf_groups`` of ``agenda_export`` as labelled
  sections, a person a line.
* **Every page**: the marking and the recipient agency once in the header and once in the
  footer (CSS margin boxes fed by one running element, so a name with "&" is text, never CSS),
  and "Page n of N".

Speed: WeasyPrint's cost is in table layout, so the summary uses ``table-layout: fixed`` with
declared widths and the case pages are plain blocks; 40 cases print well under two seconds
(``bench/bench_agenda.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from casework.dates import long_date
from casework.names import full_name
from casework.panels import kinds as panel_kinds

Lines = list[str]


def _born(value: Any) -> str:
    try:
        return f"born {long_date(date.fromisoformat(str(value)))}"
    except ValueError:
        return ""


def person_name(person: dict[str, Any]) -> str:
    """A person's (or a group's) name in display form, from whichever parts were shared."""
    name = full_name(person.get("first_name"), person.get("last_name"))
    return name or str(person.get("group_name") or "")


def _who(node: dict[str, Any] | None) -> Lines:
    if not isinstance(node, dict):
        return []
    born = _born(node["date_of_birth"]) if node.get("date_of_birth") else ""
    return [x for x in (person_name(node), born) if x]


def _yes_no(value: Any) -> Lines:
    return [] if value is None else ["Yes" if value else "No"]


def _text(value: Any) -> Lines:
    return [] if value in (None, "", []) else [str(value)]


def dig(item: dict[str, Any], path: str) -> tuple[bool, Any]:
    """Whether an agenda entry shows the dotted ``path``, and its value: an entry holds only
    what the engine granted, so presence is what decides a column."""
    node: Any = item
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return False, None
        node = node[part]
    return True, node


@dataclass(frozen=True)
class SummaryColumn:
    """A column of the summary table: shown if some item holds any of ``paths``."""

    label: str
    paths: tuple[str, ...]
    cell: Callable[[dict[str, Any]], Lines]
    width: int  # relative width: the table is laid out fixed, never measured cell by cell

    def shown_in(self, item: dict[str, Any]) -> bool:
        return any(dig(item, p)[0] for p in self.paths)


def _field(path: str, as_lines: Callable[[Any], Lines] = _text) -> Callable[..., Lines]:
    return lambda item: as_lines(dig(item, path)[1])


def _people_names(item: dict[str, Any]) -> Lines:
    return [n for n in (person_name(p) for p in item.get("perpetrators") or []) if n]


def _children(item: dict[str, Any]) -> Lines:
    return [str(len(item.get("children") or []))]


def _nominal(item: dict[str, Any]) -> Lines:
    return _who({k: item[k] for k in ("first_name", "last_name", "date_of_birth") if k in item})


def _idva(item: dict[str, Any]) -> Lines:
    """The assigned IDVA's name (staff names are not case data); blank when none is."""
    if not item.get("assigned_idva"):
        return []
    return [item.get("assigned_idva_name") or "Assigned"]


SUMMARY = (
    SummaryColumn("Item", ("position",), _field("position"), 4),
    SummaryColumn(
        "Time", ("start_time",), lambda i: [f"{i['start_time']}\u2013{i['end_time']}"], 8
    ),
    SummaryColumn("Reference", ("reference",), _field("reference"), 11),
    SummaryColumn(
        "Victim",
        ("victim.first_name", "victim.last_name", "victim.date_of_birth"),
        lambda i: _who(i.get("victim")),
        16,
    ),
    SummaryColumn("Nominal", ("first_name", "last_name", "date_of_birth"), _nominal, 16),
    SummaryColumn("PNC ID", ("pnc_id",), _field("pnc_id"), 10),
    SummaryColumn("Classification", ("classification",), _field("classification"), 9),
    SummaryColumn("Lead agency", ("lead_agency",), _field("lead_agency"), 10),
    SummaryColumn(
        "Perpetrators",
        ("perpetrators.first_name", "perpetrators.last_name", "perpetrators"),
        _people_names,
        16,
    ),
    SummaryColumn("Children", ("children",), _children, 6),
    SummaryColumn("Referring agency", ("referring_agency",), _field("referring_agency"), 11),
    SummaryColumn("Repeat", ("repeat.is_repeat",), _field("repeat.is_repeat", _yes_no), 6),
    SummaryColumn("IDVA", ("assigned_idva",), _idva, 10),
)


def _kind_summary() -> tuple[SummaryColumn, ...]:
    """Columns a panel kind marks for the summary (``ExportColumn.summary``)."""
    return tuple(
        SummaryColumn(k.label, (k.path,), _field(k.path), 9)
        for k in panel_kinds.export_columns()
        if k.summary
    )


def summary_columns(items: list[dict[str, Any]], kinds: dict[str, str]) -> list[SummaryColumn]:
    """The summary's columns for these items: a type column only if the kinds differ."""
    columns = [c for c in (*SUMMARY, *_kind_summary()) if any(c.shown_in(i) for i in items)]
    if len({i["kind"] for i in items}) > 1:
        label = SummaryColumn("Type", ("kind",), lambda i: [kinds.get(i["kind"], i["kind"])], 7)
        columns.insert(2, label)
    return columns


def heading(item: dict[str, Any], kinds: dict[str, str]) -> str:
    """ "3. 10:30 to 10:45: Case MRC-0003, Amelia Hart": what a loose page is about."""
    who = _who(item.get("victim"))[:1] or _nominal(item)[:1]
    ref = ", ".join(x for x in (item.get("reference"), *who) if x)
    kind = kinds.get(item["kind"], item["kind"])
    return f"{item['position']}. {item['start_time']} to {item['end_time']}: {kind} {ref}".strip()


PERSON_DETAILS = ("relationship_to_victim", "description")


def person_line(person: dict[str, Any]) -> str:
    """ "Sam Roe, born 2 March 1985, partner": one person (or group) on one line."""
    born = _born(person["date_of_birth"]) if person.get("date_of_birth") else ""
    details = [str(person[k]) for k in PERSON_DETAILS if person.get(k)]
    return ", ".join(x for x in (person_name(person), born, *details) if x)


Row = tuple[str, Lines]  # label ("" when the section's heading says it), lines of text


# Sections about one person or thing, where "Victim gender" reads "Gender" under "Victim".
SHORT_LABELS = ("Victim", "Action")


def _row_label(label: str, group: str) -> str:
    prefix = group + " "
    if group in SHORT_LABELS and label.startswith(prefix):
        rest = label.removeprefix(prefix)
        return rest[:1].upper() + rest[1:]
    return label


def section_rows(item: dict[str, Any], group: str, columns: list[Any]) -> list[Row]:
    """The rows one section of a case page shows: each column this item holds a value for,
    first and last names as one "Name", a person a line; empty values are left out."""
    rows: list[Row] = []
    names = [c for c in columns if c.label.lower().endswith(("first name", "surname"))]
    if names:
        parts = [dig(item, c.path)[1] for c in names]
        name = full_name(*parts)
        if name:
            rows.append(("Name", [name]))
    for column in columns:
        if column in names:
            continue
        raw = dig(item, column.path)[1]
        if isinstance(raw, list) and raw and all(isinstance(p, dict) for p in raw):
            # People, a person a line: the section's heading ("Perpetrators") says who.
            lines = [x for x in (person_line(p) for p in raw) if x]
            label = "" if column.label == group else column.label
        else:
            text = column.value(item, human=True)
            lines, label = ([text] if text else []), _row_label(column.label, group)
        if lines:
            rows.append((label, lines))
    return rows


def sections(
    item: dict[str, Any], columns: list[Any], groups: tuple[tuple[str, tuple[str, ...]], ...]
) -> list[tuple[str, list[Row]]]:
    """A case page's labelled sections, in ``groups`` order; a section with nothing is left
    out, so a reader never sees a heading over an empty box."""
    by_label = {c.label: c for c in columns}
    out = []
    for group, labels in groups:
        shown = [by_label[x] for x in labels if x in by_label and by_label[x].shown_in(item)]
        rows = section_rows(item, group, shown) if shown else []
        if rows:
            out.append((group, rows))
    return out
