"""Pages: amending a referral's DASH answers, perpetrators and children.

These are the referral form's own section pages (``referrals/form/dash.html``, ``list.html``,
``item.html``) rendered in the amendment layout: filled from the stored referral
(``amend_form.amend_section``), with the reason every amendment needs. Saving sends the body
the API takes to ``amend.amend_referral``, so the page and ``PATCH /api/v1/referrals/{id}``
check, refuse, version and audit alike. Errors come back on the fields, with what was typed.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for

from casework.errors import Invalid, NotVisible
from casework.http import current_actor, services
from casework.referrals import amend, amend_form
from casework.referrals import draft_form as form
from casework.risk.dash import QUESTIONS, RiskRules
from casework.routes import policy, signed_in
from casework.web.blueprint import blueprint
from casework.web.referral_answers import shown_date
from casework.web.referral_errors import friendly, summary_items

LAYOUT = "referrals/amend/_section.html"
NOUNS = {"perpetrators": "perpetrator", "children": "child"}


def _section_url(referral_id: str, section: str) -> str:
    return url_for("web.referral_amend_section", referral_id=referral_id, section=section)


def _item_url(referral_id: str, section: str, index: int) -> str:
    return url_for("web.referral_amend_item", referral_id=referral_id, section=section, index=index)


def _render(template: str, view: dict[str, Any], errors: Any = None, **ctx: Any) -> Any:
    """A section page in the amendment layout; errors not on this page's fields (a rule across
    the referral, another person) are said above the form."""
    shown = friendly(errors or {})
    on_page = ctx.pop("on_page", ())
    others = [m[0] for p, m in shown.items() if p != "reason" and not p.startswith(on_page)]
    html = render_template(
        template,
        layout=LAYOUT,
        view=view,
        section=view["section"],
        errors=shown,
        error_items=summary_items(shown),
        message=others[0] if others else None,
        back_url=url_for("web.referral_amend_page", referral_id=view["id"]),
        **ctx,
    )
    return (html, 422) if shown else html


def _save(referral_id: str, patch: dict[str, Any]) -> dict[str, Any] | Invalid:
    """Amend through the API's action; its refusal to show again, nothing written."""
    reason = request.form.get("reason", "")
    body = {**patch, **({"reason": reason} if reason.strip() else {})}
    try:
        return amend.amend_referral(services(), current_actor(), referral_id, body)
    except Invalid as exc:
        services().session.rollback()
        fields = exc.fields or {"_schema": [exc.message]}
        return Invalid({k.replace("_schema", "reason"): v for k, v in fields.items()})


def _view(referral_id: str, section: str) -> dict[str, Any]:
    return amend_form.amend_section(services(), current_actor(), referral_id, section)


def _dash_page(view: dict[str, Any], values: dict[str, str], errors: Any = None) -> Any:
    return _render(
        "referrals/form/dash.html",
        view,
        errors,
        on_page="risk.dash",
        title=form.TITLES["dash"],
        values=values,
        questions=QUESTIONS,
        yes_count=form.yes_count(values),
        rules=RiskRules.from_settings(services().settings),
        reason=request.form.get("reason", ""),
        form_action=_section_url(view["id"], "dash"),
    )


def _list_page(view: dict[str, Any], errors: Any = None) -> Any:
    section = view["section"]
    items = []
    for i, raw in enumerate(view["values"]):
        name = " ".join(v for k in ("first_name", "last_name") if (v := raw.get(k, "").strip()))
        items.append(
            {
                "name": name,
                "born": shown_date(raw, "date_of_birth"),
                "relationship": raw.get("relationship_to_victim", ""),
                "incomplete": False,
                "change_url": _item_url(view["id"], section, i),
                "remove_url": url_for(
                    "web.referral_amend_remove", referral_id=view["id"], section=section, index=i
                ),
            }
        )
    return _render(
        "referrals/form/list.html",
        view,
        errors,
        on_page="another",
        title=form.TITLES[section],
        values={},
        items=items,
        incomplete=False,
        noun=NOUNS[section],
        max_items=form.LIST_SECTIONS[section],
        continue_text="Continue",
        form_action=_section_url(view["id"], section),
    )


@blueprint.route("/referrals/<referral_id>/amend/<section>", methods=["GET", "POST"])
@signed_in
@policy("referral")
def referral_amend_section(referral_id: str, section: str) -> Any:
    """The DASH checklist (saved as one amendment), or the list of perpetrators or children
    (each person changed, added or removed on a page of its own)."""
    view = _view(referral_id, section)
    if section == "dash":
        if request.method == "GET":
            return _dash_page(view, view["values"])
        typed = form.clean("dash", request.form)
        done = _save(referral_id, amend_form.dash_patch(typed))
        if isinstance(done, Invalid):
            return _dash_page(_view(referral_id, section), typed, done.fields)
        flash(f"Referral amended: version {done['version']['number']}", "success")
        return redirect(url_for("web.referral_versions_page", referral_id=referral_id))
    if request.method == "GET":
        return _list_page(view)
    another = request.form.get("another")
    room = len(view["values"]) < form.LIST_SECTIONS[section]
    if another == "yes" and room:
        return redirect(_item_url(referral_id, section, len(view["values"])))
    if another == "no" or not room:
        return redirect(url_for("web.referral_amend_page", referral_id=referral_id))
    noun = NOUNS[section]
    question = f"you need to add another {noun}" if view["values"] else "any children live there"
    return _list_page(view, {"another": [f"Select yes if {question}"]})


def _position(view: dict[str, Any], index: str, adding: bool) -> int:
    """The person's place in the list; one past the end adds one (where there is room)."""
    if not (index.isascii() and index.isdigit()) or len(index) > 3:
        raise NotVisible()
    n, count = int(index), len(view["values"])
    if n < count or (adding and n == count < form.LIST_SECTIONS[view["section"]]):
        return n
    raise NotVisible()


def _item_page(view: dict[str, Any], index: int, values: Any, errors: Any = None) -> Any:
    section = view["section"]
    return _render(
        "referrals/form/item.html",
        view,
        errors,
        on_page=f"{section}.{index}.",
        title=f"{NOUNS[section].capitalize()} {index + 1}",
        values=values,
        index=index,
        noun=NOUNS[section],
        reason=request.form.get("reason", ""),
        form_action=_item_url(view["id"], section, index),
    )


def _people_saved(referral_id: str, section: str, done: dict[str, Any]) -> Any:
    flash(f"Referral amended: version {done['version']['number']}", "success")
    return redirect(_section_url(referral_id, section))


@blueprint.route("/referrals/<referral_id>/amend/<section>/<index>", methods=["GET", "POST"])
@signed_in
@policy("referral")
def referral_amend_item(referral_id: str, section: str, index: str) -> Any:
    view = _view(referral_id, section)
    if section not in form.LIST_SECTIONS:
        raise NotVisible()
    n = _position(view, index, adding=True)
    if request.method == "GET":
        return _item_page(view, n, view["values"][n] if n < len(view["values"]) else {})
    typed = form.clean(section, request.form)
    done = _save(referral_id, amend_form.people_patch(section, view["people"], n, typed))
    if isinstance(done, Invalid):
        return _item_page(_view(referral_id, section), n, typed, done.fields)
    return _people_saved(referral_id, section, done)


@blueprint.route("/referrals/<referral_id>/amend/<section>/<index>/remove", methods=["GET", "POST"])
@signed_in
@policy("referral")
def referral_amend_remove(referral_id: str, section: str, index: str) -> Any:
    view = _view(referral_id, section)
    if section not in form.LIST_SECTIONS:
        raise NotVisible()
    n = _position(view, index, adding=False)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        done = _save(referral_id, amend_form.people_patch(section, view["people"], n, None))
        if not isinstance(done, Invalid):
            return _people_saved(referral_id, section, done)
        view, errors = _view(referral_id, section), friendly(done.fields)
        if section in errors:  # the last perpetrator: say so where the reason is asked
            errors["reason"] = errors.pop(section)
    raw = view["values"][n]
    noun = NOUNS[section]
    html = render_template(
        "referrals/amend/remove.html",
        title=f"Remove {noun} {n + 1}?",
        view=view,
        name=" ".join(v for k in ("first_name", "last_name") if (v := raw.get(k, "").strip())),
        button=f"Remove {noun}",
        reason=request.form.get("reason", ""),
        errors=errors,
        error_items=summary_items(errors),
        back_url=_section_url(referral_id, section),
        form_action=url_for(
            "web.referral_amend_remove", referral_id=referral_id, section=section, index=n
        ),
    )
    return (html, 422) if errors else html
