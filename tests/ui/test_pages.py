"""The pages of several players and the host, each in its own virtual kernel, sharing one classroom."""

from __future__ import annotations

import json
import threading
import time

from .conftest import host_storage


def join(tabs, code: str, name: str, **kwargs):
    tab = tabs(f"/?code={code}", **kwargs)
    tab.fill("Your name", name)
    tab.click("Join")
    tab.wait(lambda: tab.has("seat"), f"{name}'s seat")
    return tab


def order(tab, value: str = "4"):
    tab.fill("Order (units)", value)
    tab.click("Submit order")


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
    assert "2 player(s) joined" in host.text("status")
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
    host.click("End game")
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
    state = retailer.page_state()
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
