"""Many browsers at once: threads submitting, a timer thread ticking, subscribers called outside the lock."""

import sqlite3
import threading

import numpy as np

from chaingame.classroom import AlreadySubmitted, Classroom
from chaingame.engine import COLUMNS, Engine

from .conftest import seat_all, state_columns

FIRMS = ("retailer", "wholesaler", "distributor", "factory")
WEEKS = 12


def rule(team, firm, week):
    return 4 if week <= 4 else 2 + (week * 7 + team * 3 + len(firm)) % 11


def test_twelve_players_in_three_teams_submit_from_their_own_threads(db):
    room = Classroom(db)
    host = room.create_session("classic", teams=3, weeks=WEEKS, timer_seconds=3600)
    seats = [t for team in (1, 2, 3) for t in seat_all(room, host.code, team=team).values()]
    changed = threading.Condition()

    def wake():
        with changed:
            changed.notify_all()

    room.subscribe(host.code, wake)
    room.start(host.code, host.host_key)
    errors, stop = [], threading.Event()

    def player(t):
        try:
            for week in range(1, WEEKS + 1):
                with changed:
                    assert changed.wait_for(lambda w=week: room.seat_view(t.token).week >= w, timeout=20)
                room.submit(t.token, week, rule(t.team, t.firm, week))
                room.submit(t.token, week, rule(t.team, t.firm, week))  # a double click, possibly after the close
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    def server_clock():
        while not stop.is_set():
            room.tick()
            stop.wait(0.002)

    threads = [threading.Thread(target=player, args=(t,)) for t in seats]
    clock = threading.Thread(target=server_clock)
    for th in [*threads, clock]:
        th.start()
    for th in threads:
        th.join(timeout=60)
    stuck = [th.name for th in threads if th.is_alive()]
    stop.set()
    clock.join(timeout=10)
    assert not stuck, f"player threads still running after 60 s: {stuck}"
    assert not clock.is_alive(), "the ticking thread did not stop"
    assert not errors, errors
    assert room.host_view(host.code, host.host_key).status == "ended"
    rows = sqlite3.connect(db).execute("SELECT COUNT(*), COUNT(DISTINCT team || week || firm) FROM decisions")
    assert rows.fetchone() == (3 * WEEKS * 4, 3 * WEEKS * 4)
    h = room.debrief(host.code, host.host_key).history
    assert set(h.decided_by) == {"human"} and (h.response_seconds >= 0).all()
    for team in (1, 2, 3):  # what the threads built is the engine fed the same orders
        engine = Engine(room._session(host.code).scenario, replications=1, seed=1)
        expected = []
        for week in range(1, WEEKS + 1):
            engine.begin_week()
            orders = np.array([[rule(team, f, week)] for f in FIRMS], float)
            books = engine.end_week(orders, np.array([[0.0], [0.0], [0.0], [np.inf]]))
            expected.append(np.column_stack([books[c][:, 0] for c in COLUMNS]))
        assert np.allclose(h[h.team == team][list(COLUMNS)].to_numpy(float), np.vstack(expected), equal_nan=True)
    room.close()
    again = Classroom(db)
    assert state_columns(again.debrief(host.code).history).equals(state_columns(h))


def test_the_same_seat_from_many_threads_records_one_decision(room, db):
    host = room.create_session("classic")
    seats = seat_all(room, host.code)
    room.start(host.code, host.host_key)
    barrier = threading.Barrier(16)
    outcomes = []

    def click(value):
        barrier.wait()
        try:
            room.submit(seats["retailer"].token, 1, value)
            outcomes.append(("ok", value))
        except AlreadySubmitted:
            outcomes.append(("refused", value))

    threads = [threading.Thread(target=click, args=(4,)) for _ in range(16)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=30)
    assert not any(th.is_alive() for th in threads), "a submitting thread is stuck"
    assert outcomes == [("ok", 4)] * 16  # identical repeats are all accepted, once stored
    rows = sqlite3.connect(db).execute("SELECT COUNT(*) FROM decisions WHERE firm='retailer'").fetchone()
    assert rows == (1,)


def test_subscribers_are_called_outside_the_lock(room):
    """A callback that waits for another thread using the service must not deadlock."""
    host = room.create_session("classic")
    finished, blocked = [], []

    def callback():  # the service logs and swallows what a callback raises: record, assert below
        other = threading.Thread(target=lambda: finished.append(room.host_view(host.code, host.host_key).status))
        other.start()
        other.join(timeout=5)
        blocked.append(other.is_alive())

    room.subscribe(host.code, callback)
    room.join(host.code, "Alice")
    room.start(host.code, host.host_key)
    assert blocked == [False, False], "the service lock was held while calling subscribers"
    assert finished == ["lobby", "running"]
