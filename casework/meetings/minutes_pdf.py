"""The approved minutes as a PDF for one agency, through the sharing filter.

Only agencies recorded present receive the minutes: any other caller (an agency that sent
apologies, one that did not come, a non-member) gets 404, exactly as for minutes that do not
exist, and so does everyone before the first approval. The file is drawn from the approved
version's snapshot, but each case's minutes and each action are shown only as far as the
engine grants them to the caller for ``export`` on the live rows (minutes under the
"attendee" condition, actions as the protocol grants them), and each is audited as an export
to that agency; the download as a whole is one ``disclose`` entry naming the recipient.

Kept free of Flask: the page and the API share it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import select

from casework.actors import Actor
from casework.audit import log as audit
from casework.authz import action
from casework.dates import long_day
from casework.db import as_uuid
from casework.errors import NotVisible
from casework.meetings.calendar import local, local_date
from casework.meetings.conduct import attendance
from casework.meetings.meeting_access import member_meeting, panel_of
from casework.meetings.minutes_signoff import signoff, version_row
from casework.meetings.models import CaseAction, Meeting, Minute
from casework.names import display_name, full_name
from casework.referrals.models import Referral
from casework.roles import CASE_ROLES
from casework.services import Services

MARKING = "OFFICIAL-SENSITIVE"
MIMETYPE = "application/pdf"
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
_env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]))
_env.filters["display_name"] = display_name  # people's names as the pages show them
CASE_NAME = frozenset({"victim.first_name", "victim.last_name"})


@dataclass(frozen=True)
class MinutesFile:
    content: bytes
    mimetype: str
    filename: str


def _ids(values: list[Any]) -> list[Any]:
    return [u for u in (as_uuid(v) for v in values if v) if u is not None]


def _rows(svc: Services, model: type, ids: list[Any]) -> list[Any]:
    if not ids:
        return []
    return list(svc.session.scalars(select(model).where(model.id.in_(ids))))


def received_copy(svc: Services, actor: Actor, meeting_id: Any) -> tuple[Meeting, int, dict]:
    """The meeting, the approved version's number and its snapshot, for an agency recorded
    present; 404 for anyone else."""
    meeting = member_meeting(svc, actor, meeting_id, *CASE_ROLES)
    sign = signoff(svc, meeting)
    if sign is None or sign.approved_version == 0:
        raise NotVisible()
    if attendance(svc, meeting).get(actor.agency_id) != "present":
        raise NotVisible()  # apologies or absent: the minutes were not circulated to it
    row = version_row(svc, meeting.id, sign.approved_version)
    if row is None or not row.snapshot:
        raise NotVisible()
    return meeting, row.version, row.snapshot


@action(reads=())
def received_view(svc: Services, actor: Actor, meeting_id: Any) -> dict[str, Any]:
    """Where the e-mailed link lands: the panel, the date and the version ready for the
    caller's agency (404 unless it was recorded present). No case data until the download."""
    meeting, version, _ = received_copy(svc, actor, meeting_id)
    return {"meeting": meeting, "panel": panel_of(svc, meeting), "version": version}


def _shaper(by_id: dict[str, dict], keep: dict[str, tuple[str, str]]) -> Callable:
    """A disclosure ``shape``: the snapshot's values of a row, only for the fields shown."""

    def shape(record: Any, shown: frozenset[str]) -> dict[str, Any]:
        found = by_id[str(record.id)]
        return {out: found.get(src) for field, (out, src) in keep.items() if field in shown}

    return shape


@action(reads=("minute", "action", "referral"))
def filtered(svc: Services, actor: Actor, meeting_id: Any) -> dict[str, Any]:
    """The approved minutes as this agency receives them: the checklist's header, then each
    case with only what the engine grants for export (cases with nothing granted left out).
    Audited per record as exports and once as a disclosure to the agency."""
    meeting, version, snap = received_copy(svc, actor, meeting_id)
    disclosing = {
        "verb": "export",
        "audit_as": "export",
        "recipient": actor.agency_code,
        "purpose": f"meeting minutes v{version} (pdf)",
    }
    cases = snap.get("cases", [])
    minute_by_id = {c["minute_id"]: c for c in cases if c.get("minute_id")}
    action_by_id = {a["id"]: a for c in cases for a in c.get("actions", [])}
    keep_minute = {
        "text": ("information_shared", "information_shared"),
        "risks": ("risks_identified", "risks_identified"),
    }
    keep_action = {
        "description": ("description", "description"),
        "owner_agency": ("owner_agency", "owner_agency"),
        "due_date": ("due_date", "due_date"),
    }
    shown_minutes = svc.sharing.disclosures(
        svc.session,
        actor,
        Minute,
        _rows(svc, Minute, _ids(list(minute_by_id))),
        shape=_shaper(minute_by_id, keep_minute),
        **disclosing,
    )
    shown_actions = svc.sharing.disclosures(
        svc.session,
        actor,
        CaseAction,
        _rows(svc, CaseAction, _ids(list(action_by_id))),
        shape=_shaper(action_by_id, keep_action),
        **disclosing,
    )
    minutes = {str(d.record.id): d.data for d in shown_minutes}
    actions = {str(d.record.id): d.data for d in shown_actions}
    wanted = {m.get("referral_id") for m in cases if m.get("referral_id")}
    names = {
        str(d.record.id): d.data
        for d in svc.sharing.disclosures(
            svc.session,
            actor,
            Referral,
            _rows(svc, Referral, _ids(list(wanted))),
            only=CASE_NAME,
            **disclosing,
        )
    }
    out_cases = []
    for case in cases:
        minute = minutes.get(case.get("minute_id") or "")
        acts = [actions[a["id"]] for a in case.get("actions", []) if a["id"] in actions]
        if minute is None and not acts:
            continue  # nothing of this case is granted to this agency: no line at all
        out_cases.append(
            {
                "number": len(out_cases) + 1,
                "label": _label(case, names.get(case.get("referral_id") or "")),
                "minute": minute,
                "actions": acts,
            }
        )
    shown = set().union(*(d.fields for d in (*shown_minutes, *shown_actions)))
    audit.record(
        svc.session,
        actor,
        "disclose",
        "minutes",
        meeting.id,
        {*shown, "venue", "chair", "observers", "attendees"},
        disclosing["recipient"],
        disclosing["purpose"],
    )
    return {"meeting": meeting, "version": version, "header": snap, "cases": out_cases}


def _label(case: dict[str, Any], referral: dict[str, Any] | None) -> str:
    if referral is not None:
        victim = referral.get("victim") or {}
        name = full_name(victim.get("first_name"), victim.get("last_name"))
        return f"{referral.get('reference', '')} {name}".strip()
    if case.get("case_type"):
        return f"{case['case_type'].replace('_', ' ').capitalize()} case"
    return "Case"


def html(svc: Services, actor: Actor, minutes: dict[str, Any]) -> str:
    meeting = minutes["meeting"]
    panel = panel_of(svc, meeting)
    day = long_day(local_date(meeting.starts_at))
    return _env.get_template("minutes/pdf.html").render(
        title=f"Minutes: {panel.name}, {day}",
        marking=f"{MARKING}: prepared for {actor.agency_code}",
        day=day,
        time=f"{local(meeting.starts_at):%H:%M}",
        version=minutes["version"],
        header=minutes["header"],
        cases=minutes["cases"],
    )


def download(svc: Services, actor: Actor, meeting_id: Any) -> MinutesFile:
    """The caller's agency's copy of the approved minutes as a PDF."""
    from weasyprint import HTML

    minutes = filtered(svc, actor, meeting_id)
    content = HTML(string=html(svc, actor, minutes), base_url=str(TEMPLATES)).write_pdf()
    meeting = minutes["meeting"]
    name = f"minutes-{local_date(meeting.starts_at):%Y-%m-%d}-v{minutes['version']}.pdf"
    return MinutesFile(content, MIMETYPE, name)
