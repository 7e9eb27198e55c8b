"""The referral form: one section per page, kept as an encrypted draft between sittings.

Every page has "Continue" (check this section with the API's own schemas, save, go on) and
"Save and come back later" (keep what was typed, unchecked). Perpetrators and children use
GOV.UK's "add to a list" pattern, so several can be added without JavaScript. Submitting calls
the same action as the API; if it refuses, the user is sent back to the section that needs
changing, with the errors on the fields and everything they typed still there.
"""

from __future__ import annotations

import re
from typing import Any

from flask import flash, redirect, render_template, request, url_for

from casework.dates import long_date
from casework.errors import Invalid, NotVisible
from casework.http import current_actor, services
from casework.referrals import draft_form as form
from casework.referrals import drafts
from casework.referrals.drafts import ReferralDraft
from casework.risk.dash import QUESTIONS, RiskRules
from casework.routes import policy, signed_in
from casework.web.blueprint import blueprint
from casework.web.referral_answers import answers, shown_date
from casework.web.referral_errors import criteria_text, friendly, summary_items

STEP = {s: i + 1 for i, s in enumerate(form.SECTIONS)}
NOUNS = {"perpetrators": "perpetrator", "children": "child"}


def _rules() -> RiskRules:
    return RiskRules.from_settings(services().settings)


def _returning() -> bool:
    """Came from "check your answers" (a Change link), so go back there afterwards."""
    return request.values.get("return") == "check"


def _check_url(draft: ReferralDraft) -> str:
    return url_for("web.referral_check", draft_id=draft.id)


def section_url(draft_id: Any, section: str, returning: bool = False) -> str:
    extra = {"return": "check"} if returning else {}
    return url_for("web.referral_section", draft_id=draft_id, section=section, **extra)


def item_url(draft_id: Any, section: str, index: int, returning: bool = False) -> str:
    extra = {"return": "check"} if returning else {}
    return url_for("web.referral_item", draft_id=draft_id, section=section, index=index, **extra)


def _after(draft: ReferralDraft, section: str, returning: bool) -> str:
    i = STEP[section]
    if returning or i == len(form.SECTIONS):
        return _check_url(draft)
    return section_url(draft.id, form.SECTIONS[i])


def _before(draft: ReferralDraft, section: str, returning: bool) -> str:
    if returning:
        return _check_url(draft)
    i = STEP[section] - 1
    if i == 0:
        return url_for("web.referral_draft", draft_id=draft.id)
    return section_url(draft.id, form.SECTIONS[i - 1])


def _saved() -> Any:
    flash("Your draft has been saved. Continue it from ‘Your drafts’ below.", "success")
    return redirect(url_for("web.referral_list"))


def _page(template: str, draft: ReferralDraft, section: str, **ctx: Any) -> Any:
    errors = friendly(ctx.pop("errors", None) or {})
    if "risk" in errors:  # no criterion met: shown on the professional judgement question
        errors["risk.professional_judgement"] = errors.pop("risk")
    returning = ctx.pop("returning", None)
    returning = _returning() if returning is None else returning
    html = render_template(
        template,
        draft=draft,
        section=section,
        step=STEP[section],
        steps=len(form.SECTIONS),
        errors=errors,
        error_items=summary_items(errors),
        returning=returning,
        rules=_rules(),
        criteria_text=criteria_text(_rules()),
        **{"title": form.TITLES[section], "back_url": _before(draft, section, returning), **ctx},
    )
    return (html, 422) if errors else html


def _section_page(draft: ReferralDraft, section: str, values: Any = None, **ctx: Any) -> Any:
    content = draft.content
    values = content.get(section, {}) if values is None else values
    if section == "dash":
        ctx.update(questions=QUESTIONS, yes_count=form.yes_count(values))
    if section == "criteria":
        ctx["preview"] = form.preview({**content, "criteria": values}, _rules())
    action = url_for("web.referral_section", draft_id=draft.id, section=section)
    return _page(
        f"referrals/form/{section}.html", draft, section, values=values, form_action=action, **ctx
    )


@blueprint.route("/referrals/drafts/<draft_id>")
@signed_in
@policy("referral")
def referral_draft(draft_id: str) -> Any:
    """The draft's task list: each section's state, and the way to check and submit."""
    draft = drafts.open_draft(services(), current_actor(), draft_id)
    content = draft.content
    done = form.completed(draft.panel_id, content)
    tasks = []
    for section in form.SECTIONS:
        value = content.get(section)
        started = section in content["done"] or (
            any(not k.startswith("referral_date") for k in value)
            if isinstance(value, dict)
            else bool(value)
        )
        if done[section]:
            status: dict[str, Any] = {"text": "Completed"}
        else:
            tag = "In progress" if started else "Not yet started"
            status = {
                "tag": {
                    "text": tag,
                    "classes": "govuk-tag--light-blue" if started else "govuk-tag--blue",
                }
            }
        tasks.append(
            {
                "title": {"text": form.TITLES[section]},
                "href": section_url(draft.id, section),
                "status": status,
            }
        )
    return render_template(
        "referrals/form/task_list.html",
        title="Make a MARAC referral",
        draft=draft,
        tasks=tasks,
        completed=sum(done.values()),
        all_done=all(done.values()),
        yes_count=form.dash_score(content),
    )


@blueprint.route("/referrals/drafts/<draft_id>/<section>", methods=["GET", "POST"])
@signed_in
@policy("referral")
def referral_section(draft_id: str, section: str) -> Any:
    if section not in form.SECTIONS:
        raise NotVisible()
    if section in form.LIST_SECTIONS:
        return _list_section(draft_id, section)
    svc, actor = services(), current_actor()
    if request.method == "GET":
        return _section_page(drafts.open_draft(svc, actor, draft_id), section)
    save = request.form.get("action") == "save"
    try:
        draft = drafts.save_section(svc, actor, draft_id, section, request.form, check=not save)
    except Invalid as exc:
        draft = drafts.open_draft(svc, actor, draft_id)
        typed = form.clean(section, request.form)
        return _section_page(draft, section, typed, errors=exc.fields)
    return _saved() if save else redirect(_after(draft, section, _returning()))


def _list_page(draft: ReferralDraft, section: str, errors: Any = None) -> Any:
    items = []
    for i, raw in enumerate(draft.content.get(section, [])):
        name = " ".join(v for k in ("first_name", "last_name") if (v := raw.get(k, "").strip()))
        items.append(
            {
                "name": name,
                "born": shown_date(raw, "date_of_birth"),
                "relationship": raw.get("relationship_to_victim", ""),
                "incomplete": bool(form.item_errors(section, i, raw)),
                "change_url": item_url(draft.id, section, i, _returning()),
                "remove_url": url_for(
                    "web.referral_item_remove", draft_id=draft.id, section=section, index=i
                ),
            }
        )
    return _page(
        "referrals/form/list.html",
        draft,
        section,
        values={},
        errors=errors,
        items=items,
        incomplete=any(i["incomplete"] for i in items),
        noun=NOUNS[section],
        max_items=form.LIST_SECTIONS[section],
        form_action=url_for("web.referral_section", draft_id=draft.id, section=section),
    )


def _list_section(draft_id: str, section: str) -> Any:
    svc, actor = services(), current_actor()
    draft = drafts.open_draft(svc, actor, draft_id)
    items = draft.content.get(section, [])
    if request.method == "GET":
        if section == "perpetrators" and not items:
            return redirect(item_url(draft.id, section, 0, _returning()))
        return _list_page(draft, section)
    if request.form.get("action") == "save":
        return _saved()  # nothing is typed on this page but the yes / no
    another = request.form.get("another")
    room = len(items) < form.LIST_SECTIONS[section]
    if another == "yes" and room:
        return redirect(item_url(draft.id, section, len(items), _returning()))
    if another != "no" and room:
        question = f"you need to add another {NOUNS[section]}"
        if not items:
            question = "any children live in the household"
        return _list_page(draft, section, {"another": [f"Select yes if {question}"]})
    try:
        draft = drafts.complete_section(svc, actor, draft.id, section)
    except Invalid as exc:
        return _list_page(draft, section, _per_item(section, exc.fields))
    return redirect(_after(draft, section, _returning()))


def _per_item(section: str, fields: dict[str, list[str]]) -> dict[str, list[str]]:
    """One error per unfinished perpetrator or child, linked to its card."""
    out: dict[str, list[str]] = {}
    for path, messages in fields.items():
        match = re.match(rf"{section}\.(\d+)\.", path)
        if match:
            n = int(match.group(1))
            noun = NOUNS[section].capitalize()
            out[f"{section}.{n}"] = [f"{noun} {n + 1} has missing or wrong details: change them"]
        else:
            out[path] = messages
    return out


def _index(section: str, index: str) -> int:
    if (
        section not in form.LIST_SECTIONS
        or not (index.isascii() and index.isdigit())
        or len(index) > 3
    ):
        raise NotVisible()
    return int(index)


def _item_page(
    draft: ReferralDraft, section: str, index: int, values: Any, errors: Any = None, **ctx: Any
) -> Any:
    returning = ctx.pop("returning", _returning())
    items = draft.content.get(section, [])
    if section == "perpetrators" and not items:
        back = section_url(draft.id, "victim") if not returning else _check_url(draft)
    else:
        back = section_url(draft.id, section, returning)
    return _page(
        "referrals/form/item.html",
        draft,
        section,
        values=values,
        errors=errors,
        index=index,
        noun=NOUNS[section],
        title=f"{NOUNS[section].capitalize()} {index + 1}",
        returning=returning,
        back_url=back,
        form_action=url_for("web.referral_item", draft_id=draft.id, section=section, index=index),
        **ctx,
    )


@blueprint.route("/referrals/drafts/<draft_id>/<section>/<index>", methods=["GET", "POST"])
@signed_in
@policy("referral")
def referral_item(draft_id: str, section: str, index: str) -> Any:
    position = _index(section, index)
    svc, actor = services(), current_actor()
    if request.method == "GET":
        draft = drafts.open_draft(svc, actor, draft_id)
        items = draft.content.get(section, [])
        if position > len(items) or position >= form.LIST_SECTIONS[section]:
            raise NotVisible()
        values = items[position] if position < len(items) else {}
        return _item_page(draft, section, position, values)
    save = request.form.get("action") == "save"
    try:
        draft = drafts.save_item(
            svc, actor, draft_id, section, position, request.form, check=not save
        )
    except Invalid as exc:
        draft = drafts.open_draft(svc, actor, draft_id)
        typed = form.clean(section, request.form)
        return _item_page(draft, section, position, typed, exc.fields)
    return _saved() if save else redirect(section_url(draft.id, section, _returning()))


@blueprint.route("/referrals/drafts/<draft_id>/<section>/<index>/remove", methods=["GET", "POST"])
@signed_in
@policy("referral")
def referral_item_remove(draft_id: str, section: str, index: str) -> Any:
    position = _index(section, index)
    svc, actor = services(), current_actor()
    if request.method == "POST":
        drafts.remove_item(svc, actor, draft_id, section, position)
        return redirect(section_url(draft_id, section, _returning()))
    draft = drafts.open_draft(svc, actor, draft_id)
    items = draft.content.get(section, [])
    if position >= len(items):
        raise NotVisible()
    raw = items[position]
    noun = NOUNS[section]
    return render_template(
        "referrals/form/remove.html",
        title=f"Remove {noun} {position + 1}?",
        name=" ".join(v for k in ("first_name", "last_name") if (v := raw.get(k, "").strip())),
        button=f"Remove {noun}",
        back_url=section_url(draft.id, section, _returning()),
        returning=_returning(),
        form_action=url_for(
            "web.referral_item_remove", draft_id=draft.id, section=section, index=position
        ),
    )


@blueprint.route("/referrals/drafts/<draft_id>/check", methods=["GET", "POST"])
@signed_in
@policy("referral")
def referral_check(draft_id: str) -> Any:
    """Check your answers, then submit through ``submit_referral``."""
    svc, actor = services(), current_actor()
    if request.method == "POST":
        try:
            referral = drafts.submit_draft(svc, actor, draft_id)
        except Invalid as exc:
            return _send_back(draft_id, exc)
        return redirect(url_for("web.referral_confirmation", referral_id=referral.id))
    return _check_page(drafts.open_draft(svc, actor, draft_id))


def _check_page(draft: ReferralDraft, errors: Any = None) -> Any:
    content = draft.content
    done = form.completed(draft.panel_id, content)
    shown = friendly(errors or {})
    html = render_template(
        "referrals/form/check.html",
        title="Check your answers before sending the referral",
        draft=draft,
        sections=answers(draft, done, section_url, item_url),
        all_done=all(done.values()),
        preview=form.preview(content, _rules()),
        criteria_text=criteria_text(_rules()),
        errors=shown,
        error_items=summary_items(shown),
    )
    return (html, 422) if errors else html


def _send_back(draft_id: str, exc: Invalid) -> Any:
    """A refused submission: show the first section with a problem, as the user left it."""
    draft = drafts.open_draft(services(), current_actor(), draft_id)
    message = None if exc.code == "invalid" else exc.message
    for section in form.SECTIONS:
        errors = {p: m for p, m in exc.fields.items() if form.section_of(p) == section}
        if errors:
            break
    else:
        return _check_page(draft, exc.fields)
    if section not in form.LIST_SECTIONS:
        return _section_page(draft, section, errors=errors, message=message, returning=True)
    items = draft.content.get(section, [])
    indexed = sorted({int(m.group(1)) for p in errors if (m := re.match(r"\w+\.(\d+)\.", p))})
    if indexed and indexed[0] < len(items):
        n = indexed[0]
        mine = {p: m for p, m in errors.items() if p.startswith(f"{section}.{n}.")}
        return _item_page(draft, section, n, items[n], mine, message=message, returning=True)
    if section == "perpetrators" and not items:
        return _item_page(draft, section, 0, {}, errors, message=message, returning=True)
    return _list_page(draft, section, _per_item(section, errors))


@blueprint.route("/referrals/drafts/<draft_id>/delete", methods=["GET", "POST"])
@signed_in
@policy("referral")
def referral_draft_delete(draft_id: str) -> Any:
    svc, actor = services(), current_actor()
    if request.method == "POST":
        drafts.delete_draft(svc, actor, draft_id)
        flash("The draft referral has been deleted.", "success")
        return redirect(url_for("web.referral_list"))
    draft = drafts.open_draft(svc, actor, draft_id)
    return render_template(
        "referrals/form/remove.html",
        title="Delete this draft referral?",
        name=f"Started {long_date(draft.created_at)}. This cannot be undone.",
        button="Delete draft",
        back_url=url_for("web.referral_draft", draft_id=draft.id),
        returning=False,
        form_action=url_for("web.referral_draft_delete", draft_id=draft.id),
    )
