"""A picture of how claimants' estimates diverge: a timeline of a comparison's claims (PNG).

Rendered with matplotlib on the Agg backend (no display needed). Points are coloured by
claimant type and labelled with the claimant; ranges are bars; "more than" and "fewer than"
are up and down triangles; the scale turns logarithmic when the spread is wider than 10x.
Labels that would overlap are thinned out rather than drawn on top of each other.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from datetime import date
from typing import Final

import matplotlib

matplotlib.use("Agg")  # before pyplot: render to memory, never to a screen

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter
from matplotlib.transforms import Bbox

from bot import constants as c
from bot.compare import Comparison
from bot.domain import Spread, claim_date
from bot.i18n import EN, Locale
from bot.render import comparison_summary, format_figure, what_is_counted
from bot.vocabulary import VOCABULARY
from store import ClaimPublic

LOG_SCALE_SPREAD: Final = 10.0  # times between the lowest and highest figure
LABEL_CHARS: Final = 36  # characters of a claimant's name on the chart
MARKER_RADIUS_PIXELS: Final = 11  # a marker of size 90 pt² at 150 dpi, with a little air
EPOCH: Final = date(1970, 1, 1)  # matplotlib's default date epoch: dates are days since it
# Okabe-Ito colours, told apart by colour-blind readers too: bot/vocabulary/claimant_types.toml.
TYPE_COLOURS: Final = {kind.id: kind.colour for kind in VOCABULARY.claimant_types.values()}
UNTYPED_COLOUR: Final = "#777777"
UP_QUALIFIERS: Final = frozenset({"more than", "at least"})
DOWN_QUALIFIERS: Final = frozenset({"fewer than", "up to"})
# Where a label may go relative to its point, in points: right, then left, above, below.
LABEL_OFFSETS: Final = ((8, 2), (8, -20), (-8, 2), (-8, -20), (8, 14), (8, -32), (-8, 14))


@dataclass(frozen=True)
class ChartPoint:
    claim_id: int
    when: date
    low: int
    high: int  # equal to low unless the claim is a range
    marker: str
    colour: str


@dataclass
class Chart:
    png: bytes
    points: list[ChartPoint]
    log_scale: bool
    caption: str
    labels: dict[int, Bbox] = field(default_factory=dict)  # claim id -> label box, in pixels
    size: tuple[int, int] = (0, 0)  # width, height in pixels


def _point(claim: ClaimPublic) -> ChartPoint:
    marker = "o"
    if claim.qualifier in UP_QUALIFIERS:
        marker = "^"
    elif claim.qualifier in DOWN_QUALIFIERS:
        marker = "v"
    colour = TYPE_COLOURS.get(claim.claimant_type or "", UNTYPED_COLOUR)
    high = claim.figure_high if claim.figure_high is not None else claim.figure_low
    return ChartPoint(
        claim.id, claim_date(claim.date).midpoint(), claim.figure_low, high, marker, colour
    )


def _day(when: date) -> float:
    """A date as matplotlib's number: days since its epoch."""
    return float((when - EPOCH).days)


def _short(name: str) -> str:
    return name if len(name) <= LABEL_CHARS else name[: LABEL_CHARS - 1] + "…"


def _thousands(value: float, _position: int) -> str:
    return f"{value:,.0f}"


def render_chart(comparison: Comparison, loc: Locale = EN) -> Chart:
    """Draw the comparison's claims against their dates; return the PNG and what was drawn."""
    claims = list(comparison.claims)
    points = [_point(claim) for claim in claims]
    lows = [max(point.low, 1) for point in points]
    highs = [max(point.high, 1) for point in points]
    log_scale = max(highs) / min(lows) > LOG_SCALE_SPREAD
    figure, axes = plt.subplots(figsize=c.CHART_SIZE_INCHES, dpi=c.CHART_DPI)
    try:
        _plot_points(axes, points, log_scale)
        _dress_axes(axes, points, log_scale, what_is_counted(comparison.best, loc), loc)
        legend = axes.legend(
            handles=_legend(points, loc), fontsize=8.5, loc="best", framealpha=0.85
        )
        _footnote(figure, claims, loc)
        figure.tight_layout(rect=(0, 0.04, 1, 1))
        taken = [legend.get_window_extent(figure.canvas.get_renderer())]  # type: ignore[attr-defined]
        taken.extend(_marker_boxes(axes, points, log_scale))  # labels keep off other points
        labels = _place_labels(figure, axes, comparison.best, claims, points, taken)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=c.CHART_DPI)
        width, height = figure.canvas.get_width_height()
    finally:
        plt.close(figure)
    caption = comparison_summary(comparison, loc)
    return Chart(buffer.getvalue(), points, log_scale, caption, labels, (width, height))


def _plot_points(axes: Axes, points: list[ChartPoint], log_scale: bool) -> None:
    """A marker per claim at its date (its shape says more than / fewer than), and a bar
    from low to high for a range."""
    for point in points:
        x = _day(point.when)
        if point.high != point.low:
            axes.vlines(
                x, point.low, point.high, colors=point.colour, linewidth=7, alpha=0.45, zorder=2
            )
        middle = math.sqrt(point.low * point.high) if log_scale else (point.low + point.high) / 2
        axes.scatter(
            [x],
            [max(middle, 1)],
            marker=point.marker,
            s=90,
            color=point.colour,
            edgecolors="black",
            linewidths=0.6,
            zorder=3,
        )


def _dress_axes(
    axes: Axes, points: list[ChartPoint], log_scale: bool, what: str, loc: Locale
) -> None:
    """Scale, grid, title and axis labels."""
    if log_scale:
        axes.set_yscale("log")
    axes.yaxis.set_major_formatter(FuncFormatter(_thousands))
    axes.grid(True, which="major", alpha=0.3)
    axes.set_title(_short_title(loc._(c.CHART_TITLE).format(what=what)), fontsize=13, pad=10)
    axes.set_xlabel(loc._(c.CHART_X_LABEL), fontsize=11)
    axes.set_ylabel(loc._(c.CHART_Y_LABEL_LOG if log_scale else c.CHART_Y_LABEL), fontsize=11)
    axes.tick_params(labelsize=10)
    _pad_limits(axes, points, log_scale)


def _footnote(figure: Figure, claims: list[ClaimPublic], loc: Locale) -> None:
    """What the figures are, and which stored claims they come from."""
    ids = ", ".join(f"#{claim.id}" for claim in claims[:12]) + (" …" if len(claims) > 12 else "")
    figure.text(
        0.01,
        0.01,
        loc._(c.CHART_FOOTNOTE).format(ids=ids),
        fontsize=7.5,
        color="#444444",
        ha="left",
        va="bottom",
    )


def _short_title(title: str, limit: int = 70) -> str:
    return title if len(title) <= limit else title[: limit - 1] + "…"


def _pad_limits(axes: Axes, points: list[ChartPoint], log_scale: bool) -> None:
    """Room around the points, so labels at the edges still fit."""
    low = min(max(point.low, 1) for point in points)
    high = max(max(point.high, 1) for point in points)
    if log_scale:
        axes.set_ylim(low / 2.5, high * 2.5)
    else:
        span = max(high - low, high * 0.2)
        axes.set_ylim(max(0, low - span * 0.35), high + span * 0.35)
    days = [_day(point.when) for point in points]
    margin = max((max(days) - min(days)) * 0.12, 90)
    axes.set_xlim(min(days) - margin, max(days) + margin)
    span = max(days) - min(days) + 2 * margin
    # matplotlib.dates is untyped; these are its documented constructors.
    locator = (
        mdates.YearLocator()  # type: ignore[no-untyped-call]
        if span > 900
        else mdates.MonthLocator(interval=3)  # type: ignore[no-untyped-call]
    )
    axes.xaxis_date()  # x values are days since the epoch: read and label them as dates
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]


def _legend(points: list[ChartPoint], loc: Locale) -> list[Line2D]:
    colours = {point.colour for point in points}
    handles = [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            color=colour,
            markeredgecolor="black",
            label=loc._(c.CLAIMANT_TYPE_LABELS[name]),
        )
        for name, colour in TYPE_COLOURS.items()
        if colour in colours
    ]
    markers = {point.marker for point in points}
    if "^" in markers:
        handles.append(
            Line2D(
                [], [], marker="^", linestyle="", color="#333333", label=loc._(c.CHART_MORE_THAN)
            )
        )
    if "v" in markers:
        handles.append(
            Line2D(
                [], [], marker="v", linestyle="", color="#333333", label=loc._(c.CHART_FEWER_THAN)
            )
        )
    if any(point.high != point.low for point in points):
        handles.append(
            Line2D([], [], linewidth=6, alpha=0.45, color="#333333", label=loc._(c.CHART_RANGE))
        )
    return handles


def _marker_boxes(axes: Axes, points: list[ChartPoint], log_scale: bool) -> list[Bbox]:
    """Where each point's marker is drawn, in pixels."""
    radius = MARKER_RADIUS_PIXELS
    boxes = []
    for point in points:
        middle = math.sqrt(point.low * point.high) if log_scale else (point.low + point.high) / 2
        x, y = axes.transData.transform((_day(point.when), max(middle, 1)))
        boxes.append(Bbox.from_extents(x - radius, y - radius, x + radius, y + radius))
    return boxes


def _label_order(claims: list[ClaimPublic]) -> list[int]:
    """Which claims to label first: the lowest and highest, then the newest."""
    spread = Spread.of(claims)
    low, high = claims.index(spread.low), claims.index(spread.high)
    return list(dict.fromkeys([low, high, *range(len(claims))]))


def _place_labels(
    figure: Figure,
    axes: Axes,
    best: ClaimPublic,
    claims: list[ClaimPublic],
    points: list[ChartPoint],
    taken: list[Bbox],
) -> dict[int, Bbox]:
    """Label each point where its label overlaps nothing drawn so far; a label with no free
    place is left out (the chart thins out) rather than drawn over another."""
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    frame = axes.get_window_extent(renderer)
    placed: dict[int, Bbox] = {}
    for position in _label_order(claims):
        claim, point = claims[position], points[position]
        middle = math.sqrt(max(point.low, 1) * max(point.high, 1))
        # Two short lines fit beside a point where one long line would not.
        text = f"{_short(claim.claimant)}\n{format_figure(claim)}"
        if claim.where != best.where and claim.where:
            text += f" ({_short(claim.where)})"
        for dx, dy in LABEL_OFFSETS:
            label = axes.annotate(
                text,
                (_day(point.when), middle),
                xytext=(dx, dy),
                textcoords="offset points",
                ha="left" if dx > 0 else "right",
                fontsize=8,
                color="#222222",
                zorder=4,
            )
            box = label.get_window_extent(renderer).expanded(1.04, 1.15)
            inside = frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1)
            if inside and not any(box.overlaps(other) for other in taken):
                taken.append(box)
                placed[claim.id] = box
                break
            label.remove()
    return placed
