"""Information modes: a rule (or a player's page) receives exactly what its seat may see."""

import numpy as np
import pytest

import chaingame as cg
from chaingame.observe import Observation
from chaingame.policies import Policy


class Spy(Policy):
    """Records every observation it is given, orders what came in."""

    def __init__(self):
        self.seen = []

    def decide(self, obs, memory):
        self.seen.append(obs)
        return obs.incoming.copy()


def observations(mode: str, firm: str = "wholesaler"):
    spy = Spy()
    sc = cg.load_scenario("network").with_values({"information": mode})
    cg.ChainModel(sc, policies={firm if firm in sc.firm_ids else "distributor": spy}, weeks=12).run()
    return spy.seen


def test_silo_sees_own_books_only():
    for obs in observations("silo", "distributor"):
        assert isinstance(obs, Observation)
        assert obs.firm == "distributor"
        assert obs.demand is None and obs.chain is None


def test_pos_adds_end_customer_demand_of_the_retailers_served():
    sc = cg.load_scenario("network")
    seen = observations("pos", "distributor")
    h = cg.ChainModel(sc.with_values({"information": "pos"}), weeks=12).run().history()
    demand = h[h.firm.isin(["north", "south"])].groupby("week").customer_demand.sum().to_numpy()
    assert np.array_equal([o.demand[0] for o in seen], demand)
    assert all(o.chain is None for o in seen)


def test_full_shows_every_firm():
    seen = observations("full", "distributor")
    assert seen[0].chain.firms == ("north", "south", "distributor", "factory")
    assert seen[0].chain.inventory.shape == (4, 1)


def test_silo_observation_of_a_firm_carries_nothing_of_another():
    """The observation holds the firm's arrays only: shapes (R,), no other firm's rows."""
    obs = observations("silo", "distributor")[5]
    for name in ("inventory", "backlog", "on_order", "incoming", "received", "shipped", "cost", "cash"):
        assert getattr(obs, name).shape == (1,)


def test_rules_needing_pos_data_are_refused_in_silo():
    rule = cg.policies.MovingAverageOrderUpTo(p=4, lead_time=4, signal="demand")
    with pytest.raises(cg.ScenarioError, match=r"policies\.retailer.*information"):
        cg.ChainModel("classic", policies={"retailer": rule})


def test_supply_line_matches_orders_minus_receipts():
    """On order = everything ordered and not yet received (Sterman's SL), from the books alone."""
    h = cg.ChainModel("classic").run().history()
    for firm in ("retailer", "wholesaler", "distributor"):
        f = h[h.firm == firm]
        initial = 16.0  # 2 weeks of orders in the mail + 2 of shipments in transit, 4 each
        expected = initial + f.order_placed.cumsum() - f.received.cumsum()
        np.testing.assert_allclose(f.on_order, expected)
