"""The shared pieces of the pages that lay out for a phone: compact tables and the seat's chart."""

from __future__ import annotations

import re

import pytest

from chaingame.ui.charts import svg_lines
from chaingame.ui.components import key_html, table_html


def test_a_compact_table_shows_each_short_heading_with_its_full_name():
    columns = ["week", "supply line", "cost"]
    html = table_html(columns, [(1, 16, "$6.00")], short={"week": "wk", "supply line": "line"})
    heads = re.findall(r"<th class=\"[^\"]*\">(.*?)</th>", html)
    assert heads[0] == '<span class="cg-long">week</span><abbr class="cg-short" title="week">wk</abbr>'
    assert heads[1] == '<span class="cg-long">supply line</span><abbr class="cg-short" title="supply line">line</abbr>'
    assert heads[2] == "cost"  # no abbreviation: the name itself, on every screen
    assert key_html(columns, {"week": "wk", "supply line": "line", "cost": "cost"}) == (
        '<p class="cg-key">wk week · line supply line</p>')
    assert key_html(columns, {}) == ""


def test_a_heading_is_escaped_in_both_forms():
    html = table_html(["a<b"], [], short={"a<b": "<"})
    assert "<b" not in html.replace("<b>", "") and 'title="a&lt;b"' in html and ">&lt;</abbr>" in html


def legend_rows(svg: str) -> set[str]:
    return set(re.findall(r'<rect x="[\d.]+" y="([\d.]+)" width="10" height="10"', svg))


def test_the_seats_chart_scales_to_its_box_and_wraps_its_legend():
    series = {"incoming orders": [4, 8], "your orders": [4, 9], "inventory": [12, 4], "backlog": [0, 0]}
    narrow = svg_lines([1, 2], series, width=360, height=220, max_width=460)
    assert 'viewBox="0 0 360 220"' in narrow and "width: 100%; max-width: 460px; height: auto" in narrow
    assert len(legend_rows(narrow)) == 2  # 430 px of legend do not fit 360 px: a second row
    wide = svg_lines([1, 2], series, width=520, height=220)
    assert len(legend_rows(wide)) == 1 and "max-width: 520px" in wide
    for svg, canvas in ((narrow, 360), (wide, 520)):  # every legend entry ends inside the canvas
        entries = re.findall(r'<rect x="([\d.]+)" y="[\d.]+" width="10" height="10" fill="[^"]+"/>'
                             r'<text [^>]*>([^<]+)<', svg)
        assert len(entries) == 4 and all(float(x) + 14 + 7 * len(name) <= canvas for x, name in entries), entries


def test_the_seats_chart_draws_its_lines_in_the_datas_units_placed_by_one_transform():
    from chaingame.ui import charts

    series = {"orders": [4.0, 8.0, None, 2.5], "backlog": [0.0, -2.0, 3.0, float("nan")]}
    svg = svg_lines([1, 2, 3, 4], series, width=360, height=220)
    a, b, c, d, e, f = map(float, re.search(r'<g transform="matrix\(([^)]*)\)">', svg).group(1).split())
    assert b == c == 0
    lines = re.findall(r'<polyline [^>]*vector-effect="non-scaling-stroke" points="([^"]*)"/>', svg)
    assert lines == ["1,4 2,8 4,2.5", "1,0 2,-2 3,3"]  # the missing and the non-finite values left out
    top, bottom = 8 + 16, 220 - 26  # one legend row; the axis of ticks below
    near = dict(abs=0.05)  # as close as the pixel coordinates to a tenth of a pixel before
    assert (a * 1 + e, a * 4 + e) == pytest.approx((40, 350), **near)  # the first and last week at the edges
    assert (d * 8 + f, d * -2 + f) == pytest.approx((top, bottom), **near)  # the highest value at the top
    week5 = {name: [*ys, 1.0] for name, ys in series.items()}
    hits = charts._points.cache_info().hits
    svg_lines([1, 2, 3, 4, 5], week5, width=360, height=220)
    assert charts._points.cache_info().hits == hits + 2  # each line's weeks 1-4 were kept from the week before
