"""The measured effect of order batching (bundled scenario ``batching``) against a no-batching baseline.

    python examples/batching_effect.py [--replications R] [--seed S] [--figure OUT.png]

Four variants of the ``batching`` board run on common random numbers (replication r of every
variant faces the same customer demand, drawn from the run seed):

- ``weekly`` (the baseline, no batching): every retailer reviews every week, its base-stock level
  lowered from 32 to 20 cases, by the 3 weeks of demand (3 × 4 cases) that a 4-week review must
  cover beyond a weekly one, so that its safety stock stays 8 cases;
- ``synchronized`` (the scenario as bundled): every 4 weeks, all four in the same week;
- ``staggered`` (``review_phases = "staggered"``): every 4 weeks, one retailer a week;
- ``random`` (``review_phases = "random"``): every 4 weeks, phases drawn from the scenario's seed.

For each replication it measures, over weeks ``BURN_IN + 1 .. 52``: the variance of the
distributor's incoming orders over that of total customer demand (the closed forms' ratio: 1
staggered, 29.8 synchronized), the distributor's and the factory's bullwhip (variance of the
orders they place over that of customer demand), and the team's total cost. Each variant's
difference from the baseline is the mean of the paired differences with a 95% interval,
mean ± t(0.975, R − 1)·sd/√R (chaingame.paired.interval). It prints a Markdown table (the one in
docs/teaching.md) and, with ``--figure``, draws one replication's orders, synchronized beside staggered.

Reference: Lee, H. L., Padmanabhan, V. & Whang, S. (1997). Information distortion in a supply
chain: the bullwhip effect. Management Science 43(4), 546-558.
"""

from __future__ import annotations

import argparse

import numpy as np

import chaingame as cg
from chaingame.batch import run_arrays
from chaingame.paired import interval

BURN_IN = 8  # weeks left out; the 44 weeks kept are a whole number of 4-week cycles
RETAILERS = ("r1", "r2", "r3", "r4")
WEEKLY_LEVEL = 20  # base-stock level with a weekly review: 3 weeks' lead time x 4 cases + 8 safety


def variants() -> dict[str, cg.Scenario]:
    """The baseline and the three batching variants of the bundled ``batching`` scenario."""
    sc = cg.load_scenario("batching")
    weekly = {f"firms.{r}.{k}": v for r in RETAILERS
              for k, v in (("review_period", 1), ("policy.level", WEEKLY_LEVEL), ("inventory", WEEKLY_LEVEL))}
    return {"weekly": sc.with_values(weekly), "synchronized": sc,
            "staggered": sc.with_values({"review_phases": "staggered"}),
            "random": sc.with_values({"review_phases": "random"})}


def measures(sc: cg.Scenario, replications: int, seed: int) -> dict[str, np.ndarray]:
    """Per replication (R,): the distributor's incoming-order ratio, bullwhip at the distributor and
    the factory, and the team's cost."""
    _, cols = run_arrays(sc, replications, seed)
    ids = sc.firm_ids
    demand = cols["customer_demand"][BURN_IN:, [ids.index(r) for r in RETAILERS]].sum(axis=1)
    var_d = demand.var(axis=0, ddof=1)

    def ratio(column: str, firm: str) -> np.ndarray:
        return cols[column][BURN_IN:, ids.index(firm)].var(axis=0, ddof=1) / var_d

    return {"incoming ratio at the distributor": ratio("incoming_order", "distributor"),
            "bullwhip at the distributor": ratio("order_placed", "distributor"),
            "bullwhip at the factory": ratio("order_placed", "factory"),
            "team cost ($)": cols["cost"].sum(axis=(0, 1))}


def batching_effect(replications: int = 1000, seed: int = 1, baseline: str = "weekly",
                    runs: dict | None = None) -> list[dict]:
    """Rows of (variant, measure, mean, difference from ``baseline``, 95% interval of the difference);
    ``runs`` are the :func:`measures` of each variant when already measured."""
    runs = runs or {name: measures(sc, replications, seed) for name, sc in variants().items()}
    base = runs[baseline]
    rows = []
    for name, got in runs.items():
        for measure, values in got.items():
            d = interval(values - base[measure])
            rows.append({"variant": name, "measure": measure, "mean": values.mean(), "baseline": baseline,
                         "difference": d.mean, "low": d.low, "high": d.high})
    return rows


def markdown(rows: list[dict]) -> str:
    baseline = rows[0]["baseline"]
    lines = [f"| variant | measure | mean | vs {baseline} (95% interval) |", "|---|---|---|---|"]
    for r in rows:
        vs = "baseline" if r["variant"] == baseline else \
            f"{r['difference']:+.2f} ({r['low']:+.2f} to {r['high']:+.2f})"
        lines.append(f"| {r['variant']} | {r['measure']} | {r['mean']:.2f} | {vs} |")
    return "\n".join(lines)


def figure(path: str, seed: int) -> None:
    """One replication's orders, synchronized beside staggered."""
    from chaingame.figures import orders_figure, png_bytes

    runs = variants()
    histories = {name: cg.ChainModel(runs[name], seed=seed).run().history() for name in ("synchronized", "staggered")}
    fig = orders_figure(histories, title="Order batching: synchronized vs staggered review cycles")
    with open(path, "wb") as out:
        out.write(png_bytes(fig))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--figure", help="write one replication's orders to this PNG")
    args = parser.parse_args()
    runs = {name: measures(sc, args.replications, args.seed) for name, sc in variants().items()}
    print(markdown(batching_effect(runs=runs)))  # the cause: batching against no batching
    print()
    cures = {name: runs[name] for name in ("synchronized", "staggered", "random")}
    print(markdown(batching_effect(baseline="synchronized", runs=cures)))  # the cure: balanced cycles
    if args.figure:
        figure(args.figure, args.seed)


if __name__ == "__main__":
    main()
