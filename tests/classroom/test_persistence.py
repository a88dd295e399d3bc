"""Event sourcing: the database is the record; a new Classroom on the same file continues the games."""

import sqlite3

import pytest

from chaingame.classroom import Classroom, Forbidden, InputError, Status

from .conftest import play, seat_all, state_columns


def rule(team, firm, week):
    return 3 + (week * 5 + team + len(firm)) % 9


def test_a_restart_mid_week_continues_identically(db, tmp_path):
    # the game played without a break
    steady = Classroom(tmp_path / "steady.db")
    # the same game, with the server stopped twice, once half-way through a week
    first = Classroom(db)
    runs = []
    for room in (steady, first):
        host = room.create_session("classic", teams=2, seed=7)
        seats = {t: seat_all(room, host.code, team=t) for t in (1, 2)}
        room.start(host.code, host.host_key)
        runs.append((room, host, seats))
    for room, _, seats in runs:
        for t in (1, 2):
            play(room, seats[t], 10, rule)
        for f in ("retailer", "factory"):  # half of week 11 of team 1
            v = room.seat_view(seats[1][f].token)
            room.submit(seats[1][f].token, v.week, rule(1, f, v.week))
    _, host, seats = runs[1]
    before = first.host_view(host.code, host.host_key)
    first.close()

    second = Classroom(db)
    after = second.host_view(host.code, host.host_key)
    assert after == before  # weeks, who has submitted, who waits, costs, seats, players
    assert after.teams[0].waiting == ("wholesaler", "distributor")
    v = second.seat_view(seats[1]["retailer"].token)
    assert (v.week, v.decision.order, v.can_submit) == (11, rule(1, "retailer", 11), False)
    with pytest.raises(InputError):
        second.submit(seats[1]["wholesaler"].token, 11, -5)  # bad input after a restart changes nothing
    second.close()

    third = Classroom(db)
    for room, seats_ in ((steady, runs[0][2]), (third, seats)):
        for t in (1, 2):
            play(room, seats_[t], 36, rule)
    a = state_columns(steady.debrief(runs[0][1].code, runs[0][1].host_key).history).drop(columns="session")
    b = state_columns(third.debrief(host.code, host.host_key).history).drop(columns="session")
    assert len(a) == 2 * 36 * 4
    assert a.equals(b)
    assert third.host_view(host.code, host.host_key).status == "ended"


def test_every_session_seat_and_decision_is_reloaded(db):
    room = Classroom(db)
    lobby = room.create_session("classic", title="Not started")
    paused = room.create_session("capacity", teams=2, timer_seconds=90, bot_rule={"rule": "pass_through"})
    alice = room.join(paused.code, "Alice", team=2, firm="manufacturer")
    bob = room.join(lobby.code, "Bob")
    room.start(paused.code, paused.host_key)
    room.submit(alice.token, 1, 8, capacity=11)
    room.submit(alice.token, 2, 9)
    room.pause(paused.code, paused.host_key)
    views = (room.host_view(lobby.code, lobby.host_key), room.host_view(paused.code, paused.host_key),
             room.seat_view(alice.token), room.seat_view(bob.token))
    room.close()

    again = Classroom(db)
    assert (again.host_view(lobby.code, lobby.host_key), again.host_view(paused.code, paused.host_key),
            again.seat_view(alice.token), again.seat_view(bob.token)) == views
    with pytest.raises(Forbidden, match="paused"):
        again.submit(alice.token, 3, 8)
    again.resume_session(paused.code, paused.host_key)
    assert again.submit(alice.token, 3, 8).week == 4


def test_decisions_are_append_only(room, db):
    host = room.create_session("classic")
    alice = room.join(host.code, "Alice")
    room.start(host.code, host.host_key)
    room.submit(alice.token, 1, 4)
    con = sqlite3.connect(db)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        con.execute("UPDATE decisions SET order_qty = 99")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        con.execute("DELETE FROM decisions")
    assert con.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    rows = con.execute("SELECT week, firm, decided_by, reason, player, order_qty FROM decisions ORDER BY id").fetchall()
    assert rows[3] == (1, "retailer", "human", "player", "Alice", 4.0)  # the bots decided when the week opened
    assert {r[2:5] for r in rows[:3] + rows[4:]} == {("bot", "bot_seat", None)}
    assert [r[0] for r in rows] == [1] * 4 + [2] * 3  # week 2 opened: its bots decided at once


def test_bad_input_leaves_the_record_untouched(room, db):
    host = room.create_session("classic")
    seats = seat_all(room, host.code)
    room.start(host.code, host.host_key)
    play(room, seats, 6)
    con = sqlite3.connect(db)
    stored = con.execute("SELECT * FROM decisions ORDER BY id").fetchall()
    t = seats["retailer"].token
    for bad in ("", "x", -1, 2.5, 10**9, None, float("nan"), {"order": 3}):
        with pytest.raises(InputError):
            room.submit(t, 7, bad)
    assert con.execute("SELECT * FROM decisions ORDER BY id").fetchall() == stored
    assert room.seat_view(t).can_submit


def test_a_week_interrupted_between_its_last_decision_and_the_next_week_is_completed_on_load(db):
    """If the process dies after the last decision of a week was stored, the next start closes the week."""
    room = Classroom(db)
    host = room.create_session("classic")
    seats = seat_all(room, host.code)
    room.start(host.code, host.host_key)
    play(room, seats, 3)
    room.close()
    con = sqlite3.connect(db)  # what a crash would leave: week 4 fully decided, week 5 not opened
    for f in ("retailer", "wholesaler", "distributor", "factory"):
        con.execute("INSERT INTO decisions (code, team, week, firm, decided_by, reason, player, order_qty, capacity, "
                    "submitted_at) VALUES (?, 1, 4, ?, 'human', 'player', ?, 4, ?, 0)",
                    (host.code, f, f"P-1-{f}", float("inf") if f == "factory" else None))
    con.commit()
    again = Classroom(db)
    v = again.seat_view(seats["retailer"].token)
    assert v.week == 5 and v.can_submit and len(v.history) == 4
    assert again.host_view(host.code, host.host_key).teams[0].deadline is None


def test_a_session_that_cannot_be_loaded_does_not_stop_the_others(db):
    room = Classroom(db)
    good = room.create_session("classic")
    bad = room.create_session("classic")
    room.close()
    con = sqlite3.connect(db)
    con.execute("UPDATE sessions SET scenario_table = '{\"weeks\": 0}' WHERE code = ?", (bad.code,))
    con.commit()
    again = Classroom(db)
    assert again.host_view(good.code, good.host_key).status == "lobby"
    with pytest.raises(Exception, match=rf"^code: session {bad.code} could not be loaded"):
        again.host_view(bad.code, bad.host_key)


def test_an_overdue_timer_gets_a_grace_period_after_a_restart(db):
    room = Classroom(db)
    host = room.create_session("classic", timer_seconds=20)
    alice = room.join(host.code, "Alice")
    room.start(host.code, host.host_key, fill_with_bots=False)
    deadline = room.seat_view(alice.token).deadline
    room.close()
    con = sqlite3.connect(db)
    con.execute("UPDATE weeks SET deadline = deadline - 1000")  # the server was down for a long time
    con.commit()
    again = Classroom(db)
    later = again.seat_view(alice.token).deadline
    assert later >= deadline - 1  # not timed out at once: players get time to reconnect
    assert again.tick(now=later - 0.1) == 0


def test_a_status_is_stored_as_its_text_and_read_back_from_it(db):
    """The file holds "lobby", "running", "paused", "ended" (as every version wrote them); they load as Status."""
    room = Classroom(db)
    lobby = room.create_session("classic")
    host = room.create_session("classic")
    room.join(host.code, "Ann")  # a human seat: the bots cannot play the game to its end at once
    room.start(host.code, host.host_key)
    room.pause(host.code, host.host_key)
    room.close()
    file = sqlite3.connect(db)
    assert file.execute("SELECT code, status, typeof(status) FROM sessions ORDER BY code").fetchall() == sorted(
        [(lobby.code, "lobby", "text"), (host.code, "paused", "text")])
    details = file.execute("SELECT detail FROM events WHERE code=? AND kind IN ('start', 'pause') ORDER BY id",
                           (host.code,)).fetchall()
    assert details == [('{"status": "running"}',), ('{"status": "paused"}',)]
    with file:
        file.execute("UPDATE sessions SET status='ended' WHERE code=?", (lobby.code,))
    file.close()

    again = Classroom(db)
    views = again.host_view(lobby.code, lobby.host_key), again.host_view(host.code, host.host_key)
    assert [(type(v.status), v.status) for v in views] == [(Status, Status.ENDED), (Status, Status.PAUSED)]
    assert again.debrief(lobby.code).status == "ended"  # the debrief is open to players once ended
    again.close()
