"""The bullwhip of cash for a class: the subjects' rule against Sterman's benchmark on the cash board.

    python examples/teaching_cash.py [--replications R] [--seed S] [--out docs/img]

Plays the bundled ``cash`` board (Sterman's classic board with prices, 2-week payment terms and
$400 credit limits) under the subjects' mean rule (theta .36, alpha_s .26, beta .34, S' 17) and
under Sterman's benchmark rule (theta 0, alpha_s 1, beta 1, S' 28/28/28/20):

- on the classic step in demand (4 to 8 cases in week 5): one deterministic game each, so the
  difference is exact; with credit unlimited too, the working capital the rule alone ties up;
- on the same board with iid uniform 0..8 demand (the ``stochastic`` board's), R replications of
  each rule on the same seeds (common random numbers: replication r of both faces the same
  demand), reporting the paired difference subjects − benchmark with its 95% interval,
  mean ± t(0.975, R − 1)·sd/√R (chaingame.paired.interval).

It prints Markdown tables (what docs/teaching.md shows) and writes ``cash-working-capital.png``:
each firm's working capital week by week under both rules.

References:
    Sterman, J. D. (1989). Modeling managerial behavior. Management Science 35(3): 321-339.
    Tangsucheeva, R. & Prabhu, V. (2013). Modeling and analysis of cash-flow bullwhip in supply
    chain. Int. J. Production Economics 145(1): 431-447.
    Farris, M. T. & Hutchison, P. D. (2002). Cash-to-cash: the new supply chain management metric.
    Int. J. Physical Distribution & Logistics Management 32(4): 288-298.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np
import pandas as pd

import chaingame as cg
from chaingame.paired import interval
from chaingame.policies import Sterman

FIRMS = ("retailer", "wholesaler", "distributor", "factory")
BENCHMARK = {f: Sterman(0, 1, 1, 20 if f == "factory" else 28) for f in FIRMS}  # Sterman (1989), p. 334
UNIFORM = {"process": "uniform", "low": 0, "high": 8}  # the stochastic board's demand (Croson & Donohue 2006)


def board(credit: float = 400.0, demand: dict | None = None) -> cg.Scenario:
    """The cash board with every firm's credit limit at ``credit`` and, if given, another demand."""
    values = {"defaults.credit_limit": credit}
    if demand is not None:
        values["demand"] = demand
    return cg.load_scenario("cash").with_values(values)


def firm_figures(sc: cg.Scenario, policies=None, replications: int = 1, seed: int | None = None) -> pd.DataFrame:
    """Per (replication, firm): peak working capital, cash-to-cash cycle, interest, weeks insolvent, cost."""
    res = cg.simulate(sc, replications=replications, seed=seed, policies=policies, history=True)
    weeks = res.history.groupby(["replication", "firm"], sort=False)["insolvent"].sum().rename("weeks_insolvent")
    out = res.firms.set_index(["replication", "firm"])[["peak_working_capital", "cash_to_cash", "interest", "cost"]]
    return out.join(weeks)


def classic_step(credit: float = 400.0) -> pd.DataFrame:
    """The two rules on the classic step in demand: one game each (deterministic)."""
    a = firm_figures(board(credit)).xs(0, level="replication")
    b = firm_figures(board(credit), BENCHMARK).xs(0, level="replication")
    return pd.concat({"subjects": a, "benchmark": b}, axis=1)


def stochastic_effect(replications: int = 1000, seed: int = 2013) -> pd.DataFrame:
    """Peak working capital and interest paid per firm, subjects − benchmark, paired on the same seeds, with
    the 95% interval of the difference."""
    sc = board(demand=UNIFORM)
    a = firm_figures(sc, None, replications, seed)
    b = firm_figures(sc, BENCHMARK, replications, seed)
    rows = []
    for f in FIRMS:
        for m in ("peak_working_capital", "interest"):
            x, y = a[m].xs(f, level="firm"), b[m].xs(f, level="firm")
            d = interval(x - y)
            rows.append({"firm": f, "figure": m, "subjects": x.mean(), "benchmark": y.mean(),
                         "difference": d.mean, "low": d.low, "high": d.high})
    return pd.DataFrame(rows)


def working_capital_figure(credit: float = 400.0):
    """Each firm's working capital by week, both rules, on the classic step (a matplotlib Figure)."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 4, figsize=(14, 3.4), sharey=True)
    for name, pol, style in (("subjects' rule", None, "-"), ("benchmark rule", BENCHMARK, "--")):
        h = cg.ChainModel(board(credit), policies=pol).run().history()
        for ax, f in zip(axes, FIRMS):
            rows = h[h.firm == f]
            ax.plot(rows.week, rows.working_capital, style, label=name)
            ax.set_title(f)
            ax.set_xlabel("week")
    axes[0].set_ylabel("working capital ($)")
    axes[0].legend()
    fig.suptitle("The bullwhip of cash: stock at cost + receivables − payables")
    fig.tight_layout()
    return fig


def markdown_step(table: pd.DataFrame) -> str:
    lines = ["| firm | peak working capital: subjects | benchmark | ratio | weeks insolvent: subjects | "
             "benchmark | interest paid: subjects |", "|---|---|---|---|---|---|---|"]
    for f, r in table.iterrows():
        s, b = r[("subjects", "peak_working_capital")], r[("benchmark", "peak_working_capital")]
        lines.append(f"| {f} | {s:.0f} | {b:.0f} | {s / b:.1f} | {r[('subjects', 'weeks_insolvent')]:.0f} | "
                     f"{r[('benchmark', 'weeks_insolvent')]:.0f} | {r[('subjects', 'interest')]:.2f} |")
    return "\n".join(lines)


def markdown_effect(table: pd.DataFrame) -> str:
    lines = ["| firm | figure | subjects | benchmark | difference (95% interval) |", "|---|---|---|---|---|"]
    for r in table.itertuples():
        lines.append(f"| {r.firm} | {r.figure} | {r.subjects:.1f} | {r.benchmark:.1f} | "
                     f"{r.difference:+.1f} ({r.low:+.1f} to {r.high:+.1f}) |")
    return "\n".join(lines)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replications", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=2013)
    ap.add_argument("--out", type=Path, default=Path("docs/img"))
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for credit in (400.0, math.inf):
        print(f"classic step in demand, credit limit {credit:g}: one game per rule\n")
        print(markdown_step(classic_step(credit)) + "\n")
    print(f"uniform 0..8 demand, credit limit 400: {args.replications} paired replications, seed {args.seed}\n")
    print(markdown_effect(stochastic_effect(args.replications, args.seed)))
    working_capital_figure().savefig(args.out / "cash-working-capital.png", dpi=110)
    print(f"\nwrote {args.out / 'cash-working-capital.png'}")


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
