"""Agenda downloads: PDF (WeasyPrint), CSV and XLSX (openpyxl), all from ``agenda_for``.

Every format is drawn from the dict ``agenda_for(..., verb="export")`` returns, so a file can
carry nothing the sharing engine did not grant the caller's agency for export, and columns
exist only for fields some item actually shows (a housing representative's file has no
phone column at all). Each file is marked OFFICIAL-SENSITIVE and names the agency it was
prepared for on every page or sheet: PDF page margins, XLSX header, footer and top row, a
first comment row in CSV. Cells go through ``casework.exports.safe_cell`` in CSV and XLSX
alike, so a summary typed as ``=HYPERLINK(...)`` arrives as inert text.

People's names are written in their display form (``casework.names``: "amelia HART" reads
"Amelia Hart") in every format; only letter case differs from what was typed. The PDF's layout
(summary table, a case a page) is ``casework.meetings.agenda_pdf``; the XLSX is a sheet to
work in: frozen, filtered header, fitted widths, landscape print with the header repeated.

File names carry the panel, the meeting date and the version: never personal data.

Kept free of Flask: the page, the API and (later) e-mailed circulation share it.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import select

from casework.actors import Actor
from casework.dates import long_date
from casework.db import as_uuid
from casework.errors import Invalid
from casework.exports import csv_chunks, safe_cell
from casework.meetings import agenda_pdf
from casework.meetings.agenda_pdf import dig
from casework.meetings.agenda_view import MARKING, agenda_for
from casework.names import display_name, full_name
from casework.panels import kinds as panel_kinds
from casework.services import Services

FORMATS = {
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
_env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]))
_env.filters["display_name"] = display_name


@dataclass(frozen=True)
class Download:
    content: bytes
    mimetype: str
    filename: str


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value)
    return str(value)


def _people(key: str, parts: tuple[str, ...]) -> Callable[[dict[str, Any]], str]:
    """Perpetrators or children as one cell: each person's visible details, '; ' between."""

    def render(item: dict[str, Any]) -> str:
        people = []
        for person in item.get(key) or []:
            name = full_name(person.get("first_name"), person.get("last_name"))
            extra = [_text(person[p]) for p in parts if p in person and person[p]]
            people.append(", ".join(x for x in [name.strip(), *extra] if x))
        return "; ".join(p for p in people if p)

    return render


def _criteria(item: dict[str, Any]) -> str:
    return _text(item["risk"]["criteria"]).replace("_", " ")


def _dash_yes(item: dict[str, Any]) -> str:
    answers = (item.get("risk") or {}).get("dash") or {}
    yes = sorted((int(q) for q, a in answers.items() if a == "yes"), key=int)
    return ", ".join(str(q) for q in yes)


ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def _long(match: re.Match[str]) -> str:
    return long_date(date(*(int(g) for g in match.groups())))


@dataclass(frozen=True)
class Column:
    label: str
    path: str  # the field (dotted) whose presence in an item means the column is shown
    render: Callable[[dict[str, Any]], str] | None = None
    dates: bool = False  # holds dates: written out in words for people (page, PDF)
    name: bool = False  # holds a person's name: written in its display form everywhere

    def shown_in(self, item: dict[str, Any]) -> bool:
        return dig(item, self.path)[0]

    def value(self, item: dict[str, Any], human: bool = False) -> str:
        if self.render is not None:
            text = self.render(item) if self.shown_in(item) else ""
        else:
            text = _text(dig(item, self.path)[1])
        if self.name:
            text = display_name(text)
        return ISO_DATE.sub(_long, text) if human and self.dates else text


# Every meeting's own entries; a panel kind's own (a candidate) come from its registration.
OWN_ENTRIES = {"referral": "Case", "review": "Review"}


def entry_labels() -> dict[str, str]:
    """What pages and exports call each kind of agenda entry (``casework.panels.kinds``)."""
    return {**OWN_ENTRIES, **panel_kinds.entry_labels()}


COLUMNS = (
    Column("Item", "position"),
    Column("Time", "start_time", lambda i: f"{i['start_time']}-{i['end_time']}"),
    Column("Type", "kind", lambda i: entry_labels().get(i["kind"], i["kind"])),
    Column("Reference", "reference"),
    Column("First name", "first_name", name=True),
    Column("Surname", "last_name", name=True),
    Column("Date of birth", "date_of_birth", dates=True),
    Column("PNC ID", "pnc_id"),
    Column("Classification", "classification"),
    Column("Lead agency", "lead_agency"),
    Column("Referral date", "referral_date", dates=True),
    Column("Referring agency", "referring_agency"),
    Column("Victim first name", "victim.first_name", name=True),
    Column("Victim surname", "victim.last_name", name=True),
    Column("Victim date of birth", "victim.date_of_birth", dates=True),
    Column("Victim gender", "victim.gender"),
    Column("Ethnicity", "victim.ethnicity"),
    Column("BME", "victim.bme"),
    Column("LGBT", "victim.lgbt"),
    Column("Disability", "victim.disability"),
    Column("Address", "victim.address"),
    Column("Postcode", "victim.postcode"),
    Column("Phone", "victim.phone"),
    Column("Safe to call", "victim.safe_to_call"),
    Column(
        "Perpetrators",
        "perpetrators",
        _people("perpetrators", ("date_of_birth", "relationship_to_victim")),
        dates=True,
    ),
    Column("Children", "children", _people("children", ("date_of_birth",)), dates=True),
    Column("DASH score", "risk.dash_score"),
    Column("Risk band", "risk.band"),
    Column(
        "Criteria met", "risk.criteria", lambda i: _text(i["risk"]["criteria"]).replace("_", " ")
    ),
    Column("Police incidents (12 months)", "risk.police_incidents_12m"),
    Column("Professional judgement", "risk.professional_judgement"),
    Column("Reason for professional judgement", "risk.professional_judgement_reason"),
    Column("DASH questions answered yes", "risk.dash", _dash_yes),
    Column("Repeat", "repeat.is_repeat"),
    Column("Previous referral", "repeat.previous_referral_date", dates=True),
    Column("Victim aware of referral", "victim_aware"),
    Column("Consent", "consent"),
    Column("Summary", "summary"),
    Column("Action", "action.description"),
    Column("Action owner", "action.owner_agency"),
    Column("Action due", "action.due_date", dates=True),
    Column("Action status", "action.status"),
    Column("Action outcome", "action.outcome"),
)


# The PDF's case pages: one labelled section per group of columns, in this order.
PDF_GROUPS = (
    (
        "Nominal",
        ("First name", "Surname", "Date of birth", "PNC ID", "Classification", "Lead agency"),
    ),
    ("Referral", ("Referral date", "Referring agency", "IDVA")),
    (
        "Victim",
        (
            "Victim first name",
            "Victim surname",
            "Victim date of birth",
            "Victim gender",
            "Ethnicity",
            "BME",
            "LGBT",
            "Disability",
            "Address",
            "Postcode",
            "Phone",
            "Safe to call",
        ),
    ),
    ("Perpetrators", ("Perpetrators",)),
    ("Children", ("Children",)),
    (
        "Risk",
        (
            "DASH score",
            "Risk band",
            "Criteria met",
            "Police incidents (12 months)",
            "Professional judgement",
            "Reason for professional judgement",
            "DASH questions answered yes",
            "Repeat",
            "Previous referral",
        ),
    ),
    ("Referral details", ("Victim aware of referral", "Consent", "Summary")),
    ("Action", ("Action", "Action owner", "Action due", "Action status", "Action outcome")),
)


def all_columns() -> tuple[Column, ...]:
    """The meeting's own columns, then those panel kinds declare for their own entries."""
    known = {c.label for c in COLUMNS}
    kinds = tuple(
        Column(k.label, k.path, dates=k.dates)
        for k in panel_kinds.export_columns()
        if k.label not in known
    )
    return COLUMNS + kinds


def pdf_groups() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The PDF's groups of columns: the meeting's own, then each kind's, by heading."""
    groups: dict[str, list[str]] = {}
    for k in panel_kinds.export_columns():
        groups.setdefault(k.group, []).append(k.label)
    return PDF_GROUPS + tuple((name, tuple(labels)) for name, labels in groups.items())


def columns_for(agenda: dict[str, Any]) -> list[Column]:
    """Columns that at least one item shows; the rest would only ever be empty."""
    columns = all_columns()
    return [c for c in columns if any(c.shown_in(i) for i in agenda["items"])] or list(columns[:3])


def table(agenda: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    cols = columns_for(agenda)
    return [c.label for c in cols], [[c.value(i) for c in cols] for i in agenda["items"]]


def marking(agenda: dict[str, Any]) -> str:
    m = agenda["meeting"]
    who = m["recipient_agency_name"] or m["recipient_agency"] or "your agency"
    return f"{MARKING}: prepared for {who} ({m['recipient_agency']}) only"


def title(agenda: dict[str, Any]) -> str:
    m = agenda["meeting"]
    day = long_date(date.fromisoformat(m["date"]))
    state = (
        f"version {m['agenda_version']}"
        if m["agenda_status"] == "published"
        else "DRAFT, not yet circulated"
    )
    return f"Agenda: {m['panel_name']}, {day} at {m['start_time']} ({state})"


def filename(agenda: dict[str, Any], ext: str) -> str:
    """``agenda-northshire-marac-2026-12-01-v2.pdf``: panel, date and version only."""
    m = agenda["meeting"]
    slug = re.sub(r"[^a-z0-9]+", "-", m["panel_name"].lower()).strip("-")[:60] or "panel"
    version = f"v{m['agenda_version']}" if m["agenda_status"] == "published" else "draft"
    return f"agenda-{slug}-{m['date']}-{version}.{ext}"


def to_csv(agenda: dict[str, Any]) -> bytes:
    header, rows = table(agenda)
    lines = [[f"# {title(agenda)}"], header, *rows]
    return "".join(csv_chunks([f"# {marking(agenda)}"], lines)).encode("utf-8")


def _hf(text: str) -> str:
    """Excel header/footer text: '&' starts a control code, so a literal one is doubled."""
    return text.replace("&", "&&")


XLSX_HEADER_ROW = 3  # under the marking and the title
XLSX_MIN_WIDTH, XLSX_MAX_WIDTH = 8, 50  # characters; longer text wraps inside the cap


def _width(values: list[str]) -> int:
    """A column's width in characters: its longest line plus a margin, within the caps."""
    longest = max((len(line) for v in values for line in v.splitlines() or [""]), default=0)
    return max(XLSX_MIN_WIDTH, min(XLSX_MAX_WIDTH, longest + 2))


def to_xlsx(agenda: dict[str, Any]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    def cell(value: object) -> str:
        return ILLEGAL_CHARACTERS_RE.sub("", safe_cell(value))

    header, rows = table(agenda)
    header, rows = [cell(h) for h in header], [[cell(v) for v in row] for row in rows]
    book = Workbook()
    sheet = book.active
    sheet.title = "Agenda"
    book.properties.title = "Meeting agenda"
    book.properties.creator = "casework"
    sheet.append([cell(marking(agenda))])
    sheet.append([cell(title(agenda))])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    for c in sheet[1] + sheet[XLSX_HEADER_ROW]:
        c.font = Font(bold=True)
    top = Alignment(vertical="top", wrap_text=True)
    for ws_cell in (c for r in sheet.iter_rows() for c in r):
        ws_cell.data_type = "s"  # text, never a formula, whatever the value looks like
        if ws_cell.row >= XLSX_HEADER_ROW:
            ws_cell.alignment = top
    for n, label in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(n)].width = _width(
            [label, *(r[n - 1] for r in rows)]
        )
    last = f"{get_column_letter(max(len(header), 1))}{XLSX_HEADER_ROW + len(rows)}"
    sheet.auto_filter.ref = f"A{XLSX_HEADER_ROW}:{last}"
    sheet.freeze_panes = f"A{XLSX_HEADER_ROW + 1}"
    for hf in (sheet.oddHeader, sheet.evenHeader, sheet.firstHeader):
        hf.left.text = _hf(MARKING)
        hf.right.text = _hf(marking(agenda))
    for hf in (sheet.oddFooter, sheet.evenFooter, sheet.firstFooter):
        hf.left.text = _hf(MARKING)
        hf.right.text = "Page &P of &N"
    # Printed: landscape A4, the header row on every page, as wide as one page, as long as it is.
    sheet.print_title_rows = f"{XLSX_HEADER_ROW}:{XLSX_HEADER_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# Shown on case pages only (the CSV and XLSX keep their columns): who the case's IDVA is.
IDVA = Column(
    "IDVA",
    "assigned_idva",
    lambda i: i.get("assigned_idva_name") or ("Assigned" if i.get("assigned_idva") else ""),
)


def pdf_html(agenda: dict[str, Any]) -> str:
    """The HTML WeasyPrint lays out (kept separate so tests can read what went in)."""
    items = agenda["items"]
    kinds = entry_labels()
    cols = columns_for(agenda) + ([IDVA] if any(IDVA.shown_in(i) for i in items) else [])
    groups = pdf_groups()
    summary = agenda_pdf.summary_columns(items, kinds)
    total = sum(c.width for c in summary) or 1
    return _env.get_template("agenda/pdf.html").render(
        agenda=agenda,
        meeting=agenda["meeting"],
        marking=marking(agenda),
        title=title(agenda),
        summary=[(c.label, round(100 * c.width / total, 2)) for c in summary],
        rows=[[c.cell(i) for c in summary] for i in items],
        cases=[(agenda_pdf.heading(i, kinds), agenda_pdf.sections(i, cols, groups)) for i in items],
    )


def to_pdf(agenda: dict[str, Any]) -> bytes:
    from weasyprint import HTML

    return HTML(string=pdf_html(agenda), base_url=str(TEMPLATES)).write_pdf()


RENDER = {"pdf": to_pdf, "csv": to_csv, "xlsx": to_xlsx}


def check_format(fmt: str | None) -> str:
    if fmt not in FORMATS:
        raise Invalid({"format": ["Choose pdf, csv or xlsx"]}, code="invalid")
    return fmt


def download(svc: Services, actor: Actor, meeting_id: Any, fmt: str | None) -> Download:
    """The agenda as a file for the caller's agency; audited by ``agenda_for`` as an export
    and a disclosure to that agency."""
    fmt = check_format(fmt)
    agenda = with_idva_names(svc, agenda_for(svc, actor, meeting_id, verb="export", fmt=fmt))
    return Download(RENDER[fmt](agenda), FORMATS[fmt], filename(agenda, fmt))


def with_idva_names(svc: Services, agenda: dict[str, Any]) -> dict[str, Any]:
    """Items that show their assigned IDVA (the engine granted ``assigned_idva``) also carry
    the IDVA's name, for people to read: staff names are not case data, so no disclosure."""
    from casework.accounts.models import User

    ids = {as_uuid(i["assigned_idva"]) for i in agenda["items"] if i.get("assigned_idva")}
    ids.discard(None)
    if not ids:
        return agenda
    names = {
        str(uid): name
        for uid, name in svc.session.execute(select(User.id, User.name).where(User.id.in_(ids)))
    }
    items = [
        {**i, "assigned_idva_name": names.get(str(i["assigned_idva"]), "")}
        if i.get("assigned_idva")
        else i
        for i in agenda["items"]
    ]
    return {**agenda, "items": items}
