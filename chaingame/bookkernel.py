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

from . import kernel
from .kernel import (
    BOM,
    BOM_FIRMS,
    BOM_LINKS,
    BOM_MEM,
    BOM_OFF,
    BOM_UNITS,
    CUSTOMER,
    IN_MEM,
    IN_OFF,
    IN_ONE,
    MONEY,
    OUT_MEM,
    OUT_OFF,
    OUT_ONE,
    PRODUCER,
    REGULAR_PRICE,
    _fseg,
    _iseg,
    counted,
)
from .lazy import njit_from

# the record's columns, in chaingame.engine.COLUMNS order (a test checks the two agree)
(INVENTORY, BACKLOG, INCOMING, ORDER, SHIPPED, RECEIVED, COST, RAW, WIP, ON_ORDER, PRODUCED, ON_TIME, LOST,
 CAPACITY, DEMAND, REVENUE, PURCHASES, PROFIT, CASH, RECEIVABLES, PAYABLES, INTEREST, INSOLVENT, WORKING,
 N_COLUMNS) = range(25)

JIT = dict(cache=True, _nrt=False, error_model="numpy")  # no fastmath, no numba runtime, no zero checks
SOURCES = (kernel.__file__, __file__)  # the files these kernels are built from (chaingame.lazy.follow)
F2 = "float64[:, ::1]"
F3 = "float64[:, :, ::1]"
I1 = "int64[::1]"
F1 = "float64[::1]"


@njit(inline="always", **JIT)
def _ring(ring, i, out, lo, hi):
    """``out[lo:hi]`` = the slots of row ``i`` of a pipeline (n, S, R) added in slot order (``ring_total``).

    The first three slots in one pass, ``(x0 + x1) + x2`` (the sum's order, so its bits), each further slot a pass of
    its own. Like every loop of these kernels, it runs over rows of replications ``lo .. hi - 1`` taken as arrays of
    their own, from index 0 (the loops LLVM turns into vector code; indexed ``x[f, r]`` from ``lo``, they run 4×
    slower).
    """
    o, x, S, n = out[lo:hi], ring[i, 0, lo:hi], ring.shape[1], hi - lo
    if S == 1:
        for j in range(n):
            o[j] = x[j]
    elif S == 2:
        y = ring[i, 1, lo:hi]
        for j in range(n):
            o[j] = x[j] + y[j]
    else:
        y, z = ring[i, 1, lo:hi], ring[i, 2, lo:hi]
        for j in range(n):
            o[j] = (x[j] + y[j]) + z[j]
    for s in range(3, S):
        _add_row(ring[i, s, lo:hi], o, n)


@njit(inline="always", **JIT)
def _add_row(x, out, n):
    """``out[:n] += x[:n]``."""
    for j in range(n):
        out[j] += x[j]


@njit(inline="always", **JIT)
def _lines(ip, fp, mail, backlog, transit, raw, wip, parts, line, per_link, tmp, lo, hi):
    """Each firm's supply line (F, R) into ``line`` from its production under way ``wip``, replications lo .. hi - 1.

    ``per_link`` (K, R) gets each link's mail + owed + in transit; ``tmp`` (R,) is scratch. The order of the
    additions is :func:`chaingame.chain.supply_line`'s (its docstring has the definition).
    """
    K = backlog.shape[0]
    F = raw.shape[0]
    n = hi - lo
    customer = _iseg(ip, CUSTOMER)
    off, mem = _iseg(ip, IN_OFF), _iseg(ip, IN_MEM)
    one = ip[IN_ONE] != 0
    fused = one and mail.shape[1] == 3  # each firm's line in one pass: its link's rings of 3 slots, summed as below
    if fused:
        for f in range(F):
            k = mem[off[f]]
            m0, m1, m2, b = mail[k, 0, lo:hi], mail[k, 1, lo:hi], mail[k, 2, lo:hi], backlog[k, lo:hi]
            t0, t1, t2 = transit[k, 0, lo:hi], transit[k, 1, lo:hi], transit[k, 2, lo:hi]
            row, rw, wp = line[f, lo:hi], raw[f, lo:hi], wip[f, lo:hi]
            for j in range(n):
                mails, goods = (m0[j] + m1[j]) + m2[j], (t0[j] + t1[j]) + t2[j]
                row[j] = (((mails + b[j]) + goods) + rw[j]) + wp[j]
    for k in range(0 if fused else K):
        if customer[k] < 0:  # a link to the market: in no firm's supply line
            continue
        pl, t_ = per_link[k, lo:hi], tmp[lo:hi]
        _ring(mail, k, per_link[k], lo, hi)
        _ring(transit, k, tmp, lo, hi)
        b = backlog[k, lo:hi]
        for j in range(n):  # (mail + owed) + in transit
            pl[j] = (pl[j] + b[j]) + t_[j]
    for f in range(0 if fused else F):
        row, rw, wp = line[f, lo:hi], raw[f, lo:hi], wip[f, lo:hi]
        if one:
            x = per_link[mem[off[f]], lo:hi]
            for j in range(n):  # (the link's + raw materials) + production under way
                row[j] = (x[j] + rw[j]) + wp[j]
        else:
            for j in range(n):
                row[j] = 0.0
            for i in range(off[f], off[f + 1]):
                _add_row(per_link[mem[i], lo:hi], row, n)
            for j in range(n):
                row[j] = (row[j] + rw[j]) + wp[j]
    if ip[BOM] != 0:  # in products: WIP + what the scarcest component's supply line makes
        links, firms = _iseg(ip, BOM_LINKS), _iseg(ip, BOM_FIRMS)
        boff, bmem, units = _iseg(ip, BOM_OFF), _iseg(ip, BOM_MEM), _fseg(ip, fp, BOM_UNITS)
        for b in range(len(firms)):
            row = line[firms[b], lo:hi]
            for j in range(n):
                row[j] = np.inf
            for i in range(boff[b], boff[b + 1]):
                k = links[bmem[i]]
                x, y, u = per_link[k, lo:hi], parts[k, lo:hi], units[k]
                for j in range(n):
                    v = counted((x[j] + y[j]) / u)
                    row[j] = row[j] if (row[j] < v or row[j] != row[j]) else v  # np.minimum
            _add_row(wip[firms[b], lo:hi], row, n)


@njit(inline="always", **JIT)
def supply_range(ip, fp, mail, backlog, transit, raw, wip_ring, parts, given, wip, line, scratch, lo, hi):
    """:func:`supply` for replications ``lo .. hi - 1``."""
    K = backlog.shape[0]
    if not given:
        for f in range(raw.shape[0]):
            _ring(wip_ring, f, wip[f], lo, hi)
    _lines(ip, fp, mail, backlog, transit, raw, wip, parts, line, scratch[:K], scratch[K], lo, hi)


@njit_from(SOURCES, f"void(int64[::1], {F1}, {F3}, {F2}, {F3}, {F2}, {F3}, {F2}, boolean, {F2}, {F2}, {F2})", **JIT)
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
def _gather_rows(x, off, mem, one, f, out, lo, hi, d0=0):
    """Row ``f`` of the group sums of ``x`` (n, R) into ``out[lo - d0:hi - d0]``: members added in order from 0."""
    o, n = out[lo - d0:hi - d0], hi - lo
    if one:
        y = x[mem[off[f]], lo:hi]
        for j in range(n):
            o[j] = y[j]
        return
    for j in range(n):
        o[j] = 0.0
    for i in range(off[f], off[f + 1]):
        _add_row(x[mem[i], lo:hi], o, n)


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
             wip, rec, pay, lo, hi, d0):
    """Derived column ``c`` of firm ``f`` into ``d[lo - d0:hi - d0]``: capacity, profit, working capital, flags."""
    o, n = d[lo - d0:hi - d0], hi - lo
    if c == CAPACITY:  # NaN for a firm that does not produce
        x, yes = capacity[f, lo:hi], producer[f] != 0
        for j in range(n):
            o[j] = x[j] if yes else np.nan
    elif c == PROFIT:
        rv, pu, co = revenue[f, lo:hi], purchases[f, lo:hi], cost[f, lo:hi]
        for j in range(n):
            o[j] = rv[j] - pu[j] - co[j]
        if money:
            x = interest[f, lo:hi]
            for j in range(n):
                o[j] -= x[j]
    elif c == WORKING:  # stock at its purchase price (+ receivables − payables with money rules)
        p = price[f]
        iv, rw, wp = inventory[f, lo:hi], raw[f, lo:hi], wip[f, lo:hi]
        for j in range(n):
            o[j] = (iv[j] + rw[j] + wp[j]) * p
        if money:
            rc, py = rec[f, lo:hi], pay[f, lo:hi]
            for j in range(n):
                o[j] = o[j] + rc[j] - py[j]
    elif c == INSOLVENT and money:
        x = insolvent[f, lo:hi]
        for j in range(n):
            o[j] = 1.0 if x[j] else 0.0
    else:  # the money columns without money rules
        for j in range(n):
            o[j] = 0.0


@njit(inline="always", **JIT)
def _column(c, f, d, d0, add, tmp, inventory, backlog, incoming, order, shipped, received, cost, raw, produced,
            on_time, lost, revenue, purchases, interest, cash, capacity, insolvent, producer, price, money, books, lo,
            hi):
    """Column ``c`` of firm ``f`` into ``d[lo - d0:hi - d0]``, or added to it where ``add`` (a derived one via ``tmp``).

    ``books``: the books :func:`record_range` computed, (wip, line, seen, rec, pay) (at most 30 arguments: more,
    and Python passes them as ``*args``, which numba does not inline).
    """
    wip, line, seen, rec, pay = books
    src, plain = _source(c, inventory, backlog, incoming, order, shipped, received, cost, raw, produced, on_time,
                         lost, revenue, purchases, interest, cash, capacity, money, wip, line, seen, rec, pay)
    o, n = d[lo - d0:hi - d0], hi - lo
    if plain and add:
        _add_row(src[f, lo:hi], o, n)
    elif plain:
        x = src[f, lo:hi]
        for j in range(n):
            o[j] = x[j]
    elif add and c == PROFIT:  # the week's profit (as _derived's) added in the same pass
        rv, pu, co, x = revenue[f, lo:hi], purchases[f, lo:hi], cost[f, lo:hi], interest[f, lo:hi]
        if money:
            for j in range(n):
                o[j] += ((rv[j] - pu[j]) - co[j]) - x[j]
        else:
            for j in range(n):
                o[j] += (rv[j] - pu[j]) - co[j]
    elif add:
        _derived(c, f, tmp, inventory, raw, cost, revenue, purchases, interest, capacity, insolvent, producer, price,
                 money, wip, rec, pay, lo, hi, 0)
        _add_row(tmp[lo:hi], o, n)
    else:
        _derived(c, f, d, inventory, raw, cost, revenue, purchases, interest, capacity, insolvent, producer, price,
                 money, wip, rec, pay, lo, hi, d0)


@njit_from(SOURCES, f"void(int64[::1], {F1}, {I1}, {I1}, {F2}, {F2}, {F2}, {F2}, {F2}, {F2}, {F2}, {F2}, {F2}, "
           f"{F2}, {F2}, {F2}, {F2}, {F2}, {F2}, {F2}, {F2}, {F3}, {F3}, {F3}, {F2}, {F3}, boolean[:, ::1], {F2}, "
           f"float64[:, :, :, ::1], int64, {I1}, {F3}, {I1}, boolean, {F2}, int64, int64, int64)", **JIT)
def record_range(ip, fp, seen_off, seen_mem, inventory, backlog, incoming, order, shipped, received, cost, raw,
                 produced, on_time, lost, revenue, purchases, interest, cash, capacity, link_backlog, mail, transit,
                 wip_ring, parts, payments, insolvent, demand, out, week, out_cols, sums, sum_cols, first, scratch, lo,
                 hi, base):
    """:func:`record` for replications ``lo .. hi - 1``, replication r's record in ``out[..., r - base]``."""
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
            w_money = w_money or c == RECEIVABLES or c == PAYABLES or c == WORKING
    for c in sum_cols:  # (a recorded demand is gathered into its row)
        w_seen = w_seen or c == DEMAND
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
    books = (wip, line, seen, rec, pay)
    one_seen = _one_each(seen_off)
    for i in range(len(out_cols)):
        for f in range(F):
            if out_cols[i] == DEMAND:
                _gather_rows(demand, seen_off, seen_mem, one_seen, f, out[i, week, f], lo, hi, base)
                continue
            _column(out_cols[i], f, out[i, week, f], base, False, tmp, inventory, backlog, incoming, order, shipped,
                    received, cost, raw, produced, on_time, lost, revenue, purchases, interest, cash, capacity,
                    insolvent, producer, price, money, books, lo, hi)
    for i in range(len(sum_cols)):
        for f in range(F):
            _column(sum_cols[i], f, sums[i, f], 0, not first, tmp, inventory, backlog, incoming, order, shipped,
                    received, cost, raw, produced, on_time, lost, revenue, purchases, interest, cash, capacity,
                    insolvent, producer, price, money, books, lo, hi)


@njit_from(SOURCES, f"void(int64[::1], {F1}, {I1}, {I1}, {F2}, {F2}, {F2}, {F2}, {F2}, {F2}, {F2}, {F2}, {F2}, "
           f"{F2}, {F2}, {F2}, {F2}, {F2}, {F2}, {F2}, {F2}, {F3}, {F3}, {F3}, {F2}, {F3}, boolean[:, ::1], {F2}, "
           f"float64[:, :, :, ::1], int64, {I1}, {F3}, {I1}, boolean, {F2})", **JIT)
def record(ip, fp, seen_off, seen_mem, inventory, backlog, incoming, order, shipped, received, cost, raw,
           produced, on_time, lost, revenue, purchases, interest, cash, capacity, link_backlog, mail, transit,
           wip_ring, parts, payments, insolvent, demand, out, week, out_cols, sums, sum_cols, first, scratch):
    """A week's record: columns ``out_cols`` into ``out[:, week]`` (n, W, F, R), columns ``sum_cols`` added to ``sums``.

    Column numbers are those of :data:`chaingame.engine.COLUMNS` (this module's constants). ``sums`` (m, F, R)
    are set to the week's values where ``first``, else the week's values are added to them. The firms' arrays
    are (F, R) and the flows' those of :class:`chaingame.chain.Flows` (``interest`` read with money rules
    only); ``link_backlog`` (K, R) the state's backlog, ``parts`` (K, R) or (0, 0), ``payments`` (K, P, R) or
    (0, 0, 0), ``demand`` (C, R) the week's end-customer demand. ``scratch``: (5 F + 2 K + 1, R). All the
    replications at once: :func:`record_range` of all (each replication's numbers its own).
    """
    record_range(ip, fp, seen_off, seen_mem, inventory, backlog, incoming, order, shipped, received, cost, raw,
                 produced, on_time, lost, revenue, purchases, interest, cash, capacity, link_backlog, mail, transit,
                 wip_ring, parts, payments, insolvent, demand, out, week, out_cols, sums, sum_cols, first, scratch, 0,
                 inventory.shape[1], 0)
