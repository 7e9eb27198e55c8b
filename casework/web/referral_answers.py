"""The "check your answers" summary of a draft: each section's answers in words, with the
link that changes them (and brings the user back here)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from markupsafe import Markup

from casework.dates import long_date
from casework.referrals import draft_form as form
from casework.referrals.drafts import ReferralDraft
from casework.risk.dash import QUESTIONS
from casework.web.referral_errors import GENDERS

YES_NO = {"yes": "Yes", "no": "No", "not_known": "Not known"}


def _questions() -> list[tuple[str, str]]:
    return list(QUESTIONS.items())


def shown_date(raw: Mapping[str, str], name: str) -> str:
    """A date as typed in its three boxes, in words when it is a real date."""
    parts = [raw.get(f"{name}-{p}", "").strip() for p in form.DATE_PARTS]
    if not any(parts):
        return ""
    try:
        day = date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError:
        return "/".join(parts)
    return long_date(day)


def _name(raw: Mapping[str, str]) -> str:
    return " ".join(v for k in ("first_name", "last_name") if (v := raw.get(k, "").strip()))


def _rows(pairs: list[tuple[str, str | None]], pre: tuple[str, ...] = ()) -> list[dict]:
    """Summary list rows; long answers (``pre``) keep the line breaks that were typed."""
    rows = []
    for key, value in pairs:
        shown: dict[str, Any] = {"text": value or "Not given"}
        if key in pre and value:
            shown = {"html": Markup('<span class="app-pre-wrap">{}</span>').format(value)}
        rows.append({"key": {"text": key}, "value": shown})
    return rows


def _comments(dash: Mapping[str, str]) -> list[tuple[str, str | None]]:
    return [(f"Comment on question {n}", c) for n in QUESTIONS if (c := dash.get(f"comment-{n}"))]


def _previous_marac(raw: Mapping[str, str]) -> str | None:
    """The answer as typed, with where and when after a yes ("Yes: Leeds, 14 March 2025")."""
    answer = YES_NO.get(raw.get("elsewhere", ""))
    if raw.get("elsewhere") != "yes":
        return answer
    where = ", ".join(p for p in (raw.get("area", "").strip(), shown_date(raw, "date")) if p)
    return f"{answer}: {where}" if where else answer


def _people(section: str, items: list[dict[str, str]]) -> list[tuple[str, list[dict]]]:
    cards = []
    noun = "Perpetrator" if section == "perpetrators" else "Child"
    for i, raw in enumerate(items):
        pairs = [("Name", _name(raw)), ("Date of birth", shown_date(raw, "date_of_birth"))]
        if section == "perpetrators":
            pairs.append(("Relationship to the victim", raw.get("relationship_to_victim")))
        cards.append((f"{noun} {i + 1}", _rows(pairs)))
    return cards


def answers(
    draft: ReferralDraft,
    done: Mapping[str, bool],
    section_url: Callable[..., str],
    item_url: Callable[..., str],
) -> list[dict[str, Any]]:
    content = draft.content
    v = content.get("victim", {})
    dash = content.get("dash", {})
    criteria = content.get("criteria", {})
    consent = content.get("consent", {})
    narrative = content.get("narrative", {})
    judgement = criteria.get("professional_judgement")
    incidents = criteria.get("police_incidents_12m", "0")
    reasons = [("Reasons", criteria.get("professional_judgement_reason"))]
    rows: dict[str, list[dict]] = {
        "victim": _rows(
            [
                ("Name", _name(v)),
                ("Date of birth", shown_date(v, "date_of_birth")),
                ("Gender", GENDERS.get(v.get("gender", ""), v.get("gender"))),
                ("Address", v.get("address")),
                ("Postcode", v.get("postcode")),
                ("Phone number", v.get("phone")),
                ("Safe to call", YES_NO.get(v.get("safe_to_call", ""))),
                ("Ethnicity", v.get("ethnicity")),
                ("Black or minority ethnic", YES_NO.get(v.get("bme", ""))),
                ("Lesbian, gay, bisexual or trans", YES_NO.get(v.get("lgbt", ""))),
                ("Disability", YES_NO.get(v.get("disability", ""))),
                ("Afraid of", v.get("afraid_of")),
                ("Safe to talk to", v.get("safe_to_talk_to")),
                ("Not safe to talk to", v.get("not_safe_to_talk_to")),
                ("Previous MARAC elsewhere", _previous_marac(v)),
            ],
            pre=("Afraid of", "Safe to talk to", "Not safe to talk to"),
        ),
        "perpetrators": [],
        "children": _rows([("Children", "None")]) if not content.get("children") else [],
        "dash": _rows(
            [("“Yes” answers", f"{form.dash_score(content)} of 24")]
            + [(f"{n}. {q}", YES_NO.get(dash.get(n, ""), "Not answered")) for n, q in _questions()]
            + _comments(dash),
            pre=tuple(f"Comment on question {n}" for n in QUESTIONS),
        ),
        "criteria": _rows(
            [
                ("Incidents reported to the police in 12 months", incidents),
                ("Referring on professional judgement", YES_NO.get(judgement or "no")),
            ]
            + (reasons if judgement == "yes" else []),
            pre=("Reasons",),
        ),
        "consent": _rows(
            [
                ("Victim knows about the referral", YES_NO.get(consent.get("victim_aware", ""))),
                ("Victim consented", YES_NO.get(consent.get("consent", ""))),
            ]
        ),
        "narrative": _rows(
            [
                ("Summary", narrative.get("summary")),
                ("Date of referral", shown_date(narrative, "referral_date")),
                ("Your name", narrative.get("name")),
                ("Your phone number", narrative.get("phone")),
                ("Your email address", narrative.get("email")),
            ],
            pre=("Summary",),
        ),
    }
    out = []
    for section in form.SECTIONS:
        cards = []
        if section in form.LIST_SECTIONS:
            people = _people(section, content.get(section, []))
            for i, (title, card_rows) in enumerate(people):
                href = item_url(draft.id, section, i, True)
                cards.append({"title": title, "rows": card_rows, "href": href})
        out.append(
            {
                "section": section,
                "title": form.TITLES[section],
                "complete": done[section],
                "href": section_url(draft.id, section, True),
                "rows": rows[section],
                "cards": cards,
            }
        )
    return out
