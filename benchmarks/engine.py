"""Speed figures on the classic board, in one run (on demand; not part of the test suite).

    .venv/bin/python benchmarks/engine.py [--games 40] [--replications 10000] [--sweep-replications 50000]

Prints, and does not judge:

1. agent-steps (firm-weeks) per second of the Mesa model, ``ChainModel`` (one game at a time, built
   and run with its DataCollector; target: <= 2 ms per game);
2. the same for the array engine, ``simulate`` with 10,000 replications (the whole call: the
   weekly loop and the summary figures), and the per-game ratio of the two (target: >= 300x);
3. firm-steps (firm-weeks) per second of the vectorised learning environment,
   ``chaingame.rl.ChainVectorEnv`` with 10,000 replications, the retailer learning (a fixed order
   each step, the others by their rules; observations built, rewards returned; target: >= 1 M);
   skipped with a note where the ``rl`` extra (Gymnasium) is not installed;
4. the same game as a compiled scalar loop written for the benchmark (``compiled_classic.py``,
   numba), checked against ``simulate`` first, and the array engine's speed as a fraction of it,
   the two timed in turn (target: >= 0.5x; in wall and in CPU time), and the same game as one
   compiled call per week over (firm, replication) arrays (the layout an engine with Python between
   weeks would have); skipped with a note where numba (the ``bench`` extra) is not installed;
5. the wall time of one sweep with 1 worker (in this process) and with 2 worker processes, and
   the speed-up (target: >= 1.8x). The 2-worker figure is given with the pool's start-up (what
   ``chaingame sweep --workers 2`` costs) and with a pool already started. For scale, the same
   ratio for a plain Python loop shows what two processes get from this machine at the moment
   (on a shared machine, less than 2).

Every figure is the best of ``--repeat`` runs, after a warm-up, since the machine may be shared.
The engine figures are given with glibc's default allocator settings (a plain Python session) and
with :func:`chaingame.sweep.executors.tune_malloc` (what ``chaingame sweep`` and its workers use); the
sweeps are timed with it, in this process and in the workers alike.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from concurrent.futures import wait
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # compiled_classic

# chaingame is imported in the functions, not here: a spawned worker imports this module again
# (its __main__), and should load what `chaingame sweep`'s workers load, not the whole package.

SCENARIO = "classic"


def best(fn, repeat: int) -> float:
    """The shortest wall time of ``repeat`` calls (s)."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def spin(n: int) -> int:
    """Plain Python work, no numpy: what two processes can get from the machine."""
    total = 0
    for i in range(n):
        total += i * i
    return total


def chain_model(games: int) -> None:
    import chaingame as cg

    for g in range(games):
        cg.ChainModel(SCENARIO, seed=g).run()


def vector_env(replications: int, repeat: int) -> None:
    """Print the stepping rate of ``ChainVectorEnv`` (``replications`` at once, whole episodes)."""
    try:
        from chaingame.rl import ChainVectorEnv
    except ImportError as e:
        print(f"vector env: not measured ({e.name} is not installed: pip install 'chaingame[rl]')\n")
        return
    import numpy as np

    env = ChainVectorEnv(SCENARIO, num_envs=replications, firm="retailer")
    weeks, firms = env.scenario.weeks, len(env.scenario.firms)
    action = np.full((replications, 1), 4.0)  # cases/week, the demand's first level

    def episode():
        env.reset(seed=1)
        for _ in range(weeks):
            env.step(action)

    episode()  # warm-up
    t = best(episode, repeat) / weeks  # s per step of all replications
    print(f"vector env (ChainVectorEnv, R = {replications:,}, the retailer learning): "
          f"{replications * firms / t:,.0f} firm-steps/s, {replications / t:,.0f} learner steps/s, "
          f"{t * 1e3:.3g} ms per step (with tune_malloc())\n")


def compiled_loop(replications: int, repeat: int, firm_weeks: int) -> None:
    """Print the compiled scalar loop's time per game and the array engine's speed as a fraction of it.

    The two are timed in turn, ``max(repeat, 5)`` times each, so that a change of the machine's load hits both.
    """
    import compiled_classic as cc

    if not cc.AVAILABLE:
        print("compiled loop: skipped: numba not installed (pip install chaingame[bench])\n")
        return
    import chaingame as cg

    cc.check()  # the same game: orders and costs of simulate's, replication by replication (compiles first)
    demand = cc.demand(replications)
    array, loop, weekly, cpu_array, cpu_loop = [], [], [], [], []
    for _ in range(max(repeat, 5)):
        c = time.process_time()
        array.append(best(lambda: cg.simulate(SCENARIO, replications, seed=1), 1) / replications)
        cpu_array.append(time.process_time() - c)
        c = time.process_time()
        loop.append(best(lambda: cc.play(demand), 1) / replications)
        cpu_loop.append(time.process_time() - c)
        weekly.append(best(lambda: cc.play_weekly(demand), 1) / replications)
    t_array, t, t_week = min(array), min(loop), min(weekly)
    c_array, c_loop = min(cpu_array) / replications, min(cpu_loop) / replications
    print(f"compiled loop (numba, R = {replications:,}):    {firm_weeks / t:>13,.0f}   {t * 1e6:6.2f} us")
    print(f"array engine speed / compiled loop's, timed in turn: {t / t_array:.2f}x "
          f"(array engine {t_array * 1e6:.2f} us, compiled loop {t * 1e6:.2f} us per game), target >= 0.5x")
    print(f"the same in CPU time (this process's, less hit by other processes): {c_loop / c_array:.2f}x "
          f"(array engine {c_array * 1e6:.2f} us, compiled loop {c_loop * 1e6:.2f} us per game)")
    print(f"the same game as one compiled call per week over (firm, replication) arrays, Python between weeks: "
          f"{t_week * 1e6:.2f} us per game, {t / t_week:.2f}x the loop's speed\n")


def sweep_table(replications: int) -> dict:
    return {"scenario": SCENARIO, "seed": 1, "replications": replications, "metrics": ["cost", "bullwhip"],
            "grid": {"defaults.policy.beta": [round(0.1 * i, 1) for i in range(11)]}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--games", type=int, default=40, help="ChainModel games to time (default 40)")
    ap.add_argument("--replications", type=int, default=10_000, help="array engine replications (default 10000)")
    ap.add_argument("--sweep-replications", type=int, default=50_000,
                    help="replications per combination of the 11-point sweep (default 50000)")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each measurement; the best is shown (default 3)")
    args = ap.parse_args()
    import chaingame as cg
    from chaingame.sweep import load_sweep, plan, run_sweep
    from chaingame.sweep.executors import default_workers, process_pool, tune_malloc

    sc = cg.load_scenario(SCENARIO)
    firm_weeks = sc.weeks * len(sc.firms)  # agent-steps of one game
    print(f"chaingame {cg.__version__}, Python {platform.python_version()}, {platform.machine()}, "
          f"{default_workers()} CPUs available, load average {os.getloadavg()[0]:.2f}")
    print(f"scenario {SCENARIO}: {len(sc.firms)} firms x {sc.weeks} weeks = {firm_weeks} agent-steps per game\n")

    chain_model(2)  # warm-up
    t_model = best(lambda: chain_model(args.games), args.repeat) / args.games
    cg.simulate(SCENARIO, 200)
    R = args.replications
    t_array = best(lambda: cg.simulate(SCENARIO, R, seed=1), args.repeat) / R
    tune_malloc()  # as chaingame sweep and its workers do; from here on for every figure
    t_model_tuned = best(lambda: chain_model(args.games), args.repeat) / args.games
    t_array_tuned = best(lambda: cg.simulate(SCENARIO, R, seed=1), args.repeat) / R
    print("                                        agent-steps/s   per game    with tune_malloc()")
    print(f"ChainModel (Mesa, one game at a time): {firm_weeks / t_model:>13,.0f}   {t_model * 1e3:6.2f} ms   "
          f"{firm_weeks / t_model_tuned:>13,.0f}   {t_model_tuned * 1e3:6.2f} ms   (target: <= 2 ms per game)")
    print(f"array engine (simulate, R = {R:,}):  {firm_weeks / t_array:>13,.0f}   {t_array * 1e6:6.1f} us   "
          f"{firm_weeks / t_array_tuned:>13,.0f}   {t_array_tuned * 1e6:6.1f} us")
    print(f"per-game ratio, array engine / ChainModel: {t_model / t_array:,.0f}x "
          f"({t_model_tuned / t_array_tuned:,.0f}x with tune_malloc())\n")
    compiled_loop(R, args.repeat, firm_weeks)

    vector_env(R, args.repeat)

    table = sweep_table(args.sweep_replications)
    sweep = load_sweep(table)
    chunks = plan(sweep)
    print(f"sweep: {len(sweep.combinations)} values of beta x {sweep.replications:,} replications = "
          f"{sweep.runs:,} games in {len(chunks)} chunks of {chunks[0].runs} (batches of {sweep.batch})")
    run_sweep({**table, "replications": sweep.batch}, workers=1, progress=False)  # warm-up
    times: dict[str, list[float]] = {"1": [], "2": [], "2 warm": [], "spin 1": [], "spin 2": []}
    n = 5_000_000
    with process_pool(2) as pool:
        wait([pool.submit(spin, 10) for _ in range(4)])  # both workers started
        for _ in range(args.repeat):  # interleaved, so that a change of load hits every figure alike
            times["1"].append(best(lambda: run_sweep(table, workers=1, progress=False), 1))
            times["2"].append(best(lambda: run_sweep(table, workers=2, progress=False), 1))
            times["2 warm"].append(best(lambda: run_sweep(table, executor=pool, progress=False), 1))
            times["spin 1"].append(best(lambda: [spin(n), spin(n)], 1))
            times["spin 2"].append(best(lambda: list(pool.map(spin, [n, n])), 1))
    t1, t2, t2_warm = min(times["1"]), min(times["2"]), min(times["2 warm"])
    machine = min(times["spin 1"]) / min(times["spin 2"])
    print(f"  1 worker (in this process):          {t1:6.2f} s  ({sweep.runs / t1:,.0f} games/s)")
    print(f"  2 worker processes, with start-up:   {t2:6.2f} s  ({sweep.runs / t2:,.0f} games/s)  "
          f"speed-up {t1 / t2:.2f}x")
    print(f"  2 worker processes, pool started:    {t2_warm:6.2f} s  ({sweep.runs / t2_warm:,.0f} games/s)  "
          f"speed-up {t1 / t2_warm:.2f}x")
    print(f"  for scale, a plain Python loop in 2 processes vs 1: speed-up {machine:.2f}x "
          f"(load average now {os.getloadavg()[0]:.2f})")


if __name__ == "__main__":
    main()
