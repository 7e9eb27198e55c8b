"""MARAC, the panel kind this package's referrals are heard at (``casework.panels.kinds``).

A MARAC agenda is the meeting's own: the panel's accepted referrals and reviews of open
actions (``casework.meetings.agenda``), so the kind adds no agenda hooks of its own.
"""

from __future__ import annotations

from casework.panels.kinds import PanelKind, register

MARAC = register(
    PanelKind(
        code="marac",
        label="MARAC",
        protocol="marac",
        record_types=("referral", "research_note", "minute", "action"),
        statistics=("marac",),
    )
)
