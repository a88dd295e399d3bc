"""Counterfactual replay: a recorded game played again with some firms given another rule.

A :class:`Record` is what a replay needs: the scenario, the order every firm placed each week and
the end-customer demand of each week. The firms given a rule decide by it from their own
observations; every other firm places its recorded order exactly, on the very same customer
demand. With no firm replaced the replay gives back the recorded history exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..checks import ScenarioError, show
from ..engine import COLUMNS, Engine
from ..policies import Policy
from ..scenario import Scenario, load_scenario


@dataclass(frozen=True)
class Record:
    """A played or simulated game, as much of it as a replay needs.

    Attributes:
        scenario: the scenario the game was played on.
        orders: (W, F) the order each firm placed at the end of weeks 1..W, firms in scenario order.
        demand: (W, C) end-customer demand of weeks 1..W, one column per retailer
            (``scenario.customers`` order).
        history: the recorded tidy history, when the record was read from one.
    """

    scenario: Scenario
    orders: np.ndarray
    demand: np.ndarray
    history: pd.DataFrame | None = None

    @property
    def weeks(self) -> int:
        """W, the weeks played."""
        return len(self.orders)

    @classmethod
    def from_orders(cls, scenario: Any, orders: Mapping[str, Any], *, seed: int | None = None,
                    replication: int = 0, demand: Mapping[str, Any] | None = None) -> Record:
        """A record from the orders of each firm and week (a classroom game's decision log).

        Args:
            scenario: the scenario (a :class:`Scenario`, a bundled name or a path).
            orders: ``{firm id: [order of week 1, week 2, ...]}`` for every firm, equally long.
            seed: the game's demand seed (default: the scenario's); ignored where ``demand`` is given.
            replication: which replication of ``seed`` the game drew its demand from.
            demand: ``{retailer id: [demand of week 1, ...]}``, the demand as recorded (default:
                drawn from the scenario with ``seed``, as the engine draws it).
        """
        sc = load_scenario(scenario)
        if not isinstance(orders, Mapping):
            raise ScenarioError("orders", f"{show(orders)} is not a mapping (allowed: {{firm id: weekly orders}})")
        for fid in orders:
            sc.firm(fid)
        missing = [f for f in sc.firm_ids if f not in orders]
        if missing:
            raise ScenarioError(f"orders.{missing[0]}", "is missing (allowed: the orders of every firm)")
        table = [np.asarray(orders[f], dtype=float).ravel() for f in sc.firm_ids]
        weeks = len(table[0])
        for fid, row in zip(sc.firm_ids, table):
            if len(row) != weeks or not 1 <= weeks <= sc.weeks:
                raise ScenarioError(f"orders.{fid}", f"has {len(row)} weeks (allowed: 1 to {sc.weeks}, the same for "
                                                     "every firm)")
        if demand is None:
            drawn = Engine(sc, seed=seed, first_replication=replication).demand[:weeks, :, 0]
        else:
            for fid in demand:
                if fid not in sc.customers:
                    raise ScenarioError(f"demand.{fid}", f"is not a retailer of {sc.name} "
                                                         f"(retailers: {', '.join(sc.customers)})")
            drawn = np.stack([np.asarray(demand[c], float).ravel()[:weeks] for c in sc.customers], axis=1)
            if drawn.shape[0] != weeks:
                raise ScenarioError("demand", f"has {drawn.shape[0]} weeks (allowed: {weeks}, as the orders)")
        return cls(sc, np.stack(table, axis=1), drawn)


def record(source: Any, scenario: Any = None, replication: int | None = None) -> Record:
    """The :class:`Record` of a game.

    The game is a :class:`~chaingame.model.ChainModel` that has played, a :class:`Record`, or a tidy history
    (``ChainModel.history()`` or ``simulate(..., history=True)`` rows) together with its ``scenario``.

    Demand is read from the retailers' ``customer_demand`` column, so a bare history needs its
    scenario but not its seed. A history of several replications needs ``replication``.
    """
    if isinstance(source, Record):
        return source
    if hasattr(source, "engine") and hasattr(source, "history") and hasattr(source, "spec"):  # a ChainModel
        sc = source.spec if scenario is None else load_scenario(scenario)
        return _from_history(source.history(), sc, None)
    if isinstance(source, pd.DataFrame):
        if scenario is None:
            raise ScenarioError("scenario", "is missing (required with a bare history: pass scenario=...; a "
                                            "ChainModel or a Record carries its own)")
        return _from_history(source, load_scenario(scenario), replication)
    raise ScenarioError("history", f"{show(source)} is not a game (allowed: a history DataFrame, a ChainModel or "
                                   "a Record)")


def one_replication(history: pd.DataFrame, replication: int | None) -> pd.DataFrame:
    """The rows of one replication of a tidy history (all of it when it has no replication column)."""
    if "replication" not in history.columns:
        return history
    runs = sorted(history["replication"].unique())
    if replication is None:
        if len(runs) != 1:
            raise ScenarioError("replication", f"is missing (required: the history holds {len(runs)} replications)")
        replication = runs[0]
    if replication not in runs:
        raise ScenarioError("replication", f"{show(replication)} is not in the history (allowed: {runs[0]} to "
                                           f"{runs[-1]})")
    rows = history[history["replication"] == replication]
    return rows.drop(columns="replication").reset_index(drop=True)


def _from_history(history: pd.DataFrame, sc: Scenario, replication: int | None) -> Record:
    h = one_replication(history, replication)
    need = {"week", "firm", "order_placed", "customer_demand"}
    if not need <= set(h.columns):
        raise ScenarioError("history", f"lacks the columns {sorted(need - set(h.columns))} (allowed: a tidy history, "
                                       "ChainModel.history())")
    if h.empty:
        raise ScenarioError("history", "is empty (allowed: at least one week played)")
    orders = h.pivot(index="week", columns="firm", values="order_placed")
    extra = [f for f in orders.columns if f not in sc.firm_ids]
    if extra:
        raise ScenarioError("history.firm", f"{show(extra[0])} is not a firm of {sc.name} "
                                            f"(firms: {', '.join(sc.firm_ids)})")
    missing = [f for f in sc.firm_ids if f not in orders.columns]
    if missing:
        raise ScenarioError("history.firm", f"has no rows of {missing[0]} (allowed: every firm's rows)")
    weeks = orders.index.to_numpy()
    if not np.array_equal(weeks, np.arange(1, len(weeks) + 1)) or len(weeks) > sc.weeks:
        raise ScenarioError("history.week", f"runs {weeks.min()}..{weeks.max()} (allowed: every week 1..n, n <= "
                                            f"{sc.weeks})")
    demand = h.pivot(index="week", columns="firm", values="customer_demand")[list(sc.customers)]
    return Record(sc, orders[list(sc.firm_ids)].to_numpy(float), demand.to_numpy(float), history)


def _as_policy(rule: Any, fid: str) -> Policy:
    if isinstance(rule, Policy):
        return rule
    if hasattr(rule, "policy") and callable(rule.policy):  # a fitted rule (StermanFit)
        return rule.policy()
    raise ScenarioError(f"policies.{fid}", f"{show(rule)} is not a Policy from chaingame.policies or a fitted rule")


def replay(source: Any, policies: Mapping[str, Any] | None = None, *, scenario: Any = None,
           replication: int | None = None) -> pd.DataFrame:
    """Play a recorded game again with the firms in ``policies`` deciding by those rules.

    Every other firm places exactly its recorded order each week, and end customers order exactly
    what they ordered in the record; capacity targets follow the scenario's capacity rules. The
    replaced firms' rules start from week 1 (weeks whose orders the scenario fixes stay fixed).

    Args:
        source: a :class:`Record`, a played :class:`~chaingame.model.ChainModel`, or a tidy history
            with ``scenario``.
        policies: ``{firm id: rule}``, a :mod:`chaingame.policies` rule or a fitted rule
            (:class:`~chaingame.insight.StermanFit`); none: replay the record as it was.
        scenario: the scenario of a bare history.
        replication: which replication of a ``simulate`` history.

    Returns:
        The replayed tidy history, shaped as ``ChainModel.history()``.

    Example:
        >>> m = ChainModel("classic").run()
        >>> replay(m, {"retailer": Sterman(theta=0, alpha_s=1, beta=1, s_prime=28)})
    """
    rec = record(source, scenario, replication)
    sc = rec.scenario
    if policies is not None and not isinstance(policies, Mapping):
        raise ScenarioError("policies", f"{show(policies)} is not a mapping (allowed: {{firm id: rule}})")
    for fid in policies or {}:
        if fid not in sc.firm_ids:
            raise ScenarioError(f"policies.{fid}", f"is not a firm of {sc.name} (firms: {', '.join(sc.firm_ids)})")
    rules = {fid: _as_policy(rule, fid) for fid, rule in (policies or {}).items()}
    engine = Engine(sc, replications=1, policies=rules)
    engine.demand[: rec.weeks] = rec.demand[:, :, None]
    F, W = len(sc.firms), rec.weeks
    decides = [fid in rules for fid in sc.firm_ids]
    cols = {c: np.empty((W, F)) for c in COLUMNS}
    for w in range(W):
        obs = engine.begin_week()
        orders = np.empty((F, 1))
        capacity = np.empty((F, 1))
        for i, o in enumerate(obs):
            orders[i] = engine.policies[i].decide(o, engine.memory[i]) if decides[i] else rec.orders[w, i]
            rule = engine.capacity_rules[i]
            capacity[i] = rule.target(o, engine.capacity_memory[i]) if rule is not None else o.capacity
        books = engine.end_week(orders, capacity)
        for c in COLUMNS:
            cols[c][w] = books[c][:, 0]
    return pd.DataFrame({
        "week": np.repeat(np.arange(1, W + 1), F),
        "firm": np.tile(np.array(sc.firm_ids, dtype=object), W),
        "role": np.tile(np.array([f.role for f in sc.firms], dtype=object), W),
        **{c: cols[c].ravel() for c in COLUMNS},
    })


def costs(history: pd.DataFrame) -> pd.Series:
    """Each firm's total cost over the history ($), in the order firms first appear."""
    order = list(dict.fromkeys(history["firm"]))
    return history.groupby("firm", sort=False)["cost"].sum().reindex(order)
