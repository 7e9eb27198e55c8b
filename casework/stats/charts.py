"""Charts for the performance pages: SVG drawn on the server by matplotlib, never in the browser.

The pages run under a strict Content-Security-Policy and work without JavaScript, so charts are
images: SVG documents served from their own route and shown with ``<img>``. Each carries a
``<title>`` and ``<desc>`` (for anyone opening the file itself), and the page shows the same
description as a caption beside the data table, so no figure lives only in a picture.

matplotlib is imported on first use (it takes a moment to load) with the Agg backend: no
display, no network, and only the DejaVu fonts it ships with. Text stays text in the SVG
(``svg.fonttype: none``), so files are small and the browser draws the letters. Rates are drawn
in one neutral colour: SafeLives treats finding repeats as healthy, so no value is "good" or
"bad" by colour.

A rate is never shown without what it was worked out from: each month's point carries its count
and denominator ("4/12"), and a month with fewer than ``SMALL_PERIOD`` referrals is labelled as
such rather than plotted, because one repeat out of one referral is a 100% spike that says
nothing. The national figure a chart compares with is a dashed line whose key says where it
comes from and when it was true (``casework.stats.reference``).
"""

from __future__ import annotations

import io
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from casework.stats.reference import ReferenceLine

# GOV.UK Design System colours: blue for data, black text, dark grey for grid lines.
BLUE = "#1d70b8"
BLACK = "#0b0c0c"
GREY = "#505a5f"
LIGHT_GREY = "#b1b4b6"
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
STYLE = {
    "svg.fonttype": "none",  # keep text as text
    "svg.hashsalt": "casework",  # the same figures give the same file
    "font.size": 11,
    "text.color": BLACK,
    "axes.edgecolor": GREY,
    "axes.labelcolor": BLACK,
    "xtick.color": BLACK,
    "ytick.color": BLACK,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
# A month with fewer referrals than this shows its counts but no rate (see the module docstring).
SMALL_PERIOD = 5
# matplotlib keeps global state (rcParams, font caches); one drawing at a time is plenty.
_lock = threading.Lock()


def quarter_of(month_key: str) -> str:
    """The quarter a month is in: ``2026-05`` is in ``2026-Q2``."""
    year, month = month_key.split("-")
    return f"{year}-Q{(int(month) - 1) // 3 + 1}"


def month_name(period: str, short: bool = False) -> str:
    """'2026-03' as 'March 2026' (or 'Mar 2026')."""
    year, month = period.split("-")
    name = MONTHS[int(month) - 1]
    return f"{name[:3] if short else name} {year}"


def percent(value: float) -> str:
    return f"{value * 100:.1f}%"


@dataclass(frozen=True)
class RatePoint:
    """One month of a rate chart: the count, what it is out of, and the rate when it is drawn."""

    period: str
    count: int
    total: int
    rate: float | None

    @property
    def small(self) -> bool:
        """Some referrals, but too few for a rate worth drawing."""
        return 0 < self.total < SMALL_PERIOD

    @property
    def drawn(self) -> float | None:
        """The rate the chart plots: none for an empty or small month."""
        return None if self.small or not self.total else self.rate

    @property
    def label(self) -> str:
        """What the chart writes at the month: '4/12', 'Fewer than 5 referrals' or 'None'."""
        if not self.total:
            return "No referrals"
        if self.small:
            return f"Fewer than {SMALL_PERIOD} referrals"
        return f"{self.count}/{self.total}"


def rate_points(monthly: Sequence[dict[str, Any]], count: str, rate: str) -> list[RatePoint]:
    """The chart's points from the figures' monthly series (``count`` out of ``total``)."""
    return [RatePoint(p["period"], p[count], p["total"], p[rate]) for p in monthly]


def _of(point: RatePoint) -> str:
    return f"{percent(point.drawn or 0.0)} ({point.count:,} of {point.total:,})"


def describe_rate(
    measure: str, points: Sequence[RatePoint], reference: ReferenceLine | None = None
) -> str:
    """What the line chart shows, for captions and ``<desc>``: highs and lows with their
    counts, the months too small to draw, and the national line with its source."""
    if not points:
        return f"{measure} by month: no months in this period."
    span = f"{month_name(points[0].period)} to {month_name(points[-1].period)}"
    text = f"{measure} by month, {span}."
    if not any(p.total for p in points):
        text = f"{measure} by month, {span}: no referrals in this period, so there is no rate."
        return text + _cited(reference)
    known = [p for p in points if p.drawn is not None]
    if len(known) == 1:
        text += f" {_of(known[0])} in {month_name(known[0].period)}."
    elif known:
        high = max(known, key=lambda p: p.drawn or 0.0)
        low = min(known, key=lambda p: p.drawn or 0.0)
        text += (
            f" Highest {_of(high)} in {month_name(high.period)};"
            f" lowest {_of(low)} in {month_name(low.period)}."
        )
    small = [p for p in points if p.small]
    if small:
        months = "; ".join(f"{month_name(p.period)} {p.count} of {p.total}" for p in small)
        text += f" Fewer than {SMALL_PERIOD} referrals, so no rate is drawn: {months}."
    empty = sum(1 for p in points if not p.total)
    if empty:
        text += f" {empty} {'month has' if empty == 1 else 'months have'} no referrals."
    return text + _cited(reference)


def _cited(reference: ReferenceLine | None) -> str:
    """The national line in words, with its source, as the chart's key gives it."""
    return f" Dashed line: {reference.citation}." if reference else ""


def describe_counts(measure: str, counts: Sequence[tuple[str, int]]) -> str:
    """What the bar chart shows: every bar with its share of the total, largest first."""
    if not counts or not sum(n for _, n in counts):
        return f"{measure}: no referrals in this period."
    total = sum(n for _, n in counts)
    bars = "; ".join(f"{label} {n:,} of {total:,}" for label, n in counts)
    return f"{measure}, largest first: {bars}. Total {total:,}."


def line_chart(
    title: str, desc: str, points: Sequence[RatePoint], reference: ReferenceLine | None = None
) -> str:
    """A percentage by month, each point labelled with its count and denominator; a month with
    no referrals is a gap and a small month a gap with a label, never 0% or a 100% spike."""
    labels = [month_name(p.period, short=True) for p in points]
    values = [math.nan if p.drawn is None else p.drawn * 100 for p in points]
    with _drawing() as (figure_class, ticker):
        figure = figure_class(figsize=(7.2, 4.2), layout="constrained")
        axes = figure.add_subplot()
        axes.plot(
            range(len(values)),
            values,
            color=BLUE,
            linewidth=2.5,
            marker="o",
            markersize=5,
            label="This MARAC (count/referrals at each point)",
        )
        for x, point in enumerate(points):
            if point.drawn is not None:
                axes.annotate(
                    point.label,
                    (x, values[x]),
                    xytext=(0, 7),
                    textcoords="offset points",
                    ha="center",
                    fontsize=8,
                    color=GREY,
                )
            elif any(p.total for p in points):  # a gap says why it is a gap
                axes.text(
                    x,
                    50,
                    point.label,
                    rotation=90,
                    ha="center",
                    va="center",
                    fontsize=8,
                    color=GREY,
                )
        if reference is not None:
            axes.axhline(
                reference.value * 100,
                color=BLACK,
                linestyle="--",
                linewidth=1.2,
                label=reference.citation,
            )
        axes.set_ylim(-3, 110)  # a 0% or 100% month, and its label, stay inside the frame
        axes.set_yticks(range(0, 101, 20))
        axes.yaxis.set_major_formatter(ticker.PercentFormatter(100, decimals=0))
        axes.grid(axis="y", color=LIGHT_GREY, linewidth=0.6)
        axes.set_axisbelow(True)
        step = max(1, math.ceil(len(labels) / 12))
        axes.set_xticks(range(0, len(labels), step), labels[::step], rotation=45, ha="right")
        axes.set_xlim(-0.5, max(len(labels) - 0.5, 0.5))
        if not any(p.total for p in points):
            axes.text(
                0.5, 0.5, "No referrals in this period", ha="center", transform=axes.transAxes
            )
        axes.set_title(title, loc="left", fontweight="bold")
        figure.legend(loc="outside lower left", frameon=False, fontsize=8)
        return _svg(figure, title, desc)


def bar_chart(title: str, desc: str, counts: Sequence[tuple[str, int]]) -> str:
    """Horizontal bars, largest at the top, each labelled with its count out of the total."""
    shown = list(reversed(counts))  # matplotlib draws the first bar at the bottom
    total = sum(n for _, n in counts)
    height = max(2.4, 0.45 * len(shown) + 1.2)
    with _drawing() as (figure_class, ticker):
        figure = figure_class(figsize=(7.2, height), layout="constrained")
        axes = figure.add_subplot()
        if shown:
            bars = axes.barh([label for label, _ in shown], [n for _, n in shown], color=BLUE)
            axes.bar_label(bars, labels=[f"{n:,} of {total:,}" for _, n in shown], padding=3)
            axes.margins(x=0.2)
            axes.xaxis.set_major_locator(ticker.MaxNLocator(integer=True))  # counts: no 0.25
        else:
            axes.set_yticks([])
            axes.text(
                0.5, 0.5, "No referrals in this period", ha="center", transform=axes.transAxes
            )
        axes.grid(axis="x", color=LIGHT_GREY, linewidth=0.6)
        axes.set_axisbelow(True)
        axes.set_xlabel("Referrals")
        axes.set_title(title, loc="left", fontweight="bold")
        return _svg(figure, title, desc)


class _drawing:
    """matplotlib on first use (Agg backend, house style), one figure at a time."""

    def __enter__(self) -> tuple[Any, Any]:
        _lock.acquire()
        try:
            import matplotlib

            matplotlib.use("Agg")
            from matplotlib import ticker
            from matplotlib.figure import Figure

            self._context = matplotlib.rc_context(STYLE)
            self._context.__enter__()
        except BaseException:
            _lock.release()
            raise
        return Figure, ticker

    def __exit__(self, *exc: object) -> None:
        try:
            self._context.__exit__(*exc)
        finally:
            _lock.release()


def _svg(figure: Any, title: str, desc: str) -> str:
    """The SVG text, with ``<title>`` and ``<desc>`` first inside the root element."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    opening = svg.index("<svg ")
    end = svg.index(">", opening)
    labelled = ' role="img" aria-labelledby="chart-title chart-desc"'
    described = (
        f'<title id="chart-title">{escape(title)}</title>'
        f'<desc id="chart-desc">{escape(desc)}</desc>'
    )
    return svg[:end] + labelled + ">" + described + svg[end + 1 :]
