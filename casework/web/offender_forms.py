"""The offender pages' forms, declared once: what each field is, how a browser sends it, how
it becomes the API body, and how marshmallow's generic messages read on a page.

The rules themselves are the API's (casework/offenders/schemas.py); a page only turns GOV.UK
date inputs, radios and checkboxes into the same JSON body an agency system would send.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask import request

from casework.offenders.models import (
    CLASSIFICATIONS,
    COHORTS,
    EXIT_REASONS,
    INTERVENTIONS,
    OUTCOMES,
    PATHWAY_STATUSES,
    PATHWAYS,
    RISK_FACTORS,
)

NAMES: dict[str, str] = {
    # IOM cohorts, classifications, exit reasons
    "fixed": "Fixed",
    "flex": "Flex",
    "free": "Free",
    "rr": "R&R: rehabilitate and resettle",
    "cc": "C&C: catch and convict",
    "deselected": "De-selected (agreed at a meeting)",
    "died": "Died",
    "long_custody": "Long custody (2 years or more expected)",
    "moved_away": "Moved away",
    # panels
    "ppo": "PPO",
    "prevent_deter": "Prevent and Deter",
    "iom": "IOM",
    # outcomes
    "no_further_action": "No further action",
    # pathways and statuses
    "education_training_employment": "Education, training and employment",
    "drugs_alcohol": "Drugs and alcohol",
    "children_families": "Children and families",
    "attitudes_behaviour": "Attitudes, thinking and behaviour",
    "in_progress": "In progress",
    "not_met": "Not met",
    # interventions and risk factors
    "acceptable_behaviour_contract": "Acceptable Behaviour Contract",
    "yot_referral": "Youth offending team referral",
    "civil_injunction_evidence": "Civil injunction evidence",
    "antisocial_behaviour": "Anti-social behaviour incidents",
    "victim": "Being a victim",
    "theft_from_person": "Theft from the person",
}


def name_of(code: str | None, names: Mapping[str, str] = NAMES) -> str:
    """A code as words: a known name, else ``vehicle_crime`` -> ``Vehicle crime``."""
    if not code:
        return ""
    return names.get(code) or code.replace("_", " ").capitalize()


def options(
    codes: Sequence[str], name: Callable[[str], str] = name_of
) -> tuple[tuple[str, str], ...]:
    return tuple((c, name(c)) for c in codes)


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = "text"  # text, textarea, date, select, radios, yes_no, checkbox, checkboxes
    choices: tuple[tuple[str, str], ...] = ()
    hint: str | None = None
    optional: bool = False

    @property
    def anchor(self) -> str:
        """Where the error summary's link lands (a date's day box, a group's first box)."""
        return f"{self.name}-day" if self.kind == "date" else self.name


@dataclass(frozen=True)
class Form:
    title: str
    fields: tuple[Field, ...]
    button: str = "Save"
    fixed: tuple[tuple[str, Any], ...] = ()  # body keys the page sets itself (``kind``)
    done: str = "Saved"  # the confirmation shown on the nominal's page (no personal values)


def day(
    name: str, label: str, optional: bool = False, hint: str = "For example, 27 3 2026"
) -> Field:
    return Field(name, label, "date", hint=hint, optional=optional)


def intervention_kind(choices: tuple[tuple[str, str], ...]) -> Field:
    """Which intervention, as a nominal's and an ASB perpetrator's forms both ask it (each
    from its own list: IOM and Prevent and Deter interventions, the ASB ladder)."""
    return Field("kind", "Intervention", "select", (("", "Choose"), *choices))


OUTCOME_CHOICES = (("", "Not known yet"), *options(OUTCOMES))

# Forms on one nominal, by the last part of their address; ``field`` is what the engine must
# grant for ``edit`` before the page offers the form.
RECORD_FORMS: dict[str, tuple[str, Form]] = {
    "offence": (
        "offences",
        Form(
            "Record an offence",
            (
                day("date", "Date of the offence"),
                Field("category", "Offence category", "select"),  # choices from settings
                Field("outcome", "Outcome", "select", OUTCOME_CHOICES, optional=True),
            ),
            fixed=(("kind", "offence"),),
            done="Offence recorded",
        ),
    ),
    "intelligence": (
        "offences",
        Form(
            "Record an intelligence report",
            (day("date", "Date of the report"),),
            fixed=(("kind", "intelligence"),),
            done="Intelligence report recorded",
        ),
    ),
    "warrant": (
        "offences",
        Form(
            "Record a warrant",
            (day("date", "Date the warrant was issued"),),
            fixed=(("kind", "warrant"),),
            done="Warrant recorded",
        ),
    ),
    "drug_test": (
        "drug_tests",
        Form(
            "Record a drug test",
            (
                day("date", "Date of the test"),
                Field("positive", "Result", "yes_no", (("yes", "Positive"), ("no", "Negative"))),
            ),
            fixed=(("kind", "drug_test"),),
            done="Drug test recorded",
        ),
    ),
    "custody": (
        "offences",
        Form(
            "Record a period in custody",
            (
                day("start_date", "Start date"),
                day(
                    "end_date",
                    "Release date",
                    optional=True,
                    hint="Leave blank if still in custody",
                ),
            ),
            done="Custody period recorded",
        ),
    ),
    "pathway": (
        "pathways",
        Form(
            "Record a resettlement pathway need",
            (
                Field(
                    "pathway", "Pathway", "select", (("", "Choose a pathway"), *options(PATHWAYS))
                ),
                Field("status", "Status", "radios", options(PATHWAY_STATUSES)),
                Field(
                    "achieved",
                    "Achieved: referred to drug or alcohol treatment, in stable accommodation, "
                    "or in education, training or employment",
                    "checkbox",
                    hint="Only for the drugs and alcohol, accommodation and ETE pathways",
                ),
                day("start_date", "Start date", optional=True),
                day("end_date", "End date", optional=True),
                Field("notes", "Notes", "textarea", optional=True),
            ),
            done="Pathway need recorded",
        ),
    ),
    "intervention": (
        "interventions",
        Form(
            "Record an intervention",
            (
                intervention_kind(options(INTERVENTIONS)),
                day("start_date", "Start date"),
                day("end_date", "End date", optional=True),
                Field("outcome", "Outcome", "textarea", optional=True),
            ),
            done="Intervention recorded",
        ),
    ),
    "risk_factors": (
        "risk_factors",
        Form(
            "Risk factors",
            (Field("risk_factors", "Risk factors", "checkboxes", options(RISK_FACTORS)),),
            done="Risk factors saved",
        ),
    ),
    "classification": (
        "classification",
        Form(
            "Classify this nominal",
            (
                Field("classification", "Classification", "radios", options(CLASSIFICATIONS)),
                day("date", "Date decided"),
                Field("reason", "Reason", "textarea"),
            ),
            done="Classification recorded",
        ),
    ),
    "exit": (
        "cohort",
        Form(
            "End a cohort spell",
            (
                Field("panel_id", "Panel", "select"),  # choices: the nominal's open spells
                day("exit_date", "Exit date"),
                Field("exit_reason", "Reason", "radios", options(EXIT_REASONS)),
            ),
            done="Cohort spell ended",
        ),
    ),
}

COHORT_FIELD = Field(
    "cohort", "IOM cohort", "radios", options(COHORTS), hint="IOM panels only", optional=True
)
JOIN_FORM = Form(
    "Add to another panel's cohort",
    (Field("panel_id", "Panel", "select"), day("entry_date", "Entry date"), COHORT_FIELD),
    done="Added to the cohort",
)


def nominal_form(panels: Sequence[tuple[str, str]], agencies: Sequence[tuple[str, str]]) -> Form:
    return Form(
        "Add a nominal",
        (
            Field("panel_id", "Panel", "select", (("", "Choose a panel"), *panels)),
            Field("first_name", "First name"),
            Field("last_name", "Last name"),
            day("date_of_birth", "Date of birth", hint="For example, 27 3 2007"),
            Field("pnc_id", "PNC number", hint="For example, 12/345678A", optional=True),
            day("entry_date", "Date of entry to the cohort"),
            COHORT_FIELD,
            Field("address", "Address", "textarea", optional=True),
            Field(
                "lead_agency", "Lead agency", "select", (("", "None yet"), *agencies), optional=True
            ),
            Field("lead_officer", "Lead officer", optional=True),
            Field("school", "School", hint="Prevent and Deter only", optional=True),
            Field(
                "risk_factors",
                "Risk factors",
                "checkboxes",
                options(RISK_FACTORS),
                hint="Prevent and Deter only",
                optional=True,
            ),
        ),
        button="Add nominal",
    )


def typed(form: Form) -> dict[str, Any]:
    """What the user typed, to show back on the form (date parts and lists included)."""
    out: dict[str, Any] = {}
    for f in form.fields:
        if f.kind == "date":
            for part in ("day", "month", "year"):
                out[f"{f.name}-{part}"] = request.form.get(f"{f.name}-{part}", "").strip()
        elif f.kind == "checkboxes":
            out[f.name] = request.form.getlist(f.name)
        else:
            out[f.name] = request.form.get(f.name, "").strip()
    return out


def body(form: Form, values: Mapping[str, Any]) -> dict[str, Any]:
    """The API body for what was typed; blank answers are left out so 'required' names them."""
    out: dict[str, Any] = dict(form.fixed)
    for f in form.fields:
        if f.kind == "date":
            d, m, y = (values.get(f"{f.name}-{p}", "") for p in ("day", "month", "year"))
            if d or m or y:
                out[f.name] = f"{y:0>4}-{m:0>2}-{d:0>2}"
        elif f.kind == "checkboxes":
            out[f.name] = list(values.get(f.name) or [])
        elif f.kind == "checkbox":
            out[f.name] = values.get(f.name) == "on"
        elif f.kind == "yes_no":
            if values.get(f.name) in ("yes", "no"):
                out[f.name] = values[f.name] == "yes"
        elif values.get(f.name):
            out[f.name] = values[f.name]
    return out


TOO_LONG = re.compile(r"(?:Length must be between 1 and|Longer than maximum length) (\d+)\.")


def _reword(f: Field | None, message: str) -> str:
    if f is None:
        return message
    label = f.label if f.label[:2].isupper() else f.label[0].lower() + f.label[1:]
    picks = f.kind in ("select", "radios", "yes_no", "checkbox", "checkboxes")
    if message in ("Missing data for required field.", "Field may not be null.") or (
        message.startswith("Shorter than minimum length")
    ):
        return f"{'Choose' if picks else 'Enter'} the {label}"
    if message.startswith("Must be one of") or message == "Not a valid boolean.":
        return f"Choose the {label}"
    if message == "Not a valid date.":
        return f"{f.label} must be a real date"
    if match := TOO_LONG.fullmatch(message):
        return f"{f.label} must be {match.group(1)} characters or fewer"
    return message


def friendly(form: Form, fields: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """The API's errors with marshmallow's generic wording replaced, keyed by field name
    (nested keys such as ``risk_factors.victim`` fold into their field)."""
    by_name = {f.name: f for f in form.fields}
    out: dict[str, list[str]] = {}
    for path, messages in fields.items():
        name = path.split(".")[0]
        out.setdefault(name, []).extend(_reword(by_name.get(name), m) for m in messages)
    return out


def summary(form: Form, errors: Mapping[str, Sequence[str]]) -> list[dict[str, str]]:
    by_name = {f.name: f for f in form.fields}
    return [
        {
            "text": messages[0],
            "href": f"#{by_name[name].anchor}" if name in by_name else "#main-content",
        }
        for name, messages in errors.items()
        if messages
    ]
