"""Allocation of a shortage (chain.py, step 5): proportional, priority, uniform and turn-and-earn.

The rules on one supplier's claims, case by case (whole units by largest remainder, ties to the
first link), then the rationing game of Lee, Padmanabhan & Whang (1997): with a capacity-limited
supplier and two of four retailers inflating their orders when rationed (the ``gaming`` rule on
pass-through orders: demand times the inverse of the last fill rate), proportional allocation
gives the gamers more than their fair share of the scarce stock, turn-and-earn (Cachon &
Lariviere 1999) does not.
"""

import numpy as np
import pytest

import chaingame as cg
from chaingame.batch import run_arrays
from chaingame.policies import Gaming, PassThrough

SHOPS = ("a", "b", "c", "d")


def one_week(rule, claims, on_hand, whole=True, sales=None, weeks=4):
    """What a distributor holding ``on_hand`` ships in week 1 (or in the week after ``sales``
    weeks of sales history) to retailers claiming ``claims``."""
    firms = {"dist": {"role": "distributor", "inventory": on_hand, "policy": {"rule": "pass_through"}}}
    links = [{"supplier": "source", "customer": "dist"}]
    for i, c in enumerate(claims):
        firms[f"r{i}"] = {"role": "retailer", "inventory": 0, "policy": {"rule": "pass_through"}}
        links.append({"supplier": "dist", "customer": f"r{i}", "backlog": c})
    allocation = {"rule": rule, "weeks": weeks} if rule == "turn_and_earn" else rule
    sc = cg.from_table({"weeks": 3, "allocation": allocation, "whole_units": whole,
                        "demand": {"process": "constant", "level": 0}, "firms": firms, "links": links})
    engine = cg.Engine(sc)
    if sales is not None:  # the retailers' past sales, oldest first, as turn-and-earn counts them
        net = engine.net
        history = np.asarray(sales, float)  # (weeks, retailers)
        for age, row in enumerate(history[::-1], start=1):
            for i, v in enumerate(row):
                k = sc.links.index(next(lk for lk in sc.links if lk.customer == f"r{i}"))
                t = int(np.flatnonzero(net._turn_link == k)[0])
                engine.state.turns[t, (1 - age) % net.turn_slots, 0] = v
    before = engine.state.backlog[1:len(claims) + 1, 0].copy()
    engine.begin_week()
    return (before - engine.state.backlog[1:len(claims) + 1, 0]).tolist()


@pytest.mark.parametrize(("rule", "claims", "on_hand", "shipped"), [
    ("proportional", [4, 1, 1], 2, [2, 0, 0]),  # exact shares 4/3, 1/3, 1/3: the first gets the unit left
    ("proportional", [6, 2, 2], 5, [3, 1, 1]),
    ("priority", [6, 2, 2], 5, [5, 0, 0]),
    ("uniform", [1, 5, 5], 7, [1, 3, 3]),  # the cap of the first passes its leftover on
    ("uniform", [5, 5, 5], 7, [3, 2, 2]),  # 7/3 each: the unit left to the first link
    ("uniform", [2, 8, 3], 9, [2, 4, 3]),  # level 4: two claims capped
    ("uniform", [2, 8, 3], 20, [2, 8, 3]),  # no shortage: every claim in full
    ("turn_and_earn", [4, 1, 1], 2, [2, 0, 0]),  # no sales counted yet: proportional
])
def test_rule_splits_a_shortage(rule, claims, on_hand, shipped):
    assert one_week(rule, claims, on_hand) == shipped


def test_uniform_without_whole_units_is_exact_water_filling():
    assert one_week("uniform", [1, 5, 5], 7.5, whole=False) == [1, 3.25, 3.25]


@pytest.mark.parametrize(("claims", "on_hand", "sales", "shipped"), [
    ([10, 10, 10], 12, [[2, 1, 1], [2, 1, 1]], [6, 3, 3]),  # in proportion to sales 4, 2, 2
    ([10, 2, 10], 12, [[1, 1, 1]], [5, 2, 5]),  # equal sales, the second capped at its claim of 2
    ([10, 10, 10], 12, [[4, 0, 0]], [10, 1, 1]),  # the seller capped; the rest to the claims without sales
    ([10, 10, 10], 12, [[0, 0, 0]], [4, 4, 4]),  # no sales: proportional to the claims
    ([30, 6, 6], 12, [[1, 1, 2]], [3, 3, 6]),  # sales, not claims, count: the big claim gets no more
])
def test_turn_and_earn_shares_by_past_sales_capped_at_claims(claims, on_hand, sales, shipped):
    assert one_week("turn_and_earn", claims, on_hand, sales=sales) == shipped


def test_turn_and_earn_adds_up_its_window():
    """Sales of the last ``weeks`` weeks add up: 9 + 1 + 1 against 0 + 1 + 1 twice."""
    old = [[9, 0, 0]] + [[1, 1, 1]] * 2
    assert one_week("turn_and_earn", [10, 10, 10], 9, sales=old, weeks=3) == [7, 1, 1]  # 9 x 11/15 = 6.6, ...


def test_turn_and_earn_forgets_sales_older_than_its_window():
    """A shop that sold everything in week 1 and nothing since has no claim on week 4's stock
    with a 2-week window: its sales have left the window."""
    sc = cg.from_table({
        "weeks": 4, "allocation": {"rule": "turn_and_earn", "weeks": 2}, "demand": {"process": "constant", "level": 0},
        "firms": {"dist": {"role": "distributor", "inventory": 0, "policy": {"rule": "pass_through"}},
                  "r0": {"role": "retailer", "inventory": 0, "demand": {"process": "trace", "values": [5, 0, 0, 0]},
                         "policy": {"rule": "pass_through"}, "fixed_orders": [0, 0, 0, 0]},
                  "r1": {"role": "retailer", "inventory": 0, "demand": {"process": "trace", "values": [0, 1, 1, 1]},
                         "policy": {"rule": "pass_through"}, "fixed_orders": [0, 0, 0, 0]}},
        "links": [{"supplier": "source", "customer": "dist", "orders": [0]},
                  {"supplier": "dist", "customer": "r0", "backlog": 9, "shipments": [5]},
                  {"supplier": "dist", "customer": "r1", "backlog": 9, "shipments": [1]}]})
    engine = cg.Engine(sc)
    engine.step()  # week 1: r0 sells 5, r1 nothing; nothing to ship
    engine.state.inventory[0] = 0
    engine.step()  # week 2: r1 sells 1
    engine.step()  # week 3: r1 has nothing left to sell; r0's week-1 sales leave the 2-week window
    engine.state.inventory[0] = 4  # stock for week 4, split by the sales of weeks 2 and 3: 0 and 1
    before = engine.state.backlog[1:3, 0].copy()
    engine.begin_week()
    assert (before - engine.state.backlog[1:3, 0]).tolist() == [0, 4]


def test_per_firm_rule_beside_the_scenario_s():
    sc = cg.load_scenario("network").with_values({"allocation": "priority",
                                                  "firms.distributor.allocation": "uniform"})
    assert sc.network().allocation == ("priority", "priority", "uniform", "priority")


# ------------------------------------------------------------------------------------------------
# the rationing game


def rationing(allocation, demand, whole=True, weeks=40):
    """A factory of capacity 16 units/week supplying four retailers (lead time 2)."""
    firms = {"factory": {"role": "manufacturer", "inventory": 8, "policy": {"rule": "pass_through"},
                         "production": {"delay": 1, "wip": [16], "capacity": 16}}}
    links = [{"supplier": "source", "customer": "factory", "shipping_delay": 0, "orders": [16]}]
    for shop in SHOPS:
        firms[shop] = {"role": "retailer", "inventory": 8, "policy": {"rule": "pass_through"}}
        links.append({"supplier": "factory", "customer": shop, "orders": [4], "shipments": [4]})
    return cg.from_table({"weeks": weeks, "seed": 7, "allocation": allocation, "whole_units": whole,
                          "demand": demand, "firms": firms, "links": links})


GAMERS = ("b", "d")  # the second and the fourth link: ties of whole units go to the first, an honest shop


def gamers_share(sc, replications=1, seed=7, first_week=10):
    """The gamers' share of what the factory shipped to the retailers from ``first_week`` on (R,)."""
    gamer = Gaming(base=PassThrough(), max_inflation=3.0)  # demand, inflated by 1 / last fill rate
    _, cols = run_arrays(sc, replications, seed, {g: gamer for g in GAMERS})
    got = cols["received"][first_week - 1:, 1:, :].sum(axis=0)  # (shops, R)
    return got[[SHOPS.index(g) for g in GAMERS]].sum(axis=0) / got.sum(axis=0)


def test_proportional_rewards_gaming_and_turn_and_earn_does_not():
    """Demand 4 at each shop until week 9, then 5 (20 against a capacity of 16), two shops gaming:
    the fair share of the two gamers is one half. Proportional allocation gives them more, since they claim more;
    turn-and-earn, which counts sales (the same at every shop before the shortage), gives them
    exactly one half."""
    demand = {"process": "step", "initial": 4, "final": 5, "week": 10}
    proportional = gamers_share(rationing("proportional", demand))[0]
    turn_and_earn = gamers_share(rationing("turn_and_earn", demand))[0]
    assert proportional > 0.55
    assert turn_and_earn == 0.5


def test_with_random_demand_turn_and_earn_takes_the_gamers_gain_away():
    """iid uniform 2..6 demand at each shop against a capacity of 16 (shortage whenever demand is
    above average), on common random numbers: in every replication the gamers get less under
    turn-and-earn than under proportional allocation, and on average close to their fair half."""
    demand = {"process": "uniform", "low": 3, "high": 6}
    proportional = gamers_share(rationing("proportional", demand, weeks=60), 100)
    turn_and_earn = gamers_share(rationing("turn_and_earn", demand, weeks=60), 100)
    assert np.all(turn_and_earn < proportional)
    assert proportional.mean() > 0.55
    assert abs(turn_and_earn.mean() - 0.5) < abs(proportional.mean() - 0.5) / 5
