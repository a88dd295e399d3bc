"""Optimal base-stock levels of a serial chain: Chen & Zheng (1994) against published numbers,
brute force and the engine.

Sources:
- Snyder & Shen (2019), "Fundamentals of Supply Chain Theory", 2nd ed., ch. 6 (Chen & Zheng's
  recursion) and Example 6.1 (three stages, echelon holding costs 3, 2, 2; p = 37.12; lead times
  1, 1, 2; demand N(5, 1)), with the instance as transcribed in the author's stockpyl package
  (LarrySnyder/stockpyl, tests/instances_ssm_serial.py) and its documented results
  (docs/tutorial/tutorial_meio.rst; tests/test_ssm_serial.py, including a Poisson(5) variant).
- The single-stage newsvendor / critical-fractile solution (Snyder & Shen 2019, ch. 4).
- Clark & Scarf (1960): the exact cost of an echelon base-stock policy, evaluated here
  independently of the module, from each stage's on-hand stock (see ``physical_cost`` for
  whole-unit demand, ``normal_textbook_cost`` for normal demand, a fine-grid integral).
- The engine's timing (chaingame/chain.py): lead time = order_delay + shipping_delay
  (+ production_delay), Chen (1999) "information lead time".
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.special import ndtr
from scipy.stats import norm, poisson

import chaingame
from chaingame.basestock import (
    base_stock_policies,
    discrete_demand,
    engine_demand,
    expected_cost,
    normal_demand,
    optimal_levels,
    pipeline_cost,
    poisson_demand,
    serial_chain,
)
from chaingame.checks import ScenarioError
from chaingame.demand import Normal, Step

# --------------------------------------------------------------------------------------------
# An independent exact evaluation of an echelon base-stock policy (whole-unit demand)
# --------------------------------------------------------------------------------------------

def lead_time_pmf(pmf: np.ndarray, periods: int) -> np.ndarray:
    out = np.array([1.0])
    for _ in range(periods):
        out = np.convolve(out, pmf)
    return out


def physical_cost(S, local_h, p, lead, pmf, pipeline=True) -> float:
    """Expected cost per period of echelon levels S by the physical description of the chain.

    With X_N = S_N − D_N and, downstream, X_j = min(S_j, X_{j+1}) − D_j (Clark & Scarf 1960),
    stage j ≥ 2 holds (X_j − S_{j−1})⁺ on hand, stage 1 holds X_1⁺ and owes X_1⁻; μ L_j units are
    in transit to stage j, charged at h_{j+1} when ``pipeline`` (the textbook convention). Values
    are tracked as a dict {value: probability}, with no lattice or extrapolation tricks.
    """
    n = len(S)
    mu = float(np.dot(np.arange(len(pmf)), pmf))
    dist = {S[-1]: 1.0}  # the top stage's echelon position
    cost = 0.0
    for j in range(n - 1, -1, -1):
        d = lead_time_pmf(pmf, lead[j])
        x = {}
        for v, pv in dist.items():
            for k, pk in enumerate(d):
                if pk:
                    x[v - k] = x.get(v - k, 0.0) + pv * pk
        if j > 0:
            cost += local_h[j] * sum(pv * max(v - S[j - 1], 0) for v, pv in x.items())
            dist = {}
            for v, pv in x.items():
                w = min(S[j - 1], v)
                dist[w] = dist.get(w, 0.0) + pv
        else:
            cost += sum(pv * (local_h[0] * max(v, 0) + p * max(-v, 0)) for v, pv in x.items())
        if pipeline and j + 1 < n:
            cost += local_h[j + 1] * mu * lead[j]
    return cost


def brute_force(local_h, p, lead, pmf):
    """Every integer echelon vector in a box that must hold the optimum: (min cost, minimizers)."""
    dmax = len(pmf) - 1
    tops = np.cumsum([L * dmax for L in lead])
    box = [range(-1, int(t) + 2) for t in tops]
    costs = {S: physical_cost(S, local_h, p, lead, pmf) for S in itertools.product(*box)}
    best = min(costs.values())
    return best, costs


# --------------------------------------------------------------------------------------------
# (a) Published instances and closed forms
# --------------------------------------------------------------------------------------------

EX61 = dict(echelon_holding_costs=[3, 2, 2], stockout_cost=37.12, lead_times=[1, 1, 2])
EX61_LOCAL = (7.0, 4.0, 2.0)  # local h_j = Σ_{i≥j} h^e_i


def _phi(z):
    """The standard normal density."""
    return np.exp(-0.5 * z * z) * (1.0 / np.sqrt(2.0 * np.pi))


def _simpson(intervals: int, width: float) -> np.ndarray:
    w = np.ones(intervals + 1)
    w[1:-1:2], w[2:-1:2] = 4.0, 2.0
    return w * width / 3.0


def normal_textbook_cost(S, local_h, p, lead, mu, sigma, dx=0.02, span=12.0) -> float:
    """Expected cost per period of echelon levels S with i.i.d. N(mu, sigma²) demand, by numerical
    integration of the physical description of the chain (as in ``physical_cost``; no lattice).

    Y_N = S_N; stage j's echelon stock after its lead time is X_j = Y_j − D_j, D_j ~ N(μL_j, σ²L_j);
    Y_{j−1} = min(S_{j−1}, X_j). Y_j is an atom at its level plus a density below it; each
    expectation over D_j is in closed form (normal loss function G(u) = E(u − D)⁺), and each
    expectation over Y_j a Simpson sum on a grid of step ≤ ``dx`` from the level down to ``span``
    standard deviations of the total lead-time demand below the lowest level (the mass beyond is
    < 1e-30). Stage j ≥ 2 holds (X_j − S_{j−1})⁺, stage 1 holds X_1⁺ and owes X_1⁻; μL_j in transit
    to stage j charged at h_{j+1} (the textbook convention). Halving dx changes Example 6.1's cost
    by < 1e-8 (Simpson's rule, error O(dx⁴)).
    """
    n = len(S)
    assert all(L > 0 for L in lead)
    low = min(S) - mu * sum(lead) - span * sigma * np.sqrt(sum(lead))
    atom, top, ys, mass = 1.0, S[-1], np.empty(0), np.empty(0)  # Y_j: atom at top, density × weights

    cost = 0.0
    for j in range(n - 1, -1, -1):
        m, s = mu * lead[j], sigma * np.sqrt(lead[j])

        def expect(g, atom=atom, top=top, ys=ys, mass=mass):
            return atom * float(g(np.array([top]))[0]) + float(np.dot(mass, g(ys)))

        def loss(u, m=m, s=s):  # E(u − D_j)⁺
            z = (u - m) / s
            return (u - m) * ndtr(z) + s * _phi(z)

        if j == 0:
            cost += expect(lambda y, m=m: local_h[0] * loss(y) + p * (loss(y) - (y - m)))
        else:
            level = S[j - 1]
            cost += local_h[j] * expect(lambda y, level=level: loss(y - level))
            intervals = int(np.ceil((level - low) / dx))
            intervals += intervals % 2
            x = level - np.arange(intervals + 1) * (level - low) / intervals
            density = atom * _phi((top - x - m) / s) / s
            for a in range(0, len(x), 1000):  # ∫ f_Y(y) φ_D(y − x) dy, in blocks
                block = x[a:a + 1000]
                density[a:a + 1000] += mass @ (_phi((ys[:, None] - block[None, :] - m) / s) / s)
            atom = expect(lambda y, level=level, m=m, s=s: ndtr((y - level - m) / s))  # P(X_j ≥ S_{j−1})
            top, ys, mass = level, x, density * _simpson(intervals, (level - low) / intervals)
        if j + 1 < n:
            cost += local_h[j + 1] * mu * lead[j]
    return cost


def newton_minimum(f, x, steps=2, d=0.001):
    """Minimize a smooth f near x by Newton steps on central differences (step d); the Hessian is
    taken once, at x. Returns the minimum and that Hessian (positive definite, checked)."""
    n = len(x)
    eye = np.eye(n)

    def grad(x):
        return np.array([(f(x + d * e) - f(x - d * e)) / (2 * d) for e in eye])

    f0 = f(x)
    hess = np.empty((n, n))
    for i in range(n):
        hess[i, i] = (f(x + d * eye[i]) - 2 * f0 + f(x - d * eye[i])) / d**2
        for j in range(i):
            a, b = eye[i], eye[j]
            hess[i, j] = hess[j, i] = (f(x + d * (a + b)) - f(x + d * (a - b)) - f(x - d * (a - b))
                                       + f(x - d * (a + b))) / (4 * d * d)
    assert np.all(np.linalg.eigvalsh(hess) > 0), hess
    for _ in range(steps):
        x = x - np.linalg.solve(hess, grad(x))
    return x, hess


def test_snyder_shen_example_6_1_normal():
    """Snyder & Shen (2019) Example 6.1, normal demand N(5, 1).

    Stage 1's level has a closed form, the critical fractile (p + h_1 − h^e_1)/(p + h_1) =
    41.12/44.12. stockpyl (the textbook author's code) documents S* = (6.514, 12.012, 22.700) and
    C* = 47.669 with its default discretization (its x grid of 1000 points is ~0.03 wide, hence
    the tolerance). The module's levels and cost are checked tightly against an independent
    evaluation, ``normal_textbook_cost`` (a fine-grid integral of the textbook cost): at the
    module's levels it equals the module's C* to 1e-5; its minimum, found by Newton steps (which
    also find stage 1's closed form again), is within 0.0025 (half the module's lattice step σ/200)
    of every module level, and costs the module's C* to 1e-5.
    """
    sol = optimal_levels(**EX61, demand=normal_demand(5, 1))
    assert sol.echelon_levels[0] == pytest.approx(5 + norm.ppf(41.12 / 44.12), abs=0.0025)
    assert sol.echelon_levels == pytest.approx((6.514, 12.012, 22.700), abs=0.03)
    assert sol.expected_cost == pytest.approx(47.669, abs=0.01)
    assert sol.holding_costs == EX61_LOCAL

    def cost(S, dx=0.02):
        return normal_textbook_cost(S, EX61_LOCAL, 37.12, (1, 1, 2), 5.0, 1.0, dx=dx)

    S = np.array(sol.echelon_levels, float)
    at_module = cost(S)
    assert at_module == pytest.approx(sol.expected_cost, abs=1e-5)
    optimum, hess = newton_minimum(lambda x: cost(x, dx=0.04), S, steps=2)
    assert np.abs(optimum - S).max() <= 0.0025, optimum - S
    assert optimum[0] == pytest.approx(5 + norm.ppf(41.12 / 44.12), abs=2e-6)  # the closed form, found again
    best = cost(optimum)
    assert best == pytest.approx(sol.expected_cost, abs=1e-5)  # the module's C* is the optimum's cost
    # levels within 0.0025 of the optimum cost at most ½ δᵀHδ more
    assert -1e-9 < at_module - best <= 0.5 * 0.0025**2 * np.abs(hess).sum(), (at_module, best)
    assert best == pytest.approx(47.669, abs=0.01)  # stockpyl's C*, within its discretization
    # pipeline: goods in transit to stage j are charged at h_{j+1}: 5 (4·1 + 2·1 + 0·2) = 30
    assert sol.pipeline_cost == pytest.approx(30.0)
    assert sol.beer_game_cost == pytest.approx(sol.expected_cost - 30.0)
    assert sol.local_levels == pytest.approx(np.diff(np.r_[0.0, sol.echelon_levels]))


def test_snyder_shen_example_6_1_poisson():
    """Example 6.1 with Poisson(5) demand (stockpyl tests/test_ssm_serial.py::
    test_example_6_1_poisson): S* = (9, 15, 26), C* = 72.0435 there with a truncated demand
    distribution; exact here, and confirmed by the independent evaluation."""
    sol = optimal_levels(**EX61, demand=poisson_demand(5))
    assert sol.echelon_levels == (9, 15, 26)
    assert sol.expected_cost == pytest.approx(72.0435, abs=0.005)
    pmf = poisson.pmf(np.arange(80), 5.0)
    assert physical_cost((9, 15, 26), (7, 4, 2), 37.12, (1, 1, 2), pmf) == pytest.approx(sol.expected_cost, abs=1e-9)
    for S in [(8, 15, 26), (10, 15, 26), (9, 14, 26), (9, 16, 26), (9, 15, 25), (9, 15, 27)]:
        assert physical_cost(S, (7, 4, 2), 37.12, (1, 1, 2), pmf) > sol.expected_cost


@pytest.mark.parametrize("mean,h,p,L", [(4.0, 1.0, 9.0, 1), (2.5, 0.5, 1.0, 3), (10.0, 2.0, 30.0, 2)])
def test_single_stage_poisson_critical_fractile(mean, h, p, L):
    """Newsvendor (Snyder & Shen 2019, ch. 4): S* = min{S : F(S) ≥ p/(p + h)}, F the cdf of
    Poisson(Lλ); cost h E(S − D)⁺ + p E(D − S)⁺ in closed form via the loss function."""
    sol = optimal_levels(holding_costs=[h], stockout_cost=p, lead_times=[L], demand=poisson_demand(mean))
    m = L * mean
    s = int(poisson.ppf(p / (p + h), m))
    assert sol.echelon_levels == (s,)
    k = np.arange(0, 400)
    f = poisson.pmf(k, m)
    exact = h * np.dot(f, np.maximum(s - k, 0)) + p * np.dot(f, np.maximum(k - s, 0))
    assert sol.expected_cost == pytest.approx(exact, abs=1e-10)
    assert sol.pipeline_cost == 0.0 and sol.beer_game_cost == sol.expected_cost


def test_two_stage_poisson_against_enumeration():
    """A 2-stage instance (local h = 1.5, 0.5; p = 6; L = 2, 1; Poisson(3)): the recursion's
    levels are the unique best monotone pair among all (S1, S2) evaluated by exact expectation."""
    pmf = poisson.pmf(np.arange(60), 3.0)
    sol = optimal_levels(holding_costs=[1.5, 0.5], stockout_cost=6.0, lead_times=[2, 1], demand=poisson_demand(3))
    costs = {(a, b): physical_cost((a, b), (1.5, 0.5), 6.0, (2, 1), pmf) for a in range(0, 20) for b in range(0, 25)}
    best = min(costs.values())
    assert sol.expected_cost == pytest.approx(best, abs=1e-9)
    assert [S for S, c in costs.items() if c < best + 1e-9 and S[0] <= S[1]] == [tuple(sol.echelon_levels)]


# --------------------------------------------------------------------------------------------
# (b) Brute-force optimality on small discrete instances
# --------------------------------------------------------------------------------------------

def random_instances(count, seed=2024):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        n = int(rng.integers(1, 4))
        pmf = rng.dirichlet(np.ones(int(rng.integers(2, 5))))
        lead = [int(v) for v in rng.integers(0 if n > 1 else 1, 3, n)]
        if sum(lead) == 0:
            lead[0] = 1
        h = np.sort(rng.uniform(0.1, 2.0, n))[::-1]  # local costs falling upstream
        p = float(rng.uniform(0.5, 20.0))
        yield [float(v) for v in h], p, lead, pmf


@pytest.mark.parametrize("case", list(random_instances(12)), ids=lambda c: f"N{len(c[2])}-L{c[2]}")
def test_recursion_matches_exhaustive_search(case):
    """Exhaustive search over every integer echelon vector (monotone or not) in a box holding the
    optimum, each evaluated by ``physical_cost``: the recursion's cost is the minimum, and its
    (monotone) levels are the only monotone minimizer, to the integer."""
    h, p, lead, pmf = case
    sol = optimal_levels(holding_costs=h, stockout_cost=p, lead_times=lead, demand=discrete_demand(pmf))
    best, costs = brute_force(h, p, lead, pmf)
    assert sol.expected_cost == pytest.approx(best, rel=1e-10, abs=1e-10)
    ours = tuple(int(s) for s in sol.echelon_levels)
    assert costs[ours] == pytest.approx(best, rel=1e-10, abs=1e-10)
    monotone = [S for S, c in costs.items() if c <= best + 1e-9 and list(S) == sorted(S)]
    assert monotone == [ours]
    # the module's own forward evaluation agrees with the physical one everywhere in the box
    for S in list(costs)[:: max(1, len(costs) // 40)]:
        assert expected_cost(S, holding_costs=h, stockout_cost=p, lead_times=lead, demand=discrete_demand(pmf)) \
            == pytest.approx(costs[S], rel=1e-10, abs=1e-10)
    # beer-game cost: the same without goods in transit
    assert physical_cost(ours, h, p, lead, pmf, pipeline=False) == pytest.approx(sol.beer_game_cost, abs=1e-9)


def poisson_pmf(mean: float) -> np.ndarray:
    """Poisson(mean) probabilities of 0, 1, ... up to where the upper tail is below 1e-17."""
    k = np.arange(int(mean * 10) + 60)
    return poisson.pmf(k[: int(np.argmax(poisson.sf(k, mean) < 1e-17)) + 1], mean)


def independent_levels(local_h, p, lead, pmf):
    """The integer echelon levels minimizing ``physical_cost``, found without the module: a descent
    from the mean lead-time demands, one level at a time and then to the best vector of the box ±1
    around (monotone or not), until no vector of that box costs less. Returns the (monotone)
    minimizer, its cost and the costs of the final box."""
    mu = float(np.dot(np.arange(len(pmf)), pmf))
    cache: dict[tuple, float] = {}

    def cost(S):
        S = tuple(int(v) for v in S)
        if S not in cache:
            cache[S] = physical_cost(S, local_h, p, lead, pmf)
        return cache[S]

    S = [int(round(mu * c)) for c in np.cumsum(lead)]
    while True:
        moved = True
        while moved:  # one level at a time, while that lowers the cost
            moved = False
            for j in range(len(S)):
                for step in (-1, 1):
                    while cost(S[:j] + [S[j] + step] + S[j + 1:]) < cost(S) - 1e-12:
                        S[j] += step
                        moved = True
        box = {tuple(v): cost(v) for v in itertools.product(*[range(s - 1, s + 2) for s in S])}
        best = min(box.values())
        if best >= cost(S) - 1e-12:
            break
        S = list(min(box, key=box.get))  # a joint move (e.g. S_1 and S_2 together when L_2 = 0)
    monotone = tuple(int(min(S[j:])) for j in range(len(S)))  # S_j > S_{j+1} is the policy S_j = S_{j+1}
    assert cost(monotone) == pytest.approx(cost(S), abs=1e-12)
    return monotone, best, box


def random_poisson_instances(count, seed=61):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        n = int(rng.integers(1, 5))
        lead = [int(v) for v in rng.integers(0, 5, n)]
        if sum(lead) == 0:
            lead[0] = 1
        echelon = [float(v) for v in rng.uniform(0.05, 1.5, n)]
        yield echelon, float(rng.uniform(1.0, 30.0)), lead, float(rng.uniform(0.5, 2.5))


@pytest.mark.parametrize("case", list(random_poisson_instances(12)),
                         ids=lambda c: f"N{len(c[2])}-L{c[2]}-mean{c[3]:.2f}")
def test_poisson_levels_match_an_independent_search(case):
    """Random Poisson instances (1-4 stages, lead times 0-4, random echelon holding costs and p):
    the module's levels are, to the integer, the minimizer ``independent_levels`` finds with
    ``physical_cost`` (the only monotone minimizer of the box around it), and its C* is that cost."""
    echelon, p, lead, mean = case
    local = tuple(float(v) for v in np.cumsum(echelon[::-1])[::-1])  # h_j = Σ_{i≥j} h^e_i
    sol = optimal_levels(echelon_holding_costs=echelon, stockout_cost=p, lead_times=lead,
                         demand=poisson_demand(mean))
    levels, best, box = independent_levels(local, p, lead, poisson_pmf(mean))
    assert tuple(int(s) for s in sol.echelon_levels) == levels and sol.echelon_levels == levels
    assert [S for S, c in box.items() if c <= best + 1e-9 and list(S) == sorted(S)] == [levels]
    assert sol.expected_cost == pytest.approx(best, rel=1e-10, abs=1e-10)
    assert sol.holding_costs == pytest.approx(local, rel=1e-12)


def test_equal_holding_costs_put_all_stock_at_the_retailer():
    """Beer-game costs (equal local holding costs): echelon costs are 0 below the top, so every
    echelon level equals the top one and only the retailer holds stock (local levels S, 0, 0)."""
    sol = optimal_levels(holding_costs=[0.5, 0.5, 0.5], stockout_cost=1.0, lead_times=[4, 4, 3],
                         demand=poisson_demand(4))
    top = sol.echelon_levels[-1]
    assert sol.echelon_levels == (top, top, top)
    assert sol.local_levels == (top, 0.0, 0.0)
    single = optimal_levels(holding_costs=[0.5], stockout_cost=1.0, lead_times=[11], demand=poisson_demand(4))
    assert single.echelon_levels == (top,)
    assert sol.expected_cost == pytest.approx(single.expected_cost + pipeline_cost([0.5] * 3, [4, 4, 3], 4.0), abs=1e-9)


# --------------------------------------------------------------------------------------------
# (c) The engine's long-run cost at the computed levels
# --------------------------------------------------------------------------------------------

NAMES = ["retailer", "wholesaler", "distributor", "factory"]
ROLES = ["retailer", "wholesaler", "distributor", "manufacturer"]


def serial_table(local_levels, holding, p, order_delays, shipping_delays, demand, weeks, production=None):
    """A serial scenario starting at the base-stock levels with empty pipelines; only the retailer
    pays for backlog (Clark & Scarf)."""
    n = len(holding)
    firms = {}
    for j in range(n):
        role = "manufacturer" if production and j == n - 1 else ROLES[j]
        firm = {"role": role, "holding_cost": holding[j], "backlog_cost": p if j == 0 else 0.0,
                "inventory": float(local_levels[j]) if local_levels is not None else 0.0}
        if local_levels is not None:
            firm["policy"] = {"rule": "base_stock", "level": float(local_levels[j])}
        firms[NAMES[j]] = firm
    if production:
        firms[NAMES[n - 1]]["production"] = {"delay": production}
    links = [{"supplier": NAMES[j + 1] if j + 1 < n else "source", "customer": NAMES[j],
              "order_delay": order_delays[j], "shipping_delay": shipping_delays[j]} for j in range(n)]
    return {"weeks": weeks, "seed": 7, "demand": demand, "firms": firms, "links": links}


def simulate(scenario, warmup, replications, seed, policies=None):
    """Per replication: the average cost per week after the warm-up (summed over firms), and the
    average end-customer demand over the same weeks (the control variate)."""
    engine = chaingame.Engine(scenario, replications=replications, seed=seed, policies=policies)
    cost = np.zeros(replications)
    for week in range(scenario.weeks):
        books = engine.step()
        if week >= warmup:
            cost += books["cost"].sum(axis=0)
    kept = scenario.weeks - warmup
    demand = engine.demand[warmup:, 0, :].mean(axis=0)
    return cost / kept, demand


def controlled(cost, demand, mean):
    """Mean and standard error of the cost with the realized mean demand as control variate.

    Replications are independent, so the per-replication averages Y_r are i.i.d.; E[D̄_r] = μ is
    known, so Y_r − β (D̄_r − μ) has the same mean and (β fitted by least squares) a smaller
    variance. The fitted β biases the mean by O(1/R) only.
    """
    beta = np.cov(cost, demand)[0, 1] / np.var(demand, ddof=1)
    adjusted = cost - beta * (demand - mean)
    return adjusted.mean(), adjusted.std(ddof=1) / np.sqrt(len(adjusted))


# Instance A: three stages, Poisson(4) demand; order delays 2, 1, 1 and shipping delays 1, 2, 0
# (the top stage buys from the source with no shipping delay) so L = o + s = 3, 3, 1.
A = dict(holding=[1.0, 0.6, 0.3], p=9.0, order_delays=[2, 1, 1], shipping_delays=[1, 2, 0],
         demand={"process": "poisson", "mean": 4})
A_LEAD = [3, 3, 1]
A_DEMAND = poisson_demand(4)


def a_beer_cost(S, lead=A_LEAD):
    return physical_cost(S, A["holding"], A["p"], lead, A_DEMAND.pmf, pipeline=False)


def a_scenario(local_levels, weeks):
    return chaingame.from_table(serial_table(local_levels, weeks=weeks, **A))


def test_engine_cost_matches_prediction():
    """The engine's long-run cost per week at the optimal local levels equals the predicted
    beer-game cost C* − μ Σ h_{j+1} L_j with L = order_delay + shipping_delay.

    Tolerance: 4 standard errors of the control-variate estimate (a false alarm once in ~16,000
    runs if the model is right); the estimate itself is required to be within 0.1% of the cost, so
    the test is tight: a one-week error in any lead time moves the cost by several percent (see
    ``test_lead_time_is_order_plus_shipping_delay``). The run starts at the levels with empty
    pipelines, the stationary state after zero demand; from week Σ L on, costs are exactly
    stationary, and 30 weeks are dropped.
    """
    chain = serial_chain(a_scenario(None, 1030))
    assert chain.lead_times == tuple(A_LEAD)
    sol = chain.solve()
    assert sol.echelon_levels == (18, 32, 36)
    assert sol.beer_game_cost == pytest.approx(a_beer_cost((18, 32, 36)), abs=1e-9)
    assert sol.beer_game_cost == pytest.approx(9.0830, abs=1e-4)
    scenario = a_scenario(sol.local_levels, 1030)
    cost, demand = simulate(scenario, warmup=30, replications=4000, seed=11)
    mean, se = controlled(cost, demand, 4.0)
    assert se < 0.001 * sol.beer_game_cost
    assert abs(mean - sol.beer_game_cost) < 4 * se, (mean, se, sol.beer_game_cost)


def test_perturbed_levels_cost_more_in_the_engine():
    """Moving any local level by ±1 does not lower the engine's cost beyond noise, and raises it by
    what the exact evaluation predicts. Common random numbers (same seed): each replication sees
    the same demand path under every policy, so paired differences have small standard errors;
    tolerance 4 of them."""
    sol = optimal_levels(holding_costs=A["holding"], stockout_cost=A["p"], lead_times=A_LEAD, demand=A_DEMAND)
    base = np.array(sol.local_levels)
    ref, _ = simulate(a_scenario(base, 330), warmup=30, replications=3000, seed=5)
    for j in range(3):
        for delta in (-1, 1):
            levels = base.copy()
            levels[j] += delta
            cost, _ = simulate(a_scenario(levels, 330), warmup=30, replications=3000, seed=5)
            diff = cost - ref
            mean, se = diff.mean(), diff.std(ddof=1) / np.sqrt(len(diff))
            predicted = a_beer_cost(tuple(int(v) for v in np.cumsum(levels))) - sol.beer_game_cost
            assert predicted > 0
            assert mean > -3 * se, (j, delta, mean, se)
            assert abs(mean - predicted) < 4 * se, (j, delta, mean, se, predicted)


def test_lead_time_is_order_plus_shipping_delay():
    """Which lead time does the engine's timing give a stage? For levels optimized under four
    candidate mappings, the simulated cost agrees with the exact cost computed with
    L = order_delay + shipping_delay, and contradicts the cost each other mapping predicts."""
    candidates = {"o+s": A_LEAD, "o+s-1": [2, 2, 0], "s": [1, 2, 0], "o+s+1": [4, 4, 2]}
    for name, lead in candidates.items():
        sol = optimal_levels(holding_costs=A["holding"], stockout_cost=A["p"], lead_times=lead, demand=A_DEMAND)
        cost, demand = simulate(a_scenario(sol.local_levels, 330), warmup=30, replications=2000, seed=3)
        mean, se = controlled(cost, demand, 4.0)
        S = tuple(int(s) for s in sol.echelon_levels)
        assert abs(mean - a_beer_cost(S)) < 4 * se, (name, mean, se, a_beer_cost(S))
        if name != "o+s":
            assert abs(mean - sol.beer_game_cost) > 50 * se, (name, mean, sol.beer_game_cost)


def test_scenario_helper_with_producer_and_normal_demand():
    """``base_stock_policies`` on a 2-stage scenario whose top firm is a producer (production delay
    1, source order delay 1, no shipping: L = 2) and whose demand is N(8, 3²), which the engine
    rounds to whole units: the helper uses the exact pmf of round(max(0, X)), and the engine's
    cost at its levels matches the prediction (4 control-variate standard errors)."""
    table = serial_table(None, holding=[0.5, 0.2], p=4.0, order_delays=[2, 1], shipping_delays=[1, 0],
                         demand={"process": "normal", "mean": 8, "sd": 3}, weeks=430, production=1)
    scenario = chaingame.from_table(table)
    chain = serial_chain(scenario)
    assert chain.firms == ("retailer", "wholesaler") and chain.lead_times == (3, 2)
    assert chain.stockout_cost == 4.0 and chain.holding_costs == (0.5, 0.2)
    x = np.random.default_rng(0).normal(8, 3, 400_000)
    empirical = np.bincount(np.floor(np.maximum(x, 0) + 0.5).astype(int), minlength=len(chain.demand.pmf))
    assert np.abs(empirical / len(x) - chain.demand.pmf[: len(empirical)]).max() < 0.002
    sol = chain.solve()
    policies = base_stock_policies(scenario)
    assert [policies[f].level for f in chain.firms] == list(sol.local_levels)
    for fid, level in zip(chain.firms, sol.local_levels, strict=True):
        table["firms"][fid]["inventory"] = level
    cost, demand = simulate(chaingame.from_table(table), warmup=30, replications=4000, seed=2, policies=policies)
    mean, se = controlled(cost, demand, chain.demand.mean)
    assert abs(mean - sol.beer_game_cost) < 4 * se, (mean, se, sol.beer_game_cost)


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs,message", [
    (dict(holding_costs=[1, 2], stockout_cost=5, lead_times=[1, 1]), "holding_costs[1]: 2 is above"),
    (dict(holding_costs=[1, 0], stockout_cost=5, lead_times=[1, 1]), "holding_costs[1]: 0 is not above 0"),
    (dict(holding_costs=[1], echelon_holding_costs=[1], stockout_cost=5, lead_times=[1]), "not both"),
    (dict(holding_costs=[1], stockout_cost=0, lead_times=[1]), "stockout_cost: 0 is not above 0"),
    (dict(holding_costs=[1], stockout_cost=5, lead_times=[-1]), "lead_times[0]: -1 is below 0"),
    (dict(holding_costs=[1], stockout_cost=5, lead_times=[1.5]), "lead_times[0]: 1.5 is not a whole number"),
    (dict(holding_costs=[1, 0.5], stockout_cost=5, lead_times=[1]), "holding_costs: [1, 0.5] is not a list of 1"),
])
def test_bad_arguments_are_named(kwargs, message):
    with pytest.raises(ScenarioError) as err:
        optimal_levels(demand=poisson_demand(2), **kwargs)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_bad_demand_and_scenarios_are_named():
    with pytest.raises(ScenarioError, match=r"demand: sums to 0\.9"):
        discrete_demand([0.5, 0.4])
    with pytest.raises(ScenarioError, match=r"demand\[1\]: -0\.1 is below 0"):
        discrete_demand([0.5, -0.1, 0.6])
    with pytest.raises(ScenarioError, match=r'demand\.process: "step" is not i\.i\.d\.'):
        engine_demand(Step())
    assert engine_demand(Normal(4.0, 0.0)).offset == 4
    classic = chaingame.load_scenario("classic")
    with pytest.raises(ScenarioError, match=r"firms\.wholesaler\.backlog_cost: 1 above the retailer"):
        serial_chain(classic)
    with pytest.raises(ScenarioError, match=r'demand\.process: "step"'):
        serial_chain(classic, ignore_upstream_backlog=True)
    steady = classic.with_values({"demand": {"process": "poisson", "mean": 8}})
    chain = serial_chain(steady, ignore_upstream_backlog=True)
    assert chain.firms == ("retailer", "wholesaler", "distributor", "factory")
    assert chain.lead_times == (4, 4, 4, 3)  # the factory: 1-week request delay + 2-week production
    lost = serial_table(None, [1, 0.5], 3, [1, 1], [1, 0], {"process": "poisson", "mean": 2}, 10)
    lost["firms"]["wholesaler"]["unmet"] = "lost"
    with pytest.raises(ScenarioError, match=r'firms\.wholesaler\.unmet: "lost"'):
        serial_chain(chaingame.from_table(lost))
