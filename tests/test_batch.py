"""The array engine against the Mesa model: replication r of ``simulate(sc, R, seed)`` is the game
``ChainModel(sc, seed, replication=r)``: two independent paths to the same game must agree.

Compared exactly, bit for bit: every history column, every per-firm and chain figure, on every
bundled scenario and on random valid scenarios from ``tests/strategies.py``. Both paths run the same
arithmetic in the same order (chain.py sums groups in a fixed order, never through BLAS, whose
summation order may depend on the number of replications), so nothing needs a tolerance.
"""

import numpy as np
import pandas as pd
import pytest

import chaingame as cg
from chaingame import metrics
from chaingame.batch import simulate
from chaingame.scenario import bundled

from .strategies import random_scenario_table


def assert_same_history(batch_history: pd.DataFrame, model_history: pd.DataFrame, label: str) -> None:
    assert list(batch_history[["week", "firm", "role"]].itertuples(index=False)) == \
        list(model_history[["week", "firm", "role"]].itertuples(index=False)), label
    for col in cg.COLUMNS:
        np.testing.assert_array_equal(batch_history[col].to_numpy(float), model_history[col].to_numpy(float),
                                      err_msg=f"{label}: {col}", strict=True)


def assert_same_figures(batch: pd.DataFrame, model: pd.DataFrame, label: str) -> None:
    for col in model.columns:
        if pd.api.types.is_numeric_dtype(model[col]):
            np.testing.assert_array_equal(batch[col].to_numpy(float), model[col].to_numpy(float),
                                          err_msg=f"{label}: {col}", strict=True)
        else:
            assert batch[col].tolist() == model[col].tolist(), f"{label}: {col}"


def check_agree(scenario, replications: int, seed: int, label: str, burn_in: int = 0,
                parts=("history", "firms", "chain")) -> None:
    res = simulate(scenario, replications, seed=seed, history=True, burn_in=burn_in)
    if "firms" in parts or "chain" in parts:  # without history the figures' totals are added week by week
        lean = simulate(scenario, replications, seed=seed, burn_in=burn_in)
        assert lean.history is None
        pd.testing.assert_frame_equal(lean.firms, res.firms, check_exact=True, obj=f"{label}: firms, no history")
        pd.testing.assert_frame_equal(lean.chain, res.chain, check_exact=True, obj=f"{label}: chain, no history")
    for r in range(replications):
        h = cg.ChainModel(scenario, seed=seed, replication=r).run().history()
        if "history" in parts:
            mine = res.history[res.history.replication == r].drop(columns="replication").reset_index(drop=True)
            assert_same_history(mine, h, f"{label} r={r}")
        if "firms" in parts:
            firms = res.firms[res.firms.replication == r].drop(columns="replication").reset_index(drop=True)
            assert_same_figures(firms, metrics.summary(h, burn_in), f"{label} r={r} firms")
        if "chain" in parts:
            chain = res.chain[res.chain.replication == r].drop(columns="replication").reset_index(drop=True)
            assert_same_figures(chain, metrics.chain_summary(h, burn_in), f"{label} r={r} chain")


@pytest.mark.parametrize("name", sorted(bundled()))
def test_simulate_is_chain_model_on_every_bundled_scenario(name):
    check_agree(cg.load_scenario(name), 3, seed=11, label=name)


def random_cases(start):
    rng = np.random.default_rng(start)
    for i in range(start, start + 10):
        sc = cg.from_table(random_scenario_table(rng))
        burn_in = int(rng.integers(0, sc.weeks - 1))
        yield i, sc, burn_in


@pytest.mark.parametrize("start", range(0, 60, 10))
def test_simulate_is_chain_model_on_random_scenarios(start):
    """The history of replication r: exactly the model's game, every column, every week."""
    for i, sc, burn_in in random_cases(start):
        check_agree(sc, 2, seed=i, label=f"random scenario {i} ({len(sc.firms)} firms, {sc.weeks} weeks)",
                    burn_in=burn_in, parts=("history",))


@pytest.mark.parametrize("start", range(0, 60, 10))
def test_firm_figures_are_chain_model_s_on_random_scenarios(start):
    """The per-firm figures of replication r (cost, bullwhip, fill rate, ...): exactly those
    ``metrics.summary`` gives for the model's history of that game, whatever ran beside it."""
    for i, sc, burn_in in random_cases(start):
        check_agree(sc, 2, seed=i, label=f"random scenario {i} ({len(sc.firms)} firms, {sc.weeks} weeks)",
                    burn_in=burn_in, parts=("firms",))


@pytest.mark.parametrize("start", range(0, 60, 10))
def test_chain_figures_are_chain_model_s_on_random_scenarios(start):
    """The chain's figures of replication r (totals over firms, the retailers' fill rate, ...):
    exactly those ``metrics.chain_summary`` gives for the model's history of that game, whatever
    number of replications ran beside it."""
    for i, sc, burn_in in random_cases(start):
        check_agree(sc, 2, seed=i, label=f"random scenario {i} ({len(sc.firms)} firms, {sc.weeks} weeks)",
                    burn_in=burn_in, parts=("chain",))


def test_a_later_chunk_of_replications_is_the_same_games():
    """``first_replication`` gives replications r.. of the same seed, whatever runs beside them."""
    whole = simulate("stochastic", 6, seed=4, history=True)
    part = simulate("stochastic", 2, seed=4, history=True, first_replication=3)
    assert part.chain.replication.tolist() == [3, 4]
    mine = whole.history[whole.history.replication.isin([3, 4])].reset_index(drop=True)
    pd.testing.assert_frame_equal(mine, part.history, check_exact=True)
    pd.testing.assert_frame_equal(whole.firms[whole.firms.replication.isin([3, 4])].reset_index(drop=True),
                                  part.firms, check_exact=True)
    pd.testing.assert_frame_equal(whole.chain[whole.chain.replication.isin([3, 4])].reset_index(drop=True),
                                  part.chain, check_exact=True)


def test_weeks_and_burn_in_arguments():
    res = simulate("classic", 1, weeks=20, burn_in=4, history=True)
    assert res.history.week.max() == 20
    h = cg.ChainModel("classic", weeks=20).run().history()
    assert_same_figures(res.firms.drop(columns="replication"), metrics.summary(h, burn_in=4), "burn_in")
    with pytest.raises(cg.ScenarioError, match="burn_in"):
        simulate("classic", 1, weeks=20, burn_in=19)


@pytest.mark.parametrize("part", ["history", "firms", "chain"])
@pytest.mark.parametrize("seed", [56, 3, 17, 101, 0, 11])
def test_a_replication_is_bit_identical_whatever_runs_beside_it(seed, part):
    """Replication r gives the very same bits alone, in a batch of 3 or of 7, and at another offset:
    its history, its per-firm figures and its chain figures."""
    sc = cg.from_table(random_scenario_table(seed))
    wide = getattr(simulate(sc, replications=7, seed=seed, history=True), part)
    narrow = getattr(simulate(sc, replications=3, seed=seed, history=True), part)
    alone = getattr(simulate(sc, replications=1, seed=seed, first_replication=2, history=True), part)
    for other in (narrow, alone):
        for r in other.replication.unique():
            a = wide[wide.replication == r].drop(columns="replication").reset_index(drop=True)
            b = other[other.replication == r].drop(columns="replication").reset_index(drop=True)
            pd.testing.assert_frame_equal(a, b, check_exact=True, obj=f"{part} of replication {r}")


@pytest.mark.parametrize("fallback", [False, True], ids=["blocks", "pandas constructor"])
def test_tables_are_pandas_own(monkeypatch, fallback):
    """The tables built column by column (batch._table, batch._repeated_text) are the DataFrames pandas' own
    constructor makes of the same columns: values, dtypes, columns and index; also where their fast paths are
    not available (older pandas: no pandas.api.internals, text not held by pyarrow)."""
    from chaingame import batch

    if fallback:
        import builtins

        real_import = builtins.__import__

        def no_internals(name, *args, **kwargs):
            if name == "pandas.api.internals":
                raise ImportError(name)
            return real_import(name, *args, **kwargs)

        monkeypatch.setattr(builtins, "__import__", no_internals)
        monkeypatch.setattr(batch, "_text_kind", lambda: None)
    names, R = ["retailer", "wholesaler", "f-é3"], 5
    got = batch._table({"replication": np.repeat(np.arange(R), 3), "firm": batch._repeated_text(names, R),
                        "cost": np.arange(3 * R, dtype=float).reshape(R, 3)}, 3 * R)
    want = pd.DataFrame({"replication": np.repeat(np.arange(R), 3), "firm": pd.array(names * R, dtype="str"),
                         "cost": np.arange(3 * R, dtype=float)})
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert list(got.dtypes) == list(want.dtypes) and got["firm"].tolist() == names * R
