"""The chunk plan: combinations x replications cut into batches and chunks, and their seeds.

A **batch** is replications of one combination run together as one array run; a **chunk** is
consecutive batches (in table order) given to one worker call, the unit of progress and of
resuming. Replication r of combination c draws from ``SeedSequence(root, spawn_key=(r,))``, where
the root is the sweep's seed (common random numbers) or :func:`combination_seed`: so the numbers
depend neither on the batches nor on the chunks.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..metrics import WEEKLY

if TYPE_CHECKING:
    from ..scenario import Scenario
    from .spec import Sweep

DEFAULT_BATCH = 2000  # replications per array run: the engine's cost per game falls up to about 2,000
MAX_BATCH = 2000  # larger arrays are no faster (measured: docs/sweeps.md)
BATCH_HISTORY = 64 << 20  # bytes: the default batch keeps the weekly columns one array run keeps below this
CHUNKS_WANTED = 256  # the default chunk size cuts a big sweep into about this many chunks


def combination_seed(seed: int, combination: int) -> int:
    """Combination c's own root seed (``common_random_numbers = false``): 63 bits of SeedSequence(seed, (c,))."""
    return int(np.random.SeedSequence(seed, spawn_key=(combination,)).generate_state(1, np.uint64)[0] >> 1)


@dataclass(frozen=True)
class Chunk:
    """Consecutive batches, each (combination, first replication, stop), run by one worker call."""

    index: int
    batches: tuple[tuple[int, int, int], ...]

    @property
    def runs(self) -> int:
        """The runs (combination, replication) in the chunk."""
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
    """Replications per array run unless the sweep says.

    :data:`DEFAULT_BATCH`, fewer for long or wide chains (the weekly columns a run keeps for its figures, weeks
    x firms x replications, stay under :data:`BATCH_HISTORY`), never more than the sweep's replications.
    """
    per_replication = scenario.weeks * len(scenario.firms) * len(WEEKLY) * 8
    return max(1, min(replications, DEFAULT_BATCH, BATCH_HISTORY // per_replication))


def default_chunk(sweep: Sweep) -> int:
    """The default chunk size: about :data:`CHUNKS_WANTED` chunks, never less than one batch."""
    return max(sweep.batch, math.ceil(sweep.runs / CHUNKS_WANTED))


def payload(sweep: Sweep, chunk: Chunk) -> dict:
    """Plain data for :func:`chaingame.sweep.worker.run_chunk` (picklable, no chaingame objects)."""
    return {
        "key": sweep.key,
        "table": copy.deepcopy(sweep.scenario.table),  # plain dicts and lists (the Scenario's are read-only)
        "burn_in": sweep.burn_in,
        "metrics": list(sweep.metrics),
        "firm_rows": sweep.firm_rows,
        "chain_rows": sweep.chain_rows,
        "batches": [(c, sweep.values(c), sweep.seed_of(c), start, stop) for c, start, stop in chunk.batches],
    }
