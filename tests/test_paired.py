"""Paired comparisons under common random numbers (chaingame.paired.compare, `chaingame compare`)."""

import os
import subprocess
import sys

import numpy as np
import pytest
from scipy.stats import t as student_t

import chaingame as cg
from chaingame.paired import interval

TREATMENT = {"defaults.policy.beta": 1}


def test_differences_are_per_replication_with_the_paired_t_interval():
    table = cg.compare("stochastic", TREATMENT, replications=40, seed=5, burn_in=3, metrics=["cost", "bullwhip"])
    base = cg.simulate("stochastic", 40, seed=5, burn_in=3)
    treat = cg.simulate(cg.load_scenario("stochastic").with_values(TREATMENT), 40, seed=5, burn_in=3)
    for firm in ("retailer", "factory"):
        d = (treat.firms[treat.firms.firm == firm]["cost"].to_numpy()
             - base.firms[base.firms.firm == firm]["cost"].to_numpy())
        row = table[(table.firm == firm) & (table.metric == "cost")].iloc[0]
        half = student_t.ppf(0.975, 39) * d.std(ddof=1) / np.sqrt(40)
        assert row.n == 40 and row.difference == pytest.approx(d.mean(), rel=1e-12)
        assert (row.low, row.high) == pytest.approx((d.mean() - half, d.mean() + half), rel=1e-12)
    chain = table[table.firm == "chain"]
    assert chain.metric.tolist() == ["cost"]  # the chain has a cost, not one bullwhip ratio
    assert chain.difference.item() == pytest.approx((treat.chain.cost - base.chain.cost).mean(), rel=1e-12)


def test_the_interval_is_scipy_s_student_t_interval_of_the_mean():
    d = np.random.default_rng(3).normal(2.0, 5.0, 57)
    i = interval(d, level=0.9)
    low, high = student_t.interval(0.9, 56, loc=d.mean(), scale=d.std(ddof=1) / np.sqrt(57))
    assert (i.n, i.mean, i.sd) == (57, pytest.approx(d.mean(), rel=1e-15), pytest.approx(d.std(ddof=1), rel=1e-15))
    assert (i.low, i.high) == pytest.approx((low, high), rel=1e-12) and i.half == pytest.approx((high - low) / 2)
    with_nan = interval(np.append(d, np.nan), level=0.9)
    assert (with_nan.n, with_nan.low, with_nan.high) == (57, i.low, i.high)  # a NaN pair is left out
    one = interval([4.5])
    assert (one.n, one.low, one.high) == (1, 4.5, 4.5)  # one deterministic game: the number itself, exact
    assert np.isnan(interval([]).mean)


def test_common_random_numbers_cancel_the_demand_noise():
    """The same demand in both arms: a treatment equal to the baseline differs by exactly 0, and the
    paired interval of a real change is narrower than the unpaired one."""
    same = cg.compare("stochastic", {"defaults.policy.beta": 0.34}, {"defaults.policy.beta": 0.34}, replications=20)
    assert (same.difference == 0).all() and (same.sd == 0).all()
    table = cg.compare("stochastic", TREATMENT, replications=200, seed=2)
    row = table[table.firm == "chain"].iloc[0]
    base = cg.simulate("stochastic", 200, seed=2).chain.cost.to_numpy()
    treat = cg.simulate(cg.load_scenario("stochastic").with_values(TREATMENT), 200, seed=2).chain.cost.to_numpy()
    unpaired = student_t.ppf(0.975, 199) * np.sqrt(base.var(ddof=1) / 200 + treat.var(ddof=1) / 200)
    assert row.high - row.low < 2 * unpaired


def test_cli_compare_prints_the_table():
    p = subprocess.run([sys.executable, "-m", "chaingame.cli", "compare", "stochastic", "--set",
                        "defaults.policy.beta=1", "--replications", "30", "--seed", "5"],
                       capture_output=True, text=True, timeout=300, env={**os.environ, "MPLBACKEND": "Agg"})
    assert p.returncode == 0, p.stderr
    row = cg.compare("stochastic", TREATMENT, replications=30, seed=5).set_index("firm").loc["chain"]
    line = next(ln for ln in p.stdout.splitlines() if ln.startswith("chain"))
    assert line.split()[2:5] == [f"{row.baseline:.2f}", f"{row.treatment:.2f}", f"{row.difference:.2f}"]
    assert f"[{row.low:.2f}, {row.high:.2f}]" in line
    assert "30 paired replications (seed 5" in p.stdout


@pytest.mark.parametrize("args, needle", [
    (["--set", "defaults.policy.beta=7"], "defaults.policy.beta: 7 is above 1"),
    ([], "--set: is missing"),
    (["--set", "defaults.policy.beta=1", "--replications", "1"], "--replications: 1 is below 2"),
    (["--set", "defaults.policy.beta=1", "--metric", "nope"], '--metric: "nope" is not a firm metric'),
])
def test_cli_compare_bad_input_one_line(args, needle):
    p = subprocess.run([sys.executable, "-m", "chaingame.cli", "compare", "stochastic", *args],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 2 and needle in p.stderr and len(p.stderr.strip().splitlines()) == 1, p.stderr
