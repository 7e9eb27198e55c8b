"""The ASB figures as page tables and as one download of every figure, with suppression.

Page tables are ``casework.stats.tables.Table``s, so the page, its per-table downloads and
their small-number suppression (``download_rows``) work exactly as the MARAC tables do. The
file of every figure (the API's ``format=csv|xlsx``, and the page's "every figure") has one
row per (panel, section, measure): for publication its counts from 1 to 4 are hidden, then
(secondary suppression) any count that would give one back through a group adding up to a
total (risk bands to cases referred, outcomes to cases closed, threshold decisions to
applications received, on time and late to decided, interventions by type and by outcome to
those issued, and each panel's count to the total of all panels). A hidden count that is
itself the total of a group whose parts are all shown would be their sum, so a part is hidden
there too. A rate is hidden when the count above or below it is.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from casework.asb.models import (
    CASE_OUTCOMES,
    INTERVENTION_NAMES,
    INTERVENTION_OUTCOMES,
    INTERVENTION_TYPES,
    RISK_BANDS,
    TRIGGER_DECISIONS,
)
from casework.stats.asb import NO_OUTCOME
from casework.stats.downloads import (
    SECONDARY,
    Group,
    attachment,
    complete,
    is_count,
    is_hidden,
    note,
    suppress,
)
from casework.stats.tables import Rate, Table

NO_CASES = "no cases referred in this period"
NO_TRIGGERS = "no applications in this period"
NO_DECISIONS = "no applications decided in this period"
OUTCOME_NAMES = {
    "resolved": "Resolved",
    "reduced": "Anti-social behaviour reduced",
    "unresolved": "Unresolved",
    "moved_away": "Victim moved away",
    "withdrawn": "Withdrawn",
}
INTERVENTION_OUTCOME_NAMES = {
    "complied": "Complied",
    "breached": "Breached",
    "ended": "Ended",
    "revoked": "Revoked",
    NO_OUTCOME: "No outcome recorded yet",
}
DECISION_NAMES = {
    "no_further_action": "Decision: no further action",
    "recommendations_made": "Decision: recommendations made",
}
TOTAL = "All panels counted"
HEADER = ("panel", "section", "measure", "value")


def _share(part: int, total: int, empty: str) -> Rate:
    return Rate(None if not total else round(part / total, 4), empty)


def page_tables(figures: dict[str, Any]) -> dict[str, Table]:
    """The page's tables for the figures in total (every panel counted, or the one chosen)."""
    f = figures["total"]
    c, t, i = f["cases"], f["community_triggers"], f["interventions"]
    n = c["referred"]
    cases = Table(
        "cases",
        "Cases",
        ("Measure", "Cases", "Share of cases referred"),
        [
            ["Cases referred", n, None],
            ["Repeat victims", c["repeat_victim"], Rate(c["repeat_victim_rate"], NO_CASES)],
            *(
                [f"{band.title()} risk", c["risk"][band], _share(c["risk"][band], n, NO_CASES)]
                for band in RISK_BANDS
            ),
            ["Open at the end of the period", c["open_at_end"], None],
            ["Closed in the period", c["closed"], None],
        ],
        "Risk bands are the victim risk assessment's; the high-risk share is the high band's.",
        groups=[((0, 1), [(2 + k, 1) for k in range(len(RISK_BANDS))])],
    )
    outcomes = Table(
        "outcomes",
        "Outcomes of cases closed in the period",
        ("Outcome", "Cases closed"),
        [[OUTCOME_NAMES.get(o, o), c["outcomes"][o]] for o in CASE_OUTCOMES],
        groups=[(None, [(k, 1) for k in range(len(CASE_OUTCOMES))])],
    )
    received, decided = t["received"], t["decided"]
    triggers = Table(
        "community_triggers",
        "Community Trigger applications (ASB case reviews)",
        ("Measure", "Applications", "Share"),
        [
            ["Received in the period", received, None],
            [
                "Threshold met",
                t["threshold_met"],
                _share(t["threshold_met"], received, NO_TRIGGERS),
            ],
            [
                "Threshold not met",
                t["threshold_not_met"],
                _share(t["threshold_not_met"], received, NO_TRIGGERS),
            ],
            ["Threshold not yet decided", t["threshold_pending"], None],
            ["Decided in the period", decided, None],
            ["Decided on time", t["decided_on_time"], Rate(t["on_time_rate"], NO_DECISIONS)],
            [
                "Decided late",
                t["decided_late"],
                _share(t["decided_late"], decided, NO_DECISIONS),
            ],
            *([DECISION_NAMES.get(d, d), t["decisions"][d], None] for d in TRIGGER_DECISIONS),
        ],
        "On time: decided on or before the day the decision was due.",
        groups=[
            ((0, 1), [(1, 1), (2, 1), (3, 1)]),
            ((4, 1), [(5, 1), (6, 1)]),
            ((4, 1), [(7 + k, 1) for k in range(len(TRIGGER_DECISIONS))]),
        ],
    )
    last = len(INTERVENTION_TYPES)
    interventions = Table(
        "interventions",
        "Interventions by type",
        ("Intervention", "Issued in the period", "Breaches in the period"),
        [
            *(
                [INTERVENTION_NAMES.get(k, k), i["by_type"][k], i["breaches_by_type"][k]]
                for k in INTERVENTION_TYPES
            ),
            ["All interventions", i["issued"], i["breaches"]],
        ],
        groups=[((last, col), [(k, col) for k in range(last)]) for col in (1, 2)],
    )
    kinds = (*INTERVENTION_OUTCOMES, NO_OUTCOME)
    intervention_outcomes = Table(
        "intervention_outcomes",
        "Outcomes of interventions issued in the period",
        ("Outcome", "Interventions"),
        [[INTERVENTION_OUTCOME_NAMES.get(o, o), i["outcomes"][o]] for o in kinds],
        groups=[(None, [(k, 1) for k in range(len(kinds))])],
    )
    tables = [cases, outcomes, triggers, interventions, intervention_outcomes]
    panels = figures["panels"]
    if len(panels) > 1:
        tables.append(
            Table(
                "panels",
                "By panel",
                (
                    "Panel",
                    "Cases referred",
                    "Repeat victims",
                    "High risk",
                    "Community Trigger applications",
                    "Interventions issued",
                ),
                [
                    [
                        p["name"],
                        p["cases"]["referred"],
                        p["cases"]["repeat_victim"],
                        p["cases"]["risk"]["high"],
                        p["community_triggers"]["received"],
                        p["interventions"]["issued"],
                    ]
                    for p in panels
                ],
                groups=[(None, [(r, col) for r in range(len(panels))]) for col in range(1, 6)],
            )
        )
    return {table.name: table for table in tables}


# --- every figure in one file ----------------------------------------------------------------

# Counts adding up to another of the same panel: (total, prefix of its parts).
PARTS = (
    (("cases", "referred"), ("cases", "risk.")),
    (("cases", "closed"), ("cases", "outcomes.")),
    (("community_triggers", "received"), ("community_triggers", "threshold_")),
    (("community_triggers", "decided"), ("community_triggers", "decided_")),
    (("community_triggers", "decided"), ("community_triggers", "decisions.")),
    (("interventions", "issued"), ("interventions", "by_type.")),
    (("interventions", "issued"), ("interventions", "outcomes.")),
    (("interventions", "breaches"), ("interventions", "breaches_by_type.")),
)
# Rates and the counts they are worked out from: (rate, part, total), in one section.
RATES = {
    ("cases", "repeat_victim_rate"): ("repeat_victim", "referred"),
    ("cases", "high_risk_rate"): ("risk.high", "referred"),
    ("community_triggers", "threshold_met_rate"): ("threshold_met", "received"),
    ("community_triggers", "on_time_rate"): ("decided_on_time", "decided"),
}


def figure_rows(figures: dict[str, Any]) -> list[list[Any]]:
    """(panel, section, measure, value) for every figure: all panels first, then each panel."""
    rows: list[list[Any]] = []

    def walk(panel: str, section: str, prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(panel, section, f"{prefix}.{key}" if prefix else key, inner)
        else:
            rows.append([panel, section, prefix, value])

    scopes = [(TOTAL, figures["total"])] + [(p["name"], p) for p in figures["panels"]]
    for name, part in scopes:
        for section in ("cases", "community_triggers", "interventions"):
            walk(name, section, "", part[section])
    return rows


def _groups(rows: list[list[Any]]) -> list[Group]:
    at = {(r[0], r[1], r[2]): k for k, r in enumerate(rows)}
    panels = list(dict.fromkeys(r[0] for r in rows))
    found: list[Group] = []
    for panel in panels:
        for (section, total), (_, prefix) in PARTS:
            parts = [
                (k, 3)
                for (p, s, m), k in at.items()
                if p == panel and s == section and m.startswith(prefix) and not m.endswith("_rate")
            ]
            found.append(((at[(panel, section, total)], 3), parts))
    others = [p for p in panels if p != TOTAL]
    if len(others) > 1:  # each panel's count adds up to the count of all panels
        for (panel, section, measure), k in at.items():
            if panel == TOTAL and is_count(rows[k][3]):
                parts = [(at[(p, section, measure)], 3) for p in others]
                found.append(((k, 3), parts))
    return found


def suppressed(rows: list[list[Any]], below: int) -> list[list[Any]]:
    """The rows for publication (see the module's docstring)."""
    out = [[*row[:3], suppress(row[3], below)] for row in rows]
    groups = _groups(out)
    changed = True
    while changed:
        complete(out, groups, below)
        changed = False
        for total, parts in groups:
            if total is None or not is_hidden(out[total[0]][3], below):
                continue
            if any(is_hidden(out[r][3], below) for r, _ in parts):
                continue
            shown = [(out[r][3], r) for r, _ in parts if is_count(out[r][3])]
            if shown:  # a hidden total would be the sum of its parts: hide one of them
                out[min(shown)[1]][3] = SECONDARY
                changed = True
    at = {(r[0], r[1], r[2]): k for k, r in enumerate(out)}
    for row in out:
        depends = RATES.get((row[1], row[2]))
        if depends is None or row[3] is None:
            continue
        cells = [out[at[(row[0], row[1], m)]][3] for m in depends]
        hidden = next((c for c in cells if is_hidden(c, below)), None)
        if hidden is not None:
            row[3] = hidden
    return out


def download(figures: dict[str, Any], fmt: str, publication: bool, below: int, end: date) -> Any:
    """Every figure as a CSV or XLSX attachment (the API's and the page's; a Flask response
    built by ``downloads.attachment``), suppressed for publication if asked, named
    ``asb-statistics-<end date>``."""
    rows = figure_rows(figures)
    if publication:
        rows = suppressed(rows, below)
    stem = "asb-statistics"
    return attachment(stem, "ASB statistics", HEADER, rows, fmt, note(publication, below), end)
