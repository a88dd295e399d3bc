"""Random shipping delays (chaingame/delays.py) on the real engine.

- A distribution with one possible delay is that fixed delay, bit for bit; fixed delays draw nothing.
- Random delays leave every replication's demand unchanged (their own stream: common random
  numbers across treatments), and a replication's delays do not depend on what runs beside it.
- Shipments may cross by default; with ``crossing = false`` they arrive in the order they left.
- The lead time of the order-up-to rules is the mean delay; a number of goods in transit stands for
  its steady pipeline; the base-stock optimiser refuses a random delay.
- A longer or a more variable delay raises the cost of the same rule on the stochastic board, on
  common random numbers, with a paired 95% interval that excludes 0.
- The bundled levers ``lead-time-variability``, ``fast-shipping`` and ``edi`` are classic changed in
  one lever only.

Conservation and exact supply lines with random delays are in tests/test_conservation.py (the
random scenarios of tests/strategies.py draw random delays), ``ChainModel == simulate`` bit for bit
in tests/test_batch.py (every bundled scenario and the random ones), validation in
tests/test_scenario_validation.py.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

import chaingame as cg
from chaingame import basestock
from chaingame.delays import ShippingDelay
from chaingame.engine import Engine
from chaingame.paired import interval

R = 2000  # paired replications of a cost comparison
SEED = 11
VARIABLE = {"weeks": [1, 2, 3], "p": [0.25, 0.5, 0.25]}  # mean 2, as the classic board's fixed delay
SUBJECTS = None  # Sterman's subjects' mean rule, as the bundled boards have it
SUPPLY_LINE_AWARE = {"rule": "sterman", "theta": 0.36, "alpha_s": 0.26, "beta": 1.0, "s_prime": 17}
ORDER_UP_TO = {"rule": "smoothing", "alpha": 0.2}  # covers the mean lead time (Chen et al. 2000)


def board(name="stochastic", delay=None, fixed=None, policy=None, crossing=None):
    """A bundled board with every shipping delay between firms replaced (the pipeline at 4 a week)."""
    raw = copy.deepcopy(dict(cg.load_scenario(name).table))
    for link in raw["links"]:
        if link["supplier"] == "source":
            continue
        if delay is not None:
            link["shipping_delay"] = {**delay, **({} if crossing is None else {"crossing": crossing})}
            link["shipments"] = 4
        if fixed is not None:
            link["shipping_delay"] = fixed
            link["shipments"] = [4] * fixed
    if policy is not None:
        raw["defaults"]["policy"] = policy
    return cg.from_table(raw)


def paired(a: cg.Scenario, b: cg.Scenario, replications: int = R, seed: int = SEED):
    """Team cost of b − a, replication by replication on the same seeds: mean and 95% half-width."""
    d = cg.simulate(b, replications, seed=seed).chain.cost.to_numpy() - \
        cg.simulate(a, replications, seed=seed).chain.cost.to_numpy()
    i = interval(d)
    return i.mean, i.half


# ------------------------------------------------------------------------------------------------
# fixed delays stay fixed


def test_a_single_possible_delay_is_the_fixed_delay_bit_for_bit():
    for table in ({"weeks": [2], "p": [1]}, {"weeks": [3, 2], "p": [0, 1.0]}):
        sc = board(delay=table)
        assert not len(sc.network().delay_links)
        got = cg.simulate(sc, 3, seed=4, history=True).history
        want = cg.simulate(board(fixed=2), 3, seed=4, history=True).history
        pd.testing.assert_frame_equal(got, want, check_exact=True)  # [3, 2]: a pipeline [4, 4, 0], the same goods


def test_fixed_delays_draw_nothing():
    assert Engine("classic", 4).delays is None
    assert Engine("stochastic", 4).delays is None
    assert Engine("lead-time-variability", 4).delays.shape == (36, 3, 4)


# ------------------------------------------------------------------------------------------------
# random streams


def test_random_delays_leave_demand_unchanged():
    """Common random numbers: replication r sees the same demand whether its delays are random or not."""
    fixed = cg.simulate("stochastic", 20, seed=3, history=True).history
    drawn = cg.simulate(board(delay=VARIABLE), 20, seed=3, history=True).history
    np.testing.assert_array_equal(fixed.customer_demand.to_numpy(), drawn.customer_demand.to_numpy())
    assert not np.array_equal(fixed.received.to_numpy(), drawn.received.to_numpy())


def test_a_replications_delays_do_not_depend_on_what_runs_beside_it():
    wide = Engine("lead-time-variability", 7, seed=9).delays
    alone = Engine("lead-time-variability", 1, seed=9, first_replication=4).delays
    np.testing.assert_array_equal(wide[:, :, 4], alone[:, :, 0])
    assert not np.array_equal(wide[:, :, 0], wide[:, :, 1])


def test_delays_follow_their_distribution():
    d = Engine(board(delay={"weeks": [3, 1], "p": [0.25, 0.75]}), 2000, seed=1).delays  # (W, links, R)
    assert set(np.unique(d)) == {1, 3}
    share = (d == 3).mean()
    assert abs(share - 0.25) < 4 * np.sqrt(0.25 * 0.75 / d.size), share  # 4 standard errors


def test_shipments_cross_unless_told_not_to():
    crossing = Engine(board(delay=VARIABLE), 200, seed=2).delays
    ordered = Engine(board(delay=VARIABLE, crossing=False), 200, seed=2).delays
    weeks = np.arange(1, crossing.shape[0] + 1)[:, None, None]
    assert (np.diff(weeks + crossing, axis=0) < 0).any()  # a later shipment arrives first
    arrival = weeks + ordered
    assert (np.diff(arrival, axis=0) >= 0).all()
    assert (arrival[0] >= 3).all()  # not before the last goods of the initial pipeline [4, 3, 1]
    assert ordered.min() >= 1 and ordered.max() <= 3
    assert ordered.mean() > crossing.mean()  # waiting for earlier shipments makes delays longer


# ------------------------------------------------------------------------------------------------
# lead time, pipeline, optimiser


def test_lead_time_is_the_mean_delay():
    assert cg.load_scenario("lead-time-variability").lead_time("retailer") == 2 + 2
    sc = board(delay={"weeks": [1, 2], "p": [0.5, 0.5]}, policy=ORDER_UP_TO)
    assert sc.lead_time("retailer") == 2 + 1.5
    assert sc.firm("retailer").policy.lead_time == 3.5
    with pytest.raises(cg.ScenarioError, match=r"^defaults\.policy\.lead_time: the firm's mean lead time 3\.5"):
        board(delay={"weeks": [1, 2], "p": [0.5, 0.5]}, policy={"rule": "ar1", "rho": 0.5, "mean": 4})


def test_a_number_in_transit_stands_for_the_steady_pipeline():
    sc = board(delay=VARIABLE)
    assert sc.links[0].shipments == (4.0, 3.0, 1.0)  # 4 x P(delay >= 1, 2, 3)
    assert ShippingDelay((1, 2, 3), (0.25, 0.5, 0.25)).steady_pipeline(4) == (4.0, 3.0, 1.0)
    with pytest.raises(cg.ScenarioError, match=r"^links\.0\.shipments: \[3\.0, 2\.25, 0\.75\] in transit is not whole"):
        raw = copy.deepcopy(dict(sc.table))
        raw["links"][0]["shipments"] = 3
        cg.from_table(raw)


def test_base_stock_optimiser_refuses_a_random_delay():
    raw = {"weeks": 10, "firms": {"r": {"role": "retailer"}},
           "links": [{"supplier": "source", "customer": "r", "shipping_delay": {"weeks": [0, 1], "p": [0.5, 0.5]}}]}
    with pytest.raises(cg.ScenarioError, match=r"^links\.0\.shipping_delay: .* is random \(allowed: a fixed delay"):
        basestock.serial_chain(cg.from_table(raw))


# ------------------------------------------------------------------------------------------------
# longer or more variable delays cost more (stochastic board, common random numbers)


@pytest.mark.parametrize("policy", [SUBJECTS, SUPPLY_LINE_AWARE, ORDER_UP_TO], ids=["subjects", "beta1", "out"])
def test_a_longer_delay_raises_the_cost_of_the_same_rule(policy):
    mean, half = paired(board(fixed=2, policy=policy), board(fixed=3, policy=policy))
    assert mean - half > 0, (mean, half)


@pytest.mark.parametrize("policy", [SUPPLY_LINE_AWARE, ORDER_UP_TO], ids=["beta1", "out"])
def test_a_more_variable_delay_raises_the_cost_of_a_rule_that_plans_on_the_lead_time(policy):
    """Same mean (2 weeks), more spread: the rules that count their supply line or cover the lead
    time pay more. (Sterman's subjects' rule, which ignores most of its supply line, does not: see
    docs/teaching.md.)"""
    mean, half = paired(board(fixed=2, policy=policy), board(delay=VARIABLE, policy=policy))
    assert mean - half > 0, (mean, half)
    mean, half = paired(board(fixed=2, policy=policy), board(delay=VARIABLE, policy=policy, crossing=False))
    assert mean - half > 0, (mean, half)


# ------------------------------------------------------------------------------------------------
# the bundled levers: classic changed in one lever


def _without(table: dict, link_fields: tuple[str, ...]) -> dict:
    t = {k: v for k, v in table.items() if k not in ("title", "description", "name")}
    t["links"] = [{k: v for k, v in link.items() if k not in link_fields} for link in t["links"]]
    return t


@pytest.mark.parametrize(("name", "fields", "check"), [
    ("lead-time-variability", ("shipping_delay", "shipments"),
     lambda sc, base: [k.shipping_delay for k in sc.links] == [k.shipping_delay for k in base.links]
     and all(k.delay is not None for k in sc.links[:3]) and sc.links[3].delay is None),
    ("fast-shipping", ("shipping_delay", "shipments"),
     lambda sc, base: [k.shipping_delay for k in sc.links] == [1, 1, 1, 0]),
    ("edi", ("order_delay", "orders"),
     lambda sc, base: [k.order_delay for k in sc.links] == [1, 1, 1, 1]),
])
def test_bundled_lever_is_classic_changed_in_one_lever(name, fields, check):
    sc, base = cg.load_scenario(name), cg.load_scenario("classic")
    assert _without(dict(sc.table), fields) == _without(dict(base.table), fields)
    assert check(sc, base)
    # the same goods per week in the pipelines: 4 a week shipped (or ordered) before week 1
    for k, b in zip(sc.links, base.links):
        assert sum(k.shipments) == 4 * k.shipping_delay and sum(k.orders) == 4 * k.order_delay, k
        assert sum(b.shipments) == 4 * b.shipping_delay
    assert sc.title and sc.description and "class" in sc.description.lower()
