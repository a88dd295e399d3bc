"""The figures' passes over the weeks as compiled code: sample variances and first peaks (:mod:`chaingame.metrics`).

:func:`chaingame.metrics.variance` and :func:`chaingame.metrics.firm_metrics` call these, and nothing else
computes them. Compiled by numba with no fastmath, the weeks added in their order as the numpy code did
(:func:`chaingame.metrics.total`), so the bits are the same; one explicit signature, a (weeks, n) C-contiguous
array (a firm's replications side by side), imported with the first figures.
"""

from __future__ import annotations

from numba import njit

JIT = dict(cache=True, _nrt=False, error_model="numpy")  # no fastmath, no numba runtime, no zero checks


@njit("void(float64[:, ::1], float64[::1], float64[::1], boolean, float64[::1], int64[::1])", **JIT)
def spread(x, mean, var, peaks, highest, at):
    """Sample variance (n − 1) along the weeks of ``x`` (W, n) into ``var``, ``mean`` the weeks' mean.

    Where ``peaks``: also ``highest`` = ``x.max(axis=0)`` (nan if any week is) and ``at`` = ``x.argmax(axis=0)``,
    the first week of the peak (of the first nan, if any).
    """
    W, n = x.shape
    for j in range(n):
        mean[j] = x[0, j]
    if peaks:
        for j in range(n):
            highest[j] = x[0, j]
    for k in range(1, W):  # one pass: the total, and the largest value
        for j in range(n):
            mean[j] += x[k, j]
        if peaks:
            for j in range(n):
                a, b = highest[j], x[k, j]
                highest[j] = a if (a >= b or a != a) else b  # np.maximum
    for j in range(n):
        mean[j] = mean[j] / W
    for k in range(W):  # a second: the squared deviations in week order, and the first week of the peak
        for j in range(n):
            d = x[k, j] - mean[j]
            var[j] = d * d if k == 0 else var[j] + d * d
        if peaks:
            for j in range(n):
                h, v = highest[j], x[k, j]
                if k == 0:
                    at[j] = -1
                if at[j] < 0 and (v == h or (h != h and v != v)):
                    at[j] = k
    for j in range(n):
        var[j] = var[j] / (W - 1)
