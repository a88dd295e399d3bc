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


@njit(inline="always", **JIT)
def _sterman(expected, x, inventory, backlog, on_order, keep, theta, alpha_s, beta, s_prime):
    """One element of :func:`sterman`: (the new expectation L̂_t, the order O_t)."""
    lhat = expected * keep
    lhat = lhat + theta * x
    stock = inventory - backlog
    adjust = alpha_s * (s_prime - stock - beta * on_order)
    return lhat, _maximum(0.0, np.floor(np.rint((lhat + adjust) * 1e9) / 1e9 + 0.5))


@njit(inline="always", **JIT)
def _base_stock(inventory, backlog, on_order, level):
    """One element of :func:`base_stock`."""
    return _maximum(0.0, level - (inventory - backlog + on_order))


@njit(inline="always", **JIT)
def _track_demand(forecast, incoming, backlog, theta, grow, backlog_weeks):
    """One element of :func:`track_demand`: (the new forecast F_t, the capacity target K_t)."""
    f = forecast + theta * (incoming - forecast)
    return f, grow * f + backlog / backlog_weeks


@njit(inline="always", **JIT)
def _start(memory, x, start, n):
    """A rule's memory before its first decision: ``start``, or the signal ``x`` where ``start`` is NaN."""
    for j in range(n):
        memory[j] = x[j] if start != start else start


@njit(f"void({F2}, {F2}, {F2}, {F2}, {F2}, float64, float64, float64, float64, boolean, float64, {F2})", **JIT)
def sterman(x, inventory, backlog, on_order, expected, theta, alpha_s, beta, s_prime, fresh, start, out):
    """Anchoring and adjustment (Sterman 1989, eqs. 10-15), the expectation ``expected`` updated in place.

    L̂_t = (1 − θ) L̂_{t−1} + θ L_t, then O_t = max(0, half_up(L̂_t + α_S ((S' − (on hand − backlog)) − β SL_t))),
    half up on the quantity counted to 1e-9 (:func:`chaingame.chain.half_up`). Where ``fresh`` (the first
    decision), L̂_{t−1} starts at ``start``, or at L_t where ``start`` is NaN (:func:`_start`).
    """
    keep = 1 - theta
    if fresh:
        for i in range(x.shape[0]):
            _start(expected[i], x[i], start, x.shape[1])
    for i in range(x.shape[0]):
        for r in range(x.shape[1]):
            expected[i, r], out[i, r] = _sterman(expected[i, r], x[i, r], inventory[i, r], backlog[i, r],
                                                 on_order[i, r], keep, theta, alpha_s, beta, s_prime)


@njit(f"void({F2}, {F2}, {F2}, float64, {F2})", **JIT)
def base_stock(inventory, backlog, on_order, level, out):
    """O_t = max(0, S − IP_t), IP_t = (on hand − backlog) + supply line (Clark & Scarf 1960)."""
    for i in range(out.shape[0]):
        for r in range(out.shape[1]):
            out[i, r] = _base_stock(inventory[i, r], backlog[i, r], on_order[i, r], level)


@njit(f"void({F2}, {F2}, {F2}, float64, float64, float64, boolean, {F2})", **JIT)
def track_demand(incoming, backlog, forecast, theta, margin, backlog_weeks, fresh, out):
    """K_t = (1 + margin) F_t + backlog_t / backlog_weeks, F_t = F_{t−1} + θ (L_t − F_{t−1}) in place (Sterman 2000).

    Where ``fresh`` (the first decision), F_{t−1} starts at L_t.
    """
    grow = 1 + margin
    if fresh:
        for i in range(out.shape[0]):
            _start(forecast[i], incoming[i], np.nan, out.shape[1])
    for i in range(out.shape[0]):
        for r in range(out.shape[1]):
            forecast[i, r], out[i, r] = _track_demand(forecast[i, r], incoming[i, r], backlog[i, r], theta, grow,
                                                      backlog_weeks)


STERMAN, BASE_STOCK, TRACK_DEMAND = range(3)  # the rules' codes in a packed list of groups (decide_range)


@njit(inline="always", **JIT)
def decide_range(codes, params, offsets, members, rows, memory, inventory, backlog, on_order, incoming, capacity,
                 producers, orders, targets, lo, hi, fresh):
    """Every group's decisions for replications ``lo .. hi - 1``: the rules above, by ``codes[g]``, on the books.

    Group g's firms are ``members[offsets[g]:offsets[g + 1]]``, its parameters ``params[g]`` (the rule's, in
    the order of the kernel's arguments, then the start of its memory, NaN: the signal), its i-th firm's memory
    row ``memory[rows[g] + i]``, which starts where ``fresh`` (:func:`_start`, as the kernels above). The order
    rules write ``orders`` (F, R); the rows of ``targets`` (F, R) of the firms ``producers`` are the capacity in
    force but where a capacity rule sets it (the rest are not written).
    """
    n = hi - lo  # rows of the replications taken from index 0 (the loops LLVM vectorises)
    for f in producers:
        x, out = capacity[f, lo:hi], targets[f, lo:hi]
        for j in range(n):
            out[j] = x[j]
    for g in range(len(codes)):
        code, p = codes[g], params[g]
        for i in range(offsets[g], offsets[g + 1]):
            f, m = members[i], rows[g] + i - offsets[g]
            iv, bl, oo, x = inventory[f, lo:hi], backlog[f, lo:hi], on_order[f, lo:hi], incoming[f, lo:hi]
            if code == STERMAN:
                keep, mem, out = 1 - p[0], memory[m, lo:hi], orders[f, lo:hi]
                if fresh:
                    _start(mem, x, p[4], n)
                for j in range(n):
                    mem[j], out[j] = _sterman(mem[j], x[j], iv[j], bl[j], oo[j], keep, p[0], p[1], p[2], p[3])
            elif code == BASE_STOCK:
                out = orders[f, lo:hi]
                for j in range(n):
                    out[j] = _base_stock(iv[j], bl[j], oo[j], p[0])
            else:
                grow, mem, out = 1 + p[1], memory[m, lo:hi], targets[f, lo:hi]
                if fresh:
                    _start(mem, x, np.nan, n)
                for j in range(n):
                    mem[j], out[j] = _track_demand(mem[j], x[j], bl[j], p[0], grow, p[2])
