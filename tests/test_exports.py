"""CSV exports: cells that a spreadsheet would run as formulas arrive as plain text."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from casework.exports import UTF8_BOM, csv_chunks, dated_filename, safe_cell


def _parse(text: str) -> list[list[str]]:
    assert text.startswith(UTF8_BOM)
    return list(csv.reader(io.StringIO(text[len(UTF8_BOM) :], newline="")))


@pytest.mark.parametrize(
    "value",
    [
        '=HYPERLINK("https://evil.example","click")',
        "+1+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1:A2)",
        "\t=1+1",
        "\r=1+1",
        "\0=1+1",
    ],
)
def test_formula_triggers_get_a_leading_apostrophe(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["plain", "a=b", "jo@example.org", " =1", "'quoted", ""])
def test_harmless_text_is_unchanged(value):
    assert safe_cell(value) == value


def test_none_is_an_empty_cell_and_other_values_are_text():
    assert safe_cell(None) == ""
    assert safe_cell(42) == "42"
    assert safe_cell(-1) == "'-1"


def test_header_then_rows_with_quotes_commas_and_line_breaks_kept_in_their_cells():
    rows = [("=1+1", 'say "hi", then\nleave'), (None, "@x")]
    text = "".join(csv_chunks(("when", "what"), rows))
    assert _parse(text) == [["when", "what"], ["'=1+1", 'say "hi", then\nleave'], ["", "'@x"]]
    assert text.count("\r\n") == 3  # RFC 4180 line ends; the embedded \n stays in its cell


def test_rows_are_written_in_chunks_for_streaming():
    consumed: list[int] = []

    def rows():
        for i in range(7):
            consumed.append(i)
            yield (i,)

    chunks = csv_chunks(("n",), rows(), chunk_rows=3)
    first = next(chunks)
    assert consumed == [0, 1, 2]  # nothing read beyond the first chunk
    assert _parse(first) == [["n"], ["0"], ["1"], ["2"]]
    rest = list(chunks)
    assert len(rest) == 2
    assert [r[0] for r in _parse(first + "".join(rest))[1:]] == [str(i) for i in range(7)]


def test_no_rows_still_gives_the_header_and_the_mark_can_be_left_out():
    assert "".join(csv_chunks(("a", "b"), [], bom=False)) == '"a","b"\r\n'


def test_dated_filename():
    assert dated_filename("audit-log", "csv", date(2026, 3, 31)) == "audit-log-2026-03-31.csv"
