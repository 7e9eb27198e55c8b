"""Importing historical referrals: same rules as the API, in date order, with a row report."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import threading
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from casework.actors import Actor
from casework.cli import main
from casework.errors import Invalid
from casework.referrals import import_prepare
from casework.referrals.importer import COLUMNS, import_referrals, template
from casework.referrals.models import PossibleMatch, Referral
from casework.services import Services
from tests.conftest import Factory

IMPORTER = Actor(None, "system:import", None, None, None, False, frozenset({"coordinator"}), "cli")


def row(**changes: Any) -> dict[str, str]:
    base = {c: "" for c in COLUMNS}
    base.update(
        referral_date="2026-03-01",
        referring_agency="POL",
        status="closed",
        victim_first_name="Jane",
        victim_last_name="Doe",
        victim_date_of_birth="1990-04-01",
        victim_gender="female",
        victim_bme="no",
        perpetrator1_first_name="John",
        perpetrator1_last_name="Roe",
        perpetrator1_date_of_birth="1988-01-01",
        victim_aware="yes",
        consent="yes",
        police_incidents_12m="0",
    )
    base.update({f"dash_{q}": ("yes" if q <= 14 else "no") for q in range(1, 25)})
    base.update({k: str(v) for k, v in changes.items()})
    return base


def csv_text(*rows: dict[str, str]) -> list[str]:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().splitlines(keepends=True)


@pytest.fixture()
def panel(factory: Factory) -> Any:
    factory.agency("POL", "police")
    factory.agency("HLT", "health")
    return factory.panel(("POL", "HLT"))


def test_rows_are_imported_in_date_order_so_repeats_are_found(svc: Services, panel: Any) -> None:
    text = csv_text(row(referral_date="2026-09-01"), row(referral_date="2026-03-01"))
    report = import_referrals(svc, IMPORTER, panel.id, text)
    svc.session.commit()
    assert (report.imported, report.errors) == (2, [])
    later = (
        svc.session.query(Referral)
        .filter_by(referral_date=__import__("datetime").date(2026, 9, 1))
        .one()
    )
    assert later.crit_repeat and later.status == "closed"
    assert later.victim_first_name == "Jane"


def test_bad_rows_are_reported_by_row_and_column_and_the_rest_imported(
    svc: Services, panel: Any
) -> None:
    text = csv_text(
        row(),
        row(victim_date_of_birth="1990-13-01", perpetrator1_first_name="", dash_7="maybe"),
        row(referring_agency="NOPE", victim_first_name="Ann"),
        row(dash_1="no", dash_2="no", victim_first_name="Bea"),
    )
    report = import_referrals(svc, IMPORTER, panel.id, text)
    svc.session.commit()
    assert report.imported == 1
    found = {(e.row, e.column) for e in report.errors}
    assert {(3, "victim_date_of_birth"), (3, "perpetrator1_first_name"), (3, "dash_7")} <= found
    assert (4, "referring_agency") in found
    assert any(e.row == 5 and "criterion" in e.message for e in report.errors)
    assert all("Jane" not in e.message and "Bea" not in e.message for e in report.errors)
    assert svc.session.query(Referral).count() == 1


def test_all_or_nothing_keeps_nothing_when_a_row_fails(svc: Services, panel: Any) -> None:
    text = csv_text(row(), row(victim_gender="unknown"))
    report = import_referrals(svc, IMPORTER, panel.id, text, all_or_nothing=True)
    svc.session.commit()
    assert report.rolled_back and report.imported == 0
    assert svc.session.query(Referral).count() == 0


def test_a_file_with_unknown_columns_is_refused(svc: Services, panel: Any) -> None:
    with pytest.raises(Invalid):
        import_referrals(svc, IMPORTER, panel.id, ["referral_date,favourite_colour\n"])


def test_the_template_is_the_header_row() -> None:
    assert next(csv.reader(io.StringIO(template()))) == list(COLUMNS)


def test_the_command_prints_a_row_report(
    svc: Services, panel: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, app: Any
) -> None:
    for key in ("DATABASE_URL", "INSTANCE_PATH"):
        monkeypatch.setenv(f"CASEWORK_{key}", app.config[key])
    monkeypatch.setenv("CASEWORK_ENV", "testing")
    path = tmp_path / "old.csv"
    path.write_text("".join(csv_text(row(), row(victim_last_name=""))))
    result = CliRunner().invoke(main, ["import", "referrals", str(path), "--panel", str(panel.id)])
    assert result.exit_code == 1
    assert "row 3: victim_last_name:" in result.output
    assert "imported 1 referrals; 1 rows refused" in result.output


def test_the_upload_page_imports_and_reports(
    client, factory: Factory, panel: Any, svc: Services
) -> None:
    from tests.conftest import csrf_token, sign_in

    factory.user("coord@pol.example", "POL", ("coordinator",))
    sign_in(client, "coord@pol.example")
    page = client.get("/referrals/import")
    assert page.status_code == 200
    template_csv = client.get("/referrals/import/template.csv")
    assert template_csv.text.startswith("referral_date,referring_agency")
    data = "".join(csv_text(row(), row(victim_gender="robot")))
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
    assert "1 referral imported" in response.text and "victim_gender" in response.text
    assert svc.session.query(Referral).count() == 1
    missing = client.post(
        "/referrals/import", data={"csrf_token": csrf_token(page.text), "panel_id": str(panel.id)}
    )
    assert missing.status_code == 422 and "Choose a CSV file" in missing.text


def test_the_upload_page_is_for_coordinators(client, factory: Factory, panel: Any) -> None:
    from tests.conftest import sign_in

    factory.user("ref@pol.example", "POL", ("referrer",))
    sign_in(client, "ref@pol.example")
    assert client.get("/referrals/import").status_code == 403


def test_earlier_referrals_are_found_however_many_victims_a_batch_asks_about(
    svc: Services, panel: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch looks its victims' history up in slices of keys; no slice may lose a victim."""
    monkeypatch.setattr("casework.referrals.repeat.KEYS_A_QUERY", 2)
    names = ("Ann", "Bea", "Cat", "Dot")
    first = [row(victim_last_name=n, referral_date="2026-03-01") for n in names]
    assert import_referrals(svc, IMPORTER, panel.id, csv_text(*first)).imported == 4
    svc.session.commit()
    again = [row(victim_last_name=n, referral_date="2026-06-01") for n in names]
    report = import_referrals(svc, IMPORTER, panel.id, csv_text(*again))
    svc.session.commit()
    assert (report.imported, report.errors) == (4, [])
    later = svc.session.query(Referral).filter(Referral.referral_date > date(2026, 5, 1)).all()
    assert len(later) == 4 and all(r.crit_repeat for r in later)


@pytest.mark.parametrize("parallel", [False, True], ids=["one process", "two processes"])
def test_a_file_of_several_batches_imports_alike_in_one_process_or_two(
    svc: Services, panel: Any, monkeypatch: pytest.MonkeyPatch, parallel: bool
) -> None:
    """The command line prepares each batch in a forked process while the last is written;
    what is kept, refused and found to be a repeat must not depend on it."""
    pools: list[int] = []

    class Counted(ProcessPoolExecutor):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            pools.append(1)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(import_prepare, "ProcessPoolExecutor", Counted)
    monkeypatch.setattr(import_prepare, "may_fork", lambda: True)  # idle test threads are safe
    rows = [
        row(victim_last_name="Ash", referral_date="2026-01-10"),
        row(victim_last_name="Birch", referral_date="2026-01-11"),
        row(victim_last_name="Cedar", referral_date="2026-01-12", referring_agency="XXX"),
        row(victim_last_name="Ash", referral_date="2026-05-01"),
        row(victim_last_name="Dogwood", victim_first_name="", referral_date="2026-05-02"),
        row(victim_last_name="Elm", victim_date_of_birth="2015-01-01", referral_date="2026-05-03"),
        row(victim_last_name="Birch", referral_date="2026-09-01"),
        row(victim_last_name="Fir", referral_date="2026-09-02"),
    ]
    report = import_referrals(svc, IMPORTER, panel.id, csv_text(*rows), batch=3, parallel=parallel)
    svc.session.commit()
    assert pools == ([1] if parallel else [])
    assert report.imported == 5
    assert [(e.row, e.column) for e in report.errors] == [
        (4, "referring_agency"),
        (6, "victim_first_name"),
        (7, "victim_date_of_birth"),
    ]
    stored = {
        (r.victim_last_name, r.referral_date, r.perpetrators[0].last_name): r.crit_repeat
        for r in svc.session.query(Referral)
    }
    assert stored == {
        ("Ash", date(2026, 1, 10), "Roe"): False,
        ("Birch", date(2026, 1, 11), "Roe"): False,
        ("Ash", date(2026, 5, 1), "Roe"): True,
        ("Birch", date(2026, 9, 1), "Roe"): True,
        ("Fir", date(2026, 9, 2), "Roe"): False,
    }


def test_no_second_process_is_forked_while_another_thread_runs() -> None:
    assert import_prepare.may_fork() == (threading.active_count() == 1)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not import_prepare.may_fork()
    finally:
        stop.set()
        other.join()


def test_the_command_imports_a_file_of_several_batches_in_a_fresh_process(
    svc: Services, panel: Any, database_url: str, instance_path: Path, tmp_path: Path
) -> None:
    """As a partnership runs it: a new process (nothing imported but what the command needs),
    forking its preparers for a file of two batches, writing a near match for review."""
    rows = [row(victim_last_name=f"Vic{n:04d}", referral_date="2026-02-01") for n in range(600)]
    rows += [
        row(victim_last_name="Same", victim_first_name="Jane", referral_date="2026-03-01"),
        row(victim_last_name="Same", victim_first_name="Joan", referral_date="2026-04-01"),
    ]
    path = tmp_path / "history.csv"
    path.write_text("".join(csv_text(*rows)))
    env = {
        **os.environ,
        "CASEWORK_ENV": "testing",
        "CASEWORK_DATABASE_URL": database_url,
        "CASEWORK_INSTANCE_PATH": str(instance_path),
    }
    casework = Path(sys.executable).with_name("casework")
    done = subprocess.run(
        [str(casework), "import", "referrals", str(path), "--panel", str(panel.id)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "imported 602 referrals; 0 rows refused" in done.stdout
    assert svc.session.scalar(select(func.count()).select_from(Referral)) == 602
    assert svc.session.scalar(select(func.count()).select_from(PossibleMatch)) == 1
