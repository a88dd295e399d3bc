"""Counterfactual replay: identity with the recorded game, and agreement with a direct run."""

import numpy as np
import pandas as pd
import pytest

import chaingame as cg
from chaingame.checks import ScenarioError
from chaingame.insight import Record, replay
from chaingame.policies import Sterman

FIRMS = ["retailer", "wholesaler", "distributor", "factory"]
BENCHMARK = {f: Sterman(theta=0, alpha_s=1, beta=1, s_prime=s) for f, s in zip(FIRMS, [28, 28, 28, 20])}


@pytest.mark.parametrize("name", ["classic", "stochastic", "network"])
def test_replaying_every_firm_kept_gives_the_history_back_bit_for_bit(name):
    model = cg.ChainModel(name).run()
    history = model.history()
    pd.testing.assert_frame_equal(replay(model), history, check_exact=True)
    pd.testing.assert_frame_equal(replay(history, scenario=name), history, check_exact=True)


def test_replay_of_one_replication_of_a_batch():
    batch = cg.simulate("stochastic", replications=3, seed=5, history=True).history
    one = batch[batch.replication == 2].drop(columns="replication").reset_index(drop=True)
    pd.testing.assert_frame_equal(replay(batch, scenario="stochastic", replication=2), one, check_exact=True)
    with pytest.raises(ScenarioError, match=r"^replication: is missing \(required: the history holds 3"):
        replay(batch, scenario="stochastic")


def test_replacing_every_firm_is_the_direct_run_with_those_rules():
    """Two paths agree: a behavioural game replayed with the benchmark at every seat is the
    benchmark's own run, $204 (Sterman 1989)."""
    played = cg.ChainModel("classic").run()
    direct = cg.ChainModel("classic", policies=BENCHMARK).run().history()
    again = replay(played, BENCHMARK)
    pd.testing.assert_frame_equal(again, direct, check_exact=True)
    assert again.cost.sum() == 204.0


def test_kept_firms_place_their_recorded_orders_on_the_same_demand():
    played = cg.ChainModel("stochastic", seed=9).run().history()
    again = replay(played, {"retailer": BENCHMARK["retailer"]}, scenario="stochastic")
    for firm in FIRMS[1:]:
        assert np.array_equal(again[again.firm == firm].order_placed, played[played.firm == firm].order_placed)
    retail = again.firm == "retailer"
    assert np.array_equal(again[retail].customer_demand, played[played.firm == "retailer"].customer_demand)
    assert not np.array_equal(again[retail].order_placed, played[played.firm == "retailer"].order_placed)


def test_a_decision_log_replays_like_the_game():
    """A classroom game's shape: scenario + seed + every firm's weekly orders."""
    played = cg.ChainModel("stochastic", seed=4).run().history()
    orders = {f: played[played.firm == f].order_placed.to_list() for f in FIRMS}
    log = Record.from_orders("stochastic", orders, seed=4)
    pd.testing.assert_frame_equal(replay(log), played, check_exact=True)


def test_bad_input_is_named():
    history = cg.ChainModel("classic", weeks=6).run().history()
    with pytest.raises(ScenarioError, match=r"^scenario: is missing"):
        replay(history)
    with pytest.raises(ScenarioError, match=r"^policies\.shop: "):
        replay(history, {"shop": BENCHMARK["retailer"]}, scenario="classic")
    with pytest.raises(ScenarioError, match=r"^policies\.retailer: 3 is not a Policy"):
        replay(history, {"retailer": 3}, scenario="classic")
    with pytest.raises(ScenarioError, match=r"^orders\.factory: is missing"):
        Record.from_orders("classic", {f: [4] * 5 for f in FIRMS[:3]})
