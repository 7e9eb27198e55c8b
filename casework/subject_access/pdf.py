"""The disclosure as a PDF (WeasyPrint, as the agenda and minutes): what the requester
receives. Released items in full, redacted items as "[redacted: reason]", withheld items not
at all (``actions.disclosure`` decides and audits; this only draws).

Kept free of Flask: the page and the API share it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from casework import clock
from casework.actors import Actor
from casework.dates import long_date
from casework.services import Services
from casework.subject_access.actions import disclosure

MIMETYPE = "application/pdf"
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
_env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]))


@dataclass(frozen=True)
class DisclosureFile:
    content: bytes
    mimetype: str
    filename: str


def html(prepared: dict[str, Any]) -> str:
    request = prepared["request"]
    return _env.get_template("subject_access/pdf.html").render(
        title="Your personal information",
        request=request,
        received=long_date(request.received_on),
        prepared=long_date(clock.today()),
        items=prepared["items"],
    )


def download(svc: Services, actor: Actor, request_id: Any) -> DisclosureFile:
    """The disclosure as the DPO's decisions stand now; the name carries dates only."""
    from weasyprint import HTML

    prepared = disclosure(svc, actor, request_id)
    content = HTML(string=html(prepared), base_url=str(TEMPLATES)).write_pdf()
    received = prepared["request"].received_on
    return DisclosureFile(content, MIMETYPE, f"subject-access-{received:%Y-%m-%d}.pdf")
