"""Rounds, the demand reveal and the debrief's insight, through the service and its SQLite log."""

import sqlite3
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from chaingame.checks import ScenarioError
from chaingame.classroom import AlreadySubmitted, Classroom, Forbidden, InputError, report
from chaingame.classroom.records import session_record
from chaingame.engine import COLUMNS
from chaingame.insight import replay

from .conftest import play, seat_all

WEEKS = 16


def two_rounds(room):
    """Round 1 in silo, round 2 with POS sharing: the same four players."""
    host = room.create_session("classic", weeks=WEEKS, information="silo")
    tickets = seat_all(room, host.code)
    room.start(host.code, host.host_key)
    play(room, tickets, WEEKS)
    room.end(host.code, host.host_key)
    assert room.start_round(host.code, host.host_key, information="pos") == 2
    assert room.host_view(host.code, host.host_key).status == "lobby"
    room.start(host.code, host.host_key)
    play(room, tickets, WEEKS, rule=lambda team, firm, week: 4 + week % 3)
    room.end(host.code, host.host_key)
    return host, tickets


def test_round_two_keeps_the_seats_and_the_demand_and_changes_the_information(room):
    host, tickets = two_rounds(room)
    v = room.seat_view(tickets["retailer"].token)
    assert v.information == "pos" and v.player == "P-1-retailer" and len(v.history) == WEEKS
    d = room.debrief(host.code, host.host_key)
    h = d.all_history
    assert sorted(h["round"].unique()) == [1, 2] and d.round == 2
    demand = h[h.firm == "retailer"].pivot(index="week", columns="round", values="customer_demand")
    np.testing.assert_array_equal(demand[1], demand[2])  # the same customer demand
    assert not np.array_equal(h[h["round"] == 1]["order"], h[h["round"] == 2]["order"])
    assert (d.history["round"] == 2).all()
    rounds = d.rounds
    assert set(rounds["round"]) == {1, 2}
    assert rounds[rounds["round"] == 2]["changes"].iloc[0] == "information = pos"
    team = rounds[rounds.firm == "team"].set_index("round")["cost"]
    for r in (1, 2):
        assert team[r] == pytest.approx(h[h["round"] == r]["cost"].sum())
    export = pd.read_csv(__import__("io").BytesIO(room.export(host.code, host.host_key, "csv")))
    assert list(export.columns[:3]) == ["session", "round", "team"] and len(export) == 2 * WEEKS * 4


def test_rounds_survive_a_restart(db):
    room = Classroom(db)
    host, _ = two_rounds(room)
    before = room.debrief(host.code, host.host_key)
    room.close()
    again = Classroom(db)
    after = again.debrief(host.code, host.host_key)
    cols = ["round", "team", "week", "firm", "order", *COLUMNS]
    pd.testing.assert_frame_equal(after.all_history[cols], before.all_history[cols])
    assert again.host_view(host.code, host.host_key).round == 2
    again.close()



def test_the_next_round_of_a_session_read_back_from_the_database(db):
    room = Classroom(db)
    host = room.create_session("classic", weeks=WEEKS)
    tickets = seat_all(room, host.code)
    room.start(host.code, host.host_key)
    play(room, tickets, WEEKS)
    room.end(host.code, host.host_key)
    room.close()
    again = Classroom(db)  # an ended session is not loaded at start
    assert host.code not in again._sessions
    assert again.start_round(host.code, host.host_key, information="pos") == 2
    assert host.code in again._sessions  # live again: its players play on with their tokens
    again.start(host.code, host.host_key)
    play(again, tickets, 3)
    assert again.seat_view(tickets["factory"].token).week == 4
    again.end(host.code, host.host_key)
    h = again.debrief(host.code, host.host_key).all_history
    assert h.groupby("round")["week"].max().to_dict() == {1: WEEKS, 2: 3}
    again.close()

def test_insight_of_each_ended_game(room):
    host, _ = two_rounds(room)
    d = room.debrief(host.code, host.host_key)
    assert {(i.round, i.team) for i in d.insight} == {(1, 1), (2, 1)}
    one = next(i for i in d.insight if i.round == 1)
    assert [r.firm for r in one.rules] == ["retailer", "wholesaler", "distributor", "factory"]
    for r in one.rules:
        assert r.players == f"P-1-{r.firm}"
        assert r.words.startswith("You counted") if r.identified else "do not pin down" in r.words
    assert list(one.externalities.columns) == ["retailer", "wholesaler", "distributor", "factory", "team"]
    assert one.recorded_cost == pytest.approx(d.all_history[d.all_history["round"] == 1]["cost"].sum())
    assert one.best_cost <= one.recorded_cost and "Sterman's family" in one.best
    again = room.debrief(host.code, host.host_key)  # cached: the very same objects
    assert again.insight[0] is d.insight[0]


def test_the_record_of_round_two_replays_its_history(db):
    room = Classroom(db)
    host, _ = two_rounds(room)
    played = room.debrief(host.code, host.host_key).history
    room.close()
    rec = session_record(db, host.code, 1, round=2)
    again = replay(rec)
    for c in COLUMNS:
        np.testing.assert_array_equal(again[c].to_numpy(), played[c].to_numpy(), err_msg=c)


def test_round_rules(room):
    host = room.create_session("classic", weeks=4)
    with pytest.raises(Forbidden, match=r"still playing round 1 \(status: lobby"):
        room.start_round(host.code, host.host_key, information="pos")
    room.start(host.code, host.host_key)  # every seat a bot: the game plays through
    assert room.host_view(host.code, host.host_key).status == "ended"
    with pytest.raises(ScenarioError, match=r'^information: "nope" is not allowed'):
        room.start_round(host.code, host.host_key, information="nope")
    with pytest.raises(ScenarioError, match=r"^links\.0\.shiping_delay: unknown field"):
        room.start_round(host.code, host.host_key, {"links.*.shiping_delay": 1})
    with pytest.raises(Forbidden):
        room.start_round(host.code, "wrong key", information="pos")
    assert room.start_round(host.code, host.host_key, {"links.*.shipping_delay": 1}, seed=7) == 2
    v = room.host_view(host.code, host.host_key)
    assert v.round == 2 and "links.*.shipping_delay = 1" in v.changes and "seed = 7" in v.changes


def test_the_demand_reveal(db):
    room = Classroom(db)
    host = room.create_session("classic", weeks=WEEKS)
    tickets = seat_all(room, host.code)
    room.start(host.code, host.host_key)
    t = tickets["wholesaler"].token
    assert not room.reveal_view(t).open
    with pytest.raises(Forbidden, match=r"^shape: the demand reveal opens when your team's game is over"):
        room.reveal(t, "flat")
    play(room, tickets, WEEKS)
    assert room.reveal_view(t).open
    with pytest.raises(ScenarioError, match=r'^shape: "wobbly" is not allowed'):
        room.reveal(t, "wobbly")
    with pytest.raises(InputError, match=r"^numbers: "):
        room.reveal(t, "random", "4, lots")
    v = room.reveal(t, "random", "4, 12")
    assert (v.shape, v.numbers) == ("random", (4.0, 12.0))
    assert room.reveal(t, "random", [4, 12]).shape == "random"  # a repeat is harmless
    with pytest.raises(AlreadySubmitted):
        room.reveal(t, "flat")
    room.close()
    again = Classroom(db)
    assert again.reveal_view(t).shape == "random"
    r = again.debrief(host.code, host.host_key).reveals
    assert r.to_dict("records") == [{"round": 1, "team": 1, "firm": "wholesaler", "player": "P-1-wholesaler",
                                     "shape": "random", "numbers": "4, 12", "true_shape": "step up",
                                     "truth": "4 a week in weeks 1-4, then 8 a week in weeks 5-16"}]
    again.close()


def to_schema_1(path):
    """Turn a database back into schema 1 (before rounds): decisions and weeks without a round."""
    con = sqlite3.connect(path)
    con.executescript("""
        DROP TRIGGER decisions_no_update; DROP TRIGGER decisions_no_delete;
        CREATE TABLE d1 AS SELECT id, code, team, week, firm, decided_by, reason, player, order_qty, capacity,
            submitted_at FROM decisions;
        CREATE TABLE w1 AS SELECT code, team, week, opened_at, deadline FROM weeks;
        DROP TABLE decisions; DROP TABLE weeks; DROP TABLE rounds; DROP TABLE reveals;
        ALTER TABLE d1 RENAME TO decisions; ALTER TABLE w1 RENAME TO weeks;
        UPDATE meta SET value = '1' WHERE key = 'schema';
    """)
    con.close()


def test_a_schema_1_database_is_migrated_and_plays_on(db):
    room = Classroom(db)
    host = room.create_session("classic", weeks=WEEKS)
    tickets = seat_all(room, host.code)
    room.start(host.code, host.host_key)
    play(room, tickets, 6)
    before = room.debrief(host.code, host.host_key).history
    room.close()
    to_schema_1(db)
    again = Classroom(db)
    assert sqlite3.connect(db).execute("SELECT value FROM meta WHERE key='schema'").fetchone() == ("2",)
    after = again.debrief(host.code, host.host_key).history
    pd.testing.assert_frame_equal(after, before)
    play(again, tickets, 2)
    assert again.seat_view(tickets["retailer"].token).week == 9
    again.close()


def test_teams_that_played_alike_share_one_insight_under_their_own_numbers(room):
    """Bot teams play the same game: one computation serves them, each under its own team, as if computed alone."""
    host = room.create_session("classic", teams=3, weeks=20)
    three = seat_all(room, host.code, team=3, firms=("retailer",))  # team 3 plays another game
    room.start(host.code, host.host_key)
    play(room, three, 20)
    d = room.debrief(host.code, host.host_key)
    one, two, other = sorted(d.insight, key=lambda i: i.team)
    assert (one.team, two.team, other.team) == (1, 2, 3)
    assert [r.team for r in two.rules] == [2] * 4 and [r.team for r in one.rules] == [1] * 4
    assert replace(two, team=1, rules=tuple(replace(r, team=1) for r in two.rules), externalities=None) == \
        replace(one, externalities=None)
    assert other.recorded_cost != one.recorded_cost and other.rules[0].players == "P-3-retailer"
    report.clear_cache()
    s = room._session(host.code)
    alone = report.team_insight(host.code, 1, 2, s.scenario, s.seed, report.orders_of(s.teams[2]),
                                room._players_of(s, 1, 2, s.teams[2]))
    assert alone is not two and alone == replace(two, externalities=alone.externalities)
    pd.testing.assert_frame_equal(alone.externalities, two.externalities, check_exact=True)
