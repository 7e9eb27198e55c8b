"""The filters' date boxes are GOV.UK's date input, written out for speed: the markup must stay
what ``govukDateInput`` writes, whatever was typed and whatever the error, or the Design
System's styles, scripts and accessibility checks would no longer apply to it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

DESIGN_SYSTEM = """
{%- from "govuk_frontend_jinja/components/date-input/macro.html" import govukDateInput -%}
{{ govukDateInput({
  "id": name, "namePrefix": name,
  "fieldset": {"legend": {"text": legend, "classes": "govuk-fieldset__legend--s"}},
  "hint": {"text": hint},
  "errorMessage": {"text": errors[name][0]} if errors.get(name) else None,
  "items": items
}) }}
"""
OURS = """
{%- from "_date_filter.html" import date_filter -%}
{{ date_filter(name, legend, values, errors, hint) }}
"""


def _normal(html: str) -> str:
    """Markup with layout whitespace gone: runs of it are one space, none beside a tag."""
    return re.sub(r"\s*([<>])\s*", r"\1", re.sub(r"\s+", " ", html)).strip()


@pytest.mark.parametrize(
    "values,errors",
    [
        ({}, {}),
        ({"from-day": "3", "from-month": "11", "from-year": "2026"}, {}),
        ({"from-day": '31"><b>', "from-year": "26"}, {"from": ["Enter a real date"]}),
        ({"to-day": "1"}, {"to": ["Must be after <from>"]}),
    ],
)
def test_the_written_out_date_input_is_the_design_systems(
    app: Flask, values: dict[str, str], errors: dict[str, list[str]]
) -> None:
    context: dict[str, Any] = {
        "name": "from",
        "legend": "Referred on or after",
        "hint": "For example, 27 3 2026",
        "values": values,
        "errors": errors,
    }
    box = " govuk-input--error" if errors.get("from") else ""
    context["items"] = [
        {
            "name": part,
            "classes": f"govuk-input--width-{width}{box}",
            "value": values.get(f"from-{part}", ""),
        }
        for part, width in (("day", 2), ("month", 2), ("year", 4))
    ]
    with app.test_request_context("/"):
        ours = app.jinja_env.from_string(OURS).render(context)
        theirs = app.jinja_env.from_string(DESIGN_SYSTEM).render(context)
    assert _normal(ours) == _normal(theirs)
    assert "<b>" not in ours  # what was typed stays escaped
