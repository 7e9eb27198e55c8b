"""Template filters that keep the pages' words plain: UK times and sentence case.

Stored moments are UTC; people read the partnership's clock, so a page never prints a UTC hour
(``uk_moment``). Labels are sentence case, and a label used mid-sentence loses only its first
capital: lower-casing a whole label would turn "DASH score of 14 or more" into "dash score"
(``mid_sentence``).
"""

from __future__ import annotations

from datetime import datetime

from casework import dates
from casework.clock import UK
from casework.web.blueprint import blueprint


@blueprint.app_template_filter("uk_moment")
def uk_moment(value: datetime | None) -> str:
    """A stored (UTC) moment as people read it: '6 January 2027 at 14:05', UK time."""
    return dates.date_at(value) if value else ""


@blueprint.app_template_filter("uk_stamp")
def uk_stamp(value: datetime) -> str:
    """A stored (UTC) moment to the second in UK time, for the audit log: '14 Mar 2026 09:30:00'."""
    local = value.astimezone(UK)
    return f"{local.day} {local:%b %Y %H:%M:%S}"


@blueprint.app_template_filter("mid_sentence")
def mid_sentence(label: str | None) -> str:
    """'Visible high risk (a DASH score of 14 or more)' as it reads inside a sentence:
    'visible high risk (a DASH score of 14 or more)'. An opening acronym ('IDVA', 'DASH') or
    name keeps its capitals; only a capitalised ordinary first word is lowered."""
    if not label:
        return ""
    first = label.split(" ", 1)[0]
    if len(first) > 1 and first[1:].lower() != first[1:]:  # IDVA, DASH, McKenzie
        return label
    return label[0].lower() + label[1:]
