"""What a seat page's week change re-renders: the parts that changed, not the whole page (docs/classroom.md, Speed)."""

from __future__ import annotations

import reacton.core

from chaingame.ui import seatinfo

from .test_pages import join, order


def test_a_week_change_skips_the_parts_that_stay_the_same(classroom, tabs):
    t = classroom.create_session("classic", teams=1, weeks=4)
    seats = [join(tabs, t.code, name) for name in ("Ann", "Bob", "Cy", "Di")]
    classroom.start(t.code, t.host_key)
    for tab in seats:
        tab.wait(lambda tab=tab: tab.button("Submit order"), "week 1's order form")
    ann = seats[0]
    assert isinstance(ann.rc, reacton.core._RenderContextFast), "the page renders with reacton's fast renderer"
    chain_map, history = ann.text("chain-map"), ann.text("history")
    maps = seatinfo.ChainMap.render_count  # every page's renders of the chain diagram, counted by reacton
    for tab in seats:
        order(tab)
    for tab in seats:
        tab.wait_text("week", "week 2 of 4")
    assert ann.text("history") != history and ann.text("chain-map") == chain_map  # the week's row is there
    assert seatinfo.ChainMap.render_count == maps, "a new week re-ran the chain diagram, whose rules did not change"
    assert ann.buttons() == ["Submit order"] and not ann.has("error")
