"""Does fitting recover known parameters? Simulated players with random rules, fitted back."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .fitting import PARAMS, fit_sterman
from .players import NoisySterman

# Where the simulated players' parameters are drawn from (uniformly): inside the spread of
# Sterman's (1989) 44 estimates, away from the bounds where an interval is cut off.
RANGES = {"theta": (0.1, 0.9), "alpha_s": (0.1, 0.6), "beta": (0.05, 0.95), "s_prime": (10.0, 30.0)}


def recovery(scenario: str = "classic", draws: int = 40, *, firm: str = "wholesaler", noise: float = 1.0,
             seed: int = 0, level: float = 0.9, method: str = "bootstrap") -> pd.DataFrame:
    """Simulate ``draws`` players at ``firm`` with known parameters, fit them, and compare.

    The players have random (θ, α_S, β, S') from :data:`RANGES` and ordering noise N(0, ``noise``²)
    (:class:`NoisySterman`; the other firms play the scenario's rules). Each player's orders are fitted; one row
    per draw gives true and fitted parameters, interval bounds and whether the interval covers the truth
    (``covered_<param>``).
    """
    from ..model import ChainModel  # Mesa loads when a study runs

    rng = np.random.default_rng(seed)
    rows = []
    for k in range(draws):
        true = {p: float(rng.uniform(*RANGES[p])) for p in PARAMS}
        player = NoisySterman(**true, noise=noise, seed=int(rng.integers(2**32)))
        model = ChainModel(scenario, seed=int(rng.integers(2**32)), policies={firm: player}).run()
        fit = fit_sterman(model, firm, level=level, method=method, seed=k)
        row = {"draw": k, "identified": fit.identified, "r2": fit.r2, "zero_weeks": float(np.mean(fit.orders == 0))}
        for p in PARAMS:
            lo, hi = fit.intervals[p]
            row |= {f"true_{p}": true[p], f"fit_{p}": getattr(fit, p), f"low_{p}": lo, f"high_{p}": hi,
                    f"covered_{p}": bool(lo <= true[p] <= hi)}
        rows.append(row)
    return pd.DataFrame(rows)
