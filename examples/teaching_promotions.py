"""Price fluctuations for a class: hi-lo promotions against everyday-low prices, on common random numbers.

    python examples/teaching_promotions.py [--replications R] [--seed S] [--out docs/img]

Plays the bundled ``promotions`` board (a trade deal every fourth week, 20% off on the distributor ->
retailer link, a forward-buying retailer) and its everyday-low-price twin (no schedule, the same
mean price: $9.50) on the same seeds, so that replication r of both faces the very same customer
demand (common random numbers), and reports the paired difference of each figure with its 95%
interval, mean ± t(0.975, R − 1)·sd/√R (chaingame.paired.interval). It also sweeps the discount
depth (0% to 30% off) on the same seeds.
It prints a Markdown table (what docs/teaching.md shows) and writes two figures:

- ``promotions-orders.png``: orders placed per firm in one game of each, side by side;
- ``promotions-depth.png``: each firm's Var(orders)/Var(demand) against the discount depth.

References:
    Lee, H. L., Padmanabhan, V. & Whang, S. (1997). Information distortion in a supply chain: the
    bullwhip effect. Management Science 43(4): 546-558.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

import chaingame as cg
from chaingame import figures
from chaingame.paired import interval

REGULAR = 10.0  # $/case, the distributor's regular price to the retailer (scenarios/promotions.toml)
EVERYDAY_LOW = 9.5  # $/case: the hi-lo schedule's mean price (one week in four at $8)
BURN_IN = 4  # weeks of fixed orders upstream left out of the figures


def hi_lo(depth: float = 0.2) -> cg.Scenario:
    """The promotions board with its deals at ``depth`` off the regular price."""
    return cg.load_scenario("promotions").with_values({"links.0.price_schedule.0.price": REGULAR * (1 - depth)})


def everyday_low() -> cg.Scenario:
    """The same board without promotions, at the hi-lo schedule's mean price."""
    return cg.load_scenario("promotions").with_values({"links.0.price_schedule": [], "links.0.price": EVERYDAY_LOW})


def figures_per_replication(sc: cg.Scenario, replications: int, seed: int) -> pd.DataFrame:
    """One row per replication: each firm's Var(orders)/Var(demand), the team's operating cost, the
    retailer's operating cost and the distributor's profit."""
    res = cg.simulate(sc, replications=replications, seed=seed, burn_in=BURN_IN)
    firms = res.firms.set_index(["replication", "firm"])
    out = pd.DataFrame({f"Var(orders)/Var(demand), {f}": firms.bullwhip.xs(f, level="firm")
                        for f in ("retailer", "distributor", "factory")})
    out["team operating cost ($)"] = res.chain.set_index("replication").cost
    out["retailer operating cost ($)"] = firms.cost.xs("retailer", level="firm")
    out["distributor profit ($)"] = firms.profit.xs("distributor", level="firm")
    return out


def paired(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """Per figure: the mean of ``a``, of ``b``, and of the paired difference a − b with its 95% interval."""
    d = {c: interval(a[c] - b[c]) for c in a.columns}
    return pd.DataFrame({"hi-lo": a.mean(), "everyday low": b.mean(), "difference": {c: i.mean for c, i in d.items()},
                         "low": {c: i.low for c, i in d.items()}, "high": {c: i.high for c, i in d.items()}})


def promotions_effect(replications: int = 1000, seed: int = 1997) -> pd.DataFrame:
    """Hi-lo (20% off every fourth week) against everyday-low prices, paired on the same seeds."""
    return paired(figures_per_replication(hi_lo(), replications, seed),
                  figures_per_replication(everyday_low(), replications, seed))


def depth_sweep(depths=(0.0, 0.05, 0.10, 0.15, 0.20, 0.25, 0.30), replications: int = 400,
                seed: int = 1997) -> pd.DataFrame:
    """Each firm's Var(orders)/Var(demand) against the discount depth (mean and 95% interval), same seeds."""
    rows = []
    for depth in depths:
        res = cg.simulate(hi_lo(depth), replications=replications, seed=seed, burn_in=BURN_IN)
        for firm, g in res.firms.groupby("firm", sort=False):
            x = interval(g.bullwhip.to_numpy())  # the t interval of a mean, as of a mean difference
            rows.append({"firm": firm, "discount": depth, "n": x.n, "mean": x.mean, "low": x.low, "high": x.high})
    return pd.DataFrame(rows)


def markdown(table: pd.DataFrame) -> str:
    lines = ["| figure | hi-lo | everyday low | difference (95% interval) |", "|---|---|---|---|"]
    for name, r in table.iterrows():
        lines.append(f"| {name} | {r['hi-lo']:.2f} | {r['everyday low']:.2f} | "
                     f"{r['difference']:+.2f} ({r['low']:+.2f} to {r['high']:+.2f}) |")
    return "\n".join(lines)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replications", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1997)
    ap.add_argument("--out", type=Path, default=Path("docs/img"))
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    table = promotions_effect(args.replications, args.seed)
    print(f"promotions against everyday-low prices, {args.replications} paired replications, seed {args.seed}\n")
    print(markdown(table))

    games = {"hi-lo: 20% off every 4th week": cg.ChainModel(hi_lo(), seed=args.seed).run().history(),
             "everyday low ($9.50)": cg.ChainModel(everyday_low(), seed=args.seed).run().history()}
    figures.orders_figure(games, title="Orders placed: promotions against everyday-low prices").savefig(
        args.out / "promotions-orders.png", dpi=120)
    sweep = depth_sweep(replications=max(2, args.replications // 2), seed=args.seed)
    figures.sweep_figure(sweep, "discount", "Var(orders) / Var(demand)",
                         title="Forward buying: order variance against the promotion's depth").savefig(
        args.out / "promotions-depth.png", dpi=120)
    print("\n" + sweep.round(3).to_string(index=False))


if __name__ == "__main__":
    main()
