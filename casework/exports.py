"""Spreadsheet-safe CSV for every download the service offers.

Spreadsheets (Excel, LibreOffice, Google Sheets) run a cell as a formula when it starts with
``=``, ``+``, ``-`` or ``@``, and a leading tab, carriage return or NUL can smuggle one in.
Anything a user typed (a purpose, a name, a record reference) would then execute on the
machine of whoever opens the file: OWASP's "CSV injection". Every export writes through
``safe_cell``, so a new export cannot forget the escape. Rows are written in chunks so a
download of the whole audit log never sits in memory at once.

Kept free of Flask: the scheduler and command line can write the same files.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date

# OWASP's list (=, +, -, @, tab, carriage return) plus NUL, which ASVS 5 (1.2.10) adds.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")
CHUNK_ROWS = 500
# Excel reads a CSV without a byte-order mark as the local code page and mangles accents.
UTF8_BOM = "\ufeff"


def safe_cell(value: object) -> str:
    """The text of one cell, with a leading apostrophe when it could start a formula.

    The apostrophe is Excel's "treat as text" marker; it shows in plain-text readers, which
    is the lesser harm. Negative numbers are escaped too: exports carry text, not sums.
    """
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def csv_chunks(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    chunk_rows: int = CHUNK_ROWS,
    bom: bool = True,
) -> Iterator[str]:
    """Yield the CSV text (header first) a few hundred rows at a time, for a streamed answer.

    Every cell is quoted (RFC 4180, with quotes doubled), so a comma, quote or line break
    inside a value cannot start a new cell that escapes ``safe_cell``.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    if bom:
        buffer.write(UTF8_BOM)
    writer.writerow([safe_cell(name) for name in header])
    pending = 0
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
        pending += 1
        if pending >= chunk_rows:
            yield _drain(buffer)
            pending = 0
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate(0)
    return text


def dated_filename(stem: str, extension: str, on: date) -> str:
    """``audit-log-2026-03-31.csv``: several downloads in a folder sort and stay apart."""
    return f"{stem}-{on.isoformat()}.{extension}"
