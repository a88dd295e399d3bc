"""Nothing one session does can freeze another: costs bounded up front, heavy work under the
session's own lock, ended sessions out of memory, a teacher password, one commit per seat change."""

import sqlite3
import threading
import time

import pytest

from chaingame.checks import ScenarioError
from chaingame.classroom import Classroom, Forbidden
from chaingame.classroom.inputs import MAX_TEAM_WEEKS

from .conftest import seat_all


def test_a_large_sessions_start_does_not_delay_another_classs_submission(room):
    """A 30-team, 52-week all-bot start (a lecture hall's year) runs while another class submits."""
    big = room.create_session("classic", teams=30, weeks=52)
    small = room.create_session("classic")
    alice = room.join(small.code, "Alice", team=1, firm="retailer")
    room.start(small.code, small.host_key)
    started = threading.Event()
    took = {}

    def start_big():
        started.set()
        t0 = time.perf_counter()
        room.start(big.code, big.host_key)
        took["start"] = time.perf_counter() - t0

    th = threading.Thread(target=start_big)
    th.start()
    started.wait()
    delays, week = [], 1
    while th.is_alive() and week <= 36:
        view = room.seat_view(alice.token)
        t0 = time.perf_counter()
        room.submit(alice.token, view.week, view.fixed_order if view.fixed_order is not None else 5)
        delays.append(time.perf_counter() - t0)
        week += 1
        time.sleep(0.05)
    th.join()
    print(f"\nlarge start: {took['start']:.2f} s; {len(delays)} submissions of another class meanwhile, "
          f"slowest {max(delays) * 1000:.0f} ms, median {sorted(delays)[len(delays) // 2] * 1000:.0f} ms")
    assert len(delays) >= 3, "the large start ended before the other class could submit: nothing measured"
    assert max(delays) < 0.5
    assert room.host_view(big.code, big.host_key).status == "ended"


@pytest.mark.parametrize("kwargs", [dict(teams=100, weeks=53), dict(teams=11, weeks=500)])
def test_what_a_session_may_cost_is_checked_before_any_work(room, db, kwargs):
    t0 = time.perf_counter()
    with pytest.raises(ScenarioError, match=rf"^teams: .* is above {MAX_TEAM_WEEKS} \(allowed: teams × weeks "
                                            rf"at most {MAX_TEAM_WEEKS}"):
        room.create_session("classic", **kwargs)
    assert time.perf_counter() - t0 < 0.5
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT COUNT(*) FROM sessions").fetchone() == (0,)


def test_ended_sessions_leave_memory_and_are_not_replayed_at_start(db):
    room = Classroom(db)
    ended, live = room.create_session("classic", teams=2), room.create_session("classic")
    alice = room.join(ended.code, "Alice", team=1, firm="retailer")
    room.start(ended.code, ended.host_key)
    room.end(ended.code, ended.host_key)
    before = room.debrief(ended.code, ended.host_key).teams
    room.close()

    room = Classroom(db)
    try:
        assert room.wait_loaded(30)
        assert set(room._sessions) == {live.code}  # only the session not ended is replayed
        assert not room._ended
        assert room.seat_view(alice.token).debrief_ready  # a player's page reads it back on demand
        assert room.debrief(ended.code).teams.equals(before)
        assert set(room._ended) == {ended.code}
    finally:
        room.close()


def commits(statements: list[str]) -> int:
    """Transactions among traced statements: each BEGIN..COMMIT, and each write outside one (autocommit)."""
    n, inside = 0, False
    for sql in statements:
        word = sql.split(None, 1)[0].upper()
        if word == "BEGIN":
            inside = True
        elif word in ("COMMIT", "ROLLBACK"):
            inside, n = False, n + (word == "COMMIT")
        elif not inside and word in ("INSERT", "UPDATE", "DELETE"):
            n += 1
    return n


def test_handing_a_seat_to_a_bot_is_one_commit(room, db):
    host = room.create_session("classic")
    tickets = seat_all(room, host.code)
    room.start(host.code, host.host_key)
    traced = []
    room._store.db.set_trace_callback(traced.append)
    room.set_seat(host.code, host.host_key, 1, "factory", "bot")
    room._store.db.set_trace_callback(None)
    seat_change = traced[:traced.index("COMMIT") + 1]  # then the bot decides the week (the decision's own commit)
    assert commits(seat_change) == 1
    assert any("released_at" in sql for sql in seat_change) and any("UPDATE seats" in sql for sql in seat_change)
    with sqlite3.connect(db) as c:
        assert c.execute("SELECT released_by FROM players WHERE firm='factory'").fetchone() == ("bot",)
        assert c.execute("SELECT mode FROM seats WHERE firm='factory'").fetchone() == ("bot",)
    with pytest.raises(Forbidden, match="handed this seat to a bot"):
        room.seat_view(tickets["factory"].token)


def test_creating_a_session_needs_the_teacher_password_when_one_is_set(db):
    room = Classroom(db, teacher_password="owl")
    try:
        assert room.needs_password
        for wrong in (None, "", "OWL", "\ud800"):
            with pytest.raises(Forbidden, match=r"^password: is not the teacher password \(allowed: "):
                room.create_session("classic", password=wrong)
        host = room.create_session("classic", password="owl")
        assert room.join_view(host.code).status == "lobby"
    finally:
        room.close()
    open_room = Classroom(db)
    try:
        assert not open_room.needs_password
        open_room.create_session("classic")
    finally:
        open_room.close()


def test_a_hidden_horizon_is_not_in_a_players_view_but_the_host_sees_it(db):
    room = Classroom(db)
    host = room.create_session("classic", weeks=12, hide_horizon=True)
    alice = room.join(host.code, "Alice", team=1, firm="retailer")
    room.start(host.code, host.host_key)
    view = room.seat_view(alice.token)
    assert view.weeks is None and view.week == 1
    hv = room.host_view(host.code, host.host_key)
    assert hv.weeks == 12 and hv.horizon_hidden
    room.close()
    room = Classroom(db)  # stored with the session
    try:
        assert room.seat_view(alice.token).weeks is None
        shown = room.create_session("classic", weeks=12)
        bob = room.join(shown.code, "Bob")
        assert room.seat_view(bob.token).weeks == 12
        with pytest.raises(ScenarioError, match=r"^hide_horizon: \"yes\" is not true or false"):
            room.create_session("classic", hide_horizon="yes")
        room.end(host.code, host.host_key)
        assert room.seat_view(alice.token).weeks == 12  # the game is over: nothing left to hide
    finally:
        room.close()
