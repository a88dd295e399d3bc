"""Issue 13 items 3 and 4 audited from outside: the projector and the host page in cases their tests do not try.

The projector opened in the very browser that keeps the host key (its storage holds it): the key is
in no HTTP response, websocket frame, cookie, session storage or address of the projected page, and
the QR code holds exactly the join link. At 1280x720 and 1920x1080, with 40 teams and a long title,
the QR code is at least a third of the screen's height and fully in view, the code large. It
follows the class live: a join, a release the host confirms (and a release the host cancels, which
changes nothing), and, under a hidden horizon, never shows how many weeks the game has.
"""

from __future__ import annotations

import io
import json
import re
import sqlite3

import pytest
import segno

from chaingame.classroom import Classroom
from chaingame.ui.browser import HOST_KEY
from chaingame.ui.player import SEAT_KEY

from .conftest import PORT_ATTEMPTS, Server, free_orders_scenario
from .test_projector import Frames, assert_big

WAIT = 30_000  # ms
TITLE = "Operations Management 101 — Tuesday morning section, the beer game, first round"  # 80 characters
WEEKS = 6


@pytest.fixture(scope="module")
def game(tmp_path_factory):
    """A 40-team session in the lobby, created through the service; the server on its database."""
    tmp = tmp_path_factory.mktemp("projector")
    db = tmp / "classroom.sqlite3"
    classroom = Classroom(db)
    ticket = classroom.create_session("classic", teams=40, weeks=WEEKS, title=TITLE, hide_horizon=True)
    classroom.close()
    server = Server(db, tmp / "server.log")
    server.start(attempts=PORT_ATTEMPTS)
    yield server, ticket
    server.stop()


def host_context(browser, server, ticket, **device):
    """A browser context that keeps the host key, as the teacher's browser does after creating the session."""
    context = browser.new_context(**device)
    keys = json.dumps({ticket.code: ticket.host_key})
    context.add_init_script(f"window.localStorage.setItem({json.dumps(HOST_KEY)}, {json.dumps(keys)});")
    return context


def qr_path(svg: str) -> str:
    return re.search(r'<path[^>]* d="([^"]+)"', svg).group(1)


@pytest.mark.parametrize("width, height", [(1280, 720), (1920, 1080)])
def test_the_projector_in_the_hosts_own_browser_holds_no_key_and_its_qr_is_the_join_link(game, browser, width,
                                                                                          height):
    server, ticket = game
    context = host_context(browser, server, ticket, viewport={"width": width, "height": height})
    bodies: list[str] = []
    frames = Frames()
    page = context.new_page()
    page.on("response", lambda r: bodies.append(r.url + "\n" + (r.text() if r.ok and r.status != 204 else "")))
    frames.watch(page)
    page.goto(f"{server.url}/projector?code={ticket.code.lower()}")
    page.get_by_test_id("projector-code").filter(has_text=ticket.code).wait_for(timeout=WAIT)
    page.locator("[data-testid=projector-qr] svg").wait_for(timeout=WAIT)
    page.get_by_test_id("team-40-progress").wait_for(timeout=WAIT)
    assert page.evaluate(f"window.localStorage.getItem({json.dumps(HOST_KEY)})").find(ticket.host_key) > 0
    key = ticket.host_key  # in this browser's storage (the host page's), so nowhere on the projected page:
    assert bodies and all(key not in b for b in bodies), [b[:80] for b in bodies if key in b]
    assert frames.received and not [f for f in frames.received + frames.sent if key in f]
    assert key not in page.content() and key not in page.url
    assert key not in page.evaluate("document.cookie + JSON.stringify(Object.entries(sessionStorage))")
    assert all(key not in f.url and key not in f.content() for f in page.frames)
    join = f"{server.url}/?code={ticket.code}"
    assert page.get_by_test_id("projector-link").inner_text() == f"Join at {join}"
    svg = page.locator("[data-testid=projector-qr]").inner_html()
    buf = io.BytesIO()
    segno.make(join, error="m").save(buf, kind="svg", xmldecl=False, svgns=True, omitsize=True, border=4)
    assert qr_path(svg) == qr_path(buf.getvalue().decode())  # the QR code encodes the join link, nothing else
    assert_big(page, width, height)  # a long title and 40 teams below push nothing off the first screen
    assert "of 6" not in page.locator("body").inner_text()
    context.close()


def test_the_projector_follows_a_join_and_a_confirmed_release_but_not_a_cancelled_one(game, browser):
    server, ticket = game
    screen = browser.new_page(viewport={"width": 1280, "height": 720})
    screen.goto(f"{server.url}/projector?code={ticket.code}")
    tile = screen.get_by_test_id("team-1-progress")
    tile.filter(has_text="0 of 4 seats taken").wait_for(timeout=WAIT)

    player = browser.new_page(viewport={"width": 375, "height": 812})
    player.goto(f"{server.url}/?code={ticket.code}")
    player.get_by_label("Your name").fill("Ann")
    player.get_by_role("button", name="Join", exact=True).click()
    player.get_by_test_id("week").wait_for(timeout=WAIT)
    tile.filter(has_text="1 of 4 seats taken").wait_for(timeout=WAIT)
    assert "1 player joined" in screen.get_by_test_id("projector-status").inner_text()

    context = host_context(browser, server, ticket, viewport={"width": 1280, "height": 900})
    host = context.new_page()
    host.goto(f"{server.url}/host?code={ticket.code}")
    host.get_by_test_id("teams-table").wait_for(timeout=WAIT)
    host.locator(".v-select", has_text="Show one team's seats and actions").click()
    host.get_by_role("option", name="Team 1", exact=True).click()
    host.get_by_role("button", name="release Ann").click()
    host.get_by_test_id("confirm").filter(has_text="Release Ann?").wait_for(timeout=WAIT)
    host.get_by_role("button", name="Cancel").click()
    host.get_by_role("button", name="release Ann").wait_for(timeout=WAIT)
    host.wait_for_timeout(1000)  # a release would have reached the database and the projector by now
    assert seat_player(server.db, ticket.code) == "Ann"
    assert "1 of 4 seats taken" in tile.inner_text()
    host.get_by_role("button", name="release Ann").click()
    host.get_by_role("button", name="Yes, release Ann").click()
    tile.filter(has_text="0 of 4 seats taken").wait_for(timeout=WAIT)
    assert seat_player(server.db, ticket.code) is None
    player.get_by_text("the host released this seat").wait_for(timeout=WAIT)  # at once, no reload needed
    player.get_by_role("button", name="Join again").wait_for(timeout=WAIT)
    context.close()
    screen.close()
    player.close()


def seat_player(db, code: str) -> str | None:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
        row = con.execute("SELECT name FROM players WHERE code = ? AND team = 1 AND firm = 'retailer' AND "
                          "released_at IS NULL", (code,)).fetchone()
    return row[0] if row else None


def test_under_a_hidden_horizon_the_projector_never_shows_the_games_length(tmp_path, browser):
    db = tmp_path / "classroom.sqlite3"
    classroom = Classroom(db)
    ticket = classroom.create_session("classic", scenario_toml=free_orders_scenario(), teams=2, weeks=WEEKS,
                                      hide_horizon=True, title="Hidden")
    seat = classroom.join(ticket.code, "Ann", team=1, firm="retailer")
    classroom.start(ticket.code, ticket.host_key)
    classroom.close()
    server = Server(db, tmp_path / "server.log")
    server.start(attempts=PORT_ATTEMPTS)
    try:
        screen = browser.new_page(viewport={"width": 1280, "height": 720})
        screen.goto(f"{server.url}/projector?code={ticket.code}")
        player = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
        player.add_init_script(f"window.localStorage.setItem({json.dumps(SEAT_KEY)}, {json.dumps(seat.token)});")
        phone = player.new_page()
        phone.goto(f"{server.url}/")
        seen = []
        for week in range(1, WEEKS + 1):
            screen.get_by_test_id("team-1-progress").filter(has_text=f"week {week}").wait_for(timeout=WAIT)
            seen.append(screen.locator("body").inner_text())
            phone.get_by_test_id("week").filter(has_text=f"week {week}").wait_for(timeout=WAIT)
            assert f"of {WEEKS}" not in phone.get_by_test_id("week").inner_text()
            phone.get_by_label("Order (units)").fill("5")
            phone.get_by_role("button", name="Submit order").tap()
        screen.get_by_test_id("projector-status").filter(has_text="ended").wait_for(timeout=WAIT)  # all played
        leaks = [text for text in seen if re.search(rf"\bof {WEEKS}\b|\b{WEEKS} weeks\b|week {WEEKS + 1}\b|done",
                                                    text)]
        assert not leaks, leaks
        assert "Team 2 · played by bots" in seen[0]  # its bots played every week at the start: no week shown
        player.close()
        screen.close()
    finally:
        server.stop()
