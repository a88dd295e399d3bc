"""The stackable decision rules as compiled code: the one definition of each (:mod:`chaingame.policies`).

:class:`~chaingame.policies.Sterman`, :class:`~chaingame.policies.BaseStock` and
:class:`~chaingame.policies.TrackDemand` decide by these kernels, for one firm's observation (R,) and for
the rows of several firms (n, R) alike (every engine, the Mesa model, the learning environments and the
classroom's bots call the rules, and the rules call these). Compiled by numba with no fastmath, every
operation numpy's in the order of the numpy code they replaced, so the bits are the same; one explicit
signature each, (n, R) C-contiguous arrays; imported with the rule's first decision.
"""

from __future__ import annotations

import numpy as np
from numba import njit

JIT = dict(cache=True, _nrt=False, error_model="numpy")  # no fastmath, no numba runtime, no zero checks
F2 = "float64[:, ::1]"


@njit(inline="always", **JIT)
def _maximum(a, b):
    """``np.maximum(a, b)``: nan if either is, else ``b`` unless ``a > b``."""
    return a if (a > b or a != a) else b


@njit(f"void({F2}, {F2}, {F2}, {F2}, {F2}, float64, float64, float64, float64, {F2})", **JIT)
def sterman(x, inventory, backlog, on_order, expected, theta, alpha_s, beta, s_prime, out):
    """Anchoring and adjustment (Sterman 1989, eqs. 10-15), the expectation ``expected`` updated in place.

    L̂_t = (1 − θ) L̂_{t−1} + θ L_t, then O_t = max(0, half_up(L̂_t + α_S ((S' − (on hand − backlog)) − β SL_t))),
    half up on the quantity counted to 1e-9 (:func:`chaingame.chain.half_up`).
    """
    keep = 1 - theta
    for i in range(x.shape[0]):
        for r in range(x.shape[1]):
            lhat = expected[i, r] * keep
            lhat = lhat + theta * x[i, r]
            expected[i, r] = lhat
            stock = inventory[i, r] - backlog[i, r]
            adjust = alpha_s * (s_prime - stock - beta * on_order[i, r])
            out[i, r] = _maximum(0.0, np.floor(np.rint((lhat + adjust) * 1e9) / 1e9 + 0.5))


@njit(f"void({F2}, {F2}, {F2}, float64, {F2})", **JIT)
def base_stock(inventory, backlog, on_order, level, out):
    """O_t = max(0, S − IP_t), IP_t = (on hand − backlog) + supply line (Clark & Scarf 1960)."""
    for i in range(out.shape[0]):
        for r in range(out.shape[1]):
            out[i, r] = _maximum(0.0, level - (inventory[i, r] - backlog[i, r] + on_order[i, r]))


@njit(f"void({F2}, {F2}, {F2}, float64, float64, float64, {F2})", **JIT)
def track_demand(incoming, backlog, forecast, theta, margin, backlog_weeks, out):
    """K_t = (1 + margin) F_t + backlog_t / backlog_weeks, F_t = F_{t−1} + θ (L_t − F_{t−1}) in place (Sterman 2000)."""
    grow = 1 + margin
    for i in range(out.shape[0]):
        for r in range(out.shape[1]):
            f = forecast[i, r] + theta * (incoming[i, r] - forecast[i, r])
            forecast[i, r] = f
            out[i, r] = grow * f + backlog[i, r] / backlog_weeks
