"""Figures as CSV and XLSX tables, with small numbers suppressed for publication.

Counts between 1 and 4 (``SUPPRESS_BELOW``, configurable) can identify people in a small
area, so downloads meant for publication replace them with "<5" (and drop rates computed
from them) and say so in a note row. A hidden count that is one of several adding up to a
published total (referrals by agency, say) would be that total minus the others, so the
smallest other count of the group is hidden too, shown as "[c]" (secondary suppression, as
the Government Statistical Service marks it). Every cell goes through ``safe_cell``.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from flask import Response

from casework.exports import csv_chunks, dated_filename, safe_cell
from casework.stats.charts import quarter_of


def marker(below: int) -> str:
    """What a suppressed cell shows: "<5" with the default threshold."""
    return f"<{below}"


def figure_rows(figures: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """(section, measure, value) rows for every figure, series included."""
    rows: list[tuple[str, str, Any]] = []

    def walk(section: str, prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(section, f"{prefix}.{key}" if prefix else key, inner)
        else:
            rows.append((section, prefix, value))

    for section in ("referrals", "heard"):
        walk(section, "", figures[section])
    for period in figures.get("series", {}).get("monthly", []):
        for key in ("total", "repeat", "repeat_rate", "non_police", "non_police_rate"):
            rows.append(("monthly", f"{period['period']}.{key}", period[key]))
    for period in figures.get("series", {}).get("quarterly", []):
        for key in ("total", "repeat", "repeat_rate", "non_police", "non_police_rate"):
            rows.append(("quarterly", f"{period['period']}.{key}", period[key]))
    return rows


SECONDARY = "[c]"  # hidden because, with a published total, it would give a hidden count back
Cell = tuple[int, int]  # (row, column)
Group = tuple[Cell | None, list[Cell]]  # counts adding up to a total: its cell, if in the table


def is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def suppress(value: Any, below: int) -> Any:
    if is_count(value) and 0 < value < below:
        return marker(below)
    return value


def is_hidden(value: Any, below: int) -> bool:
    return value == marker(below) or value == SECONDARY


def complete(cells: list[list[Any]], groups: Iterable[Group], below: int) -> None:
    """Secondary suppression, in place. Each group's counts add up to a total, in these cells
    or published elsewhere (None): where exactly one of them is hidden and the total is not,
    the smallest other count is hidden too (a zero if that is all there is: it would give the
    hidden one back as well). Repeated until none is left so, as a cell can be in two groups.
    """
    groups = list(groups)
    changed = True
    while changed:
        changed = False
        for total, parts in groups:
            if total is not None and is_hidden(cells[total[0]][total[1]], below):
                continue
            if sum(is_hidden(cells[r][c], below) for r, c in parts) != 1:
                continue
            shown = [(cells[r][c], r, c) for r, c in parts if is_count(cells[r][c])]
            if shown:
                _, r, c = min(shown)
                cells[r][c] = SECONDARY
                changed = True


def _group(row: Sequence[Any]) -> tuple[str, str]:
    name = str(row[1])
    return (str(row[0]), name.rsplit(".", 1)[0] if "." in name else "")


def figure_groups(rows: Sequence[Sequence[Any]]) -> list[Group]:
    """The additive groups among ``figure_rows`` (MARAC's, and the offender cohort's): police
    and non-police referrals, referrals by agency and by sector (each adding up to the
    total), the months of each quarter (adding up to the quarter's figures), the quarters
    (adding up to the period's), and an offender cohort's R&R and C&C nominals."""
    at: dict[tuple[str, str], int] = {(str(r[0]), str(r[1])): i for i, r in enumerate(rows)}
    value = len(rows[0]) - 1 if rows else 0
    found: list[tuple[int | None, list[int]]] = []

    def add(total: tuple[str, str], parts: list[int]) -> None:
        found.append((at.get(total), parts))

    add(
        ("referrals", "total"),
        [at[("referrals", k)] for k in ("police", "non_police") if ("referrals", k) in at],
    )
    for section, prefix, total in (
        ("referrals", "by_agency.", "total"),
        ("referrals", "by_sector.", "total"),
        ("cohort", "classification.", "nominals"),  # offender cohorts: R&R and C&C
    ):
        add(
            (section, total),
            [i for (s, m), i in at.items() if s == section and m.startswith(prefix)],
        )
    for key in ("total", "repeat", "non_police"):
        months: dict[str, list[int]] = {}
        quarters = []
        for (section, measure), i in at.items():
            period, _, name = measure.rpartition(".")
            if name == key and section == "monthly":
                months.setdefault(quarter_of(period), []).append(i)
            elif name == key and section == "quarterly":
                quarters.append(i)
        for quarter, parts in months.items():
            add(("quarterly", f"{quarter}.{key}"), parts)
        add(("referrals", key), quarters)
    return [
        (None if total is None else (total, value), [(i, value) for i in parts])
        for total, parts in found
        if len(parts) > 1
    ]


def suppressed_rows(rows: Sequence[Sequence[Any]], below: int) -> list[list[Any]]:
    """Suppress small counts, the counts that would give them back (``complete``), and every
    rate in a group where a count was hidden (a rate and its total would give it back)."""
    out = [[*row[:-1], suppress(row[-1], below)] for row in rows]
    complete(out, figure_groups(out), below)
    hidden = {_group(row): row[-1] for row in out if is_hidden(row[-1], below)}
    for row in out:
        if str(row[1]).endswith("_rate") and row[-1] is not None and _group(row) in hidden:
            row[-1] = hidden[_group(row)]
    return out


def note(publication: bool, below: int) -> str:
    if publication:
        return (
            f"Counts from 1 to {below - 1} are shown as {marker(below)} (small-number "
            f"suppression). {SECONDARY} marks a count hidden because, with a published total, "
            "it would give a hidden one back."
        )
    return "Not for publication: counts are not suppressed."


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Any]], notice: str) -> str:
    return "".join(csv_chunks(header, [*rows, [notice]]))


def to_xlsx(title: str, header: Sequence[str], rows: Iterable[Sequence[Any]], notice: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append([safe_cell(h) for h in header])
    for row in rows:
        sheet.append([c if isinstance(c, int | float) else safe_cell(c) for c in row])
    sheet.append([safe_cell(notice)])
    sheet.oddHeader.center.text = "OFFICIAL-SENSITIVE"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def threshold(settings: Mapping[str, Any]) -> int:
    """Counts from 1 to this minus one are suppressed in downloads meant for publication."""
    return int(settings.get("SUPPRESS_BELOW", 5))


def attachment(
    stem: str,
    title: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    fmt: str,
    notice: str,
    end: date,
) -> Response:
    """A table as a CSV or XLSX download named ``<stem>-<end date>.<fmt>`` (API and pages)."""
    if fmt == "csv":
        body: Any = to_csv(header, rows, notice)
        mimetype = "text/csv"
    else:
        body = to_xlsx(title, header, rows, notice)
        mimetype = XLSX
    name = dated_filename(stem, fmt, end)
    return Response(
        body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
