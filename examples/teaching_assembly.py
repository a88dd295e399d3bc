"""Assembly by bill of materials for a class: a label shortage idles bottles, on common random numbers.

    python examples/teaching_assembly.py [--replications R] [--seed S] [--out docs/img]

Plays the bundled ``assembly`` board (a brewery fills each case with 1 bottle and 1 label, bought
from a bottle maker and a label printer that can print 6 labels a week) against the same board with
an unlimited printer. The bundled board's demand is a step from 4 to 8 cases (deterministic: one
game is every game); the script also plays both on iid uniform 0..8 demand on the same seeds, so
replication r of both faces the very same customer demand (common random numbers), and reports the
paired difference of each figure with its 95% interval, mean ± t(0.975, R − 1)·sd/√R
(chaingame.paired.interval). It prints the Markdown tables docs/teaching.md shows and writes
``assembly-components.png``: the brewery's bottles and labels on hand and the cases it started,
week by week, in one game of each board.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

import chaingame as cg
from chaingame.engine import Engine
from chaingame.paired import interval

BURN_IN = 4  # weeks of fixed orders left out of the random-demand figures
RANDOM_DEMAND = {"process": "uniform", "low": 0, "high": 8}  # cases/week, as scenarios/stochastic.toml


def board(labels_capacity: float = 6, demand: dict | None = None) -> cg.Scenario:
    """The assembly board with the label printer's capacity (labels/week) and optionally another demand."""
    values = {"firms.labels.production.capacity": labels_capacity}
    if demand is not None:
        values["demand"] = demand
    return cg.load_scenario("assembly").with_values(values)


def component_weeks(sc: cg.Scenario, seed: int = 1) -> pd.DataFrame:
    """One game, week by week: the brewery's bottles and labels on hand (end of week) and cases started."""
    engine = Engine(sc, replications=1, seed=seed)
    b = sc.firm_ids.index("brewery")
    links = [next(k for k, link in enumerate(sc.links) if link.supplier == s and link.customer == "brewery")
             for s in ("bottles", "labels")]
    rows = []
    while not engine.done:
        engine.step()
        rows.append({"week": engine.week, "bottles on hand": engine.state.parts[links[0], 0],
                     "labels on hand": engine.state.parts[links[1], 0], "cases started": engine.flows.started[b, 0]})
    return pd.DataFrame(rows).set_index("week")


def figures_per_replication(sc: cg.Scenario, replications: int, seed: int, burn_in: int = 0) -> pd.DataFrame:
    """One row per replication: the brewery's cases made, its mean raw stock (idle components), its
    holding cost, the retailer's fill rate and the team's operating cost."""
    res = cg.simulate(sc, replications=replications, seed=seed, history=True, burn_in=burn_in)
    h = res.history[res.history.week > burn_in]
    brewery = h[h.firm == "brewery"].groupby("replication")
    firms = res.firms.set_index(["replication", "firm"])
    return pd.DataFrame({
        "cases the brewery made": brewery.produced.sum(),
        "brewery components idle, mean (units)": brewery.raw.mean(),
        "retailer fill rate": firms.fill_rate.xs("retailer", level="firm"),
        "brewery operating cost ($)": firms.cost.xs("brewery", level="firm"),
        "team operating cost ($)": res.chain.set_index("replication").cost,
    })


def paired(a: pd.DataFrame, b: pd.DataFrame, names=("printer 6/week", "unlimited printer")) -> pd.DataFrame:
    """Per figure: the mean of ``a``, of ``b``, and of the paired difference a − b with its 95% interval."""
    d = {c: interval(a[c] - b[c]) for c in a.columns}
    return pd.DataFrame({names[0]: a.mean(), names[1]: b.mean(), "difference": {c: i.mean for c, i in d.items()},
                         "low": {c: i.low for c, i in d.items()}, "high": {c: i.high for c, i in d.items()}})


def step_demand_effect() -> pd.DataFrame:
    """The bundled board (step demand) against the unlimited printer: one game each (deterministic)."""
    return pd.concat([figures_per_replication(board(), 1, 1).iloc[0].rename("printer 6/week"),
                      figures_per_replication(board(np.inf), 1, 1).iloc[0].rename("unlimited printer")], axis=1)


def random_demand_effect(replications: int = 1000, seed: int = 2026) -> pd.DataFrame:
    """The printer's limit under uniform 0..8 demand, paired on the same seeds."""
    return paired(figures_per_replication(board(6, RANDOM_DEMAND), replications, seed, BURN_IN),
                  figures_per_replication(board(np.inf, RANDOM_DEMAND), replications, seed, BURN_IN))


def plot_components(out: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
    for ax, (title, sc) in zip(axes, (("label printer: 6 labels/week", board()),
                                      ("unlimited label printer", board(np.inf)))):
        weeks = component_weeks(sc)
        for column in weeks:
            ax.plot(weeks.index, weeks[column], label=column)
        ax.set_title(f"brewery, {title}")
        ax.set_xlabel("week")
    for ax in axes:
        ax.set_ylabel("units")
    axes[0].legend()
    fig.tight_layout()
    path = out / "assembly-components.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def markdown(table: pd.DataFrame) -> str:
    lines = []
    if "difference" in table:
        a, b = table.columns[:2]
        lines += [f"| figure | {a} | {b} | difference (95% interval) |", "|---|---|---|---|"]
        for name, r in table.iterrows():
            lines.append(f"| {name} | {r[a]:.2f} | {r[b]:.2f} | {r['difference']:+.2f} "
                         f"({r['low']:+.2f} to {r['high']:+.2f}) |")
    else:
        a, b = table.columns
        lines += [f"| figure | {a} | {b} |", "|---|---|---|"]
        for name, r in table.iterrows():
            lines.append(f"| {name} | {r[a]:.2f} | {r[b]:.2f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", type=Path, default=Path("docs/img"))
    args = parser.parse_args()
    print("Step demand 4 -> 8 (the bundled board), one game each:\n")
    print(markdown(step_demand_effect()))
    print(f"\nUniform 0..8 demand, {args.replications} paired replications (weeks {BURN_IN + 1}-36):\n")
    print(markdown(random_demand_effect(args.replications, args.seed)))
    args.out.mkdir(parents=True, exist_ok=True)
    print(f"\nwrote {plot_components(args.out)}")


if __name__ == "__main__":
    main()
