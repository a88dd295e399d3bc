"""Sweep the supply-line weight β of Sterman's rule with ``mesa.batch_run`` over ChainModel.

    python examples/batch_run.py [--seeds 20] [--processes 1]

Every firm of the ``stochastic`` scenario (Sterman's board, iid demand U{0..8}) orders with
Sterman's anchoring-and-adjustment rule; β is the weight a firm gives its supply line (Sterman
1989 estimated 0.34 for his subjects; 1 counts the supply line fully). For β in 0, 0.34 and 1
the script plays 20 seeds each with ``mesa.batch_run`` and prints the chain's cost and each
firm's bullwhip ratio, averaged over seeds.

How ``batch_run`` meets ChainModel (details in docs/research.md):

- ``parameters`` are ChainModel keywords, swept as a product; a dict value (``policies``) must
  be wrapped in a list, or batch_run would iterate over its keys;
- the ``rng`` values go to ChainModel's ``seed`` keyword (batch_run uses ``seed=`` when the model
  has one); give explicit seeds: ``None`` means the scenario's seed, so every run would repeat;
- ``max_steps`` only caps the run: ChainModel stops itself at the scenario's horizon;
- ChainModel's DataCollector has a model reporter ``chain_cost`` and an agent reporter
  ``total_cost`` ($ so far): Mesa 3.5.1's batch_run reports only steps collected with a model
  reporter, and the totals make ``data_collection_period=-1`` rows carry the run's costs;
- batch_run sets the process-wide multiprocessing start method to "spawn": call it under
  ``if __name__ == "__main__":``, never at import time or inside a web server.
"""

from __future__ import annotations

import argparse

import mesa
import pandas as pd

import chaingame as cg
from chaingame.engine import COLUMNS
from chaingame.model import ChainModel


class SupplyLineModel(ChainModel):
    """The scenario with every firm's Sterman β set to ``beta`` (the one knob this sweep turns).

    Args:
        beta: weight of the supply line in Sterman's rule, 0 to 1 (None: the scenario's).
        scenario, seed, weeks, replication: as for :class:`~chaingame.model.ChainModel`.
    """

    def __init__(self, scenario="stochastic", seed=None, weeks=None, replication=0, beta=None):
        sc = cg.load_scenario(scenario)
        if beta is not None:
            sc = sc.with_values({"defaults.policy.beta": beta})
        super().__init__(sc, seed=seed, weeks=weeks, replication=replication)


def sweep(betas=(0.0, 0.34, 1.0), seeds=range(1, 21), processes: int = 1, period: int = 1) -> pd.DataFrame:
    """``batch_run`` rows as a DataFrame, ``Step`` renamed ``week`` and ``RunId`` ``replication``."""
    rows = mesa.batch_run(
        SupplyLineModel,
        parameters={"scenario": "stochastic", "beta": list(betas)},
        rng=list(seeds),  # each value becomes SupplyLineModel(seed=...)
        max_steps=1000,  # a cap only: the model stops at the scenario's 48 weeks
        number_processes=processes,
        data_collection_period=period,  # 1: every week; -1: the last week only
        display_progress=False,
    )
    df = pd.DataFrame(rows).rename(columns={"Step": "week", "RunId": "replication"})
    df["week"] = df["week"].astype(int)
    return df


def per_firm(weekly: pd.DataFrame) -> pd.DataFrame:
    """chaingame's summary figures (cost, bullwhip, fill rate, ...) per run and firm, with β and seed."""
    table = cg.metrics.summary(weekly[["replication", "week", "firm", "role", *COLUMNS]])
    runs = weekly.groupby("replication")[["beta", "seed"]].first().reset_index()
    return table.merge(runs, on="replication")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, default=20, help="seeds per β (default 20)")
    ap.add_argument("--processes", type=int, default=1, help="batch_run worker processes (default 1)")
    args = ap.parse_args(argv)
    weekly = sweep(seeds=range(1, args.seeds + 1), processes=args.processes)
    firms = per_firm(weekly)
    chain = firms.groupby(["beta", "replication"])["cost"].sum().groupby("beta").agg(["mean", "std"])
    bullwhip = firms.pivot_table(index="beta", columns="firm", values="bullwhip", sort=False)
    print(f"stochastic scenario, {args.seeds} seeds per beta, {weekly.replication.nunique()} runs\n")
    print("chain cost over 48 weeks ($), mean and sd over seeds")
    print(chain.round(1).to_string(), "\n")
    print("bullwhip ratio Var(orders)/Var(customer demand), mean over seeds")
    print(bullwhip.round(2).to_string())


if __name__ == "__main__":
    main()
