"""The Mesa model: a value chain with one :class:`~chaingame.agents.FirmAgent` per firm."""

from __future__ import annotations

from collections.abc import Mapping
from operator import attrgetter, itemgetter

import mesa
import numpy as np
import pandas as pd

from .agents import BOOKS, FirmAgent
from .checks import number
from .engine import COLUMNS, Engine
from .observe import Views
from .scenario import Scenario, load_scenario


class BooksCollector(mesa.DataCollector):
    """Mesa's ``DataCollector``, taking each :class:`FirmAgent`'s row of the week at once.

    Its agent reporters are the agents' attributes; an agent's row (``FirmAgent.row``, its books) holds what they
    report, in their order, so the table is the one Mesa's own collection builds (tested), without a call per
    reporter and agent. Other agents are collected as Mesa collects them.
    """

    def _record_agents(self, model):
        t, records = model.time, []
        for a in model.agents:
            if type(a) is not FirmAgent or a.row is None:
                return super()._record_agents(model)
            records.append((t, a.unique_id, a.firm_id, a.role, *a.row))
        return records


class ChainModel(mesa.Model):
    """A multi-firm value chain (beer game) as a Mesa model.

    Each step is one week (:mod:`chaingame.chain` for the event order): the physics runs, every
    agent observes its firm under the scenario's information mode and decides, and a
    ``DataCollector`` records every firm.

    Args:
        scenario: a :class:`~chaingame.scenario.Scenario`, a bundled name or a ``.toml`` path.
        seed: demand seed (default: the scenario's seed).
        policies: rules replacing the scenario's, by firm id (``chaingame.policies``).
        weeks: horizon replacing the scenario's.
        replication: which replication of ``seed`` to play (the array engine's replication r).

    Example:
        >>> m = ChainModel("classic", policies={"factory": Sterman(0, 1, 1, 20)})
        >>> m.run(); m.history()
    """

    def __init__(self, scenario: Scenario | str = "classic", seed: int | None = None,
                 policies: Mapping | None = None, weeks: int | None = None, replication: int = 0):
        sc = load_scenario(scenario)
        if weeks is not None:
            sc = sc.with_values({"weeks": number(weeks, "weeks", low=1, integer=True)})
        replication = number(replication, "replication", low=0, integer=True)
        self.engine = Engine(sc, replications=1, seed=seed, policies=policies, first_replication=replication)
        super().__init__(rng=self.engine.seed)
        self.spec = sc  # the chaingame Scenario (Mesa's own `scenario` holds its run settings)
        self.firms: dict[str, FirmAgent] = {}
        for f, pol, cap in zip(sc.firms, self.engine.policies, self.engine.capacity_rules):
            i = len(self.firms)
            self.firms[f.id] = FirmAgent(self, f.id, f.role, pol, cap, self.engine.memory[i],
                                         self.engine.capacity_memory[i], index=i)
        self._agents = list(self.firms.values())
        self.views: Views | None = None  # this week's observations (where the rules decided on the books' rows)
        self.total_cost = 0.0  # $ chain operating cost since week 1
        # the agents' rows of the week, (F, BOOKS): the running total_cost, then the week's record (one copy)
        self._rows = np.zeros((len(self._agents), len(BOOKS)))
        self._record, self._total = self._rows[:, 1:], self._rows[:, 0]
        self._cost = self._rows[:, BOOKS.index("cost")]
        self._columns = itemgetter(*COLUMNS)
        self.datacollector = BooksCollector(  # a model reporter also makes mesa.batch_run see the steps
            model_reporters={"chain_cost": "total_cost"},
            agent_reporters={c: attrgetter(a) for c, a in (("firm", "firm_id"), ("role", "role"),
                                                            ("total_cost", "total_cost"), *zip(COLUMNS, COLUMNS))},
        )
        self.running = True

    @property
    def week(self) -> int:
        """The last week played (0 before the first step)."""
        return self.engine.week

    def step(self) -> None:
        """Play one week: physics, observations, every agent's decision, then record.

        Where every rule is stackable (``engine.groups``) the agents' rules decide together on their rows of
        the books (:meth:`~chaingame.engine.Engine.decide_books`, the same decisions), and an agent's
        ``observation`` is built only if something asks for it.
        """
        engine, agents = self.engine, self._agents
        if engine.groups is None:
            self.views = None
            observations = engine.begin_week()
            orders = np.empty((len(agents), 1))
            capacity = np.empty((len(agents), 1))
            for i, (agent, obs, seen) in enumerate(zip(agents, observations,
                                                       engine.order_observations(observations))):
                agent.see(obs, seen)
                orders[i], capacity[i] = agent.decide()
        else:
            engine.begin_week(observe=False)
            books = engine.books()
            self.views = Views(engine.net, engine.state, engine.flows, self.spec.information, books)
            orders, capacity = engine.decide_books(books)
        np.concatenate(self._columns(engine.end_week(orders, capacity)), axis=1, out=self._record)
        np.add(self._total, self._cost, out=self._total)  # as adding Python floats week by week
        rows = self._rows.tolist()  # Python floats, as the collector keeps them
        for agent, row in zip(agents, rows):
            agent.keep(row)
        self.total_cost = sum([row[0] for row in rows])
        self.datacollector.collect(self)
        self.running = not engine.done

    def run(self) -> ChainModel:
        """Play the rest of the horizon."""
        while not self.engine.done:
            self.step()
        return self

    def history(self) -> pd.DataFrame:
        """Tidy history: one row per (week, firm), columns ``week, firm, role`` + :data:`COLUMNS`."""
        if not self.datacollector._agent_records:
            return pd.DataFrame(columns=["week", "firm", "role", *COLUMNS])
        df = self.datacollector.get_agent_vars_dataframe().reset_index()
        df["week"] = df["Step"].astype(int)
        return df[["week", "firm", "role", *COLUMNS]].reset_index(drop=True)
