"""The teacher in control, on the host page: confirmations, latecomers, pacing, the message, duplicate,
reopen, one line per team for a large class, and the create form's explanations."""

from __future__ import annotations

import json
import re

import ipyvuetify as v

from chaingame.classroom import Status

from .conftest import host_storage
from .test_pages import join, order


def toggle(tab, css_class: str, label: str):
    """Choose ``label`` in the toggle buttons of class ``css_class`` (what a click in the browser sets)."""
    with tab.context:
        tab.rc.find(v.BtnToggle, class_=css_class).widget.v_model = label


def dashboard(classroom, tabs, **settings):
    t = classroom.create_session("classic", **settings)
    return t, tabs(f"/host?code={t.code}", stored=host_storage(t))


def test_one_click_does_not_end_the_game_a_confirmation_does(classroom, tabs):
    t, host = dashboard(classroom, tabs)
    join(tabs, t.code, "Ann")
    host.click("Start")
    host.wait_text("status", "running")
    host.click("End game")
    host.wait(lambda: host.has("confirm"), "the question")
    assert "cannot order" in host.text("confirm")
    assert classroom.host_view(t.code, t.host_key).status == Status.RUNNING
    host.click("Cancel")
    host.wait(lambda: "End game" in host.buttons() and not host.has("confirm"), "the End game button again")
    assert classroom.host_view(t.code, t.host_key).status == Status.RUNNING
    host.click("End game")
    host.click("Yes, end the game")
    host.wait_text("status", "ended")


def test_the_lobby_offers_to_close_the_session_not_to_end_a_game(classroom, tabs):
    t, host = dashboard(classroom, tabs)
    join(tabs, t.code, "Ann")
    host.wait(lambda: "Start" in host.buttons(), "the lobby's controls")
    assert "Close session" in host.buttons() and "End game" not in host.buttons()
    host.click("Close session")
    host.wait(lambda: host.has("confirm"), "the question")
    assert "before it starts" in host.text("confirm")
    assert classroom.host_view(t.code, t.host_key).status == Status.LOBBY
    host.click("Yes, close it")
    host.wait_text("status", "ended")
    assert "Start" not in host.buttons() and "Close session" not in host.buttons()


def test_one_click_does_not_release_a_player(classroom, tabs):
    t, host = dashboard(classroom, tabs)
    ann = join(tabs, t.code, "Ann")
    host.wait(lambda: "release Ann" in host.buttons(), "the release button")
    host.click("release Ann")
    host.wait(lambda: "Yes, release Ann" in host.buttons(), "the confirmation")
    assert ann.has("seat") and classroom.host_view(t.code, t.host_key).players == 1
    host.click("Cancel")
    host.wait(lambda: "release Ann" in host.buttons(), "the release button again")
    assert classroom.host_view(t.code, t.host_key).players == 1


def test_a_latecomer_joins_a_seat_a_bot_held_since_the_start(classroom, tabs):
    t, host = dashboard(classroom, tabs)
    ann = join(tabs, t.code, "Ann")
    host.select("At start, free seats:", "a bot plays a free seat until a student takes it")
    host.click("Start")
    host.wait_text("status", "running")
    assert [s.mode for s in classroom.host_view(t.code, t.host_key).teams[0].seats] == ["human", "open", "open", "open"]
    ann.wait(lambda: "Submit order" in ann.buttons(), "the order form")
    order(ann)
    ann.wait_text("week", "week 2 of")  # the bots decided the open seats once Ann had
    bob = join(tabs, t.code, "Bob")
    assert bob.text("seat") == "Team 1 · wholesaler"
    bob.wait(lambda: "Submit order" in bob.buttons(), "Bob's order form in week 2")
    assert "week 2 of" in bob.text("week")


def test_the_teachers_button_moves_the_class_on(classroom, tabs):
    t, host = dashboard(classroom, tabs, teams=2, pacing="teacher")
    ann = join(tabs, t.code, "Ann")
    host.click("Start")
    host.wait(lambda: "Next week (bots decide for late seats)" in host.buttons(), "the Next week button")
    ann.wait(lambda: "Submit order" in ann.buttons(), "the order form")  # Ann's page renders in its own turn
    order(ann)
    ann.wait_text("state", "opens when the host moves the class on")
    assert "week 1 of" in ann.text("week")
    host.click("Next week (bots decide for late seats)")
    ann.wait_text("week", "week 2 of")


def test_the_hosts_message_reaches_the_players_pages(classroom, tabs):
    t, host = dashboard(classroom, tabs)
    ann = join(tabs, t.code, "Ann")
    host.fill("Message", "x" * 301)
    host.click("Send to every player")
    host.wait_text("error", "message: has 301 characters (allowed: at most 300)")
    assert not ann.has("host-message")
    host.fill("Message", "Order <b>now</b>")
    host.click("Send to every player")
    ann.wait_text("host-message", "From the host: Order &lt;b&gt;now&lt;/b&gt;")
    host.wait_text("message-now", "Order &lt;b&gt;now")
    host.click("Clear the message")
    ann.wait(lambda: not ann.has("host-message"), "the message gone")


def test_the_rounds_message_leaves_the_players_page_when_the_next_round_starts(classroom, tabs):
    t, host = dashboard(classroom, tabs, weeks=1)
    ann = join(tabs, t.code, "Ann")
    host.click("Start")
    host.fill("Message", "Round 1: watch your backlog")
    host.click("Send to every player")
    ann.wait_text("host-message", "From the host: Round 1: watch your backlog")
    order(ann)  # the one week played: the game is over, the message still on Ann's page
    classroom.end(t.code, t.host_key)
    host.wait(lambda: "Start round 2" in host.buttons(), "the next round's control")
    assert "Round 1: watch your backlog" in ann.text("host-message")
    host.click("Start round 2")
    host.wait_text("status", "lobby")
    ann.wait(lambda: not ann.has("host-message"), "round 1's message gone")
    host.wait(lambda: "Send to every player" in host.buttons(disabled=True) and not host.has("message-now"),
              "the message card without round 1's message")


def test_duplicate_opens_a_new_session_with_the_same_settings(classroom, tabs):
    t, host = dashboard(classroom, tabs, teams=2, weeks=9, pacing="in_step", title="Ops 101")
    host.click("Duplicate this session")
    host.wait(lambda: host.has("copy-plan"), "what the copy will be")
    assert "The copy: Ops 101 · classic · 9 weeks · 2 teams ·" in host.text("copy-plan")
    assert len(json.loads(host.stored())) == 1  # asked, not made yet
    host.click("Yes, create the copy")
    host.wait(lambda: host.has("join-code") and host.text("join-code") != t.code, "the copy's dashboard")
    code = host.text("join-code")
    keys = json.loads(host.stored())
    assert set(keys) == {t.code, code}
    copy = classroom.host_view(code, keys[code])
    assert (copy.title, copy.weeks, len(copy.teams), copy.pacing) == ("Ops 101", 9, 2, "in_step")
    front = tabs("/host", stored=host.stored())
    front.wait(lambda: front.has("sessions"), "the list of sessions")
    listed = front.text("sessions")
    assert listed.count("Ops 101") == 2 and code in listed and t.code in listed
    assert re.search(r"created \d{4}-\d\d-\d\d \d\d:\d\d", listed)


def test_an_ended_session_reopens_for_more_weeks(classroom, tabs):
    t, host = dashboard(classroom, tabs, weeks=5)
    ann = join(tabs, t.code, "Ann")
    classroom.start(t.code, t.host_key)
    for week in range(1, 6):
        ann.wait_text("week", f"week {week} of 5")
        ann.wait(lambda: "Submit order" in ann.buttons(), f"week {week}'s order form")  # the lobby shows week 1 too
        order(ann)
    host.wait(lambda: "Reopen the session" in host.buttons(), "the Reopen card")
    host.fill("More weeks", "x")
    host.click("Reopen the session")
    host.wait_text("error", "more_weeks:")
    host.fill("More weeks", "3")
    host.click("Reopen the session")
    host.wait_text("status", "running")
    ann.wait_text("week", "week 6 of 8")
    host.click("Duplicate this session")  # the copy keeps the weeks added, and says so
    host.wait(lambda: host.has("copy-plan"), "what the copy will be")
    assert "8 weeks (5 as created + 3 added when reopened)" in host.text("copy-plan")
    host.click("Cancel")
    host.wait(lambda: not host.has("copy-plan"), "the question gone")
    assert len(json.loads(host.stored())) == 1


def test_a_large_class_is_one_line_per_team_sortable_by_week_lag_and_cost(classroom, tabs):
    t, host = dashboard(classroom, tabs, teams=30, weeks=10)
    tickets = [classroom.join(t.code, f"P{n}", team=n, firm="retailer") for n in (1, 2, 3)]
    classroom.start(t.code, t.host_key)
    for n, ticket in enumerate(tickets):  # team 1 is 0 weeks in, team 2 one week, team 3 two weeks
        for _ in range(n):
            view = classroom.seat_view(ticket.token)
            classroom.submit(ticket.token, view.week, view.fixed_order or 4)

    def teams_in_order():
        return [int(x) for x in re.findall(r'data-team="(\d+)"', host.text("teams-table"))]

    host.wait(lambda: len(teams_in_order()) == 30 and "week 3" in host.text("teams-table"), "one line per team")
    assert not host.has("team-1-seats")  # no cards
    assert teams_in_order()[:3] == [1, 2, 3]
    toggle(host, "cg-sort", "lag")  # most behind first
    host.wait(lambda: teams_in_order()[:2] == [1, 2], "sorted by lag")
    row = re.search(r'<tr data-team="1">(.*?)</tr>', host.text("teams-table")).group(1)
    assert re.findall(r"<td[^>]*>(.*?)</td>", row)[1:4] == ["week 1", "9", "1: retailer"]  # all-bot teams are done
    toggle(host, "cg-sort", "week")  # furthest first: every all-bot team is done
    host.wait(lambda: teams_in_order()[-3:] == [3, 2, 1], "sorted by week")
    costs = {n: classroom.host_view(t.code, t.host_key).teams[n - 1].cost for n in range(1, 31)}
    toggle(host, "cg-sort", "cost")
    host.wait(lambda: teams_in_order()[0] == max(costs, key=lambda n: (costs[n], -n)), "sorted by cost")
    host.wait(lambda: host.has("teams-table"), "the table")
    host.select("Show one team's seats and actions", "Team 2")
    host.wait(lambda: host.has("team-2-seats"), "team 2's card")
    toggle(host, "cg-layout", "a card per team")
    host.wait(lambda: host.has("team-30-seats"), "a card per team")


def test_same_named_players_are_told_apart_on_the_dashboard(classroom, tabs):
    t, host = dashboard(classroom, tabs)
    for name in ("Ana", "Ana"):
        classroom.join(t.code, name)
    host.wait(lambda: "Ana #2" in host.text("team-1-seats"), "the players numbered")
    assert "Ana #1" in host.text("team-1-seats")
    host.wait(lambda: {"release Ana #1", "release Ana #2"} <= set(host.buttons()), "a release button each")


def test_the_create_form_explains_scenarios_information_and_pacing(classroom, tabs):
    host = tabs("/host")
    host.wait(lambda: host.has("scenario-description"), "the scenario's description")
    classic = host.text("scenario-description")
    assert "Sterman" in classic or "beer" in classic.lower()
    host.select("Scenario", "stochastic")
    host.wait(lambda: host.text("scenario-description") != classic, "the other scenario's description")
    helptext = host.text("information-help")
    assert all(f"{m}:" in helptext for m in ("silo", "pos", "full"))
    host.select("A week closes", "when the week's timer runs out (needs a timer)")
    host.click("Create session")
    host.wait_text("error", "closes each week when its timer runs out, but timer_seconds is empty")
    host.fill("Timer, seconds per week (empty: none)", "30")
    host.click("Create session")
    host.wait(lambda: host.has("join-code"), "the dashboard")
    code = host.text("join-code")
    view = classroom.host_view(code, json.loads(host.stored())[code])
    assert (view.scenario, view.pacing, view.timer_seconds) == ("stochastic", "timer", 30)


def test_an_open_list_of_sessions_follows_their_players_and_status_and_sends_nothing_unchanged(classroom, tabs,
                                                                                               monkeypatch):
    from chaingame.ui import host as host_page

    monkeypatch.setattr(host_page, "LIST_EVERY", 0.05)  # s: the page's period, shortened for the test
    t = classroom.create_session("classic", title="Ops 101")
    front = tabs("/host", stored=host_storage(t))
    front.wait(lambda: front.has("sessions"), "the list of sessions")
    assert "lobby · 0 players" in front.text("sessions")
    before = front.page_state()
    reads = []
    real = classroom.sessions_of
    monkeypatch.setattr(classroom, "sessions_of", lambda keys: reads.append(1) or real(keys))
    front.wait(lambda: len(reads) >= 5, "five reads of the list")
    assert front.page_state() == before  # nothing changed: nothing sent
    classroom.join(t.code, "Ann")
    front.wait(lambda: "lobby · 1 player" in front.text("sessions"), "the player in the list")
    classroom.start(t.code, t.host_key)
    front.wait(lambda: "running · 1 player" in front.text("sessions"), "the status in the list")
