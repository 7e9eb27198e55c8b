"""Importing a police extract: rows matched by PNC, same rules as the API, a row report,
all-or-nothing, re-runs skipped, and the upload page reaching only the coordinator's records."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from casework.actors import Actor
from casework.cli import main
from casework.errors import Invalid
from casework.offenders.importer import COLUMNS, UNKNOWN_PNC, import_events, template
from casework.offenders.models import OffenderEvent
from casework.services import Services
from tests.conftest import Factory, csrf_token, sign_in
from tests.offenders.conftest import World

OPERATOR = Actor(None, "system:import", None, None, None, False, frozenset({"coordinator"}), "cli")


def row(**changes: Any) -> dict[str, str]:
    base = {c: "" for c in COLUMNS}
    base.update(pnc_id="09/123456X", date="2026-02-10", kind="offence", category="burglary")
    base.update({k: str(v) for k, v in changes.items()})
    return base


def csv_text(*rows: dict[str, str]) -> list[str]:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().splitlines(keepends=True)


def run(svc: Services, *rows: dict[str, str], **kw: Any):
    kw.setdefault("operator", True)
    report = import_events(svc, kw.pop("actor", OPERATOR), csv_text(*rows), **kw)
    svc.session.commit()
    return report


def test_rows_are_matched_by_pnc_and_checked_like_the_api(svc: Services, world: World) -> None:
    nominal = world.nominal()
    report = run(
        svc,
        row(pnc_id="09/123456x", outcome="Charge"),
        row(kind="drug_test", category="", positive="positive"),
        row(kind="warrant", category=""),
        row(pnc_id="99/999999Z"),
        row(category="arson"),
        row(date="2026-13-01"),
        row(kind="drug_test", category=""),
    )
    assert report.imported == 3
    assert [(e.row, e.column) for e in report.errors] == [
        (5, "pnc_id"),
        (6, "category"),
        (7, "date"),
        (8, "positive"),
    ]
    assert report.errors[0].message == UNKNOWN_PNC
    kinds = sorted(
        e.kind for e in svc.session.query(OffenderEvent).filter_by(nominal_id=nominal.id)
    )
    assert kinds == ["drug_test", "offence", "warrant"]
    charged = svc.session.query(OffenderEvent).filter_by(kind="offence").one()
    assert charged.outcome == "charge"


def test_all_or_nothing_keeps_nothing_when_a_row_fails(svc: Services, world: World) -> None:
    world.nominal()
    report = run(svc, row(), row(pnc_id="99/999999Z"), all_or_nothing=True)
    assert report.rolled_back and report.imported == 0
    assert svc.session.query(OffenderEvent).count() == 0


def test_running_the_same_extract_again_records_nothing_twice(svc: Services, world: World) -> None:
    world.nominal()
    first = run(svc, row(), row())  # two offences on one day are two offences
    again = run(svc, row(), row(), row(date="2026-02-11"))
    assert (first.imported, first.skipped) == (2, 0)
    assert (again.imported, again.skipped) == (1, 2)
    assert svc.session.query(OffenderEvent).count() == 3


def test_a_panel_limits_the_match_to_its_cohort(svc: Services, world: World) -> None:
    world.nominal()  # on the PPO panel
    report = run(svc, row(), panel_id=world.panels["iom"].id)
    assert report.errors[0].message == UNKNOWN_PNC


def test_a_coordinator_reaches_only_what_they_may_change(svc: Services, world: World) -> None:
    world.nominal("pd", pnc_id="11/777A")  # a youth record: housing may not see it
    world.nominal()
    housing = world.actor("housing_coordinator")
    report = run(svc, row(pnc_id="11/777A"), row(), actor=housing, operator=False)
    assert report.imported == 1
    assert [(e.row, e.message) for e in report.errors] == [(2, UNKNOWN_PNC)]


def test_a_file_with_unknown_or_missing_columns_is_refused(svc: Services) -> None:
    with pytest.raises(Invalid):
        import_events(svc, OPERATOR, ["pnc_id,date,favourite_colour\n"], operator=True)
    with pytest.raises(Invalid):
        import_events(svc, OPERATOR, ["date,kind\n"], operator=True)


def test_the_template_is_the_header_row() -> None:
    assert next(csv.reader(io.StringIO(template()))) == list(COLUMNS)


def test_the_command_prints_a_progress_bar_and_a_row_report(
    svc: Services, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, app: Any
) -> None:
    world.nominal()
    for key in ("DATABASE_URL", "INSTANCE_PATH"):
        monkeypatch.setenv(f"CASEWORK_{key}", app.config[key])
    monkeypatch.setenv("CASEWORK_ENV", "testing")
    path = tmp_path / "extract.csv"
    path.write_text("".join(csv_text(row(), row(outcome="telling off"))))
    result = CliRunner().invoke(main, ["import", "offences", str(path)])
    assert result.exit_code == 1
    assert "Importing offences" in result.output
    assert "row 3: outcome:" in result.output
    assert "imported 1 events; 0 already recorded; 1 rows refused" in result.output
    assert svc.session.query(OffenderEvent).count() == 1
    bad_panel = CliRunner().invoke(main, ["import", "offences", str(path), "--panel", "x"])
    assert bad_panel.exit_code == 1 and "--panel must be a panel id" in bad_panel.output


def test_the_upload_page_imports_and_reports(client, world: World, svc: Services) -> None:
    world.nominal()
    sign_in(client, "coord@pol.example")
    page = client.get("/offenders/import")
    assert page.status_code == 200 and "Northshire PPO" in page.text
    assert "MARAC" not in page.text
    template_csv = client.get("/offenders/import/template.csv")
    assert template_csv.text.startswith("pnc_id,date,kind")
    data = "".join(csv_text(row(), row(category="arson")))
    response = client.post(
        "/offenders/import",
        data={
            "csrf_token": csrf_token(page.text),
            "panel_id": str(world.panels["ppo"].id),
            "file": (io.BytesIO(data.encode()), "extract.csv"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "1 event imported" in response.text and "category" in response.text
    assert svc.session.query(OffenderEvent).count() == 1
    missing = client.post(
        "/offenders/import",
        data={"csrf_token": csrf_token(page.text), "panel_id": str(world.panels["ppo"].id)},
    )
    assert missing.status_code == 422 and "Choose a CSV file" in missing.text


def test_the_upload_page_is_for_coordinators(client, factory: Factory, world: World) -> None:
    sign_in(client, "rep@hsg.example")
    assert client.get("/offenders/import").status_code == 403
    assert client.get("/offenders/import/template.csv").status_code == 403
