"""Server-rendered SVG charts, each paired with the table of its numbers.

Charts work without JavaScript and without external files. The SVG is a
picture of the table next to it; screen readers get the table (the SVG has a
title pointing to it), so no number exists only as a shape.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any

from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
ROW_HEIGHT = 22
LABEL_WIDTH = 230
PAD = 8
#: text size in pixels (dashboards.css); the chart is drawn at its own size
#: and scrolls on a narrow screen rather than shrinking its text
FONT_PX = 13
#: a generous average width of a character at that size
CHAR_PX = 7.5
LINE_HEIGHT = 16
#: where the y-axis labels of column and timeline charts end
AXIS_X = 48


@dataclass(slots=True)
class Cell:
    """One table cell; numbers link to the cases behind them when ``url`` is set."""

    value: Any
    url: str = ""
    numeric: bool = True


@dataclass
class DataTable:
    caption: str
    headers: list[str]
    rows: list[list[Cell]] = field(default_factory=list)

    def html(self, key: str) -> SafeString:
        """The table as HTML, first column as row headers.

        Built here rather than in a template loop: the occupancy table alone
        has a row per day, and the template engine needs about 0.1 ms per cell,
        which would dominate the dashboard's time.
        """
        # the wrapper scrolls a table wider than its panel (CSP: no inline styles)
        parts = [
            f'<div class="table-scroll"><table class="table" id="table-{escape(key)}">',
            f"<caption>{escape(str(self.caption))}</caption><thead><tr>",
        ]
        for index, header in enumerate(self.headers):
            align = ' class="num"' if index else ""
            parts.append(f'<th scope="col"{align}>{escape(str(header))}</th>')
        parts.append("</tr></thead><tbody>")
        for row in self.rows:
            parts.append(f'<tr><th scope="row">{escape(str(row[0].value))}</th>')
            for cell in row[1:]:
                text = escape(str(cell.value))
                if cell.url:
                    text = f'<a href="{escape(cell.url)}">{text}</a>'
                parts.append(f'<td class="num">{text}</td>')
            parts.append("</tr>")
        parts.append("</tbody></table></div>")
        return mark_safe("".join(parts))  # noqa: S308 - every text part is escaped


@dataclass
class Panel:
    key: str
    title: str
    table: DataTable
    svg: SafeString | str = ""
    note: str = ""
    #: nothing happened in the period: the chart is replaced by a sentence
    empty: bool = False
    #: spans the whole row of panels (tables with many columns)
    wide: bool = False
    #: sentences shown as a warning above the chart
    warnings: list[str] = field(default_factory=list)

    @property
    def table_html(self) -> SafeString:
        return self.table.html(self.key)


@dataclass
class Series:
    label: str
    values: list[float]


def _fmt(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def text_width(text: str) -> float:
    return CHAR_PX * len(text)


def wrap(label: str, width: float = LABEL_WIDTH - 10) -> list[str]:
    """``label`` in lines that fit ``width`` pixels; words are never cut
    unless one word alone is wider than the line."""
    size = max(4, int(width // CHAR_PX))
    lines = textwrap.wrap(
        label, size, break_long_words=True, break_on_hyphens=False
    ) or [""]
    return lines


def _label(lines: list[str], x: float, y: float, anchor: str = "end") -> str:
    """A multi-line label centred on ``y``."""
    first = y - (len(lines) - 1) * LINE_HEIGHT / 2 + FONT_PX * 0.35
    spans = "".join(
        f'<tspan x="{x:g}" y="{first + i * LINE_HEIGHT:.1f}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return f'<text class="label" text-anchor="{anchor}">{spans}</text>'


def _open(height: float, title: str, width: float = WIDTH) -> list[str]:
    # drawn at its own pixel size: the text never shrinks below FONT_PX
    return [
        f'<svg class="chart" viewBox="0 0 {width:g} {height:g}" '
        f'width="{width:g}" height="{height:g}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]


def _legend(
    series: Sequence[Series], y: float, x0: float = AXIS_X
) -> tuple[list[str], float]:
    """The legend from ``y`` on, wrapped onto as many rows as it needs;
    returns its parts and the height it takes."""
    parts = []
    x, row = x0, 0
    for index, item in enumerate(series):
        needed = 24 + text_width(item.label)
        if x > x0 and x + needed > WIDTH:
            x, row = x0, row + 1
        top = y + row * LINE_HEIGHT
        parts.append(
            f'<rect class="s{index}" x="{x:g}" y="{top:g}" width="10" height="10"/>'
            f'<text x="{x + 14:g}" y="{top + 10:g}">{escape(item.label)}</text>'
        )
        x += needed
    return parts, (row + 1) * LINE_HEIGHT


def hbar_svg(
    categories: Sequence[str], series: Sequence[Series], title: str
) -> SafeString:
    """Horizontal bars, one group per category and one bar per series.

    Category labels wrap onto several lines; a group is as tall as its
    label or its bars, whichever needs more room.
    """
    legend, top = _legend(series, 2, LABEL_WIDTH) if len(series) > 1 else ([], 0)
    labels = [wrap(category) for category in categories]
    bars = ROW_HEIGHT * max(1, len(series)) * 0.8
    heights = [max(bars, len(lines) * LINE_HEIGHT) + 6 for lines in labels]
    height = top + sum(heights) + PAD
    peak = max([v for s in series for v in s.values] or [0]) or 1
    span = WIDTH - LABEL_WIDTH - 60
    parts = _open(height, title)
    parts += legend
    bar = bars / max(1, len(series))
    y = top
    for row, lines in enumerate(labels):
        group = heights[row]
        parts.append(_label(lines, LABEL_WIDTH - 6, y + group / 2))
        first_bar = y + (group - bars) / 2
        for index, item in enumerate(series):
            value = item.values[row]
            length = span * value / peak
            by = first_bar + index * bar
            parts.append(
                f'<rect class="s{index}" x="{LABEL_WIDTH}" y="{by:.1f}" '
                f'width="{length:.1f}" height="{bar - 2:.1f}"/>'
                f'<text x="{LABEL_WIDTH + length + 4:.1f}" '
                f'y="{by + bar / 2 + 4:.1f}">{escape(_fmt(value))}</text>'
            )
        y += group
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text part is escaped


def columns_svg(
    categories: Sequence[str], series: Sequence[Series], title: str
) -> SafeString:
    """Vertical grouped columns (months on the x axis)."""
    legend, top = _legend(series, 2)
    height = 200 + top
    base = height - 28
    plot = WIDTH - AXIS_X - 4
    slot = plot / max(1, len(categories))
    bar = max(1.0, (slot - 4) / max(1, len(series)))
    peak = max([v for s in series for v in s.values] or [0]) or 1
    parts = _open(height, title)
    parts += legend
    parts.append(
        f'<line class="axis" x1="{AXIS_X}" y1="{base}" x2="{WIDTH}" y2="{base}"/>'
    )
    parts.append(
        f'<text x="{AXIS_X - 4}" y="{top + 14}" text-anchor="end">'
        f"{escape(_fmt(peak))}</text>"
    )
    widest = max([text_width(c) for c in categories] or [0]) + 6
    every = max(1, len(categories) // 12, int(widest // slot) + 1)
    for col, category in enumerate(categories):
        x = AXIS_X + 4 + col * slot
        for index, item in enumerate(series):
            tall = (base - top - 10) * item.values[col] / peak
            parts.append(
                f'<rect class="s{index}" x="{x + index * bar:.1f}" '
                f'y="{base - tall:.1f}" width="{bar - 1:.1f}" height="{tall:.1f}"/>'
            )
        if col % every == 0:
            parts.append(
                f'<text x="{x + slot / 2:.1f}" y="{base + 18}" '
                f'text-anchor="middle">{escape(category)}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text part is escaped


def timeline_svg(
    labels: Sequence[str],
    stacked: Sequence[Series],
    line: Series | None,
    title: str,
) -> SafeString:
    """Stacked areas per day with a step line (occupancy against capacity)."""
    legend, top = _legend([*stacked, *([line] if line else [])], 2)
    height = 200 + top
    base = height - 28
    count = max(1, len(labels))
    step = (WIDTH - AXIS_X - 4 - 50) / count
    totals = [sum(s.values[i] for s in stacked) for i in range(len(labels))]
    peak = max([*totals, *(line.values if line else []), 1])
    scale = (base - top - 10) / peak
    parts = _open(height, title)
    parts += legend
    parts.append(
        f'<line class="axis" x1="{AXIS_X}" y1="{base}" x2="{WIDTH}" y2="{base}"/>'
    )
    parts.append(
        f'<text x="{AXIS_X - 4}" y="{top + 14}" text-anchor="end">'
        f"{escape(_fmt(peak))}</text>"
    )
    below = [0.0] * len(labels)
    for index, item in enumerate(stacked):
        upper = [below[i] + item.values[i] for i in range(len(labels))]
        points = [
            f"{AXIS_X + 4 + i * step:.1f},{base - upper[i] * scale:.1f}"
            for i in range(len(labels))
        ]
        points += [
            f"{AXIS_X + 4 + i * step:.1f},{base - below[i] * scale:.1f}"
            for i in reversed(range(len(labels)))
        ]
        parts.append(f'<polygon class="s{index}" points="{" ".join(points)}"/>')
        below = upper
    if line:
        points = " ".join(
            f"{AXIS_X + 4 + i * step:.1f},{base - v * scale:.1f}"
            for i, v in enumerate(line.values)
        )
        parts.append(
            f'<polyline class="line s{len(stacked)}" fill="none" points="{points}"/>'
        )
    widest = max([text_width(label) for label in labels] or [0]) + 8
    every = max(1, len(labels) // 8, int(widest // step) + 1)
    for i in range(0, len(labels), every):
        parts.append(
            f'<text x="{AXIS_X + 4 + i * step:.1f}" y="{base + 18}">'
            f"{escape(labels[i])}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text part is escaped


def range_svg(
    categories: Sequence[str],
    ranges: Sequence[tuple[float, float, float] | None],
    title: str,
) -> SafeString:
    """Per category a line from minimum to maximum with a mark at the median."""
    labels = [wrap(category) for category in categories]
    heights = [max(ROW_HEIGHT, len(lines) * LINE_HEIGHT + 6) for lines in labels]
    height = sum(heights) + PAD
    peak = max([r[2] for r in ranges if r] or [1]) or 1
    span = WIDTH - LABEL_WIDTH - 60
    parts = _open(height, title)
    top = 0.0
    for row, values in enumerate(ranges):
        y = top + heights[row] / 2
        top += heights[row]
        parts.append(_label(labels[row], LABEL_WIDTH - 6, y))
        if values is None:
            continue
        low, median, high = (LABEL_WIDTH + span * v / peak for v in values)
        parts.append(
            f'<line class="range" x1="{low:.1f}" y1="{y}" x2="{high:.1f}" y2="{y}"/>'
            f'<circle class="s0" cx="{median:.1f}" cy="{y}" r="5"/>'
            f'<text x="{high + 6:.1f}" y="{y + 4}">{escape(_fmt(values[1]))}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text part is escaped
