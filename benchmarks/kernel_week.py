"""The compiled week's cost per replication-week: ``chain.advance``, ``place`` and ``accepted_orders`` (on demand).

    .venv/bin/python benchmarks/kernel_week.py [--scenario classic] [--week 10] [--repeat 7]

Plays the scenario with its rules to ``--week`` at R = 1, 64 and 10,000 replications, then times each call on
that state (the calls that change it on a fresh copy each time, the copy not timed), and the kernel of
``advance`` alone, its outputs allocated once (a scenario without random delays): ns per replication-week (the
call's time / R) and µs per call, the best of ``--repeat`` runs, in CPU time of the process (a shared machine
inflates it less than wall time). Prints, and does not judge.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="classic", help="bundled scenario (default classic)")
    ap.add_argument("--week", type=int, default=10, help="week whose state is timed (default 10)")
    ap.add_argument("--repeat", type=int, default=7, help="runs; the best is shown (default 7)")
    ap.add_argument("--replications", type=int, nargs="+", default=[1, 64, 10_000], help="R values")
    args = ap.parse_args()
    from chaingame.engine import warm_up

    warm_up()
    print(f"{args.scenario}, week {args.week + 1}; ns per replication-week (µs per call), best of {args.repeat}; "
          f"load average {os.getloadavg()[0]:.1f}")
    for R in args.replications:
        costs = measure(args.scenario, args.week, R, args.repeat)
        line = ", ".join(f"{name} {ns / R:.1f} ns ({ns / 1e3:.1f} µs)" for name, ns in costs.items())
        together = costs["advance"] + costs["place"] + costs["accepted"]
        print(f"  R = {R:,}: {line}; advance + place + accepted {together / R:.1f} ns")


def _or(a, empty):
    return empty if a is None else a


def measure(scenario: str, week: int, R: int, repeat: int) -> dict[str, float]:
    """ns per call of advance, place and accepted_orders on the state after ``week`` weeks, R replications."""
    import numpy as np

    from chaingame import chain, lazy
    from chaingame.engine import Engine

    eng = Engine(scenario, replications=R, seed=1)
    for _ in range(week):
        eng.step()
    net, start, demand = eng.net, eng.state, eng.demand[eng.week]
    decisions = chain.advance(net, start.copy(), demand).incoming.copy()
    number = max(1, min(2_000, 200_000 // R))
    clock = time.process_time_ns

    def timed(fn, fresh) -> float:
        """Best of ``repeat`` runs of ``number`` calls, ns per call; ``fresh()`` untimed before each call."""
        runs = []
        for _ in range(repeat):
            total = 0
            for _ in range(number):
                arg = fresh()
                began = clock()
                fn(arg)
                total += clock() - began
            runs.append(total / number)
        return min(runs)

    def after_advance():
        s = start.copy()
        return s, chain.advance(net, s, demand)

    k = chain._kernel()
    ip, fp, ws, wb, wt = net.kernel_tables
    block, edges = np.empty((k.N_FLOWS, net.n_firms, R)), np.empty((2, R))
    paid = np.empty((net.n_links, R)) if net.money else chain._NO_FLOATS
    given = lazy.given(demand)

    def kernel_alone(s):
        """kernel.advance with the week's outputs allocated once (chain.advance allocates them each week)."""
        k.advance(ip, fp, s.week + 1, s.inventory, s.raw, s.cash, s.capacity, s.backlog, s.mail, s.transit, s.wip,
                  s.capacity_plan, s.turns, _or(s.backlog_value, chain._NO_FLOATS), _or(s.parts, chain._NO_FLOATS),
                  _or(s.payments, chain._NO_RING), _or(s.insolvent, chain._NO_FLAGS), given, chain._NO_DELAYS,
                  block, edges, paid, ws, wb, wt)

    return {
        "kernel.advance alone": timed(kernel_alone, start.copy),
        "advance": timed(lambda s: chain.advance(net, s, demand), start.copy),
        "place": timed(lambda sf: chain.place(net, sf[0], sf[1], decisions, sf[0].capacity), after_advance),
        "accepted": timed(lambda _: chain.accepted_orders(net, eng.week + 1, decisions), lambda: None),
    }

if __name__ == "__main__":
    main()
