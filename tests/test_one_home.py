"""Dates, roles and the statistics query each have one home (issue 18).

The UK time zone, the long date formats, the role groups and the statistics query schema were
each written out in several modules, and copies drift: a page shows "01 December", a notice
forgets the UK clock, one door lets a role in that the other refuses. These tests read the
source and fail when a second copy appears outside the home, so a new module reaches for the
home instead. They read files only (no app, no database), so they cost milliseconds.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from casework import dates, roles

SOURCE = Path(__file__).resolve().parent.parent / "casework"
ROLE_NAMES = frozenset(roles.ROLES)
# Seed data: the roles each demonstration person holds, not a group a rule names.
ROLE_DATA = {"demo.py"}


def _modules() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(SOURCE.rglob("*.py")):
        yield path.relative_to(SOURCE).as_posix(), ast.parse(path.read_text(), str(path))


def _role_strings(nodes: list[ast.expr]) -> list[str]:
    return [n.value for n in nodes if isinstance(n, ast.Constant) and n.value in ROLE_NAMES]


def test_the_uk_time_zone_is_named_once() -> None:
    found = []
    for name, tree in _modules():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and "ZoneInfo" in ast.unparse(node.func)
                and any(isinstance(a, ast.Constant) for a in node.args)
            ):
                found.append(f"{name}:{node.lineno}")
    assert [f.split(":")[0] for f in found] == ["clock.py"], found


def test_long_date_formats_are_written_only_in_casework_dates() -> None:
    """Month and weekday names (%B, %A) come from casework.dates, in code and templates."""
    pattern = re.compile(r"%[AB]")
    found = [
        f"{path.relative_to(SOURCE)}:{number}"
        for path in sorted([*SOURCE.rglob("*.py"), *SOURCE.rglob("*.html")])
        if path.name != "dates.py"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert found == []


def test_role_groups_are_defined_only_in_casework_roles() -> None:
    """No tuple of role names, and no call naming two roles, outside casework/roles.py."""
    found = []
    for name, tree in _modules():
        if name in {"roles.py", *ROLE_DATA}:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Tuple | ast.List | ast.Set):
                named = _role_strings(node.elts)
            elif isinstance(node, ast.Call):
                named = _role_strings(node.args)
            else:
                continue
            if len(named) >= 2:
                found.append(f"{name}:{node.lineno} {named}")
    assert found == []


def test_every_role_group_holds_real_roles() -> None:
    groups = {
        name: value
        for name, value in vars(roles).items()
        if name.isupper() and isinstance(value, tuple)
    }
    assert len(groups) > 5
    for name, members in groups.items():
        assert members, name
        assert set(members) <= ROLE_NAMES, name
        assert len(set(members)) == len(members), name


def test_statistics_query_schema_is_defined_once() -> None:
    """A schema taking a download ``format`` and ``publication`` lives in stats/schemas.py."""
    found = []
    for name, tree in _modules():
        for node in ast.walk(tree):
            if not isinstance(node, ast.ClassDef):
                continue
            assigned = {
                t.id
                for s in node.body
                if isinstance(s, ast.Assign)
                for t in s.targets
                if isinstance(t, ast.Name)
            }
            if {"format", "publication"} <= assigned:
                found.append(f"{name}:{node.name}")
    assert found == ["stats/schemas.py:PeriodQuery", "stats/schemas.py:QuarterQuery"]


def test_the_long_formats_read_as_gov_uk_writes_them() -> None:
    from datetime import UTC, date, datetime

    assert dates.long_date(date(2026, 12, 1)) == "1 December 2026"
    assert dates.long_date("2026-03-01") == "1 March 2026"
    assert dates.long_date(None) == ""
    assert dates.long_day(date(2026, 12, 1)) == "Tuesday 1 December 2026"
    summer = datetime(2026, 7, 1, 9, 5, tzinfo=UTC)  # 10:05 in London (BST)
    assert dates.long_moment(summer) == "Wednesday 1 July 2026 at 10:05"
    assert dates.long_moment(summer.isoformat()) == "Wednesday 1 July 2026 at 10:05"
    assert dates.date_at(summer) == "1 July 2026 at 10:05"
    assert dates.time_and_date(summer) == "10:05 on 1 July 2026"
    assert dates.time_and_day(summer) == "10:05 on Wednesday 1 July 2026"
    late = datetime(2026, 7, 1, 23, 30, tzinfo=UTC)  # already 2 July in London
    assert dates.long_day(dates.uk(late)) == "Thursday 2 July 2026"
    assert dates.long_date(late) == "1 July 2026"  # a datetime is the day it holds
