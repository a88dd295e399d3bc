"""The sweep file and its checks: :func:`load_sweep` reads a sweep and returns a :class:`Sweep`.

A sweep file (TOML) names a scenario, a seed, a number of replications, the metrics to keep and
the parameters to vary by dotted path: ``[grid]`` (full factorial), ``[list]`` (equal-length
lists varied together) and ``[sample]`` (``n`` random draws from the sweep's seed). Every
combination's scenario is built here once, so that a bad path or value is reported, naming it,
before anything runs. The format is described in docs/sweeps.md.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from ..checks import ScenarioError, boolean, check_seed, number, read_toml, show, table, text
from ..metrics import CHAIN_METRICS, FIRM_METRICS
from ..scenario import Scenario, load_scenario
from .chunks import MAX_BATCH, combination_seed, default_batch
from .worker import CHAIN

METRICS = FIRM_METRICS + tuple(m for m in CHAIN_METRICS if m not in FIRM_METRICS)
FIELDS = ["scenario", "title", "description", "seed", "replications", "weeks", "burn_in", "metrics",
          "common_random_numbers", "batch", "grid", "list", "sample"]
DISTRIBUTIONS = ("uniform", "integers", "choice")
MAX_COMBINATIONS = 100_000  # each one is validated before the first run (about 1 ms each)
MAX_REPLICATIONS = 10_000_000
SAMPLE_STREAM = 0x73616D706C65  # spawn key of the [sample] draws ("sample" in ASCII), away from any r or c
FORMAT = 1  # version of the parts folder layout (chaingame.sweep.run): part of the fingerprint


@dataclass(frozen=True)
class Sweep:
    """A validated sweep: the base scenario, the seeds and every combination of parameter values.

    Build one with :func:`load_sweep`. ``combinations[c][j]`` is the value of ``parameters[j]``
    in combination c, in the order of the table (grid axes, then the list, then the samples; the
    last one varies fastest).
    """

    scenario: Scenario  # the base scenario, with the sweep's `weeks` applied
    seed: int
    replications: int
    burn_in: int
    metrics: tuple[str, ...]
    common_random_numbers: bool
    batch: int  # replications run together as one array run
    parameters: tuple[str, ...]  # dotted paths, also the column names
    combinations: tuple[tuple[Any, ...], ...]
    table: Mapping[str, Any] = field(repr=False)  # the sweep table as read (for the fingerprint)
    source: Path | None = None

    @property
    def firm_rows(self) -> bool:
        """Whether the table has per-firm rows (some chosen metric is a firm metric)."""
        return any(m in FIRM_METRICS for m in self.metrics)

    @property
    def chain_rows(self) -> bool:
        """Whether the table has the chain's rows (some chosen metric is a chain metric)."""
        return any(m in CHAIN_METRICS for m in self.metrics)

    @property
    def runs(self) -> int:
        """Combinations x replications."""
        return len(self.combinations) * self.replications

    def values(self, c: int) -> dict[str, Any]:
        """Combination c as dotted path -> value (what :meth:`Scenario.with_values` takes)."""
        return dict(zip(self.parameters, self.combinations[c]))

    def seed_of(self, c: int) -> int:
        """The root seed of combination c: replication r draws from SeedSequence(seed_of(c), spawn_key=(r,))."""
        return self.seed if self.common_random_numbers else combination_seed(self.seed, c)

    @cached_property
    def key(self) -> str:
        """:meth:`fingerprint`, computed once (workers keep the scenarios they built under it)."""
        return self.fingerprint()

    def fingerprint(self) -> str:
        """A hash of everything that decides the numbers: the sweep table, the base scenario, the version."""
        from .. import __version__

        sweep = {**self.table, "scenario": self.scenario.name} if isinstance(self.table["scenario"], Scenario) \
            else self.table
        blob = json.dumps({"sweep": sweep, "scenario": self.scenario.table, "batch": self.batch,  # decides the chunks
                           "version": __version__, "format": FORMAT}, sort_keys=True, default=repr)
        return hashlib.sha256(blob.encode()).hexdigest()


def load_sweep(source: str | Path | Mapping | Sweep, base_dir: str | Path | None = None) -> Sweep:
    """Read and check a sweep: a ``.toml`` path, or the same table as a dict.

    Every combination's scenario is built once here, so that a bad path or value is reported
    (naming it) before anything runs. A relative ``scenario`` path is read from the sweep file's
    folder (``base_dir`` for a dict), else it is a bundled name.
    """
    if isinstance(source, Sweep):
        return source
    path = None
    if isinstance(source, Mapping):
        raw = copy.deepcopy(dict(source))
        base = Path(base_dir) if base_dir is not None else Path.cwd()
    else:
        path = Path(source)
        if not path.is_file():
            what = "a folder" if path.is_dir() else "not an existing file"
            raise ScenarioError("sweep", f"{show(str(source))} is {what} (allowed: a .toml sweep file)")
        raw = read_toml(path, "a TOML sweep file")
        base = path.parent if base_dir is None else Path(base_dir)
    return _check(raw, base, path)


def _check(raw: dict, base_dir: Path, path: Path | None) -> Sweep:
    table(raw, "", FIELDS, required=["scenario", "seed", "replications"])
    for key in ("title", "description"):
        text(raw.get(key, ""), key)
    if isinstance(raw["scenario"], Scenario):  # from Python: a scenario built in code
        scenario = raw["scenario"]
    else:
        name = text(raw["scenario"], "scenario")
        local = base_dir / name
        scenario = load_scenario(local if name and local.is_file() else name)
    seed = check_seed(raw["seed"])
    replications = int(number(raw["replications"], "replications", low=1, high=MAX_REPLICATIONS, integer=True))
    if "weeks" in raw:
        number(raw["weeks"], "weeks", low=1, high=100_000, integer=True)
        scenario = scenario.with_values({"weeks": raw["weeks"]})
    burn_in = int(number(raw.get("burn_in", 0), "burn_in", low=0, integer=True))
    metrics = _metrics(raw.get("metrics", list(METRICS)))
    crn = boolean(raw.get("common_random_numbers", True), "common_random_numbers")
    batch = int(number(raw.get("batch", default_batch(scenario, replications)), "batch", low=1, high=MAX_BATCH,
                       integer=True))

    grid = {p: _values(v, f'grid."{p}"') for p, v in _block(raw, "grid").items()}
    lists = _lists(_block(raw, "list"))
    sample = _block(raw, "sample")
    n = sample.pop("n", None)
    draws = _samples(sample, n, seed)
    _check_paths({"grid": grid, "list": lists, "sample": draws})
    axes = [Axis("grid", (p,), tuple((v,) for v in values)) for p, values in grid.items()]
    for block, values in (("list", lists), ("sample", draws)):  # zipped lists, or the draws, vary together
        if values:
            axes.append(Axis(block, tuple(values), tuple(zip(*values.values()))))
    count = math.prod(len(a.rows) for a in axes)
    if count > MAX_COMBINATIONS:
        sizes = " x ".join(str(len(a.rows)) for a in axes)
        raise ScenarioError("combinations", f"{count} ({sizes}) is above {MAX_COMBINATIONS} (allowed: at most "
                                            f"{MAX_COMBINATIONS} per sweep; split it into several sweeps)")
    parameters = tuple(p for a in axes for p in a.paths)
    combinations = tuple(tuple(v for row in rows for v in row) for rows in itertools.product(*(a.rows for a in axes)))
    sweep = Sweep(scenario, seed, replications, burn_in, metrics, crn, batch, parameters, combinations, raw, path)
    if sweep.chain_rows and CHAIN in scenario.firm_ids:
        raise ScenarioError(f"firms.{CHAIN}", f'the firm id "{CHAIN}" names the chain\'s rows of a sweep table '
                                              "(allowed: another id)")
    _check_combinations(sweep, axes)
    return sweep


@dataclass(frozen=True)
class Axis:
    """One factor of the full factorial: a grid path, or the zipped list, or the sample draws."""

    block: str  # "grid", "list" or "sample"
    paths: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]  # one value per path in each row


def _block(raw: Mapping, name: str) -> dict[str, Any]:
    """A [grid], [list] or [sample] table as dotted path -> value.

    Quoted keys (``"firms.retailer.policy.beta" = [...]``) are paths as they stand; unquoted ones
    arrive as nested tables and are joined back into paths (down to a list, or a distribution).
    """
    block = raw.get(name, {})
    if not isinstance(block, Mapping):
        raise ScenarioError(name, f"{show(block)} is not a table (allowed: [{name}] with dotted paths as keys)")
    out: dict[str, Any] = {}

    def walk(node: Mapping, prefix: str) -> None:
        for key, value in node.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            leaf = not isinstance(value, Mapping) or (name == "sample" and (  # a distribution
                not value or any(k in DISTRIBUTIONS for k in value) or not any(isinstance(v, Mapping)
                                                                              for v in value.values())))
            if leaf:
                out[path] = value
            else:
                walk(value, path)

    walk(block, "")
    return out


def _metrics(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise ScenarioError("metrics", f"{show(value)} is not a list of metric names (allowed: a non-empty "
                                       f"list of {', '.join(METRICS)})")
    for i, m in enumerate(value):
        if m not in METRICS:
            listed = ", ".join(METRICS)
            raise ScenarioError(f"metrics[{i}]", f"{show(m)} is not a metric (allowed: {listed})")
        if m in value[:i]:
            raise ScenarioError(f"metrics[{i}]", f"{show(m)} is given twice (allowed: each metric once)")
    return tuple(m for m in METRICS if m in value)  # table order, whatever the file's


def _values(values: Any, where: str) -> list:
    if not isinstance(values, list) or not values:
        raise ScenarioError(where, f"{show(values)} is not a list of values (allowed: a non-empty list, "
                                   "e.g. [0, 0.5, 1])")
    return values


def _lists(block: Mapping[str, Any]) -> dict[str, list]:
    out: dict[str, list] = {}
    for p, values in block.items():
        out[p] = _values(values, f'list."{p}"')
        first = next(iter(out))
        if len(out[p]) != len(out[first]):
            raise ScenarioError(f'list."{p}"', f'has {len(out[p])} values but list."{first}" has '
                                               f"{len(out[first])} (allowed: lists of equal length, varied together)")
    return out


def _samples(sample: Mapping[str, Any], n: Any, seed: int) -> dict[str, list]:
    """The [sample] draws: n values per path, drawn in the table's order from the sweep's seed."""
    if not sample:
        if n is not None:
            raise ScenarioError("sample", "has n but no parameter to draw (allowed: e.g. "
                                          '"firms.retailer.policy.beta" = {uniform = [0, 1]})')
        return {}
    if n is None:
        raise ScenarioError("sample.n", "is missing (required: how many combinations to draw)")
    n = int(number(n, "sample.n", low=1, high=MAX_COMBINATIONS, integer=True))
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(SAMPLE_STREAM,)))
    out = {}
    for p, spec in sample.items():
        kind, args = _distribution(spec, f'sample."{p}"')
        if kind == "uniform":
            out[p] = [float(x) for x in rng.uniform(args[0], args[1], n)]
        elif kind == "integers":
            out[p] = [int(x) for x in rng.integers(args[0], args[1], n, endpoint=True)]
        else:
            out[p] = [copy.deepcopy(args[i]) for i in rng.integers(0, len(args), n)]
    return out


def _distribution(spec: Any, where: str) -> tuple[str, list]:
    allowed = "{uniform = [low, high]}, {integers = [low, high]} or {choice = [...]}"
    if not isinstance(spec, Mapping):
        raise ScenarioError(where, f"{show(spec)} is not a distribution (allowed: {allowed})")
    for key in spec:
        if key not in DISTRIBUTIONS:
            raise ScenarioError(f"{where}.{key}", f"is not a distribution (allowed: {', '.join(DISTRIBUTIONS)})")
    if len(spec) != 1:
        raise ScenarioError(where, f"{show(dict(spec))} is not one distribution (allowed: {allowed})")
    kind, args = next(iter(spec.items()))
    if kind == "choice":
        return kind, _values(args, f"{where}.choice")
    if not isinstance(args, list) or len(args) != 2:
        raise ScenarioError(f"{where}.{kind}", f"{show(args)} is not [low, high]")
    whole = kind == "integers"
    low, high = (number(a, f"{where}.{kind}[{i}]", integer=whole) for i, a in enumerate(args))
    if high < low:
        raise ScenarioError(f"{where}.{kind}", f"{show(args)} has high below low (allowed: [low, high], low <= high)")
    return kind, [low, high]


def _check_paths(blocks: Mapping[str, Mapping[str, Any]]) -> None:
    where: dict[str, str] = {}
    for block, paths in blocks.items():
        for p in paths:
            label = f'{block}."{p}"'
            if p in where:
                raise ScenarioError(label, f"is also in [{where[p]}] (allowed: each parameter in one block)")
            where[p] = block
            if p == "seed" or p.startswith("seed."):
                raise ScenarioError(label, "is the scenario's seed; the sweep's seed, replications and "
                                           "common_random_numbers decide the draws (allowed: any other field)")
    for p in where:
        for q in where:
            if q.startswith(p + "."):
                raise ScenarioError(f'{where[q]}."{q}"', f'is inside {where[p]}."{p}" (allowed: parameters that '
                                                         "do not overlap)")


def _check_combinations(sweep: Sweep, axes: list[Axis]) -> None:
    """Build every combination's scenario once, and check that burn_in leaves two weeks of each.

    An error names the value to blame when that value (or that row of a list or sample) is
    wrong on its own, else the combination with all its values.
    """
    fine: set[tuple[int, int]] = set()  # (axis, row) seen in a valid combination: not wrong on its own
    for c, at in enumerate(itertools.product(*(range(len(a.rows)) for a in axes))):
        values = sweep.values(c)
        try:
            weeks = sweep.scenario.with_values(values).weeks if values else sweep.scenario.weeks
            number(sweep.burn_in, "burn_in", low=0, high=weeks - 2, integer=True)
        except ScenarioError as e:
            if not values:
                raise
            raise _blame(sweep.scenario, axes, at, fine, e, c, values) from None
        fine.update(enumerate(at))


def _blame(scenario: Scenario, axes: list[Axis], at: tuple[int, ...], fine: set, error: ScenarioError, c: int,
           values: Mapping[str, Any]) -> ScenarioError:
    for a, (axis, i) in enumerate(zip(axes, at)):
        if (a, i) in fine:
            continue
        row = dict(zip(axis.paths, axis.rows[i]))
        try:
            scenario.with_values(row)
        except ScenarioError as e:
            named = [p for p in axis.paths if _within(e.path, p)]
            if len(axis.paths) == 1 or named:
                p = named[0] if named else axis.paths[0]
                message = str(e)[len(e.path) + 2:] if _same(e.path, p) else str(e)
                return ScenarioError(f'{axis.block}."{p}"[{i}]', message)
            shown = ", ".join(f"{p} = {show(v)}" for p, v in row.items())
            return ScenarioError(f"{axis.block}[{i}] ({shown})", str(e))
    shown = ", ".join(f"{p} = {show(v)}" for p, v in values.items())
    return ScenarioError(f"combination {c} ({shown})", str(error))


def _segments(path: str) -> list[str]:
    return [re.sub(r"\[\d+\]$", "", part) for part in path.split(".")]


def _within(error_path: str, parameter: str) -> bool:
    """Whether an error's field lies at or under a parameter path (``*`` matches any list entry)."""
    got, want = _segments(error_path), parameter.split(".")
    return len(got) >= len(want) and all(w in ("*", g) for w, g in zip(want, got))


def _same(error_path: str, parameter: str) -> bool:
    """Whether an error's field is the parameter itself (then the message need not repeat it)."""
    exact = len(error_path.split(".")) == len(parameter.split(".")) and not error_path.endswith("]")
    return exact and _within(error_path, parameter)
