"""Two paths, one game (style point 9).

- A team of bots in the classroom plays exactly the engine's (and the Mesa model's) run with the
  same rules and seed.
- The bots' decisions sent through the players' door give the same history as the bot seats.
- A team's replayed state equals an engine fed the team's logged decisions by hand.
"""

import numpy as np
import pandas as pd
import pytest

import chaingame as cg
from chaingame.batch import run_arrays, tidy
from chaingame.classroom import Classroom
from chaingame.classroom.inputs import bot_policies
from chaingame.engine import COLUMNS, Engine

from .conftest import seat_all, state_columns

CASES = [
    ("classic", None),
    ("classic", {"rule": "smoothing", "alpha": 0.3}),
    ("capacity", None),
    ("network", {"rule": "base_stock", "level": 30}),
    ("lead-time-variability", {"rule": "smoothing", "alpha": 0.3}),  # delays drawn from the session's seed
]
KEEP = ["week", "firm", "role", *COLUMNS]


def bot_team(room, scenario, rule, seed=3):
    host = room.create_session(scenario, bot_rule=rule, seed=seed)
    room.start(host.code, host.host_key)  # nobody joined: four bot seats play the whole game at once
    return host, room.debrief(host.code, host.host_key).history


@pytest.mark.parametrize("scenario, rule", CASES)
def test_a_team_of_bots_plays_the_engine_and_the_mesa_model(room, scenario, rule):
    host, h = bot_team(room, scenario, rule)
    sc = cg.load_scenario(scenario)
    policies = bot_policies(sc, rule)
    engine, cols = run_arrays(sc, 1, 3, policies)
    arrays = tidy(engine, cols).drop(columns="replication")
    mesa = cg.ChainModel(sc, seed=3, policies=policies).run().history()
    ours = h[KEEP].reset_index(drop=True)
    pd.testing.assert_frame_equal(ours, arrays[KEEP], check_dtype=False)
    pd.testing.assert_frame_equal(ours, mesa[KEEP], check_dtype=False)
    assert (h.order == h.order_placed).all() and set(h.decided_by) == {"bot"}
    debrief = room.debrief(host.code, host.host_key)
    pd.testing.assert_frame_equal(debrief.bot_history[KEEP], ours, check_dtype=False)  # the debrief's bot game


@pytest.mark.parametrize("scenario, rule", CASES)
def test_bot_decisions_through_the_players_door_give_the_same_game(room, scenario, rule):
    _, bots = bot_team(room, scenario, rule)
    sc = cg.load_scenario(scenario)
    host = room.create_session(scenario, bot_rule=rule, seed=3)
    seats = seat_all(room, host.code, firms=sc.firm_ids)
    room.start(host.code, host.host_key)
    logged = bots.set_index(["week", "firm"])
    for week in range(1, sc.weeks + 1):
        for firm, t in seats.items():
            v = room.seat_view(t.token)
            row = logged.loc[(week, firm)]
            room.submit(t.token, week, row.order, capacity=row.capacity_target if v.decides_capacity else None)
    humans = room.debrief(host.code, host.host_key).history
    assert set(humans.decided_by) == {"human"}
    same = ["week", "firm", "role", "order", "capacity_target", *COLUMNS]
    pd.testing.assert_frame_equal(humans[same], bots[same])


def test_the_replayed_state_is_the_engine_fed_the_logged_decisions(room):
    host = room.create_session("capacity", teams=2, seed=9)
    seats = seat_all(room, host.code, team=2, firms=("retailer", "manufacturer"))
    room.start(host.code, host.host_key)
    rng = np.random.default_rng(0)
    for week in range(1, 31):
        for t in seats.values():
            v = room.seat_view(t.token)
            cap = int(rng.integers(6, 16)) if v.decides_capacity and week % 4 == 0 else None
            room.submit(t.token, week, int(rng.integers(0, 25)), capacity=cap)
    h = room.debrief(host.code, host.host_key).history
    for team in (1, 2):
        ht = h[h.team == team]
        engine = Engine("capacity", replications=1, seed=9)
        rows = []
        for week in range(1, ht.week.max() + 1):
            engine.begin_week()
            hw = ht[ht.week == week].set_index("firm").loc[list(engine.scenario.firm_ids)]
            capacity = hw.capacity_target.fillna(0).to_numpy()[:, None]
            books = engine.end_week(hw.order.to_numpy()[:, None], capacity)
            rows.append(np.column_stack([books[c][:, 0] for c in COLUMNS]))
        expected = np.vstack(rows)
        assert np.allclose(ht[list(COLUMNS)].to_numpy(float), expected, equal_nan=True)


def test_every_team_faces_the_same_customer_demand(room):
    host = room.create_session("stochastic", teams=3, seed=21)
    room.start(host.code, host.host_key)
    h = room.debrief(host.code, host.host_key).history
    demand = h[h.role == "retailer"].pivot(index="week", columns="team", values="customer_demand")
    assert (demand.nunique(axis=1) == 1).all() and demand[1].nunique() > 3


def test_a_restarted_classroom_replays_to_the_same_state(db):
    room = Classroom(db)
    host = room.create_session("network", bot_rule={"rule": "smoothing", "alpha": 0.5}, teams=2)
    seats = seat_all(room, host.code, firms=("north", "factory"))
    room.start(host.code, host.host_key)
    for week in range(1, 15):
        for t in seats.values():
            room.submit(t.token, week, 2 + week % 6)
    before = room.debrief(host.code, host.host_key).history
    room.close()
    again = Classroom(db)
    after = again.debrief(host.code, host.host_key).history
    pd.testing.assert_frame_equal(state_columns(before), state_columns(after))
    pd.testing.assert_frame_equal(before, after)  # times included: they are read from the log
