"""ASB risk assessment panels as a panel kind (``casework.panels.kinds``).

Their agendas list ASB cases by ``AgendaItem.case_type``/``case_id``: minutes, research and
actions name a case the same way, so the meeting code needs nothing of its own for them. What
the draft adds and how each reader sees a listed case are ``casework.asb.agenda``'s hooks.
"""

from __future__ import annotations

from casework.asb import agenda, settings
from casework.asb.policies import RECORD_TYPE
from casework.panels.kinds import AgendaHooks, KindPage, PanelKind, register

ASB = register(
    PanelKind(
        code="asb",
        label="ASB risk assessment",
        protocol="asb",
        record_types=(RECORD_TYPE, "research_note", "minute", "action"),
        agenda=AgendaHooks(draft=agenda.draft, show=agenda.show, columns=agenda.COLUMNS),
        entries={agenda.ENTRY: "ASB case"},
        statistics=("asb",),
        case_record=RECORD_TYPE,
        pages=(KindPage("ASB cases", "web.asb_case_list", "web.asb"),),
        check_settings=settings.check,
    )
)
