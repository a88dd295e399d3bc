"""Where the array engine's time goes: ``simulate`` on classic under cProfile, by stage (on demand).

    .venv/bin/python benchmarks/engine_profile.py [--replications 10000] [--repeat 5]

Prints each stage's share of the whole call (cProfile's cumulative time of the function that does it,
after a warm-up; the median of ``--repeat`` profiles, since the machine may be shared): building the engine,
the weeks (one compiled call, chaingame/weekkernel.py's ``weeks``: the physics, the books, the rules, the orders,
the record and the figures' pass over the weeks), the figures and the result tables. cProfile adds a little to
every Python call, so the shares of the stages with many small calls are a little high.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

STAGES = {  # (file, function) -> what it does
    ("engine.py", "__init__"): "building the engine (demand paths, initial state)",
    ("engine.py", "_weeks_in_one"): "the weeks in one compiled call (the physics, the books, the rules, the orders, "
                                    "the record and running totals, the figures' pass over the weeks)",
    ("batch.py", "figures"): "the figures at the end",
    ("batch.py", "frames"): "the result tables",
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replications", type=int, default=10_000, help="replications (default 10000)")
    ap.add_argument("--repeat", type=int, default=5, help="profiles; the median share is shown (default 5)")
    args = ap.parse_args()
    import chaingame as cg

    cg.simulate("classic", 200)  # warm-up
    wholes, shares = [], {stage: [] for stage in STAGES}
    for _ in range(args.repeat):
        profile = cProfile.Profile()
        profile.runcall(cg.simulate, "classic", args.replications, seed=1)
        stats = pstats.Stats(profile).stats
        whole = max(cum for (_, _, name), (_, _, _, cum, _) in stats.items() if name == "simulate")
        wholes.append(whole)
        for file, function in STAGES:
            cum = sum(v[3] for (path, _, name), v in stats.items() if name == function and path.endswith(file))
            shares[file, function].append(100 * cum / whole)
    print(f"simulate('classic', {args.replications:,}) under cProfile: {statistics.median(wholes) * 1e3:.1f} ms "
          f"(median of {args.repeat})")
    for stage, label in STAGES.items():
        print(f"  {statistics.median(shares[stage]):5.1f}%  {label}")


if __name__ == "__main__":
    main()
