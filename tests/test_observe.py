"""Information modes: a rule (or a player's page) receives exactly what its seat may see."""

import dataclasses

import numpy as np
import pytest

import chaingame as cg
from chaingame.information import MODES
from chaingame.observe import ChainView, Observation
from chaingame.policies import Policy

from .test_model import _fields_equal  # observations field by field, bit for bit

NETWORK = ("north", "south", "distributor", "factory")


class Spy(Policy):
    """Records every observation it is given, orders what came in."""

    def __init__(self):
        self.seen = []

    def decide(self, obs, memory):
        self.seen.append(obs)
        return obs.incoming.copy()


def observations(mode: str, firm: str):
    """Every observation ``firm`` of the network scenario receives in 12 weeks under ``mode``."""
    spy = Spy()
    sc = cg.load_scenario("network").with_values({"information": mode})
    assert firm in sc.firm_ids, f"{firm!r} is not a firm of the network scenario {sc.firm_ids}"
    cg.ChainModel(sc, policies={firm: spy}, weeks=12).run()
    return spy.seen


class Watcher(Policy):
    """Decides by ``rule`` (the scenario's own), recording each firm's observation week by week."""

    def __init__(self, rule, log):
        self.rule, self.log = rule, log

    def decide(self, obs, memory):
        self.log.setdefault(obs.week, {})[obs.firm] = obs
        return self.rule.decide(obs, memory)


def every_firm_every_week(mode: str, weeks: int = 16) -> dict[int, dict[str, Observation]]:
    """{week: {firm: observation}} of the network scenario under ``mode``, every firm playing its
    own (Sterman) rule."""
    sc = cg.load_scenario("network").with_values({"information": mode})
    log: dict = {}
    cg.ChainModel(sc, weeks=weeks, policies={f.id: Watcher(f.policy, log) for f in sc.firms}).run()
    assert sorted(log) == list(range(1, weeks + 1)) and all(tuple(v) == NETWORK for v in log.values())
    return log


def own_arrays(obs: Observation) -> dict[str, np.ndarray]:
    """The firm's own ndarrays (everything but ``chain``), ``demand`` included where shown."""
    out = {f.name: getattr(obs, f.name) for f in dataclasses.fields(obs)
           if isinstance(getattr(obs, f.name), np.ndarray)}
    assert ("demand" in out) == (obs.demand is not None)
    return out


def chain_arrays(view: ChainView) -> dict[str, np.ndarray]:
    return {f.name: getattr(view, f.name) for f in dataclasses.fields(view) if f.name != "firms"}


def blocks(a: np.ndarray) -> list[np.ndarray]:
    """An array and the memory it is a view of (what ``.base`` reaches)."""
    return [a] if a.base is None else [a, a.base]


def shares(a: np.ndarray, b: np.ndarray) -> bool:
    return any(np.shares_memory(x, y) for x in blocks(a) for y in blocks(b))


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
    with pytest.raises(cg.ScenarioError, match=r'^policies\.retailer\.signal: "demand" needs more information than '
                                               r'"silo" \(allowed: "pos" or "full"\)$'):
        cg.ChainModel("classic", policies={"retailer": rule})


def test_supply_line_matches_orders_minus_receipts():
    """On order = everything ordered and not yet received (Sterman's SL), from the books alone."""
    h = cg.ChainModel("classic").run().history()
    for firm in ("retailer", "wholesaler", "distributor"):
        f = h[h.firm == firm]
        initial = 16.0  # 2 weeks of orders in the mail + 2 of shipments in transit, 4 each
        expected = initial + f.order_placed.cumsum() - f.received.cumsum()
        np.testing.assert_allclose(f.on_order, expected)


@pytest.mark.parametrize("mode", MODES)
def test_no_array_of_one_firm_shares_memory_with_another_firm_s(mode):
    """Each firm's arrays live in memory of their own: no ndarray of one firm's observation (nor
    the array it is a view of, its ``.base``) overlaps any ndarray of another firm's, so nothing of
    another firm is reachable from it; in ``full`` mode the chain view, which is meant to hold
    every firm's books, is a snapshot of its own too, sharing memory with no firm's own arrays."""
    for week, by_firm in every_firm_every_week(mode).items():
        for a in NETWORK:
            mine = own_arrays(by_firm[a])
            assert set(mine) >= {"inventory", "backlog", "on_order", "incoming", "last_order", "cash"}
            for b in NETWORK:
                if b == a:
                    continue
                for name, x in mine.items():
                    for other, y in own_arrays(by_firm[b]).items():
                        assert not shares(x, y), f"week {week}, {mode}: {a}.{name} shares memory with {b}.{other}"
            view = by_firm[a].chain
            assert (view is not None) == (mode == "full")
            if view is not None:
                for name, x in chain_arrays(view).items():
                    for b in NETWORK:
                        for other, y in own_arrays(by_firm[b]).items():
                            assert not shares(x, y), f"week {week}: chain.{name} shares memory with {b}.{other}"


def test_full_chain_view_is_every_firm_s_own_books():
    """In ``full`` mode each firm's chain view shows, row by row, exactly what every firm sees of
    itself that week: inventory, backlog, supply line, incoming orders and the order it placed last
    week."""
    same = {"inventory": "inventory", "backlog": "backlog", "on_order": "on_order", "incoming": "incoming",
            "order": "last_order"}
    for week, by_firm in every_firm_every_week("full").items():
        for a in NETWORK:
            view = by_firm[a].chain
            assert view.firms == NETWORK
            for row, b in enumerate(NETWORK):
                for field, own in same.items():
                    np.testing.assert_array_equal(getattr(view, field)[row], getattr(by_firm[b], own),
                                                  err_msg=f"week {week}: {a} sees {b}.{field}")


@pytest.mark.parametrize("mode", MODES)
def test_a_rule_scribbling_on_its_observation_changes_nothing_another_firm_sees(mode):
    """Observations are snapshots: a rule that overwrites every array it was given (its own books,
    the POS demand, the chain view) changes neither the physics nor what the firms deciding after it
    in the same week see."""
    sc = cg.load_scenario("network").with_values({"information": mode})
    honest: dict = {}
    cg.ChainModel(sc, weeks=12, policies={f.id: Watcher(f.policy, honest) for f in sc.firms}).run()

    class Scribbler(Watcher):
        def decide(self, obs, memory):
            seen = {k: v.copy() for k, v in own_arrays(obs).items()}
            chain = {k: v.copy() for k, v in chain_arrays(obs.chain).items()} if obs.chain else None
            self.log.setdefault(obs.week, {})[obs.firm] = (seen, chain)
            order = self.rule.decide(obs, memory)
            for array in own_arrays(obs).values():
                array[...] = -999.0
            for array in chain_arrays(obs.chain).values() if obs.chain else []:  # shared, so read-only
                with pytest.raises(ValueError, match="read-only"):
                    array[...] = -999.0
            return order

    scribbled: dict = {}
    first = sc.firm_ids[0]
    policies = {f.id: (Scribbler if f.id == first else Watcher)(f.policy, scribbled) for f in sc.firms}
    cg.ChainModel(sc, weeks=12, policies=policies).run()
    for week, by_firm in honest.items():
        for firm, obs in by_firm.items():
            later = scribbled[week][firm]
            seen = later[0] if firm == first else own_arrays(later)
            for name, x in own_arrays(obs).items():
                np.testing.assert_array_equal(seen[name], x, err_msg=f"week {week}: {firm}.{name}")
            if obs.chain is not None:
                view = later[1] if firm == first else chain_arrays(later.chain)
                for name, x in chain_arrays(obs.chain).items():
                    np.testing.assert_array_equal(view[name], x, err_msg=f"week {week}: {firm} sees chain.{name}")


@pytest.mark.parametrize("seed", range(40))
def test_a_week_replayed_after_its_orders_shows_what_observe_all_showed_before_them(seed):
    """replay (the Mesa model's observations, built when asked for): the week's events played again on a copy of
    the state it began from, after its orders were placed and its record taken, give each firm the observation
    observe_all gave it before the orders (random scenarios: returns, money, assembly, VMI, prices, random delays,
    batching, lost sales)."""
    from chaingame.observe import replay
    from tests.strategies import random_scenario_table

    eng = cg.Engine(cg.from_table(random_scenario_table(seed)), replications=2, seed=seed)
    while not eng.done:
        start, t = eng.state.copy(), eng.week
        before = eng.begin_week()
        eng.end_week(*eng.decide(before))
        delays = None if eng.delays is None else eng.delays[t]
        views = replay(eng.net, start, eng.demand[t], delays, eng.scenario.information)
        for f, seen in enumerate(before):
            assert _fields_equal(views.observation(f), seen), (seed, eng.week, f)
