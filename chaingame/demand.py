"""Customer demand processes faced by retailers.

Each process draws a whole path of weekly demand, weeks 1..W, from a ``numpy.random.Generator``
(deterministic processes ignore it). Demand below zero counts as zero; with whole units it is
rounded half up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, ClassVar

import numpy as np

from .checks import ScenarioError, choice, number, numbers, show, table


@dataclass(frozen=True)
class Demand:
    """Base class: a weekly customer demand process."""

    kind: ClassVar[str] = ""
    random: ClassVar[bool] = False
    bounds: ClassVar[dict[str, dict]] = {}  # parameter -> keyword bounds for checks.number

    def __post_init__(self):
        self.check(type(self).__name__)

    def check(self, path: str) -> None:
        """Raise :class:`ScenarioError` naming ``path.param`` for a parameter out of bounds."""
        for name, bounds in self.bounds.items():
            number(getattr(self, name), f"{path}.{name}", **bounds)

    def draw(self, rng: np.random.Generator, weeks: int) -> np.ndarray:
        """Raw demand for weeks 1..``weeks`` (before flooring at 0 and rounding)."""
        raise NotImplementedError

    @property
    def average(self) -> float:
        """Long-run mean weekly demand (used for base-stock levels and defaults)."""
        raise NotImplementedError


@dataclass(frozen=True)
class Constant(Demand):
    """The same demand every week."""

    level: float = 4.0  # units/week
    kind: ClassVar[str] = "constant"
    bounds: ClassVar = {"level": dict(low=0)}

    def draw(self, rng, weeks):
        """``level`` every week."""
        return np.full(weeks, float(self.level))

    @property
    def average(self):
        """``level``."""
        return float(self.level)


@dataclass(frozen=True)
class Step(Demand):
    """``initial`` units/week, then ``final`` from week ``week`` on (Sterman 1989: 4, 8, week 5).

    A step after the horizon never happens (a short run of a longer scenario keeps its rules).
    """

    initial: float = 4.0
    final: float = 8.0
    week: int = 5
    kind: ClassVar[str] = "step"
    bounds: ClassVar = {"initial": dict(low=0), "final": dict(low=0), "week": dict(low=1, integer=True)}

    def draw(self, rng, weeks):
        """``initial`` before week ``week``, ``final`` from it on."""
        out = np.full(weeks, float(self.initial))
        out[self.week - 1 :] = self.final
        return out

    @property
    def average(self):
        """``final``: the level the demand steps to and keeps."""
        return float(self.final)


@dataclass(frozen=True)
class Normal(Demand):
    """IID normal demand N(mean, sd²) (Chen et al. 2000 with rho = 0)."""

    mean: float = 0.0
    sd: float = 0.0
    kind: ClassVar[str] = "normal"
    bounds: ClassVar = {"mean": dict(low=0), "sd": dict(low=0)}
    random: ClassVar[bool] = True

    def draw(self, rng, weeks):
        """IID normal draws N(mean, sd²)."""
        return rng.normal(self.mean, self.sd, weeks)

    @property
    def average(self):
        """``mean``."""
        return float(self.mean)



@dataclass(frozen=True)
class Uniform(Demand):
    """IID whole-number demand, uniform on low..high inclusive (Croson & Donohue 2006: 0..8)."""

    low: int = 0
    high: int = 8
    kind: ClassVar[str] = "uniform"
    bounds: ClassVar = {"low": dict(low=0, integer=True), "high": dict(low=0, integer=True)}
    random: ClassVar[bool] = True

    def check(self, path):
        """Also require ``high`` to be a whole number >= ``low``."""
        super().check(path)
        number(self.high, f"{path}.high", low=self.low, integer=True)

    def draw(self, rng, weeks):
        """IID whole numbers, uniform on ``low`` .. ``high`` inclusive."""
        return rng.integers(self.low, self.high + 1, weeks).astype(float)

    @property
    def average(self):
        """(low + high) / 2."""
        return (self.low + self.high) / 2


@dataclass(frozen=True)
class Poisson(Demand):
    """IID Poisson demand."""

    mean: float = 4.0
    kind: ClassVar[str] = "poisson"
    bounds: ClassVar = {"mean": dict(low=0)}
    random: ClassVar[bool] = True

    def draw(self, rng, weeks):
        """IID Poisson draws with mean ``mean``."""
        return rng.poisson(self.mean, weeks).astype(float)

    @property
    def average(self):
        """``mean``."""
        return float(self.mean)



@dataclass(frozen=True)
class AR1(Demand):
    """D_t = mean + rho (D_{t-1} - mean) + e_t, e_t ~ N(0, sd²) (Chen et al. 2000; Lee et al. 1997).

    D_0 is drawn from the stationary distribution N(mean, sd²/(1 - rho²)).
    """

    mean: float = 0.0
    rho: float = 0.0
    sd: float = 0.0
    kind: ClassVar[str] = "ar1"
    bounds: ClassVar = {"mean": dict(low=0), "rho": dict(above=-1, high=0.999), "sd": dict(low=0)}
    random: ClassVar[bool] = True

    def draw(self, rng, weeks):
        """The AR(1) path, started from a stationary D_0."""
        eps = rng.normal(0.0, self.sd, weeks)
        dev = rng.normal(0.0, self.sd / np.sqrt(1 - self.rho**2))
        out = np.empty(weeks)
        for t in range(weeks):
            dev = self.rho * dev + eps[t]
            out[t] = dev
        return out + self.mean

    @property
    def average(self):
        """``mean``, the stationary mean."""
        return float(self.mean)



@dataclass(frozen=True)
class Seasonal(Demand):
    """mean + amplitude·sin(2π t / period) + N(0, sd²) noise."""

    mean: float = 0.0
    amplitude: float = 0.0
    period: int = 52
    sd: float = 0.0
    kind: ClassVar[str] = "seasonal"
    bounds: ClassVar = {"mean": dict(low=0), "amplitude": dict(low=0), "period": dict(low=1, integer=True),
                        "sd": dict(low=0)}
    random: ClassVar[bool] = True

    def draw(self, rng, weeks):
        """Demand mean + amplitude·sin(2π t / period), plus N(0, sd²) noise if sd > 0, for t = 1..weeks."""
        t = np.arange(1, weeks + 1)
        noise = rng.normal(0.0, self.sd, weeks) if self.sd > 0 else 0.0
        return self.mean + self.amplitude * np.sin(2 * np.pi * t / self.period) + noise

    @property
    def average(self):
        """``mean``: the sine averages to zero over a period."""
        return float(self.mean)



@dataclass(frozen=True)
class Trace(Demand):
    """A recorded demand series, one value per week (e.g. a classroom's or a firm's data)."""

    values: tuple[float, ...] = ()
    kind: ClassVar[str] = "trace"

    def check(self, path):
        """Require at least one value, all >= 0 (the values are stored as checked)."""
        object.__setattr__(self, "values", numbers(list(self.values), f"{path}.values", min_length=1, low=0))

    def draw(self, rng, weeks):
        """The first ``weeks`` recorded values."""
        return np.asarray(self.values[:weeks], dtype=float)

    @property
    def average(self):
        """The mean of the recorded values."""
        return float(np.mean(self.values))


PROCESSES = {c.kind: c for c in (Constant, Step, Normal, Uniform, Poisson, AR1, Seasonal, Trace)}


OPTIONAL = ("sd", "rho", "amplitude")  # parameters that default to 0


def from_table(raw: Mapping[str, Any], path: str, weeks: int) -> Demand:
    """Build a demand process from its scenario table, naming any bad field."""
    every = sorted({f.name for c in PROCESSES.values() for f in fields(c)})
    table(raw, path, ["process", *every], required=["process"])
    cls = PROCESSES[choice(raw["process"], f"{path}.process", list(PROCESSES))]
    names = [f.name for f in fields(cls)]
    table(raw, path, ["process", *names], required=[n for n in names if n not in OPTIONAL])
    values = {k: v for k, v in raw.items() if k != "process"}
    for name, bounds in cls.bounds.items():
        if name in values:
            values[name] = number(values[name], f"{path}.{name}", **bounds)
    if cls is Uniform:
        number(values["high"], f"{path}.high", low=values["low"], integer=True)
    if cls is Trace:
        trace = numbers(values["values"], f"{path}.values", min_length=1, low=0)
        if len(trace) < weeks:
            raise ScenarioError(f"{path}.values", f"{show(values['values'])} has {len(trace)} weeks "
                                                  f"(allowed: at least the horizon, {weeks})")
        values["values"] = trace
    return cls(**values)


def paths(processes: list[Demand], rngs: list[np.random.Generator], weeks: int, whole_units: bool) -> np.ndarray:
    """Demand for every (week, customer, replication): shape (weeks, C, R).

    Replication r draws each customer's path in order from ``rngs[r]``, so a replication's numbers
    do not depend on how many others run beside it.
    """
    out = np.empty((weeks, len(processes), len(rngs)))
    for c, process in enumerate(processes):
        if process.random:
            for r, rng in enumerate(rngs):
                out[:, c, r] = process.draw(rng, weeks)
            _counted(out[:, c], whole_units)
        else:  # one path for every replication: counted once, then copied
            path = np.empty(weeks)
            path[:] = process.draw(None, weeks)
            out[:, c, :] = _counted(path, whole_units)[:, None]
    return out


def _counted(x: np.ndarray, whole_units: bool) -> np.ndarray:
    """``x`` in place: floored at 0, and rounded half up to whole units where the scenario counts them."""
    np.maximum(x, 0.0, out=x)
    if whole_units:
        np.floor(x + 0.5, out=x)
    return x
