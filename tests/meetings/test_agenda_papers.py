"""Agenda papers people can read (issue 14, section 4): the PDF opens with a landscape summary
table and gives each case a page of labelled sections, marked once at the top and once at the
bottom of every page; the XLSX is a sheet to work in; names read in one display form.

The PDF is read back by text extraction (pypdf), with each piece of text's position, so the
header and footer can be told from the page body."""

from __future__ import annotations

import csv
import importlib.util
import io
from typing import Any

import pytest
from flask.testing import FlaskClient

from casework.meetings import agenda, agenda_export
from casework.meetings.agenda_view import agenda_for
from casework.meetings.models import Meeting
from casework.referrals import lifecycle
from casework.referrals.actions import get_referral
from tests.conftest import Factory, need, sign_in
from tests.meetings.agenda_setup import Partnership, partnership

MARK = "OFFICIAL-SENSITIVE"
MM = 72 / 25.4  # PDF points per millimetre
HEADER_MM, FOOTER_MM = 18, 16  # the page margins in agenda/pdf.html


@pytest.fixture()
def p(factory: Factory) -> Partnership:
    return partnership(factory)


def _published(p: Partnership, cases: int = 3, **changes: object) -> Meeting:
    meeting = p.meeting()
    for _ in range(cases):
        p.refer(**changes)
    agenda.build_draft(p.svc, meeting)
    agenda.publish_agenda(p.svc, p.actor("coordinator"), meeting.id)
    p.svc.session.commit()
    return meeting


def _download(p: Partnership, who: str, meeting: Meeting, fmt: str) -> bytes:
    return agenda_export.download(p.svc, p.actor(who), meeting.id, fmt).content


class Page:
    """One PDF page's text, split by where it sits: header margin, body, footer margin; the
    body also as lines read left to right, top to bottom (a label beside its value)."""

    def __init__(self, page: Any) -> None:
        self.width, self.height = float(page.mediabox.width), float(page.mediabox.height)
        self.header: list[str] = []
        self.footer: list[str] = []
        self.body: list[str] = []
        placed: list[tuple[float, float, str]] = []

        def visit(text: str, cm: list[float], tm: list[float], *_: Any) -> None:
            if not text.strip():
                return
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]  # where the text matrix puts it
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            if y > self.height - HEADER_MM * MM:
                self.header.append(text)
            elif y < FOOTER_MM * MM:
                self.footer.append(text)
            else:
                self.body.append(text)
                placed.append((-round(y), x, " ".join(text.split())))

        page.extract_text(visitor_text=visit)
        self.text = page.extract_text()
        rows: dict[int, list[tuple[float, str]]] = {}
        for y, x, text in placed:
            rows.setdefault(int(y), []).append((x, text))
        self.lines = [" ".join(t for _, t in sorted(rows[y])) for y in sorted(rows)]

    @property
    def landscape(self) -> bool:
        return self.width > self.height


def _pages(data: bytes) -> list[Page]:
    need(importlib.util.find_spec("pypdf") is not None, "pypdf is not installed")
    from pypdf import PdfReader

    return [Page(page) for page in PdfReader(io.BytesIO(data)).pages]


def test_every_page_carries_the_marking_once_in_its_header_and_once_in_its_footer(
    p: Partnership,
) -> None:
    meeting = _published(p, cases=4)

    pages = _pages(_download(p, "housing", meeting, "pdf"))

    assert len(pages) == 5  # the summary, then a page for each case
    for n, page in enumerate(pages, start=1):
        header, footer, body = (
            " ".join(" ".join(x).split()) for x in (page.header, page.footer, page.body)
        )
        assert header.count(MARK) == 1 and "HSG & partners (HSG)" in header, n
        assert footer.count(MARK) == 1 and "HSG & partners (HSG)" in footer, n
        assert MARK not in body, n
        assert f"Page {n} of 5" in footer


def test_the_pdf_opens_with_a_landscape_summary_of_what_the_reader_may_see(
    p: Partnership,
) -> None:
    meeting = _published(p, cases=1, victim__first_name="amelia", victim__last_name="HART")
    p.users["idva"].name = "Josephine Quill"
    first = agenda_for(p.svc, p.actor("coordinator"), meeting.id)["items"][0]["referral_id"]
    idva = {"user_id": str(p.users["idva"].id)}
    lifecycle.assign_idva(p.svc, p.actor("coordinator"), first, idva)
    p.svc.session.commit()

    police = _pages(_download(p, "referrer", meeting, "pdf"))
    housing = _pages(_download(p, "housing", meeting, "pdf"))

    assert police[0].landscape and not police[1].landscape
    summary = police[0].text
    for heading in ("Item", "Time", "Reference", "Victim", "Perpetrators", "Children"):
        assert heading in summary
    assert "Referring agency" in summary and "Repeat" in summary and "IDVA" in summary
    assert (
        "Amelia Hart" in summary and "born 1 April 1990" in summary and "Josephine Quill" in summary
    )
    # Housing may not see the referral narrative, so no IDVA column at all.
    assert "Victim" in housing[0].text and "IDVA" not in housing[0].text
    assert "Amelia Hart" in housing[0].text and "Quill" not in " ".join(p.text for p in housing)


def test_each_case_has_a_page_of_labelled_sections_without_empty_fields(
    p: Partnership,
) -> None:
    meeting = _published(p, cases=2, victim__ethnicity=None, victim__disability=None, children=[])

    pages = _pages(_download(p, "referrer", meeting, "pdf"))

    assert len(pages) == 3
    for n, page in enumerate(pages[1:], start=1):
        lines = page.lines
        assert lines[0].startswith(f"{n}. 1") and ": Case " in lines[0]  # "1. 10:00 to 10:15"
        for section in ("Victim", "Perpetrators", "Risk", "Referral details"):
            assert section in lines
        assert f"Name: Jane Doe00{n}" in lines and "Date of birth: 1 April 1990" in lines
        assert "John Roe, born 1 January 1988, ex-partner" in lines and "LGBT: No" in lines
        # Nothing typed, nothing shown: no "(none)", no empty label, no empty section.
        case = " ".join(lines)
        assert "(none)" not in case and "Ethnicity" not in case and "Disability" not in case
        assert "Children" not in case


def test_the_pdf_input_has_no_ampersand_in_css_and_names_in_display_form(
    p: Partnership,
) -> None:
    meeting = _published(p, cases=1, victim__first_name="amelia", victim__last_name="HART")
    shown = agenda_for(p.svc, p.actor("housing"), meeting.id, verb="export", fmt="pdf")

    html = agenda_export.pdf_html(shown)

    assert "Amelia Hart" in html and "amelia" not in html and "HART" not in html
    style = html.split("</style>")[0]
    assert "HSG" not in style  # the recipient is text in a running element, never CSS


def _sheet(data: bytes) -> Any:
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(data)).active


def test_xlsx_is_a_sheet_to_work_in_and_to_print(p: Partnership) -> None:
    long = "Escalating abuse since separation; " * 10
    meeting = _published(p, cases=3, summary=long)

    sheet = _sheet(_download(p, "referrer", meeting, "xlsx"))

    header = [c.value for c in sheet[3]]
    assert sheet.freeze_panes == "A4"  # the marking, the title and the header stay in view
    assert sheet.print_title_rows == "$3:$3"
    assert sheet.auto_filter.ref == f"A3:{sheet.cell(3, len(header)).column_letter}6"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth == 1
    widths = {
        h: sheet.column_dimensions[sheet.cell(3, n).column_letter].width
        for n, h in enumerate(header, start=1)
    }
    assert widths["Summary"] == 50  # capped: the rest wraps
    assert widths["Item"] == 8 and widths["Victim date of birth"] == len("Victim date of birth") + 2
    assert len(set(widths.values())) > 3


def test_xlsx_and_csv_write_names_in_display_form_and_storage_keeps_them_as_typed(
    p: Partnership,
) -> None:
    meeting = _published(
        p,
        cases=1,
        victim__first_name="amelia",
        victim__last_name="HART",
        perpetrators=[{"first_name": "sean", "last_name": "o'neil"}],
    )

    sheet = _sheet(_download(p, "referrer", meeting, "xlsx"))
    csv_text = _download(p, "referrer", meeting, "csv").decode("utf-8-sig")

    row = {sheet.cell(3, n).value: sheet.cell(4, n).value for n in range(1, sheet.max_column + 1)}
    assert row["Victim first name"] == "Amelia" and row["Victim surname"] == "Hart"
    assert row["Perpetrators"] == "Sean O'Neil"
    header, first = list(csv.reader(io.StringIO(csv_text)))[2:4]
    assert dict(zip(header, first, strict=True))["Victim surname"] == "Hart"
    referral_id = agenda_for(p.svc, p.actor("referrer"), meeting.id)["items"][0]["referral_id"]
    stored = get_referral(p.svc, p.actor("referrer"), referral_id)
    assert stored["victim"]["first_name"] == "amelia" and stored["victim"]["last_name"] == "HART"


def test_the_agenda_pages_show_names_in_display_form(client: FlaskClient, p: Partnership) -> None:
    meeting = _published(p, cases=1, victim__first_name="amelia", victim__last_name="HART")
    mid = str(meeting.id)

    sign_in(client, "rep@hsg.example")
    member = client.get(f"/meetings/{mid}/agenda").text
    coordinator = client.application.test_client()
    sign_in(coordinator, "coord@csp.example")
    builder = coordinator.get(f"/meetings/{mid}/agenda").text

    assert "Amelia" in member and "Hart" in member and "HART" not in member
    assert "Amelia Hart" in builder and "HART" not in builder
