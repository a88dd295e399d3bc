"""The four base boards for a class: ``classic``, ``stochastic``, ``network`` and ``capacity``, each
against a baseline that removes its teaching point.

    python examples/teaching_boards.py [--replications R] [--seed S]

- ``classic`` (nothing random: one game each, exact): Sterman's subjects' mean rule (θ = 0.36,
  α_S = 0.26, β = 0.34, S' = 17) against his benchmark rule (θ = 0, α_S = 1, β = 1,
  S' = 28, 28, 28, 20), which costs $204 (Sterman 1989);
- ``stochastic``: the same rule and board, demand iid uniform on 0..8; each firm's bullwhip ratio
  Var(orders)/Var(demand) over weeks 5-48 (the rule decides from week 5) against 1, the ratio
  of a firm that passes demand on (R replications, a 95% interval of the mean);
- ``network``: north's figures with south's demand surge (4 to 8 in week 8) against south's demand
  steady at 4, on the same seeds: north's demand is the same in both (common random numbers),
  so the differences are what the shared distributor's shortage passes from south to north;
- ``capacity`` (deterministic): demand rising from 8 to 12 above the manufacturer's capacity of 10
  against demand staying at 8.

A difference is the mean of the paired differences board − baseline with a 95% interval,
mean ± t(0.975, R − 1) · sd / √R (chaingame.paired.interval) ("exact" for one deterministic game each).

References:
    Sterman, J. D. (1989). Modeling managerial behavior: misperceptions of feedback in a dynamic
    decision making experiment. Management Science 35(3): 321-339.
    Croson, R. & Donohue, K. (2006). Behavioral causes of the bullwhip effect and the observed
    value of inventory information. Management Science 52(3): 323-336.
    Lee, H. L., Padmanabhan, V. & Whang, S. (1997). Information distortion in a supply chain: the
    bullwhip effect. Management Science 43(4): 546-558.
    Sterman, J. D. (2000). Business Dynamics, ch. 17-18. Irwin/McGraw-Hill.
"""

from __future__ import annotations

import argparse

import numpy as np

import chaingame as cg
from chaingame import policies as pol
from chaingame.batch import run_arrays
from chaingame.paired import interval as paired_interval

REPLICATIONS = 2000  # paired replications of a random board
SEED = 2026  # root seed of every comparison
FIXED_WEEKS = 4  # orders fixed at 4 in weeks 1-4 on classic and stochastic
BENCHMARK_S_PRIME = {"retailer": 28, "wholesaler": 28, "distributor": 28, "factory": 20}  # Sterman (1989)


def interval(d: np.ndarray) -> str:
    """Mean of paired differences with its 95% interval ("exact" for one game)."""
    if len(d) == 1:
        return f"{d[0]:+.2f} (exact)"
    i = paired_interval(d)
    return f"{i.mean:+.2f} [{i.low:+.2f}, {i.high:+.2f}]"


def row(board: str, figure: str, base: np.ndarray, treated: np.ndarray, baseline: str) -> dict:
    return {"board": board, "figure": figure, "baseline": baseline, "base": float(np.mean(base)),
            "board mean": float(np.mean(treated)), "effect": interval(np.asarray(treated - base, dtype=float))}


def classic() -> list[dict]:
    """The subjects' mean rule against Sterman's benchmark rule on the classic board."""
    sc = cg.load_scenario("classic")
    bench = {f: pol.Sterman(theta=0, alpha_s=1, beta=1, s_prime=s) for f, s in BENCHMARK_S_PRIME.items()}
    runs = {name: run_arrays(sc, 1, sc.seed, policies)[1] for name, policies in (("benchmark", bench),
                                                                                  ("subjects", None))}
    f = sc.firm_ids.index("factory")
    cost = {k: c["cost"].sum(axis=(0, 1)) for k, c in runs.items()}
    var = {k: c["order_placed"][FIXED_WEEKS:, f].var(axis=0, ddof=1) for k, c in runs.items()}
    return [row("classic", "team cost ($)", cost["benchmark"], cost["subjects"], "benchmark rule"),
            row("classic", "factory order variance", var["benchmark"], var["subjects"], "benchmark rule")]


def stochastic(replications: int, seed: int) -> list[dict]:
    """Each firm's bullwhip ratio on iid demand against 1 (orders as variable as demand)."""
    sc = cg.load_scenario("stochastic")
    _, cols = run_arrays(sc, replications, seed)
    demand = cols["customer_demand"][FIXED_WEEKS:, sc.firm_ids.index("retailer")].var(axis=0, ddof=1)
    ratio = cols["order_placed"][FIXED_WEEKS:].var(axis=0, ddof=1) / demand
    return [row("stochastic", f"bullwhip at the {firm}", np.ones(replications), ratio[i], "ratio 1 (pass demand on)")
            for i, firm in enumerate(sc.firm_ids)]


def network(replications: int, seed: int) -> list[dict]:
    """North's fill rate and cost, and the distributor's peak order, with south's surge against
    south's demand steady at 4."""
    surge = cg.load_scenario("network")
    steady = surge.with_values({"firms.south.demand": {"process": "constant", "level": 4}})
    out = {}
    for name, sc in (("steady", steady), ("surge", surge)):
        res = cg.simulate(sc, replications, seed=seed)
        north = res.firms[res.firms.firm == "north"].set_index("replication")
        distributor = res.firms[res.firms.firm == "distributor"].set_index("replication")
        out[name] = {"north's fill rate (%)": 100 * north.fill_rate.to_numpy(),
                     "north's cost ($)": north.cost.to_numpy(),
                     "distributor's peak order": distributor.peak_order.to_numpy()}
    return [row("network", k, out["steady"][k], out["surge"][k], "south steady at 4") for k in out["surge"]]


def capacity() -> list[dict]:
    """The demand rise above capacity against demand staying at 8 (one game each)."""
    rise = cg.load_scenario("capacity")
    flat = rise.with_values({"demand.final": rise.table["demand"]["initial"]})
    out = {}
    for name, sc in (("flat", flat), ("rise", rise)):
        res = cg.simulate(sc, 1, seed=sc.seed)
        retailer = res.firms[res.firms.firm == "retailer"]
        manufacturer = res.firms[res.firms.firm == "manufacturer"]
        out[name] = {"team cost ($)": res.chain.cost.to_numpy(),
                     "retailer's fill rate (%)": 100 * retailer.fill_rate.to_numpy(),
                     "manufacturer's peak order": manufacturer.peak_order.to_numpy()}
    return [row("capacity", k, out["flat"][k], out["rise"][k], "demand stays at 8") for k in out["rise"]]


def table(rows: list[dict]) -> str:
    """A Markdown table of the rows."""
    lines = ["| board | figure | baseline | baseline → board | Δ [95%] |", "|---|---|---|---|---|"]
    lines += [f"| `{r['board']}` | {r['figure']} | {r['baseline']} | {r['base']:.2f} → {r['board mean']:.2f} "
              f"| {r['effect']} |" for r in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=REPLICATIONS)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    print(table(classic() + stochastic(args.replications, args.seed) + network(args.replications, args.seed)
                + capacity()))


if __name__ == "__main__":
    main()
