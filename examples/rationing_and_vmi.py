"""Measured effects of two levers on common random numbers: turn-and-earn allocation and VMI.

    python examples/rationing_and_vmi.py [--replications R] [--seed S] [--figures DIR]

Each function pairs a scenario with its baseline on the same seeds (replication r of both faces
the same customer demand), and reports the mean of each measure and the paired difference with
a 95% interval, mean ± t(0.975, R − 1)·sd/√R (chaingame.paired.interval) of the R paired differences:

- :func:`rationing`: ``scenarios/rationing.toml`` (proportional allocation, two of four retailers
  gaming) against the same file with ``allocation = "turn_and_earn"`` (Cachon & Lariviere 1999);
- :func:`vmi`: the stochastic board (iid uniform 0..8 demand) with and without vendor-managed
  inventory on the wholesaler -> retailer link (Disney & Towill 2003), and ``scenarios/vmi.toml``
  against ``classic`` (deterministic: one run each).

``--figures DIR`` writes ``teaching-rationing.png`` and ``teaching-vmi.png`` there (the figures of
docs/teaching.md).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

import chaingame as cg
from chaingame.batch import run_arrays
from chaingame.paired import interval

GAMERS = ("south", "west")  # the two gaming retailers of scenarios/rationing.toml
HONEST = ("north", "east")


def paired(name: str, base: np.ndarray, lever: np.ndarray) -> dict:
    """Means and the paired difference lever − base with its 95% interval."""
    d = interval(lever - base)
    return {"measure": name, "baseline": base.mean(), "lever": lever.mean(), "difference": d.mean,
            "low": d.low, "high": d.high}


def rationing_measures(sc: cg.Scenario, replications: int, seed: int, first_week: int = 11) -> dict[str, np.ndarray]:
    """Per replication: the gamers' share of what the factory shipped to retailers (weeks
    ``first_week``..W), the honest and the gaming retailers' costs, the team cost."""
    _, cols = run_arrays(sc, replications, seed)
    ids = list(sc.firm_ids)
    got = cols["received"][first_week - 1:]
    shops = [ids.index(f) for f in (*GAMERS, *HONEST)]
    cost = cols["cost"].sum(axis=0)
    return {
        "gamers' share of the factory's shipments": got[:, [ids.index(g) for g in GAMERS]].sum(axis=(0, 1))
        / got[:, shops].sum(axis=(0, 1)),
        "honest retailers' cost ($)": cost[[ids.index(f) for f in HONEST]].sum(axis=0),
        "gaming retailers' cost ($)": cost[[ids.index(f) for f in GAMERS]].sum(axis=0),
        "team cost ($)": cost.sum(axis=0),
    }


def rationing(replications: int = 1000, seed: int = 1) -> list[dict]:
    """Proportional allocation (the file) against turn-and-earn, paired."""
    sc = cg.load_scenario("rationing")
    base = rationing_measures(sc, replications, seed)
    lever = rationing_measures(sc.with_values({"allocation": "turn_and_earn"}), replications, seed)
    return [paired(k, base[k], lever[k]) for k in base]


def vmi_measures(sc: cg.Scenario, replications: int, seed: int) -> dict[str, np.ndarray]:
    """Per replication: each upstream firm's bullwhip (order variance over demand variance) and
    the team cost."""
    res = cg.simulate(sc, replications, seed=seed)
    bw = res.firms.set_index(["replication", "firm"]).bullwhip.unstack()
    return {**{f"bullwhip at the {f}": bw[f].to_numpy() for f in ("wholesaler", "distributor", "factory")},
            "team cost ($)": res.chain.cost.to_numpy()}


def vmi(replications: int = 1000, seed: int = 1) -> list[dict]:
    """The stochastic board with and without VMI on the wholesaler -> retailer link, paired; and
    the classic board (one deterministic run) against scenarios/vmi.toml."""
    board = cg.load_scenario("stochastic")
    base = vmi_measures(board, replications, seed)
    lever = vmi_measures(board.with_values({"links.0.vmi": True}), replications, seed)
    rows = [paired(k, base[k], lever[k]) for k in base]
    classic, managed = (cg.ChainModel(name).run().history() for name in ("classic", "vmi"))
    for firm in ("wholesaler", "distributor", "factory"):
        a, b = (h[h.firm == firm].order_placed.var() for h in (classic, managed))
        rows.append({"measure": f"classic board: order variance at the {firm}", "baseline": a, "lever": b,
                     "difference": b - a, "low": np.nan, "high": np.nan})
    a, b = classic.cost.sum(), managed.cost.sum()
    rows.append({"measure": "classic board: team cost ($)", "baseline": a, "lever": b, "difference": b - a,
                 "low": np.nan, "high": np.nan})
    return rows


def markdown(rows: list[dict], baseline: str, lever: str) -> str:
    lines = [f"| measure | {baseline} | {lever} | difference (95% interval) |", "|---|---|---|---|"]
    for r in rows:
        interval = "" if np.isnan(r["low"]) else f" ({_num(r['low'], '+')} to {_num(r['high'], '+')})"
        lines.append(f"| {r['measure']} | {_num(r['baseline'])} | {_num(r['lever'])} | "
                     f"{_num(r['difference'], '+')}{interval} |")
    return "\n".join(lines)


def _num(x: float, sign: str = "") -> str:
    """Three significant figures, whole numbers from 1000 up."""
    return f"{x:{sign}.0f}" if abs(x) >= 1000 else f"{x:{sign}.3g}"


def figures(folder: Path, seed: int) -> None:
    """One replication of rationing under both rules (what each retailer received, week by week),
    and the orders of the classic board beside the VMI board."""
    from chaingame.figures import orders_figure, png_bytes

    sc = cg.load_scenario("rationing")
    runs = {rule: cg.ChainModel(sc.with_values({"allocation": rule}), seed=seed).run().history()
            for rule in ("proportional", "turn_and_earn")}
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9.0, 3.6), layout="constrained")
    axes = fig.subplots(1, 2, sharey=True)
    for ax, (rule, h) in zip(axes, runs.items()):
        for firm in (*GAMERS, *HONEST):
            got = h[h.firm == firm].received.cumsum().to_numpy()
            ax.plot(np.arange(1, len(got) + 1), got, ls="-" if firm in GAMERS else "--",
                    label=f"{firm} ({'gaming' if firm in GAMERS else 'honest'})")
        ax.set_title(f"allocation = {rule}")
        ax.set_xlabel("week")
    axes[0].set_ylabel("cases received since week 1")
    axes[0].legend(fontsize=8)
    fig.suptitle("Rationing: a factory of capacity 16 and four retailers, two of them gaming")
    (folder / "teaching-rationing.png").write_bytes(png_bytes(fig))
    histories = {name: cg.ChainModel(name).run().history() for name in ("classic", "vmi")}
    fig = orders_figure(histories, title="Orders placed: the classic board and the same board with VMI")
    (folder / "teaching-vmi.png").write_bytes(png_bytes(fig))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--figures", type=Path, help="write the two teaching figures into this folder")
    args = parser.parse_args()
    print(markdown(rationing(args.replications, args.seed), "proportional", "turn_and_earn"))
    print()
    print(markdown(vmi(args.replications, args.seed), "no VMI", "VMI"))
    if args.figures:
        args.figures.mkdir(parents=True, exist_ok=True)
        figures(args.figures, args.seed)


if __name__ == "__main__":
    main()
