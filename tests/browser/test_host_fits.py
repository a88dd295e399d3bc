"""The host pages as a new teacher sees them, in Chromium against `chaingame play` (issue 13 items 4 and 10).

At a phone's widths and a laptop's: no field label, hint or button label cut, the document no wider
than the screen, each team's seats whole inside its card; an ended session says where each team
stopped; what silo / pos / full mean sits under the field that chooses one; the listed sessions look
like links and are big enough to tap. The case is the lead's: a session reopened for 3 more weeks and
ended with a player who never ordered, beside a session in its lobby.
"""

from __future__ import annotations

import json

import pytest

from chaingame.classroom import Classroom
from chaingame.ui.browser import HOST_KEY

from .conftest import PORT_ATTEMPTS, WAIT, Server

DEVICES = {"360x640": {"viewport": {"width": 360, "height": 640}, "is_mobile": True, "has_touch": True},
           "375x812": {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True},
           "1280x900": {"viewport": {"width": 1280, "height": 900}}}
TOUCH = 44  # px: the smallest touch target on a phone (WCAG 2.2, 2.5.5)
SHOWN = ".v-label, .v-field-label, .v-select__selection-text, .v-messages__message, .v-btn__content"
CUT = f"""() => [...document.querySelectorAll('{SHOWN}')]
  .filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1)
  .map(e => `${{e.textContent.trim()}} (${{e.scrollWidth}} > ${{e.clientWidth}} px)`)"""
OUTSIDE = """() => [...document.querySelectorAll('.v-btn')].filter(b => b.offsetParent !== null).filter(b => {
  const c = b.querySelector('.v-btn__content').getBoundingClientRect(), o = b.getBoundingClientRect();
  const card = (b.closest('.v-card') || document.body).getBoundingClientRect();
  return c.left < o.left - 1 || c.right > o.right + 1 || o.left < card.left - 1 || o.right > card.right + 1;
}).map(b => b.textContent.trim())"""
TABLES = """() => [...document.querySelectorAll('[data-testid$="-seats"]')]
  .filter(s => s.scrollWidth > s.clientWidth + 1 || s.getBoundingClientRect().right
                > s.closest('.v-card').getBoundingClientRect().right)
  .map(s => `${s.dataset.testid}: ${s.scrollWidth} > ${s.clientWidth} px`)"""


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    """The server on a database holding the lead's two sessions; yields (server, ended, lobby, host keys)."""
    d = tmp_path_factory.mktemp("hostfits")
    room = Classroom(d / "classroom.sqlite3")
    ended = room.create_session("classic", teams=2, weeks=5, title="Monday group")
    lobby = room.create_session("classic", teams=1, title="Tuesday")
    room.join(ended.code, "Ann", team=1, firm="retailer")
    room.start(ended.code, ended.host_key)
    room.end(ended.code, ended.host_key)
    room.reopen(ended.code, ended.host_key, more_weeks=3)
    room.end(ended.code, ended.host_key)
    room.close()
    server = Server(d / "classroom.sqlite3", d / "server.log")
    server.start(attempts=PORT_ATTEMPTS)
    yield server, ended.code, lobby.code, {ended.code: ended.host_key, lobby.code: lobby.host_key}
    server.stop()


def host_page(browser, device: dict, keys: dict):
    context = browser.new_context(**device)
    context.add_init_script(f"window.localStorage.setItem({json.dumps(HOST_KEY)}, {json.dumps(json.dumps(keys))});")
    return context, context.new_page()


def fits(page, width: int, where: str):
    """Nothing cut, no button outside its box, the document no wider than the screen."""
    assert page.evaluate(CUT) == [], where
    assert page.evaluate(OUTSIDE) == [], where
    assert page.evaluate("document.documentElement.scrollWidth") <= width, where


@pytest.mark.parametrize("device", list(DEVICES), ids=list(DEVICES))
def test_the_host_pages_fit_and_an_ended_session_says_where_each_team_stopped(case, browser, device):
    server, ended, lobby, keys = case
    width = DEVICES[device]["viewport"]["width"]
    context, page = host_page(browser, DEVICES[device], keys)

    page.goto(f"{server.url}/host")  # the create form and the list of sessions
    links = page.get_by_test_id("sessions").locator("a")
    links.nth(1).wait_for(timeout=WAIT)
    fits(page, width, "the create form")
    for i in range(links.count()):
        style = links.nth(i).evaluate("a => [getComputedStyle(a).color, getComputedStyle(a).textDecorationLine]")
        assert style[0] not in ("rgb(0, 0, 0)", "rgba(0, 0, 0, 0.87)") and "underline" in style[1], style
        if width < 600:
            assert links.nth(i).bounding_box()["height"] >= TOUCH
    assert "0 players" in page.get_by_test_id("sessions").inner_text()
    select = page.locator(".v-select", has=page.get_by_label("Information", exact=True)).bounding_box()
    help_box = page.get_by_test_id("information-help").bounding_box()
    timer = page.get_by_label("Timer, seconds per week (empty: none)").bounding_box()
    assert 0 <= help_box["y"] - (select["y"] + select["height"]) <= 30, (select, help_box)  # right under it
    assert timer["y"] < select["y"]  # no other field between the select and what it means
    scenario = page.locator(".v-select", has=page.get_by_label("Scenario", exact=True)).bounding_box()
    description = page.get_by_test_id("scenario-description").bounding_box()
    assert 0 <= description["y"] - (scenario["y"] + scenario["height"]) <= 30, (scenario, description)

    page.goto(f"{server.url}/host?code={ended}")  # the ended session, reopened once
    page.get_by_test_id("team-2-week").wait_for(timeout=WAIT)
    page.get_by_role("button", name="Start round 2").wait_for(timeout=WAIT)
    fits(page, width, "the ended dashboard")
    assert page.evaluate(TABLES) == []  # each team's seats whole inside its card
    assert page.get_by_test_id("team-1-week").inner_text() == "ended at week 1 of 8"
    assert page.get_by_test_id("team-2-week").inner_text() == "done"
    cards = page.locator(".v-card", has=page.get_by_test_id("team-1-seats")).inner_text()
    assert "waiting" not in cards and "nobody" not in cards and "no order" in cards, cards
    assert "1 player joined · 0 free seats" in page.get_by_test_id("status").inner_text()
    page.get_by_role("button", name="one line per team").click()
    row = page.locator('[data-testid=teams-table] tr[data-team="1"]')
    row.wait_for(timeout=WAIT)
    assert [c.strip() for c in row.locator("td").all_inner_texts()][1::2] == ["ended at week 1 of 8", "-"]
    page.get_by_role("button", name="Duplicate this session").click()
    page.get_by_test_id("copy-plan").filter(has_text="2 teams").wait_for(timeout=WAIT)
    fits(page, width, "the copy's plan")

    page.goto(f"{server.url}/host?code={lobby}")  # a session in its lobby: the choice of free seats fits too
    page.get_by_role("button", name="Start", exact=True).wait_for(timeout=WAIT)
    fits(page, width, "the lobby")
    assert page.get_by_test_id("team-1-week").inner_text() == "not started"
    assert page.evaluate(TABLES) == []

    page.goto(f"{server.url}/projector?code={ended}")  # the projector, opened on the same screen
    page.locator("[data-testid=projector-qr] svg").wait_for(timeout=WAIT)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.get_by_test_id("projector-qr").bounding_box()["width"] <= width
    assert "ended at week 1 of 8" in page.get_by_test_id("projector-status").inner_text()
    assert "ended at week 1 of 8" in page.get_by_test_id("team-1-progress").inner_text()
    context.close()
