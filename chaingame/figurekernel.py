"""The figures' passes over the weeks as compiled code: sample variances and first peaks (:mod:`chaingame.metrics`).

:func:`chaingame.metrics.variance` and :func:`chaingame.metrics.firm_metrics` call these, and nothing else
computes them. Compiled by numba with no fastmath, the weeks added in their order as the numpy code did
(:func:`chaingame.metrics.total`), so the bits are the same; one explicit signature, a (weeks, n) C-contiguous
array (a firm's replications side by side), imported with the first figures.
"""

from __future__ import annotations

from numba import njit

JIT = dict(cache=True, _nrt=False, error_model="numpy")  # no fastmath, no numba runtime, no zero checks


CHUNK = 1024  # columns a pass covers at once: a chunk's weeks (36 × 1024 × 8 bytes) stay in a core's L2 for pass 2


@njit(inline="always", **JIT)
def _spread_chunk(x, mean, var, peaks, highest, at, c0, c1, o0):
    """:func:`spread` of columns ``c0 .. c1 - 1`` into the outputs' ``o0 ..``, each loop over a row from index 0."""
    W, m = x.shape[0], c1 - c0
    mn, vr, hi, ix = mean[o0:o0 + m], var[o0:o0 + m], highest[o0:o0 + m], at[o0:o0 + m]
    row = x[0, c0:c1]
    for j in range(m):
        mn[j] = row[j]
    if peaks:
        for j in range(m):
            hi[j] = row[j]
    for k in range(1, W):  # one pass: the total, and the largest value
        row = x[k, c0:c1]
        for j in range(m):
            mn[j] += row[j]
        if peaks:
            for j in range(m):
                a, b = hi[j], row[j]
                hi[j] = a if (a >= b or a != a) else b  # np.maximum
    for j in range(m):
        mn[j] = mn[j] / W
    for k in range(W):  # a second: the squared deviations in week order, and the first week of the peak
        row = x[k, c0:c1]
        for j in range(m):
            d = row[j] - mn[j]
            vr[j] = d * d if k == 0 else vr[j] + d * d
        if peaks:
            for j in range(m):
                h, v = hi[j], row[j]
                if k == 0:
                    ix[j] = -1
                if ix[j] < 0 and (v == h or (h != h and v != v)):
                    ix[j] = k
    for j in range(m):
        vr[j] = vr[j] / (W - 1)


@njit("void(float64[:, ::1], float64[::1], float64[::1], boolean, float64[::1], int64[::1])", **JIT)
def spread(x, mean, var, peaks, highest, at):
    """Sample variance (n − 1) along the weeks of ``x`` (W, n) into ``var``, ``mean`` the weeks' mean.

    Where ``peaks``: also ``highest`` = ``x.max(axis=0)`` (nan if any week is) and ``at`` = ``x.argmax(axis=0)``,
    the first week of the peak (of the first nan, if any). Columns go in chunks of :data:`CHUNK`, both passes over
    a chunk while its weeks are in cache; each column's arithmetic is the same whatever the chunk.
    """
    W, n = x.shape
    for c0 in range(0, n, CHUNK):
        _spread_chunk(x, mean, var, peaks, highest, at, c0, min(c0 + CHUNK, n), c0)
