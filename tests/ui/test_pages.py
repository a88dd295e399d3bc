"""The pages of several players and the host, each in its own virtual kernel, sharing one classroom."""

from __future__ import annotations

import json
import math
import re
import sqlite3
import threading
import time
import types

import pytest
from solara.widgets import HTML

from chaingame.ui.host import HOST_DELAY

from .conftest import host_storage


def join(tabs, code: str, name: str, **kwargs):
    tab = tabs(f"/?code={code}", **kwargs)
    tab.fill("Your name", name)
    tab.click("Join")
    tab.wait(lambda: tab.has("seat"), f"{name}'s seat")
    return tab


def order(tab, value: str = "4"):
    tab.wait(lambda: "Submit order" in tab.buttons(), "the order form")  # the week's label may come first
    tab.fill("Order (units)", value)
    tab.click("Submit order")


def field(tab, label: str = "Order (units)"):
    """The order form's field labelled ``label`` as the browser shows it: its text, disabled, hint, widget id."""
    box = tab.order_box()
    assert box is not None, f"no order form on {tab.path}"
    return types.SimpleNamespace(v_model=tab.field_value(label), disabled=box.disabled, hint=box.hint,
                                 model_id=box.model_id)


def press_enter(tab, label: str = "Order (units)"):
    """What a browser does when Enter is pressed in the field: the template's ``@keydown.enter`` submits,
    sending the typed texts, unless the form is disabled (then the browser sends nothing)."""
    box = tab.order_box()
    css = "cg-order" if label == "Order (units)" else "cg-capacity"
    enter = rf'label="{re.escape(label)}"[^>]*class="{css}"[^>]*@keydown\.enter="submit"'
    assert re.search(enter, box.template, re.S), f"the browser would not send Enter from {label!r} on {tab.path}"
    if not box.disabled:
        tab.submit_order()


def decisions(classroom, firm: str) -> list[tuple]:
    """(week, order, capacity, decided_by) of ``firm``'s stored decisions, read from the SQLite file."""
    with sqlite3.connect(classroom._store.path) as con:
        return con.execute("SELECT week, order_qty, capacity, decided_by FROM decisions WHERE firm = ? ORDER BY week",
                           (firm,)).fetchall()


class Reads:
    """Counts the calls of one of the classroom's read verbs (the real verb still answers every call)."""

    def __init__(self, classroom, verb: str):
        self.calls: list[tuple] = []
        real = getattr(classroom, verb)

        def counted(*args, **kwargs):
            self.calls.append(args)
            return real(*args, **kwargs)

        setattr(classroom, verb, counted)  # an instance attribute: the pages look the verb up at each call

    def of(self, first_arg) -> int:
        return sum(1 for args in self.calls if args and args[0] == first_arg)


def test_join_places_players_and_the_host_sees_them_live(classroom, tabs):
    t = classroom.create_session("classic", teams=2)
    host = tabs(f"/host?code={t.code}", stored=host_storage(t))
    assert host.text("join-code") == t.code
    assert "lobby" in host.text("status")
    ann = join(tabs, t.code, "Ann")
    bob = join(tabs, t.code, "Bob")
    assert ann.text("seat") == "Team 1 · retailer"
    assert bob.text("seat") == "Team 1 · wholesaler"
    host.wait_text("team-1-seats", "Bob")
    assert "Ann" in host.text("team-1-seats")
    assert "2 players joined" in host.text("status")
    assert "The game starts when the host starts it" in ann.text("state")
    # the token went to the browser's storage, and nothing else of the seat
    assert ann.stored() and ann.stored() != bob.stored()
    # the join link and its QR code carry the page's origin
    assert host.text("join-link") == f"http://class.test:8765/?code={t.code}"
    assert "<svg" in host.text("qr")


def test_choosing_a_team_and_role_and_a_taken_seat(classroom, tabs):
    t = classroom.create_session("classic", teams=2)
    cy = tabs(f"/?code={t.code}")
    cy.fill("Your name", "Cy")
    cy.select("Team", "team 2")
    cy.select("Role", "factory (manufacturer)")
    cy.click("Join")
    cy.wait(lambda: cy.has("seat"), "Cy's seat")
    assert cy.text("seat") == "Team 2 · factory (manufacturer)"
    dee = tabs(f"/?code={t.code}")
    dee.wait(lambda: "team 2" in json.dumps(dee.page_state()), "the join form's choices")
    dee.fill("Your name", "Dee")
    dee.select("Team", "team 2")
    dee.select("Role", "retailer")
    dee.click("Join")
    assert dee.text("seat") == "Team 2 · retailer"


def test_submit_waits_for_teammates_then_every_page_shows_the_next_week(classroom, tabs):
    t = classroom.create_session("classic", teams=1)
    players = [join(tabs, t.code, name) for name in ("Ann", "Bob", "Cy", "Dee")]
    classroom.start(t.code, t.host_key)
    for p in players:
        p.wait(lambda p=p: "Submit order" in p.buttons(), "the order form")
    for i, p in enumerate(players[:-1]):
        order(p)
        p.wait_text("state", f"Waiting for {3 - i} other player")
        assert "week 1 of" in p.text("week")
    last = players[-1]
    assert "Submit order" in last.buttons()
    order(last)
    for p in players:
        p.wait_text("week", "week 2 of")
        p.wait(lambda p=p: "Submit order" in p.buttons(), "next week's order form")
        assert "<td" in p.text("history") and ">1<" in p.text("history")
        assert "<polyline" in p.text("chart")


def test_invalid_orders_get_one_line_errors_and_nothing_is_sent(classroom, tabs):
    t = classroom.create_session("classic", teams=1, weeks=8)
    ann = join(tabs, t.code, "Ann")
    classroom.start(t.code, t.host_key)
    ann.wait(lambda: "Submit order" in ann.buttons(), "the order form")
    for bad, words in (("abc", "is not a number"), ("", "is empty"), ("-3", "below 0"), ("2.5", "whole")):
        order(ann, bad)
        ann.wait_text("error", words)
        assert ann.text("error").startswith("order: ")
        assert "Submit order" in ann.buttons()
    view = classroom.seat_view(ann.stored())
    assert view.decision is None and view.week == 1


def test_host_advances_a_stuck_team(classroom, tabs):
    t = classroom.create_session("classic", teams=1)
    host = tabs(f"/host?code={t.code}", stored=host_storage(t))
    ann, bob = join(tabs, t.code, "Ann"), join(tabs, t.code, "Bob")
    host.click("Start")
    ann.wait(lambda: "Submit order" in ann.buttons(), "the order form")
    order(ann)
    ann.wait_text("state", "Waiting for 1 other player")
    host.wait_text("team-1-seats", "waiting")
    host.click("Advance (bots decide for late seats)")
    for p in (ann, bob):
        p.wait_text("week", "week 2 of")
    assert "(bot)" in bob.text("history")
    assert "(bot)" not in ann.text("history")


def test_pause_and_end_reach_the_players(classroom, tabs):
    t = classroom.create_session("classic", teams=1, weeks=6)
    host = tabs(f"/host?code={t.code}", stored=host_storage(t))
    ann = join(tabs, t.code, "Ann")
    host.click("Start")
    host.wait_text("status", "running")
    host.click("Pause")
    ann.wait_text("state", "paused")
    host.click("Resume")
    ann.wait(lambda: "Submit order" in ann.buttons(), "the order form again")
    host.click("End game")  # asks first: one click does not end the game
    host.wait(lambda: "Yes, end the game" in host.buttons(), "the confirmation")
    host.click("Yes, end the game")
    ann.wait_text("state", "The game is over")


def test_a_refreshed_page_keeps_its_seat(classroom, tabs):
    t = classroom.create_session("classic", teams=1)
    ann, _ = join(tabs, t.code, "Ann"), join(tabs, t.code, "Bob")
    classroom.start(t.code, t.host_key)
    ann.wait(lambda: "Submit order" in ann.buttons(), "the order form")
    order(ann)
    ann.wait_text("state", "You ordered 4")
    token = ann.stored()
    again = tabs("/", stored=token)  # the reloaded tab: the browser hands the stored token back
    again.wait(lambda: again.has("seat"), "the seat after a refresh")
    assert again.text("seat") == "Team 1 · retailer"
    assert "You ordered 4" in again.text("state")


def test_a_released_seat_asks_to_join_again(classroom, tabs):
    t = classroom.create_session("classic", teams=1)
    host = tabs(f"/host?code={t.code}", stored=host_storage(t))
    ann = join(tabs, t.code, "Ann")
    host.wait(lambda: "release Ann" in host.buttons(), "the release button")
    host.click("release Ann")
    host.wait(lambda: "Yes, release Ann" in host.buttons(), "the confirmation")
    host.click("Yes, release Ann")
    ann.wait(lambda: "Join again" in ann.buttons(), "the released page")
    ann.click("Join again")
    ann.wait(lambda: "Join" in ann.buttons(disabled=True), "the join form")  # enabled once a name is typed
    assert ann.stored() in ("", None)


def test_the_host_page_needs_the_key(classroom, tabs):
    t = classroom.create_session("classic", teams=1)
    nobody = tabs(f"/host?code={t.code}")
    assert "Open" in nobody.buttons(disabled=True) and not nobody.has("join-code")
    wrong = tabs(f"/host?code={t.code}", stored=json.dumps({t.code: "not-the-key"}))
    assert not wrong.has("join-code")
    assert "host" in wrong.text("error").lower()
    assert t.host_key not in wrong.page_state()


def test_a_seat_page_holds_only_its_own_firm(classroom, tabs):
    t = classroom.create_session("classic", teams=2, information="silo")
    players = [join(tabs, t.code, f"Player{i}") for i in range(8)]
    classroom.start(t.code, t.host_key)
    for p in players:
        p.wait(lambda p=p: "Submit order" in p.buttons(), "the order form")
    for p in players:
        order(p)
    retailer = players[0]
    retailer.wait_text("week", "week 2 of")
    # the chain diagram names the other firms (the board is public) and holds no state: it is the one a
    # seat sees in the lobby; nothing else on the page names them
    lobby = classroom.create_session("classic", teams=1, information="silo")
    fresh = join(tabs, lobby.code, "Late")
    assert retailer.text("chain-map") == fresh.text("chain-map")
    with retailer.context:
        state = json.dumps([w.get_state() for w in list(retailer.context.widgets.values())
                            if not (isinstance(w, HTML) and (w.attributes or {}).get("data-testid") == "chain-map")],
                           default=str)
    for other in ("wholesaler", "distributor", "factory", "Player1", "Player4"):
        assert other not in state, f"the retailer's page holds {other!r}"
    for p in players[1:]:
        assert p.stored() not in state, "the retailer's page holds another seat's token"
    assert t.host_key not in state
    # in "full" information the chain's books are shown, on purpose
    t2 = classroom.create_session("classic", teams=1, information="full")
    full = join(tabs, t2.code, "Eve")
    assert "distributor" in full.text("chain")


def test_debrief_opens_to_players_when_the_game_ends(classroom, tabs):
    t = classroom.create_session("classic", teams=2, weeks=5)
    ann = join(tabs, t.code, "Ann")
    classroom.start(t.code, t.host_key)
    for week in range(1, 5):
        ann.wait_text("week", f"week {week} of")
        ann.wait(lambda: "Submit order" in ann.buttons(), "the order form")
        order(ann)
    ann.wait_text("week", "week 5 of")
    debrief = tabs(f"/debrief?code={t.code}")
    assert "has not ended" in debrief.text("error")
    assert not debrief.has("chart-orders")
    hosts = tabs(f"/debrief?code={t.code}", stored=host_storage(t))  # the host sees it during the game
    assert hosts.has("chart-orders")
    order(ann)  # the last week of the last team: the session ends by itself
    ann.wait_text("state", "The game is over")
    debrief.wait(lambda: debrief.has("chart-orders"), "the debrief's charts")
    for name in ("chart-orders", "chart-stock", "chart-costs"):
        assert debrief.text(name).startswith('<img alt="') and "base64," in debrief.text(name)
    assert "Ann" in debrief.text("leaderboard")
    assert "1 of 2" in debrief.text("roles")
    assert "chain" in debrief.text("bots")


def test_the_timer_lets_bots_decide_for_late_players(classroom, tabs):
    t = classroom.create_session("classic", teams=1, timer_seconds=30)
    ann, bob = join(tabs, t.code, "Ann"), join(tabs, t.code, "Bob")
    classroom.start(t.code, t.host_key)
    ann.wait(lambda: "Submit order" in ann.buttons(), "the order form")
    assert "the bot decides for late players in" in ann.page_state()  # a countdown, ticking in the browser
    order(ann)
    ann.wait_text("state", "Waiting for 1 other player")
    # the server's ticker thread (no kernel context of its own) finds the week overdue
    ticker = threading.Thread(target=classroom.tick, kwargs={"now": time.time() + 31})
    ticker.start()
    ticker.join()
    for p in (ann, bob):
        p.wait_text("week", "week 2 of")
    assert "(bot)" in bob.text("history")


def test_a_producer_enters_an_order_and_a_capacity(classroom, tabs):
    t = classroom.create_session("capacity", teams=1)
    maker = tabs(f"/?code={t.code}")
    maker.fill("Your name", "Mo")
    maker.select("Role", "manufacturer")
    maker.click("Join")
    maker.wait(lambda: maker.has("seat"), "the seat")
    classroom.start(t.code, t.host_key)
    maker.wait(lambda: "Submit order" in maker.buttons(), "the order form")
    assert "capacity" in maker.text("books")
    maker.fill("Order (units)", "9")
    maker.fill("Capacity target (units/week)", "-1")
    maker.click("Submit order")
    maker.wait_text("error", "capacity")
    maker.fill("Capacity target (units/week)", "12")
    maker.click("Submit order")
    maker.wait_text("week", "week 2 of")
    week1 = classroom.seat_view(maker.stored()).history[0]
    assert (week1.order, week1.capacity_target, week1.decided_by) == (9, 12, "human")


def test_the_host_hands_a_seat_to_a_bot_and_back(classroom, tabs):
    t = classroom.create_session("classic", teams=1)
    host = tabs(f"/host?code={t.code}", stored=host_storage(t))
    bob = join(tabs, t.code, "Bob")
    host.wait(lambda: "retailer → bot" in host.buttons(), "the seat buttons")
    host.click("retailer → bot")
    bob.wait(lambda: "Join again" in bob.buttons(), "Bob's released page")
    host.wait(lambda: "retailer → human" in host.buttons(), "the seat back to humans")
    host.click("retailer → human")
    bob.click("Join again")
    bob.wait(lambda: "Join" in bob.buttons(disabled=True), "the join form")
    bob.fill("Your name", "Bob")
    bob.click("Join")
    bob.wait_text("seat", "Team 1 · retailer")


def test_the_host_creates_a_session_with_the_form(classroom, tabs):
    host = tabs("/host")
    host.fill("Weeks (empty: the scenario's)", "lots")
    host.fill("Teams", "3")
    host.click("Create session")
    host.wait_text("error", "weeks")
    assert not host.has("join-code")
    host.fill("Weeks (empty: the scenario's)", "12")
    host.fill("Timer, seconds per week (empty: none)", "60")
    host.fill("Title (shown to players)", "Tuesday")
    host.click("Create session")
    host.wait(lambda: host.has("join-code"), "the new session's dashboard")
    code = host.text("join-code")
    host.click("Show the host link")
    host.wait(lambda: host.has("host-link"), "the host link")
    assert json.loads(host.stored()) == {code: host.text("host-link").split("#key=")[1]}
    view = classroom.host_view(code, json.loads(host.stored())[code])
    assert (view.title, view.weeks, len(view.teams), view.timer_seconds) == ("Tuesday", 12, 3, 60)


def test_the_host_creates_a_session_from_a_pasted_scenario_file(classroom, tabs):
    from chaingame.scenario import bundled

    text = bundled()["classic"].read_text().replace("weeks = 36", "weeks = 7", 1)
    host = tabs("/host")
    host.fill_area("…or paste a scenario file (TOML) here", "weeks = [")
    host.click("Create session")
    host.wait_text("error", "scenario_toml: is not valid TOML")
    host.fill_area("…or paste a scenario file (TOML) here", text)
    host.click("Create session")
    host.wait(lambda: host.has("join-code"), "the new session's dashboard")
    view = classroom.host_view(host.text("join-code"), json.loads(host.stored())[host.text("join-code")])
    assert (view.scenario, view.weeks) == ("pasted", 7)


def test_enter_submits_the_order_in_every_week_across_the_end_of_the_fixed_orders(classroom, tabs):
    """Weeks 1-4 of the classic board fix the order at 4, week 5 frees it: Enter must keep working (it stopped at
    week 5 once, when the fixed-order line vanished and the field became another widget without a handler)."""
    t = classroom.create_session("classic", teams=1, weeks=10)
    ann, bob = join(tabs, t.code, "Ann"), join(tabs, t.code, "Bob")  # Bob keeps each week open after Ann's Enter
    classroom.start(t.code, t.host_key)
    ann.wait(lambda: "Submit order" in ann.buttons(), "the order form")
    first = field(ann).model_id
    wanted = {week: 4 if week <= 4 else 3 + week for week in range(1, 9)}
    for week in range(1, 9):
        ann.wait_text("week", f"week {week} of 10")
        ann.wait(lambda: not field(ann).disabled, f"the order field open in week {week}")
        assert field(ann).model_id == first, f"week {week}: the order field is another widget"
        fixed_line = ann.order_box().note  # the order card's line, drawn by the same widget
        if week <= 4:
            assert field(ann).v_model == "4" and fixed_line == "This week the scenario fixes your order at 4."
        else:  # a free week starts from an empty field, whatever was typed the week before
            assert field(ann).v_model == "" and fixed_line == ""
            ann.fill("Order (units)", str(wanted[week]))
        press_enter(ann)
        ann.wait_text("state", f"You ordered {wanted[week]} for week {week}. Waiting for 1 other player")
        # decided: the same form, disabled, showing the decision; no button left to click
        assert field(ann).disabled and field(ann).v_model == str(wanted[week])
        assert "Submit order" not in ann.buttons() and "Submit order" in ann.buttons(disabled=True)
        with pytest.raises(AssertionError, match="is disabled"):
            ann.click("Submit order")  # the tests' hand cannot click what a player cannot
        press_enter(ann)  # Enter again on a decided week sends nothing
        bob.wait_text("week", f"week {week} of 10")
        bob.wait(lambda: "Submit order" in bob.buttons(), "Bob's order form")
        order(bob, "4" if week <= 4 else "6")
    ann.wait_text("week", "week 9 of 10")
    assert decisions(classroom, "retailer") == [(w, float(q), None, "human") for w, q in wanted.items()]


def test_enter_in_the_capacity_field_submits_the_order_and_the_capacity(classroom, tabs):
    t = classroom.create_session("capacity", teams=1, weeks=6)
    mo = tabs(f"/?code={t.code}")
    mo.fill("Your name", "Mo")
    mo.select("Role", "manufacturer")
    mo.click("Join")
    mo.wait(lambda: mo.has("seat"), "Mo's seat")
    sue = join(tabs, t.code, "Sue")  # a teammate keeps the week open after Mo's Enter
    classroom.start(t.code, t.host_key)
    typed = {1: ("9", "12"), 2: ("11", "14.5"), 3: ("8", "")}  # week 3: empty capacity keeps the last target
    label = "Capacity target (units/week)"
    for week, (amount, capacity) in typed.items():
        mo.wait_text("week", f"week {week} of 6")
        mo.wait(lambda: not field(mo, label).disabled, f"the capacity field open in week {week}")
        assert field(mo).v_model == "" and field(mo, label).v_model == ""
        mo.fill("Order (units)", amount)
        mo.fill(label, capacity)
        press_enter(mo, label)
        mo.wait_text("state", f"You ordered {amount} for week {week}")
        assert field(mo).disabled and field(mo, label).disabled
        sue.wait_text("week", f"week {week} of 6")
        sue.wait(lambda: "Submit order" in sue.buttons(), "Sue's order form")
        order(sue, "8")
    mo.wait_text("week", "week 4 of 6")
    assert decisions(classroom, "manufacturer") == [(1, 9.0, 12.0, "human"), (2, 11.0, 14.5, "human"),
                                                    (3, 8.0, 14.5, "human")]


def test_another_teams_orders_do_not_reach_a_seat_page(classroom, tabs):
    t = classroom.create_session("classic", teams=2)
    ann, bob = join(tabs, t.code, "Ann"), join(tabs, t.code, "Bob")
    cy = tabs(f"/?code={t.code}")
    cy.fill("Your name", "Cy")
    cy.select("Team", "team 2")
    cy.click("Join")
    cy.wait_text("seat", "Team 2 · retailer")
    dee = tabs(f"/?code={t.code}")
    dee.fill("Your name", "Dee")
    dee.select("Team", "team 2")
    dee.click("Join")
    dee.wait_text("seat", "Team 2 · wholesaler")
    classroom.start(t.code, t.host_key)
    for p in (ann, bob, cy, dee):
        p.wait(lambda p=p: "Submit order" in p.buttons(), "the order form")
    order(cy)
    cy.wait_text("state", "Waiting for 1 other player")
    reads = Reads(classroom, "seat_view")
    renders, shown = cy.rc.render_count, cy.page_state()
    # team 1 plays a whole week: Cy's page is not even asked to look (notifications are synchronous: when
    # the click returns, every subscriber has been called)
    order(ann)
    order(bob)
    ann.wait_text("week", "week 2 of")
    assert reads.of(ann.stored()) > 0  # team 1's pages did follow their team
    assert reads.of(cy.stored()) == 0, "Cy's page read its seat after team 1's orders"
    assert cy.rc.render_count == renders and cy.page_state() == shown
    # its own teammate's order does reach it, and moves it to week 2
    order(dee)
    cy.wait_text("week", "week 2 of")
    assert reads.of(cy.stored()) > 0 and cy.rc.render_count > renders


def test_the_host_dashboard_gathers_a_burst_of_orders_into_few_updates(classroom, tabs):
    t = classroom.create_session("classic", teams=2)
    host = tabs(f"/host?code={t.code}", stored=host_storage(t))
    players = [join(tabs, t.code, f"P{i}") for i in range(8)]
    host.wait(lambda: "8 players joined" in host.text("status"), "every player on the dashboard")
    classroom.start(t.code, t.host_key)  # from outside the page (its own Start button: the next test)
    for p in players:
        p.wait(lambda p=p: "Submit order" in p.buttons(), "the order form")
    host.wait_text("team-2-week", "week 1")
    reads = Reads(classroom, "host_view")
    began = time.monotonic()
    for p in players:
        order(p)
    # the dashboard catches up by itself, HOST_DELAY after the orders (a wait, not an assumption of immediacy)
    host.wait_text("team-1-week", "week 2")
    host.wait_text("team-2-week", "week 2")
    took = time.monotonic() - began
    # each update reads the view once, and the dashboard starts one batch per HOST_DELAY at most: 8 orders
    # (and their two week changes) in well under a second are one or two reads, not ten
    assert 1 <= reads.of(t.code) <= math.ceil(took / HOST_DELAY) + 1 < 10, (reads.of(t.code), took)
    assert "✓ human" not in host.text("team-1-seats")  # week 2: nobody has decided yet


def test_the_dashboard_keeps_following_the_class_after_the_hosts_own_action(classroom, tabs):
    """A host's click re-reads the dashboard at once; the players' next changes must still reach it."""
    t = classroom.create_session("classic", teams=1)
    host = tabs(f"/host?code={t.code}", stored=host_storage(t))
    ann = join(tabs, t.code, "Ann")
    host.wait_text("team-1-seats", "Ann")  # one update of the dashboard, HOST_DELAY after the join
    host.click("Start")
    host.wait_text("status", "running")
    ann.wait(lambda: "Submit order" in ann.buttons(), "the order form")
    order(ann)
    ann.wait_text("week", "week 2 of")  # the other seats are bots: Ann's order closed the week
    host.wait_text("team-1-week", "week 2", timeout=HOST_DELAY + 10)


def test_the_export_buttons_stay_the_same_widgets_when_the_game_ends(classroom, tabs):
    """A host who clicks Export as the game ends must get the file: the buttons before the export ones
    (Pause, End game) go away at the end, and the export widgets must not be replaced because of it
    (a click that reaches a replaced widget is lost; the real browser test met it)."""
    from solara.components.file_download import FileDownloadWidget

    t = classroom.create_session("classic", teams=1)
    classroom.join(t.code, "Ann")  # a human seat: the game does not play through at the start
    host = tabs(f"/host?code={t.code}", stored=host_storage(t))

    def exports():
        with host.context:
            return sorted((w.filename, w.model_id) for w in host.rc.find(FileDownloadWidget).widgets)

    lobby = exports()
    assert [name for name, _ in lobby] == [f"{t.code}-history.csv", f"{t.code}-history.parquet"]
    host.click("Start")
    host.wait_text("status", "running")
    assert exports() == lobby
    host.click("End game")
    host.click("Yes, end the game")
    host.wait_text("status", "ended")
    assert exports() == lobby, "the export buttons were replaced when the game ended"


def test_a_hidden_horizon_shows_the_week_alone(classroom, tabs):
    t = classroom.create_session("classic", weeks=12, hide_horizon=True)
    ann = join(tabs, t.code, "Ann")
    classroom.start(t.code, t.host_key)
    ann.wait_text("week", "week 1")
    assert ann.text("week") == "week 1" and "12" not in ann.text("week")


def test_the_host_page_asks_for_the_teacher_password_when_the_server_has_one(tmp_path, tabs):
    from chaingame.classroom import Classroom
    from chaingame.classroom.process import set_classroom

    room = Classroom(tmp_path / "locked.sqlite3", teacher_password="owl")
    set_classroom(room)
    try:
        host = tabs("/host")
        host.click("Create session")
        host.wait_text("error", "password: is not the teacher password")
        assert not host.has("join-code")
        host.fill("Teacher password (set when the server started)", "owl")
        host.click("Create session")
        host.wait(lambda: host.has("join-code"), "the new session's dashboard")
    finally:
        set_classroom(None)
        room.close()
