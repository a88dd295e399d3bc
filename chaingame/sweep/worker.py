"""What a sweep worker runs: one chunk of batches, plain data in and plain data out.

:func:`run_chunk` is the function every executor calls (a local process, a Dask worker or this
process), so it is a top-level function of picklable data. This module imports numpy and the
engine only (no pandas, no pyarrow), so a worker process starts the sooner; the package's
``__init__`` loads nothing until asked, so importing this module pulls in no more. The sweep
itself, its tables and its files live in the other modules of :mod:`chaingame.sweep`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..batch import run_figures
from ..metrics import CHAIN_METRICS, FIRM_METRICS
from ..scenario import Scenario, from_table
from .executors import tune_worker

CHAIN = "chain"  # the `firm` of the rows holding the chain's figures
BUILT_KEPT = 64  # combinations' scenarios a worker keeps

_built: dict[tuple[str, int], Scenario] = {}  # this process's scenarios, by (sweep key, combination)
_base: dict[str, Scenario] = {}  # the base scenario of the sweep this process last ran, by sweep key


def run_chunk(payload: dict) -> dict:
    """Run one chunk (the worker side: a top-level function of plain data, so any executor can call it).

    Returns plain data too, small to send back: per batch (combination, first replication, stop,
    seed, the row labels of one replication), and per metric one float array over the chunk's
    rows, in table order. :func:`chaingame.sweep.run.chunk_rows` makes it a table.
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
    """Combination c's scenario, built once per worker process (a chunk often repeats the last one's).

    It is :meth:`Scenario.with_values` of the sweep's base scenario, as the sweep's checks built it.
    """
    if (key, c) not in _built:
        if len(_built) >= BUILT_KEPT:
            _built.clear()
        if key not in _base:
            _base.clear()
            _base[key] = from_table(table)
        _built[(key, c)] = _base[key].with_values(changes) if changes else _base[key]
    return _built[(key, c)]
