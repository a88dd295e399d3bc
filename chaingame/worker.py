"""What a sweep worker runs: one chunk of batches, plain data in and plain data out.

:func:`run_chunk` is the function every executor calls (a local process, a Dask worker or this
process), so it is a top-level function of picklable data. This module imports numpy and the
engine only (no pandas, no pyarrow), so a worker process starts the sooner. The sweep itself, its
tables and its files live in :mod:`chaingame.sweep`.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping

import numpy as np

from .batch import run_figures
from .executors import tune_worker
from .metrics import CHAIN_METRICS, FIRM_METRICS
from .scenario import Scenario, from_table, set_values

CHAIN = "chain"  # the `firm` of the rows holding the chain's figures
BUILT_KEPT = 64  # combinations' scenarios a worker keeps

_built: dict[tuple[str, int], Scenario] = {}  # this process's scenarios, by (sweep key, combination)


def run_chunk(payload: dict) -> dict:
    """Run one chunk (the worker side: a top-level function of plain data, so any executor can call it).

    Returns plain data too, small to send back: per batch (combination, first replication, stop,
    seed, the row labels of one replication), and per metric one float array over the chunk's
    rows, in table order. :func:`chaingame.sweep.chunk_rows` makes it a table.
    """
    tune_worker()
    batches, values = [], {m: [] for m in payload["metrics"]}
    for c, changes, seed, start, stop in payload["batches"]:
        sc = _combination(payload["key"], c, payload["table"], changes)
        _, firm, chain = run_figures(sc, stop - start, seed, None, start, payload["burn_in"])
        R, F = stop - start, len(sc.firms)
        labels = [*sc.firm_ids] * payload["firm_rows"] + [CHAIN] * payload["chain_rows"]
        batches.append((c, start, stop, seed, labels))
        for m in payload["metrics"]:  # (R, labels): per replication its firms in scenario order, then the chain
            blocks = []
            if payload["firm_rows"]:
                blocks.append(firm[m].T if m in FIRM_METRICS else np.full((R, F), np.nan))
            if payload["chain_rows"]:
                blocks.append(chain[m][:, None] if m in CHAIN_METRICS else np.full((R, 1), np.nan))
            values[m].append(np.concatenate(blocks, axis=1).ravel())
    return {"batches": batches, "metrics": {m: np.concatenate(v) for m, v in values.items()}}


def _combination(key: str, c: int, table: Mapping, changes: Mapping) -> Scenario:
    """Combination c's scenario, built once per worker process (a chunk often repeats the last one's)."""
    if (key, c) not in _built:
        if len(_built) >= BUILT_KEPT:
            _built.clear()
        raw = copy.deepcopy(dict(table))
        set_values(raw, changes)  # as Scenario.with_values, which checked this combination
        _built[(key, c)] = from_table(raw)
    return _built[(key, c)]
