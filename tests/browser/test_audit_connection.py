"""Issue 13 item 2 audited from outside: never a silent loss, in cases tests/browser/test_connection.py does not try.

A phone (375x812, touch) whose typed order outlives a server restart and a refresh while the server
is down; two tabs of one seat that both hold the order submitted while the server was down; a
network that goes and comes back while an order is typed but not submitted; an order kept while the
week's timer ran out; an empty field; a fixed order and an order with a capacity target kept while
the server is down; a websocket cut with the server up (route_web_socket), with and without the
timer running out meanwhile. Every check reads the SQLite file.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from chaingame.classroom import Classroom
from chaingame.ui.connection import storage_key

from .conftest import (
    DESKTOP,
    GAME_WEEKS,
    PORT_ATTEMPTS,
    WAIT,
    Server,
    lost,
    recorded,
    seat_context,
    started_game,
    week_is,
)
from .test_class_game import wait_for_new_server

PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


def open_page(context, server):
    page = context.new_page()
    page.goto(f"{server.url}/")
    page.get_by_label("Order (units)").wait_for(timeout=WAIT)
    return page


def kept(page, token: str) -> dict | None:
    return page.evaluate("key => JSON.parse(window.localStorage.getItem(key))", storage_key(token))


def wait_kept(page, token: str, order: str, queued: bool):
    page.wait_for_function("([key, order, queued]) => { const k = JSON.parse(window.localStorage.getItem(key));"
                           " return k && k.order === order && k.queued === queued; }",
                           arg=[storage_key(token), order, queued], timeout=WAIT)


def test_on_a_phone_a_typed_order_outlives_a_restart_and_a_refresh_while_the_server_is_down(game, browser):
    server, seat = game
    context = seat_context(browser, seat.token, PHONE)
    page = open_page(context, server)
    page.get_by_label("Order (units)").fill("6")
    wait_kept(page, seat.token, "6", queued=False)
    server.kill()
    lost(page)
    banner = page.get_by_test_id("connection").bounding_box()
    assert banner["y"] >= 0 and banner["y"] + banner["height"] <= 812 and banner["width"] <= 375, banner
    expect(page.get_by_test_id("countdown")).to_be_hidden(timeout=WAIT)
    with pytest.raises(PlaywrightError):  # the player refreshes: nothing answers
        page.reload(timeout=WAIT)
    assert recorded(server.db, 1) == []
    server.start()
    page.goto(f"{server.url}/")
    week_is(page, 1)
    expect(page.get_by_label("Order (units)")).to_have_value("6", timeout=WAIT)
    page.get_by_test_id("unsent").filter(has_text="Your order of 6 for week 1 is not sent yet").wait_for(timeout=WAIT)
    assert recorded(server.db, 1) == []  # typed, never submitted: not sent by the restart or the refresh
    page.get_by_role("button", name="Submit order").tap()
    week_is(page, 2)
    assert recorded(server.db, 1) == [(6.0, "human")]
    context.close()


def test_a_typed_order_is_not_sent_by_the_server_restart_the_page_reloads_itself_on(game, browser):
    server, seat = game
    context = seat_context(browser, seat.token, DESKTOP)
    page = open_page(context, server)
    page.get_by_label("Order (units)").fill("11")
    wait_kept(page, seat.token, "11", queued=False)
    before = page.locator("[data-server]").get_attribute("data-server")
    server.kill()
    lost(page)
    server.start()
    wait_for_new_server(page, before)
    week_is(page, 1)
    expect(page.get_by_label("Order (units)")).to_have_value("11", timeout=WAIT)
    page.get_by_test_id("unsent").wait_for(timeout=WAIT)
    expect(page.get_by_test_id("connection")).to_have_count(0, timeout=WAIT)
    assert recorded(server.db, 1) == []
    context.close()


def test_two_tabs_of_one_seat_send_the_order_kept_while_the_server_was_down_once(game, browser):
    server, seat = game
    context = seat_context(browser, seat.token, DESKTOP)
    first, second = open_page(context, server), open_page(context, server)
    before = [p.locator("[data-server]").get_attribute("data-server") for p in (first, second)]
    server.kill()
    lost(first)
    lost(second)
    first.get_by_label("Order (units)").fill("5")
    first.get_by_label("Order (units)").press("Enter")  # the order form's Enter, not its button
    first.get_by_test_id("connection").filter(has_text="your order of 5 for week 1 is not sent yet").wait_for(
        timeout=WAIT)
    wait_kept(first, seat.token, "5", queued=True)
    server.start()
    for page, old in zip((first, second), before):
        wait_for_new_server(page, old)
    for page in (first, second):
        week_is(page, 2)
    assert recorded(server.db, 1) == [(5.0, "human")]
    assert recorded(server.db, 2) == []
    first.wait_for_function("key => window.localStorage.getItem(key) === null", arg=storage_key(seat.token),
                            timeout=WAIT)
    context.close()


def test_a_network_gone_and_back_sends_no_order_that_was_only_typed(game, browser):
    server, seat = game
    context = seat_context(browser, seat.token, PHONE)
    page = open_page(context, server)
    context.set_offline(True)
    lost(page)
    page.get_by_label("Order (units)").fill("3")
    wait_kept(page, seat.token, "3", queued=False)
    context.set_offline(False)
    expect(page.get_by_test_id("connection")).to_have_count(0, timeout=WAIT)
    page.wait_for_timeout(2000)  # what the page would send on its return has had time to arrive
    assert recorded(server.db, 1) == []
    expect(page.get_by_label("Order (units)")).to_have_value("3")
    week_is(page, 1)
    context.close()


def test_an_order_kept_offline_while_the_timer_ran_out_is_said_not_sent_with_the_bots_order(tmp_path, browser):
    server, seat, _ = started_game(tmp_path, timer=10)
    try:
        context = seat_context(browser, seat.token, PHONE)
        page = open_page(context, server)
        context.set_offline(True)  # the phone's network drops; the server and its timer go on
        lost(page)
        page.get_by_label("Order (units)").fill("7")
        page.get_by_role("button", name="Submit order").tap()
        wait_kept(page, seat.token, "7", queued=True)
        deadline = time.monotonic() + 60
        while not recorded(server.db, 1) and time.monotonic() < deadline:
            time.sleep(0.5)  # polling the SQLite file for the bot's decision at the timer's end
        assert recorded(server.db, 1) == [(4.0, "bot")]
        context.set_offline(False)  # the click, held by the browser, arrives now; the page says what became of it
        page.locator("[data-testid=resent], [data-testid=error]").filter(
            has_text="Your order of 7 for week 1 was not sent").filter(
            has_text="Recorded for week 1: 4 (decided by the bot).").wait_for(timeout=WAIT)
        page.get_by_test_id("bot-notice").filter(has_text="Week 1: the bot ordered 4 for you").wait_for(timeout=WAIT)
        assert recorded(server.db, 1) == [(4.0, "bot")] and recorded(server.db, 2) == []
        page.wait_for_function("key => window.localStorage.getItem(key) === null", arg=storage_key(seat.token),
                               timeout=WAIT)
        context.close()
    finally:
        server.stop()


@pytest.mark.parametrize("typed", ["", "8"])
def test_an_empty_field_submitted_or_typed_then_cleared_is_no_order_kept(game, browser, typed):
    """It was kept as an order of "" to send: after a refresh the page said 'Your order of  for week 1 was not sent'."""
    server, seat = game
    context = seat_context(browser, seat.token, DESKTOP)
    page = open_page(context, server)
    if typed:
        page.get_by_label("Order (units)").fill(typed)
        wait_kept(page, seat.token, typed, queued=False)
        page.get_by_label("Order (units)").fill("")
    page.get_by_role("button", name="Submit order").click()
    page.get_by_test_id("error").filter(has_text="order: is empty").wait_for(timeout=WAIT)
    page.wait_for_function("key => window.localStorage.getItem(key) === null", arg=storage_key(seat.token),
                           timeout=WAIT)
    page.reload()
    page.get_by_label("Order (units)").wait_for(timeout=WAIT)
    page.wait_for_timeout(1500)  # what the page would say of a kept order has had time to come
    expect(page.get_by_test_id("resent")).to_have_count(0)
    expect(page.get_by_test_id("unsent")).to_have_count(0)
    expect(page.get_by_label("Order (units)")).to_have_value("")
    assert recorded(server.db, 1) == []
    context.close()


def test_a_fixed_order_submitted_untyped_while_the_server_is_down_is_sent_once(tmp_path, browser):
    """The classic board's week 1 fixes the order at 4: the field shows it, the player only clicks."""
    db = tmp_path / "classroom.sqlite3"
    classroom = Classroom(db)
    ticket = classroom.create_session("classic", weeks=GAME_WEEKS, timer_seconds=900)
    seat = classroom.join(ticket.code, "Ann")
    classroom.start(ticket.code, ticket.host_key)
    classroom.close()
    server = Server(db, tmp_path / "server.log")
    server.start(attempts=PORT_ATTEMPTS)
    try:
        context = seat_context(browser, seat.token, PHONE)
        page = open_page(context, server)
        expect(page.get_by_label("Order (units)")).to_have_value("4", timeout=WAIT)
        before = page.locator("[data-server]").get_attribute("data-server")
        server.kill()
        lost(page)
        page.get_by_role("button", name="Submit order").tap()
        wait_kept(page, seat.token, "4", queued=True)
        server.start()
        wait_for_new_server(page, before)
        page.get_by_test_id("resent").filter(has_text="Your order of 4 for week 1 is recorded.").wait_for(timeout=WAIT)
        week_is(page, 2)
        assert recorded(db, 1) == [(4.0, "human")]
        context.close()
    finally:
        server.stop()


def test_an_order_and_capacity_kept_while_the_server_is_down_are_sent_once_together(tmp_path, browser):
    db = tmp_path / "classroom.sqlite3"
    classroom = Classroom(db)
    ticket = classroom.create_session("capacity", weeks=GAME_WEEKS, timer_seconds=900)
    seat = classroom.join(ticket.code, "Ann", firm="manufacturer")
    classroom.start(ticket.code, ticket.host_key)
    fixed = classroom.seat_view(seat.token).fixed_order
    classroom.close()
    server = Server(db, tmp_path / "server.log")
    server.start(attempts=PORT_ATTEMPTS)
    try:
        context = seat_context(browser, seat.token, PHONE)
        page = open_page(context, server)
        order = "4" if fixed is None else f"{fixed:g}"
        before = page.locator("[data-server]").get_attribute("data-server")
        server.kill()
        lost(page)
        page.get_by_label("Order (units)").fill(order)
        page.get_by_label("Capacity target (units/week)").fill("13")
        page.get_by_role("button", name="Submit order").tap()
        wait_kept(page, seat.token, order, queued=True)
        assert kept(page, seat.token)["capacity"] == "13"
        server.start()
        wait_for_new_server(page, before)
        page.get_by_test_id("resent").filter(has_text=f"Your order of {order} for week 1 is recorded.").wait_for(
            timeout=WAIT)
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
            rows = con.execute("SELECT order_qty, capacity, decided_by FROM decisions WHERE firm = 'manufacturer'"
                               " AND week = 1").fetchall()
        assert rows == [(float(order), 13.0, "human")]
        context.close()
    finally:
        server.stop()


class SocketCutter:
    """The page's websockets pass through the test (Playwright's route_web_socket), which can cut them all and
    refuse new ones, while the server runs on: a proxy or a Wi-Fi handover that drops the socket."""

    def __init__(self, page):
        self.sockets, self.refusing = [], False
        page.route_web_socket(re.compile(r".*/channels.*"), self.route)

    def route(self, ws):
        if self.refusing:
            ws.close(code=1011, reason="cut")
        else:
            ws.connect_to_server()
            self.sockets.append(ws)

    def cut(self):
        self.refusing = True
        for ws in self.sockets:
            ws.close(code=1011, reason="cut")
        self.sockets.clear()


@pytest.mark.parametrize("timer_runs_out", [False, True], ids=["back in time", "the timer ran out meanwhile"])
def test_a_socket_dropped_with_the_server_up_loses_no_order_silently(tmp_path, browser, timer_runs_out):
    server, seat, _ = started_game(tmp_path, timer=10 if timer_runs_out else 900)
    try:
        context = seat_context(browser, seat.token, PHONE)
        page = context.new_page()
        cutter = SocketCutter(page)
        page.goto(f"{server.url}/")
        page.get_by_label("Order (units)").wait_for(timeout=WAIT)
        cutter.cut()
        took = time.monotonic()
        lost(page)
        assert time.monotonic() - took < 3.0
        page.get_by_label("Order (units)").fill("7")
        page.get_by_role("button", name="Submit order").tap()
        wait_kept(page, seat.token, "7", queued=True)
        if timer_runs_out:
            deadline = time.monotonic() + 60
            while not recorded(server.db, 1) and time.monotonic() < deadline:
                time.sleep(0.5)  # polling the SQLite file for the bot's decision at the timer's end
        assert recorded(server.db, 1) == ([(4.0, "bot")] if timer_runs_out else [])
        cutter.refusing = False  # the network is back; the page reconnects by itself
        if timer_runs_out:
            page.get_by_test_id("resent").filter(has_text="Your order of 7 for week 1 was not sent").filter(
                has_text="Recorded for week 1: 4 (decided by the bot).").wait_for(timeout=WAIT)
        else:
            page.get_by_test_id("resent").filter(has_text="Your order of 7 for week 1 is recorded.").wait_for(
                timeout=WAIT)
            week_is(page, 2)
        assert recorded(server.db, 1) == [(4.0, "bot") if timer_runs_out else (7.0, "human")]
        context.close()
    finally:
        server.stop()


def test_the_join_host_and_projector_pages_say_when_the_server_is_gone(tmp_path, browser):
    """A click on Join, Start or End with the server down did nothing, and the pages looked normal."""
    db = tmp_path / "classroom.sqlite3"
    classroom = Classroom(db)
    running = classroom.create_session("classic", teams=2, timer_seconds=900, title="Running")
    classroom.join(running.code, "Ann")
    classroom.start(running.code, running.host_key)
    lobby = classroom.create_session("classic", title="Lobby")
    classroom.close()
    server = Server(db, tmp_path / "server.log")
    server.start(attempts=PORT_ATTEMPTS)
    try:
        join = browser.new_page(**PHONE)
        join.goto(f"{server.url}/?code={lobby.code}")
        join.get_by_label("Your name").wait_for(timeout=WAIT)
        host_context = browser.new_context(**DESKTOP)
        keys = json.dumps({running.code: running.host_key})
        host_context.add_init_script(f"window.localStorage.setItem('chaingame.host', {json.dumps(keys)});")
        host = host_context.new_page()
        host.goto(f"{server.url}/host?code={running.code}")
        host.get_by_test_id("countdown").first.wait_for(timeout=WAIT)
        screen = browser.new_page(viewport={"width": 1280, "height": 720})
        screen.goto(f"{server.url}/projector?code={running.code}")
        screen.get_by_test_id("projector-code").wait_for(timeout=WAIT)
        pages = {"join": join, "host": host, "projector": screen}
        for page in pages.values():
            expect(page.get_by_test_id("connection")).to_have_count(0)
        servers = {name: page.locator("[data-server]").get_attribute("data-server") for name, page in pages.items()}
        server.kill()
        start = time.monotonic()
        for name, page in pages.items():
            lost(page)
            assert time.monotonic() - start < 3.0, name
        assert "joining works again when the connection is back" in join.get_by_test_id("connection").inner_text()
        assert "what you click is done only once" in host.get_by_test_id("connection").inner_text()
        assert "progress is not updated" in screen.get_by_test_id("connection").inner_text()
        expect(host.get_by_test_id("countdown").first).to_be_hidden(timeout=WAIT)
        server.start()
        for name, page in pages.items():
            wait_for_new_server(page, servers[name])
            expect(page.get_by_test_id("connection")).to_have_count(0, timeout=WAIT)
        host_context.close()
        join.close()
        screen.close()
    finally:
        server.stop()
