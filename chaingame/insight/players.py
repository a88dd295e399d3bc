"""Simulated players for research on fitting: Sterman's rule with ordering noise."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ..chain import half_up
from ..policies import Sterman


@dataclass(frozen=True)
class NoisySterman(Sterman):
    """Sterman's anchoring and adjustment with normal ordering noise (a simulated player).

    O_t = max(0, round(L̂_t + α_S (S' − S_t − β SL_t) + ε_t)),  ε_t ~ N(0, σ²) i.i.d., drawn from
    ``default_rng(seed)`` (one stream per firm and run). With ``noise = 0`` it orders exactly as
    :class:`~chaingame.policies.Sterman`. Not a scenario rule: pass it as ``policies``.

    Args:
        noise: σ, standard deviation of the noise (units/week).
        seed: the noise's seed.
    """

    noise: float = 1.0
    seed: int = 0
    name: ClassVar[str] = "sterman_noisy"
    stackable: ClassVar[bool] = False  # each firm draws its own noise, from its own generator
    bounds: ClassVar = {**Sterman.bounds, "noise": dict(low=0), "seed": dict(low=0, integer=True)}

    def decide(self, obs, memory):
        """O_t = max(0, round(L̂_t + α_S (S' − S_t − β SL_t) + ε_t)), rounded half up."""
        if "expected" not in memory:
            start = obs.incoming if self.expected is None else self.expected
            memory["expected"] = np.full(obs.incoming.shape, start, dtype=float)
            memory["rng"] = np.random.default_rng(self.seed)
        lhat = memory["expected"]
        lhat *= 1 - self.theta
        lhat += self.theta * obs.incoming
        stock = obs.inventory - obs.backlog
        adjust = self.alpha_s * (self.s_prime - stock - self.beta * obs.on_order)
        eps = memory["rng"].normal(0.0, self.noise, obs.incoming.shape) if self.noise else 0.0
        return np.maximum(0.0, half_up(lhat + adjust + eps))
