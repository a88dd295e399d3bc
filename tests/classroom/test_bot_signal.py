"""Bots in a POS session forecast from the end-customer demand the session shows (Sterman's rule
with ``signal = "demand"``), exactly as the engine plays that rule; a silo session refuses it."""

import re

import pandas as pd
import pytest

import chaingame as cg
from chaingame import policies as pol
from chaingame.checks import ScenarioError
from chaingame.classroom.inputs import bot_rule_in
from chaingame.engine import COLUMNS

FIRMS = ["retailer", "wholesaler", "distributor", "factory"]
STERMAN = {"rule": "sterman", "theta": 0.36, "alpha_s": 0.26, "beta": 0.34, "s_prime": 17}  # Sterman 1989
KEEP = ["week", "firm", "role", *COLUMNS]


def bots_play(room, scenario, information, rule, seed=3):
    """A session of one team of bots, played through at start; its history and host view."""
    host = room.create_session(scenario, information=information, bot_rule=rule, seed=seed)
    room.start(host.code, host.host_key)
    view = room.host_view(host.code, host.host_key)
    return room.debrief(host.code, host.host_key).history[KEEP].reset_index(drop=True), view


def engine_plays(scenario, information, rule, seed=3):
    sc = cg.load_scenario(scenario).with_values({"information": information})
    return cg.ChainModel(sc, seed=seed, policies=dict.fromkeys(sc.firm_ids, rule)).run().history()[KEEP]


@pytest.mark.parametrize("scenario", ["classic", "stochastic"])
def test_pos_bots_on_the_demand_signal_play_the_engine(room, scenario):
    bots, view = bots_play(room, scenario, "pos", {**STERMAN, "signal": "demand"})
    engine = engine_plays(scenario, "pos", pol.Sterman(0.36, 0.26, 0.34, 17, signal="demand"))
    pd.testing.assert_frame_equal(bots, engine, check_dtype=False)
    silo = engine_plays(scenario, "silo", pol.Sterman(0.36, 0.26, 0.34, 17))
    changed = bots.order_placed.to_numpy(float) != silo.order_placed.to_numpy(float)
    assert changed.any()  # the signal changed what the bots did
    assert "signal=demand" in view.bot_rule


def test_a_silo_session_refuses_the_demand_signal_in_one_line(room):
    for rule in ({**STERMAN, "signal": "demand"}, {"rule": "gaming", "base": "sterman", "signal": "demand"}):
        with pytest.raises(ScenarioError) as info:
            room.create_session("classic", information="silo", bot_rule=rule)
        assert re.fullmatch(r'bot_rule\.signal: "demand" needs more information than "silo" '
                            r'\(allowed: "pos" or "full"\)', str(info.value))


def test_pos_bots_use_the_demand_signal_unless_the_host_names_one(room):
    """Decision: in a pos or full session a bot rule that can forecast from end-customer demand
    does when the host names no signal (players there see that demand); ``signal = "orders"``
    keeps the silo behaviour; a silo session, or a rule without a signal, is unchanged."""
    bots, view = bots_play(room, "classic", "pos", STERMAN)
    pd.testing.assert_frame_equal(bots, engine_plays("classic", "pos", pol.Sterman(signal="demand")),
                                  check_dtype=False)
    assert "signal=demand" in view.bot_rule
    orders, _ = bots_play(room, "classic", "pos", {**STERMAN, "signal": "orders"})
    pd.testing.assert_frame_equal(orders, engine_plays("classic", "pos", pol.Sterman()), check_dtype=False)

    sc = {m: cg.load_scenario("classic").with_values({"information": m}) for m in ("silo", "full")}
    assert bot_rule_in(sc["silo"], STERMAN) == STERMAN
    assert bot_rule_in(sc["full"], STERMAN) == {**STERMAN, "signal": "demand"}
    assert bot_rule_in(sc["full"], {"rule": "gaming"}) == {"rule": "gaming", "signal": "demand"}  # base: sterman
    assert bot_rule_in(sc["full"], {"rule": "base_stock", "level": 20}) == {"rule": "base_stock", "level": 20}
    assert bot_rule_in(sc["full"], {"rule": "gaming", "base": "pass_through"}) == \
        {"rule": "gaming", "base": "pass_through"}


def test_gaming_bots_play_the_engine(room):
    rule = {"rule": "gaming", "base": "sterman", "s_prime": 34, "max_inflation": 2}
    bots, view = bots_play(room, "network", "silo", rule, seed=8)
    engine = engine_plays("network", "silo", pol.Gaming(base=pol.Sterman(s_prime=34), max_inflation=2), seed=8)
    pd.testing.assert_frame_equal(bots, engine, check_dtype=False)
    assert view.bot_rule.startswith("gaming(base=sterman")
