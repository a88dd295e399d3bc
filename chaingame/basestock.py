"""Optimal echelon base-stock levels of a serial chain (Clark & Scarf 1960; Chen & Zheng 1994).

Stages are numbered 1..N, stage 1 the most downstream (the retailer) and stage N the one supplied
by the outside source, as in Snyder & Shen (2019), "Fundamentals of Supply Chain Theory", 2nd ed.,
ch. 6. Stage j has local holding cost ``h_j`` ($/unit/period on hand), echelon holding cost
``h^e_j = h_j − h_{j+1}`` (``h_{N+1} = 0``), and lead time ``L_j``: the number of periods of demand
between stage j placing an order and receiving it. Unmet end-customer demand is backordered at
``p`` $/unit/period, charged at stage 1 only; upstream shortages only delay shipments.

Clark & Scarf (1960) showed that an echelon base-stock policy is optimal. Chen & Zheng (1994)
compute its levels S*_j and the optimal cost per period C* exactly by the recursion (Snyder & Shen
2019, ch. 6)::

    C_0(x)   = (p + h_1) x⁻                       x⁻ = max(0, −x); h_1 = Σ_j h^e_j, stage 1's local cost
    Ĉ_j(x)   = h^e_j x + C_{j−1}(x)
    C̃_j(y)   = E[ Ĉ_j(y − D_j) ]                  D_j: demand over L_j periods
    S*_j     = argmin_y C̃_j(y)
    C_j(x)   = C̃_j(min(S*_j, x))                  j = 1..N;  C* = C̃_N(S*_N)

If some S*_j > S*_{j+1}, the policy with S_j = S*_{j+1} is the same policy (an echelon cannot hold
more than the echelon above it releases), so the levels are made monotone, S_j ← min_{k ≥ j} S*_k,
and the *local* (installation) levels are their differences, s_j = S_j − S_{j−1} (S_0 = 0). A firm
that orders up to s_j on its own inventory position (on hand − backlog + on order), as
:class:`~chaingame.policies.BaseStock` does, then follows the echelon policy exactly.

Cost conventions. C* is the textbook cost: echelon holding cost on echelon inventory, which charges
goods in transit to stage j at the shipping stage's local rate h_{j+1}. The beer game
(:mod:`chaingame.chain`) charges holding on goods on hand only, so its long-run cost per week is

    beer-game cost = C* − μ Σ_{j=1}^{N} h_{j+1} L_j      (h_{N+1} = 0; μ = mean demand per period)

(Little's law: μ L_j units are in transit to stage j on average).

Lead times in the engine. An order placed at the end of week t is filled by the supplier in week
t + order_delay and arrives in week t + order_delay + shipping_delay, before that week's demand is
served; costs are charged on the end-of-week state. Stage j therefore has
L_j = order_delay + shipping_delay (+ production_delay for a producer) weeks of demand to cover
(Chen 1999, "information lead time"): the supplier fills an order order_delay weeks late but from
a stock that has also seen the demand order_delay weeks late, so the shortfall the customer meets
is exactly the one of a chain without order delays and with lead times L_j. The simulation tests in
``tests/reference/test_base_stock.py`` confirm this mapping on the engine.

Demand is i.i.d. per period and given on a lattice: P(D = (offset + k)·step) = pmf[k]. Whole-unit
demand (step 1, e.g. :func:`poisson_demand`) is solved exactly: the levels are the true integer
optima of the discrete problem. Normal demand (:func:`normal_demand`) is discretized: the
demand over L periods, N(Lμ, Lσ²), is put on a lattice of ``step`` (default σ/200) by giving each
point k·step the probability of the interval ((k − ½)·step, (k + ½)·step]; the levels are the
optima on that lattice (Example 6.1 at the default step agrees with a lattice five times finer to
0.005 on the levels and 1e-5 on the cost).

References:
    Clark, A. J. & Scarf, H. (1960). Optimal policies for a multi-echelon inventory problem.
    Management Science 6(4): 475-490.
    Chen, F. & Zheng, Y.-S. (1994). Lower bounds for multi-echelon stochastic inventory systems.
    Management Science 40(11): 1426-1443.
    Chen, F. (1999). Decentralized supply chains subject to information delays. Management
    Science 45(8): 1076-1090.
    Snyder, L. V. & Shen, Z.-J. M. (2019). Fundamentals of Supply Chain Theory, 2nd ed., Wiley,
    ch. 6 (Example 6.1 is reproduced in the tests).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.special import ndtr
from scipy.stats import poisson

from . import demand as demand_mod
from .checks import ScenarioError, number, show
from .policies import BaseStock

NORMAL_SPAN = 10.0  # normal lead-time demand is kept within ± this many standard deviations
POISSON_TAIL = 1e-15  # Poisson upper tail folded into the last point of the pmf


@dataclass(frozen=True, eq=False)
class DemandDistribution:
    """I.i.d. demand per period on a lattice: P(D = (offset + k)·step) = pmf[k].

    Build one with :func:`discrete_demand`, :func:`poisson_demand`, :func:`normal_demand` or
    :func:`engine_demand`.

    Attributes:
        pmf: probabilities of the lattice points offset, offset + 1, ... (sums to 1).
        offset: lattice index of the first point.
        step: lattice spacing in units of goods (1 for whole-unit demand).
        normal: (mean, sd) when the demand is normal; demand over L periods is then discretized
            directly from N(Lμ, Lσ²) rather than by convolving the per-period lattice.
    """

    pmf: np.ndarray = field(repr=False)
    offset: int = 0
    step: float = 1.0
    normal: tuple[float, float] | None = None

    @property
    def mean(self) -> float:
        """μ, the mean demand per period."""
        if self.normal is not None:
            return self.normal[0]
        k = np.arange(len(self.pmf)) + self.offset
        return float(np.dot(self.pmf, k) * self.step)

    def over(self, periods: int) -> tuple[np.ndarray, int]:
        """Demand over ``periods`` periods on the same lattice: (pmf, offset)."""
        if periods == 0:
            return np.ones(1), 0
        if self.normal is not None:
            mean, sd = self.normal[0] * periods, self.normal[1] * math.sqrt(periods)
            return _normal_lattice(mean, sd, self.step)
        pmf = self.pmf
        for _ in range(periods - 1):
            pmf = np.convolve(pmf, self.pmf)
        return pmf, self.offset * periods


def _normal_lattice(mean: float, sd: float, step: float) -> tuple[np.ndarray, int]:
    """N(mean, sd²) on the lattice k·step, each point weighted by its interval of width step."""
    if sd == 0:
        k = round(mean / step)
        return np.ones(1), int(k)
    lo = math.floor((mean - NORMAL_SPAN * sd) / step)
    hi = math.ceil((mean + NORMAL_SPAN * sd) / step)
    edges = (np.arange(lo, hi + 2) - 0.5) * step
    cdf = ndtr((edges - mean) / sd)
    pmf = np.diff(cdf)
    return pmf / pmf.sum(), lo


def discrete_demand(pmf: Sequence[float] | np.ndarray, name: str = "demand") -> DemandDistribution:
    """Whole-unit demand with P(D = k) = pmf[k], k = 0..n.

    Args:
        pmf: probabilities of 0, 1, ..., n units per period (non-negative, summing to 1 within 1e-9;
            they are rescaled to sum to exactly 1).
        name: the argument's name in error messages.
    """
    arr = np.asarray(pmf, dtype=float) if not isinstance(pmf, str) else np.array([])
    if arr.ndim != 1 or len(arr) == 0:
        raise ScenarioError(name, f"{show(pmf)} is not a list of probabilities (allowed: P(D = 0), P(D = 1), ...)")
    for k, v in enumerate(arr):
        number(float(v), f"{name}[{k}]", low=0, high=1)
    total = float(arr.sum())
    if abs(total - 1.0) > 1e-9:
        raise ScenarioError(name, f"sums to {total:.12g} (allowed: probabilities summing to 1)")
    return DemandDistribution(arr / total, 0, 1.0, None)


def poisson_demand(mean: float, tail: float = POISSON_TAIL) -> DemandDistribution:
    """Poisson demand per period, on 0..n with the upper tail P(D > n) < ``tail`` folded into n.

    Args:
        mean: λ, mean units per period (>= 0).
        tail: largest probability left out of the explicit support (0 < tail < 1e-6).
    """
    mean = number(mean, "mean", low=0)
    tail = number(tail, "tail", above=0, high=1e-6)
    if mean == 0:
        return DemandDistribution(np.ones(1), 0, 1.0, None)
    n = int(poisson.isf(tail, mean)) + 1
    pmf = poisson.pmf(np.arange(n + 1), mean)
    pmf[-1] += poisson.sf(n, mean)
    return DemandDistribution(pmf / pmf.sum(), 0, 1.0, None)


def normal_demand(mean: float, sd: float, step: float | None = None) -> DemandDistribution:
    """Normal demand N(mean, sd²) per period, negative values included (the textbook model).

    Args:
        mean: μ, mean demand per period.
        sd: σ, standard deviation per period (>= 0; 0 is deterministic demand).
        step: lattice spacing of the discretization (> 0; default σ/200, or μ when σ = 0).
    """
    mean = number(mean, "mean")
    sd = number(sd, "sd", low=0)
    if step is None:
        step = sd / 200 if sd > 0 else (abs(mean) or 1.0)
    step = number(step, "step", above=0)
    return DemandDistribution(np.ones(1), 0, float(step), (float(mean), float(sd)))


def engine_demand(process: demand_mod.Demand, whole_units: bool = True, step: float | None = None,
                  name: str = "demand") -> DemandDistribution:
    """The exact weekly demand a retailer meets in the engine for an i.i.d. demand process.

    The engine floors demand at 0 and, with whole units, rounds it half up
    (:func:`chaingame.demand.paths`); so normal demand becomes the distribution of
    round(max(0, X)), X ~ N(μ, σ²), which is whole-unit and solved exactly. Without whole units,
    normal demand is max(0, X) on a lattice of ``step`` (default σ/200), with the mass below 0 at 0.

    Args:
        process: a constant, Poisson, uniform or normal process from :mod:`chaingame.demand`.
        whole_units: the scenario's ``whole_units``.
        step: lattice spacing for continuous (non-whole-unit normal) demand.
        name: the field's name in error messages.

    Raises:
        ScenarioError: for processes that are not i.i.d. (step, AR(1), seasonal, trace).
    """
    if isinstance(process, demand_mod.Poisson):
        return poisson_demand(process.mean)
    if isinstance(process, demand_mod.Uniform):
        n = process.high - process.low + 1
        return DemandDistribution(np.full(n, 1.0 / n), int(process.low), 1.0, None)
    if isinstance(process, demand_mod.Constant) or (isinstance(process, demand_mod.Normal) and process.sd == 0):
        level = max(0.0, float(process.level if isinstance(process, demand_mod.Constant) else process.mean))
        if whole_units:
            level = math.floor(level + 0.5)
        if level == 0:
            return DemandDistribution(np.ones(1), 0, 1.0, None)
        if whole_units:
            return DemandDistribution(np.ones(1), int(level), 1.0, None)
        return DemandDistribution(np.ones(1), 1, level, None)
    if isinstance(process, demand_mod.Normal):
        mu, sd = float(process.mean), float(process.sd)
        if whole_units:
            n = max(1, math.ceil(mu + NORMAL_SPAN * sd))
            upper = ndtr((np.arange(n + 1) + 0.5 - mu) / sd)  # P(X < k + 1/2), k = 0..n
            pmf = np.diff(upper, prepend=0.0)
            pmf[-1] += 1.0 - upper[-1]
            return DemandDistribution(pmf / pmf.sum(), 0, 1.0, None)
        step = sd / 200 if step is None else number(step, "step", above=0)
        n = max(1, math.ceil((mu + NORMAL_SPAN * sd) / step))
        upper = ndtr(((np.arange(n + 1) + 0.5) * step - mu) / sd)
        pmf = np.diff(upper, prepend=0.0)
        pmf[-1] += 1.0 - upper[-1]
        return DemandDistribution(pmf / pmf.sum(), 0, float(step), None)
    kind = getattr(process, "kind", type(process).__name__)
    raise ScenarioError(f"{name}.process", f"{show(kind)} is not i.i.d. over weeks (allowed: \"constant\", "
                                           "\"poisson\", \"uniform\", \"normal\")")


def _as_demand(demand: Any) -> DemandDistribution:
    if isinstance(demand, DemandDistribution):
        return demand
    if isinstance(demand, demand_mod.Demand):
        raise ScenarioError("demand", f"{type(demand).__name__} process given (allowed: a DemandDistribution or a "
                                      "pmf; convert processes with engine_demand or normal_demand)")
    return discrete_demand(demand)


@dataclass(frozen=True)
class BaseStockSolution:
    """Optimal base-stock levels of a serial chain and their expected costs per period.

    Sequences run over stages 1..N (index 0 is stage 1, the retailer).

    Attributes:
        echelon_levels: S_j, optimal echelon base-stock levels, made monotone (S_j ≤ S_{j+1}).
        local_levels: s_j = S_j − S_{j−1}, the order-up-to levels of each stage's own inventory
            position (:class:`~chaingame.policies.BaseStock` levels).
        argmin_levels: S*_j as the recursion finds them, before making them monotone.
        expected_cost: C*, optimal expected cost per period, textbook convention (holding cost
            on goods in transit included).
        pipeline_cost: μ Σ_j h_{j+1} L_j, the expected holding cost of goods in transit.
        beer_game_cost: C* − pipeline_cost, the long-run cost per week the engine charges
            (on-hand holding plus the retailer's backlog).
        holding_costs: h_j, local holding costs.
        echelon_holding_costs: h^e_j = h_j − h_{j+1}.
        stockout_cost: p.
        lead_times: L_j.
        mean_demand: μ.
    """

    echelon_levels: tuple[float, ...]
    local_levels: tuple[float, ...]
    argmin_levels: tuple[float, ...]
    expected_cost: float
    pipeline_cost: float
    beer_game_cost: float
    holding_costs: tuple[float, ...]
    echelon_holding_costs: tuple[float, ...]
    stockout_cost: float
    lead_times: tuple[int, ...]
    mean_demand: float


@dataclass(frozen=True)
class _Inputs:
    local: np.ndarray
    echelon: np.ndarray
    p: float
    lead_times: tuple[int, ...]
    demand: DemandDistribution


def _inputs(holding_costs, echelon_holding_costs, stockout_cost, lead_times, demand) -> _Inputs:
    """Validate the arguments of :func:`optimal_levels` and :func:`expected_cost`."""
    if not isinstance(lead_times, Sequence | np.ndarray) or isinstance(lead_times, str) or len(lead_times) == 0:
        raise ScenarioError("lead_times", f"{show(lead_times)} is not a list of lead times (allowed: one whole "
                                          "number >= 0 per stage, stage 1 first)")
    lead = tuple(int(number(v, f"lead_times[{j}]", low=0, high=10_000, integer=True))
                 for j, v in enumerate(lead_times))
    n = len(lead)
    if (holding_costs is None) == (echelon_holding_costs is None):
        raise ScenarioError("holding_costs", "give either holding_costs (local) or echelon_holding_costs, not "
                                             f"{'both' if holding_costs is not None else 'neither'}")
    given, name = (holding_costs, "holding_costs") if holding_costs is not None else \
        (echelon_holding_costs, "echelon_holding_costs")
    if not isinstance(given, Sequence | np.ndarray) or isinstance(given, str) or len(given) != n:
        raise ScenarioError(name, f"{show(given)} is not a list of {n} costs (allowed: one per stage, "
                                  "like lead_times)")
    values = np.array([float(number(v, f"{name}[{j}]", low=0)) for j, v in enumerate(given)])
    if name == "holding_costs":
        local = values
        echelon = local - np.append(local[1:], 0.0)
        for j in range(n - 1):
            if echelon[j] < 0:
                raise ScenarioError(f"holding_costs[{j + 1}]", f"{local[j + 1]:g} is above holding_costs[{j}] = "
                                                               f"{local[j]:g} (allowed: local holding costs that "
                                                               "do not increase upstream)")
    else:
        echelon = values
        local = np.cumsum(echelon[::-1])[::-1]
    if not echelon[-1] > 0:
        raise ScenarioError(f"{name}[{n - 1}]", f"{values[-1]:g} is not above 0 (allowed: > 0 at the top stage, "
                                                "else its optimal stock is unbounded)")
    p = float(number(stockout_cost, "stockout_cost", above=0))
    return _Inputs(local, echelon, p, lead, _as_demand(demand))


def _recursion(inp: _Inputs) -> tuple[list[int], float]:
    """Chen & Zheng's recursion on the demand lattice: (S*_j as lattice indices, C*).

    Every function lives on the integer window [lo, hi] of lattice indices. C_{j−1} is affine with
    slope −(p + Σ_{i ≥ j} h^e_i) below a_{j−1} = Σ_{i<j} min D_i (C_0 below 0) and constant above
    S*_{j−1}, so lo = min(0, all a_j) and hi = Σ_j max D_j ≥ every S*_j (C̃_j increases beyond
    S*_{j−1} + max D_j) make the extension of Ĉ_j beyond the window exact.
    """
    dem, h, p, step = inp.demand, inp.echelon, inp.p, inp.demand.step
    dists = [dem.over(L) for L in inp.lead_times]
    mins = [off for _, off in dists]
    maxs = [off + len(pmf) - 1 for pmf, off in dists]
    lo = min(0, *np.cumsum(mins))
    hi = max(0, *np.cumsum(maxs), sum(max(0, m) for m in maxs)) + 1
    index = np.arange(lo, hi + 1)
    x = index * step
    c_prev = (p + h.sum()) * np.maximum(-x, 0.0)
    levels = []
    c_tilde = c_prev
    for j, (pmf, off) in enumerate(dists):
        c_hat = h[j] * x + c_prev
        slope = -(p + h[j + 1:].sum())
        dmax = off + len(pmf) - 1
        wanted = np.arange(lo - dmax, hi - off + 1)
        inside = np.clip(wanted - lo, 0, len(index) - 1)
        ext = np.where(wanted < lo, c_hat[0] + slope * (wanted - lo) * step,
                       np.where(wanted > hi, h[j] * wanted * step + c_prev[-1], c_hat[inside]))
        c_tilde = np.convolve(ext, pmf, mode="valid")  # C̃_j(y) = Σ_k pmf[k] Ĉ_j(y − off − k)
        best = c_tilde.min()
        s = int(np.flatnonzero(c_tilde <= best + 1e-12 * max(1.0, abs(best)))[0])
        levels.append(s + lo)
        c_prev = c_tilde.copy()
        c_prev[s:] = c_tilde[s]
    return levels, float(c_tilde[levels[-1] - lo])


def optimal_levels(*, stockout_cost: float, lead_times: Sequence[int], demand: DemandDistribution | Sequence[float],
                   holding_costs: Sequence[float] | None = None,
                   echelon_holding_costs: Sequence[float] | None = None) -> BaseStockSolution:
    """Optimal echelon and local base-stock levels of a serial chain (Chen & Zheng 1994).

    Stage 1 is the most downstream. Give the holding costs either as local costs h_j ($/unit/period
    on hand at stage j; they may not increase upstream) or as echelon costs h^e_j = h_j − h_{j+1}
    (>= 0); either way the top stage's must be > 0.

    Args:
        stockout_cost: p, $/unit/period of end-customer backorders (> 0), charged at stage 1 only.
        lead_times: L_j, periods of demand between stage j ordering and receiving (whole numbers
            >= 0). In the engine, L_j = order_delay + shipping_delay (+ production_delay).
        demand: per-period demand, a :class:`DemandDistribution` or a pmf on 0..n.
        holding_costs: local holding costs h_j.
        echelon_holding_costs: echelon holding costs h^e_j.

    Returns:
        The levels and costs, see :class:`BaseStockSolution`.

    Raises:
        ScenarioError: naming the argument, its value and what is allowed.

    Example:
        >>> sol = optimal_levels(holding_costs=[7, 4, 2], stockout_cost=37.12, lead_times=[1, 1, 2],
        ...                      demand=normal_demand(5, 1))   # Snyder & Shen (2019), Example 6.1
        >>> [round(s, 3) for s in sol.echelon_levels], round(sol.expected_cost, 2)
        ([6.49, 12.02, 22.705], 47.66)
    """
    inp = _inputs(holding_costs, echelon_holding_costs, stockout_cost, lead_times, demand)
    index, cost = _recursion(inp)
    step = inp.demand.step
    monotone = [min(index[j:]) for j in range(len(index))]
    local = np.diff(np.r_[0, monotone])

    def units(lattice_points):
        return tuple(float(round(i * step, 12)) for i in lattice_points)

    pipeline = pipeline_cost(inp.local, inp.lead_times, inp.demand.mean)
    return BaseStockSolution(
        echelon_levels=units(monotone),
        local_levels=units(local),
        argmin_levels=units(index),
        expected_cost=cost,
        pipeline_cost=pipeline,
        beer_game_cost=cost - pipeline,
        holding_costs=tuple(float(v) for v in inp.local),
        echelon_holding_costs=tuple(float(v) for v in inp.echelon),
        stockout_cost=inp.p,
        lead_times=inp.lead_times,
        mean_demand=inp.demand.mean,
    )


def pipeline_cost(holding_costs: Sequence[float], lead_times: Sequence[int], mean_demand: float) -> float:
    """μ Σ_{j=1}^{N} h_{j+1} L_j: holding cost of goods in transit, charged at the shipping stage's local rate.

    Goods in transit to stage j come from stage j+1 (h_{N+1} = 0: goods from the outside source
    cost nothing); by Little's law μ L_j of them are on their way on average.
    """
    h = list(holding_costs)[1:] + [0.0]
    return float(mean_demand * sum(hj * L for hj, L in zip(h, lead_times, strict=False)))


def expected_cost(echelon_levels: Sequence[float], *, stockout_cost: float, lead_times: Sequence[int],
                  demand: DemandDistribution | Sequence[float], holding_costs: Sequence[float] | None = None,
                  echelon_holding_costs: Sequence[float] | None = None) -> float:
    """Expected cost per period of any echelon base-stock policy, textbook convention.

    Evaluated forward through the exact distributions (Snyder & Shen 2019, ch. 6): the echelon
    inventory level of stage N is X_N = S_N − D_N, and downstream IP_j = min(S_j, X_{j+1}),
    X_j = IP_j − D_j; the cost is Σ_j h^e_j E[X_j] + (p + h_1) E[X_1⁻]. Subtract
    :func:`pipeline_cost` for the beer-game cost. Levels are rounded to the demand lattice (to
    whole units for whole-unit demand).

    Args:
        echelon_levels: S_j, stage 1 first (need not be monotone).
        stockout_cost: p, $/unit/period of end-customer backorders, as in :func:`optimal_levels`.
        lead_times: L_j, periods between stage j ordering and receiving, as in :func:`optimal_levels`.
        demand: per-period demand, as in :func:`optimal_levels`.
        holding_costs: local holding costs h_j, as in :func:`optimal_levels`.
        echelon_holding_costs: echelon holding costs h^e_j, as in :func:`optimal_levels`.
    """
    inp = _inputs(holding_costs, echelon_holding_costs, stockout_cost, lead_times, demand)
    if not isinstance(echelon_levels, Sequence | np.ndarray) or len(echelon_levels) != len(inp.lead_times):
        raise ScenarioError("echelon_levels", f"{show(echelon_levels)} is not a list of {len(inp.lead_times)} "
                                              "levels (allowed: one per stage, stage 1 first)")
    step = inp.demand.step
    levels = [round(float(number(v, f"echelon_levels[{j}]")) / step) for j, v in enumerate(echelon_levels)]
    n = len(levels)
    # distribution of X_j as (pmf, lowest lattice index), from the top down
    pos_pmf, pos_lo = np.ones(1), levels[-1]  # IP_N = S_N
    cost = 0.0
    for j in range(n - 1, -1, -1):
        d_pmf, d_off = inp.demand.over(inp.lead_times[j])
        x_pmf = np.convolve(pos_pmf, d_pmf[::-1])  # X_j = IP_j − D_j
        x_lo = pos_lo - (d_off + len(d_pmf) - 1)
        values = (np.arange(len(x_pmf)) + x_lo) * step
        cost += inp.echelon[j] * float(np.dot(x_pmf, values))
        if j == 0:
            cost += (inp.p + inp.local[0]) * float(np.dot(x_pmf, np.maximum(-values, 0.0)))
            break
        cap = levels[j - 1]  # IP_{j−1} = min(S_{j−1}, X_j): the mass above S_{j−1} moves onto it
        if cap < x_lo:
            pos_pmf, pos_lo = np.ones(1), cap
        else:
            pos_pmf, pos_lo = x_pmf[: cap - x_lo + 1].copy(), x_lo
            pos_pmf[-1] += x_pmf[cap - x_lo + 1:].sum()
    return cost


@dataclass(frozen=True)
class SerialChain:
    """A serial scenario as Clark & Scarf's model: stage 1 is the retailer, stage N buys from the source.

    Attributes:
        firms: firm ids, stage 1 (retailer) first.
        holding_costs: local holding costs h_j (the firms' ``holding_cost``).
        stockout_cost: p, the retailer's ``backlog_cost``.
        lead_times: L_j = order_delay + shipping_delay of the firm's inbound link
            (+ production delay for producers).
        demand: the weekly demand the retailer meets, exactly as the engine draws it.
        upstream_backlog_costs: the other firms' ``backlog_cost`` (0 in Clark & Scarf's model).
    """

    firms: tuple[str, ...]
    holding_costs: tuple[float, ...]
    stockout_cost: float
    lead_times: tuple[int, ...]
    demand: DemandDistribution
    upstream_backlog_costs: tuple[float, ...]

    def solve(self) -> BaseStockSolution:
        """The optimal levels and costs (:func:`optimal_levels`)."""
        return optimal_levels(holding_costs=self.holding_costs, stockout_cost=self.stockout_cost,
                              lead_times=self.lead_times, demand=self.demand)

    def policies(self, solution: BaseStockSolution | None = None) -> dict[str, BaseStock]:
        """``{firm_id: BaseStock(local level)}`` for the engine (default: the optimal levels)."""
        solution = solution or self.solve()
        return {fid: BaseStock(level=float(s)) for fid, s in zip(self.firms, solution.local_levels, strict=True)}


def serial_chain(scenario: Any, *, ignore_upstream_backlog: bool = False, step: float | None = None) -> SerialChain:
    """Read Clark & Scarf's inputs from a serial scenario.

    The chain must run from its only retailer through firms with one supplier and one customer each
    up to a firm supplied by ``"source"``, with every firm on that path. Firms must backlog unmet
    orders, pay no fixed ordering cost, and producers must have unlimited capacity. Production
    unit costs (a constant μ·cost per week) are not part of the predicted costs.

    Args:
        scenario: a :class:`~chaingame.scenario.Scenario`, a bundled name or a path.
        ignore_upstream_backlog: compute levels even if firms above the retailer are charged for
            backlog (the levels are then optimal for the cost without those charges, and the
            predicted costs leave them out).
        step: lattice spacing for continuous demand (normal demand without whole units).

    Raises:
        ScenarioError: naming the field that breaks the model.
    """
    from .scenario import load_scenario

    sc = load_scenario(scenario)
    retailers = sc.customers
    if len(retailers) != 1:
        raise ScenarioError("firms", f"{len(retailers)} retailers (allowed: exactly one, in a serial chain)")
    firms, lead, links = [], [], list(sc.links)
    fid = retailers[0]
    while True:
        firm = sc.firm(fid)
        path = f"firms.{fid}"
        inbound = [k for k in links if k.customer == fid]
        outbound = [k for k in links if k.supplier == fid]
        if len(inbound) != 1:
            raise ScenarioError(path, f"has {len(inbound)} suppliers (allowed: one, in a serial chain)")
        if len(outbound) != (0 if not firms else 1):
            raise ScenarioError(path, f"supplies {len(outbound)} firms (allowed: only the next firm downstream, "
                                      "in a serial chain)")
        if firm.unmet != "backlog":
            raise ScenarioError(f"{path}.unmet", f"{show(firm.unmet)} (allowed: \"backlog\"; Clark & Scarf assume "
                                                 "unmet orders are backordered)")
        if firm.order_cost:
            raise ScenarioError(f"{path}.order_cost", f"{firm.order_cost:g} (allowed: 0; with a fixed ordering cost "
                                                      "base-stock policies are not optimal)")
        if firm.production and math.isfinite(firm.production.capacity):
            raise ScenarioError(f"{path}.production.capacity", f"{firm.production.capacity:g} (allowed: unlimited; "
                                                               "Clark & Scarf assume no capacity limit)")
        link = inbound[0]
        if link.delay is not None and link.delay.fixed is None:
            i = sc.links.index(link)
            raise ScenarioError(f"links.{i}.shipping_delay", f"{show(link.delay.as_table())} is random (allowed: a "
                                                             "fixed delay; Clark & Scarf assume fixed lead times)")
        firms.append(firm)
        lead.append(sc.lead_time(fid))
        if link.supplier == "source":
            break
        fid = link.supplier
    if len(firms) != len(sc.firms):
        off = [f for f in sc.firm_ids if f not in {g.id for g in firms}]
        raise ScenarioError(f"firms.{off[0]}", "is not on the path from the retailer to the source (allowed: a "
                                               "serial chain)")
    upstream = tuple(f.backlog_cost for f in firms[1:])
    if not ignore_upstream_backlog:
        for f in firms[1:]:
            if f.backlog_cost:
                raise ScenarioError(f"firms.{f.id}.backlog_cost",
                                    f"{f.backlog_cost:g} above the retailer (allowed: 0, as Clark & Scarf charge "
                                    "backorders at the retailer only; or pass ignore_upstream_backlog=True)")
    for j in range(1, len(firms)):
        if firms[j].holding_cost > firms[j - 1].holding_cost:
            raise ScenarioError(f"firms.{firms[j].id}.holding_cost",
                                f"{firms[j].holding_cost:g} is above {firms[j - 1].id}'s {firms[j - 1].holding_cost:g}"
                                " (allowed: holding costs that do not increase upstream)")
    number(firms[-1].holding_cost, f"firms.{firms[-1].id}.holding_cost", above=0)
    number(firms[0].backlog_cost, f"firms.{firms[0].id}.backlog_cost", above=0)
    process = sc.demand_processes()[0]
    where = f"firms.{firms[0].id}.demand" if firms[0].demand is not None else "demand"
    return SerialChain(
        firms=tuple(f.id for f in firms),
        holding_costs=tuple(f.holding_cost for f in firms),
        stockout_cost=firms[0].backlog_cost,
        lead_times=tuple(lead),
        demand=engine_demand(process, sc.whole_units, step=step, name=where),
        upstream_backlog_costs=upstream,
    )


def base_stock_policies(scenario: Any, *, ignore_upstream_backlog: bool = False,
                        step: float | None = None) -> dict[str, BaseStock]:
    """Optimal ``{firm_id: BaseStock(level)}`` policies for a serial scenario.

    Shorthand for ``serial_chain(scenario, ...).policies()``; pass them to
    :class:`~chaingame.engine.Engine` or :class:`~chaingame.model.ChainModel` as ``policies``.
    """
    return serial_chain(scenario, ignore_upstream_backlog=ignore_upstream_backlog, step=step).policies()


__all__ = ["BaseStockSolution", "DemandDistribution", "SerialChain", "base_stock_policies", "discrete_demand",
           "engine_demand", "expected_cost", "normal_demand", "optimal_levels", "pipeline_cost", "poisson_demand",
           "serial_chain"]
