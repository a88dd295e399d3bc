"""A whole week, or the weeks left, in one compiled call: advance, the books, the rules, the orders, the record.

:meth:`chaingame.engine.Engine.step` plays a week by this kernel where every firm decides by a compiled stackable
rule (:func:`chaingame.rulekernel.decide_range`) and no one asks for observations. It runs the very steps the
separate calls run, :func:`chaingame.kernel.advance_range`, :func:`chaingame.bookkernel.supply_range`, the rules,
:func:`chaingame.kernel.place_range` and :func:`chaingame.bookkernel.record_range`, on one block of ``tile``
replications after another. Each replication's arithmetic is its own and in the same order, so the bits are those
of the separate calls whatever the block. What it saves is the Python between the steps (at R = 1 half the week);
blocks small enough for a core's cache (256) measured slower than large ones on these machines (every loop over
a block pays its start-up, and a week's state at R = 10,000 fits the shared cache): by default one block of
all (:data:`chaingame.engine.FUSED_TILE`).

:func:`weeks` plays the weeks left, from the first (:meth:`chaingame.engine.Engine.play`, the batch drivers'), with
the loops the other way round: block of replications after block, every week of a block, whose state then stays in
a core's cache from week to week (:data:`chaingame.engine.WEEKS_TILE`; at R = 10,000 on classic, 35 weeks 39 -> 25
ms when it came, in blocks of 256); the rules' memories may start in the call (their first decision); where only
the figures are kept, a block's weekly columns stay in a block-sized buffer, and the figures' pass over the weeks
(:func:`chaingame.figurekernel.spread`'s) reads them there. Between its first and last week, a block's flows that
only the call's own steps would read are not written (:func:`chaingame.kernel.advance_range`'s ``full``): the
week's rows that are 0 on the network all along were written in its first week, and the last week writes every
flow the engine keeps.
"""

from __future__ import annotations

from . import bookkernel, figurekernel, kernel, rulekernel
from .bookkernel import record_range, supply_range
from .figurekernel import _spread_chunk
from .kernel import (
    BACKLOGF,
    COST,
    INCOMING,
    INTERESTF,
    LOSTF,
    MONEY,
    ON_TIME,
    PRODUCED,
    PRODUCERS,
    PURCHASES,
    RECEIVED,
    REVENUE,
    SHIPPED,
    _iseg,
    advance_range,
    place_range,
)
from .lazy import njit_from
from .rulekernel import decide_range

# what the kernels are built from
SOURCES = (kernel.__file__, bookkernel.__file__, rulekernel.__file__, figurekernel.__file__, __file__)


JIT = dict(cache=True, _nrt=False, error_model="numpy")


@njit_from(SOURCES, **JIT)  # not inlined: numba inlines no call of more than 30 arguments
def _block(ip, fp, t, inventory, raw, cash, capacity, backlog, mail, transit, wip_ring, plan, turns, backlog_value,
           parts, payments, insolvent, demand, delays, flows, edges, paid, ws, wb, wt, codes, params, offsets, members,
           rows, memory, wip, line, decisions, targets, placed, returned, books, seen_off, seen_mem, out, out_week,
           out_cols, sums, sum_cols, first, scratch, lo, hi, base, fresh, full):
    """Week ``t`` for replications ``lo .. hi - 1``: the module's steps in their order (:func:`week`'s arguments).

    Replication r's record goes into ``out[..., r - base]``; the rules' memories start this week where ``fresh``;
    ``full``: every flow written (:func:`~chaingame.kernel.advance_range`).
    """
    interest = flows[INTERESTF] if ip[MONEY] != 0 else flows[COST]
    advance_range(ip, fp, t, inventory, raw, cash, capacity, backlog, mail, transit, wip_ring, plan, turns,
                  backlog_value, parts, payments, insolvent, demand, delays, flows, edges, paid, ws, wb, wt, lo, hi,
                  full)
    supply_range(ip, fp, mail, backlog, transit, raw, wip_ring, parts, False, wip, line, books, lo, hi)
    decide_range(codes, params, offsets, members, rows, memory, inventory, flows[BACKLOGF], line,
                 flows[INCOMING], capacity, _iseg(ip, PRODUCERS), decisions, targets, lo, hi, fresh)
    place_range(ip, fp, t, decisions, targets, inventory, raw, cash, backlog, mail, payments, insolvent, plan,
                flows[REVENUE], flows[COST], placed, returned, ws, lo, hi)
    record_range(ip, fp, seen_off, seen_mem, inventory, flows[BACKLOGF], flows[INCOMING], placed, flows[SHIPPED],
                 flows[RECEIVED], flows[COST], raw, flows[PRODUCED], flows[ON_TIME], flows[LOSTF], flows[REVENUE],
                 flows[PURCHASES], interest, cash, capacity, backlog, mail, transit, wip_ring, parts, payments,
                 insolvent, demand, out, out_week, out_cols, sums, sum_cols, first, scratch, lo, hi, base)


@njit_from(SOURCES, **JIT)
def week(ip, fp, t, inventory, raw, cash, capacity, backlog, mail, transit, wip_ring, plan, turns, backlog_value,
         parts, payments, insolvent, demand, delays, flows, edges, paid, ws, wb, wt, codes, params, offsets, members,
         rows, memory, wip, line, decisions, targets, placed, returned, books, seen_off, seen_mem, out, out_week,
         out_cols, sums, sum_cols, first, scratch, tile):
    """Week ``t`` for every replication: the arguments of the steps it runs, in their order (see the module).

    ``wip`` and ``line`` (F, R) get the production under way and the supply lines the rules read, ``decisions``
    and ``targets`` (F, R) the rules' orders and capacity targets, ``placed`` (F, R) and ``returned`` (R,) what
    :func:`~chaingame.kernel.place_range` makes of them; ``books`` (K + 1, R) is the supply lines' scratch;
    ``tile``: the replications of a block.
    """
    R = inventory.shape[1]
    for lo in range(0, R, tile):
        hi = min(lo + tile, R)
        _block(ip, fp, t, inventory, raw, cash, capacity, backlog, mail, transit, wip_ring, plan, turns, backlog_value,
               parts, payments, insolvent, demand, delays, flows, edges, paid, ws, wb, wt, codes, params, offsets,
               members, rows, memory, wip, line, decisions, targets, placed, returned, books, seen_off, seen_mem, out,
               out_week, out_cols, sums, sum_cols, first, scratch, lo, hi, 0, False, True)


@njit_from(SOURCES, **JIT)
def weeks(ip, fp, t0, t1, inventory, raw, cash, capacity, backlog, mail, transit, wip_ring, plan, turns,
          backlog_value, parts, payments, insolvent, demand, delays, flows, edges, paid, ws, wb, wt, codes, params,
          offsets, members, rows, memory, wip, line, decisions, targets, placed, returned, books, seen_off, seen_mem,
          out, skip, out_cols, sums, sum_cols, first, scratch, local, tile, spread_rows, peaks, mean, var, highest,
          at, fresh):
    """Weeks ``t0 .. t1`` (:func:`week` each), block of replications after block, all the weeks of a block.

    A block's state stays in a core's cache from week to week. ``demand`` (W, C, R) and ``delays`` (W, n, R) are
    every week's; week t's record is added to ``sums`` (set where t is ``first``) for t > ``skip`` (the weeks
    before: not recorded), and goes into ``local[:, t - 1 - skip]`` (n, W - skip, F, B), the block's (B = ``tile``
    replications a block; the weeks recorded before ``t0`` copied from ``out``, (n, W - skip, F, R)). Once a
    block's last week is played, the figures' pass over the weeks (:func:`chaingame.figurekernel.spread`) runs on
    its rows while they are in cache: row i of ``mean``, ``var`` (and ``highest``, ``at`` where ``peaks[i]``),
    (m, F R) each, for ``local[spread_rows[i]]``. Where ``local`` is ``out`` itself (B = R), every week goes into
    ``out`` (a record kept whole: a history, or columns with no figures computed here). Where ``fresh``, the
    rules' memories start in week ``t0`` (their first decision).
    """
    n, R, F = len(out_cols), inventory.shape[1], inventory.shape[0]
    width = local.shape[3]
    whole = width == R  # local is out
    none = out_cols[:0]
    rows_ = local.reshape(local.shape[0], local.shape[1], F * width)  # each column's weeks: (W - skip, F B)
    for lo in range(0, R, tile):
        hi = min(lo + tile, R)
        base = 0 if whole else lo
        if not whole:  # the weeks recorded before: into the block's rows
            for i in range(n):
                for w in range(t0 - 1 - skip):
                    for f in range(F):
                        x, y = out[i, w, f, lo:hi], local[i, w, f]
                        for j in range(hi - lo):
                            y[j] = x[j]
        for t in range(t0, t1 + 1):
            kept = t > skip  # (no expression in a call of more than 30 arguments: numba takes none)
            cols, adds, row, sets, starts = out_cols if kept else none, sum_cols if kept else none, \
                max(t - 1 - skip, 0), t == first, fresh and t == t0
            every = t == t0 or t == t1  # every flow written: the first week's zeros, the last week's flows all kept
            _block(ip, fp, t, inventory, raw, cash, capacity, backlog, mail, transit, wip_ring, plan, turns,
                   backlog_value, parts, payments, insolvent, demand[t - 1], delays[t - 1], flows, edges, paid, ws, wb,
                   wt, codes, params, offsets, members, rows, memory, wip, line, decisions, targets, placed, returned,
                   books, seen_off, seen_mem, local, row, cols, sums, adds, sets, scratch, lo, hi, base, starts, every)
        for i in range(len(spread_rows)):
            for f in range(F):
                _spread_chunk(rows_[spread_rows[i]], mean[i], var[i], peaks[i], highest[i], at[i],
                              f * width + lo - base, f * width + hi - base, f * R + lo)
