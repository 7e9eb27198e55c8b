"""Referral drafts: a referral being written, saved between sittings.

A draft holds the same personal data a referral does, so all of it lives in one encrypted
JSON field and only its owner can open, continue or delete it: anyone else, a coordinator
included, gets the same 404 as for a draft that does not exist. Creating, changing and
deleting a draft is audited (field names only). Submitting hands the assembled body to
``submit_referral`` and deletes the draft in the same transaction, so a referral and the
draft it came from never both exist, and a refused submission keeps the draft as it was.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from casework.actors import Actor
from casework.audit import log as audit
from casework.authz import action, require_role, signed_in
from casework.db import as_uuid, utcnow
from casework.errors import Forbidden, Invalid, NotVisible
from casework.panels.models import Panel
from casework.referrals import draft_form as form
from casework.referrals.actions import submit_referral
from casework.referrals.models import Referral, ReferralDraft
from casework.roles import REFERRERS
from casework.services import Services


def _active_marac(svc: Services, panel_id: Any) -> Panel | None:
    panel = svc.session.get(Panel, as_uuid(panel_id)) if as_uuid(panel_id) else None
    return panel if panel is not None and panel.kind == "marac" and panel.active else None


def _own(svc: Services, actor: Actor, draft_id: Any) -> ReferralDraft:
    """The caller's own draft, or 404 exactly as for a draft that does not exist."""
    require_role(actor, *REFERRERS)
    key = as_uuid(draft_id)
    draft = svc.session.get(ReferralDraft, key) if key else None
    if draft is None or actor.user_id is None or draft.owner_user_id != actor.user_id:
        raise NotVisible()
    return draft


@action(reads=())  # panels only
def marac_panels(svc: Services, actor: Actor) -> list[Panel]:
    """Panels a referral may go to: any agency may refer to an active MARAC (DOMAIN.md)."""
    require_role(actor, *REFERRERS)
    stmt = select(Panel).where(Panel.kind == "marac", Panel.active.is_(True))
    return list(svc.session.scalars(stmt.order_by(Panel.name)))


@action(reads=())  # the owner's own draft: never shared, so not the engine's to decide
def start_draft(svc: Services, actor: Actor, panel_id: Any, today: date) -> ReferralDraft:
    require_role(actor, *REFERRERS)
    if actor.user_id is None or actor.agency_id is None:
        raise Forbidden("Referrals are made by a member of an agency")
    panel = _active_marac(svc, panel_id)
    if panel is None:
        raise Invalid({"panel_id": ["Select the MARAC to refer to"]})
    draft = ReferralDraft(owner_user_id=actor.user_id, agency_id=actor.agency_id, panel_id=panel.id)
    draft.content = form.new_content(today)
    svc.session.add(draft)
    svc.session.flush()
    audit.record(svc.session, actor, "create", "referral_draft", draft.id, ["panel_id"])
    return draft


@action(reads=())  # the owner's own draft: never shared, so not the engine's to decide
def open_draft(svc: Services, actor: Actor, draft_id: Any) -> ReferralDraft:
    draft = _own(svc, actor, draft_id)
    names = form.content_field_names(draft.content)
    audit.record(svc.session, actor, "view", "referral_draft", draft.id, names)
    return draft


@action(reads=())  # the owner's own draft: never shared, so not the engine's to decide
def list_drafts(svc: Services, actor: Actor) -> list[ReferralDraft]:
    """The caller's own drafts, most recently saved first (nobody sees another's)."""
    signed_in(actor)
    if actor.user_id is None:
        return []
    stmt = select(ReferralDraft).where(ReferralDraft.owner_user_id == actor.user_id)
    drafts = list(svc.session.scalars(stmt.order_by(ReferralDraft.updated_at.desc())))
    for draft in drafts:
        names = [n for n in ("victim.first_name", "victim.last_name") if draft.victim_name()]
        audit.record(svc.session, actor, "list", "referral_draft", draft.id, names)
    return drafts


def _write(svc: Services, actor: Actor, draft: ReferralDraft, content: dict, names: list) -> None:
    draft.content = content
    draft.updated_at = utcnow()
    audit.record(svc.session, actor, "update", "referral_draft", draft.id, names)


@action(reads=())  # the owner's own draft: never shared, so not the engine's to decide
def save_section(
    svc: Services,
    actor: Actor,
    draft_id: Any,
    section: str,
    answers: Any,
    *,
    check: bool,
) -> ReferralDraft:
    """Keep one page's answers as typed. With ``check`` (the user pressed Continue) the
    section must be valid, or ``Invalid`` names every problem and nothing is saved."""
    draft = _own(svc, actor, draft_id)
    if section not in form.SECTIONS or section in form.LIST_SECTIONS:
        raise NotVisible()
    content = draft.content
    content[section] = form.clean(section, answers)
    if check:
        errors = form.section_errors(draft.panel_id, content, section)
        if errors:
            raise Invalid(errors)
        content["done"] = sorted(set(content["done"]) | {section})
    _write(svc, actor, draft, content, form.field_names(section, content[section]))
    return draft


@action(reads=())  # the owner's own draft: never shared, so not the engine's to decide
def save_item(
    svc: Services,
    actor: Actor,
    draft_id: Any,
    section: str,
    index: int,
    answers: Any,
    *,
    check: bool,
) -> ReferralDraft:
    """Add (``index`` one past the end) or change one perpetrator or child."""
    draft = _own(svc, actor, draft_id)
    items = _items(draft, section)
    if not 0 <= index <= len(items) or index >= form.LIST_SECTIONS[section]:
        raise NotVisible()
    raw = form.clean(section, answers)
    if check and (errors := form.item_errors(section, index, raw)):
        raise Invalid(errors)
    content = draft.content
    if index == len(items):
        items.append(raw)
    else:
        items[index] = raw
    content[section] = items
    _write(svc, actor, draft, content, form.field_names(section, raw))
    return draft


@action(reads=())  # the owner's own draft: never shared, so not the engine's to decide
def remove_item(svc: Services, actor: Actor, draft_id: Any, section: str, index: int) -> None:
    draft = _own(svc, actor, draft_id)
    items = _items(draft, section)
    if not 0 <= index < len(items):
        raise NotVisible()
    removed = items.pop(index)
    content = draft.content
    content[section] = items
    _write(svc, actor, draft, content, form.field_names(section, removed))


@action(reads=())  # the owner's own draft: never shared, so not the engine's to decide
def complete_section(svc: Services, actor: Actor, draft_id: Any, section: str) -> ReferralDraft:
    """The user says the list of perpetrators or children is finished: check all of it."""
    draft = _own(svc, actor, draft_id)
    if section not in form.LIST_SECTIONS:
        raise NotVisible()
    content = draft.content
    errors = form.section_errors(draft.panel_id, content, section)
    if errors:
        raise Invalid(errors)
    content["done"] = sorted(set(content["done"]) | {section})
    _write(svc, actor, draft, content, [])
    return draft


def _items(draft: ReferralDraft, section: str) -> list[dict[str, str]]:
    if section not in form.LIST_SECTIONS:
        raise NotVisible()
    return list(draft.content.get(section, []))


@action(reads=())  # the owner's own draft: never shared, so not the engine's to decide
def delete_draft(svc: Services, actor: Actor, draft_id: Any) -> None:
    draft = _own(svc, actor, draft_id)
    _erase(svc, actor, draft)


def _erase(svc: Services, actor: Actor, draft: ReferralDraft) -> None:
    names = form.content_field_names(draft.content)
    svc.session.delete(draft)
    svc.session.flush()
    audit.record(svc.session, actor, "erase", "referral_draft", draft.id, names)


@action(changes=("referral",))
def submit_draft(svc: Services, actor: Actor, draft_id: Any) -> Referral:
    """Submit through the same action as the API; on success the draft is gone with it."""
    draft = _own(svc, actor, draft_id)
    referral = submit_referral(svc, actor, form.assemble(draft.panel_id, draft.content))
    _erase(svc, actor, draft)
    return referral
