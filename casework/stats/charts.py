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
"""

from __future__ import annotations

import io
import math
import threading
from collections.abc import Sequence
from html import escape
from typing import Any

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


def describe_rate(measure: str, points: Sequence[tuple[str, float | None]]) -> str:
    """One or two sentences saying what the line chart shows, for captions and ``<desc>``."""
    if not points:
        return f"{measure} by month: no months in this period."
    span = f"{month_name(points[0][0])} to {month_name(points[-1][0])}"
    known = [(p, v) for p, v in points if v is not None]
    if not known:
        return f"{measure} by month, {span}: no referrals in this period, so there is no rate."
    high = max(known, key=lambda pv: pv[1])
    low = min(known, key=lambda pv: pv[1])
    text = f"{measure} by month, {span}."
    if len(known) == 1:
        text += f" {percent(high[1])} in {month_name(high[0])}."
    else:
        text += (
            f" Highest {percent(high[1])} in {month_name(high[0])};"
            f" lowest {percent(low[1])} in {month_name(low[0])}."
        )
    missing = len(points) - len(known)
    if missing:
        months = "month has" if missing == 1 else "months have"
        text += f" {missing} {months} no referrals, so no rate is drawn there."
    return text


def describe_counts(measure: str, counts: Sequence[tuple[str, int]]) -> str:
    """What the bar chart shows: every bar, largest first."""
    if not counts or not sum(n for _, n in counts):
        return f"{measure}: no referrals in this period."
    total = sum(n for _, n in counts)
    bars = "; ".join(f"{label} {n:,}" for label, n in counts)
    return f"{measure}, largest first: {bars}. Total {total:,}."


def line_chart(title: str, desc: str, points: Sequence[tuple[str, float | None]]) -> str:
    """A percentage by month; a month with no referrals is a gap in the line, never 0%."""
    labels = [month_name(p, short=True) for p, _ in points]
    values = [math.nan if v is None else v * 100 for _, v in points]
    with _drawing() as (figure_class, ticker):
        figure = figure_class(figsize=(7.2, 3.8), layout="constrained")
        axes = figure.add_subplot()
        axes.plot(range(len(values)), values, color=BLUE, linewidth=2.5, marker="o", markersize=5)
        axes.set_ylim(-3, 103)  # a 0% or 100% month stays visible off the frame
        axes.set_yticks(range(0, 101, 20))
        axes.yaxis.set_major_formatter(ticker.PercentFormatter(100, decimals=0))
        axes.grid(axis="y", color=LIGHT_GREY, linewidth=0.6)
        axes.set_axisbelow(True)
        step = max(1, math.ceil(len(labels) / 12))
        axes.set_xticks(range(0, len(labels), step), labels[::step], rotation=45, ha="right")
        axes.set_xlim(-0.5, max(len(labels) - 0.5, 0.5))
        if all(math.isnan(v) for v in values):
            axes.text(
                0.5, 0.5, "No referrals in this period", ha="center", transform=axes.transAxes
            )
        axes.set_title(title, loc="left", fontweight="bold")
        return _svg(figure, title, desc)


def bar_chart(title: str, desc: str, counts: Sequence[tuple[str, int]]) -> str:
    """Horizontal bars, largest at the top, each labelled with its count."""
    shown = list(reversed(counts))  # matplotlib draws the first bar at the bottom
    height = max(2.4, 0.45 * len(shown) + 1.2)
    with _drawing() as (figure_class, ticker):
        figure = figure_class(figsize=(7.2, height), layout="constrained")
        axes = figure.add_subplot()
        if shown:
            bars = axes.barh([label for label, _ in shown], [n for _, n in shown], color=BLUE)
            axes.bar_label(bars, labels=[f"{n:,}" for _, n in shown], padding=3)
            axes.margins(x=0.12)
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
