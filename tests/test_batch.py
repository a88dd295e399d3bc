"""The array engine against the Mesa model: replication r of ``simulate(sc, R, seed)`` is the game
``ChainModel(sc, seed, replication=r)`` (../shared/notes/style.md, point 9: two paths agree).

Compared: every history column, every per-firm and chain figure, on every bundled scenario and
on random valid scenarios from ``tests/strategies.py``.
"""

import numpy as np
import pandas as pd
import pytest

import chaingame as cg
from chaingame import metrics
from chaingame.batch import simulate
from chaingame.scenario import bundled

from .strategies import random_scenario_table

ATOL = 1e-9  # the two paths sum the same numbers through different array shapes (BLAS), not bit for bit


def assert_same_history(batch_history: pd.DataFrame, model_history: pd.DataFrame, label: str) -> None:
    assert list(batch_history[["week", "firm", "role"]].itertuples(index=False)) == \
        list(model_history[["week", "firm", "role"]].itertuples(index=False)), label
    for col in cg.COLUMNS:
        np.testing.assert_allclose(batch_history[col].to_numpy(float), model_history[col].to_numpy(float),
                                   rtol=0, atol=ATOL, equal_nan=True, err_msg=f"{label}: {col}")


def assert_same_figures(batch: pd.DataFrame, model: pd.DataFrame, label: str) -> None:
    for col in model.columns:
        if pd.api.types.is_numeric_dtype(model[col]):
            np.testing.assert_allclose(batch[col].to_numpy(float), model[col].to_numpy(float), rtol=1e-12,
                                       atol=ATOL, equal_nan=True, err_msg=f"{label}: {col}")
        else:
            assert batch[col].tolist() == model[col].tolist(), f"{label}: {col}"


def check_agree(scenario, replications: int, seed: int, label: str, burn_in: int = 0) -> None:
    res = simulate(scenario, replications, seed=seed, history=True, burn_in=burn_in)
    for r in range(replications):
        h = cg.ChainModel(scenario, seed=seed, replication=r).run().history()
        mine = res.history[res.history.replication == r].drop(columns="replication").reset_index(drop=True)
        assert_same_history(mine, h, f"{label} r={r}")
        firms = res.firms[res.firms.replication == r].drop(columns="replication").reset_index(drop=True)
        assert_same_figures(firms, metrics.summary(h, burn_in), f"{label} r={r} firms")
        chain = res.chain[res.chain.replication == r].drop(columns="replication").reset_index(drop=True)
        assert_same_figures(chain, metrics.chain_summary(h, burn_in), f"{label} r={r} chain")


@pytest.mark.parametrize("name", sorted(bundled()))
def test_simulate_is_chain_model_on_every_bundled_scenario(name):
    check_agree(cg.load_scenario(name), 3, seed=11, label=name)


@pytest.mark.parametrize("start", range(0, 60, 10))
def test_simulate_is_chain_model_on_random_scenarios(start):
    rng = np.random.default_rng(start)
    for i in range(start, start + 10):
        table = random_scenario_table(rng)
        sc = cg.from_table(table)
        burn_in = int(rng.integers(0, sc.weeks - 1))
        check_agree(sc, 2, seed=i, label=f"random scenario {i} ({len(sc.firms)} firms, {sc.weeks} weeks)",
                    burn_in=burn_in)


def test_a_later_chunk_of_replications_is_the_same_games():
    """``first_replication`` gives replications r.. of the same seed, whatever runs beside them."""
    whole = simulate("stochastic", 6, seed=4, history=True)
    part = simulate("stochastic", 2, seed=4, history=True, first_replication=3)
    assert part.chain.replication.tolist() == [3, 4]
    mine = whole.history[whole.history.replication.isin([3, 4])].reset_index(drop=True)
    pd.testing.assert_frame_equal(mine, part.history, check_exact=False, rtol=0, atol=ATOL)
    pd.testing.assert_frame_equal(whole.firms[whole.firms.replication.isin([3, 4])].reset_index(drop=True),
                                  part.firms, check_exact=False, rtol=0, atol=ATOL)


def test_weeks_and_burn_in_arguments():
    res = simulate("classic", 1, weeks=20, burn_in=4, history=True)
    assert res.history.week.max() == 20
    h = cg.ChainModel("classic", weeks=20).run().history()
    assert_same_figures(res.firms.drop(columns="replication"), metrics.summary(h, burn_in=4), "burn_in")
    with pytest.raises(cg.ScenarioError, match="burn_in"):
        simulate("classic", 1, weeks=20, burn_in=19)


@pytest.mark.parametrize("seed", [56, 3, 17, 101])
def test_a_replication_is_bit_identical_whatever_runs_beside_it(seed):
    """Replication r gives the very same bits alone, in a batch of 3 or of 7, and at another offset."""
    sc = cg.from_table(random_scenario_table(seed))
    wide = simulate(sc, replications=7, seed=seed, history=True).history
    narrow = simulate(sc, replications=3, seed=seed, history=True).history
    alone = simulate(sc, replications=1, seed=seed, first_replication=2, history=True).history
    for other in (narrow, alone):
        for r in other.replication.unique():
            a = wide[wide.replication == r].drop(columns="replication").reset_index(drop=True)
            b = other[other.replication == r].drop(columns="replication").reset_index(drop=True)
            pd.testing.assert_frame_equal(a, b, check_exact=True)
