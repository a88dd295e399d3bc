"""The compiled week (chaingame/kernel.py): one signature per kernel, numpy's rounding, replications independent."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import chaingame as cg
from chaingame import chain, kernel, weekkernel
from chaingame.engine import Engine, warm_up
from chaingame.scenario import bundled
from tests.strategies import random_scenario_table


def test_counted_is_numpy_round_to_9_places_bit_for_bit():
    rng = np.random.default_rng(5)
    x = np.concatenate([rng.normal(0, 1, 20_000), rng.normal(0, 1e6, 20_000), rng.integers(0, 100, 20_000) / 7.0,
                        rng.uniform(0, 100, 20_000).round(3) * (1 + 1e-10), [0.58 * 25, -0.0, 0.5e-9, -1.5e-9]])
    compiled = np.array([kernel.counted(v) for v in x])
    assert np.array_equal(compiled.view(np.uint64), chain.counted(x).view(np.uint64))


def test_every_kernel_compiles_once_for_every_bundled_scenario():
    """One signature each: optional arrays are passed empty, never None, so no scenario compiles a second one."""
    warm_up()
    for name in sorted(bundled()):
        eng = Engine(name, replications=3)
        while not eng.done:
            eng.step()
        chain.accepted_order(eng.net, 1, 0, 2.5)
    for fn in (kernel.advance, kernel.place, kernel.accepted, weekkernel.week):
        assert len(fn.signatures) == 1, (fn, fn.signatures)


def _history(scenario, replications: int, first: int = 0) -> np.ndarray:
    eng = Engine(scenario, replications=replications, seed=3, first_replication=first)
    weeks = []
    while not eng.done:
        rec = eng.step()
        weeks.append(np.stack([rec[c] for c in ("inventory", "backlog", "order_placed", "shipped", "cost", "cash")]))
    return np.stack(weeks)


@pytest.mark.parametrize("source", ["classic", "rationing", "cash", "promotions", "random152", "random40"])
def test_a_replication_has_the_same_bits_alone_or_among_others(source):
    """Replications run one tile after another: replication r alone is replication r among two tiles and a part of
    a third (2 × kernel.TILE + 30), bit for bit.

    random152 (turn-and-earn, a supplier's stock a few ulps below 0) is a game the numpy week played
    differently among others than alone: it decided its water-filling rounds on all replications at once.
    """
    scenario = cg.from_table(random_scenario_table(int(source[6:]))) if source.startswith("random") else source
    n = 2 * kernel.TILE + 30
    together = _history(scenario, n)
    for r in (0, 3, kernel.TILE - 1, kernel.TILE, n - 1):
        alone = _history(scenario, 1, first=r)[..., 0]
        assert np.array_equal(alone.view(np.uint64), together[..., r].view(np.uint64)), r


def test_import_chaingame_loads_no_numba():
    code = "import sys, chaingame, chaingame.chain, chaingame.engine; print('numba' in sys.modules)"
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert p.stdout.strip() == "False", p.stderr
