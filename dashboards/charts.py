"""Server-rendered SVG charts, each paired with the table of its numbers.

Charts work without JavaScript and without external files. The SVG is a
picture of the table next to it; screen readers get the table (the SVG has a
title pointing to it), so no number exists only as a shape.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any

from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
ROW_HEIGHT = 22
LABEL_WIDTH = 210
PAD = 8


@dataclass
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


def _short(label: str, size: int = 34) -> str:
    return label if len(label) <= size else label[: size - 1] + "…"


def _open(height: float, title: str, width: float = WIDTH) -> list[str]:
    return [
        f'<svg class="chart" viewBox="0 0 {width:g} {height:g}" '
        f'width="100%" role="img" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]


def _legend(series: Sequence[Series], y: float) -> list[str]:
    parts = []
    x = LABEL_WIDTH
    for index, item in enumerate(series):
        parts.append(
            f'<rect class="s{index}" x="{x}" y="{y}" width="10" height="10"/>'
            f'<text x="{x + 14}" y="{y + 9}">{escape(item.label)}</text>'
        )
        x += 24 + 7 * len(item.label)
    return parts


def hbar_svg(
    categories: Sequence[str], series: Sequence[Series], title: str
) -> SafeString:
    """Horizontal bars, one group per category and one bar per series."""
    top = ROW_HEIGHT if len(series) > 1 else 0
    group = ROW_HEIGHT * max(1, len(series)) * 0.8 + 6
    height = top + group * len(categories) + PAD
    peak = max([v for s in series for v in s.values] or [0]) or 1
    span = WIDTH - LABEL_WIDTH - 60
    parts = _open(height, title)
    if len(series) > 1:
        parts += _legend(series, 2)
    bar = (group - 6) / max(1, len(series))
    for row, category in enumerate(categories):
        y = top + row * group
        parts.append(
            f'<text class="label" x="{LABEL_WIDTH - 6}" y="{y + group / 2}" '
            f'text-anchor="end">{escape(_short(category))}</text>'
        )
        for index, item in enumerate(series):
            value = item.values[row]
            length = span * value / peak
            by = y + index * bar
            parts.append(
                f'<rect class="s{index}" x="{LABEL_WIDTH}" y="{by:.1f}" '
                f'width="{length:.1f}" height="{bar - 2:.1f}"/>'
                f'<text x="{LABEL_WIDTH + length + 4:.1f}" '
                f'y="{by + bar / 2 + 3:.1f}">{escape(_fmt(value))}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text part is escaped


def columns_svg(
    categories: Sequence[str], series: Sequence[Series], title: str
) -> SafeString:
    """Vertical grouped columns (months on the x axis)."""
    height = 220
    base = height - 40
    plot = WIDTH - 40
    slot = plot / max(1, len(categories))
    bar = max(1.0, (slot - 4) / max(1, len(series)))
    peak = max([v for s in series for v in s.values] or [0]) or 1
    parts = _open(height, title)
    parts += _legend(series, 2)
    parts.append(f'<line class="axis" x1="30" y1="{base}" x2="{WIDTH}" y2="{base}"/>')
    parts.append(f'<text x="26" y="30" text-anchor="end">{escape(_fmt(peak))}</text>')
    every = max(1, len(categories) // 12)
    for col, category in enumerate(categories):
        x = 34 + col * slot
        for index, item in enumerate(series):
            tall = (base - 24) * item.values[col] / peak
            parts.append(
                f'<rect class="s{index}" x="{x + index * bar:.1f}" '
                f'y="{base - tall:.1f}" width="{bar - 1:.1f}" height="{tall:.1f}"/>'
            )
        if col % every == 0:
            parts.append(
                f'<text x="{x + slot / 2:.1f}" y="{base + 14}" '
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
    height = 220
    base = height - 40
    count = max(1, len(labels))
    step = (WIDTH - 40) / count
    totals = [sum(s.values[i] for s in stacked) for i in range(len(labels))]
    peak = max([*totals, *(line.values if line else []), 1])
    scale = (base - 24) / peak
    legend = [*stacked, *([line] if line else [])]
    parts = _open(height, title)
    parts += _legend(legend, 2)
    parts.append(f'<line class="axis" x1="30" y1="{base}" x2="{WIDTH}" y2="{base}"/>')
    parts.append(f'<text x="26" y="30" text-anchor="end">{escape(_fmt(peak))}</text>')
    below = [0.0] * len(labels)
    for index, item in enumerate(stacked):
        upper = [below[i] + item.values[i] for i in range(len(labels))]
        points = [
            f"{34 + i * step:.1f},{base - upper[i] * scale:.1f}"
            for i in range(len(labels))
        ]
        points += [
            f"{34 + i * step:.1f},{base - below[i] * scale:.1f}"
            for i in reversed(range(len(labels)))
        ]
        parts.append(f'<polygon class="s{index}" points="{" ".join(points)}"/>')
        below = upper
    if line:
        points = " ".join(
            f"{34 + i * step:.1f},{base - v * scale:.1f}"
            for i, v in enumerate(line.values)
        )
        parts.append(
            f'<polyline class="line s{len(stacked)}" fill="none" points="{points}"/>'
        )
    every = max(1, len(labels) // 8)
    for i in range(0, len(labels), every):
        parts.append(
            f'<text x="{34 + i * step:.1f}" y="{base + 14}">{escape(labels[i])}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text part is escaped


def range_svg(
    categories: Sequence[str],
    ranges: Sequence[tuple[float, float, float] | None],
    title: str,
) -> SafeString:
    """Per category a line from minimum to maximum with a mark at the median."""
    height = ROW_HEIGHT * len(categories) + 30
    peak = max([r[2] for r in ranges if r] or [1]) or 1
    span = WIDTH - LABEL_WIDTH - 60
    parts = _open(height, title)
    for row, (category, values) in enumerate(zip(categories, ranges, strict=True)):
        y = row * ROW_HEIGHT + ROW_HEIGHT / 2
        parts.append(
            f'<text class="label" x="{LABEL_WIDTH - 6}" y="{y + 4}" '
            f'text-anchor="end">{escape(_short(category))}</text>'
        )
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
