"""Exact where the rule is exact: float error in the arithmetic never decides a rule.

Round half up, "an order is placed (and its fixed cost charged) when it is above 0" and "ties of
largest remainders go to the first link" are exact rules on decimal inputs. Each case below is a
small scenario whose exact arithmetic reaches the rule's edge while float arithmetic lands a few
ulps off it; the engine must decide as the exact numbers say (chain.py counts quantities to
``chain.DECIMALS`` places before a rule decides). Each is played on the real Mesa model
(``ChainModel``) and the array engine (``simulate``).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import chaingame as cg
from chaingame import chain
from chaingame.batch import simulate
from chaingame.classroom.game import TeamGame


def histories(table: dict) -> list:
    """The run's history from the Mesa model and from the array engine (both must decide alike)."""
    sc = cg.from_table(table)
    return [cg.ChainModel(sc, seed=0).run().history(),
            simulate(sc, 1, seed=0, history=True).history.drop(columns="replication")]


def book(history, week: int, firm: str, column: str) -> float:
    row = history[(history.week == week) & (history.firm == firm)]
    assert len(row) == 1
    return float(row[column].iloc[0])


# 1. half up ------------------------------------------------------------------------------------

STERMAN_HALF = {  # one retailer, nothing on hand or on order, expecting no demand
    "name": "sterman-half", "weeks": 2, "information": "silo", "whole_units": True,
    "demand": {"process": "constant", "level": 0},
    "firms": {"retailer": {
        "role": "retailer", "inventory": 0, "holding_cost": 0.5, "backlog_cost": 1.0,
        "policy": {"rule": "sterman", "theta": 0.0, "alpha_s": 0.58, "beta": 0.0, "s_prime": 25.0,
                   "expected": 0.0},
    }},
    "links": [{"supplier": "source", "customer": "retailer", "order_delay": 1, "shipping_delay": 1}],
}


def test_half_up_does_not_depend_on_float_error():
    """Sterman's rule with θ = 0, α_S = 0.58, β = 0, S' = 25, L̂ = 0 and S = SL = 0 orders
    round(0.58 × 25) = round(14.5) = 15 (in floats 0.58 × 25 = 14.499999999999998)."""
    assert 0.58 * 25 < 14.5  # the float product is below the half
    for h in histories(STERMAN_HALF):
        assert book(h, 1, "retailer", "order_placed") == 15.0


def test_the_classroom_accepts_what_the_physics_places():
    """The bot's decision of the classroom's seat is the order the engine places: 15."""
    game = TeamGame(cg.from_table(STERMAN_HALF), seed=0, bot_policies=None, team=1)
    assert game.bot["retailer"][0] == 15.0
    assert game.effective_order("retailer", 0.58 * 25) == 15.0


def test_half_up_and_accepted_orders():
    """chain.half_up on values a few ulps off a half; chain.accepted_order is accepted_orders' row."""
    assert chain.half_up(np.array([0.58 * 25, 2.5, -0.5, 0.1 + 0.2 + 0.2])).tolist() == [15.0, 3.0, 0.0, 1.0]
    net = cg.from_table(STERMAN_HALF).network()
    orders = np.array([[0.58 * 25, -3.0, 2.4999]])
    assert chain.accepted_orders(net, 1, orders).tolist() == [[15.0, 0.0, 2.0]]
    for x in orders[0]:
        assert chain.accepted_order(net, 1, 0, float(x)) == chain.accepted_orders(net, 1, np.array([[x]]))[0, 0]


# 2. the fixed ordering cost ----------------------------------------------------------------------

HOLDING = 0.5  # $/unit/week
ON_HAND, LEVEL, DEMAND = 0.7, 0.3, 0.4  # units; units; units/week
ORDER_COST = 5.0  # $ per order placed

ORDER_COST_CASE = {  # continuous units: after week 1's demand the position is 0.3 = the level
    "name": "no-order", "weeks": 2, "information": "silo", "whole_units": False,
    "demand": {"process": "constant", "level": DEMAND},
    "firms": {"retailer": {
        "role": "retailer", "inventory": ON_HAND, "holding_cost": HOLDING, "backlog_cost": 1.0,
        "order_cost": ORDER_COST, "policy": {"rule": "base_stock", "level": LEVEL},
    }},
    "links": [{"supplier": "source", "customer": "retailer", "order_delay": 1, "shipping_delay": 1}],
}


def test_no_order_no_fixed_cost():
    """0.7 on hand, level 0.3, demand 0.4: the position after week 1 is the level, so the order is
    0 and week 1 costs only holding 0.5 × 0.3 = $0.15 (in floats 0.3 − (0.7 − 0.4) = 5.6e-17 > 0,
    which would order 5.6e-17 units and pay the $5 order cost)."""
    assert LEVEL - (ON_HAND - DEMAND) > 0
    for h in histories(ORDER_COST_CASE):
        assert book(h, 1, "retailer", "order_placed") == 0.0
        assert book(h, 1, "retailer", "inventory") == ON_HAND - DEMAND
        assert book(h, 1, "retailer", "cost") == HOLDING * (ON_HAND - DEMAND)
        assert book(h, 1, "retailer", "cost") == pytest.approx(0.15, rel=1e-12)


# 3. largest remainders ---------------------------------------------------------------------------

def shortage_table() -> dict:
    """A distributor with 2 on hand owing 4, 1 and 1 to three retailers at the start."""
    retailers = {f"r{i}": {"role": "retailer", "inventory": 0} for i in (1, 2, 3)}
    return {
        "name": "shortage", "weeks": 2, "information": "silo", "whole_units": True,
        "allocation": "proportional", "demand": {"process": "constant", "level": 0},
        "firms": {"distributor": {"role": "distributor", "inventory": 2}, **retailers},
        "links": [{"supplier": "source", "customer": "distributor", "order_delay": 1, "shipping_delay": 1},
                  *({"supplier": "distributor", "customer": f"r{i}", "order_delay": 1, "shipping_delay": 1,
                     "backlog": owed} for i, owed in zip((1, 2, 3), (4, 1, 1)))],
    }


def test_shortage_ties_go_to_the_first_link():
    """2 units for claims 4 : 1 : 1 are exactly 4/3, 1/3, 1/3: floors 1, 0, 0 and three equal
    remainders of 1/3, so the unit left goes to the first link: 2, 0, 0 (in floats
    4/3 − 1 < 1/3, which handed it to the second)."""
    assert 2 * 4 / 6 - 1 < 2 * 1 / 6
    for h in histories(shortage_table()):
        assert book(h, 1, "distributor", "shipped") == 2.0
        assert [book(h, 2, f"r{i}", "received") for i in (1, 2, 3)] == [2.0, 0.0, 0.0]


def split_table(shares, orders) -> dict:
    """A retailer ordering ``orders`` (weeks 1, 2, ...) from one wholesaler per share."""
    names = [f"w{i + 1}" for i in range(len(shares))]
    return {
        "name": "split", "weeks": len(orders) + 1, "information": "silo", "whole_units": True,
        "demand": {"process": "constant", "level": 0},
        "firms": {"retailer": {"role": "retailer", "inventory": 0, "fixed_orders": list(orders)},
                  **{w: {"role": "wholesaler", "inventory": 0} for w in names}},
        "links": [*({"supplier": w, "customer": "retailer", "order_delay": 1, "shipping_delay": 1, "share": s}
                    for w, s in zip(names, shares)),
                  *({"supplier": "source", "customer": w, "order_delay": 1, "shipping_delay": 1} for w in names)],
    }


def split(shares, orders) -> list[list[float]]:
    """What each wholesaler received of each of the retailer's orders (the array engine)."""
    h = simulate(cg.from_table(split_table(shares, orders)), 1, seed=0, history=True).history
    return [[book(h, week + 1, f"w{i + 1}", "incoming_order") for i in range(len(shares))]
            for week in range(1, len(orders) + 1)]


def test_order_split_ties_go_to_the_first_link():
    """Shares 0.3 : 0.1 are normalised to 3/4 : 1/4 (a 3 : 1 split). An order of 4 splits 3 : 1;
    an order of 2 is exactly 1.5 : 0.5, a tie of remainders, so the first link gets the unit: 2 : 0
    (in floats 2 × 0.3/0.4 = 1.4999999999999998, which handed it to the second). The Mesa model
    places the same."""
    assert 2 * (0.3 / (0.3 + 0.1)) < 1.5
    assert split([0.3, 0.1], [2, 4]) == [[2.0, 0.0], [3.0, 1.0]]
    h = cg.ChainModel(cg.from_table(split_table([0.3, 0.1], [2, 4])), seed=0).run().history()
    assert [[book(h, w, f, "incoming_order") for f in ("w1", "w2")] for w in (2, 3)] == [[2.0, 0.0], [3.0, 1.0]]


@settings(max_examples=40, deadline=None, derandomize=True, database=None)
@given(shares=st.lists(st.integers(1, 20), min_size=2, max_size=4),
       scale=st.floats(1e-3, 1e3, allow_nan=False, allow_infinity=False),
       orders=st.lists(st.integers(0, 60), min_size=1, max_size=4))
def test_scaling_the_shares_never_changes_a_split(shares, scale, orders):
    """Shares are relative: multiplying every share of a retailer by a positive constant splits
    every order the same (shares in tenths of a unit, as a scenario file writes them)."""
    tenths = [s / 10 for s in shares]
    assert split([s * scale for s in tenths], orders) == split(tenths, orders)
