"""The host: creating sessions, starting, pausing, ending, advancing a stuck team, timers."""

import sqlite3
import time

import pytest

from chaingame.checks import ScenarioError
from chaingame.classroom import Forbidden, InputError

from .conftest import order, seat_all

UPLOADED = (__import__("chaingame").scenario.bundled()["classic"]).read_text()
BUNDLED = ", ".join(sorted(__import__("chaingame").scenario.bundled()))  # every bundled name, in order


@pytest.mark.parametrize("kwargs, message", [
    (dict(scenario="brewery"), rf'^scenario: "brewery" is not a bundled scenario \(allowed: {BUNDLED}'),
    (dict(scenario="/etc/passwd"), r"^scenario: .* is not a bundled scenario"),
    (dict(teams=0), r"^teams: 0 is below 1 \(allowed: whole numbers 1 to 100\)$"),
    (dict(teams=2.5), r"^teams: 2.5 is not a whole number \(allowed: whole numbers 1 to 100\)$"),
    (dict(information="gossip"), r'^information: "gossip" is not allowed \(allowed: "silo", "pos", "full"\)$'),
    (dict(weeks=0), r"^weeks: 0 is below 1"),
    (dict(weeks=521), r"^weeks: 521 is above 520"),
    (dict(timer_seconds=1), r"^timer_seconds: 1 is below 5"),
    (dict(bot_rule={"rule": "guess"}), r'^bot_rule\.rule: "guess" is not allowed \(allowed: "sterman", '),
    (dict(bot_rule={"rule": "sterman", "theta": 2}), r"^bot_rule\.theta: 2 is above 1"),
    (dict(bot_rule={"rule": "moving_average", "signal": "demand"}),
     r'^bot_rule\.signal: "demand" needs more information than "silo" \(allowed: "pos" or "full"\)$'),
    (dict(scenario_toml="weeks = ["), r"^scenario_toml: is not valid TOML"),
    (dict(scenario_toml=UPLOADED.replace("holding_cost = 0.5", "holding_cost = -1")),
     r"^defaults.holding_cost: -1 is below 0|^firms\.\w+\.holding_cost: -1 is below 0"),
    (dict(max_order=0), r"^max_order: 0 is not above 0"),
])
def test_bad_settings_name_the_field(room, kwargs, message):
    kwargs = {"scenario": "classic", **kwargs}
    with pytest.raises(ScenarioError, match=message):
        room.create_session(kwargs.pop("scenario"), **kwargs)


def test_an_uploaded_scenario_and_overrides(room):
    host = room.create_session("my-board", scenario_toml=UPLOADED, weeks=20, information="pos", title="Monday class")
    hv = room.host_view(host.code, host.host_key)
    assert (hv.scenario, hv.title, hv.weeks, hv.information) == ("my-board", "Monday class", 20, "pos")
    assert hv.bot_rule == "scenario rules"


def test_host_key_guards_every_host_verb(room):
    host = room.create_session("classic")
    for verb, args in [("host_view", ()), ("start", ()), ("pause", ()), ("resume_session", ()), ("end", ()),
                       ("advance", (1,)), ("set_seat", (1, "retailer", "bot")), ("release_seat", (1, "retailer")),
                       ("export", ())]:
        with pytest.raises(Forbidden, match=r"^host_key: is not the host key of session \w+$"):
            getattr(room, verb)(host.code, "wrong", *args)
    with pytest.raises(Forbidden, match=r"^session: \w+ has not ended"):
        room.debrief(host.code)  # players wait for the end
    room.debrief(host.code, host.host_key)  # the host may look any time


def test_host_advances_a_stuck_team(room):
    host = room.create_session("classic", teams=2)
    seats = seat_all(room, host.code)
    room.start(host.code, host.host_key)
    room.submit(seats["retailer"].token, 1, 4)  # three players of team 1 are away
    room.advance(host.code, host.host_key, 1)
    hv = room.host_view(host.code, host.host_key)
    assert hv.teams[0].week == 2 and hv.teams[1].done  # team 2 has only bots: it played through
    h = room.debrief(host.code, host.host_key).history
    week1 = h[(h.team == 1) & (h.week == 1)].set_index("firm")
    assert week1.decided_by.tolist() == ["human", "bot", "bot", "bot"]
    assert week1.reason.tolist() == ["player", "host", "host", "host"]
    assert week1.loc["wholesaler", "player"] == "P-1-wholesaler"  # whose seat the bot decided for
    v = room.seat_view(seats["wholesaler"].token)
    assert v.week == 2 and v.can_submit and v.history[-1].decided_by == "bot"


def test_all_bot_teams_play_through_and_the_session_ends_when_every_team_is_done(room):
    host = room.create_session("classic", teams=2)
    alice = room.join(host.code, "Alice", team=1)
    room.start(host.code, host.host_key)
    hv = room.host_view(host.code, host.host_key)
    assert [t.done for t in hv.teams] == [False, True] and hv.teams[1].week == 36
    for _ in range(36):
        v = room.seat_view(alice.token)
        room.submit(alice.token, v.week, order(v, 8))
    v = room.seat_view(alice.token)
    assert v.done and v.status == "ended" and v.debrief_ready and v.observation is None and len(v.history) == 36


def test_timer_expiry_lets_bots_decide_for_late_seats(room):
    host = room.create_session("classic", timer_seconds=60)
    seats = seat_all(room, host.code)
    room.start(host.code, host.host_key)
    v = room.submit(seats["retailer"].token, 1, 4)
    opened, deadline = v.deadline - 60, v.deadline
    assert room.tick(now=deadline - 0.5) == 0
    assert room.seat_view(seats["factory"].token).week == 1
    assert room.tick(now=deadline) == 3  # wholesaler, distributor and factory were late
    v = room.seat_view(seats["factory"].token)
    assert v.week == 2 and v.history[0].decided_by == "bot"
    assert v.deadline == pytest.approx(deadline + 60)  # the next week opened at the tick
    h = room.debrief(host.code, host.host_key).history
    assert set(h[h.firm != "retailer"].reason) == {"timer"}
    assert h.set_index("firm").loc["factory", "response_seconds"] == pytest.approx(deadline - opened)


def test_a_pause_stops_the_clock(room, db):
    host = room.create_session("classic", timer_seconds=30)
    alice = room.join(host.code, "Alice")
    room.start(host.code, host.host_key, fill_with_bots=False)
    deadline = room.seat_view(alice.token).deadline
    before_pause = time.time()
    room.pause(host.code, host.host_key)
    assert room.host_view(host.code, host.host_key).teams[0].deadline is None
    assert room.tick(now=deadline + 1000) == 0  # paused: nobody is timed out
    while time.time() < before_pause + 0.3:  # let the pause last a measurable while (not a synchronisation)
        time.sleep(0.02)
    room.resume_session(host.code, host.host_key)
    after_resume = time.time()
    later = room.seat_view(alice.token).deadline
    # pause and resume read the real clock: the time given back is the pause's length, as the log has it
    con = sqlite3.connect(db)
    (paused_at,), (resumed_at,) = con.execute(
        "SELECT at FROM events WHERE code = ? AND kind IN ('pause', 'resume') ORDER BY id", (host.code,)).fetchall()
    assert before_pause <= paused_at < resumed_at <= after_resume
    assert later - deadline == pytest.approx(resumed_at - paused_at, abs=1e-6)
    assert 0.3 <= later - deadline <= after_resume - before_pause
    assert con.execute("SELECT deadline FROM weeks WHERE code = ? AND week = 1", (host.code,)).fetchone() == (later,)
    assert room.tick(now=later - 0.1) == 0 and room.tick(now=later) == 4


def test_pause_resume_and_end_follow_the_session_life(room):
    host = room.create_session("classic")
    with pytest.raises(Forbidden, match=r"^session: \w+ is not running \(status: lobby\)$"):
        room.pause(host.code, host.host_key)
    with pytest.raises(Forbidden, match=r"is not paused"):
        room.resume_session(host.code, host.host_key)
    with pytest.raises(Forbidden, match=r"has not started yet"):
        room.advance(host.code, host.host_key, 1)
    room.start(host.code, host.host_key, fill_with_bots=False)
    with pytest.raises(Forbidden, match=r"has already started"):
        room.start(host.code, host.host_key)
    room.end(host.code, host.host_key)
    room.end(host.code, host.host_key)  # ending twice is harmless
    assert room.host_view(host.code, host.host_key).status == "ended"
    assert room.debrief(host.code).weeks_compared == 0  # open to players now, even with nothing played


def test_subscribers_hear_every_change_and_can_leave(room):
    host = room.create_session("classic")
    heard = []
    unsubscribe = room.subscribe(host.code, lambda: heard.append(1))
    alice = room.join(host.code, "Alice")
    room.start(host.code, host.host_key)
    room.submit(alice.token, 1, 4)
    assert len(heard) == 3
    unsubscribe()
    unsubscribe()
    room.submit(alice.token, 2, 4)
    assert len(heard) == 3


def test_a_failing_subscriber_does_not_break_the_game(room, caplog):
    host = room.create_session("classic")
    room.subscribe(host.code, lambda: 1 / 0)
    alice = room.join(host.code, "Alice")
    assert alice.firm == "retailer"
    assert "subscriber" in caplog.text


class Heard:
    """Subscribers of one session: one per team and one for the whole session; which were called by an action."""

    def __init__(self, room, code, teams):
        self.calls = {team: 0 for team in (*teams, None)}
        for team in self.calls:
            room.subscribe(code, lambda team=team: self._called(team), team=team)

    def _called(self, team):
        self.calls[team] += 1

    def by(self, action, *args, **kwargs) -> set:
        before = dict(self.calls)
        action(*args, **kwargs)
        return {team for team, n in self.calls.items() if n > before[team]}


def test_a_team_subscriber_hears_its_team_and_the_whole_session_only(room):
    host = room.create_session("classic", teams=2)
    code, key = host.code, host.host_key
    heard = Heard(room, code, (1, 2))
    seats = {}

    def join(name, team, firm):
        seats[name] = room.join(code, name, team=team, firm=firm).token

    assert heard.by(join, "Ann", 1, "retailer") == {1, None}
    assert heard.by(join, "Bob", 1, "wholesaler") == {1, None}
    assert heard.by(join, "Cy", 2, "retailer") == {2, None}
    assert heard.by(join, "Dee", 2, "wholesaler") == {2, None}
    assert heard.by(room.start, code, key) == {1, 2, None}  # the whole session: every page
    assert heard.by(room.submit, seats["Ann"], 1, 4) == {1, None}  # team 1's orders: not team 2's pages
    assert heard.by(room.submit, seats["Bob"], 1, 4) == {1, None}  # ... nor its week's close
    assert room.seat_view(seats["Ann"]).week == 2
    assert heard.by(room.submit, seats["Cy"], 1, 4) == {2, None}  # team 2's own orders reach team 2
    assert heard.by(room.pause, code, key) == {1, 2, None}
    assert heard.by(room.resume_session, code, key) == {1, 2, None}
    assert heard.by(room.advance, code, key, 2) == {2, None}  # Dee was late: team 2's week 1 closes
    assert room.seat_view(seats["Dee"]).week == 2
    assert heard.by(room.set_seat, code, key, 1, "distributor", "human") == {1, None}
    assert heard.by(room.release_seat, code, key, 2, "retailer") == {2, None}
    assert heard.by(room.set_seat, code, key, 2, "wholesaler", "bot") == {2, None}
    before = dict(heard.calls)
    with pytest.raises(InputError):
        room.submit(seats["Ann"], 2, 999999)
    assert heard.calls == before  # a refused order changes nothing: nobody is called
    assert heard.by(room.end, code, key) == {1, 2, None}
    with pytest.raises(InputError, match=r"^team: 3 is not a team of session"):
        room.subscribe(code, lambda: None, team=3)


def test_a_timer_heard_by_the_team_it_times_out_only(room):
    host = room.create_session("classic", teams=2, timer_seconds=60)
    ann = room.join(host.code, "Ann", team=1)
    room.join(host.code, "Bob", team=1)
    cy = room.join(host.code, "Cy", team=2)
    room.start(host.code, host.host_key)
    room.submit(cy.token, 1, 4)  # team 2's only human: its week 2 opens, with a later deadline
    room.submit(ann.token, 1, 4)
    teams = room.host_view(host.code, host.host_key).teams
    assert (teams[0].week, teams[1].week) == (1, 2) and teams[0].deadline < teams[1].deadline
    heard = Heard(room, host.code, (1, 2))
    assert heard.by(room.tick, now=teams[0].deadline) == {1, None}  # Bob is late; team 2 is not concerned
    assert room.seat_view(ann.token).week == 2
