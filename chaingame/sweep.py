"""Parameter sweeps: many variants of a scenario, many replications each, one tidy table.

A sweep file (TOML) names a scenario, a seed, a number of replications, the metrics to keep and
the parameters to vary by dotted path: ``[grid]`` (full factorial), ``[list]`` (equal-length
lists varied together) and ``[sample]`` (``n`` random draws). :func:`run_sweep` checks every
combination first, then runs them in chunks on any :class:`concurrent.futures.Executor` and
returns one row per (combination, replication, firm), with the chain's figures in rows whose
``firm`` is ``"chain"``. The file format, the table and the seeds are described in docs/sweeps.md.

The numbers do not depend on the executor, the number of workers, the chunk size or the batch
size: replication r of combination c draws from seeds that depend only on the sweep's seed, c and
r, and its sums are added in a fixed order whatever runs beside it.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import math
import os
import re
import shutil
import sys
import tomllib
from collections.abc import Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, wait
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .checks import ScenarioError, boolean, check_seed, number, show, table, text
from .metrics import CHAIN_METRICS, FIRM_METRICS, WEEKLY
from .scenario import Scenario, load_scenario
from .worker import CHAIN, run_chunk

METRICS = FIRM_METRICS + tuple(m for m in CHAIN_METRICS if m not in FIRM_METRICS)
ID_COLUMNS = ("combination", "replication", "seed", "firm")
FIELDS = ["scenario", "title", "description", "seed", "replications", "weeks", "burn_in", "metrics",
          "common_random_numbers", "batch", "grid", "list", "sample"]
DISTRIBUTIONS = ("uniform", "integers", "choice")
DEFAULT_BATCH = 2000  # replications per array run: the engine's cost per game falls up to about 2,000
MAX_BATCH = 2000  # larger arrays are no faster (measured: docs/sweeps.md)
BATCH_HISTORY = 64 << 20  # bytes: the default batch keeps the weekly columns one array run keeps below this
MAX_COMBINATIONS = 100_000  # each one is validated before the first run (about 1 ms each)
MAX_REPLICATIONS = 10_000_000
CHUNKS_WANTED = 256  # the default chunk size cuts a big sweep into about this many chunks
SAMPLE_STREAM = 0x73616D706C65  # spawn key of the [sample] draws ("sample" in ASCII), away from any r or c
FORMAT = 1  # version of the parts folder layout


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
        from . import __version__

        sweep = {**self.table, "scenario": self.scenario.name} if isinstance(self.table["scenario"], Scenario) \
            else self.table
        blob = json.dumps({"sweep": sweep, "scenario": self.scenario.table, "batch": self.batch,  # decides the chunks
                           "version": __version__, "format": FORMAT}, sort_keys=True, default=repr)
        return hashlib.sha256(blob.encode()).hexdigest()


def combination_seed(seed: int, combination: int) -> int:
    """Combination c's own root seed (``common_random_numbers = false``): 63 bits of SeedSequence(seed, (c,))."""
    return int(np.random.SeedSequence(seed, spawn_key=(combination,)).generate_state(1, np.uint64)[0] >> 1)


# ------------------------------------------------------------------------------------------------
# reading and checking a sweep


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
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            raise ScenarioError(str(path), "is not a text file (allowed: a TOML sweep file)") from None
        except tomllib.TOMLDecodeError as e:
            raise ScenarioError(str(path), f"is not valid TOML ({e})") from None
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


# ------------------------------------------------------------------------------------------------
# chunks: what runs where


@dataclass(frozen=True)
class Chunk:
    """Consecutive batches, each (combination, first replication, stop), run by one worker call."""

    index: int
    batches: tuple[tuple[int, int, int], ...]

    @property
    def runs(self) -> int:
        return sum(stop - start for _, start, stop in self.batches)


def plan(sweep: Sweep, chunk: int | None = None) -> list[Chunk]:
    """Cut the sweep into chunks of at least ``chunk`` runs (whole batches, in table order).

    The default makes about :data:`CHUNKS_WANTED` chunks, and never less than one batch each.
    """
    size = default_chunk(sweep) if chunk is None else chunk
    chunks, current, runs = [], [], 0
    for c in range(len(sweep.combinations)):
        for start in range(0, sweep.replications, sweep.batch):
            stop = min(start + sweep.batch, sweep.replications)
            current.append((c, start, stop))
            runs += stop - start
            if runs >= size:
                chunks.append(Chunk(len(chunks), tuple(current)))
                current, runs = [], 0
    if current:
        chunks.append(Chunk(len(chunks), tuple(current)))
    return chunks


def default_batch(scenario: Scenario, replications: int) -> int:
    """Replications per array run unless the sweep says: :data:`DEFAULT_BATCH`, fewer for long or
    wide chains (the weekly columns a run keeps for its figures, weeks x firms x replications,
    stay under :data:`BATCH_HISTORY`), never more than the sweep's replications."""
    per_replication = scenario.weeks * len(scenario.firms) * len(WEEKLY) * 8
    return max(1, min(replications, DEFAULT_BATCH, BATCH_HISTORY // per_replication))


def default_chunk(sweep: Sweep) -> int:
    return max(sweep.batch, math.ceil(sweep.runs / CHUNKS_WANTED))


def _payload(sweep: Sweep, chunk: Chunk) -> dict:
    """Plain data for :func:`chaingame.worker.run_chunk` (picklable, no chaingame objects)."""
    return {
        "key": sweep.key,
        "table": dict(sweep.scenario.table),
        "burn_in": sweep.burn_in,
        "metrics": list(sweep.metrics),
        "firm_rows": sweep.firm_rows,
        "chain_rows": sweep.chain_rows,
        "batches": [(c, sweep.values(c), sweep.seed_of(c), start, stop) for c, start, stop in chunk.batches],
    }


def chunk_rows(result: Mapping) -> pa.Table:
    """A chunk's result (:func:`chaingame.worker.run_chunk`) as rows: combination, replication, seed, firm, metrics."""
    combination, replication, seed, codes, labels = [], [], [], [], {}
    for c, start, stop, s, names in result["batches"]:
        n, width = stop - start, len(names)
        combination.append(np.full(n * width, c, dtype=np.int64))
        replication.append(np.repeat(np.arange(start, stop, dtype=np.int64), width))
        seed.append(np.full(n * width, s, dtype=np.int64))
        codes.append(np.tile(np.array([labels.setdefault(f, len(labels)) for f in names], dtype=np.int32), n))
    firm = pa.DictionaryArray.from_arrays(pa.array(np.concatenate(codes)), pa.array(list(labels), pa.string()))
    return pa.table({
        "combination": np.concatenate(combination),
        "replication": np.concatenate(replication),
        "seed": np.concatenate(seed),
        "firm": firm.cast(pa.string()),
        **{m: np.asarray(v, dtype=float) for m, v in result["metrics"].items()},
    })


# ------------------------------------------------------------------------------------------------
# running


@dataclass
class Report:
    """What a run did: chunks in all, chunks reused from an interrupted run, where it ran."""

    chunks: int = 0
    reused: int = 0
    ran_on: str = ""
    parts: Path | None = None
    out: Path | None = None


OUT_FORMATS = (".parquet", ".csv")


def run_sweep(spec_or_path: str | Path | Mapping | Sweep, workers: int | None = None,
              executor: Executor | str | None = None, out: str | Path | None = None, resume: bool = False,
              progress: bool = True, chunk: int | None = None) -> pd.DataFrame:
    """Run a sweep and return its tidy table (docs/sweeps.md).

    Args:
        spec_or_path: a sweep ``.toml`` path, the same table as a dict (whose ``scenario`` may also be
            a :class:`~chaingame.scenario.Scenario`), or a :class:`Sweep`.
        workers: local worker processes (1: in this process; None: one per CPU).
        executor: a :class:`concurrent.futures.Executor` to run on (left open), or the address of a
            Dask scheduler, e.g. ``"tcp://host:8786"`` (needs ``chaingame[cluster]``).
        out: also write the table here (``.parquet`` or ``.csv``); finished chunks are kept in
            ``<out>.parts/`` until the table is written.
        resume: reuse the finished chunks in ``<out>.parts/`` of an interrupted run of the same sweep.
        progress: show a progress bar on stderr.
        chunk: runs per chunk (rounded up to whole batches); default: about 256 chunks.

    Returns:
        One row per (combination, replication, firm), firms in scenario order and then the chain,
        with columns ``combination``, the parameters, ``replication``, ``seed``, ``firm`` and the metrics.
    """
    return execute(spec_or_path, workers, executor, out, resume, progress, chunk)[0]


def execute(spec_or_path, workers=None, executor=None, out=None, resume=False, progress=True, chunk=None,
            labels: Mapping[str, str] | None = None) -> tuple[pd.DataFrame, Report]:
    """:func:`run_sweep`, also returning a :class:`Report` (``labels`` renames the fields in errors)."""
    from tqdm import tqdm

    from .executors import default_workers, open_executor

    labels = {k: k for k in ("out", "chunk", "resume", "executor", "workers")} | dict(labels or {})
    sweep = load_sweep(spec_or_path)
    out = _check_out(out, labels["out"])
    if resume and out is None:
        raise ScenarioError(labels["resume"], "needs an output file (out) whose parts folder to resume from")
    if chunk is not None:
        chunk = int(number(chunk, labels["chunk"], low=1, integer=True))
    if workers is not None:
        workers = int(number(workers, labels["workers"], low=1, integer=True))
    parts = _Parts(out, sweep, labels) if out is not None else None
    done: set[int] = set()
    if parts is not None:
        chunk, done = parts.check(chunk, resume)
    chunks = plan(sweep, chunk)
    todo = [k for k in chunks if k.index not in done]
    if executor is None:  # no more processes than chunks to run
        workers = min(workers or default_workers(), max(1, len(todo)))
    report = Report(chunks=len(chunks), reused=len(done), out=out, parts=parts.folder if parts else None)
    tables: dict[int, pa.Table] = {}
    with open_executor(workers, executor, labels) as pool:  # may connect to a cluster: the last check
        report.ran_on = pool.description
        if parts is not None:
            parts.start(chunk, len(chunks))
        with tqdm(total=sweep.runs, initial=sum(chunks[i].runs for i in done), unit="run", desc="sweep",
                  file=sys.stderr, disable=not progress, dynamic_ncols=True) as bar:
            for k, result in _run(pool, sweep, todo):
                rows = chunk_rows(result)
                if parts is not None:
                    parts.write(k.index, rows)
                else:
                    tables[k.index] = rows
                bar.update(k.runs)
    if parts is not None:
        tables = {i: parts.read(i) for i in range(len(chunks))}
    result = assemble(sweep, [tables[i] for i in range(len(chunks))])
    if out is not None:
        _write_atomic(result, out)
        parts.remove()
    return result, report


def _run(pool, sweep: Sweep, todo: list[Chunk]):
    """Yield (chunk, rows) as chunks finish, with at most ``pool.window`` in flight."""
    queue = iter(todo)
    pending: dict = {}
    try:
        while True:
            while len(pending) < pool.window:
                k = next(queue, None)
                if k is None:
                    break
                pending[pool.executor.submit(run_chunk, _payload(sweep, k))] = k
            if not pending:
                return
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for f in sorted(finished, key=lambda f: pending[f].index):
                yield pending.pop(f), f.result()
    finally:
        for f in pending:
            f.cancel()


def assemble(sweep: Sweep, tables: list[pa.Table]) -> pd.DataFrame:
    """The chunks' rows in chunk order, with the parameter columns, in the documented dtypes."""

    def column(name: str) -> np.ndarray:  # a new, writable array (to_numpy of one chunk is a read-only view)
        return np.concatenate([t[name].to_numpy() for t in tables])

    combo = column("combination")
    out = {"combination": combo}
    for j, p in enumerate(sweep.parameters):
        col = parameter_column([values[j] for values in sweep.combinations])[combo]
        out[p] = pd.array(col, dtype="str") if col.dtype == object else col
    out["replication"] = column("replication")
    out["seed"] = column("seed")
    out["firm"] = pd.array(pa.chunked_array([c for t in tables for c in t["firm"].chunks]), dtype="str")
    for m in sweep.metrics:
        out[m] = column(m)
    return pd.DataFrame(out, copy=False)  # the columns are this frame's alone: not stacked again into blocks


def parameter_column(values: list) -> np.ndarray:
    """A parameter's values as one column: bool, int64, float64 or text (tables and mixed values as JSON)."""
    if all(isinstance(v, bool) for v in values):
        return np.array(values, dtype=bool)
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return np.array(values, dtype=np.int64)
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return np.array(values, dtype=float)
    if all(isinstance(v, str) for v in values):
        return np.array(values, dtype=object)
    return np.array([json.dumps(v, sort_keys=True, default=str) for v in values], dtype=object)


def _check_out(out, label: str) -> Path | None:
    if out is None:
        return None
    out = Path(out)
    if out.suffix.lower() not in OUT_FORMATS:
        raise ScenarioError(label, f"{show(str(out))} ends in {show(out.suffix or 'nothing')} (allowed: "
                                   f"{' or '.join(OUT_FORMATS)})")
    if out.is_dir():
        raise ScenarioError(label, f"{show(str(out))} is a folder (allowed: a file name ending in .parquet or .csv)")
    return out


def _write_atomic(df: pd.DataFrame, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        if out.suffix.lower() == ".csv":
            df.to_csv(tmp, index=False)
        else:
            df.to_parquet(tmp, index=False)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)


class _Parts:
    """``<out>.parts/``: a manifest and one Parquet file per finished chunk, each written atomically."""

    def __init__(self, out: Path, sweep: Sweep, labels: Mapping[str, str]):
        self.folder = out.with_name(out.name + ".parts")
        self.manifest = self.folder / "manifest.json"
        self.sweep = sweep
        self.labels = labels

    def check(self, chunk: int | None, resume: bool) -> tuple[int, set[int]]:
        """Check the parts folder, if there is one (reading only); return the chunk size and finished chunks."""
        if not self.folder.exists():
            return (default_chunk(self.sweep) if chunk is None else chunk), set()
        where = show(str(self.folder))
        if not resume:
            raise ScenarioError(self.labels["out"], f"{where} holds the parts of an unfinished sweep (allowed: add "
                                                    "--resume to finish it, or delete that folder to start afresh)")
        try:
            old = json.loads(self.manifest.read_text())
        except (OSError, ValueError):
            old = None
        if not isinstance(old, dict) or old.get("format") != FORMAT or not isinstance(old.get("chunk"), int):
            raise ScenarioError(self.labels["resume"], f"{where} has no readable manifest.json (delete that "
                                                       "folder to start afresh)")
        if old.get("fingerprint") != self.sweep.fingerprint():
            raise ScenarioError(self.labels["resume"], f"{where} was written by a different sweep (the sweep file "
                                                       "or its scenario changed since; delete that folder to start "
                                                       "afresh)")
        if chunk is not None and chunk != old["chunk"]:
            raise ScenarioError(self.labels["chunk"], f"{chunk} differs from the interrupted run's chunk size, "
                                                      f"{old['chunk']} (allowed: {old['chunk']}, or leave it out "
                                                      "when resuming)")
        return old["chunk"], self.finished(len(plan(self.sweep, old["chunk"])))

    def start(self, chunk: int, chunks: int) -> None:
        """Make the folder and its manifest (the first thing a sweep writes), or tidy an old one."""
        if self.folder.exists():
            for tmp in self.folder.glob(".*.tmp"):  # left by a killed run
                tmp.unlink(missing_ok=True)
            return
        self.folder.mkdir(parents=True)
        manifest = {"format": FORMAT, "fingerprint": self.sweep.fingerprint(), "chunk": chunk, "chunks": chunks,
                    "sweep": str(self.sweep.source or "")}
        self._atomic(self.manifest, lambda p: p.write_text(json.dumps(manifest, indent=2) + "\n"))

    def path(self, index: int) -> Path:
        return self.folder / f"chunk-{index:06d}.parquet"

    def finished(self, n: int) -> set[int]:
        return {i for i in range(n) if self.path(i).is_file()}

    def write(self, index: int, rows: pa.Table) -> None:
        self._atomic(self.path(index), lambda p: pq.write_table(rows, p))

    def read(self, index: int) -> pa.Table:
        return pq.read_table(self.path(index))

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    @staticmethod
    def _atomic(path: Path, write) -> None:
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            write(tmp)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)


# ------------------------------------------------------------------------------------------------
# reading a table back, and its means with confidence intervals


def read_table(path: str | Path, label: str = "results") -> pd.DataFrame:
    """A sweep table written by :func:`run_sweep` (``.parquet`` or ``.csv``)."""
    path = Path(path)
    if path.suffix.lower() not in OUT_FORMATS:
        raise ScenarioError(label, f"{show(str(path))} ends in {show(path.suffix or 'nothing')} (allowed: "
                                   f"{' or '.join(OUT_FORMATS)})")
    if not path.is_file():
        raise ScenarioError(label, f"{show(str(path))} is not an existing file")
    try:
        df = pd.read_csv(path) if path.suffix.lower() == ".csv" else pd.read_parquet(path)
    except (ValueError, OSError, UnicodeDecodeError, pd.errors.ParserError) as e:
        reason = " ".join(str(e).split())
        reason = reason if len(reason) <= 160 else reason[:157].rsplit(" ", 1)[0] + " ..."
        raise ScenarioError(label, f"{show(str(path))} cannot be read ({reason})") from None
    missing = [c for c in ID_COLUMNS if c not in df.columns]
    if missing:
        raise ScenarioError(label, f"{show(str(path))} is not a sweep table (no column {', '.join(missing)})")
    return df


def parameters_of(df: pd.DataFrame) -> list[str]:
    """The parameter columns of a sweep table (every column but the ids and the metrics)."""
    return [c for c in df.columns if c not in ID_COLUMNS and c not in METRICS]


def metrics_of(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if c in METRICS]


def mean_ci(df: pd.DataFrame, x: str, y: str, firms: Sequence[str] | None = None,
            level: float = 0.95) -> pd.DataFrame:
    """Mean of ``y`` with its ``level`` confidence interval, per firm and value of ``x``.

    The interval is mean ± t(level, n−1)·s/√n over the rows of each (firm, x) (Student's t; rows
    of every other parameter's values are pooled). NaN values of ``y`` are left out.

    Returns:
        columns firm, x, n, mean, sd, low, high; firms in the given order, x sorted.
    """
    firms = list(firms) if firms is not None else default_firms(df, y)
    rows = df[df["firm"].isin(firms)]
    g = rows.dropna(subset=[y]).groupby(["firm", x], sort=False)[y]
    s = g.agg(["count", "mean", "std"]).reset_index().rename(columns={"count": "n", "std": "sd"})
    from scipy.stats import t as student_t  # here, not at the top: workers import this module and never plot

    n = s["n"].to_numpy()
    dof = np.where(n > 1, n - 1, 1)
    half = np.where(n > 1, student_t.ppf(0.5 + level / 2, dof), np.nan) * s["sd"].to_numpy() / np.sqrt(n)
    s["low"], s["high"] = s["mean"] - half, s["mean"] + half
    s["_f"] = s["firm"].map({f: i for i, f in enumerate(firms)})
    return s.sort_values(["_f", x], kind="stable").drop(columns="_f").reset_index(drop=True)


def default_firms(df: pd.DataFrame, y: str) -> list[str]:
    """Which rows a metric is read from: every firm that has it, else the chain."""
    firms = list(dict.fromkeys(df.loc[df[y].notna(), "firm"]))
    real = [f for f in firms if f != CHAIN]
    return real or firms
