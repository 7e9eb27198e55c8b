"""What the CSV imports (historical referrals, police extracts) share: the template a
partnership fills in, and how a refused row is reported (row number, column, message; never
a value)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass


def header_row(columns: Sequence[str]) -> str:
    """The template: the header row alone, offered as a download."""
    out = io.StringIO()
    csv.writer(out).writerow(columns)
    return out.getvalue()


@dataclass
class RowError:
    row: int  # the line in the file (the header is line 1)
    column: str
    message: str
