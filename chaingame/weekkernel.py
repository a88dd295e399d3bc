"""A whole week in one compiled call: advance, the books, the stacked rules, the orders, the record.

:meth:`chaingame.engine.Engine.step` plays a week by this kernel where every firm decides by a compiled stackable
rule (:func:`chaingame.rulekernel.decide_range`) and no one asks for observations. It runs the very steps the
separate calls run, :func:`chaingame.kernel.advance_range`, :func:`chaingame.bookkernel.supply_range`, the rules,
:func:`chaingame.kernel.place_range` and :func:`chaingame.bookkernel.record_range`, on one block of ``tile``
replications after another. Each replication's arithmetic is its own and in the same order, so the bits are those
of the separate calls whatever the block. What it saves is the Python between the steps (at R = 1 half the week);
blocks small enough for a core's cache (256) measured slower than large ones on these machines (every loop over
a block pays its start-up, and a week's state at R = 10,000 fits the shared cache): by default one block of
all (:data:`chaingame.engine.FUSED_TILE`).
"""

from __future__ import annotations

from . import bookkernel, kernel, rulekernel
from .bookkernel import record_range, supply_range
from .kernel import (
    BACKLOGF,
    COST,
    INCOMING,
    INTERESTF,
    LOSTF,
    MONEY,
    ON_TIME,
    PRODUCED,
    PURCHASES,
    RECEIVED,
    REVENUE,
    SHIPPED,
    advance_range,
    place_range,
)
from .lazy import njit_from
from .rulekernel import decide_range

SOURCES = (kernel.__file__, bookkernel.__file__, rulekernel.__file__, __file__)  # what `week` is built from


@njit_from(SOURCES, cache=True, _nrt=False, error_model="numpy")
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
    interest = flows[INTERESTF] if ip[MONEY] != 0 else flows[COST]
    for lo in range(0, R, tile):
        hi = min(lo + tile, R)
        advance_range(ip, fp, t, inventory, raw, cash, capacity, backlog, mail, transit, wip_ring, plan, turns,
                      backlog_value, parts, payments, insolvent, demand, delays, flows, edges, paid, ws, wb, wt, lo, hi)
        supply_range(ip, fp, mail, backlog, transit, raw, wip_ring, parts, False, wip, line, books, lo, hi)
        decide_range(codes, params, offsets, members, rows, memory, inventory, flows[BACKLOGF], line,
                     flows[INCOMING], capacity, decisions, targets, lo, hi)
        place_range(ip, fp, t, decisions, targets, inventory, raw, cash, backlog, mail, payments, insolvent, plan,
                    flows[REVENUE], flows[COST], placed, returned, ws, lo, hi)
        record_range(ip, fp, seen_off, seen_mem, inventory, flows[BACKLOGF], flows[INCOMING], placed, flows[SHIPPED],
                     flows[RECEIVED], flows[COST], raw, flows[PRODUCED], flows[ON_TIME], flows[LOSTF], flows[REVENUE],
                     flows[PURCHASES], interest, cash, capacity, backlog, mail, transit, wip_ring, parts, payments,
                     insolvent, demand, out, out_week, out_cols, sums, sum_cols, first, scratch, lo, hi)
