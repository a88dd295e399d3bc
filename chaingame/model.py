"""The Mesa model: a value chain with one :class:`~chaingame.agents.FirmAgent` per firm."""

from __future__ import annotations

from collections.abc import Mapping
from operator import attrgetter

import mesa
import numpy as np
import pandas as pd

from .agents import BOOKS, FirmAgent
from .checks import number
from .engine import _ALL, COLUMN_INDEX, COLUMNS, Engine, Rows
from .observe import Views, replay
from .scenario import Scenario, load_scenario

# the agents' reporters, in the order of an agent's row of the books (FirmAgent.row) after firm and role
REPORTERS = {c: attrgetter(a) for c, a in (("firm", "firm_id"), ("role", "role"), *zip(BOOKS, BOOKS))}


class BooksCollector(mesa.DataCollector):
    """Mesa's ``DataCollector``, keeping a :class:`ChainModel`'s week as the week's row of its books table.

    Collecting a week notes its step; Mesa's tables (``model_vars``, ``_agent_records``) are filled in from the
    model's table of books when first read, with the values, types and order Mesa's own collection of the same
    reporters gives (tested), the agents' rows the very lists their attributes read. While the model has other
    agents, or reporters other than its own, each step is collected as Mesa collects it.
    """

    def __init__(self, *args, **kwargs):
        self._pending: list[tuple[float, int]] = []  # (step, week) collected, not yet in Mesa's tables
        self._model: ChainModel | None = None
        super().__init__(*args, **kwargs)

    @property
    def model_vars(self) -> dict[str, list]:
        """Mesa's model table, up to date."""
        self._fill()
        return self._model_vars

    @model_vars.setter
    def model_vars(self, value: dict[str, list]) -> None:
        self._model_vars = value

    @property
    def _agent_records(self) -> dict[float, list[tuple]]:
        self._fill()
        return self._records

    @_agent_records.setter
    def _agent_records(self, value: dict[float, list[tuple]]) -> None:
        self._records = value

    def collect(self, model) -> None:
        """Collect this step of ``model`` (Mesa's ``collect``)."""
        if ((model is self._model or self._model is None and isinstance(model, ChainModel)) and model.engine.state.week
                and len(model.agents) == len(model._agents) and len(self.agent_reporters) == len(REPORTERS)
                and len(self.model_reporters) == 1 and not self.agenttype_reporters):
            self._model, t = model, model.time
            self._collection_steps.append(t)
            self._pending.append((t, model.engine.state.week))
        else:
            self._fill()
            super().collect(model)

    def _fill(self) -> None:
        """Mesa's tables, from the model's table, of the steps collected since last asked."""
        if not self._pending:
            return
        pending, self._pending, model = self._pending, [], self._model
        chain_cost, records, agents = self._model_vars["chain_cost"], self._records, model._agents
        every = model.rows(every=True)
        for t, week in pending:
            rows = every[week]
            chain_cost.append(sum([row[0] for row in rows]))
            records[t] = [(t, a.unique_id, a.firm_id, a.role, *row) for a, row in zip(agents, rows)]


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
        self._start = None  # the state this week began from, where the rules decided on the books' rows
        self._views: Views | None = None  # this week's observations, once built from it
        # the books of every week: the record, (COLUMNS, W, F, 1), week w's in [:, w - 1], where Engine.end_week
        # writes it (Rows); the running total_cost, (W + 1, F, 1), week 0 zeros
        F = len(self._agents)
        self._record, self._totals = np.zeros((len(COLUMNS), sc.weeks, F, 1)), np.zeros((sc.weeks + 1, F, 1))
        self._costs = self._record[COLUMN_INDEX["cost"]]  # (W, F, 1)
        self._rows: list[list | None] = [None] * (sc.weeks + 1)  # each week's rows as Python floats, when asked for
        self.datacollector = BooksCollector(  # a model reporter also makes mesa.batch_run see the steps
            model_reporters={"chain_cost": "total_cost"}, agent_reporters=REPORTERS)
        self.running = True

    @property
    def week(self) -> int:
        """The last week played (0 before the first step)."""
        return self.engine.week

    @property
    def views(self) -> Views | None:
        """This week's observations, where the rules decided on the books' rows (:attr:`engine.groups`); else None.

        Built when first asked for (an agent's ``observation``), from the state the week began from, its events played
        again (:func:`~chaingame.observe.replay`): the books the rules decided on, bit for bit.
        """
        if self._views is None and self._start is not None:
            engine, start, self._start = self.engine, self._start, None
            delays = None if engine.delays is None else engine.delays[start.week]
            self._views = replay(engine.net, start, engine.demand[start.week], delays, self.spec.information)
        return self._views

    def step(self) -> None:
        """Play one week: physics, observations, every agent's decision, then record.

        Where every rule is stackable (``engine.groups``) the week is the engine's own (:meth:`Engine.step`: the
        agents' rules decide together on their rows of the books, the same decisions), and an agent's
        ``observation`` is built only if something asks for it (:attr:`views`).
        """
        engine, agents = self.engine, self._agents
        week = engine.state.week + 1
        out = Rows(self._record, _ALL, week - 1)  # the week's record, written into the model's table
        self._views = None
        if engine.groups is None:
            self._start = None
            observations = engine.begin_week()
            orders = np.empty((len(agents), 1))
            capacity = np.empty((len(agents), 1))
            for i, (agent, obs, seen) in enumerate(zip(agents, observations,
                                                       engine.order_observations(observations))):
                agent.see(obs, seen)
                orders[i], capacity[i] = agent.decide()
            engine.end_week(orders, capacity, out=out)
        else:
            self._start = engine.state.copy()
            engine.step(out=out)
        np.add(self._totals[week - 1], self._costs[week - 1], out=self._totals[week])  # as adding Python floats
        self.datacollector.collect(self)
        self.running = not engine.done

    def rows(self, week: int | None = None, every: bool = False) -> list[list[float]] | None:
        """Every agent's books of ``week`` (default: the last played); None before week 1.

        One row per agent, in the order of :data:`~chaingame.agents.BOOKS`, Python floats (the same lists each
        time: the agents' attributes and the DataCollector's rows read them). With ``every``, the rows of every
        week played so far, indexed by week (index 0 None).
        """
        if every:
            played, cached = self.engine.week + 1, self._rows
            if any(r is None for r in cached[1:played]):
                fresh = self._table(played).tolist()
                cached[1:played] = [c if c is not None else f for c, f in zip(cached[1:played], fresh[1:])]
            return cached
        week = self.engine.week if week is None else week
        if not week:
            return None
        rows = self._rows[week]
        if rows is None:
            rows = self._rows[week] = [[total, *row] for total, row in zip(
                self._totals[week, :, 0].tolist(), self._record[:, week - 1, :, 0].T.tolist())]
        return rows

    def _table(self, weeks: int) -> np.ndarray:
        """The books of weeks 0 .. ``weeks`` - 1, (weeks, F, BOOKS): total_cost, then the record (week 0 zeros)."""
        table = np.zeros((weeks, len(self._agents), len(BOOKS)))
        table[:, :, 0] = self._totals[:weeks, :, 0]
        table[1:, :, 1:] = self._record[:, : weeks - 1, :, 0].transpose(1, 2, 0)
        return table

    @property
    def total_cost(self) -> float:
        """$ chain operating cost since week 1, the sum of the agents' ``total_cost``."""
        rows = self.rows()
        return 0.0 if rows is None else sum([row[0] for row in rows])

    def run(self) -> ChainModel:
        """Play the rest of the horizon."""
        self.run_for(self.spec.weeks - self.engine.week)  # Mesa's steps, in one call
        return self

    def history(self) -> pd.DataFrame:
        """Tidy history: one row per (week, firm), columns ``week, firm, role`` + :data:`COLUMNS`."""
        if not self.datacollector._agent_records:
            return pd.DataFrame(columns=["week", "firm", "role", *COLUMNS])
        df = self.datacollector.get_agent_vars_dataframe().reset_index()
        df["week"] = df["Step"].astype(int)
        return df[["week", "firm", "role", *COLUMNS]].reset_index(drop=True)
