"""Treatment against baseline under common random numbers: :func:`compare`.

Both arms play the same replications from the same seeds (replication r of each draws from
``SeedSequence(seed, spawn_key=(r,))``), so replication r of the treatment and of the baseline see
the same customer demand. The difference d_r = treatment_r − baseline_r is taken replication by
replication, and its mean gets the paired Student's t interval, d̄ ± t(0.975, R−1)·s_d/√R: the
demand's noise, common to both arms, cancels in d_r instead of widening the interval (Law 2015,
Simulation Modeling and Analysis, 5th ed., section 10.2, "paired-t confidence interval").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .checks import ScenarioError, number
from .metrics import FIRM_METRICS
from .scenario import Scenario, load_scenario

CHAIN = "chain"  # the firm name of the chain's figures


@dataclass(frozen=True)
class Interval:
    """The paired-t interval of a mean difference: n pairs, mean d̄, sd s_d, and d̄ ∓ t·s_d/√n."""

    n: int
    mean: float
    sd: float
    low: float
    high: float

    @property
    def half(self) -> float:
        """Half the interval's width, t(0.5 + level/2, n − 1)·s_d/√n."""
        return (self.high - self.low) / 2


def interval(d, level: float = 0.95) -> Interval:
    """The paired Student's t interval of the mean of differences ``d`` (NaN pairs left out).

    d̄ ± t(0.5 + level/2, n − 1)·s_d/√n (Law 2015, section 10.2). With one pair, or where every
    difference is the same deterministic number, the interval is that number itself (sd 0); with
    none, NaN.
    """
    from scipy.stats import t as student_t

    d = np.asarray(d, dtype=float).ravel()
    d = d[~np.isnan(d)]
    n = len(d)
    if n == 0:
        return Interval(0, float("nan"), float("nan"), float("nan"), float("nan"))
    mean = float(d.mean())
    sd = float(np.std(d, ddof=1)) if n > 1 else 0.0
    half = float(student_t.ppf(0.5 + level / 2, n - 1)) * sd / np.sqrt(n) if n > 1 else 0.0
    return Interval(n, mean, sd, mean - half, mean + half)


def compare(scenario: Scenario | str, treatment: Mapping[str, Any], baseline: Mapping[str, Any] | None = None,
            replications: int = 1000, seed: int | None = None, burn_in: int = 0,
            metrics: Sequence[str] = ("cost",), level: float = 0.95):
    """Paired differences, treatment − baseline, per firm and chain, with their confidence intervals.

    Args:
        scenario: a :class:`Scenario`, a bundled name or a ``.toml`` path.
        treatment: dotted path -> value, as ``chaingame run --set`` (e.g. ``{"defaults.policy.beta": 1}``).
        baseline: the same for the baseline (default: the scenario as it is).
        replications: R, the same for both arms.
        seed: root seed of both arms (default: the scenario's).
        burn_in: weeks left out of the figures.
        metrics: firm metrics (``cost``, ``bullwhip``, ...); the chain's rows carry those the chain has.
        level: confidence level of the intervals.

    Returns:
        A DataFrame, one row per (firm, metric): ``n``, ``baseline`` and ``treatment`` (means),
        ``difference`` (mean of d_r), ``sd`` (of d_r), ``low`` and ``high`` (the interval).
    """
    import pandas as pd

    from .batch import simulate

    sc = load_scenario(scenario)
    R = int(number(replications, "replications", low=2, integer=True))
    arms = {}
    for name, values in (("baseline", baseline or {}), ("treatment", treatment)):
        if not isinstance(values, Mapping):
            raise ScenarioError(name, f"{values!r} is not a table of dotted paths and values "
                                      "(allowed: e.g. {\"defaults.policy.beta\": 1})")
        arms[name] = simulate(sc.with_values(values) if values else sc, R, seed, burn_in=burn_in)
    base, treat = arms["baseline"], arms["treatment"]
    rows = []
    for firm in [*sc.firm_ids, CHAIN]:
        b_rows = base.chain if firm == CHAIN else base.firms[base.firms["firm"] == firm]
        t_rows = treat.chain if firm == CHAIN else treat.firms[treat.firms["firm"] == firm]
        for m in metrics:
            if m not in b_rows.columns:
                if firm == CHAIN:
                    continue
                raise ScenarioError("metrics", f'"{m}" is not a firm metric (allowed: {", ".join(FIRM_METRICS)})')
            b, t = b_rows[m].to_numpy(float), t_rows[m].to_numpy(float)  # replication order in both
            keep = ~np.isnan(t - b)
            i = interval(t - b, level)
            rows.append({"firm": firm, "metric": m, "n": i.n, "baseline": float(b[keep].mean()) if i.n else np.nan,
                         "treatment": float(t[keep].mean()) if i.n else np.nan, "difference": i.mean,
                         "sd": i.sd, "low": i.low, "high": i.high})
    return pd.DataFrame(rows)
