"""Save or compare every array of many played games: the check that a new week's physics keeps every bit.

    python scripts/kernel_reference.py save FILE.npz [--random 300]     # on the code before the change
    python scripts/kernel_reference.py compare FILE.npz [--random 300]  # on the code after it

Plays every bundled scenario (R = 1, 7 and 130 replications) and ``--random`` random scenarios of
``tests/strategies.py`` (every feature of the physics: capacity, random delays, assembly, the four
allocation rules, lost sales, price schedules, money rules, batching, returns, split orders, order
costs; R = 1 and 3, and 70 for one in eight), each week recording every array of the week's flows, of
the state and of the history record; then the same game as the batch drivers play it (``Engine.play``,
the weeks in one call where they can be): its whole record, the flows and state after it, and the
figures. ``compare`` prints the cases and arrays whose bits differ (0.0 and -0.0 told apart,
nan equal to nan) and exits 1 if any does.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np

sys.path.append(str(Path(__file__).resolve().parents[1]))  # tests.strategies; PYTHONPATH decides the code

FLOWS = ("incoming", "received", "started", "produced", "shipped", "on_time", "lost", "backlog", "revenue",
         "purchases", "cost", "demand", "from_source", "to_market", "due", "supplied", "order", "returned",
         "interest", "paid")
STATE = ("inventory", "raw", "cash", "capacity", "backlog", "mail", "transit", "wip", "capacity_plan",
         "last_order", "turns", "backlog_value", "parts", "payments", "insolvent")


def cases(n_random: int):
    """(name, scenario, replications) of every game played."""
    import chaingame as cg
    from chaingame.scenario import bundled
    from tests.strategies import random_scenario_table

    for name in sorted(bundled()):
        for R in (1, 7, 130):  # 130: a part of one of the kernel's tiles (tests/test_kernel.py: several)
            yield f"{name}/R{R}", cg.load_scenario(name), R
    for seed in range(n_random):
        try:
            sc = cg.from_table(random_scenario_table(seed))
        except Exception as e:  # noqa: BLE001 - a table the generator cannot make valid is skipped, said so
            print(f"random {seed}: skipped ({e})", file=sys.stderr)
            continue
        for R in (1, 3) if seed % 8 else (1, 3, 70):
            yield f"random{seed}/R{R}", sc, R


def play(scenario, replications: int) -> dict[str, np.ndarray]:
    """Every array of every week, stacked over the weeks."""
    from chaingame.engine import Engine

    eng = Engine(scenario, replications=replications, seed=11)
    weeks: dict[str, list] = {}
    while not eng.done:
        rec = eng.step()
        for group, obj, names in (("flows", eng.flows, FLOWS), ("state", eng.state, STATE)):
            for n in names:
                v = getattr(obj, n)
                if v is not None:
                    weeks.setdefault(f"{group}.{n}", []).append(np.array(v, dtype=float))
        for n, v in rec.items():
            weeks.setdefault(f"record.{n}", []).append(np.array(v, dtype=float))
    out = {k: np.stack(v) for k, v in weeks.items()}
    out.update(play_whole(scenario, replications))
    return out


def play_whole(scenario, replications: int) -> dict[str, np.ndarray]:
    """The same game as the batch drivers play it (:meth:`Engine.play`, the weeks in one call where they can be).

    The whole record (``run_arrays``) with the engine's flows and state after it, and the figures where only they
    are kept (``run_figures``, burn-in 0 and 3).
    """
    from chaingame.batch import run_arrays, run_figures

    eng, cols = run_arrays(scenario, replications, 11)
    out = {f"played.record.{n}": np.array(v, dtype=float) for n, v in cols.items()}
    for group, obj, names in (("flows", eng.flows, FLOWS), ("state", eng.state, STATE)):
        for n in names:
            v = getattr(obj, n)
            if v is not None:
                out[f"played.{group}.{n}"] = np.array(v, dtype=float)
    for burn_in in (0, 3):
        if burn_in > scenario.weeks - 2:
            continue
        _, firm, chain = run_figures(scenario, replications, 11, burn_in=burn_in)
        for kind, figs in (("firm", firm), ("chain", chain)):
            for n, v in figs.items():
                out[f"figures{burn_in}.{kind}.{n}"] = np.array(v, dtype=float)
    return out


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal bit for bit, but any nan equals any nan."""
    if a.shape != b.shape:
        return False
    na, nb = np.isnan(a), np.isnan(b)
    return bool(np.array_equal(na, nb) and np.array_equal(a[~na].view(np.uint64), b[~nb].view(np.uint64)))


def main() -> None:
    """Save or compare."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mode", choices=("save", "compare"))
    ap.add_argument("file")
    ap.add_argument("--random", type=int, default=300, help="random scenarios (default 300)")
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    played = {}
    for name, sc, R in cases(args.random):
        for k, v in play(sc, R).items():
            played[f"{name}|{k}"] = v
    if args.mode == "save":
        np.savez_compressed(args.file, **played)
        print(f"saved {len(played)} arrays")
        return
    ref = np.load(args.file)
    saved = set(ref.files)  # (a set: ``in`` on the list of 100,000 names took hours)
    bad_cases: dict[str, list[str]] = {}
    for key in sorted(saved | set(played)):
        case, what = key.split("|")
        if key not in saved or key not in played:
            bad_cases.setdefault(case, []).append(f"{what} (missing)")
        elif not same_bits(ref[key], played[key]):
            equal = np.array_equal(ref[key], played[key], equal_nan=True)
            bad_cases.setdefault(case, []).append(what + (" (only the sign of a zero)" if equal else ""))
    n_cases = len({k.split("|")[0] for k in saved})
    for case, whats in bad_cases.items():
        print(f"{case}: {', '.join(whats)}")
    print(f"{n_cases - len(bad_cases)} of {n_cases} games the same bit for bit ({len(ref.files)} arrays)")
    sys.exit(1 if bad_cases else 0)


if __name__ == "__main__":
    main()
