"""Police extracts given again: a run carried on after an interruption records exactly the
rest (the second of two identical offences included), a coordinator learns nothing about
people they may not reach, and a crafted cell is a row error."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from casework.imports.models import ImportRun
from casework.offenders.importer import UNKNOWN_PNC, import_events
from casework.offenders.models import OffenderEvent
from casework.services import Services
from tests.offenders.conftest import World
from tests.offenders.test_import import OPERATOR, csv_text, row

LONG = "x" * 131_073


def events(svc: Services) -> int:
    svc.session.rollback()
    return svc.session.query(OffenderEvent).count()


def test_a_stopped_run_given_again_records_exactly_the_rest(svc: Services, world: World) -> None:
    world.nominal()
    twice = row(category="shoplifting")  # two offences on one day are two offences
    text = csv_text(twice, twice, row(date="2026-02-11"))
    first = import_events(svc, OPERATOR, text, operator=True, commit_every=1, stop=lambda: True)
    assert first.stopped and (first.imported, first.rows_done) == (1, 1)
    run = svc.session.scalars(select(ImportRun)).one()
    assert (run.status, run.rows_done, run.imported) == ("interrupted", 1, 1)
    again = import_events(svc, OPERATOR, text, operator=True)
    assert again.previous is not None and again.previous.stopped
    assert (again.imported, again.skipped, again.already_imported) == (2, 1, 1)
    assert events(svc) == 3
    third = import_events(svc, OPERATOR, text, operator=True)
    assert (third.imported, third.skipped, third.already_imported) == (0, 3, 3)
    assert events(svc) == 3


def test_an_extract_overlapping_events_recorded_otherwise_adds_only_what_is_new(
    svc: Services, world: World
) -> None:
    world.nominal()
    import_events(svc, OPERATOR, csv_text(row()), operator=True)
    svc.session.commit()
    # The extract holds that row again and, written differently (kind left to its default:
    # another identity), a second identical offence: the first is the event already recorded,
    # the second is new.
    report = import_events(svc, OPERATOR, csv_text(row(kind=""), row()), operator=True)
    assert (report.imported, report.skipped, report.already_imported) == (1, 1, 1)
    assert events(svc) == 2


def test_rows_imported_before_are_not_revealed_to_a_coordinator_who_may_not_reach_them(
    svc: Services, world: World
) -> None:
    world.nominal("pd", pnc_id="11/777A")  # a youth record: housing may not see it
    text = csv_text(row(pnc_id="11/777A"))
    assert import_events(svc, OPERATOR, text, operator=True).imported == 1
    svc.session.commit()
    housing = world.actor("housing_coordinator")
    report = import_events(svc, housing, text)
    assert (report.skipped, report.already_imported) == (0, 0)
    assert [(e.row, e.message) for e in report.errors] == [(2, UNKNOWN_PNC)]


def test_an_over_long_cell_is_a_row_error(svc: Services, world: World) -> None:
    world.nominal()
    text = csv_text(row(), row(outcome=LONG), row(date="2026-02-12"))
    report = import_events(svc, OPERATOR, text, operator=True)
    assert report.imported == 2
    assert [(e.row, e.column) for e in report.errors] == [(3, "outcome")]
    assert "131,072" in report.errors[0].message


def test_the_upload_page_says_what_was_already_imported(
    client: Any, world: World, svc: Services
) -> None:
    from tests.conftest import csrf_token, sign_in

    world.nominal()
    data = "".join(csv_text(row(), row(date="2026-02-11")))
    import_events(svc, OPERATOR, [data], operator=True)
    svc.session.commit()
    sign_in(client, "coord@pol.example")
    page = client.get("/offenders/import")
    response = client.post(
        "/offenders/import",
        data={
            "csrf_token": csrf_token(page.text),
            "panel_id": str(world.panels["ppo"].id),
            "file": (__import__("io").BytesIO(data.encode()), "extract.csv"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "0 events imported" in response.text
    assert "2 rows had been imported already and were skipped" in response.text
    assert events(svc) == 2
