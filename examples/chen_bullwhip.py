"""Reproduce Chen, Drezner, Ryan & Simchi-Levi (2000): bullwhip ratio against p for several L.

    python examples/chen_bullwhip.py [OUT.png] [--replications R] [--weeks W] [--burn-in B]
                                     [--leads 1 2 3 4] [--ps 2 3 5 10 20 30] [--seed S]

One stage (a retailer supplied by the outside source) facing iid normal demand orders with
``MovingAverageOrderUpTo(p, lead_time=L)``: an order-up-to level y_t = L·μ̂_t over a p-week moving
average, z = 0. For each (L, p) the script plays R replications of W weeks at once with
``chaingame.simulate`` and prints, and plots over the curves

    Var(q)/Var(D) = 1 + 2L/p + 2L²/p²          (Chen et al. 2000, Management Science 46(3), iid demand)

the simulated ratio. The set-up that makes the engine's numbers the paper's numbers (see
tests/reference/test_chen2000.py and docs/model.md, "Delays and lead time"):

- L = order_delay + shipping_delay with order_delay = 1, so shipping_delay = L − 1;
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
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import chaingame as cg
from chaingame.policies import MovingAverageOrderUpTo

MEAN = 100.0  # units/week: mean customer demand
SD = 2.0  # units/week: its standard deviation (small against MEAN: no order ever reaches 0)
Z_LIMIT = 4.0  # standard errors allowed between a simulated point and its expectation
DEFAULT_OUT = Path(__file__).with_name("chen_bullwhip.png")


def formula(L: float, p: int) -> float:
    """Chen et al. (2000), iid demand, z = 0: Var(q)/Var(D) = 1 + 2L/p + 2L²/p²."""
    return 1 + 2 * L / p + 2 * L**2 / p**2


def expected(L: float, p: int, n: int) -> float:
    """E of the pooled ratio of sample variances over n weeks: K + (K − 1)/(n − 1), K the formula."""
    k = formula(L, p)
    return k + (k - 1) / (n - 1)


def one_stage(L: int, weeks: int) -> cg.Scenario:
    """A retailer supplied by the source (returns accepted) with lead time L = 1 + (L − 1)."""
    order_delay, shipping_delay = 1, L - 1
    link = {"supplier": "source", "customer": "retailer", "order_delay": order_delay,
            "shipping_delay": shipping_delay, "orders": [MEAN] * order_delay, "returns": True}
    if shipping_delay:
        link["shipments"] = [MEAN] * shipping_delay
    return cg.from_table({
        "name": f"chen2000-L{L}", "weeks": weeks, "whole_units": False,
        "demand": {"process": "normal", "mean": MEAN, "sd": SD},
        "firms": {"retailer": {"role": "retailer", "inventory": 0.0, "last_order": MEAN,
                               "holding_cost": 0.0, "backlog_cost": 0.0}},
        "links": [link],
    })


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


def measure(L: int, p: int, replications: int, weeks: int, burn_in: int, seed: int) -> Point:
    """Simulate one (L, p) point: R replications of ``weeks`` weeks, the first ``burn_in`` dropped."""
    rule = MovingAverageOrderUpTo(p=p, lead_time=float(L))
    firms = cg.simulate(one_stage(L, weeks), replications, seed, {"retailer": rule}, burn_in=burn_in).firms
    a = firms["order_sd"].to_numpy() ** 2  # s²_q per replication
    b = a / firms["bullwhip"].to_numpy()  # s²_D per replication (bullwhip = s²_q / s²_D)
    ratio = a.sum() / b.sum()
    se = np.std(a - ratio * b, ddof=1) / (b.mean() * np.sqrt(len(a)))
    return Point(L, p, float(ratio), float(se), weeks - burn_in)


def table(points: list[Point]) -> str:
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
    ap.add_argument("--replications", type=int, default=2000, help="runs per point (default 2000)")
    ap.add_argument("--weeks", type=int, default=540, help="weeks per run (default 540)")
    ap.add_argument("--burn-in", type=int, default=40, help="weeks left out, > max p (default 40)")
    ap.add_argument("--leads", type=int, nargs="+", default=[1, 2, 3, 4], help="L values (default 1 2 3 4)")
    ap.add_argument("--ps", type=int, nargs="+", default=[2, 3, 4, 5, 7, 10, 15, 20, 25, 30],
                    help="p values (default 2 3 4 5 7 10 15 20 25 30)")
    ap.add_argument("--seed", type=int, default=2000, help="root seed (default 2000)")
    args = ap.parse_args(argv)
    if args.burn_in <= max(args.ps):
        ap.error(f"--burn-in: {args.burn_in} must exceed the largest p ({max(args.ps)}): "
                 "the forecast window starts full of the first week's demand")
    if min(args.leads) < 1:
        ap.error(f"--leads: {min(args.leads)} is below 1 (order_delay is at least 1)")

    points = [measure(L, p, args.replications, args.weeks, args.burn_in, args.seed)
              for L in args.leads for p in args.ps]
    print(table(points))
    bad = [q for q in points if not q.agrees]
    print(f"\n{len(points) - len(bad)} of {len(points)} points within {Z_LIMIT:g} SE of their expectation; "
          f"largest |simulated/formula - 1| = {max(abs(q.simulated / q.formula - 1) for q in points):.2%}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    figure(points, args.replications).savefig(args.out, dpi=110)
    print(f"wrote {args.out}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
