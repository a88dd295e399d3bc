"""Never a silent loss, in a real browser: the server is killed while a player submits, then restarted.

The session is created, joined and started through the service on the SQLite file before the
server opens it (bots hold the other three seats, so a week closes as soon as the player orders);
the player's page is Chromium holding the seat token in its storage, as after a join. The checks
read the SQLite file: the order is recorded exactly once, or the page says it was not sent.
"""

from __future__ import annotations

from playwright.sync_api import expect

from chaingame.ui.connection import storage_key

from .conftest import WAIT, lost, recorded, seat_context, week_is
from .test_class_game import wait_for_new_server

LOST_WITHIN = 3.0  # s from the kill to the banner: "at once" (the socket closes when the process dies)


def open_seat(browser, server, token: str):
    """The player's page in its own browser context, which already holds the seat token."""
    page = seat_context(browser, token).new_page()
    page.goto(f"{server.url}/")
    page.get_by_label("Order (units)").wait_for(timeout=WAIT)
    return page


def test_the_server_killed_while_the_player_submits_loses_no_order_silently(game, browser):
    server, seat = game
    page = open_seat(browser, server, seat.token)
    page.get_by_test_id("countdown").wait_for(timeout=WAIT)
    expect(page.get_by_test_id("connection")).to_have_count(0)

    # week 1: the server dies as the order is submitted (the click may or may not have reached it)
    page.get_by_label("Order (units)").fill("7")
    page.get_by_role("button", name="Submit order").click()
    server.kill()
    took = lost(page)
    assert took < LOST_WITHIN, f"the page said the connection was lost only after {took:.1f} s"
    expect(page.get_by_test_id("countdown")).to_be_hidden(timeout=WAIT)  # the countdown stops pretending
    before = page.locator("[data-server]").get_attribute("data-server")
    server.start()
    wait_for_new_server(page, before)
    week_is(page, 2)  # the order reached the service, once: the bots' seats decided at once, the week closed
    assert recorded(server.db, 1) == [(7.0, "human")]
    expect(page.get_by_test_id("connection")).to_have_count(0)
    page.get_by_test_id("countdown").wait_for(timeout=WAIT)

    # week 2: the server is down before the player submits: the page keeps the order and says so
    server.kill()
    lost(page)
    page.get_by_label("Order (units)").fill("5")
    page.get_by_role("button", name="Submit order").click()
    page.get_by_test_id("connection").filter(
        has_text="your order of 5 for week 2 is not sent yet").wait_for(timeout=WAIT)
    assert recorded(server.db, 2) == []
    before = page.locator("[data-server]").get_attribute("data-server")
    server.start()
    wait_for_new_server(page, before)
    page.get_by_test_id("resent").filter(has_text="Your order of 5 for week 2 is recorded.").wait_for(timeout=WAIT)
    week_is(page, 3)
    assert recorded(server.db, 2) == [(5.0, "human")]
    # once recorded the browser forgets it: a refresh sends nothing again
    page.wait_for_function("key => window.localStorage.getItem(key) === null", arg=storage_key(seat.token),
                           timeout=WAIT)
    page.reload()
    week_is(page, 3)
    expect(page.get_by_label("Order (units)")).to_have_value("", timeout=WAIT)
    assert [len(recorded(server.db, w)) for w in (1, 2, 3)] == [1, 1, 0]


def test_a_typed_unsent_order_survives_a_refresh_and_is_sent_only_when_submitted(game, browser):
    server, seat = game
    page = open_seat(browser, server, seat.token)
    page.get_by_label("Order (units)").fill("9")
    page.wait_for_function("key => (JSON.parse(window.localStorage.getItem(key)) || {}).order === '9'",
                           arg=storage_key(seat.token), timeout=WAIT)
    page.reload()
    expect(page.get_by_label("Order (units)")).to_have_value("9", timeout=WAIT)
    page.get_by_test_id("unsent").filter(has_text="Your order of 9 for week 1 is not sent yet").wait_for(
        timeout=WAIT)
    assert recorded(server.db, 1) == []  # kept, not sent: only the player's submit sends it
    page.get_by_role("button", name="Submit order").click()
    week_is(page, 2)
    assert recorded(server.db, 1) == [(9.0, "human")]
    expect(page.get_by_test_id("unsent")).to_have_count(0)


def test_a_network_gone_then_back_sends_the_kept_order_once(game, browser):
    server, seat = game
    page = open_seat(browser, server, seat.token)
    page.context.set_offline(True)  # the browser's network, not the server, goes away
    lost(page)
    page.get_by_label("Order (units)").fill("6")
    page.get_by_role("button", name="Submit order").click()
    page.context.set_offline(False)
    week_is(page, 2)
    expect(page.get_by_test_id("connection")).to_have_count(0, timeout=WAIT)
    assert recorded(server.db, 1) == [(6.0, "human")]  # the click, the resend or both: recorded once


def test_a_server_that_stops_answering_with_the_socket_still_open_is_seen_by_the_heartbeat(game, browser):
    server, seat = game
    page = open_seat(browser, server, seat.token)
    page.route("**/readyz", lambda route: route.abort())  # the server unreachable; the websocket not closed
    lost(page)  # two heartbeats missed: within about 10 s
    assert page.evaluate("window.solara.debug.connectionStatus") == "connected"
    expect(page.get_by_test_id("countdown")).to_be_hidden(timeout=WAIT)
    page.get_by_label("Order (units)").fill("8")
    page.get_by_role("button", name="Submit order").click()  # reaches the server by the socket after all
    page.unroute("**/readyz")
    expect(page.get_by_test_id("connection")).to_have_count(0, timeout=WAIT)
    week_is(page, 2)
    assert recorded(server.db, 1) == [(8.0, "human")]  # the click and the resend on return: recorded once


def test_a_kept_order_the_service_refuses_is_said_once_then_only_kept(game, browser):
    server, seat = game
    page = open_seat(browser, server, seat.token)
    page.get_by_label("Order (units)").fill("lots")
    page.get_by_role("button", name="Submit order").click()
    page.get_by_test_id("error").filter(has_text='order: "lots" is not a number').wait_for(timeout=WAIT)
    page.reload()  # the browser still holds it, marked to send: it is sent again, and refused again
    page.get_by_test_id("resent").filter(
        has_text='Your order of lots for week 1 was not sent: order: "lots" is not a number').wait_for(timeout=WAIT)
    expect(page.get_by_label("Order (units)")).to_have_value("lots", timeout=WAIT)
    page.wait_for_function("key => (JSON.parse(window.localStorage.getItem(key)) || {}).queued === false",
                           arg=storage_key(seat.token), timeout=WAIT)
    page.reload()  # no longer to send: only put back in the field
    page.get_by_test_id("unsent").filter(has_text="Your order of lots for week 1 is not sent yet").wait_for(
        timeout=WAIT)
    expect(page.get_by_test_id("resent")).to_have_count(0)
    assert recorded(server.db, 1) == []


def test_typing_an_order_sends_nothing_until_it_is_submitted(game, browser):
    """Issue 13 item 9: the typed order stays in the browser; the submit is one message (docs/classroom.md)."""
    server, seat = game
    page = open_seat(browser, server, seat.token)
    page.get_by_test_id("countdown").wait_for(timeout=WAIT)
    sent: list[str] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda frame: sent.append(str(frame))))
    page.reload()  # the new page's socket is watched from its start
    field = page.get_by_label("Order (units)")
    field.wait_for(timeout=WAIT)
    page.wait_for_timeout(1000)  # the page's own start-up messages are done
    before = len(sent)
    field.press_sequentially("123", delay=50)
    field.press("Backspace")
    field.press_sequentially("2", delay=50)
    page.wait_for_timeout(500)
    assert len(sent) == before, f"typing sent {len(sent) - before} websocket message(s): {sent[before:]}"
    page.get_by_role("button", name="Submit order").click()
    week_is(page, 2)
    assert recorded(server.db, 1) == [(122.0, "human")]
    assert sum('"send_order"' in f for f in sent[before:]) == 1, "the submit is one message with the typed text"
