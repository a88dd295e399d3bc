"""The player's "Open the debrief" looks like a link (Vuetify's reset makes a bare <a> black) and opens it."""

from __future__ import annotations

import re

from chaingame.classroom import Classroom

from .conftest import PORT_ATTEMPTS, Server
from .test_class_game import WAIT, Offline, new_page

STYLE = """e => { const s = getComputedStyle(e), body = getComputedStyle(document.body);
  return [s.color, body.color, s.textDecorationLine, e.getBoundingClientRect().height]; }"""


def test_the_debrief_link_is_styled_as_a_link_and_opens_the_debrief(tmp_path, browser):
    db = tmp_path / "classroom.sqlite3"
    room = Classroom(db)  # the game is played through the service, on the file the server then opens
    t = room.create_session("classic", teams=1, weeks=4)
    ann = room.join(t.code, "Ann")
    room.start(t.code, t.host_key)
    for week in range(1, 5):
        room.submit(ann.token, week, room.seat_view(ann.token).fixed_order or 4)
    assert room.progress(t.code)[1] == "ended"
    room.close()
    server = Server(db, tmp_path / "server.log")
    server.start(attempts=PORT_ATTEMPTS)
    try:
        page = new_page(browser, Offline())
        page.context.add_init_script(f"window.localStorage.setItem('chaingame.seat', {ann.token!r})")  # her phone
        page.goto(f"{server.url}/?code={t.code}")
        link = page.get_by_role("link", name="Open the debrief")
        link.wait_for(timeout=WAIT)
        color, text, decoration, height = link.evaluate(STYLE)
        red, green, blue = (int(x) for x in re.findall(r"\d+", color)[:3])
        assert blue > red + 60 and color != text and "underline" in decoration, (color, text, decoration)  # blue
        assert height >= 36  # an easy target on a phone
        link.click()
        page.get_by_test_id("chart-orders").wait_for(timeout=WAIT)
        assert page.url == f"{server.url}/debrief?code={t.code}"
    finally:
        server.stop()
