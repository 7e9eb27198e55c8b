"""Who may record Community Trigger and interventions facts on an ASB case, asked of the
sharing engine (never of a role list alone).

A case the caller cannot see answers 404, exactly like one that does not exist; a case they
can see but whose ``field`` the engine does not grant them for ``edit`` answers 403. Every
change is audited in the same transaction as an ``update`` of the case, naming the fields
written and never their values.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from marshmallow import Schema

from casework.actors import Actor
from casework.asb.models import AsbCase
from casework.asb.policies import RECORD_TYPE
from casework.audit import log as audit
from casework.authz import action
from casework.db import as_uuid
from casework.errors import Forbidden, Invalid, NotVisible
from casework.schemas import load
from casework.services import Services

WHAT = {
    "community_triggers": "Community Trigger applications",
    "interventions": "interventions",
}


def editable_case(svc: Services, actor: Actor, case_id: Any, field: str) -> AsbCase:
    """The case if the engine grants ``actor`` ``edit`` on its ``field``: 404 if the caller
    cannot see the case at all, 403 if they can see it but not change this."""
    case, _ = svc.sharing.get(svc.session, actor, AsbCase, as_uuid(case_id), "view")
    if field not in svc.sharing.visible_fields(svc.session, actor, case, "edit"):
        raise Forbidden(f"Your agency may not record {WHAT[field]} on this case")
    return case


def changed(svc: Services, actor: Actor, case: AsbCase, fields: Iterable[str]) -> None:
    """Write what was added and its audit entry in the one transaction."""
    svc.session.flush()
    audit.record(svc.session, actor, "update", RECORD_TYPE, case.id, fields)


def load_all(schema: Schema, data: Any) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The schema's answer and its errors, so the checks that need the database can add
    theirs and one 422 names every bad field."""
    try:
        return load(schema, data), {}
    except Invalid as exc:
        return {}, dict(exc.fields)


@action(reads=(RECORD_TYPE,))
def may_record(svc: Services, actor: Actor, case_id: Any) -> frozenset[str]:
    """What the case page may offer this reader to record: ``community_triggers`` (the
    coordinator and chair) and ``interventions``; nothing for a case they cannot see."""
    try:
        case, _ = svc.sharing.get(svc.session, actor, AsbCase, as_uuid(case_id), "view")
    except NotVisible:
        return frozenset()
    editable = svc.sharing.visible_fields(svc.session, actor, case, "edit")
    return frozenset({"interventions", "community_triggers"} & editable)
