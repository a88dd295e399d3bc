"""A whole team game in a real browser: the host page and four player pages, with a server restart.

Each page has its own browser context (its own storage, as on five devices). In the middle of a
week the server is killed and started again on the same database: every page reloads by itself once
the new server answers, finds its seat (or host key) in the browser's storage, and play goes on.
Every request to anything but this machine is refused, as behind a classroom's firewall: the pages
must render from the server's own files (no CDN).
"""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Error as PlaywrightError

WAIT = 30_000  # ms for anything to appear; a week's update takes well under a second here
NAMES = ("Ann", "Bob", "Cy", "Dee")
ROLES = ("retailer", "wholesaler", "distributor", "factory")
WEEKS = 10
SCREENSHOTS = os.environ.get("CHAINGAME_SCREENSHOTS")  # a folder: also save the docs' screenshots there


LOCAL = {"127.0.0.1", "localhost"}
PROBE = "https://cdn.jsdelivr.net/npm/requirejs@2.3.6/require.js"  # what a page fetching from a CDN would ask


class Offline:
    """Every page's requests, seen by the browser context's router: to this machine they go on, elsewhere
    they are aborted and recorded. WebSockets are recorded too (the router does not see them)."""

    def __init__(self):
        self.local: list[str] = []
        self.outside: list[str] = []
        self.sockets: list[str] = []

    def route(self, route):
        url = route.request.url
        if urlsplit(url).hostname in LOCAL:
            self.local.append(url)
            route.continue_()
        else:
            self.outside.append(url)
            route.abort("blockedbyclient")

    def watch(self, context):
        context.route("**/*", self.route)
        context.on("page", lambda page: page.on("websocket", lambda ws: self.sockets.append(ws.url)))


def new_page(browser, offline: Offline, width=1200, height=900):
    context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True)
    offline.watch(context)
    return context.new_page()


def week_is(page, week: int):
    page.get_by_test_id("week").filter(has_text=f"week {week} of {WEEKS}").wait_for(timeout=WAIT)


def order_for(week: int, seat: int) -> int:
    """Orders of 4 while the scenario fixes them (weeks 1-4), then an upstream-growing overreaction."""
    return 4 if week <= 4 else 6 + 2 * seat + (week % 3) * (seat + 1)


def play_week(players, week: int):
    for i, page in enumerate(players):
        week_is(page, week)
        field = page.get_by_label("Order (units)")
        field.wait_for(timeout=WAIT)
        field.fill(str(order_for(week, i)))
        if i % 2:
            field.press("Enter")
        else:
            page.get_by_role("button", name="Submit order").click()
        if i < len(players) - 1:
            left = len(players) - 1 - i
            page.get_by_test_id("state").filter(has_text=f"Waiting for {left} other player").wait_for(timeout=WAIT)
    if week < WEEKS:
        for page in players:
            week_is(page, week + 1)


def wait_for_new_server(page, old: str, timeout: float = 90.0):
    """Wait until the page on screen was rendered by another server process than ``old``.

    The page reloads itself while we wait; an evaluation cut short by that navigation is retried.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            page.wait_for_function("old => { const e = document.querySelector('[data-server]');"
                                   " return e && e.dataset.server !== old; }", arg=old,
                                   timeout=max(1.0, deadline - time.monotonic()) * 1000)
            return
        except PlaywrightError:
            if time.monotonic() > deadline:
                raise


def test_a_class_plays_a_whole_game_through_a_server_restart_with_no_internet(server, browser, tmp_path):
    offline = Offline()
    host = new_page(browser, offline)
    host.goto(f"{server.url}/host")
    # the router does refuse what leaves this machine (so an empty list below means something)
    assert host.evaluate("url => fetch(url).then(() => 'loaded', () => 'refused')", PROBE) == "refused"
    assert offline.outside == [PROBE]
    host.get_by_label("Weeks (empty: the scenario's)").fill(str(WEEKS))
    host.get_by_label("Title (shown to players)").fill("Monday class")
    host.get_by_role("button", name="Create session").click()
    code = host.get_by_test_id("join-code").inner_text(timeout=WAIT).strip()
    assert re.fullmatch(r"[A-Z2-9]{6}", code)
    host.get_by_role("button", name="Show the host link").click()
    assert host.get_by_test_id("host-link").inner_text(timeout=WAIT).startswith(f"{server.url}/host?code={code}#key=")
    assert host.get_by_test_id("join-link").inner_text() == f"{server.url}/?code={code}"
    assert host.locator("[data-testid=qr] svg").count() == 1

    players = []
    for name, role in zip(NAMES, ROLES, strict=True):
        page = new_page(browser, offline)
        page.goto(f"{server.url}/?code={code}")
        page.get_by_label("Your name").fill(name)
        page.get_by_role("button", name="Join", exact=True).click()
        page.get_by_test_id("seat").filter(has_text=f"Team 1 · {role}").wait_for(timeout=WAIT)
        players.append(page)
    host.get_by_test_id("status").filter(has_text="4 players joined").wait_for(timeout=WAIT)
    host.get_by_role("button", name="Start").click()
    players[0].get_by_label("Order (units)").wait_for(timeout=WAIT)

    # a wrong order gets a one-line error on the page
    players[0].get_by_label("Order (units)").fill("lots")
    players[0].get_by_role("button", name="Submit order").click()
    players[0].get_by_test_id("error").filter(has_text='order: "lots" is not a number').wait_for(timeout=WAIT)

    play_week(players, 1)
    play_week(players, 2)

    # week 3: two orders are in when the server dies
    for page in players[:2]:
        page.get_by_label("Order (units)").fill("4")
        page.get_by_role("button", name="Submit order").click()
    players[1].get_by_test_id("state").filter(has_text="Waiting for 2 other players").wait_for(timeout=WAIT)
    before = players[0].locator("[data-server]").get_attribute("data-server")
    server.kill()
    server.start()
    for page in [host, *players]:  # each page reloads by itself once the new server answers
        wait_for_new_server(page, before)
    for page, role in zip(players, ROLES, strict=True):
        page.get_by_test_id("seat").filter(has_text=f"Team 1 · {role}").wait_for(timeout=WAIT)
        week_is(page, 3)
    players[0].get_by_test_id("state").filter(has_text="You ordered 4 for week 3").wait_for(timeout=WAIT)
    host.get_by_test_id("team-1-week").filter(has_text="week 3").wait_for(timeout=WAIT)
    for page in players[2:]:
        page.get_by_label("Order (units)").fill("4")
        page.get_by_role("button", name="Submit order").click()
    for page in players:
        week_is(page, 4)
    players[2].reload()  # a refresh by hand keeps the seat too
    players[2].get_by_test_id("seat").filter(has_text="Team 1 · distributor").wait_for(timeout=WAIT)
    week_is(players[2], 4)

    for week in range(4, WEEKS + 1):
        if week == WEEKS and SCREENSHOTS:
            players[1].screenshot(path=str(tmp_path / "player.png"), full_page=True)
        play_week(players, week)
    for page in players:
        page.get_by_test_id("state").filter(has_text="The game is over").wait_for(timeout=WAIT)
    host.get_by_test_id("status").filter(has_text="ended").wait_for(timeout=WAIT)
    # the end removes the Pause and End buttons, and the export buttons after them are redrawn (a click on
    # the old ones is lost: see tests/ui/test_pages.py): wait until the page shows the ended row of buttons
    host.get_by_role("button", name="End game").wait_for(state="detached", timeout=WAIT)

    # the export downloads the tidy history
    with host.expect_download(timeout=WAIT) as download:
        host.get_by_role("button", name="Export CSV").click()
    csv = Path(download.value.path()).read_text()
    header, *rows = csv.strip().splitlines()
    assert header.startswith("session,round,team,week,firm,role")
    assert len(rows) == WEEKS * 4
    with host.expect_download(timeout=WAIT) as download:
        host.get_by_role("button", name="Export Parquet").click()
    assert Path(download.value.path()).read_bytes()[:4] == b"PAR1"

    # the debrief, from a player's page, shows its charts
    players[0].get_by_role("link", name="Open the debrief").click()
    debrief = players[0]
    for name in ("costs", "orders", "stock"):
        img = debrief.locator(f"[data-testid=chart-{name}] img")
        img.wait_for(timeout=WAIT)
        assert debrief.wait_for_function("img => img.complete && img.naturalWidth > 300", arg=img.element_handle(),
                                         timeout=WAIT)
    assert "Ann" in debrief.get_by_test_id("leaderboard").inner_text()

    # everything above came from this machine: the pages, their scripts and styles, the charts
    assert offline.outside == [PROBE], f"requests that left this machine: {offline.outside[1:]}"
    assert any("/static/" in u or "/_solara/" in u for u in offline.local), offline.local[:20]
    assert offline.sockets and all(urlsplit(u).hostname in LOCAL for u in offline.sockets), offline.sockets
    if SCREENSHOTS:
        debrief.set_viewport_size({"width": 1100, "height": 900})
        debrief.screenshot(path=str(tmp_path / "debrief.png"), full_page=True)
        out = Path(SCREENSHOTS)
        out.mkdir(parents=True, exist_ok=True)
        shutil.copy(tmp_path / "player.png", out / "classroom-player.png")
        shutil.copy(tmp_path / "debrief.png", out / "classroom-debrief.png")
