"""Issue 13 audit (items 1 and 4 together): the longest texts a class can put on a phone fit it.

A host's message holding a link (one "word" of 285 characters), a session title of 120 characters
without a space and a player's name of 40: each made the player's page wider than the phone (2,205
and 1,171 px at 360 px for the first two) before ``overflow-wrap`` on the page's main column; the
join page and the debrief too (1,664 px). Checked on the player's page with the week open, the join
page in the lobby and the debrief, at 360x640 and 375x812.
"""

from __future__ import annotations

import json

import pytest

from chaingame.classroom import Classroom
from chaingame.ui.player import SEAT_KEY

from .conftest import PORT_ATTEMPTS, Server
from .test_class_game import WAIT
from .test_phone import Screen

LINK = "https://forms.example.org/beer-game/feedback?" + "q" * 240  # 285 characters, no space
TITLE = "T" * 120  # the longest title a session may have
NAME = "W" * 40  # the longest name a player may give, in the widest letter


@pytest.fixture(scope="module")
def texts(tmp_path_factory):
    folder = tmp_path_factory.mktemp("long")
    db = folder / "classroom.sqlite3"
    classroom = Classroom(db)
    seats, codes = {}, {}
    for case, title, name in (("message", "Class", "Ann"), ("title", TITLE, "Ann"), ("name", "Class", NAME)):
        ticket = classroom.create_session("classic", title=title, timer_seconds=600)
        seats[case] = classroom.join(ticket.code, name)
        classroom.start(ticket.code, ticket.host_key)
        codes[case] = ticket
    classroom.message(codes["message"].code, codes["message"].host_key, f"Please fill in {LINK}")
    lobby = classroom.create_session("classic", title=TITLE)
    ended = classroom.create_session("classic", title=TITLE)
    seats["ended"] = classroom.join(ended.code, NAME)
    classroom.start(ended.code, ended.host_key)
    classroom.end(ended.code, ended.host_key)
    classroom.close()
    server = Server(db, folder / "server.log")
    server.start(attempts=PORT_ATTEMPTS)
    yield server, seats, lobby.code, ended.code
    server.stop()


def holding(screen: Screen, token: str) -> Screen:
    screen.context.add_init_script(f"window.localStorage.setItem({json.dumps(SEAT_KEY)}, {json.dumps(token)});")
    return screen


@pytest.mark.parametrize(("width", "height"), [(360, 640), (375, 812)], ids=["360x640", "375x812"])
@pytest.mark.parametrize("case", ["message", "title", "name"])
def test_a_long_message_title_or_name_fits_the_players_phone(texts, browser, case, width, height):
    server, seats, _, _ = texts
    screen = holding(Screen(browser, width, height, True, case), seats[case].token)
    try:
        page = screen.page
        page.goto(f"{server.url}/")
        page.get_by_label("Order (units)").wait_for(timeout=WAIT)
        if case == "message":
            assert LINK in page.get_by_test_id("host-message").inner_text()  # whole, only wrapped
        assert screen.check(f"long {case}", week_open=True) == []
    finally:
        screen.close()


@pytest.mark.parametrize(("width", "height"), [(360, 640), (375, 812)], ids=["360x640", "375x812"])
def test_a_long_title_fits_the_join_page_and_the_debrief(texts, browser, width, height):
    server, seats, lobby, ended = texts
    screen = holding(Screen(browser, width, height, True, "join"), seats["ended"].token)
    try:
        page = screen.page
        page.goto(f"{server.url}/debrief?code={ended}")
        page.get_by_text(TITLE[:40]).first.wait_for(timeout=WAIT)
        assert screen.check("debrief, long title and name") == []
        join = Screen(browser, width, height, True, "lobby")
        try:
            join.page.goto(f"{server.url}/?code={lobby}")
            join.page.get_by_text(TITLE[:40]).first.wait_for(timeout=WAIT)
            assert join.check("join page, long title") == []
        finally:
            join.close()
    finally:
        screen.close()
