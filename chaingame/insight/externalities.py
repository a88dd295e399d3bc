"""Who pays for whose bullwhip: each seat replaced alone, the cost change at every echelon.

Moritz, Narayanan & Parker (2022), M&SOM 24(3): 1733-1750, found that a behavioural retailer
imposes out-sized costs upstream; Edali & Yasarcan (2014), JASSS 17(4) 2, study one rational seat
among behavioural ones on the classic board.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..checks import ScenarioError, choice
from ..policies import Policy, Sterman
from ..scenario import Scenario
from .fitting import fit_sterman
from .replay import Record, costs, record, replay

BENCHMARK_S_PRIME = 28.0  # S' of Sterman's (1989) benchmark rule: retailer, wholesaler, distributor (cases)
BENCHMARK_S_PRIME_PRODUCER = 20.0  # S' of the benchmark at the factory, whose lead time is a week shorter (cases)


def benchmark_rules(scenario: Scenario) -> dict[str, Sterman]:
    """Sterman's (1989) benchmark rule for every firm: θ = 0, α_S = 1, β = 1, S' = 28 (20 at a producer).

    It costs the team $204 on the classic board.
    """
    return {f.id: Sterman(theta=0, alpha_s=1, beta=1,
                          s_prime=BENCHMARK_S_PRIME_PRODUCER if f.producer else BENCHMARK_S_PRIME)
            for f in scenario.firms}


def externalities(source: Any, *, rule: Any = "benchmark", others: str = "recorded", scenario: Any = None,
                  replication: int | None = None) -> pd.DataFrame:
    """For each seat, replay the game with that seat alone replaced; the cost change everywhere.

    Args:
        source: a game (see :func:`~chaingame.insight.replay`): a :class:`Record`, a played
            ``ChainModel``, or a tidy history with ``scenario``.
        rule: the replacement: "benchmark" (Sterman's benchmark rule, :func:`benchmark_rules`),
            "fitted" (the seat's own fitted rule with β = 1: the same player, counting the supply
            line), or ``{firm id: rule}``.
        others: "recorded": the other seats place their recorded orders; "rules": they decide by
            their rules and react to the change (a simulated game: a ``ChainModel``'s own rules,
            else the scenario's), the baseline being the game replayed with those rules.
        scenario: the scenario of a bare history.
        replication: which replication of a ``simulate`` history.

    Returns:
        One row per seat replaced (index ``replaced``), one column per firm and ``team``: the
        replayed cost minus the baseline's ($; negative: the replacement saves). A seat whose
        fitted rule is not identified gets a row of NaN.
    """
    choice(others, "others", ("recorded", "rules"))
    rec = record(source, scenario, replication)
    kept = {}
    if others == "rules":
        played = getattr(getattr(source, "engine", None), "policies", None)
        kept = dict(zip(rec.scenario.firm_ids, played or [f.policy for f in rec.scenario.firms]))
    base = replay(rec, kept)
    recorded = costs(base)
    rules = _rules(rule, rec, base)
    rows = {}
    for fid in rec.scenario.firm_ids:
        if rules.get(fid) is None:
            rows[fid] = pd.Series(float("nan"), index=[*recorded.index, "team"])
            continue
        change = costs(replay(rec, {**kept, fid: rules[fid]})) - recorded
        rows[fid] = pd.concat([change, pd.Series({"team": change.sum()})])
    out = pd.DataFrame(rows).T
    out.index.name = "replaced"
    return out


def _rules(rule: Any, rec: Record, base: pd.DataFrame) -> dict[str, Policy | None]:
    if isinstance(rule, dict):
        for fid, r in rule.items():
            rec.scenario.firm(fid)
            if not isinstance(r, Policy):
                raise ScenarioError(f"rule.{fid}", "is not a Policy from chaingame.policies")
        return dict(rule)
    choice(rule, "rule", ("benchmark", "fitted"))
    if rule == "benchmark":
        return benchmark_rules(rec.scenario)
    out = {}
    for fid in rec.scenario.firm_ids:
        fit = fit_sterman(base, fid, scenario=rec.scenario)
        out[fid] = fit.policy(beta=1.0) if fit.identified else None
    return out
