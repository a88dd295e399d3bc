"""Where a ``ChainModel`` week goes: the cost of each part of one classic week at R = 1 (on demand).

    .venv/bin/python benchmarks/model_week.py [--week 10] [--number 300] [--repeat 7]

Plays a classic game to ``--week``, then times, on that state, each call a ``ChainModel.step`` makes
(the physics' ``chain.advance`` and ``chain.place``, the books the rules read, the copy of the state the
week begins from (the agents' observations are replayed from it when asked for), the rules deciding
together, the week's record, the agents' books, the DataCollector, Mesa's own step; and, aside,
``observe_all``, what building every firm's observation costs, the week replayed for the agents'
observations when first asked for, and what filling in a played game's Mesa tables costs when they are
first read), and a whole
step, a build (and its parts) and a whole game for comparison.
Calls that change the state run on a copy of it; the copy's cost is measured and taken off.
Each figure is the best of ``--repeat`` runs of ``--number`` calls (the machine may be shared), with
garbage collection off, as :mod:`timeit` times (``benchmarks/engine.py`` times games with it on); the
whole game also in CPU time, which a busy machine inflates less than wall time.
Prints, and does not judge.
"""

from __future__ import annotations

import argparse
import copy
import os
import sys
import time
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SCENARIO = "classic"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--week", type=int, default=10, help="week whose state is timed (default 10)")
    ap.add_argument("--number", type=int, default=300, help="calls per run (default 300)")
    ap.add_argument("--repeat", type=int, default=7, help="runs; the best is shown (default 7)")
    args = ap.parse_args()
    import mesa
    import numpy as np

    import chaingame as cg
    from chaingame import chain
    from chaingame.engine import _ALL, Rows, record
    from chaingame.model import REPORTERS
    from chaingame.observe import observe_all, own_books, replay

    def best(fn, number=args.number, timer=time.perf_counter) -> float:
        """µs per call, the best of ``--repeat`` runs (wall time, or the process's CPU time)."""
        return min(timeit.repeat(fn, number=number, repeat=args.repeat, timer=timer)) / number * 1e6

    model = cg.ChainModel(SCENARIO, seed=1)
    for _ in range(args.week):
        model.step()
    engine, net = model.engine, model.engine.net
    mode = engine.scenario.information
    start, week = engine.state.copy(), engine.week
    demand = engine.demand[week]
    state = start.copy()
    flows = chain.advance(net, state, demand)
    books = own_books(net, state, flows, mode)
    decider = copy.copy(engine)  # rules keep their memory in place: timing only from here
    decider.state, decider.flows, decider.memory = state, flows, [dict(m) for m in engine.memory]
    decider.capacity_memory, decider._stack_cache = [dict(m) for m in engine.capacity_memory], None
    orders, capacity = decider.decide_books(books)
    after, placed = state.copy(), copy.copy(flows)
    chain.place(net, after, placed, orders, capacity)
    recorder = copy.copy(engine)
    recorder.state, recorder.flows, recorder.wip = after, placed, books["wip"]
    at = week + 1

    def keep():  # as ChainModel.step: the running totals (end_week writes the record into the model's table)
        np.add(model._totals[at - 1], model._costs[at - 1], out=model._totals[at])

    t_copy = best(start.copy)
    parts = {
        "chain.advance (events 1-6)": best(lambda: chain.advance(net, start.copy(), demand)) - t_copy,
        "own_books (the books the rules read)": best(lambda: own_books(net, state, flows, mode)),
        "the state's copy (observations replayed from it)": t_copy,
        "the rules (Engine.decide_books, every firm)": best(lambda: decider.decide_books(books)),
        "chain.place (event 7: the orders)": best(lambda: chain.place(net, state.copy(), copy.copy(flows), orders,
                                                                      capacity)) - t_copy,
        "engine.record (the week's 24 history columns)": best(lambda: record(recorder, Rows(model._record, _ALL,
                                                                                           at - 1))),
        "the agents' books (the model's table, every firm)": best(keep),
        "mesa.DataCollector.collect": best(lambda: model.datacollector.collect(model)),
    }
    def fill() -> float:  # a played game's Mesa tables filled in from the model's table, when first read
        played = [cg.ChainModel(SCENARIO, seed=1).run() for _ in range(args.repeat)]
        return min(timeit.timeit(lambda m=m: m.datacollector.model_vars, number=1) for m in played) * 1e6

    aside = {  # not in a step of this game: what observing every firm costs (rules that are not stackable)
        "observe_all (every firm's observation built)": best(lambda: observe_all(net, state, flows, mode)),
        "the week replayed for the agents' observations": best(lambda: replay(net, start.copy(), demand, None, mode))
        - t_copy,
        "Mesa's tables of a played game, when first read": fill(),
    }

    class Empty(mesa.Model):
        def step(self):
            pass

    empty = Empty()
    parts["Mesa's step machinery (an empty step)"] = best(empty.step)

    t_new = best(lambda: cg.ChainModel(SCENARIO, seed=1), max(1, args.number // 10))
    sc = cg.load_scenario(SCENARIO)
    building = {  # parts of building a ChainModel
        "load_scenario (a bundled name: its file checked)": best(lambda: cg.load_scenario(SCENARIO)),
        "its Engine": best(lambda: cg.Engine(sc, seed=1)),
        "of which the initial state": best(lambda: sc.initial_state(1)),
        "mesa.Model.__init__": best(lambda: mesa.Model(rng=1)),
        "Mesa's DataCollector with the model's reporters": best(lambda: mesa.DataCollector(
            model_reporters={"chain_cost": "total_cost"}, agent_reporters=REPORTERS)),
    }
    t_game = best(lambda: cg.ChainModel(SCENARIO, seed=1).run(), max(1, args.number // 100))
    cpu_game = best(lambda: cg.ChainModel(SCENARIO, seed=1).run(), max(1, args.number // 100), time.process_time)
    weeks = engine.scenario.weeks
    print(f"ChainModel on {SCENARIO}, R = 1, week {week + 1}'s parts (load average {os.getloadavg()[0]:.2f}):")
    for name, us in parts.items():
        print(f"  {name:50s} {us:8.1f} us")
    print(f"  {'sum of the parts':50s} {sum(parts.values()):8.1f} us")
    for name, us in aside.items():
        print(f"  {name:50s} {us:8.1f} us  (aside)")
    print(f"  {'a ChainModel.step (the mean over a whole game)':50s} {(t_game - t_new) / weeks:8.1f} us")
    print(f"  {'building a ChainModel':50s} {t_new:8.1f} us")
    for name, us in building.items():
        print(f"    {name:48s} {us:8.1f} us")
    print(f"  {f'a whole game (built, then {weeks} steps)':50s} {t_game / 1e3:8.2f} ms")
    print(f"  {'the same, CPU time of this process':50s} {cpu_game / 1e3:8.2f} ms  (less sensitive to the load)")


if __name__ == "__main__":
    main()
