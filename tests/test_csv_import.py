"""Reading an import file: every crafted record is an error on its own row (never a value in
the message), and reading carries on at the true start of the next record."""

from __future__ import annotations

import pytest

from casework.csv_import import AFTER_QUOTE, NUL, UNCLOSED, CsvFile
from casework.errors import Invalid

LONG = "x" * 131_073


def read(text: str) -> list[tuple[int, dict | None, list[tuple[int, str, str]]]]:
    return [
        (r.line, r.row, [(e.row, e.column, e.message) for e in r.errors])
        for r in CsvFile(text).records()
    ]


def test_a_cell_over_the_limit_is_an_error_on_its_row_and_the_next_rows_are_read() -> None:
    got = read(f"a,b\n1,{LONG}\n3,4\n")
    assert got[0][:2] == (2, None)
    assert got[0][2] == [(2, "b", "The cell is longer than 131,072 characters")]
    assert got[1] == (3, {"a": "3", "b": "4"}, [])


def test_a_long_quoted_cell_over_several_lines_is_skipped_whole() -> None:
    """The csv module stops inside the cell; what follows its line is still that cell (here
    text that looks like a row) and must not be read as a row of its own."""
    got = read(f'a,b\n1,"{LONG}\n9,9\n9,9"\n5,6\n')
    assert [(line, row) for line, row, _ in got] == [(2, None), (3, {"a": "5", "b": "6"})]


def test_text_after_a_closing_quote_and_an_unclosed_quote_are_row_errors() -> None:
    got = read('a,b\n"x"y,2\n3,4\n5,"never closed\n6,7\n')
    assert got[0][2] == [(2, "a", AFTER_QUOTE)]
    assert got[1][1] == {"a": "3", "b": "4"}
    assert got[2][2] == [(4, "b", UNCLOSED)]
    assert len(got) == 3


def test_a_nul_character_is_a_row_error_and_a_nul_header_refuses_the_file() -> None:
    got = read("a,b\n1,2\x00\n3,4\n")
    assert got[0][2] == [(2, "b", NUL)] and got[1][1] == {"a": "3", "b": "4"}
    with pytest.raises(Invalid) as refused:
        CsvFile("a,b\n1,2\n".encode("utf-16-le").decode("utf-8"))  # UTF-16 without its mark
    assert refused.value.fields == {"file": ["Save the file as CSV UTF-8"]}


def test_an_unreadable_header_or_a_repeated_column_refuses_the_file() -> None:
    with pytest.raises(Invalid) as long_header:
        CsvFile(f"a,{LONG}\n1,2\n")
    assert "131,072" in long_header.value.fields["file"][0]
    assert LONG[:20] not in long_header.value.fields["file"][0]
    with pytest.raises(Invalid) as twice:
        CsvFile("a,b,a\n1,2,3\n")
    assert twice.value.fields == {"file": ["Column a appears more than once"]}


def test_rows_are_numbered_as_a_spreadsheet_numbers_them() -> None:
    got = read('a,b\r\n\r\n"two\r\nlines",2\r\n3,4,5\r\n6')
    assert [(line, row) for line, row, _ in got] == [
        (3, {"a": "two\r\nlines", "b": "2"}),
        (4, {"a": "3", "b": "4", None: ["5"]}),
        (5, {"a": "6", "b": None}),
    ]


def test_the_fingerprint_is_of_the_text_however_it_is_split_into_lines() -> None:
    text = "a,b\r\n1,2\r\n"
    assert CsvFile(text).fingerprint == CsvFile(text.splitlines(keepends=True)).fingerprint
    assert CsvFile(text).fingerprint != CsvFile("a,b\n1,3\n").fingerprint
