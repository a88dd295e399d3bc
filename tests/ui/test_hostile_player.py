"""The players' pages, and every route's address and browser storage, under hostile input.

The join form, the order and capacity fields, the demand guess; then ``?code=`` garbage and tampered
browser storage on every route (:mod:`.hostile`): one line naming the field or nothing odd at all, never
a traceback, nothing stored, and the page still works.
"""

from __future__ import annotations

import json

import ipyvuetify as v
import pytest

from ..classroom.conftest import play, seat_all
from .conftest import host_storage
from .hostile import MEGABYTE, NOT_NUMBERS, ODD_TYPES, SURROGATE, TAMPERED, clean, errors, refuse_each, rows, says
from .hostile import toggle as click_toggle
from .test_pages import decisions

NAME, CODE = "Your name", "Session code"
ORDER, CAPACITY = "Order (units)", "Capacity target (units/week)"
LEVELS = "The levels you think it took, cases a week (optional, e.g. 4, 8)"
BAD_CODES = ["garbage", SURROGATE, "a" + SURROGATE, "x" * 10_000, "%ED%A0%80", "%FF", "a&code=b", "<script>", "%00",
             "\x00", "😀", "%", "ABC%20DEF"]


def test_bad_join_values_are_named_and_a_good_join_takes_a_seat(classroom, tabs):
    t = classroom.create_session("classic", teams=2)
    page = tabs(f"/?code={t.code}")
    join = lambda: page.click("Join")  # noqa: E731
    page.fill(NAME, "Ann")
    refuse_each(page, classroom, "code", BAD_CODES + [" ", "\t", MEGABYTE],
                lambda value: (page.fill(CODE, value), join()))
    page.fill(CODE, f" {t.code.lower()[:3]}-{t.code.lower()[3:]} ")  # as typed from the board
    refuse_each(page, classroom, "name", [" ", SURROGATE, "Ann" + SURROGATE, "\x00", "A\u202eB", "x" * 41, MEGABYTE],
                lambda value: (page.fill(NAME, value), join()))
    page.fill(NAME, "Ann")
    page.wait(lambda: "team 2" in page.page_state(), "the lobby's free seats")
    tampered = [t for t in TAMPERED if t is not None]  # None: no choice, the service places the player
    refuse_each(page, classroom, "team", tampered + ["team x", "team ²", "team 99", "team"],
                lambda value: (page.select("Team", value), join()))
    page.select("Team", "team 2")
    refuse_each(page, classroom, "firm", tampered + ["nope (retailer)"],
                lambda value: (page.select("Role", value), join()))
    page.select("Role", "factory (manufacturer)")
    join()
    page.wait(lambda: page.has("seat"), "Ann's seat")
    assert page.text("seat") == "Team 2 · factory (manufacturer)"
    clean(page)


@pytest.fixture
def manufacturer(classroom, tabs):
    """The manufacturer's page in a running capacity game (it orders and sets its capacity); bots elsewhere."""
    t = classroom.create_session("capacity", weeks=20)
    ticket = classroom.join(t.code, "Manny", firm="manufacturer")
    classroom.start(t.code, t.host_key)
    page = tabs("/", stored=ticket.token)
    page.wait(lambda: "Submit order" in page.buttons(), "the order form")
    return page


def submitted(page, week: int):
    """Wait for the page to open week ``week + 1`` after an accepted order (bots decide the other seats)."""
    page.wait_text("week", f"week {week + 1} of")
    page.wait(lambda: "Submit order" in page.buttons(), f"week {week + 1}'s order form")


def test_a_tampered_submit_from_the_browser_is_named_and_stores_nothing(classroom, manufacturer):
    """The order form's one message (chaingame.ui.orderbox) is the browser's: anything may come in it."""
    page = manufacturer

    def send(data):
        box = page.order_box()
        with page:
            box._handle_event(None, {"event": "send_order", "data": data}, [])

    refuse_each(page, classroom, "order", [None, [], "4", 4, {}, {"week": 1}, {"week": 1, "order": [4]}], send)
    refuse_each(page, classroom, "week", [{"week": w, "order": "4"} for w in ("x", None, 2, 0, -1, 1e400, "²", [1])],
                send)
    refuse_each(page, classroom, "capacity", [{"week": 1, "order": "4", "capacity": c} for c in ([], {"a": 1}, "-1")],
                send)
    send({"week": 1, "order": " 4 ", "capacity": "12"})
    submitted(page, 1)
    assert [(w, q, c) for w, q, c, _ in decisions(classroom, "manufacturer")] == [(1, 4.0, 12.0)]


def test_bad_orders_and_capacities_are_named_and_good_ones_recorded(classroom, manufacturer):
    page = manufacturer
    submit = lambda: page.click("Submit order")  # noqa: E731
    refuse_each(page, classroom, "order", NOT_NUMBERS + ODD_TYPES + ["", " ", "-1", "4.5", ".5", "1001", "4e3"],
                lambda value: (page.fill(ORDER, value), submit()))
    page.fill(ORDER, "4")
    refuse_each(page, classroom, "capacity", NOT_NUMBERS + [[], ["4"], {"a": 1}, True, "-1", "1001"],
                lambda value: (page.fill(CAPACITY, value), submit()))
    good = [(" 4 ", " 12 "), ("4.", "12.5"), ("-0", ""), ("+4", "1e1"), ("4e0", None)]
    for week, (order, capacity) in enumerate(good, start=1):
        page.fill(ORDER, order)
        page.fill(CAPACITY, capacity)
        submit()
        submitted(page, week)
    assert [(w, q, c) for w, q, c, _ in decisions(classroom, "manufacturer")] == [  # empty: the target kept
        (1, 4.0, 12.0), (2, 4.0, 12.5), (3, 0.0, 12.5), (4, 4.0, 10.0), (5, 4.0, 10.0)]
    clean(page)


def test_a_bad_demand_guess_is_named_and_a_good_one_kept(classroom, tabs):
    t = classroom.create_session("classic", weeks=4)
    tickets = seat_all(classroom, t.code)
    classroom.start(t.code, t.host_key)
    play(classroom, tickets, 4)
    page = tabs("/", stored=tickets["retailer"].token)
    page.wait(lambda: "Send my guess" in page.buttons(disabled=True), "the guess form")
    send = lambda: page.click("Send my guess")  # noqa: E731
    click_toggle(page, "cg-shapes", "flat")
    bad = [n for n in NOT_NUMBERS if n not in ("4 4", "4,5")]  # those two are two guesses each
    refuse_each(page, classroom, "numbers", bad + ["-1", "1001", "1," * 13, "4 8 nan"],
                lambda value: (page.fill(LEVELS, value), send()))
    page.fill(LEVELS, "")
    refuse_each(page, classroom, "shape", [v for v in TAMPERED if v not in (None, "")],
                lambda value: (click_toggle(page, "cg-shapes", value), send()))
    click_toggle(page, "cg-shapes", "step up")
    page.fill(LEVELS, " 4; 8 ")
    send()
    page.wait_text("reveal-done", "step up (4, 8 a week)")
    clean(page)


ROUTES = ["/", "/play", "/host", "/debrief", "/class", "/projector"]


@pytest.mark.parametrize("route", ROUTES)
def test_garbage_in_the_address_shows_at_most_a_line_and_the_route_still_serves(classroom, tabs, route):
    t = classroom.create_session("classic")
    before = rows(classroom)
    for code in BAD_CODES:
        page = tabs(f"{route}?code={code}")
        page.wait(lambda page=page: "Loading" not in page.page_state() or route == "/projector", "the page")
        clean(page)
        if errors(page):
            says(page, "code")
    assert rows(classroom) == before
    page = tabs(f"{route}?code={t.code}", stored=host_storage(t) if route in ("/host", "/debrief", "/class") else None)
    clean(page)
    page.wait(lambda: t.code in page.page_state(), f"the session on {route}")


HOST_STORED = ["garbage", "[" * 100_000, "{" * 100_000, '{"%(c)s": 5}', '{"%(c)s": null}', '{"%(c)s": "\\ud800"}',
               '{"%(c)s": {"a": 1}}', "[]", '"text"', "5", "null", "x" * 5_000_000, '{"\\ud800": "key"}', SURROGATE,
               json.dumps({f"K{i:05}": "key" for i in range(5000)}), '{"%(c)s": "' + "k" * 1_000_000 + '"}']
SEAT_STORED = ["garbage", SURROGATE, MEGABYTE, "null", "{}", '{"token": 1}', " ", "\x00", "[" * 100_000]


@pytest.mark.parametrize("route", ["/host", "/host?code=%(c)s", "/debrief?code=%(c)s", "/class?code=%(c)s",
                                   "/projector?code=%(c)s"])
def test_tampered_host_keys_in_storage_hold_no_key_and_break_no_page(classroom, tabs, route):
    """Without a key the debrief and class view say the session has not ended, as to any player."""
    t = classroom.create_session("classic")
    before = rows(classroom)
    for stored in HOST_STORED:
        page = tabs(route % {"c": t.code}, stored=stored.replace("%(c)s", t.code))
        clean(page)
        if errors(page):
            says(page, ("host_key", "session"))
    assert rows(classroom) == before
    page = tabs(route % {"c": t.code}, stored=host_storage(t))  # the same page with the real key
    clean(page)
    assert errors(page) == []


@pytest.mark.parametrize("route", ["/", "/play", "/?code=%(c)s"])
def test_a_tampered_seat_token_says_so_and_offers_to_join_again(classroom, tabs, route):
    t = classroom.create_session("classic")
    ann = classroom.join(t.code, "Ann")
    before = rows(classroom)
    for stored in SEAT_STORED + [ann.token + SURROGATE, ann.token + "x"]:
        page = tabs(route % {"c": t.code}, stored=stored)
        says(page, "token")  # any text is a token to check: only the service knows the seats
        page.click("Join again")
        page.wait(lambda page=page: "Join" in page.buttons(disabled=True), "the join form")
    assert rows(classroom) == before
    page = tabs(route % {"c": t.code}, stored=ann.token)
    page.wait(lambda: page.has("seat"), "Ann's seat")


def test_a_typed_code_or_host_key_that_is_none_is_named(classroom, tabs):
    t = classroom.create_session("classic")
    for typed in [SURROGATE, "a" + SURROGATE, "x" * 10_000, "&code=x", "%", "\x00"]:
        debrief = tabs("/debrief")
        debrief.fill(CODE, typed)
        debrief.click("Open")
        says(debrief, "code")
        host = tabs(f"/host?code={t.code}")
        host.fill("Host key", typed)
        host.click("Open")
        says(host, "host_key")
        host.click("Forget this session in this browser")
        host.wait(lambda host=host: "Host key" in host.page_state(), "the key asked again")
    host.fill("Host key", f" {t.host_key} ")
    host.click("Open")
    host.wait(lambda: host.has("join-code"), "the dashboard")


def test_a_tampered_team_choice_of_the_debrief_keeps_it_readable(classroom, tabs):
    t = classroom.create_session("classic", teams=2, weeks=4)
    teams = [seat_all(classroom, t.code, team=team) for team in (1, 2)]
    classroom.start(t.code, t.host_key)
    for tickets in teams:
        play(classroom, tickets, 4)
    debrief = tabs(f"/debrief?code={t.code}")
    debrief.wait(lambda: debrief.has("chart-orders"), "the debrief")
    for value in TAMPERED + [3, 0, -1]:
        with debrief:
            debrief.rc.find(v.BtnToggle).widget.v_model = value  # the team toggle: the page's only one
        clean(debrief)
        assert "base64," in debrief.text("chart-orders")


@pytest.mark.parametrize("route", ["/host?code=%(c)s", "/projector?code=%(c)s"])
def test_a_tampered_origin_or_key_fragment_breaks_no_page(classroom, tabs, route):
    """What the browser reports of its address (origin, ``#key=``) is untrusted too: a QR code holds ~2,000
    characters, a lone surrogate cannot be encoded, and only http(s)://host[:port] makes a join link."""
    from chaingame.ui.browser import BrowserStore

    t = classroom.create_session("classic")
    for attr, values in (("origin", ["x" * 10_000, SURROGATE, "javascript:alert(1)", '"><b>', "\x00", ""]),
                         ("fragment", ["garbage", SURROGATE, MEGABYTE, " ", "\x00"])):
        for value in values:
            page = tabs(route % {"c": t.code}, stored=host_storage(t) if attr == "origin" else None)
            with page:
                setattr(page.rc.find(BrowserStore).widget, attr, value)
            clean(page)
            if attr == "fragment" and route.startswith("/host"):
                says(page, "host_key")
            else:
                code = page.text("join-code" if route.startswith("/host") else "projector-code")
                assert code == t.code
                link = page.text("join-link" if route.startswith("/host") else "projector-link")
                assert link.endswith(f"/?code={t.code}") and "javascript" not in link
