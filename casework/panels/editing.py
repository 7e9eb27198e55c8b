"""The gate to the panel forms, for pages that show before any panel is touched.

``create_panel`` and ``update_panel`` check the caller's role themselves; a blank "new panel"
form touches nothing, so it asks here first and a person who could not save it gets 403 rather
than a form that fails on submit.
"""

from __future__ import annotations

from casework.actors import Actor
from casework.authz import action, require_role
from casework.roles import PANEL_EDITORS


@action
def enter_panel_editing(actor: Actor) -> None:
    """Administrators and coordinators may create panels; everyone else is refused (403)."""
    require_role(actor, *PANEL_EDITORS)
