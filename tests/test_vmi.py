"""Vendor-managed inventory (Disney & Towill 2003): on a ``vmi`` link the supplier decides its
customer's orders from what VMI shows it of the customer, and sees that and no more."""

import dataclasses

import numpy as np
import pytest

import chaingame as cg
from chaingame.observe import VmiView
from chaingame.policies import BaseStock, Policy

BOARD = ("retailer", "wholesaler", "distributor", "factory")


class Spy(Policy):
    """Decides by ``rule``, recording every observation it is given."""

    def __init__(self, rule, log):
        self.rule, self.log = rule, log

    def decide(self, obs, memory):
        self.log.append(obs)
        return self.rule.decide(obs, memory)


def vmi_classic(**values):
    return cg.load_scenario("classic").with_values({"links.0.vmi": True, **values})


def test_the_retailer_places_no_order_of_its_own():
    """With VMI on the wholesaler -> retailer link the retailer's rule is never asked: its orders
    are the wholesaler's base-stock replenishment, up to its starting position of 28 (12 on hand +
    16 in the supply line), on the wholesaler's view of it."""
    sc = vmi_classic()
    assert sc.links[0].vmi == BaseStock(28.0)
    engine = cg.Engine(sc)
    assert engine.policies[0] == BaseStock(28.0)
    orders = []
    while not engine.done:
        obs = engine.begin_week()
        view = obs[1].vmi
        expected = np.maximum(0.0, 28.0 - (view.inventory[0] - view.backlog[0] + view.on_order[0]))
        decided, capacity = engine.decide(obs)
        np.testing.assert_array_equal(decided[0], expected)
        engine.end_week(decided, capacity)
        orders.append(engine.state.last_order[0, 0])
    h = cg.ChainModel(sc).run().history()
    assert h[h.firm == "retailer"].order_placed.tolist() == orders


def test_a_vmi_supplier_sees_its_customer_s_books_and_no_more():
    """The wholesaler's observation carries a :class:`VmiView` of the retailer equal to the
    retailer's own inventory, backlog, supply line, incoming orders, shipments and last order; no
    other firm gets one; the VMI rule receives those and NaN (or None) for everything else."""
    sc = vmi_classic()
    seen, own = [], []
    policies = {"retailer": Spy(sc.links[0].vmi, seen), "wholesaler": Spy(sc.firm("wholesaler").policy, own)}
    cg.ChainModel(sc, policies=policies, weeks=20).run()
    log = {}
    sc2 = vmi_classic()
    engine = cg.Engine(sc2)
    for _ in range(20):
        obs = engine.begin_week()
        log[engine.week] = obs
        for o in obs:
            assert (o.vmi is not None) == (o.firm == "wholesaler")
        engine.end_week(*engine.decide(obs))
    for rule_obs, supplier_obs in zip(seen, own, strict=True):
        week = rule_obs.week
        retailer = log[week][0]
        view = supplier_obs.vmi
        assert isinstance(view, VmiView) and view.customers == ("retailer",)
        for name in ("inventory", "backlog", "on_order", "incoming", "shipped", "last_order"):
            np.testing.assert_array_equal(getattr(view, name)[0], getattr(retailer, name), err_msg=f"{week} {name}")
            np.testing.assert_array_equal(getattr(rule_obs, name), getattr(retailer, name))
        for name in ("raw", "wip", "received", "capacity", "cost", "cash"):
            assert np.isnan(getattr(rule_obs, name)).all(), name
        assert rule_obs.demand is None and rule_obs.chain is None and rule_obs.vmi is None
        assert rule_obs.firm == "retailer" and rule_obs.role == "retailer"


@pytest.mark.parametrize("mode", ("silo", "pos", "full"))
def test_the_vmi_view_shares_no_memory_with_any_firm_s_arrays(mode):
    sc = vmi_classic(information=mode)
    engine = cg.Engine(sc)
    for _ in range(6):
        obs = engine.begin_week()
        view = obs[1].vmi
        mine = [getattr(view, f.name) for f in dataclasses.fields(view) if f.name != "customers"]
        for o in obs:
            for f in dataclasses.fields(o):
                x = getattr(o, f.name)
                if isinstance(x, np.ndarray):
                    assert not any(np.shares_memory(x, y) for y in mine), f"{o.firm}.{f.name}"
        engine.end_week(*engine.decide(obs))


def order_sd(sc, replications=1, seed=0):
    res = cg.simulate(sc, replications, seed=seed, history=True)
    h = res.history
    return h.groupby(["replication", "firm"], sort=False).order_placed.std().unstack()[list(BOARD)]


def test_vmi_on_the_classic_board_lowers_the_bullwhip_upstream():
    """Sterman's board (demand 4 -> 8 in week 5, the subjects' rule everywhere): with the
    wholesaler managing the retailer's stock, the orders of every firm upstream vary less."""
    classic = order_sd(cg.load_scenario("classic")).iloc[0]
    vmi = order_sd(vmi_classic()).iloc[0]
    for firm in BOARD[1:]:
        assert vmi[firm] < classic[firm], firm


def test_vmi_lowers_the_bullwhip_upstream_on_common_random_numbers():
    """The stochastic board (iid uniform 0..8 demand), 100 paired replications: VMI lowers every
    upstream firm's bullwhip (order variance over demand variance) on average, and the wholesaler's
    and the factory's in a clear majority of the pairs."""
    base = cg.load_scenario("stochastic")
    plain = cg.simulate(base, 100, seed=3).firms.set_index(["replication", "firm"]).bullwhip.unstack()
    vmi = cg.simulate(base.with_values({"links.0.vmi": True}), 100, seed=3).firms.set_index(
        ["replication", "firm"]).bullwhip.unstack()
    for firm in BOARD[1:]:
        assert vmi[firm].mean() < plain[firm].mean(), firm
    for firm in ("wholesaler", "factory"):
        assert (vmi[firm] < plain[firm]).mean() > 0.75, firm


def test_a_classroom_seat_under_vmi_is_decided_by_its_supplier_s_rule(tmp_path):
    """In a classroom session of the vmi board the retailer's seat never waits for its player:
    each week the wholesaler's VMI rule decides it (logged as a bot decision), and the team's game
    is the engine's with the other seats' decisions."""
    from chaingame.classroom import Classroom

    room = Classroom(tmp_path / "classroom.db")
    try:
        host = room.create_session("vmi", seed=3)
        seats = {f: room.join(host.code, f"P-{f}", team=1, firm=f) for f in BOARD}
        room.start(host.code, host.host_key)
        for week in range(1, 9):
            for firm in BOARD[1:]:
                view = room.seat_view(seats[firm].token)
                room.submit(seats[firm].token, week, view.fixed_order if view.fixed_order is not None else 6)
        h = room.debrief(host.code, host.host_key).history
    finally:
        room.close()
    shop = h[h.firm == "retailer"]
    assert set(shop.decided_by) == {"bot"} and set(h[h.firm != "retailer"].decided_by) == {"human"}
    sc = cg.load_scenario("vmi")
    engine = cg.Engine(sc, seed=3)
    for week in range(1, 9):
        orders, capacity = engine.decide(engine.begin_week())
        orders[1:] = np.array([[4.0 if week <= 4 else 6.0]] * 3)
        books = engine.end_week(orders, capacity)
        assert books["order_placed"][0, 0] == shop[shop.week == week].order_placed.iloc[0]
