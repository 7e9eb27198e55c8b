"""Import runs: a file given again adds nothing twice and carries on where an interrupted run
stopped; crafted cells are row errors, never a 500 or a traceback."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from casework.cli import main
from casework.imports.models import ImportRow, ImportRun
from casework.referrals.importer import COLUMNS, import_referrals
from casework.referrals.models import Referral
from casework.services import Services
from tests.conftest import Factory, csrf_token, sign_in
from tests.referrals.test_import import IMPORTER, csv_text, row

LONG = "x" * 131_073  # one more than the csv module's field_size_limit


def referrals(svc: Services) -> int:
    svc.session.rollback()
    return svc.session.scalar(select(func.count()).select_from(Referral)) or 0


def people(n: int) -> list[dict[str, str]]:
    return [
        row(victim_last_name=f"Vic{i:03d}", referral_date=f"2026-0{1 + i % 9}-{1 + i % 28:02d}")
        for i in range(n)
    ]


@pytest.fixture()
def panel(factory: Factory) -> Any:
    factory.agency("POL", "police")
    factory.agency("HLT", "health")
    return factory.panel(("POL", "HLT"))


@pytest.fixture()
def cli_env(monkeypatch: pytest.MonkeyPatch, app: Any) -> None:
    for key in ("DATABASE_URL", "INSTANCE_PATH"):
        monkeypatch.setenv(f"CASEWORK_{key}", app.config[key])
    monkeypatch.setenv("CASEWORK_ENV", "testing")


def test_importing_a_file_again_adds_nothing_twice(svc: Services, panel: Any) -> None:
    text = csv_text(*people(5), row(victim_gender="robot"))
    first = import_referrals(svc, IMPORTER, panel.id, text)
    again = import_referrals(svc, IMPORTER, panel.id, text)
    assert (first.imported, first.already_imported) == (5, 0)
    assert (again.imported, again.already_imported) == (0, 5)
    assert [e.row for e in again.errors] == [7]  # a refused row is refused again, not skipped
    assert referrals(svc) == 5
    # A later file holding some of the same rows (in other places) adds only the new ones.
    overlapping = csv_text(row(victim_last_name="Newcomer"), *reversed(people(3)))
    later = import_referrals(svc, IMPORTER, panel.id, overlapping)
    assert (later.imported, later.already_imported) == (1, 3)
    assert referrals(svc) == 6


def test_a_row_is_recognised_whatever_the_order_of_the_file_s_columns(
    svc: Services, panel: Any
) -> None:
    import csv

    import_referrals(svc, IMPORTER, panel.id, csv_text(*people(2)))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[*reversed(COLUMNS)])
    writer.writeheader()
    writer.writerows(people(3))
    report = import_referrals(svc, IMPORTER, panel.id, [out.getvalue()])
    assert (report.imported, report.already_imported) == (1, 2)
    assert referrals(svc) == 3


def test_two_identical_rows_are_two_referrals_and_each_is_recognised(
    svc: Services, panel: Any
) -> None:
    text = csv_text(row(), row())
    assert import_referrals(svc, IMPORTER, panel.id, text).imported == 2
    assert import_referrals(svc, IMPORTER, panel.id, csv_text(row())).already_imported == 1
    assert import_referrals(svc, IMPORTER, panel.id, csv_text(row(), row(), row())).imported == 1
    assert referrals(svc) == 3


def test_a_stopped_run_is_carried_on_by_giving_the_file_again(svc: Services, panel: Any) -> None:
    text = csv_text(*people(7))
    first = import_referrals(svc, IMPORTER, panel.id, text, batch=3, stop=lambda: True)
    assert first.stopped and (first.imported, first.rows_done, first.rows_total) == (3, 3, 7)
    run = svc.session.scalars(select(ImportRun)).one()
    assert (run.status, run.rows_done, run.imported) == ("interrupted", 3, 3)
    assert referrals(svc) == 3
    again = import_referrals(svc, IMPORTER, panel.id, text, batch=3)
    assert again.previous is not None and again.previous.stopped
    assert (again.previous.rows_done, again.previous.rows_total) == (3, 7)
    assert (again.imported, again.already_imported, again.errors) == (4, 3, [])
    assert referrals(svc) == 7
    names = {r.victim_last_name for r in svc.session.scalars(select(Referral))}
    assert names == {f"Vic{i:03d}" for i in range(7)}
    latest = svc.session.scalars(select(ImportRun).order_by(ImportRun.started_at.desc())).first()
    assert latest is not None and (latest.status, latest.rows_done) == ("finished", 7)


def test_all_or_nothing_keeps_its_meaning_for_a_file_given_again(svc: Services, panel: Any) -> None:
    import_referrals(svc, IMPORTER, panel.id, csv_text(*people(2)))
    text = csv_text(*people(3), row(victim_gender="robot"))
    refused = import_referrals(svc, IMPORTER, panel.id, text, all_or_nothing=True)
    assert refused.rolled_back and refused.imported == 0 and referrals(svc) == 2
    assert svc.session.scalar(select(func.count()).select_from(ImportRow)) == 2
    whole = import_referrals(svc, IMPORTER, panel.id, csv_text(*people(3)), all_or_nothing=True)
    assert (whole.imported, whole.already_imported, whole.rolled_back) == (1, 2, False)
    assert referrals(svc) == 3


def test_an_over_long_cell_is_a_row_error(svc: Services, panel: Any) -> None:
    text = csv_text(row(victim_last_name="Ash"), row(summary=LONG), row(victim_last_name="Oak"))
    report = import_referrals(svc, IMPORTER, panel.id, text)
    assert report.imported == 2
    assert [(e.row, e.column) for e in report.errors] == [(3, "summary")]
    assert "131,072" in report.errors[0].message and "x" * 20 not in report.errors[0].message


def test_the_command_prints_one_line_for_a_bad_cell_and_a_bad_file(
    svc: Services, panel: Any, tmp_path: Path, cli_env: None
) -> None:
    path = tmp_path / "old.csv"
    path.write_text("".join(csv_text(row(), row(summary=LONG, victim_last_name="Zed"))))
    result = CliRunner().invoke(main, ["import", "referrals", str(path), "--panel", str(panel.id)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "row 3: summary: The cell is longer than 131,072 characters" in result.output
    assert "Traceback" not in result.output and LONG[:50] not in result.output
    assert "imported 1 referrals; 1 rows refused" in result.output
    utf16 = tmp_path / "excel.csv"
    utf16.write_bytes("".join(csv_text(row())).encode("utf-16"))
    bad = CliRunner().invoke(main, ["import", "referrals", str(utf16), "--panel", str(panel.id)])
    assert bad.exit_code == 1
    assert (
        bad.output.strip()
        == 'Error: the file is not CSV UTF-8: save it as "CSV UTF-8" and try again'
    )


def test_the_command_says_a_run_is_carried_on_and_what_was_already_there(
    svc: Services, panel: Any, tmp_path: Path, cli_env: None
) -> None:
    path = tmp_path / "old.csv"
    path.write_text("".join(csv_text(*people(4))))
    stop = lambda: True  # noqa: E731 - as the command's Ctrl-C handler answers
    import_referrals(svc, IMPORTER, panel.id, [path.read_bytes().decode()], batch=2, stop=stop)
    svc.session.commit()
    result = CliRunner().invoke(main, ["import", "referrals", str(path), "--panel", str(panel.id)])
    assert result.exit_code == 0, result.output
    assert "A previous import of this file stopped after 2 of 4 rows" in result.output
    assert "imported 2 referrals; 0 rows refused; 2 already imported" in result.output
    assert referrals(svc) == 4


def test_the_upload_page_reports_a_bad_cell_and_where_an_import_stopped(
    client: Any, factory: Factory, panel: Any, svc: Services
) -> None:
    factory.user("coord@pol.example", "POL", ("coordinator",))
    sign_in(client, "coord@pol.example")
    data = "".join(csv_text(*people(4), row(summary=LONG)))
    import_referrals(svc, IMPORTER, panel.id, [data], batch=2, stop=lambda: True)
    svc.session.commit()
    page = client.get("/referrals/import")
    assert "stopped after 3 of 5 rows; uploading the same file again carries on" in page.text
    response = client.post(
        "/referrals/import",
        data={
            "csrf_token": csrf_token(page.text),
            "panel_id": str(panel.id),
            "file": (io.BytesIO(data.encode()), "old.csv"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "2 referrals imported" in response.text
    assert "stopped after 3 of 5 rows; this upload carried on from there" in response.text
    assert "2 rows had been imported already and were skipped" in response.text
    assert "longer than 131,072 characters" in response.text and LONG[:50] not in response.text
    assert referrals(svc) == 4
    assert "uploading the same file again" not in client.get("/referrals/import").text
