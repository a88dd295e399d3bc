"""Random shipping delays: a link's delay as a discrete distribution of weeks, drawn per shipment.

A link's ``shipping_delay`` is a whole number of weeks, or a table
``{weeks = [1, 2, 3], p = [0.25, 0.5, 0.25]}``: each week's shipment on the link takes ``weeks[i]``
weeks with probability ``p[i]``, drawn independently for every link, week and replication.

Conventions (docs/model.md, "Random shipping delays"):

- **Draws.** Replication r of a run with seed s draws its delays from its own stream,
  ``default_rng(SeedSequence(s, spawn_key=(r, DELAY_STREAM)))``, apart from its demand stream
  ``spawn_key=(r,)``: the demand a replication sees is the same whether its delays are random or
  not, so two treatments on the same seed are compared on common random numbers. The whole
  horizon is drawn when a run starts, ``rng.random((W, K_random))`` (week-major, random links in
  link order), so a replication's delays never depend on how many others run beside it.
- **Crossing.** By default shipments may cross: a later shipment with a shorter draw may arrive
  before an earlier one (each is written into the transit slot of its own arrival week). With
  ``crossing = false`` shipments arrive in the order they left: week t's arrival is
  ``max(t + d_t, arrival of week t - 1's shipment)``, starting after the last week in which goods
  of the initial pipeline arrive; the delays then lie between the shortest and the longest of
  ``weeks``, but are longer on average than the draws.
- **Initial pipeline.** ``shipments`` holds one value per week of the longest delay (arriving in
  weeks 1 .. max(weeks)); a single number x stands for the pipeline of a chain that has shipped x
  a week for ever: x · P(delay >= j) arriving in week j, x · E[delay] in all.
- **Lead time.** The order-up-to rules cover the mean delay (``Scenario.lead_time``).

A distribution with one possible delay (all the probability on one week) is that fixed delay:
the run draws nothing for it and gives the same numbers as ``shipping_delay = that week``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .checks import ScenarioError, boolean, number, show, table

DELAY_STREAM = 1  # second entry of the spawn key of a replication's delay stream (its demand stream is (r,))
P_TOLERANCE = 1e-9  # the probabilities must add up to 1 within this
MAX_WEEKS = 52  # the longest delay a link may have (as a fixed shipping_delay)
FIELDS = ["weeks", "p", "crossing"]


@dataclass(frozen=True)
class ShippingDelay:
    """A random shipping delay: ``weeks[i]`` with probability ``p[i]``.

    Attributes:
        weeks: possible delays, whole weeks, distinct.
        p: their probabilities (>= 0, adding up to 1 within :data:`P_TOLERANCE`).
        crossing: whether a later shipment may overtake an earlier one.
    """

    weeks: tuple[int, ...]
    p: tuple[float, ...]
    crossing: bool = True

    @property
    def longest(self) -> int:
        """The longest delay listed: the length of the initial pipeline."""
        return max(self.weeks)

    @property
    def mean(self) -> int | float:
        """E[delay] in weeks, counted to 1e-9 (a whole number is an int)."""
        m = round(sum(w * p for w, p in zip(self.weeks, self.p)), 9)
        return int(m) if float(m).is_integer() else m

    @property
    def fixed(self) -> int | None:
        """The one possible delay if all the probability is on one week, else None."""
        live = [w for w, p in zip(self.weeks, self.p) if p > 0]
        return live[0] if len(live) == 1 else None

    def at_least(self, week: int) -> float:
        """P(delay >= week)."""
        return sum(p for w, p in zip(self.weeks, self.p) if w >= week)

    def steady_pipeline(self, per_week: float) -> tuple[float, ...]:
        """Goods in transit of a link that has shipped ``per_week`` a week for ever.

        Arriving in weeks 1 .. :attr:`longest`, ``per_week`` · P(delay >= j) in week j (counted to 1e-9).
        """
        return tuple(round(per_week * self.at_least(j), 9) + 0.0 for j in range(1, self.longest + 1))

    def as_table(self) -> dict:
        """The delay as its scenario table, ``{weeks, p, crossing}``."""
        return {"weeks": list(self.weeks), "p": list(self.p), "crossing": self.crossing}


def from_table(raw: Any, path: str, low: int) -> ShippingDelay:
    """Check a ``shipping_delay`` table ``{weeks = [...], p = [...], crossing = ...}``.

    Args:
        raw: the table as read from TOML.
        path: its dotted field path (``links.2.shipping_delay``), named by every error.
        low: the shortest delay the link allows (1 between firms, 0 from the source).
    """
    table(raw, path, FIELDS, required=["weeks", "p"])
    weeks, p = raw["weeks"], raw["p"]
    for name, value in (("weeks", weeks), ("p", p)):
        if not isinstance(value, list | tuple) or not value:
            raise ScenarioError(f"{path}.{name}", f"{show(value)} is not a list (allowed: a list of at least one "
                                                  f"{'whole number of weeks' if name == 'weeks' else 'probability'})")
    weeks = tuple(int(number(w, f"{path}.weeks[{i}]", low=low, high=MAX_WEEKS, integer=True))
                  for i, w in enumerate(weeks))
    for i, w in enumerate(weeks):
        if w in weeks[:i]:
            raise ScenarioError(f"{path}.weeks[{i}]", f"{w} is listed twice (allowed: distinct weeks)")
    if len(p) != len(weeks):
        raise ScenarioError(f"{path}.p", f"{show(list(p))} has {len(p)} values (allowed: exactly {len(weeks)}, "
                                         "one per entry of weeks)")
    p = tuple(float(number(q, f"{path}.p[{i}]", low=0, high=1)) for i, q in enumerate(p))
    total = sum(p)
    if abs(total - 1.0) > P_TOLERANCE:
        raise ScenarioError(f"{path}.p", f"{show(list(p))} adds up to {total:.12g} (allowed: probabilities adding "
                                         f"up to 1, within {P_TOLERANCE:g})")
    crossing = boolean(raw.get("crossing", True), f"{path}.crossing")
    return ShippingDelay(weeks, p, crossing)


def is_table(raw: Any) -> bool:
    """Whether a ``shipping_delay`` value is written as a distribution (a table)."""
    return isinstance(raw, Mapping)


def arrays(dists: list[ShippingDelay]) -> tuple[np.ndarray, np.ndarray]:
    """The possible delays and cumulative probabilities of several links, (K, M) each, for :func:`draw`.

    Rows are padded to the longest list (delays with their last value, probabilities with inf).
    """
    M = max([0, *(len(d.weeks) for d in dists)])
    values = np.zeros((len(dists), M), np.int64)
    cdf = np.full((len(dists), M), np.inf)
    for k, d in enumerate(dists):
        values[k] = [*d.weeks, *[d.weeks[-1]] * (M - len(d.weeks))]
        cdf[k, : len(d.p) - 1] = np.cumsum(d.p)[:-1]  # the last possible delay takes whatever is left
    return values, cdf


def generators(seed: int, replications: int, first: int = 0) -> list[np.random.Generator]:
    """The delay stream of each replication ``first .. first + replications - 1`` (see the module docstring)."""
    return [np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(r, DELAY_STREAM)))
            for r in range(first, first + replications)]


def draw(values: np.ndarray, cdf: np.ndarray, floor: np.ndarray, crossing: np.ndarray,
         rngs: list[np.random.Generator], weeks: int) -> np.ndarray:
    """Every shipment's delay, (W, K_random, R) whole weeks, for the random links of a network.

    Args:
        values: (K_random, M) possible delays of each random link (rows padded with their last value).
        cdf: (K_random, M) cumulative probabilities, the last column of each row at least 1.
        floor: (K_random,) the last week in which goods of the initial pipeline arrive.
        crossing: (K_random,) bool, whether shipments on the link may cross.
        rngs: each replication's delay stream (:func:`generators`).
        weeks: W, the horizon.

    Returns:
        ``d[t - 1, j, r]``: the delay of the shipment sent on random link j in week t of replication r.
    """
    K, R = len(values), len(rngs)
    u = np.empty((weeks, K, R))
    for r, rng in enumerate(rngs):
        u[:, :, r] = rng.random((weeks, K))
    index = (u[:, :, None, :] >= cdf[None, :, :-1, None]).sum(axis=2)  # (W, K, R): the first i with u < cdf[i]
    delays = values[np.arange(K)[None, :, None], index]
    ordered = ~crossing
    if ordered.any():
        t = np.arange(1, weeks + 1)[:, None, None]
        arrival = np.maximum.accumulate(np.maximum(t + delays[:, ordered], floor[ordered][None, :, None]), axis=0)
        delays[:, ordered] = arrival - t
    return delays.astype(np.int64)
