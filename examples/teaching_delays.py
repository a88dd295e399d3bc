"""Delays as levers: classic against ``lead-time-variability``, ``fast-shipping`` and ``edi``.

    python examples/teaching_delays.py [--replications R] [--seed S] [--figure OUT.png]

Each bundled lever is a copy of ``classic`` changed in its links only (docs/teaching.md):

- ``lead-time-variability``: each shipping delay between firms drawn per shipment from
  {1, 2, 3} weeks with probabilities 1/4, 1/2, 1/4 (mean 2, as classic's fixed 2);
- ``fast-shipping``: shipping delays between firms 1 week instead of 2;
- ``edi``: order delays between firms 1 week instead of 2.

Every scenario keeps classic's rules (Sterman's anchoring and adjustment with his subjects' mean
estimates, θ = 0.36, α_S = 0.26, β = 0.34, S' = 17) and is compared with its baseline on two boards:

- **classic board** (customer demand steps from 4 to 8 in week 5, no randomness): ``fast-shipping``
  and ``edi`` are one deterministic game each, so their difference from classic is exact;
  ``lead-time-variability`` draws its delays, so R replications are compared with the one classic
  game;
- **stochastic board** (``stochastic``: the same board with iid demand uniform on 0..8, Croson &
  Donohue 2006): the lever's links replace stochastic's (``with_values({"links": ...})``) and R
  replications of baseline and lever run on the same seed. Replication r sees the same demand in
  both (its random delays, if any, come from a stream of their own: chaingame/delays.py), so the
  difference is paired, replication by replication (common random numbers).

The figures are per replication: team cost (the four firms' cost over the horizon, $), the
factory's order variance (sample variance of its weekly orders) and its bullwhip ratio (that
variance over the variance of customer demand). A difference is reported as the mean of the
paired differences lever − baseline with a 95% interval, mean ± t(0.975, R − 1) · sd / √R (chaingame.paired.interval).

References:
    Sterman, J. D. (1989). Modeling managerial behavior: misperceptions of feedback in a dynamic
    decision making experiment. Management Science 35(3): 321-339.
    Croson, R. & Donohue, K. (2006). Behavioral causes of the bullwhip effect and the observed
    value of inventory information. Management Science 52(3): 323-336.
    Lee, H. L., Padmanabhan, V. & Whang, S. (1997). Information distortion in a supply chain: the
    bullwhip effect. Management Science 43(4): 546-558.
    Chatfield, D. C., Kim, J. G., Harrison, T. P. & Hayya, J. C. (2004). The bullwhip effect:
    impact of stochastic lead time, information quality, and information sharing: a simulation
    study. Production and Operations Management 13(4): 340-353.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import chaingame as cg
from chaingame.paired import interval

LEVERS = ("lead-time-variability", "fast-shipping", "edi")
BASELINE = "classic"
STOCHASTIC = "stochastic"  # the classic board with iid uniform 0..8 demand
REPLICATIONS = 2000  # paired replications per comparison
SEED = 2026  # root seed of every comparison
FIGURE = Path(__file__).resolve().parent.parent / "docs" / "img" / "teaching-delays.png"


@dataclass(frozen=True)
class Effect:
    """A paired difference lever − baseline over replications: its mean and 95% interval."""

    mean: float
    low: float
    high: float
    baseline: float  # the baseline's mean
    lever: float  # the lever's mean

    @classmethod
    def of(cls, lever: np.ndarray, baseline: np.ndarray) -> Effect:
        d = np.broadcast_to(lever, np.broadcast_shapes(lever.shape, baseline.shape)) - baseline
        i = interval(d)
        return cls(i.mean, i.low, i.high, float(np.mean(baseline)),
                   float(np.mean(lever)))

    def __str__(self) -> str:
        if self.low == self.high:
            return f"{self.mean:+.1f} (exact)"
        return f"{self.mean:+.1f} [{self.low:+.1f}, {self.high:+.1f}]"


def figures(scenario: cg.Scenario, replications: int, seed: int) -> dict[str, np.ndarray]:
    """Per replication: team cost, factory order variance, factory bullwhip."""
    res = cg.simulate(scenario, replications, seed=seed)
    factory = res.firms[res.firms.firm == "factory"]
    return {"cost": res.chain.cost.to_numpy(), "factory_variance": factory.order_sd.to_numpy() ** 2,
            "factory_bullwhip": factory.bullwhip.to_numpy()}


def replications_of(scenario: cg.Scenario, replications: int) -> int:
    """One game where nothing is random (demand and delays fixed), else R."""
    random = any(d.random for d in scenario.demand_processes()) or len(scenario.network().delay_links)
    return replications if random else 1


def compare(lever: str, board: str, replications: int, seed: int) -> dict[str, Effect]:
    """The lever against its baseline on the classic or the stochastic board."""
    base = cg.load_scenario(BASELINE if board == "classic" else STOCHASTIC)
    treated = cg.load_scenario(lever)
    if board != "classic":
        treated = base.with_values({"links": treated.table["links"]})
    a = figures(base, replications_of(base, replications), seed)
    b = figures(treated, replications_of(treated, replications), seed)
    return {k: Effect.of(b[k], a[k]) for k in a}


def lead_time_variability(replications: int = REPLICATIONS, seed: int = SEED) -> dict[str, dict[str, Effect]]:
    """Random shipping delays with classic's mean, against classic (and stochastic)."""
    return {board: compare("lead-time-variability", board, replications, seed) for board in ("classic", "stochastic")}


def fast_shipping(replications: int = REPLICATIONS, seed: int = SEED) -> dict[str, dict[str, Effect]]:
    """Shipping delays halved, against classic (and stochastic)."""
    return {board: compare("fast-shipping", board, replications, seed) for board in ("classic", "stochastic")}


def edi(replications: int = REPLICATIONS, seed: int = SEED) -> dict[str, dict[str, Effect]]:
    """Order delays halved, against classic (and stochastic)."""
    return {board: compare("edi", board, replications, seed) for board in ("classic", "stochastic")}


RULES = {  # the rules of the by-rule comparison (every firm the same rule)
    "Sterman, subjects' mean (β = 0.34)": None,  # as bundled
    "Sterman, supply line counted (β = 1)": {"rule": "sterman", "theta": 0.36, "alpha_s": 0.26, "beta": 1.0,
                                             "s_prime": 17},
    "order-up-to, exponential smoothing (α = 0.2)": {"rule": "smoothing", "alpha": 0.2},
}


def by_rule(replications: int = REPLICATIONS, seed: int = SEED) -> dict[str, dict[str, Effect]]:
    """On the stochastic board, for each rule: team cost of a more variable delay (lead-time-variability's
    links, shipments crossing or not) and of a longer one (3 weeks) against classic's fixed 2 weeks."""
    base = cg.load_scenario(STOCHASTIC)
    variable = cg.load_scenario("lead-time-variability").table["links"]
    ordered = [{**k, "shipping_delay": {**k["shipping_delay"], "crossing": False}}
               if isinstance(k["shipping_delay"], dict) else k for k in variable]
    longer = [{**k, "shipping_delay": 3, "shipments": [4, 4, 4]} if k["supplier"] != "source" else k
              for k in base.table["links"]]
    out = {}
    for label, rule in RULES.items():
        b = base if rule is None else base.with_values({"defaults.policy": rule})
        cost = figures(b, replications, seed)["cost"]
        out[label] = {name: Effect.of(figures(b.with_values({"links": links}), replications, seed)["cost"], cost)
                      for name, links in (("variable", variable), ("variable, no crossing", ordered),
                                          ("longer (3 weeks)", longer))}
    return out


def rule_table(results: dict[str, dict[str, Effect]]) -> str:
    """A Markdown table of :func:`by_rule`."""
    rows = ["| rule (every firm) | team cost, fixed 2 weeks | Δ variable [95%] | Δ variable, no crossing [95%] "
            "| Δ longer, 3 weeks [95%] |", "|---|---|---|---|---|"]
    for label, e in results.items():
        rows.append(f"| {label} | {e['variable'].baseline:.0f} | {e['variable']} | {e['variable, no crossing']} "
                    f"| {e['longer (3 weeks)']} |")
    return "\n".join(rows)


def table(results: dict[str, dict[str, dict[str, Effect]]]) -> str:
    """A Markdown table of the effects."""
    rows = ["| lever | board | team cost: baseline → lever | Δ team cost [95%] | Δ factory order variance [95%] "
            "| Δ factory bullwhip [95%] |", "|---|---|---|---|---|---|"]
    for lever, boards in results.items():
        for board, e in boards.items():
            c = e["cost"]
            rows.append(f"| `{lever}` | {board} | {c.baseline:.0f} → {c.lever:.0f} | {c} | {e['factory_variance']} "
                        f"| {e['factory_bullwhip']} |")
    return "\n".join(rows)


def plot(path: Path, replications: int, seed: int) -> None:
    """Factory orders week by week on the classic board: classic and each lever (random delays: the
    mean over replications with its 10-90% band)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.2))
    for name, style in ((BASELINE, "k-"), ("fast-shipping", "C0-"), ("edi", "C2-"), ("lead-time-variability", "C3-")):
        sc = cg.load_scenario(name)
        h = cg.simulate(sc, replications_of(sc, replications), seed=seed, history=True).history
        orders = h[h.firm == "factory"].pivot(index="week", columns="replication", values="order_placed")
        ax.plot(orders.index, orders.mean(axis=1), style, label=name if orders.shape[1] == 1 else f"{name} (mean)")
        if orders.shape[1] > 1:
            ax.fill_between(orders.index, orders.quantile(0.1, axis=1), orders.quantile(0.9, axis=1),
                            color=style[:2], alpha=0.2, label=f"{name} (10-90%)")
    ax.set_xlabel("week")
    ax.set_ylabel("factory orders (cases/week)")
    ax.set_title("Classic board, Sterman's subjects' rule: the factory's orders")
    ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=REPLICATIONS)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--figure", type=Path, default=FIGURE)
    args = parser.parse_args(argv)
    results = {"lead-time-variability": lead_time_variability(args.replications, args.seed),
               "fast-shipping": fast_shipping(args.replications, args.seed),
               "edi": edi(args.replications, args.seed)}
    print(table(results))
    print()
    print(rule_table(by_rule(args.replications, args.seed)))
    plot(args.figure, args.replications, args.seed)
    print(f"figure: {args.figure}")


if __name__ == "__main__":
    main()
