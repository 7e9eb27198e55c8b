"""Reading and checking Information Sharing Protocols (TOML files in config/isp/).

A protocol is the signed agreement turned into configuration: which categories of fields
exist, and rules saying which agencies (by code or sector) in which roles may take which
verbs on which categories, under which condition. Anything not granted is denied.

Checking is strict because a mistake here leaks or hides data about people at risk: an
unknown key, field, category, sector, role, verb or condition stops start-up with a message
naming the file and line.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from casework.actors import Actor
from casework.agencies.models import SECTORS
from casework.panels import kinds as panel_kinds
from casework.roles import CASE_ROLES, NO_CASE_DATA_ROLES
from casework.sharing.catalogue import CONDITIONS, FIELDS, VERBS

TOP_KEYS = {"name", "description", "panel_kinds", "agenda_days_after_meeting", "categories"}
RULE_KEYS = {"description", "agencies", "sectors", "roles", "condition", "verbs", "categories"}


class ProtocolError(ValueError):
    """A protocol file is wrong; the message names the file and line."""


@dataclass(frozen=True)
class Rule:
    line: int
    description: str
    agencies: frozenset[str]  # agency codes; empty with no sectors means any agency
    sectors: frozenset[str]
    roles: frozenset[str]
    condition: str
    verbs: frozenset[str]
    categories: tuple[str, ...]

    def matches(self, actor: Actor, verb: str) -> bool:
        """Does this rule speak to this actor taking this verb (conditions aside)?

        Any verb includes ``view``: what may be listed, exported or edited may be opened.
        """
        if not (verb in self.verbs or (verb == "view" and self.verbs)):
            return False
        if not self.roles & actor.roles:
            return False
        if not self.agencies and not self.sectors:
            return actor.agency_id is not None
        return actor.agency_code in self.agencies or actor.sector in self.sectors


@dataclass(frozen=True)
class Protocol:
    key: str  # the file's stem, stored on panels
    name: str
    description: str
    panel_kinds: frozenset[str]
    agenda_days_after_meeting: int
    categories: dict[str, tuple[str, ...]]  # category -> "record_type:field" names
    rules: tuple[Rule, ...]

    def fields(self, categories: Iterable[str], record_type: str) -> set[str]:
        prefix = f"{record_type}:"
        return {
            f.removeprefix(prefix)
            for c in categories
            for f in self.categories[c]
            if f.startswith(prefix)
        }


def _line_of(text: str, token: str, start: int = 1) -> int:
    """The first line at or after ``start`` that mentions ``token`` (quoted or as a key)."""
    pattern = re.compile(rf'(["\']){re.escape(token)}\1|^\s*{re.escape(token)}\s*=')
    for number, line in enumerate(text.splitlines()[start - 1 :], start):
        if pattern.search(line):
            return number
    return start


def _rule_lines(text: str) -> list[int]:
    return [n for n, line in enumerate(text.splitlines(), 1) if line.strip() == "[[rules]]"]


class _Checker:
    def __init__(self, path: Path, text: str) -> None:
        self.path, self.text = path, text

    def fail(self, message: str, token: str, start: int = 1) -> ProtocolError:
        return ProtocolError(f"{self.path.name}:{_line_of(self.text, token, start)}: {message}")

    def strings(self, value: Any, what: str, key: str, start: int) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(f"{what} must be a list of strings", key, start)
        return value

    def only(self, values: list[str], allowed: Iterable[str], what: str, start: int) -> None:
        allowed = set(allowed)
        for value in values:
            if value not in allowed:
                raise self.fail(f"unknown {what} {value!r}", value, start)


def parse_protocol(path: Path) -> Protocol:
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProtocolError(f"{path.name}: not valid TOML: {exc}") from None
    check = _Checker(path, text)
    for key in data:
        if key not in TOP_KEYS | {"rules"}:
            raise check.fail(f"unknown setting {key!r}", key)
    kinds = check.strings(data.get("panel_kinds", []), "panel_kinds", "panel_kinds", 1)
    check.only(kinds, panel_kinds.codes(), "panel kind", 1)
    if not kinds:
        raise check.fail("panel_kinds must name at least one kind of panel", "panel_kinds")
    days = data.get("agenda_days_after_meeting", 28)
    if not isinstance(days, int) or isinstance(days, bool) or not 0 <= days <= 366:
        raise check.fail("agenda_days_after_meeting must be 0-366", "agenda_days_after_meeting")

    known = {f"{rtype}:{f}" for rtype, fields in FIELDS.items() for f in fields}
    categories: dict[str, tuple[str, ...]] = {}
    placed: dict[str, str] = {}
    raw_categories = data.get("categories")
    if not isinstance(raw_categories, dict) or not raw_categories:
        raise check.fail("a [categories] table is required", "categories")
    for name, fields in raw_categories.items():
        start = _line_of(text, name)
        fields = check.strings(fields, f"category {name!r}", name, 1)
        check.only(fields, known, "field", start)
        for field in fields:
            if field in placed:
                raise check.fail(f"{field!r} is in both {placed[field]!r} and {name!r}", name)
            placed[field] = name
        categories[name] = tuple(fields)

    raw_rules = data.get("rules", [])
    if not isinstance(raw_rules, list):
        raise check.fail("rules must be [[rules]] tables", "rules")
    starts = _rule_lines(text) or [1] * len(raw_rules)
    rules = tuple(
        _rule(check, raw, starts[i] if i < len(starts) else 1, categories)
        for i, raw in enumerate(raw_rules)
    )
    return Protocol(
        key=path.stem,
        name=str(data.get("name") or path.stem),
        description=str(data.get("description") or ""),
        panel_kinds=frozenset(kinds),
        agenda_days_after_meeting=days,
        categories=categories,
        rules=rules,
    )


def _rule(check: _Checker, raw: dict[str, Any], start: int, categories: dict) -> Rule:
    for key in raw:
        if key not in RULE_KEYS:
            raise check.fail(f"unknown rule setting {key!r}", key, start)
    for key in ("roles", "condition", "verbs", "categories"):
        if key not in raw:
            raise ProtocolError(f"{check.path.name}:{start}: rule needs {key!r}")
    agencies = check.strings(raw.get("agencies", []), "agencies", "agencies", start)
    sectors = check.strings(raw.get("sectors", []), "sectors", "sectors", start)
    check.only(sectors, SECTORS, "sector", start)
    roles = check.strings(raw["roles"], "roles", "roles", start)
    for role in roles:
        if role in NO_CASE_DATA_ROLES:
            raise check.fail(f"role {role!r} may never see case data", role, start)
    check.only(roles, CASE_ROLES, "role", start)
    condition = raw["condition"]
    if not isinstance(condition, str):
        raise check.fail("condition must be a string", "condition", start)
    check.only([condition], CONDITIONS, "condition", start)
    verbs = check.strings(raw["verbs"], "verbs", "verbs", start)
    check.only(verbs, VERBS, "verb", start)
    cats = check.strings(raw["categories"], "categories", "categories", start)
    check.only(cats, categories, "category", start)
    if not (roles and verbs and cats):
        raise ProtocolError(f"{check.path.name}:{start}: roles, verbs and categories are empty")
    return Rule(
        line=start,
        description=str(raw.get("description", "")),
        agencies=frozenset(agencies),
        sectors=frozenset(sectors),
        roles=frozenset(roles),
        condition=condition,
        verbs=frozenset(verbs),
        categories=tuple(cats),
    )


def load_protocols(directory: Path) -> dict[str, Protocol]:
    """Every ``*.toml`` in ``directory``; any error stops start-up."""
    if not directory.is_dir():
        raise ProtocolError(f"protocol directory {directory} does not exist")
    protocols = {p.stem: parse_protocol(p) for p in sorted(directory.glob("*.toml"))}
    if not protocols:
        raise ProtocolError(f"no information sharing protocols in {directory}")
    return protocols
