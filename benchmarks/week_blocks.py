"""The week in one compiled call against the separate steps, by block of replications (on demand).

    .venv/bin/python benchmarks/week_blocks.py [--replications 10000] [--blocks 256 2048 10000] [--repeat 8]

Plays weeks 2-36 of classic (``Engine.step`` with the record rows and running totals ``simulate`` keeps) with the
week in one call (chaingame/weekkernel.py) in blocks of each size given, and with the separate steps, alternately;
prints the CPU time of the 35 weeks (the best of ``--repeat``, since the machine may be shared).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def weeks(replications: int, block: int | None) -> float:
    """CPU seconds of weeks 2-36; ``block`` None: the separate steps."""
    import numpy as np

    from chaingame import engine as engine_mod
    from chaingame import metrics
    from chaingame.engine import COLUMN_INDEX, Engine, Rows

    eng = Engine("classic", replications, seed=1)
    if block is None:
        eng._fused_pack = False
    else:
        engine_mod.FUSED_TILE = block
    W, F = eng.scenario.weeks, len(eng.scenario.firms)
    block_rows = np.empty((len(metrics.WEEKLY), W, F, replications))
    index = np.array([COLUMN_INDEX[c] for c in metrics.WEEKLY], dtype=np.int64)
    totals = metrics.Totals((F, replications))
    eng.step(out=Rows(block_rows, index, 0), totals=totals)
    began = time.process_time()
    for w in range(1, W):
        eng.step(out=Rows(block_rows, index, w), totals=totals)
    return time.process_time() - began


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replications", type=int, default=10_000, help="R (default 10000)")
    ap.add_argument("--blocks", type=int, nargs="+", default=[256, 2048, 10_000], help="block sizes to time")
    ap.add_argument("--repeat", type=int, default=8, help="runs of each; the best is shown (default 8)")
    args = ap.parse_args()
    ways = [None, *args.blocks]
    for way in ways:  # warm-up
        weeks(args.replications, way)
    best = {way: float("inf") for way in ways}
    for _ in range(args.repeat):
        for way in ways:
            best[way] = min(best[way], weeks(args.replications, way))
    print(f"classic, R = {args.replications:,}, weeks 2-36, CPU ms (best of {args.repeat}, in turn); "
          f"load average {os.getloadavg()[0]:.1f}")
    for way in ways:
        label = "separate steps" if way is None else f"one call, blocks of {way:,}"
        print(f"  {label:<30} {best[way] * 1e3:7.1f} ms")


if __name__ == "__main__":
    main()
