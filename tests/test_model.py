"""The Mesa model and its contract (see the README's Python example)."""

import dataclasses

import mesa
import numpy as np
import pandas as pd
import pytest

import chaingame as cg
from chaingame.agents import BOOKS, FirmAgent

CONTRACT = ["week", "firm", "role", "inventory", "backlog", "incoming_order", "order_placed", "shipped",
            "received", "cost"]


def test_contract_columns_firms_and_weeks():
    sc = cg.load_scenario("classic")
    m = cg.ChainModel(sc, seed=1, policies={"factory": cg.policies.Sterman(theta=0, alpha_s=1, beta=1, s_prime=20)})
    assert isinstance(m, mesa.Model)
    assert all(isinstance(a, FirmAgent) for a in m.agents)
    assert [a.firm_id for a in m.agents] == ["retailer", "wholesaler", "distributor", "factory"]
    m.run()
    h = m.history()
    assert isinstance(h, pd.DataFrame)
    assert list(h.columns[: len(CONTRACT)]) == CONTRACT
    assert len(h) == 36 * 4
    assert h.groupby("week").size().eq(4).all()
    assert h.week.min() == 1 and h.week.max() == 36
    assert dict(zip(h.firm, h.role))["factory"] == "manufacturer"


def test_step_plays_one_week_and_agents_carry_their_books():
    m = cg.ChainModel("classic")
    m.step()
    assert m.week == 1
    h = m.history()
    assert list(h.week.unique()) == [1]
    retailer = m.firms["retailer"]
    assert retailer.inventory == h.set_index("firm").loc["retailer", "inventory"] == 12.0
    assert retailer.incoming_order == 4.0


def test_policies_override_only_named_firms():
    m = cg.ChainModel("classic", policies={"retailer": cg.policies.PassThrough()})
    assert isinstance(m.firms["retailer"].policy, cg.policies.PassThrough)
    assert isinstance(m.firms["factory"].policy, cg.policies.Sterman)
    h = m.run().history()
    r = h[h.firm == "retailer"]
    assert (r.order_placed.to_numpy()[4:] == r.incoming_order.to_numpy()[4:]).all()


def test_same_seed_same_numbers_other_seed_other_numbers():
    a = cg.ChainModel("stochastic", seed=3).run().history()
    b = cg.ChainModel("stochastic", seed=3).run().history()
    c = cg.ChainModel("stochastic", seed=4).run().history()
    pd.testing.assert_frame_equal(a, b)
    assert not a.customer_demand.equals(c.customer_demand)


def test_weeks_argument_changes_the_horizon():
    h = cg.ChainModel("classic", weeks=10).run().history()
    assert h.week.max() == 10
    with pytest.raises(cg.ScenarioError, match="weeks"):
        cg.ChainModel("classic", weeks=0)


def test_engine_replications_match_chain_model_run_by_run():
    """Replication r of the engine is ChainModel(seed, replication=r), to the last bit."""
    eng = cg.Engine("network", replications=3, seed=9)
    rows = [eng.step() for _ in range(eng.scenario.weeks)]
    for r in range(3):
        h = cg.ChainModel("network", seed=9, replication=r).run().history()
        for col in cg.COLUMNS:
            mine = np.stack([w[col][:, r] for w in rows])  # (W, F)
            theirs = h.pivot(index="week", columns="firm", values=col)[list(eng.scenario.firm_ids)].to_numpy()
            np.testing.assert_array_equal(mine, theirs, err_msg=col, strict=True)  # NaN only where NaN


def test_lost_sales_lose_orders_instead_of_backlogging():
    sc = cg.load_scenario("classic").with_values({"firms.retailer.unmet": "lost",
                                                  "firms.retailer.lost_sales_cost": 2.0})
    h = cg.ChainModel(sc).run().history()
    r = h[h.firm == "retailer"]
    assert (r.backlog == 0).all()
    assert r.lost.sum() > 0
    assert r.cost.sum() == pytest.approx((0.5 * r.inventory + 2.0 * r.lost).sum())


def test_capacity_limits_production_and_moves_with_the_rule():
    h = cg.ChainModel("capacity").run().history()
    m = h[h.firm == "manufacturer"].set_index("week")
    started = m.wip.diff().fillna(0) + m.produced  # what entered production each week
    assert (started.iloc[1:] <= np.floor(m.capacity.iloc[1:]) + 1e-9).all()
    assert m.capacity.iloc[0] == 10 and m.capacity.max() > 20  # the track rule raised capacity
    assert (h[h.firm == "retailer"].capacity.isna()).all()


def test_datacollector_tables_hold_every_column_as_python_values():
    """The agent table: (Step, AgentID) x firm, role, total_cost and the history columns, Python floats as
    the agents hold them after each week; total_cost the running sum of cost; the model table's chain_cost
    the sum over the firms."""
    m = cg.ChainModel("stochastic", seed=5, weeks=12).run()
    agents = m.datacollector.get_agent_vars_dataframe()
    assert list(agents.columns) == ["firm", "role", "total_cost", *cg.COLUMNS]
    assert list(agents.index.names) == ["Step", "AgentID"] and len(agents) == 12 * 4
    records = [row for rows in m.datacollector._agent_records.values() for row in rows]
    assert {type(v) for row in records for v in row[4:]} == {float}
    h = m.history()
    for firm, agent in m.firms.items():
        mine = agents[agents.firm == firm]
        np.testing.assert_array_equal(mine.total_cost.to_numpy(), np.cumsum(h[h.firm == firm].cost.to_numpy()))
        assert [getattr(agent, c) for c in cg.COLUMNS] == pytest.approx(list(mine.iloc[-1][list(cg.COLUMNS)]),
                                                                         nan_ok=True)
    chain_cost = m.datacollector.get_model_vars_dataframe()["chain_cost"].to_numpy()
    by_step = m.datacollector._agent_records.values()  # a row: Step, AgentID, firm, role, total_cost, ...
    assert list(chain_cost) == [sum(row[4] for row in rows) for rows in by_step]


def _fields_equal(a, b) -> bool:
    """Two observations hold the same values (arrays bit for bit, NaN where NaN), field by field."""
    for f in dataclasses.fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if dataclasses.is_dataclass(x):
            if not _fields_equal(x, y):
                return False
        elif isinstance(x, np.ndarray):
            if not (isinstance(y, np.ndarray) and x.shape == y.shape and np.array_equal(x, y, equal_nan=True)):
                return False
        elif x != y:
            return False
    return True


@pytest.mark.parametrize("name,mode", [("network", "silo"), ("network", "full"), ("pos-sharing", "pos"),
                                       ("assembly", "silo"), ("cash", "silo"), ("capacity", "silo")])
def test_stacked_rules_give_each_agent_the_observation_and_numbers_of_its_own_decision(name, mode):
    """With every rule stackable the agents' rules decide together on the books' rows; each agent's observation
    (built when asked for) is the one it gets when each agent decides on its own, week by week, and so are the
    history, the DataCollector's tables and each rule's memory."""
    sc = cg.load_scenario(name).with_values({"information": mode, "weeks": 14})
    together, alone = cg.ChainModel(sc, seed=3), cg.ChainModel(sc, seed=3)
    assert together.engine.groups is not None
    alone.engine.groups = None  # each agent observes and decides on its own
    while together.running:
        together.step()
        alone.step()
        for firm, agent in together.firms.items():
            theirs = alone.firms[firm]
            assert _fields_equal(agent.observation, theirs.observation), (firm, together.week)
            assert agent.order_observation is agent.observation
            assert agent.memory.keys() == theirs.memory.keys()
            assert all(np.array_equal(agent.memory[k], theirs.memory[k]) for k in agent.memory)
    pd.testing.assert_frame_equal(together.history(), alone.history())
    pd.testing.assert_frame_equal(together.datacollector.get_agent_vars_dataframe(),
                                  alone.datacollector.get_agent_vars_dataframe())


def test_books_collector_builds_the_tables_mesas_own_collector_builds():
    """ChainModel's collector takes each agent's row at once; Mesa's DataCollector with the same reporters,
    collecting the same steps through one attribute call per reporter and agent, builds the same tables."""
    m = cg.ChainModel("stochastic", seed=2, weeks=10)
    plain = mesa.DataCollector(model_reporters=dict(m.datacollector.model_reporters),
                               agent_reporters=dict(m.datacollector.agent_reporters))
    while m.running:
        m.step()
        plain.collect(m)
    assert type(m.datacollector).__mro__[1] is mesa.DataCollector
    pd.testing.assert_frame_equal(m.datacollector.get_agent_vars_dataframe(), plain.get_agent_vars_dataframe())
    pd.testing.assert_frame_equal(m.datacollector.get_model_vars_dataframe(), plain.get_model_vars_dataframe())
    assert m.datacollector._agent_records.keys() == plain._agent_records.keys()
    assert all(a == b for a, b in zip(m.datacollector._agent_records.values(), plain._agent_records.values()))


class Visitor(mesa.Agent):
    """An agent of another kind in a ChainModel, reporting what the model's reporters ask for."""

    def __init__(self, model):
        super().__init__(model)
        self.firm_id, self.role = "visitor", "none"
        for name in BOOKS:
            setattr(self, name, 1.5)


def test_collector_tables_read_mid_game_and_with_another_agent_are_mesas():
    """Mesa's tables, read between steps (filled in from the model's table) and after another kind of agent
    joins (then collected as Mesa collects), equal those of Mesa's own DataCollector collecting the same steps."""
    m = cg.ChainModel("stochastic", seed=4, weeks=9)
    plain = mesa.DataCollector(model_reporters=dict(m.datacollector.model_reporters),
                               agent_reporters=dict(m.datacollector.agent_reporters))
    seen = []
    while m.running:
        m.step()
        plain.collect(m)
        if m.week == 3:
            seen.append(m.datacollector.get_model_vars_dataframe().copy())
        if m.week == 5:
            Visitor(m)
    assert len(seen[0]) == 3 and list(seen[0].chain_cost) == plain.model_vars["chain_cost"][:3]
    pd.testing.assert_frame_equal(m.datacollector.get_agent_vars_dataframe(), plain.get_agent_vars_dataframe())
    pd.testing.assert_frame_equal(m.datacollector.get_model_vars_dataframe(), plain.get_model_vars_dataframe())
    assert m.datacollector._collection_steps == plain._collection_steps == [float(w) for w in range(1, 10)]
    assert all(a == b for a, b in zip(m.datacollector._agent_records.values(), plain._agent_records.values()))
    assert [len(rows) for rows in m.datacollector._agent_records.values()] == [4] * 5 + [5] * 4


def test_agents_books_before_and_after_a_week_and_read_only():
    m = cg.ChainModel("classic")
    retailer = m.firms["retailer"]
    assert retailer.total_cost == 0.0 and m.total_cost == 0.0 and retailer.row is None and m.rows() is None
    with pytest.raises(AttributeError, match="retailer has no inventory before its first week"):
        retailer.inventory  # noqa: B018
    m.step()
    assert retailer.inventory == 12.0 and retailer.row is m.rows()[0] and retailer.row[0] == retailer.total_cost
    with pytest.raises(AttributeError):
        retailer.inventory = 3.0
    m.step()
    assert m.rows(1)[0][BOOKS.index("inventory")] == 12.0 and m.rows(2)[0] is retailer.row
    assert m.total_cost == sum(a.total_cost for a in m.agents) > 0


def test_run_plays_mesas_steps_as_step_does():
    """run() (Mesa's run_for) from any week gives what step() week by week gives, Mesa's clock included."""
    stepped, ran = cg.ChainModel("stochastic", seed=6), cg.ChainModel("stochastic", seed=6)
    while stepped.running:
        stepped.step()
    ran.step()
    ran.run()
    assert (ran.steps, ran.time, ran.running) == (stepped.steps, stepped.time, False)
    assert ran.steps == ran.spec.weeks == ran.week and ran.time == float(ran.week)
    pd.testing.assert_frame_equal(ran.history(), stepped.history())
    pd.testing.assert_frame_equal(ran.datacollector.get_model_vars_dataframe(),
                                  stepped.datacollector.get_model_vars_dataframe())
