"""The week's physics as compiled code: steps 1-7 of :mod:`chaingame.chain` for R replications in one call.

This is the definition of a week (:func:`chaingame.chain.advance` and :func:`chaingame.chain.place` call it,
and nothing else computes a week). It is compiled by numba (``@njit(cache=True)``, no fastmath: every
operation is the IEEE one numpy does, in numpy's order, so the bits are those of the numpy code it replaced)
and imported on the week's first call only, so that ``import chaingame`` stays free of numba.

A :class:`~chaingame.chain.Network` is packed once (:func:`tables`) into an int and a float table: a header
of scalars, then each index array or rate as a segment (its start and length in the header), so that a week
is one call with few arguments. Replications go in tiles of ``TILE``, each step looping over a tile's
replications on contiguous rows from index 0 (the loops LLVM turns into vector code); the allocation rules that
need it run one replication at a time. Every replication's own operations are the same, in the same order, so
a replication's numbers are the same alone or among 10,000. Quantities an exact rule decides on are
:func:`counted` (``rint(x * 1e9) / 1e9 + 0.0``, numpy's ``round(x, 9) + 0.0`` bit for bit); sums over a firm's
links add them in link order from 0 (the numpy code's ``_gather_sum``), sums over rows add row by row.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# the int table's header: scalars, then (start, length) of every int segment, then of every float segment
(F_, K_, S_, C_, P_, H_, W_, PW_, WHOLE, RETURNS_ON, ORDER_CHARGE, LOSES, PRICED, SCHEDULE, MONEY, INTEREST,
 BATCHING, SHARED_ORDERS, SPLIT, BOM, ONLY_PRIORITY, ROUNDS, CH_LOST, CH_CAP, CH_PROD, IN_ONE, OUT_ONE, BOM_ONE,
 FILL_ONE, N_SCALARS) = range(30)
(PRODUCERS, STOCKISTS, SRC, SRC_FIXED, SRC_DRAWN, SRC_ROWS, F2F_FIXED, F2F_DRAWN, F2F_ROWS, MARKET, FS, SUPPLIER,
 CUSTOMER, SHIP_DELAY, ORDER_DELAY, PROD_DELAY, CAP_DELAY, PAY_DELAY, IN_OFF, IN_MEM, OUT_OFF, OUT_MEM, BOM_LINKS,
 BOM_FIRMS, BOM_ROWS, BOM_OF, BOM_OFF, BOM_MEM, BOM_INS, INS, LEVEL_OFF, LEVEL_MEM, SOLE, SHARED, SHARED_SAME, FILL,
 FILL_SAME, FILL_OFF, FILL_MEM, TURN_POS, TURN_WINDOW, TURN_CUSTOMER, TURN_LINK, NOW, DELAYED, LIMITED,
 REVIEW_PERIOD, REVIEW_PHASE, LOST, RETURNS, PRODUCER, STOP, INS_SAME, SHARED_SUP, FILL_SUP, INS_CUS,
 N_ISEG) = range(57)
(PRICE, SHARE, HOLDING, BACKLOG_COST, LOST_COST, ORDER_COST, CAP_COST, PROD_COST, FIXED_ORDERS, MIN_ORDER, PACK,
 DUE_PRICE, FIRM_PRICE, REGULAR_PRICE, BOM_UNITS, CREDIT, IRATE, DRATE, N_FSEG) = range(19)
ISEG0 = N_SCALARS  # where the int segments' (start, length) pairs begin
FSEG0 = N_SCALARS + 2 * N_ISEG  # where the float segments' pairs begin
HEADER = FSEG0 + 2 * N_FSEG
SCRATCH = 53  # float scratch rows the kernels use (tables)
TILE, TILE_ROWS = 256, 16  # advance: replications a step covers at once (its rows of them fit L2), and its
# scratch rows of (K or F, TILE)
# rows of the flows block (F, R) each that advance fills
(INCOMING, RECEIVED, STARTED, PRODUCED, SHIPPED, ON_TIME, LOSTF, BACKLOGF, REVENUE, PURCHASES, COST, DUE, SUPPLIED,
 INTERESTF, N_FLOWS) = range(15)


def _plan(plan, groups: int) -> tuple[np.ndarray, np.ndarray]:
    """A ``chain._SumPlan`` as (offsets (G + 1,), members): each group's members in the order they are added."""
    members: list[list[int]] = [[] for _ in range(groups)]
    for rows, mem in plan.steps:
        for g, m in zip(rows, mem):
            members[int(g)].append(int(m))
    offsets = np.cumsum([0] + [len(m) for m in members])
    return offsets, np.array([m for ms in members for m in ms], dtype=np.int64)


def tables(net) -> tuple[np.ndarray, ...]:
    """The network packed for the kernels (kept on it as :attr:`chaingame.chain.Network.kernel_tables`).

    (int table, float table, float scratch, bool scratch, a tile's scratch): the kernels hold the GIL, so one
    scratch per network serves every call.
    """
    F, K, S = net.n_firms, net.n_links, net.slots
    g = net.__dict__.get
    none = np.zeros(0, np.int64)
    bom = net.bom_units is not None
    order_price = net.order_price is not None
    PW = net._due_price.shape[1] if order_price else 0
    src_drawn, src_rows = net._src_drawn
    f2f_drawn, f2f_rows = net._f2f_drawn
    level_off = np.cumsum([0] + [len(ks) for ks in net._priority_levels])
    level_mem = np.concatenate([np.asarray(ks, np.int64) for ks in net._priority_levels]) \
        if net._priority_levels else none
    in_off, in_mem = _plan(net._in_plan, F)
    out_off, out_mem = _plan(net._out_plan, F)
    fill_off, fill_mem = _plan(net._fill_plan, F)
    if bom:
        bom_off, bom_mem = _plan(net._bom_plan, len(net._bom_firms))
    ints = {
        PRODUCERS: net._producers, STOCKISTS: net._stockists, SRC: net._from_source, SRC_FIXED: net._src_fixed,
        SRC_DRAWN: src_drawn, SRC_ROWS: src_rows, F2F_FIXED: net._f2f_fixed, F2F_DRAWN: f2f_drawn,
        F2F_ROWS: f2f_rows, MARKET: net.market_links, FS: net._firm_supplied, SUPPLIER: net.supplier,
        CUSTOMER: net.customer, SHIP_DELAY: net.shipping_delay, ORDER_DELAY: net.order_delay,
        PROD_DELAY: net.production_delay, CAP_DELAY: net.capacity_delay, PAY_DELAY: net.payment_delay,
        IN_OFF: in_off, IN_MEM: in_mem, OUT_OFF: out_off, OUT_MEM: out_mem,
        BOM_LINKS: g("_bom_links", none), BOM_FIRMS: g("_bom_firms", none), BOM_ROWS: g("_bom_rows", none),
        BOM_OF: g("_bom_of", none), BOM_OFF: bom_off if bom else none, BOM_MEM: bom_mem if bom else none,
        BOM_INS: g("_bom_ins", none), INS: net._ins, LEVEL_OFF: level_off, LEVEL_MEM: level_mem,
        SOLE: net._sole_links, SHARED: net._shared_links, SHARED_SAME: net._shared_same.ravel(),
        FILL: net._fill_links, FILL_SAME: net._fill_same.ravel(), FILL_OFF: fill_off, FILL_MEM: fill_mem,
        TURN_POS: net._turn_pos, TURN_WINDOW: net._turn_window, TURN_CUSTOMER: net._turn_customer,
        TURN_LINK: net._turn_link, NOW: net._now, DELAYED: net._delayed, LIMITED: net._limited,
        REVIEW_PERIOD: net.review_period, REVIEW_PHASE: net.review_phase, LOST: net.lost, RETURNS: net.returns,
        PRODUCER: net.producer, STOP: net.insolvency_stop, INS_SAME: net._ins_same.ravel(),
        SHARED_SUP: net.supplier[net._shared_links], FILL_SUP: net.supplier[net._fill_links],
        INS_CUS: net.customer[net._ins],
    }
    floats = {
        PRICE: net.price, SHARE: net.share, HOLDING: net.holding_cost, BACKLOG_COST: net.backlog_cost,
        LOST_COST: net.lost_sales_cost, ORDER_COST: net.order_cost, CAP_COST: net.capacity_cost,
        PROD_COST: net.production_cost, FIXED_ORDERS: net.fixed_orders.ravel(), MIN_ORDER: net.min_order,
        PACK: net.pack, DUE_PRICE: net._due_price.ravel() if order_price else np.zeros(0),
        FIRM_PRICE: net.firm_price.ravel() if order_price else np.zeros(0), REGULAR_PRICE: net.regular_price,
        BOM_UNITS: net.bom_units if bom else np.zeros(K), CREDIT: net.credit_limit, IRATE: net.interest_rate,
        DRATE: net.deposit_rate,
    }
    scalars = {
        F_: F, K_: K, S_: S, C_: len(net.market_links), P_: net.pay_slots, H_: net.turn_slots,
        W_: net.fixed_orders.shape[1], PW_: PW, WHOLE: net.whole_units, RETURNS_ON: net._returns,
        ORDER_CHARGE: net._order_charge, LOSES: net._loses, PRICED: net._priced, SCHEDULE: order_price,
        MONEY: net.money, INTEREST: net._interest, BATCHING: net.batching, SHARED_ORDERS: net._shared_orders,
        SPLIT: net._split, BOM: bom, ONLY_PRIORITY: net._only_priority, ROUNDS: net._fill_rounds,
        CH_LOST: "lost_sales" in net._charges, CH_CAP: "capacity" in net._charges,
        CH_PROD: "production" in net._charges, IN_ONE: net._in_plan.one_each, OUT_ONE: net._out_plan.one_each,
        BOM_ONE: bom and net._bom_plan.one_each, FILL_ONE: net._fill_plan.one_each,
    }
    head = np.zeros(HEADER, np.int64)
    for i, v in scalars.items():
        head[i] = int(v)
    parts, at = [head], HEADER
    for i in range(N_ISEG):
        seg = np.asarray(ints[i]).astype(np.int64).ravel()
        head[ISEG0 + 2 * i], head[ISEG0 + 2 * i + 1] = at, len(seg)
        parts.append(seg)
        at += len(seg)
    fparts, at = [], 0
    for i in range(N_FSEG):
        seg = np.asarray(floats[i], dtype=float).ravel()
        head[FSEG0 + 2 * i], head[FSEG0 + 2 * i + 1] = at, len(seg)
        fparts.append(seg)
        at += len(seg)
    width = max(K, F, 1)  # scratch rows of the kernels (no allocation in a call: they run without numba's NRT)
    return (np.concatenate(parts), np.concatenate(fparts), np.zeros((SCRATCH, width)), np.zeros((2, width), bool),
            np.zeros((TILE_ROWS, width, TILE)))


@njit(cache=True, inline="always", _nrt=False)
def _iseg(ip, i):
    a = ip[ISEG0 + 2 * i]
    return ip[a:a + ip[ISEG0 + 2 * i + 1]]


@njit(cache=True, inline="always", _nrt=False)
def _fseg(ip, fp, i):
    a = ip[FSEG0 + 2 * i]
    return fp[a:a + ip[FSEG0 + 2 * i + 1]]


@njit(cache=True, inline="always", _nrt=False)
def counted(x):
    """``x`` counted to 1e-9 of a unit: numpy's ``round(x, 9) + 0.0`` (:func:`chaingame.chain.counted`)."""
    return np.rint(x * 1e9) / 1e9 + 0.0


@njit(cache=True, inline="always", _nrt=False)
def _min(a, b):
    """``np.minimum(a, b)``: nan if either is, else ``b`` unless ``a < b``."""
    return a if (a < b or a != a) else b


@njit(cache=True, inline="always", _nrt=False)
def _max(a, b):
    """``np.maximum(a, b)``: nan if either is, else ``b`` unless ``a > b``."""
    return a if (a > b or a != a) else b


@njit(cache=True, inline="always", _nrt=False)
def _gather(x, offsets, members, one_each, out):
    """Group sums into ``out``: each group's members added in order, from 0 (one member each: the member itself)."""
    for g in range(len(offsets) - 1):
        if one_each:
            out[g] = x[members[offsets[g]]]
        else:
            s = 0.0
            for i in range(offsets[g], offsets[g + 1]):
                s += x[members[i]]
            out[g] = s


@njit(cache=True, inline="always", _nrt=False)
def _each_one(offsets):
    """Whether every group of a sum plan has exactly one member (its sum is that member, -0.0 kept)."""
    for g in range(len(offsets) - 1):
        if offsets[g + 1] - offsets[g] != 1:
            return False
    return True


@njit(cache=True, inline="always", _nrt=False)
def _largest_remainder(x, totals, group, same, out, base, rem):
    """Whole-unit shares by largest remainder, ties to the first link.

    Shares ``x`` (n,) are rounded down to whole units and the units left over in each group (``totals`` per
    group, indexed by ``group``; ``same`` (n * n) 1 where two shares are of one group) go to the largest
    fractions, ties to the first. Shares and fractions are counted, so that equal exact shares tie whatever
    float error their arithmetic carries (4 × 1/3 − 1 and 1/3).
    """
    n = len(x)
    for i in range(n):
        xi = counted(x[i])
        base[i] = np.floor(xi)
        rem[i] = counted(xi - base[i])
    for i in range(n):
        acc = 0.0
        for j in range(n):
            acc += same[i * n + j] * base[j]
        left = np.rint(totals[group[i]] - acc)
        rank = 0.0
        for j in range(n):
            if same[i * n + j] and (rem[j] > rem[i] or (rem[j] == rem[i] and j < i)):
                rank += 1.0
        out[i] = base[i] + (1.0 if rank < left else 0.0)


@njit(cache=True, _nrt=False)
def _fill(claims, can, weights, share, sup, off, mem, one, rounds, whole, same, free, capped, tmp, rest, held, level,
          sub, x, base, rem):
    """Water-filling by weight on the links of uniform and turn-and-earn suppliers (one replication).

    Each claim c gets min(c, λ w), with λ per supplier (``sup``: each link's) such that the shares add up to
    what it can ship. Claims of positive weight fill first; a cap's leftover is passed on to the others,
    round by round (at most one round per customer). What is left once every claim of positive weight is
    met goes to the claims of weight 0 in proportion to them (so with no sales counted yet, turn-and-earn is
    proportional). Whole units by largest remainder, ties to the first link. The rest are scratch arrays.
    """
    n, F = len(claims), len(can)
    for f in range(F):
        rest[f] = can[f]
    for i in range(n):
        free[i] = weights[i] > 0 and claims[i] > 0
        share[i] = 0.0
    for _ in range(rounds):
        for i in range(n):
            tmp[i] = weights[i] if free[i] else 0.0
        _gather(tmp, off, mem, one, held)
        for f in range(F):
            level[f] = rest[f] / held[f] if held[f] > 0 else 0.0
        anycap = False
        for i in range(n):
            capped[i] = free[i] and counted(claims[i]) <= counted(level[sup[i]] * weights[i])
            anycap = anycap or capped[i]
        if not anycap:
            break  # the next rounds would change nothing
        for i in range(n):
            if capped[i]:
                share[i] = claims[i]
                free[i] = False
            tmp[i] = claims[i] if capped[i] else 0.0
        _gather(tmp, off, mem, one, sub)
        for f in range(F):
            rest[f] = _max(rest[f] - sub[f], 0.0)
    for i in range(n):
        tmp[i] = weights[i] if free[i] else 0.0
    _gather(tmp, off, mem, one, held)
    for f in range(F):
        level[f] = rest[f] / held[f] if held[f] > 0 else 0.0
    unweighted = False
    for i in range(n):
        if free[i]:
            share[i] = level[sup[i]] * weights[i]
        unweighted = unweighted or (weights[i] <= 0 and claims[i] > 0)
    if unweighted:
        for i in range(n):
            tmp[i] = claims[i] if (weights[i] <= 0 and claims[i] > 0) else 0.0
        _gather(tmp, off, mem, one, sub)
        for f in range(F):
            amount = 0.0 if held[f] > 0 else rest[f]
            level[f] = amount / sub[f] if sub[f] > 0 else 0.0
        for i in range(n):
            if weights[i] <= 0 and claims[i] > 0:
                share[i] = claims[i] * _min(level[sup[i]], 1.0)
    if whole:
        for i in range(n):
            x[i] = share[i]
        _largest_remainder(x, can, sup, same, share, base, rem)


@njit(cache=True, inline="always", _nrt=False)
def _allocate(owed, on_hand, turns, r, t, ship, flags, rounds, sup, level_off, level_mem, out_off, out_mem, sole,
              shared, shared_sup, shared_same, fill, fill_sup, fill_off, fill_mem, fill_same, turn_pos, turn_window,
              wf, wk, bk):
    """Split each supplier's shipments among its customers' claims ``owed`` (K,), by its rule (one replication).

    A supplier ships ``min(on hand, claims)``; only a shortage is split, and a supplier's only customer gets
    all it can ship whatever the rule. ``proportional``: the same fraction of each claim; ``priority``:
    customers in order of their links' priority, each in full while stock lasts; ``uniform``: equal shares,
    capped at each claim, what a cap leaves passed on (water-filling, :func:`_fill`); ``turn_and_earn``:
    shares in proportion to each customer's sales over the supplier's last ``turn_weeks`` weeks (Cachon &
    Lariviere 1999), capped and passed on likewise. Whole units by largest remainder, ties to the first link.
    ``flags``: whole units (1), only priority suppliers (2); ``wf`` (8, F), ``wk`` (10, K) and ``bk`` (2, K)
    are scratch arrays.
    """
    whole, only_priority = (flags & 1) != 0, (flags & 2) != 0
    for k in range(len(ship)):
        ship[k] = 0.0
    if len(level_off) > 1:
        left = wf[0]
        for f in range(len(on_hand)):
            left[f] = on_hand[f]
        for lv in range(len(level_off) - 1):
            for i in range(level_off[lv], level_off[lv + 1]):
                k = level_mem[i]
                take = _min(owed[k], left[sup[k]])
                ship[k] = take
                left[sup[k]] = left[sup[k]] - take  # a supplier has one link per level
    if not (len(level_off) > 1 and only_priority):
        _share_out(owed, on_hand, turns, r, t, ship, whole, rounds, sup, out_off, out_mem, sole, shared,
                   shared_sup, shared_same, fill, fill_sup, fill_off, fill_mem, fill_same, turn_pos, turn_window, wf,
                   wk, bk)


@njit(cache=True, inline="always", _nrt=False)
def _share_out(owed, on_hand, turns, r, t, ship, whole, rounds, sup, out_off, out_mem, sole, shared, shared_sup,
               shared_same, fill, fill_sup, fill_off, fill_mem, fill_same, turn_pos, turn_window, wf, wk, bk):
    """:func:`_allocate` for the suppliers that do not serve by priority."""
    H = turns.shape[1]
    out_one = _each_one(out_off)
    fill_one = _each_one(fill_off)
    total, can = wf[1], wf[2]
    _gather(owed, out_off, out_mem, out_one, total)
    for f in range(len(on_hand)):
        can[f] = _min(on_hand[f], total[f])
    for k in sole:
        ship[k] = can[sup[k]]
    n = len(shared)
    if n:
        x, y = wk[0, :n], wk[1, :n]
        for i in range(n):
            s = shared_sup[i]
            x[i] = owed[shared[i]] * (can[s] / total[s] if total[s] > 0 else 0.0)
        if whole:
            _largest_remainder(x, can, shared_sup, shared_same, y, wk[2, :n], wk[3, :n])
        for i in range(n):
            ship[shared[i]] = y[i] if whole else x[i]
    n = len(fill)
    if n:
        claims, weights, share = wk[0, :n], wk[1, :n], wk[2, :n]
        for i in range(n):
            claims[i] = owed[fill[i]]
            weights[i] = 1.0
        for i in range(len(turn_pos)):  # turn-and-earn: the customer's sales in the window before week t
            sales = 0.0
            for age in range(H, 0, -1):
                sales += turns[i, (t - age) % H, r] if turn_window[i] >= age else 0.0
            weights[turn_pos[i]] = sales
        _fill(claims, can, weights, share, fill_sup, fill_off, fill_mem, fill_one, rounds, whole, fill_same,
              bk[0, :n], bk[1, :n], wk[3, :n], wf[3], wf[4], wf[5], wf[6], wk[4, :n], wk[5, :n], wk[6, :n])
        for i in range(n):
            ship[fill[i]] = share[i]


@njit(cache=True, inline="always", _nrt=False)
def _send(transit, fixed, drawn, rows, delay, amount, delays, t, r, S):
    """Put week t's shipments ``amount`` (K,) of some links in transit, in their arrival week's slot.

    The slot is ``t + shipping_delay`` on the ``fixed`` links, ``t + delays[row, r]`` on the ``drawn`` ones.
    """
    for k in fixed:
        transit[k, (t + delay[k]) % S, r] += amount[k]
    for i in range(len(drawn)):
        k = drawn[i]
        transit[k, (t + delays[rows[i], r]) % S, r] += amount[k]


@njit(cache=True, inline="always", _nrt=False)
def _copy(x, out, n):
    """``out[:n] = x[:n]`` (rows of a tile: every loop of the week runs over contiguous rows from 0)."""
    for j in range(n):
        out[j] = x[j]


@njit(cache=True, inline="always", _nrt=False)
def _add(x, out, n):
    """``out[:n] += x[:n]``."""
    for j in range(n):
        out[j] += x[j]


@njit(cache=True, inline="always", _nrt=False)
def _sub(x, out, n):
    """``out[:n] -= x[:n]``."""
    for j in range(n):
        out[j] -= x[j]


@njit(cache=True, inline="always", _nrt=False)
def _fill0(out, n):
    """``out[:n] = 0.0``."""
    for j in range(n):
        out[j] = 0.0


@njit(cache=True, inline="always", _nrt=False)
def _on_time(supplied, due, incoming):
    """Of a link's orders that came in this week, those shipped this week: its backlog is served first."""
    return _max(supplied - (due - incoming), 0.0)


@njit(cache=True, inline="always", _nrt=False)
def _sl(inc, ship, sup, k, nb):
    """Link k's goods supplied this week (a tile's row): the source ships its incoming orders, a firm its shipments."""
    return inc[k, :nb] if sup[k] < 0 else ship[k, :nb]


@njit(cache=True, inline="always", _nrt=False)
def _gather_t(x, x0, offsets, members, one_each, dest, d0, nb):
    """:func:`_gather` over a tile of ``nb`` replications: ``dest[g, d0 + j]`` from ``x[m, x0 + j]``."""
    for g in range(len(offsets) - 1):
        d = dest[g, d0:d0 + nb]
        if one_each:
            _copy(x[members[offsets[g]], x0:x0 + nb], d, nb)
        else:
            _fill0(d, nb)
            for i in range(offsets[g], offsets[g + 1]):
                _add(x[members[i], x0:x0 + nb], d, nb)


@njit(cache=True, _nrt=False)
def advance(ip, fp, t, inventory, raw, cash, capacity, backlog, mail, transit, wip, plan, turns, backlog_value,
            parts, payments, insolvent, demand, delays, out, edges, paid_out, ws, wb, wt):
    """Steps 1-6 of week ``t`` (docs: :mod:`chaingame.chain`) for every replication: :func:`advance_range` of all."""
    advance_range(ip, fp, t, inventory, raw, cash, capacity, backlog, mail, transit, wip, plan, turns, backlog_value,
                  parts, payments, insolvent, demand, delays, out, edges, paid_out, ws, wb, wt, 0, inventory.shape[1],
                  True)


@njit(cache=True, _nrt=False)
def advance_range(ip, fp, t, inventory, raw, cash, capacity, backlog, mail, transit, wip, plan, turns, backlog_value,
                  parts, payments, insolvent, demand, delays, out, edges, paid_out, ws, wb, wt, lo, hi, full):
    """Steps 1-6 of week ``t`` (docs: :mod:`chaingame.chain`) for replications ``lo .. hi - 1``, the state in place.

    Sterman 1989, p. 326 (event order); Edali & Yasarcan 2014 (JASSS 17(4) 2). Writes the week's flows into
    ``out`` (N_FLOWS, F, R), ``edges`` (2, R: from the source, to the market) and, with money rules,
    ``paid_out`` (K, R). Replications go in tiles of ``wt.shape[2]``, each step over the tile at once (every
    replication's own operations in the same order: replications are independent). Where ``full`` is False (the
    weeks between the first and the last of :func:`chaingame.weekkernel.weeks`, whose flows only its own steps
    read), the rows of ``out`` that are 0 every week on this network are left as an earlier week wrote them, and the
    flows no later step of the week reads (``DUE``, ``SUPPLIED``, ``edges``) are not written.
    """
    F, K, S = ip[F_], ip[K_], ip[S_]
    B = wt.shape[2]
    slot = t % S
    producers, stockists, src, market, fs = (_iseg(ip, PRODUCERS), _iseg(ip, STOCKISTS), _iseg(ip, SRC),
                                             _iseg(ip, MARKET), _iseg(ip, FS))
    in_off, in_mem, in_one = _iseg(ip, IN_OFF), _iseg(ip, IN_MEM), ip[IN_ONE] != 0
    out_off, out_mem, out_one = _iseg(ip, OUT_OFF), _iseg(ip, OUT_MEM), ip[OUT_ONE] != 0
    prod_delay, is_producer, customer = _iseg(ip, PROD_DELAY), _iseg(ip, PRODUCER), _iseg(ip, CUSTOMER)
    whole = ip[WHOLE] != 0
    bom = ip[BOM] != 0
    bom_links, bom_firms, bom_rows, bom_of = (_iseg(ip, BOM_LINKS), _iseg(ip, BOM_FIRMS), _iseg(ip, BOM_ROWS),
                                              _iseg(ip, BOM_OF))
    bom_off, bom_mem, bom_one = _iseg(ip, BOM_OFF), _iseg(ip, BOM_MEM), ip[BOM_ONE] != 0
    units = _fseg(ip, fp, BOM_UNITS)
    lost_flag = _iseg(ip, LOST)
    price = _fseg(ip, fp, PRICE)
    PW = ip[PW_]
    due_price = _fseg(ip, fp, DUE_PRICE)
    holding, backlog_cost = _fseg(ip, fp, HOLDING), _fseg(ip, fp, BACKLOG_COST)
    lost_cost, cap_cost, prod_cost = _fseg(ip, fp, LOST_COST), _fseg(ip, fp, CAP_COST), _fseg(ip, fp, PROD_COST)
    now, delayed, pay_delay = _iseg(ip, NOW), _iseg(ip, DELAYED), _iseg(ip, PAY_DELAY)
    limited, stop = _iseg(ip, LIMITED), _iseg(ip, STOP)
    credit, irate, drate = _fseg(ip, fp, CREDIT), _fseg(ip, fp, IRATE), _fseg(ip, fp, DRATE)
    P, H = ip[P_], ip[H_]
    turn_customer, turn_link = _iseg(ip, TURN_CUSTOMER), _iseg(ip, TURN_LINK)
    n_prod, n_bom, J = len(producers), len(bom_firms), len(bom_links)
    # the tile's scratch, (K or F, B) each
    inc, arrived, owed, ship, unmet, lost_link, on_time, pay, per_link, paid = (
        wt[0, :K], wt[1, :K], wt[3, :K], wt[4, :K], wt[5, :K], wt[6, :K], wt[7, :K], wt[8, :K],
        wt[9, :K], wt[10, :K])
    tmp, tmp2, start, makes, bstart = wt[11, :F], wt[12, :F], wt[13, :n_prod], wt[14, :J], wt[15, :n_bom]
    # one replication's scratch (the allocation rules that need it)
    owed1, ship1, inv1 = ws[0, :K], ws[1, :K], ws[12, :F]
    wf, wk, bk = ws[26:34, :F], ws[34:44, :K], wb[0:2, :K]
    sup, level_off, level_mem, sole, shared, shared_sup, shared_same = (
        _iseg(ip, SUPPLIER), _iseg(ip, LEVEL_OFF), _iseg(ip, LEVEL_MEM), _iseg(ip, SOLE), _iseg(ip, SHARED),
        _iseg(ip, SHARED_SUP), _iseg(ip, SHARED_SAME))
    fill, fill_sup, fill_off, fill_mem, fill_same, turn_pos, turn_window = (
        _iseg(ip, FILL), _iseg(ip, FILL_SUP), _iseg(ip, FILL_OFF), _iseg(ip, FILL_MEM), _iseg(ip, FILL_SAME),
        _iseg(ip, TURN_POS), _iseg(ip, TURN_WINDOW))
    flags, rounds = (1 if whole else 0) | (2 if ip[ONLY_PRIORITY] else 0), ip[ROUNDS]
    simple = len(level_off) <= 1 and len(shared) == 0 and len(fill) == 0  # every supplier has one customer
    ship_delay = _iseg(ip, SHIP_DELAY)
    src_fixed, src_drawn, src_rows = _iseg(ip, SRC_FIXED), _iseg(ip, SRC_DRAWN), _iseg(ip, SRC_ROWS)
    f2f_fixed, f2f_drawn, f2f_rows = _iseg(ip, F2F_FIXED), _iseg(ip, F2F_DRAWN), _iseg(ip, F2F_ROWS)
    loses, priced, schedule, money, interest_on = ip[LOSES] != 0, ip[PRICED] != 0, ip[SCHEDULE] != 0, \
        ip[MONEY] != 0, ip[INTEREST] != 0
    ch_lost, ch_cap, ch_prod = ip[CH_LOST] != 0, ip[CH_CAP] != 0, ip[CH_PROD] != 0
    one_pass = simple and out_one and not loses and H == 0  # step 5 in one pass per firm
    costs_in_pass = one_pass and not (ch_lost or ch_cap or ch_prod)  # step 6's costs in that pass too
    cash_in_pass = costs_in_pass and not (money or priced)  # and the cash they take
    received, sold, lost, otc = out[RECEIVED], out[SHIPPED], out[LOSTF], out[BACKLOGF]
    revenue, purchases, cost, interest = out[REVENUE], out[PURCHASES], out[COST], out[INTERESTF]
    for r0 in range(lo, hi, B):
        nb = min(B, hi - r0)
        r1 = r0 + nb
        # 1. capacity in force this week
        for p in producers:
            _copy(plan[p, slot, r0:r1], capacity[p, r0:r1], nb)
        # 2. orders reach suppliers; demand reaches retailers; the source ships in full
        for k in range(K):
            m, x = mail[k, slot, r0:r1], inc[k, :nb]
            for j in range(nb):
                x[j] = m[j]
                m[j] = 0.0
        for c in range(len(market)):
            _copy(demand[c, r0:r1], inc[market[c], :nb], nb)
        e0 = edges[0, r0:r1]
        if full and len(src) == 0:
            _fill0(e0, nb)
        for i in range(len(src) if full else 0):
            if i == 0:
                _copy(inc[src[i], :nb], e0, nb)
            else:
                _add(inc[src[i], :nb], e0, nb)
        for k in src_fixed:
            _add(inc[k, :nb], transit[k, (t + ship_delay[k]) % S, r0:r1], nb)
        for i in range(len(src_drawn)):
            k = src_drawn[i]
            for j in range(nb):
                transit[k, (t + delays[src_rows[i], r0 + j]) % S, r0 + j] += inc[k, j]
        # 3. goods arrive
        if in_one and not bom:  # a firm's receipts are its one inbound link's arrivals: taken from transit at once
            for f in range(F):
                m, rc = transit[in_mem[in_off[f]], slot, r0:r1], received[f, r0:r1]
                stock = raw[f, r0:r1] if is_producer[f] else inventory[f, r0:r1]
                for j in range(nb):
                    x = m[j]
                    m[j] = 0.0
                    rc[j] = x
                    stock[j] += x
            for k in range(K):
                if customer[k] < 0:  # no firm receives on it
                    _fill0(transit[k, slot, r0:r1], nb)
        else:
            for k in range(K):
                m, x = transit[k, slot, r0:r1], arrived[k, :nb]
                for j in range(nb):
                    x[j] = m[j]
                    m[j] = 0.0
            _gather_t(arrived, 0, in_off, in_mem, in_one, received, r0, nb)
            for p in producers:
                _add(received[p, r0:r1], raw[p, r0:r1], nb)
            for f in stockists:
                _add(received[f, r0:r1], inventory[f, r0:r1], nb)
            for k in bom_links:
                _add(arrived[k, :nb], parts[k, r0:r1], nb)
        # 4. production: min(raw materials, capacity); by bill of materials, min over components j of
        # floor(on hand_j / units_j), using units_j of each per unit started
        for f in stockists if full else stockists[:0]:  # the producers' rows are set below
            _fill0(out[STARTED, f, r0:r1], nb)
            _fill0(out[PRODUCED, f, r0:r1], nb)
        if n_prod:
            for i in range(n_prod):
                p = producers[i]
                cp, rw, st = capacity[p, r0:r1], raw[p, r0:r1], start[i, :nb]
                if whole:
                    for j in range(nb):
                        st[j] = _min(rw[j], _max(np.floor(counted(cp[j])), 0.0))
                else:
                    for j in range(nb):
                        st[j] = _min(rw[j], _max(cp[j], 0.0))
            if bom:
                for i in range(J):
                    k = bom_links[i]
                    for j in range(nb):
                        mk = counted(parts[k, r0 + j] / units[k])
                        makes[i, j] = np.floor(mk) if whole else mk
                for b in range(n_bom):
                    p = producers[bom_rows[b]]
                    for j in range(nb):
                        c = capacity[p, r0 + j]
                        cap = np.floor(counted(c)) if whole else c
                        bstart[b, j] = _max(cap, 0.0)
                    for i in range(bom_off[b], bom_off[b + 1]):
                        m = bom_mem[i]
                        for j in range(nb):
                            bstart[b, j] = _min(bstart[b, j], makes[m, j])
                for i in range(J):
                    k = bom_links[i]
                    for j in range(nb):
                        parts[k, r0 + j] = counted(parts[k, r0 + j] - units[k] * bstart[bom_of[i], j])
                for b in range(n_bom):
                    for j in range(nb):
                        start[bom_rows[b], j] = bstart[b, j]
            for i in range(n_prod):
                _sub(start[i, :nb], raw[producers[i], r0:r1], nb)
            if bom:
                for b in range(n_bom):
                    f = bom_firms[b]
                    if bom_one:
                        k = bom_links[bom_mem[bom_off[b]]]
                        for j in range(nb):
                            raw[f, r0 + j] = parts[k, r0 + j]
                    else:
                        for j in range(nb):
                            tmp[0, j] = 0.0
                        for i in range(bom_off[b], bom_off[b + 1]):
                            k = bom_links[bom_mem[i]]
                            for j in range(nb):
                                tmp[0, j] += parts[k, r0 + j]
                        for j in range(nb):
                            raw[f, r0 + j] = tmp[0, j]
            for i in range(n_prod):
                p = producers[i]
                st, so, sp, iv = start[i, :nb], out[STARTED, p, r0:r1], out[PRODUCED, p, r0:r1], inventory[p, r0:r1]
                wn, later = wip[p, slot, r0:r1], wip[p, (t + prod_delay[p]) % S, r0:r1]  # the same row at delay 0
                for j in range(nb):
                    later[j] += st[j]
                    so[j] = st[j]
                    made = wn[j]
                    sp[j] = made
                    wn[j] = 0.0
                    iv[j] += made
        # 5. fill orders, a shortage allocated by the supplier's rule; the rest backlogged or lost
        if one_pass:  # every firm ships on one link all it can (a sole link, _allocate): one pass per firm
            keep_owed = full or priced  # (what is owed: read by the prices and the week's dues only)
            for k in src if keep_owed else src[:0]:
                ow, b, x = owed[k, :nb], backlog[k, r0:r1], inc[k, :nb]
                for j in range(nb):
                    ow[j] = b[j] + x[j]
            for f in range(F):  # with the firm's incoming orders and what it owes (its one link's), and its costs
                k = out_mem[out_off[f]]
                ow, bk_, x, sh = owed[k, :nb], backlog[k, r0:r1], inc[k, :nb], ship[k, :nb]
                iv, so, ot = inventory[f, r0:r1], sold[f, r0:r1], out[ON_TIME, f, r0:r1]
                ic, ob, c, rw = out[INCOMING, f, r0:r1], otc[f, r0:r1], cost[f, r0:r1], raw[f, r0:r1]
                h_, b_ = holding[f], backlog_cost[f]
                sent = False  # its shipments put in transit in this pass (a link of fixed delay to a firm)
                for kk in f2f_fixed:
                    sent = sent or kk == k
                tr = transit[k, (t + ship_delay[k]) % S, r0:r1]
                for j in range(nb):  # (conditions the same for every j: LLVM masks the stores they guard)
                    due = bk_[j] + x[j]
                    if keep_owed:
                        ow[j] = due
                    v = _min(iv[j], due)
                    sh[j] = v
                    so[j] = v
                    iv[j] -= v
                    left = due - v
                    bk_[j] = left
                    ot[j] = _on_time(v, due, x[j])
                    ic[j] = x[j]
                    ob[j] = left
                    if sent:
                        tr[j] += v
                    if costs_in_pass:
                        c[j] = h_ * (iv[j] + rw[j]) + b_ * left
                if cash_in_pass:
                    cs = cash[f, r0:r1]
                    for j in range(nb):
                        cs[j] += 0.0 - c[j]
                if full:
                    _fill0(lost[f, r0:r1], nb)
        else:
            for k in range(K):
                ow, b, x = owed[k, :nb], backlog[k, r0:r1], inc[k, :nb]
                for j in range(nb):
                    ow[j] = b[j] + x[j]
            if simple:  # _allocate's sole links (every firm's link here): all a supplier can ship; the source's 0
                for k in src:
                    _fill0(ship[k, :nb], nb)
                if not out_one:
                    _gather_t(owed, 0, out_off, out_mem, out_one, tmp, 0, nb)
                for k in sole:
                    s = sup[k]
                    x, iv = ship[k, :nb], inventory[s, r0:r1]
                    tot = owed[out_mem[out_off[s]], :nb] if out_one else tmp[s, :nb]  # a one-member sum: the member
                    for j in range(nb):
                        x[j] = _min(iv[j], tot[j])
            else:
                for j in range(nb):
                    for k in range(K):
                        owed1[k] = owed[k, j]
                    for f in range(F):
                        inv1[f] = inventory[f, r0 + j]
                    _allocate(owed1, inv1, turns, r0 + j, t, ship1, flags, rounds, sup, level_off, level_mem, out_off,
                              out_mem, sole, shared, shared_sup, shared_same, fill, fill_sup, fill_off, fill_mem,
                              fill_same, turn_pos, turn_window, wf, wk, bk)
                    for k in range(K):
                        ship[k, j] = ship1[k]
            if out_one:  # _gather_t and the inventory's decrease in one pass
                for f in range(F):
                    x, so, iv = ship[out_mem[out_off[f]], :nb], sold[f, r0:r1], inventory[f, r0:r1]
                    for j in range(nb):
                        v = x[j]
                        so[j] = v
                        iv[j] -= v
            else:
                _gather_t(ship, 0, out_off, out_mem, out_one, sold, r0, nb)
                for f in range(F):
                    _sub(sold[f, r0:r1], inventory[f, r0:r1], nb)
            if H:
                h = t % H
                for i in range(len(turn_link)):
                    cu = turn_customer[i]
                    for j in range(nb):
                        turns[i, h, r0 + j] = sold[cu, r0 + j] if cu >= 0 else ship[turn_link[i], j]
        for k in f2f_fixed[:0] if one_pass else f2f_fixed:  # (one_pass: put in transit in its pass)
            _add(ship[k, :nb], transit[k, (t + ship_delay[k]) % S, r0:r1], nb)
        for i in range(len(f2f_drawn)):
            k = f2f_drawn[i]
            for j in range(nb):
                transit[k, (t + delays[f2f_rows[i], r0 + j]) % S, r0 + j] += ship[k, j]
        if not one_pass:
            if loses:
                for k in range(K):
                    for j in range(nb):
                        unmet[k, j] = owed[k, j] - ship[k, j]
                for k in range(K):
                    for j in range(nb):
                        lost_link[k, j] = unmet[k, j] if lost_flag[k] else 0.0
                for k in src:
                    for j in range(nb):
                        lost_link[k, j] = 0.0
                for k in fs:
                    for j in range(nb):
                        backlog[k, r0 + j] = unmet[k, j] - lost_link[k, j]
                _gather_t(lost_link, 0, out_off, out_mem, out_one, lost, r0, nb)
            else:
                for k in fs:
                    b, ow, x = backlog[k, r0:r1], owed[k, :nb], ship[k, :nb]
                    for j in range(nb):
                        b[j] = ow[j] - x[j]
                for f in range(F):
                    _fill0(lost[f, r0:r1], nb)
            for g in range(F if out_one else K):  # of this week's orders, shipped this week (per firm: its one link)
                k = out_mem[out_off[g]] if out_one else g
                ot = out[ON_TIME, g, r0:r1] if out_one else on_time[k, :nb]
                s_, ow, x = _sl(inc, ship, sup, k, nb), owed[k, :nb], inc[k, :nb]
                for j in range(nb):
                    ot[j] = _on_time(s_[j], ow[j], x[j])
        # 6. money and costs: invoiced at the link's price (of the week the order was placed, where prices
        # follow a schedule: the backlog at the average price it was bought at), paid now or later
        if not priced:
            if money:
                for k in range(K):
                    _fill0(pay[k, :nb], nb)
            for f in range(F if full else 0):
                _fill0(revenue[f, r0:r1], nb)
                _fill0(purchases[f, r0:r1], nb)
        else:
            if not schedule:
                for k in range(K):
                    pk, x, q = pay[k, :nb], _sl(inc, ship, sup, k, nb), price[k]
                    for j in range(nb):
                        pk[j] = q * x[j]
            else:
                for k in range(K):
                    unit = due_price[k * PW + t]
                    sl = _sl(inc, ship, sup, k, nb)
                    for j in range(nb):
                        r = r0 + j
                        before = owed[k, j] - inc[k, j]
                        old = _min(sl[j], before)
                        average = backlog_value[k, r] / before if before > 0 else 0.0
                        pay[k, j] = old * average + (sl[j] - old) * unit
                        left = (before - old) * average + (inc[k, j] - (sl[j] - old)) * unit
                        backlog_value[k, r] = left if backlog[k, r] > 0 else 0.0
            _gather_t(pay, 0, out_off, out_mem, out_one, revenue, r0, nb)
            _gather_t(pay, 0, in_off, in_mem, in_one, purchases, r0, nb)
        if not one_pass:  # (one_pass: gathered in its pass)
            _gather_t(backlog, r0, out_off, out_mem, out_one, otc, r0, nb)
        for f in range(0 if costs_in_pass else F):
            c, iv, rw, ob = cost[f, r0:r1], inventory[f, r0:r1], raw[f, r0:r1], otc[f, r0:r1]
            h_, b_ = holding[f], backlog_cost[f]
            for j in range(nb):
                c[j] = h_ * (iv[j] + rw[j]) + b_ * ob[j]
            if ch_lost:
                x, q = lost[f, r0:r1], lost_cost[f]
                for j in range(nb):
                    c[j] += q * x[j]
            if ch_cap:  # unlimited capacity (inf) costs nothing where the rate is 0
                x, q = capacity[f, r0:r1], cap_cost[f]
                for j in range(nb):
                    c[j] += q * x[j] if q > 0 else 0.0
            if ch_prod:
                x, q = out[STARTED, f, r0:r1], prod_cost[f]
                for j in range(nb):
                    c[j] += q * x[j]
        if money:  # chaingame.money: invoices by week due, interest on the opening cash, insolvency
            for k in now:
                for j in range(nb):
                    paid[k, j] = pay[k, j]
            if len(delayed):
                ps = t % P
                for k in delayed:
                    s = (t + pay_delay[k]) % P
                    for j in range(nb):
                        r = r0 + j
                        paid[k, j] = payments[k, ps, r]
                        payments[k, ps, r] = 0.0
                        payments[k, s, r] += pay[k, j]
            for f in range(F):
                for j in range(nb):
                    interest[f, r0 + j] = 0.0
            if interest_on:
                for f in range(F):
                    for j in range(nb):
                        opening = cash[f, r0 + j]
                        interest[f, r0 + j] = irate[f] * _max(-opening, 0.0) - drate[f] * _max(opening, 0.0)
            _gather_t(paid, 0, out_off, out_mem, out_one, tmp, 0, nb)
            _gather_t(paid, 0, in_off, in_mem, in_one, tmp2, 0, nb)
            for f in range(F):
                for j in range(nb):
                    r = r0 + j
                    cash[f, r] += tmp[f, j] - tmp2[f, j] - cost[f, r] - interest[f, r]
            if len(limited):
                for k in range(K):
                    for j in range(nb):
                        per_link[k, j] = payments[k, 0, r0 + j]
                    for q in range(1, P):
                        for j in range(nb):
                            per_link[k, j] += payments[k, q, r0 + j]
                _gather_t(per_link, 0, in_off, in_mem, in_one, tmp, 0, nb)
                for f in range(F):
                    for j in range(nb):
                        r = r0 + j
                        short = cash[f, r] + credit[f] < tmp[f, j]
                        insolvent[f, r] = (insolvent[f, r] or short) if stop[f] else short
            for k in range(K):
                for j in range(nb):
                    paid_out[k, r0 + j] = paid[k, j]
        elif priced:
            for f in range(F):
                c, rv, pu, cs = cash[f, r0:r1], revenue[f, r0:r1], purchases[f, r0:r1], cost[f, r0:r1]
                for j in range(nb):
                    c[j] += rv[j] - pu[j] - cs[j]
        elif not cash_in_pass:
            for f in range(F):
                c, cs = cash[f, r0:r1], cost[f, r0:r1]
                for j in range(nb):
                    c[j] += 0.0 - cs[j]
        # the week's flows
        if not one_pass:
            _gather_t(inc, 0, out_off, out_mem, out_one, out[INCOMING], r0, nb)
        if not out_one:
            _gather_t(on_time, 0, out_off, out_mem, out_one, out[ON_TIME], r0, nb)
        if not full:
            continue
        _gather_t(owed, 0, in_off, in_mem, in_one, out[DUE], r0, nb)
        for f in range(F):  # _gather_t of the links' supplied rows
            d = out[SUPPLIED, f, r0:r1]
            if in_one:
                _copy(_sl(inc, ship, sup, in_mem[in_off[f]], nb), d, nb)
            else:
                _fill0(d, nb)
                for i in range(in_off[f], in_off[f + 1]):
                    _add(_sl(inc, ship, sup, in_mem[i], nb), d, nb)
        e1 = edges[1, r0:r1]
        if len(market) == 0:
            _fill0(e1, nb)
        for i in range(len(market)):
            if i == 0:
                _copy(ship[market[i], :nb], e1, nb)
            else:
                _add(ship[market[i], :nb], e1, nb)


@njit(cache=True, inline="always", _nrt=False)
def _payables(payments, r, P, per_link):
    """Each link's open invoices (K,) of replication r: its slots added in order."""
    for k in range(payments.shape[0]):
        s = payments[k, 0, r]
        for j in range(1, P):
            s += payments[k, j, r]
        per_link[k] = s


@njit(cache=True, inline="always", _nrt=False)
def _accept_terms(f, week, returns_on, batching, W, fixed_orders, returns, period, phase, min_order, pack):
    """Firm ``f``'s terms of :func:`_accept_one` at the end of ``week``: (fixed order or NaN, floor 0, batched, ...)."""
    v = fixed_orders[f * W + week - 1] if week <= W else np.nan
    fixed = v == v
    return (v, fixed, not (returns_on and returns[f]), batching and not fixed,
            (week - 1 - phase[f]) % period[f] != 0, min_order[f], pack[f])


@njit(cache=True, inline="always", _nrt=False)
def _accept_one(x, v, fixed, whole, floor0, batched, off, least, size):
    """One decision ``x`` as the physics takes it under a firm's terms (:func:`_accept_terms`; :func:`_accept_all`)."""
    x = v if fixed else x
    x = np.floor(np.rint(x * 1e9) / 1e9 + 0.5) if whole else counted(x)
    if floor0:
        x = _max(x, 0.0)
    if batched:
        q = 0.0 if off else x
        q = _max(q, least) if q > 0 else q
        if size > 0:
            up = counted(np.ceil(counted(q / size)) * size)
            q = up if q > 0 else q
        x = q
    return x


@njit(cache=True, inline="always", _nrt=False)
def _accept_all(week, orders, out, lo, hi, whole, returns_on, batching, W, fixed_orders, returns, period, phase,
                min_order, pack):
    """What the physics makes of the firms' decisions ``orders`` (F, R) at the end of ``week``, into ``out``.

    The order the scenario fixes replaces the decision; the rest are counted, rounded half up to whole units
    where the scenario counts whole units (Sterman 1989), floored at 0 unless the firm may return goods
    (Chen et al. 2000 allow negative orders), and batched (Lee, Padmanabhan & Whang 1997): a firm with review
    period k and phase p orders only at the end of weeks p + 1, p + 1 + k, ...; in a review week a positive
    order q becomes ``pack * ceil(max(q, min_order) / pack)``. Returns, and fixed orders, are left as they are.
    """
    for f in range(orders.shape[0]):
        v, fixed, floor0, batched, off, least, size = _accept_terms(
            f, week, returns_on, batching, W, fixed_orders, returns, period, phase, min_order, pack)
        row, o = orders[f, lo:hi], out[f, lo:hi]  # rows from index 0 (the loops LLVM vectorises)
        for j in range(hi - lo):
            o[j] = _accept_one(row[j], v, fixed, whole, floor0, batched, off, least, size)


@njit(cache=True, inline="always", _nrt=False)
def _accept_args(ip, fp):
    """:func:`_accept_all`'s network arguments."""
    return (ip[WHOLE] != 0, ip[RETURNS_ON] != 0, ip[BATCHING] != 0, ip[W_], _fseg(ip, fp, FIXED_ORDERS),
            _iseg(ip, RETURNS), _iseg(ip, REVIEW_PERIOD), _iseg(ip, REVIEW_PHASE), _fseg(ip, fp, MIN_ORDER),
            _fseg(ip, fp, PACK))


@njit(cache=True, _nrt=False)
def accepted(ip, fp, week, orders, out, ws):
    """:func:`_accept_all` as a kernel of its own: (F, R) decisions into ``out`` (F, R)."""
    whole, returns_on, batching, W, fixed_orders, returns, period, phase, min_order, pack = _accept_args(ip, fp)
    _accept_all(week, orders, out, 0, orders.shape[1], whole, returns_on, batching, W, fixed_orders, returns, period,
                phase, min_order, pack)


@njit(cache=True, _nrt=False)
def place(ip, fp, t, decisions, targets, inventory, raw, cash, backlog, mail, payments, insolvent, plan,
          revenue, cost, orders, returned, ws):
    """Step 7 of week ``t`` for every replication: :func:`place_range` of all."""
    place_range(ip, fp, t, decisions, targets, inventory, raw, cash, backlog, mail, payments, insolvent, plan,
                revenue, cost, orders, returned, ws, 0, orders.shape[1])


@njit(cache=True, _nrt=False)
def place_range(ip, fp, t, decisions, targets, inventory, raw, cash, backlog, mail, payments, insolvent, plan,
                revenue, cost, orders, returned, ws, lo, hi):
    """Step 7 of week ``t`` for replications ``lo .. hi - 1``: the accepted orders (``orders``) mailed, targets planned.

    Orders are :func:`_accept_all` of the ``decisions``, capped by the insolvency rule where a firm has a credit
    limit (an order at most ``floor(headroom / price)``; none under ``"stop"``; fixed orders as written). A
    return leaves the firm's stock at once, at most what it holds, refunded at the week's price
    (``revenue`` += refund, ``returned`` (R,) its units). A customer with several suppliers splits its order
    by the links' shares (whole units by largest remainder), a component's order is the product's times units
    per product; the ordering cost is charged (``cost``) for every order above 0. ``targets`` (F, R) is the
    capacity planned ``capacity_delay`` weeks ahead (0 × 0: the plan is kept as it is).
    """
    F, K, S = ip[F_], ip[K_], ip[S_]
    PW = ip[PW_]
    schedule = ip[SCHEDULE] != 0
    producer, limited, stop = _iseg(ip, PRODUCER), _iseg(ip, LIMITED), _iseg(ip, STOP)
    regular, firm_price, credit = _fseg(ip, fp, REGULAR_PRICE), _fseg(ip, fp, FIRM_PRICE), _fseg(ip, fp, CREDIT)
    price = _fseg(ip, fp, PRICE)
    in_off, in_mem, in_one = _iseg(ip, IN_OFF), _iseg(ip, IN_MEM), ip[IN_ONE] != 0
    per_link, tmp, com = ws[45, :K], ws[46, :F], ws[47, :F]
    whole, returns_on, batching, W, fixed_orders, returns, period, phase, min_order, pack = _accept_args(ip, fp)
    ins, share = _iseg(ip, INS), _fseg(ip, fp, SHARE)
    order_delay, cap_delay, producers = _iseg(ip, ORDER_DELAY), _iseg(ip, CAP_DELAY), _iseg(ip, PRODUCERS)
    bom_ins, order_cost, ins_same = _iseg(ip, BOM_INS), _fseg(ip, fp, ORDER_COST), _iseg(ip, INS_SAME)
    shared_orders, splitting, bom = ip[SHARED_ORDERS] != 0, whole and ip[SPLIT] != 0, ip[BOM] != 0
    capped = ip[MONEY] != 0 and len(limited) > 0
    # each firm's order mailed on its one inbound link in the pass that accepts it (nothing changes it in between)
    mailed = in_one and not (capped or returns_on or splitting or bom)
    if mailed:
        for f in range(F):
            v, fixed, floor0, batched, off, least, size = _accept_terms(
                f, t, returns_on, batching, W, fixed_orders, returns, period, phase, min_order, pack)
            k = in_mem[in_off[f]]
            row, o, m, part = decisions[f, lo:hi], orders[f, lo:hi], mail[k, (t + order_delay[k]) % S, lo:hi], share[k]
            for j in range(hi - lo):
                x = _accept_one(row[j], v, fixed, whole, floor0, batched, off, least, size)
                o[j] = x
                m[j] += part * x if shared_orders else x
    else:
        _accept_all(t, decisions, orders, lo, hi, whole, returns_on, batching, W, fixed_orders, returns, period, phase,
                    min_order, pack)
    if capped:  # chaingame.money's insolvency rule
        for r in range(lo, hi):
            _payables(payments, r, ip[P_], per_link)
            _gather(per_link, in_off, in_mem, in_one, tmp)
            for k in range(K):
                s = mail[k, 0, r]
                for j in range(1, S):
                    s += mail[k, j, r]
                per_link[k] = price[k] * (s + backlog[k, r])
            _gather(per_link, in_off, in_mem, in_one, com)
            for f in limited:
                unit = firm_price[f * PW + t] if schedule else regular[f]
                room = _max(cash[f, r] + credit[f] - tmp[f] - com[f], 0.0)
                most = room / unit if unit > 0 else np.inf
                if whole:
                    most = np.floor(np.rint(most * 1e9) / 1e9)
                if stop[f] and insolvent[f, r]:
                    most = 0.0
                q = orders[f, r]
                fixed = t <= W and fixed_orders[f * W + t - 1] == fixed_orders[f * W + t - 1]
                if q > 0 and not fixed:
                    orders[f, r] = _min(q, most)
    negative = False
    if returns_on:
        for f in range(F):
            if returns[f]:
                for r in range(lo, hi):
                    negative = negative or orders[f, r] < 0
    for r in range(lo, hi):  # (scalar loops: a tile of replications at a time in the fused week)
        returned[r] = 0.0
    if negative:  # a return: at most what the firm holds, refunded at the week's price
        for f in range(F):
            unit = firm_price[f * PW + t] if schedule else regular[f]
            for r in range(lo, hi):
                o = orders[f, r]
                neg = returns[f] != 0 and o < 0
                stock = raw[f, r] if producer[f] else inventory[f, r]
                back = _min(-o, stock) if neg else 0.0
                if neg:
                    orders[f, r] = -back
                refund = back * unit
                raw[f, r] -= back if producer[f] else 0.0
                inventory[f, r] -= 0.0 if producer[f] else back
                cash[f, r] += refund
                revenue[f, r] += refund
                returned[r] = back if f == 0 else returned[r] + back
    n = len(ins)
    group = _iseg(ip, INS_CUS)
    if splitting or bom:  # one replication at a time
        link_orders, lo2, base, rem, placed = ws[48, :n], ws[49, :n], ws[50, :n], ws[51, :n], ws[52, :F]
        for r in range(lo, hi):
            for f in range(F):
                placed[f] = _max(orders[f, r], 0.0) if returns_on else orders[f, r]
            for i in range(n):
                link_orders[i] = share[ins[i]] * placed[group[i]] if shared_orders else placed[group[i]]
            if splitting:
                _largest_remainder(link_orders, placed, group, ins_same, lo2, base, rem)
                for i in range(n):
                    link_orders[i] = lo2[i]
            if bom:
                for i in bom_ins:
                    link_orders[i] = counted(share[ins[i]] * placed[group[i]])
            for i in range(n):
                k = ins[i]
                mail[k, (t + order_delay[k]) % S, r] += link_orders[i]
    elif not mailed:
        for i in range(n):
            k, c = ins[i], group[i]
            s, part = (t + order_delay[k]) % S, share[k]
            m, oc = mail[k, s, lo:hi], orders[c, lo:hi]
            for j in range(hi - lo):
                p = _max(oc[j], 0.0) if returns_on else oc[j]
                m[j] += part * p if shared_orders else p
    if ip[ORDER_CHARGE] != 0:
        for f in range(F):
            for r in range(lo, hi):
                p = _max(orders[f, r], 0.0) if returns_on else orders[f, r]
                charge = order_cost[f] * (1.0 if p > 0 else 0.0)
                cash[f, r] -= charge
                cost[f, r] += charge
    for p in producers:
        s, before = (t + cap_delay[p]) % S, (t + cap_delay[p] - 1) % S
        x = targets[p, lo:hi] if targets.shape[0] else plan[p, before, lo:hi]
        _copy(x, plan[p, s, lo:hi], hi - lo)
