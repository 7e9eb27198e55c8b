"""Research pages: the meetings an agency is preparing for, and its notes on each listed case.

The meeting's page is one form (``casework.web.kept``): each case has its own "Save research"
button (``save=<referral_id>``) and "Save all research" saves every case that changed, so
saving one case never loses what was typed for another. Errors come back in place, with
everything that was typed, and the error summary links to each case's fields. Saving several
cases is all or nothing: a page answered with errors is rolled back (``casework.http``).

Each case also has its collated page (``research_collated``): every member agency's research
the reader may read (the chair's and coordinator's, under the MARAC protocol, once agencies
share it), and where each other agency stands.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for

from casework.dates import date_at, long_date
from casework.errors import Invalid
from casework.http import current_actor, services
from casework.meetings import research, research_collated
from casework.roles import MANAGERS
from casework.routes import policy, signed_in
from casework.web.blueprint import blueprint
from casework.web.kept import changed, fingerprint
from casework.web.meeting import case_name, meeting_when, prefixed_errors

FIELDS = ("has_information", *research.TEXTS, "shared_before_meeting")
# The research form's boxes, SafeLives' way: fact apart from opinion, and what is held but
# not shared (and why) apart from both: (field, label, hint, rows).
BOXES = (
    ("text", "Summary", "In a sentence or two, what your agency will share at the meeting.", 3),
    (
        "facts",
        "What your agency's records show",
        "Facts only: dates, incidents, contacts and who was involved.",
        5,
    ),
    (
        "opinion",
        "Your professional opinion",
        "Your assessment of the risk and of what would help, given as opinion.",
        4,
    ),
    (
        "held_not_shared",
        "What your agency holds but will not share",
        "Leave blank if your agency will share everything it holds.",
        3,
    ),
    (
        "not_shared_reason",
        "Why it will not be shared",
        "For example, sharing it would put someone at risk, or the law does not allow it.",
        3,
    ),
)


@blueprint.get("/research")
@signed_in
@policy()
def research_list() -> Any:
    actor = current_actor()
    return render_template(
        "meeting/research_list.html",
        rows=research.research_meetings(services(), actor),
        manages=actor.has_any(*MANAGERS),
        meeting_when=meeting_when,
    )


def _page(
    meeting_id: str,
    errors: dict[str, dict[str, list[str]]] | None = None,
    values: dict[str, dict[str, str]] | None = None,
    unsaved: frozenset[str] = frozenset(),
) -> Any:
    """The research page; ``errors`` and ``values`` are by referral id, shown against each
    case's own fields (``case-<number>-text``) in the page's order."""
    view = research.research_view(services(), current_actor(), meeting_id)
    shown: dict[str, list[str]] = {}
    for number, row in enumerate(view["cases"], start=1):
        fields = (errors or {}).get(row["case"]["id"])
        if fields:
            shown.update(prefixed_errors(fields, f"case-{number}", "text"))
    page = render_template(
        "meeting/research.html",
        view=view,
        values=values or {},
        unsaved=unsaved,
        errors=shown,
        error_items=[{"text": v[0], "href": f"#{k}"} for k, v in shown.items() if v],
        boxes=BOXES,
        saved=_saved,
        digest=_digest,
        meeting_when=meeting_when,
        case_name=case_name,
        long_date=long_date,
    )
    return (page, 422) if errors else page


def _saved(note: dict[str, Any] | None, field: str) -> Any:
    return None if note is None else note.get(field)


def _digest(note: dict[str, Any] | None) -> str:
    """What the page showed of a case's note, in ``_edited``'s order (``casework.web.kept``)."""
    answer = _saved(note, "has_information")
    texts = [_saved(note, f) for f in research.TEXTS]
    shared = "yes" if _saved(note, "shared_before_meeting") else "no"
    return fingerprint(answer, *texts, shared)


@blueprint.get("/meetings/<meeting_id>/research")
@signed_in
@policy("referral", "research_note")
def research_page(meeting_id: str) -> Any:
    return _page(meeting_id)


def _typed() -> dict[str, dict[str, str]]:
    """Each case's answers as sent, by referral id, in the page's order (the order of the
    ``shown-<id>`` inputs, one per case); blank answers left out so 'required' names them."""
    typed: dict[str, dict[str, str]] = {}
    for key in request.form:
        if key.startswith("shown-"):
            rid = key.removeprefix("shown-")
            answers = {f: request.form.get(f"{f}-{rid}", "") for f in FIELDS}
            typed[rid] = {f: v for f, v in answers.items() if v.strip()}
    return typed


def _cases(numbers: list[int]) -> str:
    """case 3; cases 2 and 4; cases 1, 2 and 5."""
    if len(numbers) == 1:
        return f"case {numbers[0]}"
    *rest, last = numbers
    return f"cases {', '.join(map(str, rest))} and {last}"


def _edited(rid: str, answers: dict[str, str]) -> bool:
    """Compared in the order the page's ``shown-<id>`` digest lists them (research.html)."""
    texts = [answers.get(f) for f in research.TEXTS]
    return changed(rid, answers.get("has_information"), *texts, _shared(answers))


def _shared(answers: dict[str, str]) -> str:
    return "yes" if answers.get("shared_before_meeting") == "yes" else "no"


@blueprint.post("/meetings/<meeting_id>/research")
@signed_in
@policy("referral", "case", "research_note")
def research_save(meeting_id: str) -> Any:
    """Save the case whose button was pressed, or (Save all, or Enter) every case that
    changed, and keep what was typed for the others."""
    typed = _typed()
    numbers = {rid: n for n, rid in enumerate(typed, start=1)}
    pressed = request.form.get("save", "")
    chosen = [pressed] if pressed in typed else [r for r, a in typed.items() if _edited(r, a)]
    target = url_for("web.research_page", meeting_id=meeting_id)
    if not chosen:
        flash("There were no changes to save.", "important")
        return redirect(target)
    svc, actor = services(), current_actor()
    errors: dict[str, dict[str, list[str]]] = {}
    for rid in chosen:
        try:
            research.save_note(svc, actor, meeting_id, rid, typed[rid])
        except Invalid as exc:
            if exc.code == "meeting_closed":
                flash(exc.message, "important")
                return redirect(target)
            errors[rid] = exc.fields
    if errors:
        return _page(meeting_id, errors, typed)
    saved = _cases([numbers[r] for r in chosen]) if len(chosen) == 1 else f"{len(chosen)} cases"
    shared = {_shared(typed[r]) for r in chosen}
    who = {
        frozenset({"no"}): "Only your agency can see it.",
        frozenset({"yes"}): "Your agency chose to share it with the chair and coordinator.",
    }.get(
        frozenset(shared),
        "What you chose to share goes to the chair and coordinator; only your agency can see "
        "the rest.",
    )
    flash(f"Research saved for {saved}. {who}", "success")
    left = [r for r, a in typed.items() if r not in chosen and _edited(r, a)]
    if not left:
        return redirect(f"{target}#note-{chosen[0]}" if len(chosen) == 1 else target)
    flash(f"Not saved yet: your changes to {_cases([numbers[r] for r in left])}.", "important")
    kept = {r: typed[r] for r in left}
    return _page(meeting_id, values=kept, unsaved=frozenset(left))


@blueprint.get("/meetings/<meeting_id>/research/<case_id>/collated")
@signed_in
@policy("referral", "case", "research_note")
def research_collated_page(meeting_id: str, case_id: str) -> Any:
    """One case's research from every member agency, as far as the protocol lets the reader
    read it: what the chair checks before the case is heard."""
    view = research_collated.collated(services(), current_actor(), meeting_id, case_id)
    return render_template(
        "meeting/research_collated.html",
        view=view,
        meeting_when=meeting_when,
        case_name=case_name,
        long_date=long_date,
        date_at=date_at,
    )
