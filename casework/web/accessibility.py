"""The accessibility statement, linked from every page's footer.

Public: the accessibility regulations want the statement reachable by anyone, including someone
who cannot get past the sign-in page. Its words are kept in the template (the docs/ folder is
not shipped with the package); ``tests/test_buyer_papers.py`` keeps the template's compliance
status, known issues and non-compliances word for word the same as
``docs/accessibility-statement.md``. What depends on the installation comes from its settings:
the session limits the statement warns of, and where to ask for help.
"""

from __future__ import annotations

from typing import Any

from flask import render_template

from casework.http import services
from casework.routes import public
from casework.web.blueprint import blueprint


@blueprint.get("/accessibility")
@public
def accessibility_statement() -> Any:
    settings = services().settings  # the same limits the sign-in code enforces
    return render_template(
        "accessibility.html",
        idle_minutes=settings["SESSION_IDLE_MINUTES"],
        absolute_hours=settings["SESSION_ABSOLUTE_HOURS"],
        contact=(settings.get("ACCESSIBILITY_CONTACT") or "").strip(),
    )
