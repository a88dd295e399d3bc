"""Summary figures (chaingame.metrics) against values computed here, independently, from the weekly
history: the chain's largest bullwhip ratio (NaN, not -inf, when no firm has one) and the chain's
peak order and its first week, through both ``simulate(...).chain`` and ``metrics.chain_summary``.
"""

import math
import warnings

import numpy as np
import pandas as pd
import pytest

import chaingame as cg
from chaingame import figurekernel, metrics
from chaingame.batch import simulate
from chaingame.scenario import bundled

from .strategies import random_scenario_table


def independent_chain_figures(h: pd.DataFrame, burn_in: int) -> dict:
    """Per-game chain figures from one game's history rows (week > burn_in), with pandas only."""
    h = h[h.week > burn_in]
    ratios = []
    first_peaks = []
    for _, g in h.groupby("firm", sort=False):
        vd = g.customer_demand.var(ddof=1)
        if vd > 1e-12:
            ratios.append(g.order_placed.var(ddof=1) / vd)
        first_peaks.append(g.week[g.order_placed == g.order_placed.max()].min())
    peak = h.order_placed.max()
    return {"max_bullwhip": max(ratios) if ratios else math.nan, "peak_order": peak,
            "peak_week": float(h.week[h.order_placed == peak].min()), "latest_peak_week": float(max(first_peaks))}


def cases():
    for name in sorted(bundled()):
        yield name, cg.load_scenario(name), 0
    yield "classic, burn-in 10", cg.load_scenario("classic"), 10
    rng = np.random.default_rng(2024)
    for i in range(12):
        sc = cg.from_table(random_scenario_table(rng))
        yield f"random {i}", sc, int(rng.integers(0, sc.weeks - 1))


@pytest.mark.parametrize("label, sc, burn_in", list(cases()), ids=[c[0] for c in cases()])
def test_chain_peak_order_and_week_and_largest_bullwhip(label, sc, burn_in):
    """The chain's peak order is the largest order any firm placed (after the burn-in), its week
    the first week any firm placed it; max_bullwhip the largest ratio among firms that have one;
    latest_peak_week the last of the firms' first peak weeks. Checked per replication of
    ``simulate`` and through ``chain_summary`` of the Mesa model's history of the same game."""
    res = simulate(sc, 3, seed=5, history=True, burn_in=burn_in)
    for r in range(3):
        want = independent_chain_figures(res.history[res.history.replication == r], burn_in)
        got = res.chain[res.chain.replication == r].iloc[0]
        model = metrics.chain_summary(cg.ChainModel(sc, seed=5, replication=r).run().history(), burn_in).iloc[0]
        for row, where in ((got, "simulate"), (model, "chain_summary")):
            assert row.peak_order == want["peak_order"], (label, r, where)
            assert row.peak_week == want["peak_week"], (label, r, where)
            assert row.latest_peak_week == want["latest_peak_week"], (label, r, where)
            if math.isnan(want["max_bullwhip"]):
                assert math.isnan(row.max_bullwhip), (label, r, where, row.max_bullwhip)
            else:
                assert row.max_bullwhip == pytest.approx(want["max_bullwhip"], rel=1e-12), (label, r, where)


def test_peak_week_is_the_first_week_of_a_tie():
    """Classic orders are fixed at 4 in weeks 1-4 and demand stays 4 up to week 4: every firm's
    largest order over weeks 1-3 is 4, placed by all of them every week, so the chain's peak is 4
    in week 1."""
    res = simulate("classic", 2, weeks=3)
    assert res.chain.peak_order.tolist() == [4.0, 4.0] and res.chain.peak_week.tolist() == [1.0, 1.0]
    assert res.firms.peak_week.tolist() == [1.0] * 8


@pytest.mark.parametrize("weeks, burn_in", [(3, 0), (36, 5)], ids=["weeks-1-3", "after-the-step"])
def test_max_bullwhip_is_nan_when_no_firm_has_a_ratio(weeks, burn_in):
    """Constant demand (classic weeks 1-3, or weeks 6-36 after its step): no firm has a bullwhip
    ratio, so neither has the chain: NaN (not -inf, nor a warning), in ``simulate`` and in
    ``chain_summary``; and ``chaingame run`` writes it as null (tests/test_cli.py)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = simulate("classic", 2, weeks=weeks, burn_in=burn_in)
        model = metrics.chain_summary(cg.ChainModel("classic", weeks=weeks).run().history(), burn_in)
    assert res.firms.bullwhip.isna().all()
    for figure in (res.chain.max_bullwhip, model.max_bullwhip):
        assert figure.isna().all() and not np.isinf(figure).any(), figure.tolist()


def test_max_bullwhip_skips_firms_without_a_ratio():
    """Two retailers, one facing constant demand: it (and nobody else) has no ratio, and the
    chain's largest ratio is the largest of the others, computed here from the history."""
    table = {
        "weeks": 30, "seed": 4,
        "firms": {"steady": {"role": "retailer", "demand": {"process": "constant", "level": 5},
                             "policy": {"rule": "pass_through"}},
                  "busy": {"role": "retailer", "demand": {"process": "uniform", "low": 0, "high": 8},
                           "policy": {"rule": "sterman"}},
                  "depot": {"role": "distributor", "policy": {"rule": "sterman", "s_prime": 30}}},
        "links": [{"supplier": "source", "customer": "steady"}, {"supplier": "depot", "customer": "busy"},
                  {"supplier": "source", "customer": "depot"}],
    }
    sc = cg.from_table(table)
    res = simulate(sc, 2, seed=4, history=True)
    firms = res.firms.set_index(["replication", "firm"])
    for r in range(2):
        h = res.history[res.history.replication == r]
        assert math.isnan(firms.loc[(r, "steady"), "bullwhip"])
        assert not math.isnan(firms.loc[(r, "busy"), "bullwhip"])
        want = independent_chain_figures(h, 0)["max_bullwhip"]
        assert not math.isnan(want)
        assert res.chain.max_bullwhip[r] == pytest.approx(want, rel=1e-12)


@pytest.mark.parametrize("burn_in, said", [(100, "100 is above 34"), (35, "35 is above 34"), (-1, "-1 is below 0"),
                                           (1.5, "1.5 is not a whole number"), ("x", '"x" is not a whole number')])
@pytest.mark.parametrize("figures", [metrics.summary, metrics.chain_summary], ids=["summary", "chain_summary"])
def test_a_burn_in_past_the_history_is_a_one_line_error(figures, burn_in, said):
    """A 36-week history leaves two weeks (a variance needs two) up to burn_in 34, as simulate does."""
    h = cg.ChainModel("classic").run().history()
    assert h.week.max() == 36
    with pytest.raises(cg.ScenarioError) as info:
        figures(h, burn_in=burn_in)
    assert str(info.value) == f"burn_in: {said} (allowed: whole numbers 0 to 34)"
    assert len(figures(h, burn_in=34)) == (4 if figures is metrics.summary else 1)
    with pytest.raises(cg.ScenarioError, match=r"^burn_in: 35 is above 34 \(allowed: whole numbers 0 to 34\)$"):
        simulate("classic", 1, burn_in=35)


@pytest.mark.parametrize("shape", [(36, 4, 1), (12, 3, 257), (1, 2, 5), (9, 3, 1000)])  # 3,000 columns: chunks
def test_peaks_are_max_and_argmax_along_the_weeks(shape):
    """metrics.peaks (compiled, figurekernel.spread) gives max's value and argmax's index of the first largest
    value: with ties (whole units), signed zeros, and NaN (which both take as the largest); over several of the
    kernel's chunks of columns too, the last one partial."""
    assert shape[1] * shape[2] < 1000 or shape[1] * shape[2] % figurekernel.CHUNK, "the last chunk is partial"
    rng = np.random.default_rng(len(shape) * shape[-1])
    x = rng.integers(0, 4, shape).astype(float)
    x[rng.random(shape) < 0.1] = -0.0
    for _ in range(2):
        highest, at = metrics.peaks(x)
        assert np.array_equal(highest, x.max(axis=0), equal_nan=True)
        assert (at == x.argmax(axis=0)).all()
        x[rng.random(shape) < 0.05] = np.nan


@pytest.mark.parametrize("shape", [(36, 4, 1), (12, 3, 257), (1, 2, 5), (40, 7), (9, 3, 1000)])
def test_variance_has_the_bits_of_its_definition(shape):
    """metrics.variance (compiled) is the mean as total / n, then the squared deviations added week by week,
    / (n - 1): every bit, on fractional values, along either axis (NaN for one week), in chunks of columns too."""
    rng = np.random.default_rng(shape[0])
    x = rng.normal(10, 3, shape) / 7
    for axis in (0, 1):
        y = np.moveaxis(x, axis, 0)
        mean = y[0].copy()
        for part in y[1:]:
            mean += part
        mean = mean / len(y)
        out = (y[0] - mean) * (y[0] - mean)
        for part in y[1:]:
            out += (part - mean) * (part - mean)
        with np.errstate(divide="ignore", invalid="ignore"):
            want = out / (len(y) - 1)
        got = metrics.variance(x, axis)
        assert got.shape == want.shape
        assert np.array_equal(np.isnan(got), np.isnan(want))
        assert np.array_equal(got[~np.isnan(got)].view(np.uint64), want[~np.isnan(want)].view(np.uint64))


def test_totals_idle_columns_are_zeros_read_only():
    """An idle column's total (metrics.Totals) is 0 and cannot be written into; the others are the block's rows."""
    totals = metrics.Totals((2, 3), frozenset({"interest", "payables"}))
    assert set(totals.sums) == set(metrics.SUMMED) and "interest" not in totals.columns
    for c in ("interest", "payables"):
        assert np.array_equal(totals.sums[c], np.zeros((2, 3))) and not totals.sums[c].flags.writeable
    assert all(np.shares_memory(totals.sums[c], totals.block) for c in totals.columns)
