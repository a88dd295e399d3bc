"""Submitting orders: validation at the door, one decision per seat and week, the week's advance."""

import secrets
import sqlite3

import numpy as np
import pytest

from chaingame.classroom import AlreadySubmitted, Forbidden, InputError, NotFound, WrongWeek

from .conftest import seat_all


@pytest.fixture
def game(room):
    """A running classic game, week 5 (orders no longer fixed), one human (the retailer), bots elsewhere."""
    host = room.create_session("classic")
    alice = room.join(host.code, "Alice")
    room.start(host.code, host.host_key)
    for week in range(1, 5):
        room.submit(alice.token, week, 4)
    return host, alice


@pytest.mark.parametrize("value, message", [
    (None, r"^order: is empty \(allowed: whole numbers 0 to 1000\)$"),
    ("", r"^order: is empty \(allowed: whole numbers 0 to 1000\)$"),
    ("   ", r"^order: is empty"),
    ("twelve", r'^order: "twelve" is not a number \(allowed: whole numbers 0 to 1000\)$'),
    ("1,5", r'^order: "1,5" is not a number'),
    ([4], r"^order: \[4\] is not a number"),
    (True, r"^order: true is not a number"),
    ("nan", r'^order: "nan" is not a number'),
    (float("nan"), r"^order: nan is not a finite number"),
    (float("inf"), r"^order: inf is not a finite number"),
    (-3, r"^order: -3 is below 0 \(allowed: whole numbers 0 to 1000\)$"),
    ("-1", r"^order: -1 is below 0"),
    (2.5, r"^order: 2.5 is not a whole number \(allowed: whole numbers 0 to 1000\)$"),
    ("7.25", r"^order: 7.25 is not a whole number"),
    (1001, r"^order: 1001 is above 1000 \(allowed: whole numbers 0 to 1000\)$"),
    ("1e6", r"^order: 1000000 is above 1000"),
])
def test_bad_orders_are_refused_with_one_line_naming_the_field(room, game, value, message):
    host, alice = game
    with pytest.raises(InputError, match=message) as e:
        room.submit(alice.token, 5, value)
    assert "\n" not in str(e.value)
    v = room.seat_view(alice.token)
    assert v.can_submit and v.decision is None  # nothing was recorded


def test_orders_typed_as_text_or_numbers_are_read(room, game):
    host, alice = game
    v = room.submit(alice.token, 5, " 12 ")  # the only human: the week closes at once
    assert (v.week, v.history[-1].order, v.history[-1].decided_by) == (6, 12.0, "human")
    v = room.submit(alice.token, 6, np.int64(9))
    assert (v.week, v.history[-1].order) == (7, 9.0)
    assert room.submit(alice.token, 7, 3.0).history[-1].order == 3.0


def test_fixed_weeks_take_exactly_the_fixed_order(room):
    host = room.create_session("classic")
    alice = room.join(host.code, "Alice")
    room.start(host.code, host.host_key)
    v = room.seat_view(alice.token)
    assert v.fixed_order == 4.0
    fixed = r"^order: 8 is not this week's order, fixed at 4 by the scenario \(allowed: 4\)$"
    with pytest.raises(InputError, match=fixed):
        room.submit(alice.token, 1, 8)
    room.submit(alice.token, 1, "4")
    assert room.seat_view(alice.token).week == 2


def test_an_identical_repeat_is_harmless_and_a_different_one_is_refused(room, db):
    host = room.create_session("classic")
    seats = seat_all(room, host.code)
    room.start(host.code, host.host_key)
    room.submit(seats["retailer"].token, 1, 4)
    room.submit(seats["retailer"].token, 1, "4")  # a double click
    with pytest.raises(AlreadySubmitted, match=r"^order: week 1 is already decided \(4\); a decision cannot change$"):
        room.submit(seats["retailer"].token, 1, 5)
    for f in ("wholesaler", "distributor", "factory"):
        room.submit(seats[f].token, 1, 4)
    assert room.seat_view(seats["retailer"].token).week == 2
    room.submit(seats["retailer"].token, 1, 4)  # a repeat that arrives after the week closed
    with pytest.raises(WrongWeek, match=r"^week: 1 is already played by team 1 \(current: 2\)$"):
        room.submit(seats["retailer"].token, 1, 7)
    rows = sqlite3.connect(db).execute("SELECT week, firm FROM decisions WHERE firm='retailer'").fetchall()
    assert rows == [(1, "retailer")]


def test_only_the_current_week_is_accepted(room, game):
    host, alice = game
    with pytest.raises(WrongWeek, match=r"^week: 6 is not the current week of team 1 \(current: 5\)$"):
        room.submit(alice.token, 6, 4)
    with pytest.raises(WrongWeek, match=r"^week: 0 is not a week of the game \(allowed: 1 to 36\)$"):
        room.submit(alice.token, 0, 4)
    with pytest.raises(InputError, match=r'^week: "five" is not a week number'):
        room.submit(alice.token, "five", 4)
    assert room.submit(alice.token, "5", 4).week == 6  # the week as text from a form


def test_the_week_advances_when_every_human_has_submitted(room):
    host = room.create_session("classic", teams=2)
    seats = seat_all(room, host.code)
    other = room.join(host.code, "Solo", team=2, firm="distributor")
    room.start(host.code, host.host_key)
    waits = []
    for f in ("retailer", "wholesaler", "distributor"):
        v = room.submit(seats[f].token, 1, 4)
        waits.append((v.week, v.waiting))
    assert waits == [(1, 3), (1, 2), (1, 1)]  # still waiting for the factory
    v = room.submit(seats["factory"].token, 1, 4)
    assert (v.week, v.waiting, v.can_submit) == (2, 4, True)
    assert room.seat_view(seats["retailer"].token).week == 2
    hv = room.host_view(host.code, host.host_key)
    assert [t.week for t in hv.teams] == [2, 1]  # teams go at their own pace
    assert hv.teams[1].waiting == ("distributor",)
    room.submit(other.token, 1, 4)  # the three bots of team 2 decided at once; its only human closes the week
    assert room.host_view(host.code, host.host_key).teams[1].week == 2


def test_bots_fill_empty_seats_at_start(room):
    host = room.create_session("classic")
    alice = room.join(host.code, "Alice", firm="distributor")
    hv = room.host_view(host.code, host.host_key)
    assert hv.status == "lobby" and hv.free_seats == 3
    room.start(host.code, host.host_key)
    hv = room.host_view(host.code, host.host_key)
    assert [s.mode for s in hv.teams[0].seats] == ["bot", "bot", "human", "bot"]
    assert hv.teams[0].waiting == ("distributor",) and hv.free_seats == 0
    room.submit(alice.token, 1, 4)
    assert room.seat_view(alice.token).week == 2


def test_without_bots_an_empty_seat_waits_for_a_player(room):
    host = room.create_session("classic")
    alice = room.join(host.code, "Alice")
    room.start(host.code, host.host_key, fill_with_bots=False)
    room.submit(alice.token, 1, 4)
    assert room.host_view(host.code, host.host_key).teams[0].waiting == ("wholesaler", "distributor", "factory")
    late = room.join(host.code, "Late")  # joins mid-game
    assert room.seat_view(late.token).can_submit


def test_orders_are_refused_unless_the_session_runs(room):
    host = room.create_session("classic")
    alice = room.join(host.code, "Alice")
    with pytest.raises(Forbidden, match=r"^session: \w+ has not started yet \(orders are accepted while it runs\)$"):
        room.submit(alice.token, 1, 4)
    room.start(host.code, host.host_key)
    room.pause(host.code, host.host_key)
    assert not room.seat_view(alice.token).can_submit
    with pytest.raises(Forbidden, match=r"^session: \w+ is paused by the host"):
        room.submit(alice.token, 1, 4)
    room.resume_session(host.code, host.host_key)
    room.submit(alice.token, 1, 4)
    room.end(host.code, host.host_key)
    with pytest.raises(Forbidden, match=r"^session: \w+ has ended"):
        room.submit(alice.token, 2, 4)
    with pytest.raises(Forbidden, match=r"^code: session \w+ has ended"):
        room.join(host.code, "Late")


def test_producers_decide_capacity(room):
    host = room.create_session("capacity")
    m = room.join(host.code, "Maker", firm="manufacturer")
    s = room.join(host.code, "Sup", firm="supplier")
    room.start(host.code, host.host_key)
    v = room.seat_view(m.token)
    assert v.decides_capacity and v.observation.capacity == 10.0
    assert not room.seat_view(s.token).decides_capacity
    with pytest.raises(InputError, match=r"^capacity: -1 is below 0 \(allowed: 0 to 1000\)$"):
        room.submit(m.token, 1, 8, capacity=-1)
    with pytest.raises(InputError, match=r'^capacity: "12" given, but supplier does not decide a capacity'):
        room.submit(s.token, 1, 8, capacity="12")
    assert room.submit(m.token, 1, 8, capacity="12.5").decision.capacity_target == 12.5
    room.submit(s.token, 1, 8)
    room.submit(m.token, 2, 8)  # no capacity: the last target stands
    room.submit(s.token, 2, 8)
    h = room.debrief(host.code, host.host_key).history
    made = h[h.firm == "manufacturer"].capacity_target.tolist()
    assert made == [12.5, 12.5]
    assert np.isinf(h[h.firm == "supplier"].capacity_target).all()  # unlimited, not the player's to decide


def test_max_order_is_a_session_setting(room):
    host = room.create_session("classic", max_order=50)
    alice = room.join(host.code, "Alice")
    room.start(host.code, host.host_key)
    for week in range(1, 5):
        room.submit(alice.token, week, 4)
    with pytest.raises(InputError, match=r"^order: 51 is above 50"):
        room.submit(alice.token, 5, 51)
    assert room.seat_view(alice.token).max_order == 50


def test_a_forged_or_unknown_token_is_refused_and_nothing_is_stored(room, db):
    host = room.create_session("classic")
    alice = room.join(host.code, "Alice")
    room.start(host.code, host.host_key)
    con = sqlite3.connect(db)
    stored = con.execute("SELECT * FROM decisions ORDER BY id").fetchall()
    assert stored, "the bots' decisions of week 1 are in the file"
    (alice_hash,) = con.execute("SELECT token_hash FROM players WHERE name = 'Alice'").fetchone()
    last = alice.token[-1]
    forged = [
        secrets.token_urlsafe(16),  # a well-formed token nobody was given
        alice.token[:-1] + ("A" if last != "A" else "B"),  # one character off
        alice.token + "x",
        alice_hash,  # what the database holds: a hash is not a token
        host.host_key,  # the host's key is not a seat
        host.code,
        "", " ", None, 42, b"bytes",
    ]
    for token in forged:
        with pytest.raises(NotFound, match=r"^token: is not a seat of any session"):
            room.submit(token, 1, 4)
        with pytest.raises(NotFound):
            room.seat_view(token)
    assert con.execute("SELECT * FROM decisions ORDER BY id").fetchall() == stored
    v = room.seat_view(alice.token)
    assert (v.week, v.decision, v.can_submit) == (1, None, True)  # her seat is still hers to decide
    room.submit(alice.token, 1, 4)
    assert con.execute("SELECT COUNT(*) FROM decisions WHERE player = 'Alice'").fetchone() == (1,)


def test_the_team_turn_changes_with_the_teams_week_not_with_a_teammates_order(room):
    host = room.create_session("classic")
    seats = seat_all(room, host.code)
    room.start(host.code, host.host_key)
    before = room.team_turn(host.code, 1)
    room.submit(seats["retailer"].token, 1, 4)
    assert room.team_turn(host.code, 1) == before  # a teammate's order: the week stays
    for firm in ("wholesaler", "distributor", "factory"):
        room.submit(seats[firm].token, 1, 4)
    assert room.team_turn(host.code, 1) == (before[0], before[1], 2, False)
    with pytest.raises(InputError, match=r"^team: 2 is not a team of session .* \(allowed: 1 to 1\)$"):
        room.team_turn(host.code, 2)
