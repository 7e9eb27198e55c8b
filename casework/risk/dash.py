"""The SafeLives DASH risk checklist and the four MARAC referral criteria (DOMAIN.md).

Pure functions over plain values so they can be tested exhaustively; thresholds come from
configuration (``RiskRules.from_settings``) with the DOMAIN.md defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

ANSWERS = ("yes", "no", "not_known")

QUESTIONS: dict[str, str] = {
    "1": "Has the current incident resulted in injury?",
    "2": "Is the victim very frightened?",
    "3": "Is the victim afraid of further injury or violence?",
    "4": "Does the victim feel isolated from family or friends?",
    "5": "Is the victim feeling depressed or having suicidal thoughts?",
    "6": "Has the victim separated or tried to separate from the abuser in the past year?",
    "7": "Is there conflict over child contact?",
    "8": "Does the abuser constantly text, call, contact, follow, stalk or harass the victim?",
    "9": "Is the victim pregnant or has she recently had a baby?",
    "10": "Is the abuse happening more often?",
    "11": "Is the abuse getting worse?",
    "12": "Does the abuser try to control everything and/or are they excessively jealous?",
    "13": "Has the abuser ever used weapons or objects to hurt the victim?",
    "14": "Has the abuser threatened to kill the victim or someone else, and were they believed?",
    "15": "Has the abuser ever attempted to strangle, choke, suffocate or drown the victim?",
    "16": "Does the abuser do or say sexual things that make the victim feel bad or hurt them?",
    "17": "Has another person threatened the victim, or is the victim afraid of someone else?",
    "18": "Does the victim know if the abuser has hurt anyone else?",
    "19": "Has the abuser ever mistreated an animal or the family pet?",
    "20": "Are there any financial issues, or is the victim dependent on the abuser for money?",
    "21": "Has the abuser had problems in the past year with drugs, alcohol or mental health?",
    "22": "Has the abuser ever threatened or attempted suicide?",
    "23": "Has the abuser ever broken bail, an injunction or a formal contact agreement?",
    "24": "Is the abuser in trouble with the police or has a criminal history?",
}

CRITERIA = ("visible_high_risk", "professional_judgement", "potential_escalation", "repeat")


@dataclass(frozen=True)
class RiskRules:
    high_from: int = 14
    medium_from: int = 10
    escalation_incidents: int = 3

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> RiskRules:
        return cls(
            high_from=int(settings.get("DASH_HIGH_RISK_FROM", 14)),
            medium_from=int(settings.get("DASH_MEDIUM_RISK_FROM", 10)),
            escalation_incidents=int(settings.get("ESCALATION_INCIDENTS", 3)),
        )


def score(answers: Mapping[str, str]) -> int:
    """The number of "yes" answers."""
    return sum(1 for a in answers.values() if a == "yes")


def band(dash_score: int, rules: RiskRules) -> str:
    if dash_score >= rules.high_from:
        return "high"
    if dash_score >= rules.medium_from:
        return "medium"
    return "standard"


def criteria_met(
    dash_score: int,
    police_incidents_12m: int,
    professional_judgement: bool,
    is_repeat: bool,
    rules: RiskRules,
) -> list[str]:
    """The criteria a referral meets, in the order DOMAIN.md lists them.

    Professional judgement counts only when the referrer used it (the reason is required by
    validation); it can raise a case below the threshold and never lowers one above it.
    """
    met = {
        "visible_high_risk": dash_score >= rules.high_from,
        "professional_judgement": professional_judgement,
        "potential_escalation": police_incidents_12m >= rules.escalation_incidents,
        "repeat": is_repeat,
    }
    return [c for c in CRITERIA if met[c]]


CRITERIA_EXPLAINED = (
    "A MARAC referral must meet at least one criterion: a DASH score of {high} or more "
    "(visible high risk); the referrer's professional judgement, with the reasons written "
    "down; {incidents} or more domestic abuse incidents reported to the police in the past "
    "12 months (potential escalation); or a repeat referral within 12 months."
)
