"""The books around the week's physics as compiled code: supply lines, the week's record, running totals.

:func:`chaingame.chain.supply_line` and :func:`chaingame.engine.record` call these kernels, and nothing
else computes them. Like :mod:`chaingame.kernel` (whose packed tables they read), they are compiled by
numba with no fastmath, every operation numpy's in numpy's order, so the bits are those of the numpy code
they replaced; each has one explicit signature (compiled, or loaded from numba's cache, when this module is
first imported: on the first week, or by :func:`chaingame.engine.warm_up`). Loops run over a row of R
replications innermost, so that they vectorise at R = 10,000 and cost one call at R = 1.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .kernel import (
    BOM,
    BOM_FIRMS,
    BOM_LINKS,
    BOM_MEM,
    BOM_OFF,
    BOM_UNITS,
    IN_MEM,
    IN_OFF,
    IN_ONE,
    MONEY,
    OUT_MEM,
    OUT_OFF,
    OUT_ONE,
    PRODUCER,
    REGULAR_PRICE,
    TILE,
    _fseg,
    _iseg,
    counted,
)

# the record's columns, in chaingame.engine.COLUMNS order (a test checks the two agree)
(INVENTORY, BACKLOG, INCOMING, ORDER, SHIPPED, RECEIVED, COST, RAW, WIP, ON_ORDER, PRODUCED, ON_TIME, LOST,
 CAPACITY, DEMAND, REVENUE, PURCHASES, PROFIT, CASH, RECEIVABLES, PAYABLES, INTEREST, INSOLVENT, WORKING,
 N_COLUMNS) = range(25)

JIT = dict(cache=True, _nrt=False, error_model="numpy")  # no fastmath, no numba runtime, no zero checks
F2 = "float64[:, ::1]"
F3 = "float64[:, :, ::1]"
I1 = "int64[::1]"
F1 = "float64[::1]"


@njit(inline="always", **JIT)
def _ring(ring, i, out, lo, hi):
    """``out[lo:hi]`` = the slots of row ``i`` of a pipeline (n, S, R) added in slot order (``ring_total``)."""
    S = ring.shape[1]
    for r in range(lo, hi):
        out[r] = ring[i, 0, r]
    for s in range(1, S):
        for r in range(lo, hi):
            out[r] += ring[i, s, r]


@njit(inline="always", **JIT)
def _lines(ip, fp, mail, backlog, transit, raw, wip, parts, line, per_link, tmp, lo, hi):
    """Each firm's supply line (F, R) into ``line`` from its production under way ``wip``, replications lo .. hi - 1.

    ``per_link`` (K, R) gets each link's mail + owed + in transit; ``tmp`` (R,) is scratch. The order of the
    additions is :func:`chaingame.chain.supply_line`'s (its docstring has the definition).
    """
    K = backlog.shape[0]
    F = raw.shape[0]
    for k in range(K):
        pl = per_link[k]
        _ring(mail, k, pl, lo, hi)
        for r in range(lo, hi):
            pl[r] += backlog[k, r]
        _ring(transit, k, tmp, lo, hi)
        for r in range(lo, hi):
            pl[r] += tmp[r]
    off, mem = _iseg(ip, IN_OFF), _iseg(ip, IN_MEM)
    one = ip[IN_ONE] != 0
    for f in range(F):
        row = line[f]
        if one:
            for r in range(lo, hi):
                row[r] = per_link[mem[off[f]], r]
        else:
            for r in range(lo, hi):
                row[r] = 0.0
            for i in range(off[f], off[f + 1]):
                for r in range(lo, hi):
                    row[r] += per_link[mem[i], r]
        for r in range(lo, hi):
            row[r] += raw[f, r]
        for r in range(lo, hi):
            row[r] += wip[f, r]
    if ip[BOM] != 0:  # in products: WIP + what the scarcest component's supply line makes
        links, firms = _iseg(ip, BOM_LINKS), _iseg(ip, BOM_FIRMS)
        boff, bmem, units = _iseg(ip, BOM_OFF), _iseg(ip, BOM_MEM), _fseg(ip, fp, BOM_UNITS)
        for b in range(len(firms)):
            row = line[firms[b]]
            for r in range(lo, hi):
                row[r] = np.inf
            for i in range(boff[b], boff[b + 1]):
                k = links[bmem[i]]
                for r in range(lo, hi):
                    v = counted((per_link[k, r] + parts[k, r]) / units[k])
                    row[r] = row[r] if (row[r] < v or row[r] != row[r]) else v  # np.minimum
            for r in range(lo, hi):
                row[r] += wip[firms[b], r]


@njit(inline="always", **JIT)
def supply_range(ip, fp, mail, backlog, transit, raw, wip_ring, parts, given, wip, line, scratch, lo, hi):
    """:func:`supply` for replications ``lo .. hi - 1``."""
    K = backlog.shape[0]
    if not given:
        for f in range(raw.shape[0]):
            _ring(wip_ring, f, wip[f], lo, hi)
    _lines(ip, fp, mail, backlog, transit, raw, wip, parts, line, scratch[:K], scratch[K], lo, hi)


@njit(f"void(int64[::1], {F1}, {F3}, {F2}, {F3}, {F2}, {F3}, {F2}, boolean, {F2}, {F2}, {F2})", **JIT)
def supply(ip, fp, mail, backlog, transit, raw, wip_ring, parts, given, wip, line, scratch):
    """Production under way (``ring_total(wip_ring)``) into ``wip`` and the supply line into ``line``, (F, R) each.

    ``given``: ``wip`` holds it already (the caller's ``ring_total``). ``scratch``: (K + 1, R). ``parts``: the
    components on hand (K, R), or (0, 0) without a bill of materials.
    """
    supply_range(ip, fp, mail, backlog, transit, raw, wip_ring, parts, given, wip, line, scratch, 0, raw.shape[1])


@njit(inline="always", **JIT)
def _one_each(offsets):
    """Whether every group of a sum plan has exactly one member (its sum is that member, -0.0 kept)."""
    for g in range(len(offsets) - 1):
        if offsets[g + 1] - offsets[g] != 1:
            return False
    return True


@njit(inline="always", **JIT)
def _gather_rows(x, off, mem, one, f, out, lo, hi):
    """Row ``f`` of the group sums of ``x`` (n, R) into ``out[lo:hi]``: members added in order from 0."""
    if one:
        for r in range(lo, hi):
            out[r] = x[mem[off[f]], r]
        return
    for r in range(lo, hi):
        out[r] = 0.0
    for i in range(off[f], off[f + 1]):
        for r in range(lo, hi):
            out[r] += x[mem[i], r]


@njit(inline="always", **JIT)
def _source(c, inventory, backlog, incoming, order, shipped, received, cost, raw, produced, on_time, lost, revenue,
            purchases, interest, cash, capacity, money, wip, line, seen, rec, pay):
    """The (F, R) array column ``c`` is a copy of, and whether it is one (else it is derived: :func:`_derived`)."""
    if c == INVENTORY:
        return inventory, True
    if c == BACKLOG:
        return backlog, True
    if c == INCOMING:
        return incoming, True
    if c == ORDER:
        return order, True
    if c == SHIPPED:
        return shipped, True
    if c == RECEIVED:
        return received, True
    if c == COST:
        return cost, True
    if c == RAW:
        return raw, True
    if c == WIP:
        return wip, True
    if c == ON_ORDER:
        return line, True
    if c == PRODUCED:
        return produced, True
    if c == ON_TIME:
        return on_time, True
    if c == LOST:
        return lost, True
    if c == DEMAND:
        return seen, True
    if c == REVENUE:
        return revenue, True
    if c == PURCHASES:
        return purchases, True
    if c == CASH:
        return cash, True
    if money and c == RECEIVABLES:
        return rec, True
    if money and c == PAYABLES:
        return pay, True
    if money and c == INTEREST:
        return interest, True
    return inventory, False


@njit(inline="always", **JIT)
def _derived(c, f, d, inventory, raw, cost, revenue, purchases, interest, capacity, insolvent, producer, price, money,
             wip, rec, pay, lo, hi):
    """Derived column ``c`` of firm ``f`` into ``d[lo:hi]``: capacity, profit, working capital, the money flags."""
    if c == CAPACITY:  # NaN for a firm that does not produce
        for r in range(lo, hi):
            d[r] = capacity[f, r] if producer[f] else np.nan
    elif c == PROFIT:
        for r in range(lo, hi):
            d[r] = revenue[f, r] - purchases[f, r] - cost[f, r]
        if money:
            for r in range(lo, hi):
                d[r] -= interest[f, r]
    elif c == WORKING:  # stock at its purchase price (+ receivables − payables with money rules)
        p = price[f]
        for r in range(lo, hi):
            d[r] = (inventory[f, r] + raw[f, r] + wip[f, r]) * p
        if money:
            for r in range(lo, hi):
                d[r] = d[r] + rec[f, r] - pay[f, r]
    elif c == INSOLVENT and money:
        for r in range(lo, hi):
            d[r] = 1.0 if insolvent[f, r] else 0.0
    else:  # the money columns without money rules
        for r in range(lo, hi):
            d[r] = 0.0


@njit(inline="always", **JIT)
def _column(c, f, d, add, tmp, inventory, backlog, incoming, order, shipped, received, cost, raw, produced, on_time,
            lost, revenue, purchases, interest, cash, capacity, insolvent, producer, price, money, scratch, lo, hi):
    """Column ``c`` of firm ``f`` into ``d[lo:hi]``, or added to it where ``add`` (a derived one through ``tmp``).

    ``scratch``: :func:`record_range`'s, its first rows the books it computed (at most 30 arguments: more, and
    Python passes them as ``*args``, which numba does not inline).
    """
    F = inventory.shape[0]
    wip, line, seen = scratch[:F], scratch[F:2 * F], scratch[2 * F:3 * F]
    rec, pay = scratch[3 * F:4 * F], scratch[4 * F:5 * F]
    src, plain = _source(c, inventory, backlog, incoming, order, shipped, received, cost, raw, produced, on_time,
                         lost, revenue, purchases, interest, cash, capacity, money, wip, line, seen, rec, pay)
    if plain and add:
        for r in range(lo, hi):
            d[r] += src[f, r]
    elif plain:
        for r in range(lo, hi):
            d[r] = src[f, r]
    elif add:
        _derived(c, f, tmp, inventory, raw, cost, revenue, purchases, interest, capacity, insolvent, producer, price,
                 money, wip, rec, pay, lo, hi)
        for r in range(lo, hi):
            d[r] += tmp[r]
    else:
        _derived(c, f, d, inventory, raw, cost, revenue, purchases, interest, capacity, insolvent, producer, price,
                 money, wip, rec, pay, lo, hi)


@njit(**JIT)
def record_range(ip, fp, seen_off, seen_mem, inventory, backlog, incoming, order, shipped, received, cost, raw,
                 produced, on_time, lost, revenue, purchases, interest, cash, capacity, link_backlog, mail, transit,
                 wip_ring, parts, payments, insolvent, demand, out, week, out_cols, sums, sum_cols, first, scratch, lo,
                 hi):
    """:func:`record` for replications ``lo .. hi - 1``."""
    F = inventory.shape[0]
    K = link_backlog.shape[0]
    money = ip[MONEY] != 0
    wip, line, seen = scratch[:F], scratch[F:2 * F], scratch[2 * F:3 * F]
    rec, pay = scratch[3 * F:4 * F], scratch[4 * F:5 * F]  # receivables, payables (with money rules)
    per_link, tmp = scratch[5 * F:5 * F + K], scratch[5 * F + K]
    pay_link = scratch[5 * F + K + 1:5 * F + 2 * K + 1]
    w_wip = w_line = w_seen = w_money = False
    for cols in (out_cols, sum_cols):
        for c in cols:
            w_wip = w_wip or c == WIP or c == ON_ORDER or c == WORKING
            w_line = w_line or c == ON_ORDER
            w_seen = w_seen or c == DEMAND
            w_money = w_money or c == RECEIVABLES or c == PAYABLES or c == WORKING
    if w_wip:
        for f in range(F):
            _ring(wip_ring, f, wip[f], lo, hi)
    if w_line:
        _lines(ip, fp, mail, link_backlog, transit, raw, wip, parts, line, per_link, tmp, lo, hi)
    if w_seen:
        for f in range(F):
            _gather_rows(demand, seen_off, seen_mem, _one_each(seen_off), f, seen[f], lo, hi)
    if w_money and money:
        for k in range(K):
            _ring(payments, k, pay_link[k], lo, hi)
        for f in range(F):
            _gather_rows(pay_link, _iseg(ip, OUT_OFF), _iseg(ip, OUT_MEM), ip[OUT_ONE] != 0, f, rec[f], lo, hi)
            _gather_rows(pay_link, _iseg(ip, IN_OFF), _iseg(ip, IN_MEM), ip[IN_ONE] != 0, f, pay[f], lo, hi)
    producer, price = _iseg(ip, PRODUCER), _fseg(ip, fp, REGULAR_PRICE)
    for i in range(len(out_cols)):
        for f in range(F):
            _column(out_cols[i], f, out[i, week, f], False, tmp, inventory, backlog, incoming, order, shipped,
                    received, cost, raw, produced, on_time, lost, revenue, purchases, interest, cash, capacity,
                    insolvent, producer, price, money, scratch, lo, hi)
    for i in range(len(sum_cols)):
        for f in range(F):
            _column(sum_cols[i], f, sums[i, f], not first, tmp, inventory, backlog, incoming, order, shipped,
                    received, cost, raw, produced, on_time, lost, revenue, purchases, interest, cash, capacity,
                    insolvent, producer, price, money, scratch, lo, hi)


@njit(f"void(int64[::1], {F1}, {I1}, {I1}, {F2}, {F2}, {F2}, {F2}, {F2}, {F2}, {F2}, {F2}, {F2}, {F2}, {F2}, "
      f"{F2}, {F2}, {F2}, {F2}, {F2}, {F2}, {F3}, {F3}, {F3}, {F2}, {F3}, boolean[:, ::1], {F2}, "
      f"float64[:, :, :, ::1], int64, {I1}, {F3}, {I1}, boolean, {F2})", **JIT)
def record(ip, fp, seen_off, seen_mem, inventory, backlog, incoming, order, shipped, received, cost, raw,
           produced, on_time, lost, revenue, purchases, interest, cash, capacity, link_backlog, mail, transit,
           wip_ring, parts, payments, insolvent, demand, out, week, out_cols, sums, sum_cols, first, scratch):
    """A week's record: columns ``out_cols`` into ``out[:, week]`` (n, W, F, R), columns ``sum_cols`` added to ``sums``.

    Column numbers are those of :data:`chaingame.engine.COLUMNS` (this module's constants). ``sums`` (m, F, R)
    are set to the week's values where ``first``, else the week's values are added to them. The firms' arrays
    are (F, R) and the flows' those of :class:`chaingame.chain.Flows` (``interest`` read with money rules
    only); ``link_backlog`` (K, R) the state's backlog, ``parts`` (K, R) or (0, 0), ``payments`` (K, P, R) or
    (0, 0, 0), ``demand`` (C, R) the week's end-customer demand. ``scratch``: (5 F + 2 K + 1, R). Replications go
    in tiles of :data:`chaingame.kernel.TILE` (:func:`record_range`), each replication's numbers its own.
    """
    R = inventory.shape[1]
    for lo in range(0, R, TILE):
        record_range(ip, fp, seen_off, seen_mem, inventory, backlog, incoming, order, shipped, received, cost, raw,
                     produced, on_time, lost, revenue, purchases, interest, cash, capacity, link_backlog, mail,
                     transit, wip_ring, parts, payments, insolvent, demand, out, week, out_cols, sums, sum_cols, first,
                     scratch, lo, min(lo + TILE, R))
