"""Reproduce Chen, Drezner, Ryan & Simchi-Levi (2000) with a sweep: bullwhip ratio against p and L.

    python examples/chen_bullwhip.py [OUT.png] [--replications R] [--weeks W] [--burn-in B]
                                     [--leads 1 2 3 4] [--ps 2 3 5 10 20 30] [--workers N]

The sweep file ``examples/chen2000.toml`` varies p (weeks in the moving average) and L (lead time)
of ``examples/one-stage.toml``: a retailer supplied by the outside source, facing iid normal
demand, ordering with ``MovingAverageOrderUpTo(p, lead_time=L)``, an order-up-to level
y_t = L·μ̂_t, z = 0. This script runs it with :func:`chaingame.sweep.run_sweep` (the flags replace
the file's values), and prints, and plots over the curves

    Var(q)/Var(D) = 1 + 2L/p + 2L²/p²          (Chen et al. 2000, Management Science 46(3), iid demand)

the simulated ratio. The set-up that makes the engine's numbers the paper's numbers (see
tests/reference/test_chen2000.py and docs/model.md, "Delays and lead time"):

- L = order_delay + shipping_delay with order_delay = 1, so the sweep sets shipping_delay = L − 1
  (and the goods in transit with it);
- the source link accepts returns and quantities are continuous (``whole_units = false``), so a
  negative order is a return, as in the paper; with demand N(100, 2²) an order below 0 would be
  more than 13 standard deviations away, so no order is ever floored or capped;
- supply lines start full at the mean demand, stock at 0, and the first ``burn_in`` weeks (more
  than p, while the forecast window still holds its starting values) are left out.

The simulated ratio of a point is pooled over replications, Σ_r s²_q,r / Σ_r s²_D,r, with s² the
sample variance of one replication's n = W − B weeks (``metrics.bullwhip``). Two facts size the
check:

- Expectation. q_t is a finite moving sum of the demands with weights summing to 1, so for n weeks
  E[s²_q]/σ² = K + (K − 1)/(n − 1) + O(p/n²), K the formula (the sample mean of an autocorrelated
  series removes less than σ²/n), while E[s²_D] = σ². The column "expected" is that value; the
  formula is its n → ∞ limit.
- Spread. Replications are independent, so by the delta method the pooled ratio r̂ = ā/b̄ has
  standard error SE = sd(a_r − r̂·b_r) / (b̄·√R). A point "agrees" when |r̂ − expected| ≤ 4·SE:
  a false alarm has probability 6·10⁻⁵ per point under the normal approximation, under 0.3% for
  40 points.

References:
    Chen, F., Drezner, Z., Ryan, J. K. & Simchi-Levi, D. (2000). Quantifying the bullwhip effect in
    a simple supply chain: the impact of forecasting, lead times, and information. Management
    Science 46(3): 436-443.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from chaingame.sweep import load_sweep, run_sweep

HERE = Path(__file__).resolve().parent
SWEEP = HERE / "chen2000.toml"  # the sweep: p x L over examples/one-stage.toml
MEAN = 100.0  # units/week: mean customer demand in one-stage.toml (the goods in transit at the start)
Z_LIMIT = 4.0  # standard errors allowed between a simulated point and its expectation
DEFAULT_OUT = HERE / "chen_bullwhip.png"


def formula(L: float, p: int) -> float:
    """Chen et al. (2000), iid demand, z = 0: Var(q)/Var(D) = 1 + 2L/p + 2L²/p²."""
    return 1 + 2 * L / p + 2 * L**2 / p**2


def expected(L: float, p: int, n: int) -> float:
    """E of the pooled ratio of sample variances over n weeks: K + (K − 1)/(n − 1), K the formula."""
    k = formula(L, p)
    return k + (k - 1) / (n - 1)


def sweep_table(replications: int | None = None, weeks: int | None = None, burn_in: int | None = None,
                leads: list[int] | None = None, ps: list[int] | None = None) -> dict:
    """examples/chen2000.toml, with the given values in place of the file's."""
    table = tomllib.loads(SWEEP.read_text(encoding="utf-8"))
    for key, value in (("replications", replications), ("weeks", weeks), ("burn_in", burn_in)):
        if value is not None:
            table[key] = value
    if ps is not None:
        table["grid"]["firms.retailer.policy.p"] = list(ps)
    if leads is not None:  # L = 1 + shipping_delay; the goods in transit fill the shipping slots
        table["list"] = {"firms.retailer.policy.lead_time": list(leads),
                         "links.0.shipping_delay": [L - 1 for L in leads],
                         "links.0.shipments": [[MEAN] * (L - 1) for L in leads]}
    return table


@dataclass(frozen=True)
class Point:
    L: int
    p: int
    simulated: float  # pooled Var(q)/Var(D)
    se: float  # its standard error over replications
    n: int  # weeks measured per replication

    @property
    def formula(self) -> float:
        return formula(self.L, self.p)

    @property
    def expected(self) -> float:
        return expected(self.L, self.p, self.n)

    @property
    def z(self) -> float:
        return (self.simulated - self.expected) / self.se

    @property
    def agrees(self) -> bool:
        return abs(self.z) <= Z_LIMIT


def points(results: pd.DataFrame, n: int) -> list[Point]:
    """One point per (L, p) of a sweep table: the ratio pooled over replications, and its SE."""
    out = []
    for (L, p), g in results.groupby(["firms.retailer.policy.lead_time", "firms.retailer.policy.p"]):
        a = g["order_sd"].to_numpy() ** 2  # s²_q per replication
        b = a / g["bullwhip"].to_numpy()  # s²_D per replication (bullwhip = s²_q / s²_D)
        ratio = a.sum() / b.sum()
        se = np.std(a - ratio * b, ddof=1) / (b.mean() * np.sqrt(len(a)))
        out.append(Point(int(L), int(p), float(ratio), float(se), n))
    return out


def table_text(points: list[Point]) -> str:
    lines = [f"{'L':>2} {'p':>3} {'formula':>9} {'expected':>9} {'simulated':>10} {'SE':>7} {'z':>6}  agrees",
             "-" * 60]
    for q in points:
        lines.append(f"{q.L:>2} {q.p:>3} {q.formula:>9.4f} {q.expected:>9.4f} {q.simulated:>10.4f} "
                     f"{q.se:>7.4f} {q.z:>6.2f}  {'yes' if q.agrees else 'NO'}")
    return "\n".join(lines)


def figure(points: list[Point], replications: int):
    """Curves of the formula per L with the simulated points (±2 SE bars, usually hidden by the dot)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.0, 4.6), layout="constrained")
    ax = fig.subplots()
    leads = sorted({q.L for q in points})
    ps = np.linspace(min(q.p for q in points), max(q.p for q in points), 300)
    for i, L in enumerate(leads):
        mine = [q for q in points if q.L == L]
        ax.plot(ps, [formula(L, p) for p in ps], color=f"C{i}", lw=1.5, label=f"L = {L}: 1 + 2L/p + 2L²/p²")
        ax.errorbar([q.p for q in mine], [q.simulated for q in mine], yerr=[2 * q.se for q in mine],
                    fmt="o", ms=5, color=f"C{i}", mec="black", mew=0.6)
    n = points[0].n
    ax.plot([], [], "o", color="0.6", mec="black", mew=0.6, label=f"simulated ({replications} runs x {n} weeks)")
    ax.set_xlabel("p, weeks in the moving average")
    ax.set_ylabel("Var(q) / Var(D)")
    ax.set_title("Bullwhip of one stage, iid demand (Chen, Drezner, Ryan & Simchi-Levi 2000)", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", nargs="?", type=Path, default=DEFAULT_OUT, help=f"PNG to write (default {DEFAULT_OUT})")
    ap.add_argument("--replications", type=int, help="runs per point (default: the sweep file's, 2000)")
    ap.add_argument("--weeks", type=int, help="weeks per run (default: the sweep file's, 540)")
    ap.add_argument("--burn-in", type=int, help="weeks left out, > max p (default: the sweep file's, 40)")
    ap.add_argument("--leads", type=int, nargs="+", help="L values (default: the sweep file's, 1 2 3 4)")
    ap.add_argument("--ps", type=int, nargs="+", help="p values (default: the sweep file's, 2 3 4 5 7 10 15 20 25 30)")
    ap.add_argument("--workers", type=int, help="worker processes (default: one per CPU)")
    args = ap.parse_args(argv)
    if args.leads is not None and min(args.leads) < 1:
        ap.error(f"--leads: {min(args.leads)} is below 1 (order_delay is at least 1)")
    table = sweep_table(args.replications, args.weeks, args.burn_in, args.leads, args.ps)
    if table["burn_in"] <= max(table["grid"]["firms.retailer.policy.p"]):
        ap.error(f"--burn-in: {table['burn_in']} must exceed the largest p: the forecast window starts full of "
                 "the first week's demand")

    sweep = load_sweep(table, base_dir=HERE)
    results = run_sweep(sweep, workers=args.workers)
    found = points(results, sweep.scenario.weeks - sweep.burn_in)
    print(table_text(found))
    bad = [q for q in found if not q.agrees]
    print(f"\n{len(found) - len(bad)} of {len(found)} points within {Z_LIMIT:g} SE of their expectation; "
          f"largest |simulated/formula - 1| = {max(abs(q.simulated / q.formula - 1) for q in found):.2%}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    figure(found, sweep.replications).savefig(args.out, dpi=110)
    print(f"wrote {args.out}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
