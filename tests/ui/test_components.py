"""The shared pieces of the pages that lay out for a phone: compact tables and the seat's chart."""

from __future__ import annotations

import re

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
