"""The tables of the performance pages, shared by the page and its downloads.

A page table and its CSV or XLSX download are built from the same ``Table``, so what is shown
and what is downloaded cannot drift apart. Cells keep their kind: counts are ``int``, rates are
``Rate`` (a fraction, or None when there is nothing to divide by), other figures ``Figure``.
Pages word a missing rate ("no referrals in this period") instead of showing 0%; downloads
leave it blank. Kept free of Flask so other callers can build the same tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from casework.stats.charts import month_name, quarter_of
from casework.stats.downloads import Group, complete, is_hidden, suppress

NO_REFERRALS = "no referrals in this period"
NO_CASES = "no cases heard in this period"
CRITERIA_NAMES = {
    "visible_high_risk": "Visible high risk (DASH score of 14 or more)",
    "professional_judgement": "Professional judgement",
    "potential_escalation": "Potential escalation",
    "repeat": "Repeat",
}
# DOMAIN.md (SafeLives): the national share of MARAC cases in each group.
VICTIM_GROUPS = (
    ("bme", "Black and minority ethnic (BME)", "15%"),
    ("lgbt", "Lesbian, gay, bisexual or transgender (LGBT)", "1.2%"),
    ("disability", "Disabled", "6.4%"),
    ("male", "Male", "5.2%"),
    ("aged_16_17", "Aged 16 or 17", "1.6%"),
)
SECTOR_NAMES = {
    "police": "Police",
    "probation": "Probation",
    "idva": "IDVA service",
    "health": "Health",
    "mental_health": "Mental health",
    "housing": "Housing",
    "children_social_care": "Children's social care",
    "adult_social_care": "Adult social care",
    "education": "Education",
    "substance_misuse": "Substance misuse",
    "youth_offending": "Youth offending",
    "fire": "Fire and rescue",
    "voluntary": "Voluntary sector",
    "local_authority": "Local authority",
    "other": "Other",
}
QUARTERS = {
    1: "January to March",
    2: "April to June",
    3: "July to September",
    4: "October to December",
}


@dataclass(frozen=True)
class Rate:
    """A fraction shown as a percentage; None when its total is 0."""

    value: float | None
    empty: str = NO_REFERRALS


@dataclass(frozen=True)
class Figure:
    """A number that is not a count (such as volume per 10,000); None when unknown."""

    value: float | None
    empty: str


@dataclass
class Table:
    name: str
    title: str
    columns: tuple[str, ...]
    rows: list[list[Any]] = field(default_factory=list)
    note: str = ""
    # Counts adding up to a total, in this table (its cell) or published in another (None):
    # publication downloads hide a second count of a group where one is hidden.
    groups: list[Group] = field(default_factory=list)

    def numeric_column(self, index: int) -> bool:
        """Whether a column holds figures (its header is right-aligned like its cells)."""
        return any(
            isinstance(row[index], Rate | Figure)
            or (isinstance(row[index], int) and not isinstance(row[index], bool))
            for row in self.rows
        )


def display(cell: Any) -> str:
    """A cell as the page shows it."""
    if isinstance(cell, Rate):
        return cell.empty if cell.value is None else f"{cell.value * 100:.1f}%"
    if isinstance(cell, Figure):
        return cell.empty if cell.value is None else f"{cell.value:,.1f}"
    if isinstance(cell, bool) or cell is None:
        return "" if cell is None else ("Yes" if cell else "No")
    if isinstance(cell, int):
        return f"{cell:,}"
    return str(cell)


def is_numeric(cell: Any) -> bool:
    """Whether the page right-aligns the cell (GOV.UK numeric cells)."""
    if isinstance(cell, Rate | Figure):
        return cell.value is not None
    return isinstance(cell, int) and not isinstance(cell, bool)


def download_header(table: Table) -> list[str]:
    """Column names for a file; rate columns say they hold fractions, as the API does."""
    kinds = [
        next((type(r[i]) for r in table.rows if r[i] is not None), str)
        for i in range(len(table.columns))
    ]
    return [
        f"{name} (fraction)" if kind is Rate else name
        for name, kind in zip(table.columns, kinds, strict=True)
    ]


def download_rows(table: Table, publication: bool, below: int) -> list[list[Any]]:
    """Plain cells for CSV and XLSX. For publication every count from 1 to ``below - 1`` is
    hidden, then the counts that would give one back through the table's groups
    (``complete``), and every rate in a row where a count was hidden (the rate and the row's
    total would give it back)."""
    out = [[_plain(c) for c in row] for row in table.rows]
    if not publication:
        return out
    for cells in out:
        cells[:] = [suppress(c, below) for c in cells]
    complete(out, table.groups, below)
    for row, cells in zip(table.rows, out, strict=True):
        hidden = next((c for c in cells if is_hidden(c, below)), None)
        for i, cell in enumerate(row):
            if hidden and isinstance(cell, Rate) and cell.value is not None:
                cells[i] = hidden
    return out


def _plain(cell: Any) -> Any:
    if isinstance(cell, Rate | Figure):
        return cell.value
    return cell


def _share(part: int, total: int) -> Rate:
    return Rate(None if not total else round(part / total, 4))


def dashboard_tables(figures: dict[str, Any], agency_names: dict[str, str]) -> dict[str, Table]:
    """Every table of the dashboard, by name (the name is also the download's)."""
    r, h = figures["referrals"], figures["heard"]
    total = r["total"]
    tables = [
        Table(
            "referrals",
            "Referrals (by referral date)",
            ("Measure", "Number", "Share of all referrals"),
            [
                ["Referrals", total, None],
                ["Repeat referrals", r["repeat"], Rate(r["repeat_rate"])],
                ["Police referrals", r["police"], _share(r["police"], total)],
                [
                    "Non-police (partner agency) referrals",
                    r["non_police"],
                    Rate(r["non_police_rate"]),
                ],
                [
                    "Volume: referrals per 10,000 adult female population a year",
                    Figure(r["volume_per_10k"], "population not set"),
                    None,
                ],
            ],
            "SafeLives expects about 40 referrals per 10,000 adult women a year.",
        ),
        Table(
            "heard",
            "Cases heard (by meeting date)",
            ("Measure", "Number", "Share of cases heard"),
            [
                ["Meetings held", h["meetings"], None],
                ["Cases heard", h["cases"], None],
                ["Repeat cases heard", h["repeat"], Rate(h["repeat_rate"], NO_CASES)],
                ["Children in the households of cases heard", h["children"], None],
            ],
        ),
        Table(
            "criteria",
            "Referral criteria met",
            ("Criterion", "Referrals", "Share of referrals"),
            [
                [name, r["criteria"][key], _share(r["criteria"][key], total)]
                for key, name in CRITERIA_NAMES.items()
            ],
            "A referral can meet more than one criterion: shares can add up to more than 100%.",
        ),
        Table(
            "victims",
            "Victims, perpetrators and children",
            ("Group", "Referrals", "Share of referrals", "National figure"),
            [
                *(
                    [name, r["victims"][key], _share(r["victims"][key], total), national]
                    for key, name, national in VICTIM_GROUPS
                ),
                [
                    "Perpetrator aged 17 or under",
                    r["perpetrators_17_or_under"],
                    _share(r["perpetrators_17_or_under"], total),
                    "",
                ],
                ["Children in the households", r["children"], None, ""],
            ],
            "National figures: SafeLives national MARAC data.",
        ),
        Table(
            "agencies",
            "Referrals by referring agency",
            ("Agency", "Referrals", "Share of referrals"),
            [
                [_agency(code, agency_names), n, _share(n, total)]
                for code, n in sorted(r["by_agency"].items(), key=lambda kv: (-kv[1], kv[0]))
            ],
            groups=[(None, [(i, 1) for i in range(len(r["by_agency"]))])],
        ),
        Table(
            "sectors",
            "Referrals by sector",
            ("Sector", "Referrals", "Share of referrals"),
            [
                [SECTOR_NAMES.get(sector, sector), n, _share(n, total)]
                for sector, n in sorted(r["by_sector"].items(), key=lambda kv: (-kv[1], kv[0]))
            ],
            groups=[(None, [(i, 1) for i in range(len(r["by_sector"]))])],
        ),
    ]
    idva = r.get("idva")  # SafeLives IDVA engagement, where the figures carry it
    if idva is not None:
        tables.append(
            Table(
                "idva",
                "IDVA engagement",
                ("Measure", "Referrals", "Rate"),
                [
                    ["Victims offered an IDVA", idva["offered"], _share(idva["offered"], total)],
                    [
                        "Victims who engaged with an IDVA",
                        idva["engaged"],
                        Rate(idva["engagement_rate"], "no victim offered an IDVA in this period"),
                    ],
                ],
                "The engagement rate is victims who engaged out of victims offered an IDVA.",
            )
        )
    monthly = figures["series"]["monthly"]
    tables += [
        Table(
            "repeat_by_month",
            "Repeat rate by month",
            ("Month", "Referrals", "Repeats", "Repeat rate"),
            [
                [_month(p["period"]), p["total"], p["repeat"], Rate(p["repeat_rate"])]
                for p in monthly
            ],
            groups=_by_quarter(monthly, (1, 2)),
        ),
        Table(
            "non_police_by_month",
            "Non-police share by month",
            ("Month", "Referrals", "Non-police", "Non-police share"),
            [
                [_month(p["period"]), p["total"], p["non_police"], Rate(p["non_police_rate"])]
                for p in monthly
            ],
            groups=_by_quarter(monthly, (1, 2)),
        ),
        Table(
            "by_quarter",
            "Referrals by quarter",
            ("Quarter", "Referrals", "Repeats", "Repeat rate", "Non-police", "Non-police share"),
            [
                [
                    _quarter(p["period"]),
                    p["total"],
                    p["repeat"],
                    Rate(p["repeat_rate"]),
                    p["non_police"],
                    Rate(p["non_police_rate"]),
                ]
                for p in figures["series"]["quarterly"]
            ],
            groups=[
                (None, [(i, column) for i in range(len(figures["series"]["quarterly"]))])
                for column in (1, 2, 4)
            ],
        ),
    ]
    return {t.name: t for t in tables}


def _by_quarter(monthly: list[dict[str, Any]], columns: tuple[int, ...]) -> list[Group]:
    """Each column's months grouped by quarter: they add up to the quarter's figures."""
    quarters: dict[str, list[int]] = {}
    for i, p in enumerate(monthly):
        quarters.setdefault(quarter_of(p["period"]), []).append(i)
    return [(None, [(i, c) for i in rows]) for rows in quarters.values() for c in columns]


def quarterly_table(meetings: list[dict[str, Any]]) -> Table:
    """The SafeLives return: one row per meeting, one column per referring agency."""
    codes = sorted({code for m in meetings for code in m["referrals_by_agency"]})
    columns = (
        "Meeting date",
        "Panel",
        "Cases",
        "Repeats",
        "Children",
        "Police referrals",
        "Non-police referrals",
        *(f"Referred by {code}" for code in codes),
        "BME",
        "LGBT",
        "Disabled",
        "Male",
        "Aged 16 or 17",
    )
    rows = [
        [
            m["meeting_date"],
            m["panel"],
            m["cases"],
            m["repeat"],
            m["children"],
            m["police_referrals"],
            m["non_police_referrals"],
            *(m["referrals_by_agency"].get(code, 0) for code in codes),
            m["bme"],
            m["lgbt"],
            m["disability"],
            m["male"],
            m["aged_16_17"],
        ]
        for m in meetings
    ]
    agencies = range(7, 7 + len(codes))
    held = range(len(rows))  # a row per meeting
    # In each meeting police and non-police referrals, and the referring agencies, add up to
    # its cases; down the meetings each count adds up to the quarter's (published elsewhere).
    groups: list[Group] = [((r, 2), [(r, 5), (r, 6)]) for r in held]
    groups += [((r, 2), [(r, c) for c in agencies]) for r in held]
    groups += [(None, [(r, c) for r in held]) for c in (2, 3, 4, 5, 6, *agencies)]
    return Table("quarterly_return", "SafeLives quarterly return", columns, rows, groups=groups)


def _agency(code: str, names: dict[str, str]) -> str:
    name = names.get(code)
    return f"{name} ({code})" if name else code


def _month(period: str) -> str:
    return month_name(period)


def _quarter(period: str) -> str:
    year, quarter = period.split("-Q")
    return f"{QUARTERS[int(quarter)]} {year}"


def headline(
    figures: dict[str, Any], national: dict[str, Any] | None = None
) -> list[tuple[str, str, str]]:
    """(label, figure, detail) for the headline boxes; volume only when populations are set.
    ``national`` holds the reference lines (``casework.stats.reference``), cited with their
    source and date; without them no national figure is claimed."""
    r, h = figures["referrals"], figures["heard"]
    national = national or {}

    def compared(measure: str) -> str:
        line = national.get(measure)
        return f". {line.citation}" if line else ""

    items = [
        ("Referrals", display(r["total"]), "by referral date, withdrawn referrals not counted"),
        (
            "Repeat rate",
            display(Rate(r["repeat_rate"])),
            f"{r['repeat']:,} of {r['total']:,} referrals were repeats{compared('repeat_rate')}",
        ),
        (
            "Non-police share",
            display(Rate(r["non_police_rate"])),
            f"{r['non_police']:,} of {r['total']:,} referrals came from partner agencies"
            + compared("non_police_rate"),
        ),
    ]
    if r["volume_per_10k"] is not None:
        items.append(
            (
                "Volume per 10,000",
                display(Figure(r["volume_per_10k"], "")),
                "referrals a year per 10,000 adult women in the area" + compared("volume_per_10k"),
            )
        )
    items += [
        ("Cases heard", display(h["cases"]), "at meetings held in the period"),
        ("Meetings held", display(h["meetings"]), "meetings held or closed in the period"),
    ]
    return items
