"""Nothing one session does can freeze another: costs bounded up front, heavy work under the
session's own lock, ended sessions out of memory, a teacher password, one commit per seat change."""

import gc
import os
import sqlite3
import threading
import time
import weakref

import pytest

from chaingame.checks import ScenarioError
from chaingame.classroom import Classroom, Forbidden
from chaingame.classroom.inputs import MAX_SEAT_WEEKS, MAX_TEAM_WEEKS
from chaingame.classroom.service import ENDED_IN_MEMORY
from chaingame.serve import freeze_heap

from .conftest import seat_all


@pytest.fixture
def server_heap():
    """This process's heap as the server's is when it opens the classroom: frozen (:func:`chaingame.serve.freeze_heap`).

    Without it, the collector's full passes here would scan what every earlier test left (a CI run saw one take
    0.82 s while a restart replayed its sessions), which the server never holds.
    """
    freeze_heap()
    yield
    gc.unfreeze()


def test_a_large_sessions_start_does_not_delay_another_classs_submission(room, server_heap):
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


def another_class(room):
    """A running one-team class with one player, Alice (the others bots): returns her ticket."""
    small = room.create_session("classic", weeks=520)
    alice = room.join(small.code, "Alice", team=1, firm="retailer")
    room.start(small.code, small.host_key)
    return alice


def delays_while(room, alice, busy: threading.Thread) -> list[float]:
    """Alice submits week after week (50 ms apart) while ``busy`` runs; each submission's seconds.

    Should one be slow, the assertion can say why: the process's own CPU seconds over the slowest
    submission (far below its wall time: the machine's other processes had the cores) and the garbage
    collector's pauses meanwhile are kept in :data:`LAST_RUN`.
    """
    delays, slowest, pauses = [], (0.0, 0.0), []
    began = {}

    def timed(phase, info):
        if phase == "start":
            began["t"] = time.perf_counter()
        elif "t" in began:
            pauses.append((info["generation"], time.perf_counter() - began.pop("t")))

    gc.callbacks.append(timed)
    try:
        while busy.is_alive():
            view = room.seat_view(alice.token)
            t0, c0 = time.perf_counter(), time.process_time()
            room.submit(alice.token, view.week, view.fixed_order if view.fixed_order is not None else 5)
            took = time.perf_counter() - t0
            delays.append(took)
            if took > slowest[0]:
                slowest = (took, time.process_time() - c0)
            time.sleep(0.05)
    finally:
        gc.callbacks.remove(timed)
    LAST_RUN.update(slowest_cpu=slowest[1], gc_pauses=[(g, round(s, 3)) for g, s in pauses if s > 0.05],
                    load=os.getloadavg()[0])
    return delays


LAST_RUN: dict = {}  # what delays_while saw of its slowest submission (see there)


def test_a_crowd_opening_a_large_debrief_at_once_does_not_delay_another_classs_submission(room, server_heap):
    """Eight pages open the debrief of an ended 8-team, 52-week game at once: one computation, shared."""
    big = room.create_session("classic", teams=8, weeks=52)
    room.start(big.code, big.host_key)  # all bots: played to the end
    alice = another_class(room)
    got = []
    crowd = [threading.Thread(target=lambda: got.append(room.debrief(big.code))) for _ in range(8)]
    t0 = time.perf_counter()
    for th in crowd:
        th.start()
    watcher = threading.Thread(target=lambda: [th.join() for th in crowd])
    watcher.start()
    delays = delays_while(room, alice, watcher)
    took = time.perf_counter() - t0
    print(f"\n8 debriefs at once: {took:.2f} s; {len(delays)} submissions of another class meanwhile, "
          f"slowest {max(delays) * 1000:.0f} ms")
    assert len(got) == 8 and len(delays) >= 3
    assert max(delays) < 0.5, LAST_RUN
    assert all(d.insight is got[0].insight and d.all_history is got[0].all_history for d in got)  # computed once
    assert len(got[0].insight) == 8 and got[0].teams["weeks_played"].tolist() == [52] * 8


def test_a_restart_on_many_live_sessions_does_not_delay_another_classs_submission(db, server_heap):
    """Four live 20-team sessions (19 teams played 52 weeks each) to replay: the server serves at once."""
    room = Classroom(db)
    alice = another_class(room)
    live = []
    for _ in range(4):
        h = room.create_session("classic", teams=20, weeks=52)
        room.join(h.code, "Ann", team=1, firm="retailer")
        room.start(h.code, h.host_key)  # team 1 waits for Ann in week 1; the bots play the others to the end
        live.append(h)
    room.close()
    t0 = time.perf_counter()
    room = Classroom(db)
    try:
        opened = time.perf_counter() - t0
        loader = threading.Thread(target=room.wait_loaded)
        loader.start()
        delays = delays_while(room, alice, loader)
        loaded = time.perf_counter() - t0
        print(f"\nrestart: open {opened * 1000:.0f} ms, every session replayed after {loaded:.2f} s; "
              f"{len(delays)} submissions of another class meanwhile, slowest {max(delays) * 1000:.0f} ms")
        assert opened < 0.5 and len(delays) >= 3
        assert max(delays) < 0.5, LAST_RUN  # the process's CPU over it, GC pauses > 50 ms, load average
        assert {h.code for h in live} <= set(room._sessions)
        for h in live:
            weeks = [(t.week, t.done) for t in room.host_view(h.code, h.host_key).teams]
            assert weeks == [(1, False)] + [(52, True)] * 19
    finally:
        room.close()


def test_a_full_collection_does_not_grow_with_the_weeks_a_server_holds(room):
    """The garbage collector's full pass stops every thread: played weeks add (almost) nothing it tracks."""
    gc.collect()
    before = len(gc.get_objects())
    h = room.create_session("classic", teams=20, weeks=52)
    room.start(h.code, h.host_key)
    kept = room._session(h.code)
    assert sum(len(g.log) for g in kept.teams.values()) == 20 * 52
    gc.collect()
    per_team_week = (len(gc.get_objects()) - before) / (20 * 52)
    print(f"\n{per_team_week:.2f} objects tracked per team-week")
    assert per_team_week < 1.5  # a Decision object per seat and a dict per week were 5.4


def test_a_server_that_held_200_ended_sessions_keeps_only_the_last_few(room):
    refs = []
    for _ in range(200):
        h = room.create_session("classic", weeks=5)
        room.start(h.code, h.host_key)  # all bots: ended
        refs.append(weakref.ref(room._session(h.code)))
    gc.collect()
    alive = [r() is not None for r in refs]
    assert sum(alive) == ENDED_IN_MEMORY and all(alive[-ENDED_IN_MEMORY:])
    assert not room._sessions


def serial_chain(firms: int, weeks: int) -> str:
    """An uploaded scenario: ``firms`` firms in series, constant demand."""
    lines = [f"weeks = {weeks}", "[demand]", 'process = "constant"', "level = 4"]
    for i in range(1, firms + 1):
        role = "retailer" if i == 1 else "manufacturer" if i == firms else "wholesaler"
        lines += [f"[firms.f{i}]", f'role = "{role}"'] + (["production = { delay = 1 }"] if i == firms else [])
    for i in range(1, firms):
        lines += ["[[links]]", f'supplier = "f{i + 1}"', f'customer = "f{i}"']
    return "\n".join([*lines, "[[links]]", 'supplier = "source"', f'customer = "f{firms}"'])


def test_an_uploaded_chain_of_many_firms_is_bounded_by_its_seat_weeks_before_any_work(room, db):
    """1 team × 52 weeks is within the team-weeks, but 601 firms make it 31,252 seat-weeks (6 firms × 5,200 allowed)."""
    toml = serial_chain(601, 52)
    t0 = time.perf_counter()
    with pytest.raises(ScenarioError, match=rf"^teams: 1 teams × 601 firms × 52 weeks = 31252 seat-weeks is above "
                                            rf"{MAX_SEAT_WEEKS} \(allowed: teams × firms × weeks at most "):
        room.create_session("chain", scenario_toml=toml)
    assert time.perf_counter() - t0 < 5.0  # parsing is the only work; starting it would take a minute
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT COUNT(*) FROM sessions").fetchone() == (0,)
    host = room.create_session("chain", scenario_toml=serial_chain(6, 52), teams=100)  # the bound's own case
    assert len(room.host_view(host.code, host.host_key).teams) == 100
