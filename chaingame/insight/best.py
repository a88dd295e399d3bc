"""The best possible on this demand, and what it would have cost on the very demand the team met.

On a deterministic board, the best rule of Sterman's family; on a stochastic serial one, the optimal echelon
base-stock levels (Clark & Scarf 1960; Chen & Zheng 1994).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from ..basestock import BaseStockSolution, serial_chain
from ..chain import half_up
from ..checks import ScenarioError, number
from ..engine import Engine
from ..policies import BaseStock, Policy, Sterman
from ..scenario import Scenario, load_scenario
from .externalities import benchmark_rules
from .replay import record, replay

SIGMA = 0.3  # largest step of the search, as a share of each parameter's range (S' range: 40 cases)
S_PRIME_RANGE = 40.0  # cases: the span S' steps are scaled by
MIN_SIGMA = 0.002  # smallest step


@dataclass(frozen=True)
class _StermanBatch(Policy):
    """Sterman's rule with one parameter set per replication ((R,) arrays).

    In the same operations as :class:`~chaingame.policies.Sterman`, so that each replication orders exactly as
    that rule.
    """

    theta: np.ndarray
    alpha_s: np.ndarray
    beta: np.ndarray
    s_prime: np.ndarray
    name: ClassVar[str] = "sterman_batch"

    def decide(self, obs, memory):
        if "expected" not in memory:
            memory["expected"] = np.full(obs.incoming.shape, obs.incoming, dtype=float)
        lhat = memory["expected"]
        lhat *= 1 - self.theta
        lhat += self.theta * obs.incoming
        stock = obs.inventory - obs.backlog
        adjust = self.alpha_s * (self.s_prime - stock - self.beta * obs.on_order)
        return np.maximum(0.0, half_up(lhat + adjust))


def _team_costs(sc: Scenario, params: np.ndarray, seed: int | None) -> np.ndarray:
    """Team cost over the horizon of each parameter set, params (R, F, 4)."""
    R = len(params)
    rules = {f.id: _StermanBatch(*(params[:, i, k].copy() for k in range(4))) for i, f in enumerate(sc.firms)}
    engine = Engine(sc, replications=R, seed=seed, policies=rules)
    total = np.zeros(R)
    week = {"cost": np.empty((len(sc.firms), R))}
    while not engine.done:
        engine.step(out=week)
        total += week["cost"].sum(axis=0)
    return total


@dataclass(frozen=True)
class BestRule:
    """The best rules of Sterman's family found for a board.

    Attributes:
        policies: ``{firm id: Sterman(...)}``, the best found.
        cost: their team cost over the horizon ($).
        benchmark_cost: Sterman's benchmark rule's team cost on the same board ($).
        evaluated: parameter sets tried.
    """

    policies: dict[str, Sterman]
    cost: float
    benchmark_cost: float
    evaluated: int


def best_sterman(scenario: Any = "classic", *, seed: int | None = None, generations: int = 80,
                 population: int = 256, search_seed: int = 0) -> BestRule:
    """Search Sterman's family (θ, α_S, β, S' per firm) for the lowest team cost on a board.

    A (1 + λ) evolution strategy from Sterman's benchmark rule: each generation tries
    ``population`` perturbations of the best set so far, all on the array engine at once; each
    perturbation moves a random share of the 4F parameters by normal steps of its own size
    (log-uniform from 0.2% to 30% of the parameter's range), clipped to the bounds, and the best
    of them is kept if it costs no more. The cost is that of one run with demand seed ``seed``, so the result
    is the best on that demand (any seed, for deterministic demand such as the classic board's).
    Never worse than the benchmark, which is the first set tried.
    """
    sc = load_scenario(scenario)
    generations = int(number(generations, "generations", low=1, integer=True))
    population = int(number(population, "population", low=2, integer=True))
    rng = np.random.default_rng(search_seed)
    bench = benchmark_rules(sc)
    best = np.array([[bench[f].theta, bench[f].alpha_s, bench[f].beta, bench[f].s_prime] for f in sc.firm_ids])
    best_cost = float(_team_costs(sc, best[None], seed)[0])
    bench_cost = best_cost
    scale = np.array([1.0, 1.0, 1.0, S_PRIME_RANGE])
    upper = np.array([1.0, 1.0, 1.0, np.inf])
    evaluated = 1
    for _ in range(generations):
        sigma = np.exp(rng.uniform(np.log(MIN_SIGMA), np.log(SIGMA), (population, 1, 1)))
        moved = rng.random((population, *best.shape)) < rng.uniform(0.05, 1.0, (population, 1, 1))
        trial = best[None] + moved * rng.normal(0.0, 1.0, (population, *best.shape)) * sigma * scale
        trial = np.clip(trial, 0.0, upper)
        cost = _team_costs(sc, trial, seed)
        evaluated += population
        k = int(np.argmin(cost))
        if cost[k] <= best_cost:  # ties move too: the cost is flat between whole-case orders
            best, best_cost = trial[k], float(cost[k])
    policies = {f: Sterman(*(float(v) for v in best[i])) for i, f in enumerate(sc.firm_ids)}
    return BestRule(policies, best_cost, bench_cost, evaluated)


@dataclass(frozen=True)
class BestBaseStock:
    """Optimal echelon base-stock levels and their cost on the demand a team met.

    Attributes:
        solution: the levels and expected costs per week (:class:`~chaingame.basestock.BaseStockSolution`;
            ``beer_game_cost`` is the long-run cost per week the engine charges, upstream backlog
            left out when ``ignore_upstream_backlog``).
        policies: ``{firm id: BaseStock(local level)}``.
        cost: their team cost on the recorded demand, as the board charges it ($).
        recorded_cost: the team's recorded cost ($).
        weeks: weeks replayed.
        history: the replayed history with every firm on its base-stock level.
    """

    solution: BaseStockSolution
    policies: dict[str, BaseStock]
    cost: float
    recorded_cost: float
    weeks: int
    history: pd.DataFrame

    @property
    def expected_cost(self) -> float:
        """Expected team cost over the same weeks in the long run: beer_game_cost × weeks ($)."""
        return self.solution.beer_game_cost * self.weeks


def best_base_stock(source: Any, *, scenario: Any = None, replication: int | None = None,
                    ignore_upstream_backlog: bool = False) -> BestBaseStock:
    """The optimal echelon base-stock levels of a stochastic serial board, replayed on a game's demand.

    The levels are :func:`chaingame.basestock.serial_chain`'s; the demand is the very demand of the game.

    Args:
        source: a game (see :func:`~chaingame.insight.replay`).
        scenario: the scenario of a bare history.
        replication: which replication of a ``simulate`` history.
        ignore_upstream_backlog: allow a board that charges backlog above the retailer (the levels
            are then optimal without those charges, which ``cost`` still includes).
    """
    rec = record(source, scenario, replication)
    sc = rec.scenario
    if not any(p.random for p in sc.demand_processes()):
        raise ScenarioError("demand.process", "is deterministic (allowed: random i.i.d. demand; for a deterministic "
                                              "board use best_sterman)")
    chain = serial_chain(sc, ignore_upstream_backlog=ignore_upstream_backlog)
    solution = chain.solve()
    policies = chain.policies(solution)
    h = replay(rec, policies)
    base = rec.history if rec.history is not None else replay(rec)
    return BestBaseStock(solution, policies, float(h["cost"].sum()), float(base["cost"].sum()), rec.weeks, h)
