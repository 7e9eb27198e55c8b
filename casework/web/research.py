"""Research pages: the meetings an agency is preparing for, and its notes on each listed case.

The meeting's page is one form (``casework.web.kept``): each case has its own "Save research"
button (``save=<referral_id>``) and "Save all research" saves every case that changed, so
saving one case never loses what was typed for another. Errors come back in place, with
everything that was typed, and the error summary links to each case's fields. Saving several
cases is all or nothing: a page answered with errors is rolled back (``casework.http``).
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for

from casework.dates import long_date
from casework.errors import Invalid
from casework.http import current_actor, services
from casework.meetings import research
from casework.roles import MANAGERS
from casework.routes import policy, signed_in
from casework.web.blueprint import blueprint
from casework.web.kept import changed, fingerprint
from casework.web.meeting import case_name, meeting_when, prefixed_errors

FIELDS = ("has_information", "text")


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
        fingerprint=fingerprint,
        meeting_when=meeting_when,
        case_name=case_name,
        long_date=long_date,
    )
    return (page, 422) if errors else page


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
    return changed(rid, answers.get("has_information"), answers.get("text"))


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
    flash(f"Research saved for {saved}. Only your agency can see it.", "success")
    left = [r for r, a in typed.items() if r not in chosen and _edited(r, a)]
    if not left:
        return redirect(f"{target}#note-{chosen[0]}" if len(chosen) == 1 else target)
    flash(f"Not saved yet: your changes to {_cases([numbers[r] for r in left])}.", "important")
    kept = {r: typed[r] for r in left}
    return _page(meeting_id, values=kept, unsaved=frozenset(left))
