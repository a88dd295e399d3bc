"""Running a sweep and resuming it: :func:`run_sweep` and :func:`execute`.

The chunks of the plan (:mod:`chaingame.sweep.chunks`) are submitted to any
:class:`concurrent.futures.Executor` (:mod:`chaingame.sweep.executors`) as
:func:`~chaingame.sweep.worker.run_chunk` of plain data; their results become Arrow tables here,
are kept in ``<out>.parts/`` as they finish when there is an output file (so an interrupted run
can be resumed), and are assembled into one tidy frame in table order: one row per (combination,
replication, firm), with the chain's figures in rows whose ``firm`` is ``"chain"``.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Mapping
from concurrent.futures import FIRST_COMPLETED, Executor, wait
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..checks import ScenarioError, number, show
from .chunks import Chunk, default_chunk, payload, plan
from .executors import default_workers, open_executor
from .results import OUT_FORMATS
from .spec import FORMAT, Sweep, load_sweep
from .worker import run_chunk


@dataclass
class Report:
    """What a run did: chunks in all, chunks reused from an interrupted run, where it ran."""

    chunks: int = 0
    reused: int = 0
    ran_on: str = ""
    parts: Path | None = None
    out: Path | None = None


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
        from ..provenance import sweep_metadata

        _write_atomic(result, out, sweep_metadata(sweep))
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
                pending[pool.executor.submit(run_chunk, payload(sweep, k))] = k
            if not pending:
                return
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for f in sorted(finished, key=lambda f: pending[f].index):
                yield pending.pop(f), f.result()
    finally:
        for f in pending:
            f.cancel()


def chunk_rows(result: Mapping) -> pa.Table:
    """A chunk's result (:func:`.worker.run_chunk`) as rows: combination, replication, seed, firm, metrics."""
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


def _write_atomic(df: pd.DataFrame, out: Path, metadata: Mapping | None = None) -> None:
    """Write the table (a Parquet one with ``metadata`` as JSON under :data:`~chaingame.provenance.METADATA_KEY`)."""
    from ..provenance import METADATA_KEY

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        if out.suffix.lower() == ".csv":
            df.to_csv(tmp, index=False)
        else:
            table = pa.Table.from_pandas(df, preserve_index=False)  # as DataFrame.to_parquet(index=False)
            if metadata is not None:
                table = table.replace_schema_metadata({**(table.schema.metadata or {}),
                                                       METADATA_KEY: json.dumps(metadata, default=repr)})
            pq.write_table(table, tmp)
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
