"""What the workbench proposes for each item before the DPO decides: pure rules.

Third-party information is marked for redaction by default, and anything that would reveal a
referral to the person it is about is withheld, so that a disclosure prepared in a hurry errs
towards protecting the victim. The DPO may change any item, giving a reason.

- The requester's own details, as each record holds them, are released.
- Another person's details (the victim's, a perpetrator's, a child's) are redacted.
- Research another agency prepared for a meeting is redacted, as are a meeting's minutes
  (the discussion records what other agencies shared and may name other people).
- The rest of a case about the requester as its victim (the referral itself, the DASH
  answers she gave, the meetings it was listed at, the actions agreed) is released.
- When the requester is a perpetrator, or is named as one in the record, everything that came
  from a MARAC referral or an ASB case is withheld: it came from the victim or would tell the
  perpetrator that she sought help (DPA 2018 s.45(4), the law-enforcement restriction).
  Neither a placeholder nor a redaction mark is printed for a withheld item.
"""

from __future__ import annotations

from datetime import date, timedelta

from casework.meetings.calendar import is_working_day

#: Where an item came from (the record type of its source).
REFERRAL_SOURCES = frozenset({"referral", "research_note", "minute", "action", "asb_case"})

#: What an item is, as the workbench labels it.
CATEGORIES: dict[str, str] = {
    "own_details": "The requester's own details",
    "victim_details": "A victim's details",
    "perpetrator_details": "A perpetrator's details",
    "child_details": "A child's details",
    "referral": "A referral",
    "risk": "Risk assessment (DASH)",
    "agenda": "Listed at a meeting",
    "minute": "Meeting minutes",
    "action": "An action agreed at a meeting",
    "research": "Research by an agency",
    "asb_case": "An anti-social behaviour case",
}
THIRD_PARTY = frozenset({"victim_details", "perpetrator_details", "child_details"})
#: The subject's role in a record under which the case is theirs (they are its victim, or
#: the record is their own offender management record).
OWN_CASE_ROLES = frozenset({"victim", "asb_victim", "nominal"})
#: The subject's role in a record under which they are its perpetrator (s.45(4) below).
PERPETRATORS = frozenset({"perpetrator", "asb_perpetrator"})

LAW_ENFORCEMENT = (
    "Would reveal a referral, or came from the victim: restricted under DPA 2018 s.45(4)"
)
ANOTHER_PERSON = "Information about another person"
RESEARCH = "Research another agency shared for the meeting"
MINUTES = "The meeting's discussion names other people and what other agencies shared"
NOT_THEIR_CASE = "Part of another person's case"


def proposed(requester: str, role: str, source: str, category: str) -> tuple[str, str]:
    """(decision, reason) proposed for an item of ``category`` copied from a record of type
    ``source`` in which the data subject has ``role``, for a request by a ``requester``."""
    if source in REFERRAL_SOURCES and (requester == "perpetrator" or role in PERPETRATORS):
        return "withhold", LAW_ENFORCEMENT
    if category == "own_details":
        return "release", ""
    if category in THIRD_PARTY:
        return "redact", ANOTHER_PERSON
    if category == "research":
        return "redact", RESEARCH
    if category == "minute":
        return "redact", MINUTES
    if role in OWN_CASE_ROLES:
        return "release", ""
    return "redact", NOT_THEIR_CASE


def due_date(received: date, nation: str = "england-and-wales") -> date:
    """One calendar month after the day received: the same day of the next month, or that
    month's last day when it is shorter; a weekend or bank holiday (of the controller's
    ``nation``) gives until the next working day (ICO guidance on the time limit)."""
    year, month = (
        (received.year + 1, 1) if received.month == 12 else (received.year, received.month + 1)
    )
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    last = following - timedelta(days=1)
    due = date(year, month, min(received.day, last.day))
    while not is_working_day(due, nation):
        due += timedelta(days=1)
    return due
