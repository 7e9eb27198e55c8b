"""Figures as CSV and XLSX tables, with small numbers suppressed for publication.

Counts between 1 and 4 (``SUPPRESS_BELOW``, configurable) can identify people in a small
area, so downloads meant for publication replace them with "<5" (and drop rates computed
from them) and say so in a note row. Every cell goes through ``safe_cell``.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from flask import Response

from casework.exports import csv_chunks, dated_filename, safe_cell


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


def suppress(value: Any, below: int) -> Any:
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < below:
        return marker(below)
    return value


def _group(row: Sequence[Any]) -> tuple[str, str]:
    name = str(row[1])
    return (str(row[0]), name.rsplit(".", 1)[0] if "." in name else "")


def suppressed_rows(rows: Sequence[Sequence[Any]], below: int) -> list[list[Any]]:
    """Suppress small counts, and every rate in a group where a count was suppressed (a rate
    and its total would give the hidden count back)."""
    out = [[*row[:-1], suppress(row[-1], below)] for row in rows]
    hidden = {_group(row) for row in out if row[-1] == marker(below)}
    for row in out:
        if str(row[1]).endswith("_rate") and row[-1] is not None and _group(row) in hidden:
            row[-1] = marker(below)
    return out


def note(publication: bool, below: int) -> str:
    if publication:
        return (
            f"Counts from 1 to {below - 1} are shown as {marker(below)} (small-number suppression)."
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
