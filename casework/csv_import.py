"""What the CSV imports (historical referrals, police extracts) share: the template a
partnership fills in, reading the file record by record, and how a refused row is reported
(row number, column, message; never a value).

Reading is where crafted files bite: a cell longer than the csv module's limit, a quoted cell
never closed, text after a closing quote, a NUL character. Each becomes an error on its own
row, and reading carries on at the next record; the file as a whole is refused only when its
header cannot be read. Rows are numbered as a spreadsheet numbers them (the header is row 1,
and a cell holding a line break does not start a new row).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from casework.errors import Invalid

NUL = "The cell holds a NUL character: save the file as CSV UTF-8"
AFTER_QUOTE = 'The cell has text after its closing quote (write a quote in a quoted cell as "")'
UNCLOSED = "A quoted cell is never closed, so the rest of the file could not be read"
UNREADABLE = "The row could not be read as CSV"


def header_row(columns: Sequence[str]) -> str:
    """The template: the header row alone, offered as a download."""
    out = io.StringIO()
    csv.writer(out).writerow(columns)
    return out.getvalue()


@dataclass
class RowError:
    row: int  # the row in the file as a spreadsheet shows it (the header is row 1)
    column: str
    message: str


@dataclass
class Record:
    """One record of the file: its cells by column (as ``csv.DictReader`` gives them: a
    missing cell is None, extra cells are listed under None), or None with its errors."""

    line: int
    row: dict[Any, Any] | None
    errors: list[RowError] = field(default_factory=list)


@dataclass
class ImportReport:
    """What an import did, for the page and the command line."""

    imported: int = 0
    errors: list[RowError] = field(default_factory=list)
    rolled_back: bool = False
    already_imported: int = 0  # rows an earlier import of them wrote, skipped
    previous: Any = None  # the latest earlier run of this file (``imports.runs.PreviousRun``)
    stopped: bool = False  # asked to stop: the rows done so far are kept (but all-or-nothing)
    rows_done: int = 0
    rows_total: int = 0

    @property
    def failed_rows(self) -> int:
        return len({e.row for e in self.errors})


class CsvFile:
    """An uploaded or given CSV file, its header read (``Invalid`` if it cannot be)."""

    def __init__(self, text: str | Iterable[str]) -> None:
        self.text = text if isinstance(text, str) else "".join(text)
        # The file's text as UTF-8 (Excel's byte-order mark dropped): the page and the command
        # line find the same fingerprint for the same file.
        self.fingerprint = hashlib.sha256(self.text.encode("utf-8", "surrogatepass")).hexdigest()
        # newline="": records end where the csv module says, and a line break inside a quoted
        # cell stays in the cell, whatever the file's line endings.
        self._lines = io.StringIO(self.text, newline="").readlines()
        self._next = 0
        self._reader = csv.reader(self._feed(), strict=True)
        header = self._read()
        if isinstance(header, tuple):
            raise Invalid(
                {"file": [f"The header row could not be read: {header[1]}"]},
                "The file's header row could not be read",
            )
        self.columns: list[str] = [c.strip() for c in header or []]
        if any("\x00" in c for c in self.columns):
            raise Invalid({"file": ["Save the file as CSV UTF-8"]}, "The file is not CSV UTF-8")
        twice = sorted({c for c in self.columns if self.columns.count(c) > 1})
        if twice:
            raise Invalid(
                {"file": [f"Column {c} appears more than once" for c in twice]},
                "The file has a column twice",
            )

    def _feed(self) -> Iterator[str]:
        while self._next < len(self._lines):
            self._next += 1
            yield self._lines[self._next - 1]

    def _read(self) -> list[str] | tuple[int | None, str] | None:
        """The next record's cells; (cell index, message) if it cannot be read; None at the end."""
        start = self._next
        try:
            return next(self._reader)
        except StopIteration:
            return None
        except csv.Error:
            end, problem = scan_record(self._lines, start, csv.field_size_limit())
            # The csv module dropped the rest of the line it failed on; a quoted cell may run
            # on over more lines, which are this record's too: reading resumes after them.
            self._next = max(self._next, end)
            return problem or (None, UNREADABLE)

    def records(self) -> Iterator[Record]:
        """Every record after the header, blank lines left out (but counted)."""
        line = 1
        while (cells := self._read()) is not None:
            line += 1
            if isinstance(cells, tuple):
                index, message = cells
                yield Record(line, None, [RowError(line, self._column(index), message)])
                continue
            if not cells:
                continue
            nul = [RowError(line, self._column(i), NUL) for i, c in enumerate(cells) if "\x00" in c]
            if nul:
                yield Record(line, None, nul)
                continue
            row: dict[Any, Any] = dict(zip(self.columns, cells, strict=False))
            if len(cells) > len(self.columns):
                row[None] = cells[len(self.columns) :]
            for column in self.columns[len(cells) :]:
                row[column] = None
            yield Record(line, row)

    def _column(self, index: int | None) -> str:
        if index is None or index >= len(self.columns):
            return "file"
        return self.columns[index]


_UNQUOTED_END = re.compile(r"[,\r\n]")


def scan_record(lines: Sequence[str], start: int, limit: int) -> tuple[int, tuple[int, str] | None]:
    """Where the record starting at ``lines[start]`` ends (the index of the line after it) and
    its first problem (cell index, message), read as the csv module reads (comma, double
    quotes, quotes doubled inside quoted cells) but without stopping at a problem.

    Only called when the csv module has refused a record: it knows the record is bad, not
    where it ends, and a quoted cell may run on over the following lines.
    """
    cell, length, quoted, at_start = 0, 0, False, True
    problem: tuple[int, str] | None = None

    def note(message: str) -> None:
        nonlocal problem
        if problem is None:
            problem = (cell, message)

    def end_cell() -> None:
        if length > limit:
            note(f"The cell is longer than {limit:,} characters")

    for i in range(start, len(lines)):
        line, p = lines[i], 0
        while p < len(line):
            if quoted:
                q = line.find('"', p)
                if q < 0:
                    length += len(line) - p
                    break
                length, p = length + q - p, q + 1
                if line[p : p + 1] == '"':  # a doubled quote: one quote in the cell
                    length, p = length + 1, p + 1
                    continue
                quoted = False
                end_cell()  # a cell too long is what the csv module stopped at first
                if p == len(line):
                    break
                if line[p] not in ",\r\n":
                    note(AFTER_QUOTE)  # then read on as an unquoted cell, as csv would
                continue
            if at_start:
                at_start = False
                if line[p] == '"':
                    quoted, p = True, p + 1
                    continue
            found = _UNQUOTED_END.search(line, p)
            if found is None:
                length += len(line) - p
                break
            length, p = length + found.start() - p, found.end()
            end_cell()
            if found.group() != ",":
                return i + 1, problem
            cell, length, at_start = cell + 1, 0, True
        if not quoted:  # the file's last line, with no line break
            end_cell()
            return i + 1, problem
    if quoted:
        note(UNCLOSED)
    end_cell()
    return len(lines), problem
