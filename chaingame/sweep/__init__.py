"""Parameter sweeps: many variants of a scenario, many replications each, one tidy table.

A sweep file (TOML) names a scenario, a seed, a number of replications, the metrics to keep and
the parameters to vary by dotted path. :func:`run_sweep` checks every combination first, then runs
them in chunks on any :class:`concurrent.futures.Executor` and returns one row per (combination,
replication, firm), with the chain's figures in rows whose ``firm`` is ``"chain"``. The file
format, the table and the seeds are described in docs/sweeps.md.

The numbers do not depend on the executor, the number of workers, the chunk size or the batch
size: replication r of combination c draws from seeds that depend only on the sweep's seed, c and
r, and its sums are added in a fixed order whatever runs beside it.

One module per job:

- :mod:`~chaingame.sweep.spec`: the sweep file and its checks (:func:`load_sweep`, :class:`Sweep`);
- :mod:`~chaingame.sweep.chunks`: the chunk plan, batches and seeds (:func:`plan`);
- :mod:`~chaingame.sweep.run`: running and resuming (:func:`run_sweep`, :func:`execute`);
- :mod:`~chaingame.sweep.results`: reading a table back (:func:`read_table`, :func:`mean_ci`);
- :mod:`~chaingame.sweep.worker`: what a worker process runs (:func:`run_chunk`), numpy and the
  engine only;
- :mod:`~chaingame.sweep.executors`: where the chunks run (process pool, Dask, this process).

The names below load their module when first used, so that a worker importing
:mod:`chaingame.sweep.worker` loads neither pandas nor pyarrow.
"""

from chaingame import _on_first_use

_LAZY = {
    "Sweep": "spec",
    "load_sweep": "spec",
    "METRICS": "spec",
    "MAX_COMBINATIONS": "spec",
    "MAX_REPLICATIONS": "spec",
    "Chunk": "chunks",
    "plan": "chunks",
    "combination_seed": "chunks",
    "default_batch": "chunks",
    "DEFAULT_BATCH": "chunks",
    "MAX_BATCH": "chunks",
    "BATCH_HISTORY": "chunks",
    "run_sweep": "run",
    "execute": "run",
    "Report": "run",
    "read_table": "results",
    "parameters_of": "results",
    "metrics_of": "results",
    "mean_ci": "results",
    "pooled": "results",
    "default_firms": "results",
    "run_chunk": "worker",
    "CHAIN": "worker",
}

__all__ = sorted(_LAZY)


__getattr__, __dir__ = _on_first_use(globals(), {n: (f"{__name__}.{m}", n) for n, m in _LAZY.items()})
