"""Price schedules and forward buying (Lee, Padmanabhan & Whang 1997, "price fluctuations").

- Convention: an order is bought at the price of the week it is placed and paid when shipped,
  a backlogged order too; no schedule leaves every number as it was.
- What a firm sees: its purchase price this week, its regular price and the announced prices.
- ``ForwardBuy``: its closed form Var(q)/Var(D) = 1 + f² μ² H (H + 1) / (T σ²) on a long run
  (the textbook 1 + f² (T − 1) μ²/σ² at H = T − 1: 8.2 and 2.8); on the bundled promotions
  board the promoted firm's order variance grows with the discount depth and is the base rule's,
  to the bit, with everyday-low prices.
"""

from __future__ import annotations

import numpy as np
import pytest

import chaingame as cg
from chaingame.policies import BaseStock, ForwardBuy
from chaingame.prices import ANNOUNCED

UNIFORM = {"process": "uniform", "low": 0, "high": 8}  # cases/week: μ = 4, σ² = 60/9
MU, VAR = 4.0, 60 / 9
T = 4  # weeks between promotions
REGULAR = 10.0  # $/case
HOLDING = 0.5  # $/case/week


def one_retailer(weeks: int, promo: float | None, fraction: float = 1.0) -> dict:
    """A retailer buying from the source (returns accepted, so no order is cut at 0) at $10, at
    ``promo`` in every T-th week; forward buying on a pass-through base."""
    link = {"supplier": "source", "customer": "r", "order_delay": 1, "shipping_delay": 0, "returns": True,
            "price": REGULAR}
    if promo is not None:
        link["price_schedule"] = [{"weeks": list(range(T, weeks + 1, T)), "price": promo}]
    return {"weeks": weeks, "seed": 7, "demand": UNIFORM,
            "firms": {"r": {"role": "retailer", "inventory": 40, "holding_cost": HOLDING,
                            "policy": {"rule": "forward_buy", "mean": MU, "fraction": fraction}}},
            "links": [link]}


def closed_form(h_weeks: int, fraction: float) -> float:
    return 1 + fraction**2 * MU**2 * h_weeks * (h_weeks + 1) / (T * VAR)


@pytest.mark.parametrize(("promo", "fraction", "h_weeks"), [
    (8.0, 1.0, 3),  # $2 off pays 3 weeks of holding: the textbook case, 1 + (T − 1) μ²/σ² = 8.2
    (8.0, 0.5, 3),  # half of it bought ahead: 2.8
    (9.2, 1.0, 1),  # $0.80 off pays 1 week: 2.2
    (8.8, 1.0, 2),  # $1.20 off pays 2 weeks: 4.6
    (9.6, 1.0, 0),  # $0.40 off pays no week: 1, no forward buying
])
def test_forward_buy_closed_form_on_a_long_run(promo, fraction, h_weeks):
    want = closed_form(h_weeks, fraction)
    res = cg.simulate(cg.from_table(one_retailer(5000, promo, fraction)), replications=4, burn_in=8)
    got = res.firms.bullwhip.mean()
    assert got == pytest.approx(want, rel=0.03), f"Var(q)/Var(D) {got:.3f}, closed form {want:.3f}"


def test_the_textbook_numbers():
    """T = 4, uniform 0..8: 8.2 at f = 1 and 2.8 at f = 0.5 (Lee et al. 1997's forward buying)."""
    assert closed_form(T - 1, 1.0) == pytest.approx(8.2)
    assert closed_form(T - 1, 0.5) == pytest.approx(2.8)


def test_weeks_bought_ahead_follow_the_discount():
    """H = #{j < T: p + h j < r}: the weeks whose holding cost the discount pays for, compared exactly
    ($0.50 off pays one week at $0.50 only if strictly cheaper: 0 weeks)."""
    rule = ForwardBuy(mean=4, holding_cost=0.5)

    def obs(now, ahead):
        return _Obs(np.array([now]), np.array(ahead, float)[:, None])

    ahead = [10, 10, 10, 8, 10, 10, 10, 8, 10, 10, 10, 8, 10]
    assert rule.weeks_ahead(obs(8.0, ahead))[0] == 3
    assert rule.weeks_ahead(obs(9.0, ahead))[0] == 1
    assert rule.weeks_ahead(obs(9.5, ahead))[0] == 0
    assert rule.weeks_ahead(obs(10.0, ahead))[0] == 0
    assert ForwardBuy(mean=4, holding_cost=0.5, horizon=2).weeks_ahead(obs(8.0, ahead))[0] == 2
    assert ForwardBuy(mean=4, holding_cost=0.0).weeks_ahead(obs(8.0, ahead))[0] == 3  # the next deal is as cheap
    assert rule.weeks_ahead(_Obs(np.array([8.0]), None))[0] == 0  # no schedule: never


class _Obs:
    def __init__(self, price, price_ahead):
        self.price, self.price_ahead = price, price_ahead


# --------------------------------------------------------------------------------------------------
# the bundled promotions board


def promotions(depth: float) -> cg.Scenario:
    """The promotions board with the promotion at ``depth`` off the $10 regular price (0: none)."""
    sc = cg.load_scenario("promotions")
    return sc.with_values({"links.0.price_schedule.0.price": REGULAR * (1 - depth)})


def edlp() -> cg.Scenario:
    return cg.load_scenario("promotions").with_values({"links.0.price_schedule": [], "links.0.price": 9.5})


def order_variance(sc: cg.Scenario, reps: int = 200) -> dict[str, float]:
    """Mean over replications (common seeds) of each firm's Var(orders placed)/Var(demand)."""
    res = cg.simulate(sc, replications=reps, seed=21, burn_in=4)
    return res.firms.groupby("firm").bullwhip.mean().to_dict()


def test_order_variance_grows_with_the_discount_depth():
    """10%, 15%, 20% off: $1, $1.50, $2 saved pay 1, 2, 3 weeks of holding at $0.50 (3 = T − 1: the next
    deal comes in the fourth week), so the retailer buys further ahead, and every firm's orders swing more
    than under everyday-low prices."""
    depths = [0.10, 0.15, 0.20]
    retailer = [order_variance(promotions(d))["retailer"] for d in depths]
    assert all(a < b for a, b in zip(retailer, retailer[1:])), retailer
    base = order_variance(edlp())
    hilo = order_variance(promotions(0.20))
    assert base["retailer"] < retailer[0]
    for firm in ("retailer", "distributor", "factory"):
        assert hilo[firm] > base[firm], (firm, hilo[firm], base[firm])


@pytest.mark.parametrize("label", ["edlp", "shallow", "none"])
def test_with_everyday_low_prices_the_forward_buyer_is_its_base_rule(label):
    """No discount worth holding stock for (everyday-low prices, 5% off at $0.50/week of holding, or no
    schedule): the forward buyer's orders and every other number are the order-up-to rule's, to the bit."""
    sc = {"edlp": edlp(), "shallow": promotions(0.05),
          "none": cg.load_scenario("promotions").with_values({"links.0.price_schedule": []})}[label]
    rule = sc.firm("retailer").policy
    base = BaseStock(level=rule.level)
    a = cg.simulate(sc, replications=5, seed=3, history=True).history
    b = cg.simulate(sc, replications=5, seed=3, history=True, policies={"retailer": base}).history
    assert a.equals(b)


# --------------------------------------------------------------------------------------------------
# the convention: the price of the week an order is placed, paid when shipped


def two_firms(stock: float) -> dict:
    """A retailer ordering 4, 10, 4, 4, ... from a distributor holding ``stock``, whose own orders take 3
    weeks; orders placed in week 2 are at $8 instead of $10."""
    return {"weeks": 8, "demand": {"process": "constant", "level": 4},
            "firms": {"r": {"role": "retailer", "inventory": 12, "fixed_orders": [4, 10] + [4] * 6},
                      "d": {"role": "distributor", "inventory": stock, "price": 10}},
            "links": [{"supplier": "d", "customer": "r", "order_delay": 1, "shipping_delay": 1,
                       "price_schedule": [{"weeks": [2], "price": 8}]},
                      {"supplier": "source", "customer": "d", "order_delay": 3, "orders": 0}]}


def books(table):
    h = cg.ChainModel(cg.from_table(table)).run().history()
    return h[h.firm == "r"].set_index("week"), h[h.firm == "d"].set_index("week")


def test_an_order_is_paid_at_the_price_of_the_week_it_was_placed():
    """The order of 10 placed in week 2 (promotion: $8) reaches the distributor and is shipped and paid in
    week 3 at $8; the orders placed in weeks 1 and 3 at $10."""
    r, d = books(two_firms(stock=20))
    assert r.purchases[2] == 4 * 10 and r.purchases[3] == 10 * 8 and r.purchases[4] == 4 * 10
    assert (d.revenue == r.purchases).all()


def test_a_backlogged_order_keeps_its_price():
    """The distributor holds 6: week 2 ships 4 ($10), week 3 ships 2 of the promoted 10 ($8) and backlogs 8,
    week 4 ships nothing and backlogs 4 more at $10; week 5's 4 come from the backlog at its average price,
    (8 × $8 + 4 × $10) / 12. Paid and still owed always add up to the value of the orders received."""
    r, d = books(two_firms(stock=6))
    assert d.shipped[2] == 4 and d.shipped[3] == 2 and d.shipped[4] == 0 and d.shipped[5] == 4
    assert r.purchases[2] == 40 and r.purchases[3] == 16 and r.purchases[4] == 0
    assert r.purchases[5] == pytest.approx(4 * (8 * 8 + 4 * 10) / 12, rel=1e-12)
    received = (d.incoming_order * 10).to_numpy(copy=True)
    received[2] = 10 * 8  # the week-2 order reached the distributor in week 3
    sc = cg.from_table(two_firms(stock=6))
    eng = cg.Engine(sc)
    while not eng.done:
        eng.step()
    owed_value = eng.state.backlog_value[0, 0]
    assert r.purchases.sum() + owed_value == pytest.approx(received.sum(), rel=1e-12)
    assert eng.state.backlog[0, 0] == d.backlog[8]


def test_without_a_schedule_nothing_is_kept():
    for name in ("classic", "stochastic", "network", "capacity"):
        sc = cg.load_scenario(name)
        assert sc.network().order_price is None and sc.initial_state(2).backlog_value is None


# --------------------------------------------------------------------------------------------------
# what a firm sees


class Spy(ForwardBuy):
    def decide(self, obs, memory):
        memory.setdefault("seen", []).append(obs)
        return super().decide(obs, memory)


def test_the_firm_sees_its_price_its_regular_price_and_the_announced_prices():
    sc = cg.load_scenario("promotions")
    eng = cg.Engine(sc, replications=2)
    seen = {}
    for _ in range(10):
        obs = eng.begin_week()
        seen[eng.week] = {o.firm: o for o in obs}
        eng.end_week(*eng.decide(obs))
    r3, r4 = seen[3]["retailer"], seen[4]["retailer"]
    assert r3.price.tolist() == [10, 10] and r4.price.tolist() == [8, 8]
    assert r3.regular_price.tolist() == [10, 10]
    assert r3.price_ahead.shape == (ANNOUNCED, 2)
    assert r3.price_ahead[:, 0].tolist() == [8, 10, 10, 10, 8, 10, 10, 10, 8, 10, 10, 10, 8]
    d = seen[3]["distributor"]  # its own supplier's price never changes: nothing announced
    assert d.price.tolist() == [8, 8] and d.price_ahead is None
    assert not np.shares_memory(r3.price_ahead, r4.price_ahead)
