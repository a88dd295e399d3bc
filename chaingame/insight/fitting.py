"""Fitting Sterman's anchoring-and-adjustment rule to one firm's orders (Sterman 1989, eqs. 10-15).

The rule a firm would have followed, given its own books week by week::

    O_t = max(0, L̂_t + α_S (S' − S_t − β SL_t)),   L̂_t = θ L_t + (1 − θ) L̂_{t−1}

with L_t the incoming order of week t, S_t = on hand − backlog and SL_t the supply line, all as
the firm saw them at the end of week t before ordering (the history records the supply line after
the order, so the week's order is taken off it), and L̂_0 the first week's incoming order, as
:class:`~chaingame.policies.Sterman` starts. θ, α_S, β, S' are estimated by bounded nonlinear
least squares (0 ≤ θ, α_S, β ≤ 1, S' ≥ 0) on the unrounded rule, from a grid of starts (the
objective is not convex in θ); fit figures compare the unrounded rule with the orders placed.

Intervals come from a residual bootstrap (fixed design: the books stay as recorded; residuals
centred and scaled by √(n / (n − 4)), each resample refitted from the estimate; percentile
intervals), seeded, so the same history always gives the same intervals; ``method="jacobian"``
gives Wald intervals from the Jacobian instead.

References:
    Sterman, J. D. (1989). Modeling managerial behavior: misperceptions of feedback in a dynamic
    decision making experiment. Management Science 35(3): 321-339.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import least_squares
from scipy.stats import norm

from ..chain import half_up
from ..checks import ScenarioError, choice, number, show
from ..policies import Sterman
from .replay import one_replication

PARAMS = ("theta", "alpha_s", "beta", "s_prime")
LOWER = np.array([0.0, 0.0, 0.0, 0.0])
UPPER = np.array([1.0, 1.0, 1.0, np.inf])
MIN_WEEKS = 8  # fewer free weeks than twice the four parameters: not identified
SUBJECTS = Sterman(theta=0.36, alpha_s=0.26, beta=0.34, s_prime=17.0)  # mean estimates, 44 subjects (Sterman 1989)
FLAT = 1e-7  # a singular value of the scaled Jacobian below this share of the largest: a flat direction
RIVAL = 1.5  # a rival solution fits nearly as well: squared error at most this many times the best's
APART = 0.05  # ... and are different rules when θ, α_S or β differ by more (S': this share of S_PRIME_SPAN)
S_PRIME_SPAN = 40.0  # cases: the span of S' the subjects' estimates cover (Sterman 1989)


@dataclass(frozen=True)
class Books:
    """One firm's observations, weeks 1..W, as its rule saw them before ordering."""

    firm: str
    weeks: np.ndarray  # (W,) 1..W
    incoming: np.ndarray  # L_t
    stock: np.ndarray  # S_t = on hand − backlog
    supply_line: np.ndarray  # SL_t, before this week's order
    orders: np.ndarray  # O_t placed


def books(history: pd.DataFrame, firm: str, replication: int | None = None) -> Books:
    """A firm's :class:`Books` from a tidy history (one firm's rows suffice)."""
    h = one_replication(history, replication)
    if firm not in set(h["firm"]):
        firms = ", ".join(dict.fromkeys(h["firm"]))
        raise ScenarioError("firm", f"{show(firm)} has no rows in the history (firms: {firms})")
    rows = h[h["firm"] == firm].sort_values("week")
    weeks = rows["week"].to_numpy()
    if not np.array_equal(weeks, np.arange(1, len(weeks) + 1)):
        raise ScenarioError("history.week", f"{firm}'s weeks are not 1..n (allowed: every week from 1 on)")
    order = rows["order_placed"].to_numpy(float)
    return Books(firm, weeks, rows["incoming_order"].to_numpy(float),
                 rows["inventory"].to_numpy(float) - rows["backlog"].to_numpy(float),
                 rows["on_order"].to_numpy(float) - np.maximum(order, 0.0), order)


def expectation(theta: float, incoming: np.ndarray, start: float) -> np.ndarray:
    """L̂_t for t = 1..W, computed as :class:`~chaingame.policies.Sterman` does (same operations)."""
    out = []
    lhat, theta = float(start), float(theta)  # Python floats: the same IEEE operations, without numpy's scalar cost
    keep = 1 - theta
    for x in np.asarray(incoming, dtype=float).tolist():
        lhat *= keep
        lhat += theta * x
        out.append(lhat)
    return np.array(out, dtype=float)


def raw_orders(p: np.ndarray, b: Books, start: float) -> np.ndarray:
    """The rule's order before rounding and the floor at 0, weeks 1..W."""
    theta, alpha_s, beta, s_prime = p
    return expectation(theta, b.incoming, start) + alpha_s * (s_prime - b.stock - beta * b.supply_line)


def predict(p: Any, b: Books, start: float, rounded: bool = False) -> np.ndarray:
    """The orders the rule with parameters ``p`` (θ, α_S, β, S') would have placed, weeks 1..W."""
    raw = raw_orders(np.asarray(p, float), b, start)
    return np.maximum(0.0, half_up(raw)) if rounded else np.maximum(0.0, raw)


@dataclass(frozen=True)
class StermanFit:
    """The anchoring-and-adjustment rule fitted to one firm's orders.

    Attributes:
        firm: the firm fitted.
        theta, alpha_s, beta, s_prime: the estimates θ, α_S, β, S'.
        expected: L̂_0 used (the first week's incoming order unless given).
        weeks: the weeks whose orders were fitted.
        r2: share of the orders' variance over those weeks the unrounded rule explains.
        rmse: root mean squared error of the unrounded rule against the placed orders (units).
        exact: share of fitted weeks where the rule, rounded as the game rounds, gives the placed order.
        intervals: ``{parameter: (low, high)}`` at ``level``.
        level: the intervals' coverage (0.9: 90%).
        method: how the intervals were made ("bootstrap" or "jacobian").
        identified: False where the orders cannot tell the parameters apart (see ``reasons``).
        reasons: why not identified; empty when identified.
        predicted: the unrounded rule's orders in the fitted weeks. orders: the placed ones.
    """

    firm: str
    theta: float
    alpha_s: float
    beta: float
    s_prime: float
    expected: float
    weeks: tuple[int, ...]
    r2: float
    rmse: float
    exact: float
    intervals: dict[str, tuple[float, float]]
    level: float
    method: str
    identified: bool
    reasons: tuple[str, ...]
    predicted: np.ndarray = field(repr=False)
    orders: np.ndarray = field(repr=False)

    @property
    def params(self) -> dict[str, float]:
        """The fitted (θ, α_S, β, S') by name."""
        return {k: getattr(self, k) for k in PARAMS}

    def policy(self, **overrides: float) -> Sterman:
        """The fitted rule as a :class:`~chaingame.policies.Sterman` (e.g. ``policy(beta=1)``)."""
        return Sterman(**{**self.params, "expected": self.expected, **overrides})

    def describe(self) -> str:
        """The fitted rule in words, beside Sterman's subjects and the benchmark."""
        if not self.identified:
            return (f"Your orders do not pin down an ordering rule ({'; '.join(self.reasons)}), so no rule is "
                    "read from them.")
        s = SUBJECTS
        return (f"You counted {self.beta:.0%} of your supply line (Sterman's subjects: {s.beta:.0%}; the benchmark "
                f"counts all of it). Each week you ordered {self.alpha_s:.0%} of the gap between the stock you "
                f"aimed at and the stock you had (subjects: {s.alpha_s:.0%}; benchmark: 100%). Your forecast gave "
                f"{self.theta:.0%} weight to the latest incoming order (subjects: {s.theta:.0%}). You aimed at "
                f"S' = {self.s_prime:.0f} cases of stock plus counted supply line (subjects: about "
                f"{s.s_prime:.0f}). This rule explains {max(self.r2, 0):.0%} of the swings in your orders "
                f"(typical miss {self.rmse:.1f} cases a week).")


def _start_points(b: Books, fit: np.ndarray, start: float) -> list[np.ndarray]:
    """Starts for the search, best first.

    For each θ on a grid the rule is linear in (α_S, α_S S', α_S β), so a linear least-squares fit gives a
    start; then the best pure smoothing of incoming orders (α_S = 0); the subjects' means and the benchmark.
    """
    y = b.orders[fit]
    design = np.column_stack([np.ones(fit.sum()), -b.stock[fit], -b.supply_line[fit]])
    scored, smoothing = [], []
    for theta in np.linspace(0, 1, 11):
        lhat = expectation(theta, b.incoming, start)[fit]
        (c0, a, c), *_ = np.linalg.lstsq(design, y - lhat, rcond=None)
        alpha = float(np.clip(a, 0.01, 1.0))
        p = np.array([theta, alpha, float(np.clip(c / alpha, 0, 1)), max(c0 / alpha, 0.0)])
        scored.append((float(np.sum((predict(p, b, start)[fit] - y) ** 2)), p))
        smoothing.append((float(np.sum((np.maximum(lhat, 0) - y) ** 2)), np.array([theta, 0.0, 0.5, 0.0])))
    scored.sort(key=lambda sp: sp[0])
    return [p for _, p in scored[:3]] + [min(smoothing, key=lambda sp: sp[0])[1]] + [
        np.array([SUBJECTS.theta, SUBJECTS.alpha_s, SUBJECTS.beta, SUBJECTS.s_prime]), np.array([0.0, 1.0, 1.0, 28.0])]


def jacobian(p: np.ndarray, b: Books, start: float) -> np.ndarray:
    """d(unrounded order)/d(θ, α_S, β, S'), weeks 1..W: (W, 4); 0 where the order is floored at 0.

    dL̂_t/dθ = L_t − L̂_{t−1} + (1 − θ) dL̂_{t−1}/dθ, from dL̂_0/dθ = 0.
    """
    theta, alpha_s, beta, s_prime = p
    lhat = expectation(theta, b.incoming, start)
    before = np.concatenate([[start], lhat[:-1]])
    d_theta = []
    d, keep = 0.0, 1 - float(theta)
    for x, prev in zip(b.incoming.tolist(), before.tolist()):
        d = x - prev + keep * d
        d_theta.append(d)
    gap = s_prime - b.stock - beta * b.supply_line
    jac = np.column_stack([np.array(d_theta, dtype=float), gap, -alpha_s * b.supply_line, np.full(len(lhat), alpha_s)])
    jac[lhat + alpha_s * gap < 0] = 0.0
    return jac


def _solutions(b: Books, fit: np.ndarray, y: np.ndarray, start: float, starts: list[np.ndarray]) -> list:
    """A bounded least-squares solution from each start, best first."""
    out = []
    for x0 in starts:
        x0 = np.clip(x0, LOWER, np.where(np.isfinite(UPPER), UPPER, 1e9))
        out.append(least_squares(lambda p: predict(p, b, start)[fit] - y, x0,
                                 jac=lambda p: jacobian(p, b, start)[fit], bounds=(LOWER, UPPER), x_scale="jac"))
    return sorted(out, key=lambda r: r.cost)


def _rival(solutions: list, b: Books, fit: np.ndarray, start: float) -> str | None:
    """Another local solution that the orders cannot tell apart from the best one.

    Its parameters differ clearly, its orders differ from the best one's by no more than the best one misses the
    placed orders (root mean square), and it fits nearly as well.
    """
    best = solutions[0]
    n = int(fit.sum())
    mine = predict(best.x, b, start)[fit]
    rmse = np.sqrt(2 * best.cost / n)
    for r in solutions[1:]:
        apart = np.any(np.abs(r.x[:3] - best.x[:3]) > APART) or abs(r.x[3] - best.x[3]) > APART * S_PRIME_SPAN
        close = np.sqrt(np.mean((predict(r.x, b, start)[fit] - mine) ** 2)) <= rmse
        if apart and close and r.cost <= RIVAL * best.cost:
            return f"two rules give nearly the same orders ({_show(best.x)}; {_show(r.x)})"
    return None


def _show(x: np.ndarray) -> str:
    s_prime = "any" if x[1] <= 1e-6 else f"{x[3]:.1f}"
    return f"θ {x[0]:.2f}, α_S {x[1]:.2f}, β {x[2]:.2f}, S' {s_prime}"


def fit_sterman(history: Any, firm: str, *, scenario: Any = None, first_week: int | None = None,
                expected: float | None = None, level: float = 0.9, method: str = "bootstrap",
                resamples: int = 200, seed: int = 0, replication: int | None = None) -> StermanFit:
    """Fit θ, α_S, β, S' of Sterman's rule to ``firm``'s orders (Sterman 1989, eqs. 10-15).

    Args:
        history: a tidy history (``ChainModel.history()``, one firm's rows suffice) or a played
            :class:`~chaingame.model.ChainModel`.
        firm: the firm whose orders are fitted.
        scenario: the game's scenario; its fixed orders tell which weeks carry no decision.
        first_week: the first week fitted (default: the week after the scenario's fixed orders, or
            week 1 without a scenario). Earlier weeks still feed the forecast L̂.
        expected: L̂_0 (default: the first week's incoming order, as the game's rule starts).
        level: coverage of the intervals (0 to 1).
        method: "bootstrap" (residual bootstrap, percentile intervals) or "jacobian" (Wald).
        resamples: bootstrap resamples.
        seed: the bootstrap's seed.
        replication: which replication of a ``simulate`` history.

    Returns:
        :class:`StermanFit`.
    """
    if hasattr(history, "spec") and hasattr(history, "history"):  # a ChainModel
        scenario = history.spec if scenario is None else scenario
        history = history.history()
    if not isinstance(history, pd.DataFrame):
        raise ScenarioError("history", f"{show(history)} is not a history (allowed: a tidy DataFrame or a ChainModel)")
    level = number(level, "level", above=0, high=0.999)
    method = choice(method, "method", ("bootstrap", "jacobian"))
    resamples = int(number(resamples, "resamples", low=10, integer=True))
    b = books(history, firm, replication)
    if first_week is None:
        first_week = 1
        if scenario is not None:
            from ..scenario import load_scenario

            first_week = len(load_scenario(scenario).firm(firm).fixed_orders) + 1
    first_week = int(number(first_week, "first_week", low=1, integer=True))
    start = float(b.incoming[0] if expected is None else number(expected, "expected", low=0))
    fit = b.weeks >= first_week
    y = b.orders[fit]
    reasons = []
    if fit.sum() < MIN_WEEKS:
        reasons.append(f"too few weeks ({int(fit.sum())} fitted; at least {MIN_WEEKS} needed)")
    elif np.ptp(y) == 0:
        reasons.append(f"constant orders (always {y[0]:g})")
    if reasons:
        nan = float("nan")
        return StermanFit(firm, nan, nan, nan, nan, start, tuple(int(w) for w in b.weeks[fit]), nan, nan, nan,
                          dict.fromkeys(PARAMS, (nan, nan)), level, method, False, tuple(reasons),
                          np.full(len(y), nan), y)
    starts = _start_points(b, fit, start)
    solutions = _solutions(b, fit, y, start, starts)
    best = solutions[0]
    p = best.x
    raw = raw_orders(p, b, start)[fit]
    pred = np.maximum(0.0, raw)
    resid = y - pred
    informative = (raw > 0) | (y > 0)  # a week floored at 0 that ordered 0 fits whatever the parameters
    sst = float(np.sum((y - y.mean()) ** 2))
    if informative.sum() <= 2 * len(PARAMS):
        reasons.append(f"too few weeks with an order or a positive predicted order ({int(informative.sum())})")
    reasons += _flat(best.jac, p)
    rival = _rival(solutions, b, fit, start)
    if rival and not reasons:
        reasons.append(rival)
    if informative.sum() <= len(PARAMS):  # no residual left to measure the noise by
        intervals = dict.fromkeys(PARAMS, (float("nan"), float("nan")))
    elif method == "bootstrap":
        intervals = _bootstrap(b, fit, start, p, raw, resid[informative], level, resamples, seed)
    else:
        intervals = _wald(best.jac, resid, int(informative.sum()), p, level)
    exact = float(np.mean(predict(p, b, start, rounded=True)[fit] == y))
    return StermanFit(firm, *(float(v) for v in p), start, tuple(int(w) for w in b.weeks[fit]),
                      1 - float(np.sum(resid**2)) / sst, float(np.sqrt(np.mean(resid**2))), exact, intervals,
                      level, method, not reasons, tuple(reasons), pred, y)


def _flat(jac: np.ndarray, p: np.ndarray) -> list[str]:
    """Directions in which the objective is flat at the estimate (parameters not identified)."""
    if p[1] <= 1e-6:
        return ["α_S is 0: β and S' do not enter the rule"]
    scale = np.array([1.0, 1.0, 1.0, max(1.0, p[3])])  # parameter ranges: 0..1, and S' on its own scale
    js = jac * scale
    _, sv, vt = np.linalg.svd(js, full_matrices=False)
    if sv[0] == 0:
        return ["the rule's orders do not depend on its parameters"]
    out = []
    for s, v in zip(sv, vt):
        if s < FLAT * sv[0]:
            name = ("θ", "α_S", "β", "S'")[int(np.argmax(np.abs(v)))]
            out.append(f"the fit is flat in {name} (the orders do not tell it apart)")
    return out


def _bootstrap(b, fit, start, p, raw, resid, level, resamples, seed):
    """Residual-bootstrap percentile intervals.

    y* = max(0, raw + e*), e* drawn from the informative weeks' residuals (centred, scaled by √(m / (m − 4)) for
    the m such weeks), each y* refitted from the estimate.
    """
    m = len(resid)
    e = (resid - resid.mean()) * np.sqrt(m / (m - len(PARAMS)))
    rng = np.random.default_rng(seed)
    draws = np.empty((resamples, len(PARAMS)))
    for k in range(resamples):
        ystar = np.maximum(0.0, raw + rng.choice(e, len(raw), replace=True))
        draws[k] = _solutions(b, fit, ystar, start, [p])[0].x
    q = [(1 - level) / 2, (1 + level) / 2]
    return {name: tuple(float(v) for v in np.quantile(draws[:, i], q)) for i, name in enumerate(PARAMS)}


def _wald(jac, resid, informative, p, level):
    """Wald intervals p ± z se, clipped to the bounds.

    se from s² (JᵀJ)⁻¹ with s² = SSR / (m − 4) over the m informative weeks.
    """
    k = jac.shape[1]
    s2 = float(resid @ resid) / max(informative - k, 1)
    cov = s2 * np.linalg.pinv(jac.T @ jac)
    z = norm.ppf((1 + level) / 2)
    se = np.sqrt(np.maximum(np.diag(cov), 0))
    return {name: (float(max(p[i] - z * se[i], LOWER[i])), float(min(p[i] + z * se[i], UPPER[i])))
            for i, name in enumerate(PARAMS)}
