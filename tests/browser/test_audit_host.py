"""Issue 13 item 4 audited from outside, in Chromium against `chaingame play`: the compact dashboard of 40 teams
(one line each, sorted by clicking week, lag and cost, at 1280x800 and on the teacher's phone), and a latecomer
who takes, mid-game, a seat a bot held since the start, from the real join page."""

from __future__ import annotations

import json
import re
import sqlite3

import pytest
from playwright.sync_api import expect

from chaingame.classroom import Classroom
from chaingame.ui.browser import HOST_KEY

from .conftest import PORT_ATTEMPTS, Server

WAIT = 30_000  # ms
TEAMS = 40
CELLS = """() => [...document.querySelectorAll('[data-testid=teams-table] tbody tr')].map(r => ({
    team: +r.dataset.team, height: r.getBoundingClientRect().height,
    cells: [...r.querySelectorAll('td')].map(c => c.textContent)}))"""


def host_page(browser, server, ticket, **device):
    context = browser.new_context(**device)
    keys = json.dumps({ticket.code: ticket.host_key})
    context.add_init_script(f"window.localStorage.setItem({json.dumps(HOST_KEY)}, {json.dumps(keys)});")
    page = context.new_page()
    page.goto(f"{server.url}/host?code={ticket.code}")
    return page


@pytest.fixture(scope="module")
def big_class(tmp_path_factory):
    """40 teams of one player and three bots; teams 1-5 are 0, 1, 2, 3, 4 weeks in with different orders."""
    tmp = tmp_path_factory.mktemp("host")
    db = tmp / "classroom.sqlite3"
    classroom = Classroom(db)
    ticket = classroom.create_session("classic", teams=TEAMS, weeks=12, title="Big class")
    players = [classroom.join(ticket.code, f"P{t}", team=t, firm="retailer") for t in range(1, TEAMS + 1)]
    classroom.start(ticket.code, ticket.host_key)
    for n, seat in enumerate(players[:5]):
        for _ in range(n):
            view = classroom.seat_view(seat.token)
            classroom.submit(seat.token, view.week, view.fixed_order or 4)
    for n, seat in enumerate(players[5:], 5):  # the others: 5 weeks, orders that make their costs differ
        for _ in range(5):
            view = classroom.seat_view(seat.token)
            classroom.submit(seat.token, view.week, view.fixed_order or 4 + n % 9)
    classroom.close()
    server = Server(db, tmp / "server.log")
    server.start(attempts=PORT_ATTEMPTS)
    yield server, ticket
    server.stop()


def dollars(text: str) -> float:
    return float(text.replace("$", "").replace(",", ""))


def week_of(text: str) -> int:
    return int(re.fullmatch(r"week (\d+)", text).group(1))


@pytest.mark.parametrize("device", [
    {"viewport": {"width": 1280, "height": 800}},
    {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True},
], ids=["1280x800", "375x812"])
def test_forty_teams_are_one_line_each_and_sort_by_week_lag_and_cost(big_class, browser, device):
    server, ticket = big_class
    page = host_page(browser, server, ticket, **device)
    page.locator("tr[data-team='40']").wait_for(state="attached", timeout=WAIT)
    width = device["viewport"]["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # the table scrolls in its own box
    rows = page.evaluate(CELLS)
    assert [r["team"] for r in rows] == list(range(1, TEAMS + 1))
    line = min(r["height"] for r in rows)
    assert line < 60 and all(r["height"] == line for r in rows), {r["team"]: r["height"] for r in rows}

    def sorted_by(name: str):
        page.locator(".cg-sort button", has_text=name).click()
        page.wait_for_function("name => document.querySelector('.cg-sort .v-btn--active') && "
                               "document.querySelector('.cg-sort .v-btn--active').textContent.trim() === name",
                               arg=name, timeout=WAIT)
        page.wait_for_timeout(300)  # the table re-drawn after the toggle
        return page.evaluate(CELLS)

    weeks = [week_of(r["cells"][1]) for r in sorted_by("week")]
    assert weeks == sorted(weeks, reverse=True) and weeks[0] == 6 and weeks[-1] == 1
    lag = sorted_by("lag")
    lags = [int(r["cells"][2]) for r in lag]
    assert lags == sorted(lags, reverse=True) and [r["team"] for r in lag[:5]] == [1, 2, 3, 4, 5]
    costs = [dollars(r["cells"][4]) for r in sorted_by("cost")]
    assert costs == sorted(costs, reverse=True) and costs[0] > costs[-1]
    assert [r["team"] for r in sorted_by("team")] == list(range(1, TEAMS + 1))
    page.context.close()


def test_a_latecomer_takes_a_seat_the_bot_held_mid_game_from_the_join_page(tmp_path, browser):
    db = tmp_path / "classroom.sqlite3"
    classroom = Classroom(db)
    ticket = classroom.create_session("classic", teams=2, weeks=10, title="Latecomers")
    ann = classroom.join(ticket.code, "Ann", team=1, firm="retailer")
    classroom.start(ticket.code, ticket.host_key, latecomers=True)
    for _ in range(2):  # weeks 1 and 2: Ann orders, the open seats' bots decide with her
        view = classroom.seat_view(ann.token)
        classroom.submit(ann.token, view.week, view.fixed_order or 4)
    classroom.close()
    server = Server(db, tmp_path / "server.log")
    server.start(attempts=PORT_ATTEMPTS)
    try:
        phone = browser.new_page(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
        phone.goto(f"{server.url}/?code={ticket.code}")
        phone.get_by_label("Your name").fill("Bob")
        phone.locator(".v-select", has_text="Team").first.click()
        phone.get_by_role("option", name="team 1", exact=True).click()
        phone.locator(".v-select", has_text="Role").click()
        phone.get_by_role("option", name="wholesaler", exact=True).click()
        phone.get_by_role("button", name="Join", exact=True).tap()
        phone.get_by_test_id("week").filter(has_text="week 3 of 10").wait_for(timeout=WAIT)
        phone.get_by_label("Order (units)").fill("4")
        phone.get_by_role("button", name="Submit order").tap()
        expect(phone.get_by_label("Order (units)")).to_be_disabled(timeout=WAIT)  # decided: waits for Ann
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
            rows = con.execute("SELECT week, decided_by FROM decisions WHERE team = 1 AND firm = 'wholesaler' "
                               "ORDER BY week").fetchall()
        assert rows == [(1, "bot"), (2, "bot"), (3, "human")]
        host = host_page(browser, server, ticket, viewport={"width": 1280, "height": 900})
        seats = host.get_by_test_id("team-1-seats")
        seats.wait_for(timeout=WAIT)
        assert re.search(r"wholesaler\s+human\s+Bob", seats.inner_text())  # a role named like its firm: once
        assert re.search(r"distributor\s+bot until a student joins", seats.inner_text())
        host.context.close()
        phone.close()
    finally:
        server.stop()
