"""ASB risk assessment panels as a panel kind (``casework.panels.kinds``).

Their agendas list ASB cases by ``AgendaItem.case_type``/``case_id``: minutes, research and
actions name a case the same way, so the meeting code needs nothing of its own for them.
"""

from __future__ import annotations

from casework.asb.policies import RECORD_TYPE
from casework.panels.kinds import PanelKind, register

ASB = register(
    PanelKind(
        code="asb",
        label="ASB risk assessment",
        protocol="asb",
        record_types=(RECORD_TYPE, "research_note", "minute", "action"),
        entries={"asb_case": "ASB case"},
        statistics=("asb",),
        case_record=RECORD_TYPE,
    )
)
