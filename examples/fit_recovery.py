"""Does fitting Sterman's rule recover known parameters? True against fitted, per simulated player.

    python examples/fit_recovery.py [--draws 40] [--noise 1.0] [--method bootstrap] [--seed 0]

For each board (``classic``: demand steps from 4 to 8; ``stochastic``: uniform 0..8) it simulates
``draws`` players at the wholesaler's seat on the real engine, each with random (θ, α_S, β, S')
from :data:`chaingame.insight.recovery.RANGES` and normal ordering noise (``NoisySterman``), the
other seats playing the subjects' mean rule; fits each player's orders with
:func:`chaingame.insight.fit_sterman` and prints the true and fitted parameters, the 90% intervals,
and how often the intervals cover the truth.
"""

from __future__ import annotations

import argparse

from chaingame.insight.fitting import PARAMS
from chaingame.insight.recovery import recovery

SYMBOLS = {"theta": "θ", "alpha_s": "α_S", "beta": "β", "s_prime": "S'"}


def table(d) -> str:
    """A markdown table: one row per draw, true / fitted [interval] per parameter."""
    cols = " | ".join(f"{SYMBOLS[p]} true | {SYMBOLS[p]} fitted [90%]" for p in PARAMS)
    head = f"| draw | {cols} | R² | identified |"
    rule = "|" + "---|" * (3 + 2 * len(PARAMS))
    rows = []
    for _, r in d.iterrows():
        cells = []
        for p in PARAMS:
            digits = 1 if p == "s_prime" else 2
            mark = "" if r[f"covered_{p}"] else " ✗"
            cells += [f"{r[f'true_{p}']:.{digits}f}",
                      f"{r[f'fit_{p}']:.{digits}f} [{r[f'low_{p}']:.{digits}f}, {r[f'high_{p}']:.{digits}f}]{mark}"]
        identified = "yes" if r["identified"] else "no"
        rows.append(f"| {int(r['draw'])} | " + " | ".join(cells) + f" | {r['r2']:.2f} | {identified} |")
    return "\n".join([head, rule, *rows])


def summary(d) -> str:
    ident = d[d.identified]
    parts = [f"{SYMBOLS[p]} {d[f'covered_{p}'].mean():.0%}" for p in PARAMS]
    parts_id = [f"{SYMBOLS[p]} {ident[f'covered_{p}'].mean():.0%}" for p in PARAMS]
    return (f"intervals covering the truth, all {len(d)} draws: {', '.join(parts)}; the {len(ident)} identified: "
            f"{', '.join(parts_id)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=40)
    ap.add_argument("--noise", type=float, default=1.0, help="ordering noise, cases/week (standard deviation)")
    ap.add_argument("--method", default="bootstrap", choices=["bootstrap", "jacobian"])
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    for board in ("classic", "stochastic"):
        d = recovery(board, args.draws, noise=args.noise, seed=args.seed, method=args.method)
        print(f"\n### {board} ({args.draws} draws, noise {args.noise:g}, {args.method} intervals)\n")
        print(table(d))
        print(f"\n{summary(d)}")


if __name__ == "__main__":
    main()
