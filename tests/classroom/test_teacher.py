"""The teacher in control: latecomers, pacing, a message, reopening, duplicating, the list of sessions."""

import json
import sqlite3
import time

import pytest

from chaingame.checks import ScenarioError
from chaingame.classroom import Classroom, Forbidden, InputError, Status

from .conftest import order, play, seat_all, state_columns


def submit(room, ticket, wanted=6):
    v = room.seat_view(ticket.token)
    return room.submit(ticket.token, v.week, order(v, wanted))


# latecomers -------------------------------------------------------------------------------------------
def test_a_latecomer_takes_over_a_bot_held_seat_from_the_week_the_bot_has_not_decided(room, db):
    host = room.create_session("classic", teams=1)
    alice = room.join(host.code, "Alice", firm="retailer")
    room.start(host.code, host.host_key, latecomers=True)
    seats = room.host_view(host.code, host.host_key).teams[0].seats
    assert [s.mode for s in seats] == ["human", "open", "open", "open"]
    assert room.join_view(host.code).free == ((1, "wholesaler"), (1, "distributor"), (1, "factory"))
    assert room.seat_view(alice.token).waiting == 1  # the open seats wait for the team's human
    play(room, {"retailer": alice}, 2)  # weeks 1-2: the bots decide the open seats once Alice has
    assert room.seat_view(alice.token).week == 3
    bob = room.join(host.code, "Bob")  # week 3 is open and its wholesaler not decided: Bob plays it
    assert (bob.firm, room.seat_view(bob.token).can_submit) == ("wholesaler", True)
    submit(room, alice)
    assert room.seat_view(alice.token).week == 3  # now the team waits for Bob
    submit(room, bob)
    assert room.seat_view(bob.token).week == 4
    history = room.seat_view(bob.token).history
    assert [w.decided_by for w in history] == ["bot", "bot", "human"]
    again = Classroom(db)  # the seat is Bob's after a restart too, and the team waits for him
    try:
        hv = again.host_view(host.code, host.host_key)
        assert [s.mode for s in hv.teams[0].seats] == ["human", "human", "open", "open"]
        submit(again, alice)
        assert again.seat_view(bob.token).can_submit and again.host_view(host.code, host.host_key).teams[0].week == 4
    finally:
        again.close()


def test_without_latecomers_free_seats_are_bots_for_the_whole_game(room):
    host = room.create_session("classic", teams=1)
    room.join(host.code, "Alice")
    room.start(host.code, host.host_key)
    assert room.join_view(host.code).free == ()


def test_start_checks_its_switches(room):
    host = room.create_session("classic")
    with pytest.raises(InputError, match=r'^latecomers: "yes" is not true or false \(allowed: true, false\)$'):
        room.start(host.code, host.host_key, latecomers="yes")
    assert room.host_view(host.code, host.host_key).status == Status.LOBBY


# pacing -----------------------------------------------------------------------------------------------
def test_pacing_in_step_holds_a_team_until_every_team_has_finished_the_week(room):
    host = room.create_session("classic", teams=3, pacing="in_step")
    one, two = seat_all(room, host.code, team=1), seat_all(room, host.code, team=2)
    room.start(host.code, host.host_key)  # team 3 is all bots: it too waits for the class
    weeks = lambda: [t.week for t in room.host_view(host.code, host.host_key).teams]  # noqa: E731
    assert weeks() == [1, 1, 1]
    play(room, one, 1)
    assert weeks() == [1, 1, 1] and room.seat_view(one["retailer"].token).waiting == 0
    play(room, two, 1)
    assert weeks() == [2, 2, 2]
    play(room, two, 1)
    play(room, one, 1)
    assert weeks() == [3, 3, 3]


def test_pacing_teacher_closes_weeks_only_at_the_hosts_button(room):
    host = room.create_session("classic", teams=2, pacing="teacher")
    one = seat_all(room, host.code, team=1)
    alice = room.join(host.code, "Alice", team=2, firm="retailer")
    room.start(host.code, host.host_key)
    play(room, one, 1)
    assert [t.week for t in room.host_view(host.code, host.host_key).teams] == [1, 1]
    assert room.next_week(host.code, host.host_key) == 1  # Alice had not decided: the bot did
    hv = room.host_view(host.code, host.host_key)
    assert [t.week for t in hv.teams] == [2, 2]
    h = room.debrief(host.code, host.host_key).history
    late = h[(h.team == 2) & (h.week == 1) & (h.firm == "retailer")]
    assert list(late.reason) == ["host"]
    assert room.seat_view(alice.token).can_submit


def test_next_week_belongs_to_the_teacher_pacing(room):
    host = room.create_session("classic")
    room.join(host.code, "Alice")
    room.start(host.code, host.host_key)
    with pytest.raises(Forbidden, match=r"^pacing: session \w+ paces weeks by 'orders', not by the host's button"):
        room.next_week(host.code, host.host_key)


def test_pacing_timer_closes_a_complete_week_at_its_deadline_only(room):
    host = room.create_session("classic", pacing="timer", timer_seconds=30)
    tickets = seat_all(room, host.code)
    room.start(host.code, host.host_key)
    play(room, tickets, 1)
    view = room.seat_view(tickets["retailer"].token)
    assert (view.week, view.waiting, view.can_submit) == (1, 0, False)
    room.tick(time.time() + 10)
    assert room.seat_view(tickets["retailer"].token).week == 1
    room.tick(time.time() + 31)
    assert room.seat_view(tickets["retailer"].token).week == 2


@pytest.mark.parametrize("pacing, timer, message", [
    ("fast", None, r'^pacing: "fast" is not allowed \(allowed: "orders", "timer", "teacher", "in_step"\)$'),
    ("timer", None, r"^pacing: 'timer' closes each week when its timer runs out, but timer_seconds is empty "
                    r"\(allowed: a timer of 5 to 86400 s, or pacing 'orders', 'teacher', 'in_step'\)$"),
    (3, None, r'^pacing: 3 is not allowed'),
])
def test_a_bad_pacing_is_one_line(room, pacing, timer, message):
    with pytest.raises(ScenarioError, match=message):
        room.create_session("classic", pacing=pacing, timer_seconds=timer)


@pytest.mark.parametrize("pacing", ["teacher", "in_step"])
def test_a_held_week_stays_held_after_a_restart_and_the_record_replays(db, pacing):
    room = Classroom(db)
    host = room.create_session("classic", teams=2, pacing=pacing)
    one, two = seat_all(room, host.code, team=1), seat_all(room, host.code, team=2)
    room.start(host.code, host.host_key)
    for _ in range(3):
        play(room, one, 1)
        play(room, two, 1)
        if pacing == "teacher":
            room.next_week(host.code, host.host_key)
    play(room, one, 1)  # team 1 has decided week 4; the week is held
    before = [t.week for t in room.host_view(host.code, host.host_key).teams]
    room.close()
    again = Classroom(db)
    try:
        assert before == [4, 4] == [t.week for t in again.host_view(host.code, host.host_key).teams]
        assert again.seat_view(one["retailer"].token).waiting == 0
        again.end(host.code, host.host_key)
        h = state_columns(again.debrief(host.code).history)
    finally:
        again.close()
    third = Classroom(db)  # an ended session read back gives the same record
    try:
        assert state_columns(third.debrief(host.code).history).equals(h)
        assert h.week.max() == 3
    finally:
        third.close()


# a message to every player ---------------------------------------------------------------------------
def test_the_hosts_message_reaches_every_seat_and_survives_a_restart(room, db):
    host = room.create_session("classic", teams=2)
    a, b = room.join(host.code, "A"), room.join(host.code, "B", team=2)
    seen = []
    room.subscribe(host.code, lambda: seen.append(1), team=2)
    room.message(host.code, host.host_key, "  Two   minutes left  ")
    assert room.seat_view(a.token).message == room.seat_view(b.token).message == "Two minutes left"
    assert seen and room.host_view(host.code, host.host_key).message == "Two minutes left"
    again = Classroom(db)
    try:
        assert again.seat_view(a.token).message == "Two minutes left"
        again.message(host.code, host.host_key, "")
        assert again.seat_view(a.token).message == ""
    finally:
        again.close()


def test_a_rounds_message_is_not_shown_in_the_next_round_but_stays_in_the_log(room, db):
    host = room.create_session("classic", weeks=2)
    tickets = seat_all(room, host.code)
    room.start(host.code, host.host_key)
    room.message(host.code, host.host_key, "Round 1: watch your backlog")
    play(room, tickets, 2)
    room.end(host.code, host.host_key)
    ann = tickets["retailer"].token
    assert room.seat_view(ann).message == "Round 1: watch your backlog"  # the round's debrief time: still shown
    seen = []
    room.subscribe(host.code, lambda: seen.append(1), team=1)
    assert room.start_round(host.code, host.host_key, information="pos") == 2
    assert seen  # the pages are told, and read no message
    assert room.seat_view(ann).message == room.host_view(host.code, host.host_key).message == ""
    room.start(host.code, host.host_key)
    assert room.seat_view(ann).message == ""
    room.close()
    again = Classroom(db)  # a restart replays the log: the round-1 message is still not shown
    try:
        assert again.seat_view(ann).message == ""
        again.message(host.code, host.host_key, "Round 2: POS is shared")
        assert again.seat_view(ann).message == "Round 2: POS is shared"
    finally:
        again.close()
    third = Classroom(db)
    try:
        assert third.seat_view(ann).message == "Round 2: POS is shared"
    finally:
        third.close()
    with sqlite3.connect(db) as con:  # history: every message is kept, in the order sent
        logged = [json.loads(d)["text"] for (d,) in
                  con.execute("SELECT detail FROM events WHERE code=? AND kind='message' ORDER BY id", (host.code,))]
    assert logged == ["Round 1: watch your backlog", "Round 2: POS is shared"]


def test_a_message_sent_between_rounds_belongs_to_the_next_round(db):
    room = Classroom(db)
    host = room.create_session("classic", weeks=1)
    tickets = seat_all(room, host.code)
    room.start(host.code, host.host_key)
    play(room, tickets, 1)
    room.end(host.code, host.host_key)
    room.close()
    again = Classroom(db)  # the ended session read back from the database, then its next round
    try:
        again.start_round(host.code, host.host_key)
        again.message(host.code, host.host_key, "Same game, once more")  # in round 2's lobby
        again.start(host.code, host.host_key)
        assert again.seat_view(tickets["factory"].token).message == "Same game, once more"
    finally:
        again.close()
    third = Classroom(db)
    try:
        assert third.seat_view(tickets["factory"].token).message == "Same game, once more"
    finally:
        third.close()


@pytest.mark.parametrize("text, message", [
    (None, r"^message: None is not text \(allowed: text of at most 300 characters\)$"),
    ("x" * 301, r"^message: has 301 characters \(allowed: at most 300\)$"),
    ("a\x07b", r'^message: "a\\u0007b" holds control characters \(allowed: printable text\)$'),
    ("a\ud800", r"^message: .* holds .*\\ud800.*, which is not a character"),
])
def test_a_bad_message_is_one_line(room, text, message):
    host = room.create_session("classic")
    with pytest.raises(InputError, match=message):
        room.message(host.code, host.host_key, text)


# reopen, extend, duplicate, the list --------------------------------------------------------------------
def test_an_ended_session_reopens_where_its_teams_stopped(room):
    host = room.create_session("classic")
    tickets = seat_all(room, host.code)
    room.start(host.code, host.host_key)
    play(room, tickets, 3)
    room.end(host.code, host.host_key)
    with pytest.raises(Forbidden, match=r"^session: \w+ has ended"):
        submit(room, tickets["retailer"])
    assert room.reopen(host.code, host.host_key) == 36
    assert room.seat_view(tickets["retailer"].token).week == 4
    play(room, tickets, 1)
    assert room.seat_view(tickets["retailer"].token).week == 5
    with pytest.raises(Forbidden, match=r"^session: \w+ has not ended \(status: running; allowed: reopen an ended"):
        room.reopen(host.code, host.host_key)


def test_more_weeks_extend_a_finished_game_and_keep_the_weeks_played(room, db):
    host = room.create_session("stochastic", weeks=10, bot_rule={"rule": "sterman"})
    tickets = seat_all(room, host.code, firms=("retailer",))
    room.start(host.code, host.host_key)
    play(room, tickets, 10)
    assert room.host_view(host.code, host.host_key).status == Status.ENDED
    played = state_columns(room.debrief(host.code).history)
    with pytest.raises(InputError, match=r"^more_weeks: 0: every team has played all 10 weeks"):
        room.reopen(host.code, host.host_key)
    assert room.reopen(host.code, host.host_key, more_weeks=4) == 14
    view = room.seat_view(tickets["retailer"].token)
    assert (view.week, view.weeks, view.can_submit) == (11, 14, True)
    play(room, tickets, 4)
    h = state_columns(room.debrief(host.code).history)
    assert h.week.max() == 14 and h[h.week <= 10].reset_index(drop=True).equals(played)
    again = Classroom(db)  # the longer horizon is the stored one
    try:
        assert state_columns(again.debrief(host.code).history).equals(h)
    finally:
        again.close()


def test_a_scenario_whose_played_weeks_depend_on_the_horizon_is_not_extended(room):
    host = room.create_session("batching", weeks=12)
    room.start(host.code, host.host_key)  # all bots: played at once
    with pytest.raises(InputError, match=r"^more_weeks: 3: the weeks already played of scenario batching would "
                                         r"change on a longer horizon"):
        room.reopen(host.code, host.host_key, more_weeks=3)
    assert room.host_view(host.code, host.host_key).status == Status.ENDED


@pytest.mark.parametrize("value, message", [
    (-1, r"^more_weeks: -1 is below 0 \(allowed: whole numbers 0 to 484"),
    (10**6, r"^more_weeks: 1000000 is above 484"),
    (2.5, r"^more_weeks: 2\.5 is not a whole number"),
    ("²", r"^more_weeks: \"²\" is not a whole number"),
])
def test_bad_more_weeks_are_one_line(room, value, message):
    host = room.create_session("classic")
    room.start(host.code, host.host_key)  # all bots: played to the end at once
    with pytest.raises(InputError, match=message):
        room.reopen(host.code, host.host_key, more_weeks=value)


def test_duplicate_makes_a_new_session_with_the_same_settings(tmp_path):
    room = Classroom(tmp_path / "c.db", teacher_password="s3cret")
    try:
        host = room.create_session("classic", teams=3, pacing="in_step", title="Ops 101", hide_horizon=True,
                                   weeks=20, timer_seconds=60, password="s3cret")
        room.join(host.code, "Alice")
        room.start(host.code, host.host_key)
        with pytest.raises(Forbidden, match=r"^password: is not the teacher password"):
            room.duplicate(host.code, host.host_key)
        copy = room.duplicate(host.code, host.host_key, password="s3cret")
        a, b = room.host_view(host.code, host.host_key), room.host_view(copy.code, copy.host_key)
        assert copy.code != host.code and b.status == Status.LOBBY
        same = ("title", "scenario", "information", "weeks", "seed", "timer_seconds", "bot_rule", "pacing",
                "horizon_hidden")
        assert [getattr(a, f) for f in same] == [getattr(b, f) for f in same] and len(b.teams) == 3
        listed = room.sessions_of({host.code: host.host_key, copy.code: copy.host_key, "NOPE22": "x",
                                   "bad key": host.host_key})
        assert [(s.code, s.title, s.status) for s in listed] == [
            (copy.code, "Ops 101", Status.LOBBY), (host.code, "Ops 101", Status.RUNNING)]
        assert listed[0].created_at >= listed[1].created_at > 0
        assert [s.players for s in listed] == [0, 1]  # Alice, seated in the original
        assert room.sessions_of({host.code: copy.host_key}) == ()
    finally:
        room.close()


def test_a_duplicate_of_an_extended_session_has_its_weeks_and_the_plan_says_so(room, db):
    """The copy is the first round as the class played it: the weeks added by reopening it are kept."""
    host = room.create_session("classic", weeks=5, title="Monday")
    tickets = seat_all(room, host.code, firms=("retailer",))
    room.start(host.code, host.host_key)
    play(room, tickets, 5)
    plan = room.copy_plan(host.code, host.host_key)
    assert (plan.title, plan.scenario, plan.weeks, plan.weeks_added, plan.teams) == ("Monday", "classic", 5, 0, 1)
    assert room.reopen(host.code, host.host_key, more_weeks=3) == 8
    plan = room.copy_plan(host.code, host.host_key)
    assert (plan.weeks, plan.weeks_added) == (8, 3)
    copy = room.duplicate(host.code, host.host_key)
    view = room.host_view(copy.code, copy.host_key)
    assert (view.title, view.weeks, view.status) == ("Monday", 8, Status.LOBBY)
    plan = room.copy_plan(copy.code, copy.host_key)
    assert (plan.weeks, plan.weeks_added) == (8, 0)  # the copy is a session of 8 weeks, not an extended one
    play(room, tickets, 3)
    room.start_round(host.code, host.host_key, {"weeks": 4})  # a later round changes nothing of the copy
    room.start(host.code, host.host_key)
    play(room, tickets, 4)
    room.reopen(host.code, host.host_key, more_weeks=2)
    plan = room.copy_plan(host.code, host.host_key)
    assert (plan.weeks, plan.weeks_added) == (8, 3)
    again = Classroom(db)  # the weeks added are read back from the stored log
    try:
        plan = again.copy_plan(host.code, host.host_key)
        assert (plan.weeks, plan.weeks_added) == (8, 3)
        later = again.duplicate(host.code, host.host_key)
        assert again.host_view(later.code, later.host_key).weeks == 8
    finally:
        again.close()
    with pytest.raises(Forbidden, match=r"^host_key: is not the host key of session"):
        room.copy_plan(host.code, copy.host_key)


def test_players_of_the_same_name_are_told_apart_on_the_dashboard(room):
    host = room.create_session("classic")
    for name in ("Ana", "Ben", "ana"):
        room.join(host.code, name)
    seats = room.host_view(host.code, host.host_key).teams[0].seats
    assert [s.label for s in seats] == ["Ana #1", "Ben", "ana #2", None]


def test_a_session_stored_before_pacing_existed_loads_with_todays_pacing(db):
    import json
    import sqlite3

    room = Classroom(db)
    host = room.create_session("classic")
    tickets = seat_all(room, host.code)
    room.start(host.code, host.host_key)
    play(room, tickets, 2)
    room.close()
    with sqlite3.connect(db) as con:  # the settings as an earlier version wrote them: no "pacing"
        (raw,) = con.execute("SELECT settings FROM sessions WHERE code=?", (host.code,)).fetchone()
        old = {k: v for k, v in json.loads(raw).items() if k != "pacing"}
        con.execute("UPDATE sessions SET settings=? WHERE code=?", (json.dumps(old), host.code))
    again = Classroom(db)
    try:
        assert again.host_view(host.code, host.host_key).pacing == "orders"
        play(again, tickets, 1)
        assert again.seat_view(tickets["retailer"].token).week == 4
    finally:
        again.close()


def test_a_later_round_reopened_for_more_weeks_keeps_its_horizon_after_a_restart(db):
    room = Classroom(db)
    host = room.create_session("classic", weeks=4)
    tickets = seat_all(room, host.code, firms=("retailer",))
    room.start(host.code, host.host_key)
    play(room, tickets, 4)
    room.start_round(host.code, host.host_key, {"links.*.shipping_delay": 1})
    room.start(host.code, host.host_key)
    play(room, tickets, 4)
    assert room.reopen(host.code, host.host_key, more_weeks=2) == 6
    play(room, tickets, 1)
    room.close()
    again = Classroom(db)
    try:
        view = again.seat_view(tickets["retailer"].token)
        assert (view.week, view.weeks, view.can_submit) == (6, 6, True)
        assert again.host_view(host.code, host.host_key).round == 2
        h = again.debrief(host.code, host.host_key).all_history
        assert sorted(h.groupby("round").week.max().items()) == [(1, 4), (2, 5)]
    finally:
        again.close()


def test_reopening_a_large_session_for_more_weeks_does_not_delay_another_class(room):
    """The replay on the longer horizon runs off every lock; only the weeks added are played under the session's."""
    import threading

    big = room.create_session("classic", teams=30, weeks=40)
    room.start(big.code, big.host_key)  # all bots: played to the end
    small = room.create_session("classic")
    alice = room.join(small.code, "Alice", team=1, firm="retailer")
    room.start(small.code, small.host_key)
    took = {}

    def reopen():
        t0 = time.perf_counter()
        took["weeks"] = room.reopen(big.code, big.host_key, more_weeks=12)
        took["s"] = time.perf_counter() - t0

    th = threading.Thread(target=reopen)
    th.start()
    delays = []
    while th.is_alive() and len(delays) < 35:
        view = room.seat_view(alice.token)
        t0 = time.perf_counter()
        room.submit(alice.token, view.week, order(view, 5))
        delays.append(time.perf_counter() - t0)
        time.sleep(0.05)
    th.join()
    print(f"\nreopen of 30 teams × 40 weeks for 12 more: {took['s']:.2f} s; {len(delays)} submissions of another "
          f"class meanwhile, slowest {max(delays) * 1000:.0f} ms")
    assert len(delays) >= 3, "the reopen ended before the other class could submit: nothing measured"
    assert max(delays) < 0.5
    assert took["weeks"] == 52 and room.host_view(big.code, big.host_key).status == Status.ENDED
