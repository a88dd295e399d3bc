"""Issue 13: an open /host tab's list of sessions stays current, in Chromium against `chaingame play`.

Two tabs of one browser (one Playwright context: they share its storage, as a teacher's tabs do; two
contexts would be two browsers, holding each other's host keys no more than two teachers do). The
first tab shows the list; the second creates a session through the form; a phone joins the first
session through the real join page; the second tab ends it. The first tab is never reloaded.
"""

from __future__ import annotations

import json
import time

from chaingame.classroom import Classroom
from chaingame.ui.browser import HOST_KEY

from .conftest import PORT_ATTEMPTS, WAIT, Server

WITHIN = 8.0  # s for the list to show a change: a few seconds (the list is read every 3 s)
PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True}


def shown_within(page, text: str, seconds: float = WITHIN) -> float:
    """Wait until the list of sessions holds ``text``; how long it took (s), failing after ``seconds``."""
    start = time.monotonic()
    page.get_by_test_id("sessions").filter(has_text=text).wait_for(timeout=seconds * 1000)
    return time.monotonic() - start


def test_an_open_list_shows_another_tabs_session_new_players_and_an_end(tmp_path, browser):
    db = tmp_path / "classroom.sqlite3"
    classroom = Classroom(db)
    first = classroom.create_session("classic", title="Monday class")
    classroom.close()
    server = Server(db, tmp_path / "server.log")
    server.start(attempts=PORT_ATTEMPTS)
    try:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        keys = json.dumps({first.code: first.host_key})
        context.add_init_script(f"window.localStorage.getItem({json.dumps(HOST_KEY)}) === null && "
                                f"window.localStorage.setItem({json.dumps(HOST_KEY)}, {json.dumps(keys)});")
        lister = context.new_page()
        lister.goto(f"{server.url}/host")
        row = lister.get_by_test_id("sessions").locator("li")
        row.filter(has_text="Monday class").filter(has_text="lobby · 0 players").wait_for(timeout=WAIT)
        assert row.count() == 1

        maker = context.new_page()  # another tab of the same browser creates a session
        maker.goto(f"{server.url}/host")
        maker.get_by_label("Title (shown to players)").fill("Tuesday class")
        maker.get_by_role("button", name="Create session").click()
        maker.get_by_test_id("join-code").wait_for(timeout=WAIT)
        second = maker.get_by_test_id("join-code").inner_text().strip()
        took = shown_within(lister, "Tuesday class")
        assert second in lister.get_by_test_id("sessions").inner_text()
        assert row.count() == 2

        phone = browser.new_page(**PHONE)  # a student joins the first session
        phone.goto(f"{server.url}/?code={first.code}")
        phone.get_by_label("Your name").fill("Ann")
        phone.get_by_role("button", name="Join", exact=True).click()
        phone.get_by_test_id("seat").wait_for(timeout=WAIT)
        row.filter(has_text="Monday class").filter(has_text="1 player").wait_for(timeout=WITHIN * 1000)

        maker.goto(f"{server.url}/host?code={first.code}")  # the host's other tab closes the first session (a lobby)
        maker.get_by_role("button", name="Close session").click()
        maker.get_by_role("button", name="Yes, close it").click()
        maker.get_by_test_id("status").filter(has_text="ended").wait_for(timeout=WAIT)
        row.filter(has_text="Monday class").filter(has_text="ended").wait_for(timeout=WITHIN * 1000)
        assert "lobby" in row.filter(has_text="Tuesday class").inner_text()
        assert took < WITHIN
        phone.close()
        context.close()
    finally:
        server.stop()
