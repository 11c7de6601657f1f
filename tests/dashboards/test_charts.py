"""Chart labels are readable: at least 12 px, whole (wrapped, never cut off)
and inside the picture, on every chart of a dashboard."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from dashboards import charts
from tests.dashboards.builders import intake_round, site_with_three_stays
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

SVG = re.compile(r"<svg class=\"chart\"[^>]*>.*?</svg>", re.S)
PIECE = re.compile(
    r'<(?:text|tspan)(?=[^>]*\bx="([\d.-]+)")(?=[^>]*\by="([\d.-]+)")[^>]*>([^<]*)<'
)


def _pieces(svg: str):
    """(x, y, text, anchor) of every piece of text drawn."""
    found = []
    for element in re.finditer(r"<text([^>]*)>(.*?)</text>", svg, re.S):
        attributes, inner = element.groups()
        anchor = re.search(r'text-anchor="(\w+)"', attributes)
        anchor = anchor.group(1) if anchor else "start"
        for x, y, text in PIECE.findall(f"<text{attributes}>{inner}<"):
            if text:
                found.append((float(x), float(y), text, anchor))
    return found


def _extent(x: float, text: str, anchor: str) -> tuple[float, float]:
    width = charts.text_width(text)
    if anchor == "end":
        return x - width, x
    if anchor == "middle":
        return x - width / 2, x + width / 2
    return x, x + width


def test_chart_text_is_at_least_12_px_and_not_scaled_down():
    css = (Path(settings.BASE_DIR) / "static/dashboards/dashboards.css").read_text()
    rule = re.search(r"svg\.chart \{([^}]*)\}", css).group(1)
    assert int(re.search(r"font-size:\s*(\d+)px", rule).group(1)) >= 12
    assert "max-width: none" in rule
    assert charts.FONT_PX >= 12


def test_every_chart_label_is_whole_and_inside_its_picture(client):
    site, _stays = site_with_three_stays()
    intake_round(site)
    client.force_login(user_with_role("project_leader", site))
    body = client.get(
        reverse("dashboards:site_dashboard", args=[site.code]),
        {"start": "2024-01-01", "end": "2024-03-31"},
    ).content.decode()
    svgs = SVG.findall(body)
    assert len(svgs) >= 5
    for svg in svgs:
        width = float(re.search(r'width="([\d.]+)"', svg).group(1))
        height = float(re.search(r'height="([\d.]+)"', svg).group(1))
        assert f'viewBox="0 0 {width:g} {height:g}"' in svg
        for x, y, text, anchor in _pieces(svg):
            assert "…" not in text
            left, right = _extent(x, text, anchor)
            assert left >= 0, (text, left)
            assert right <= width, (text, right, width)
            assert 0 < y <= height, (text, y, height)


def test_long_labels_wrap_onto_lines_that_fit():
    long_label = (
        "Toestemmingsverklaring werkgever en informatie-uitwisseling met de "
        "reclassering (alle locaties)"
    )
    svg = charts.hbar_svg([long_label, "kort"], [charts.Series("n", [3, 1])], "t")
    pieces = _pieces(svg)
    words = " ".join(text for _x, _y, text, _a in pieces if text not in ("3", "1"))
    assert words == f"{long_label} kort"
    assert len({y for _x, y, _t, _a in pieces}) > 3
    for x, _y, text, anchor in pieces:
        left, right = _extent(x, text, anchor)
        assert left >= 0
        assert right <= charts.WIDTH
