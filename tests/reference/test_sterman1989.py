"""Sterman (1989), "Modeling managerial behavior: misperceptions of feedback in a dynamic decision
making experiment", Management Science 35(3): 321-339 (board as in Edali & Yasarcan 2014)."""

import numpy as np
import pytest

import chaingame as cg
from chaingame.policies import Sterman

FIRMS = ["retailer", "wholesaler", "distributor", "factory"]


def benchmark_policies():
    """theta = 0, alpha_s = 1, beta = 1, S' = 28, 28, 28, 20 (Sterman's benchmark rule)."""
    return {f: Sterman(theta=0, alpha_s=1, beta=1, s_prime=s) for f, s in zip(FIRMS, [28, 28, 28, 20])}


def test_benchmark_costs_exactly_204():
    m = cg.ChainModel(cg.load_scenario("classic"), seed=1, policies=benchmark_policies())
    m.run()
    h = m.history()
    assert sorted(h.week.unique()) == list(range(1, 37))
    assert h.cost.sum() == 204.0


def test_benchmark_holds_for_any_seed():
    """Classic demand is deterministic: the seed must not matter."""
    costs = {cg.ChainModel("classic", seed=s, policies=benchmark_policies()).run().history().cost.sum()
             for s in (0, 7, 12345)}
    assert costs == {204.0}


def test_orders_fixed_at_four_in_weeks_1_to_4():
    h = cg.ChainModel("classic", policies=benchmark_policies()).run().history()
    assert (h[h.week <= 4].order_placed == 4).all()


BEHAVIOURAL = Sterman(theta=0.36, alpha_s=0.26, beta=0.34, s_prime=17)  # the subjects' mean estimates


def test_the_classic_scenario_plays_the_behavioural_rule():
    """The bundled classic board's rule is the estimated one, at every firm.

    Sterman (1989): the mean estimates over 44 subjects.
    """
    sc = cg.load_scenario("classic")
    assert {f.id: f.policy for f in sc.firms} == dict.fromkeys(FIRMS, BEHAVIOURAL)


@pytest.fixture(scope="module")
def behavioural():
    """Sterman (1989), eqs. 10-15 with the subjects' mean estimates θ = 0.36, α_S = 0.26, β = 0.34,
    S' = 17 at every firm, passed explicitly (whatever the scenario file says)."""
    h = cg.ChainModel("classic", policies=dict.fromkeys(FIRMS, BEHAVIOURAL)).run().history()
    return h.pivot(index="week", columns="firm", values="order_placed")[FIRMS]


def test_amplification_peak_and_variance_grow_upstream(behavioural):
    peaks = behavioural.max().to_numpy()
    variances = behavioural.var().to_numpy()
    assert np.all(np.diff(peaks) > 0), peaks
    assert np.all(np.diff(variances) > 0), variances
    assert peaks[-1] > 3 * 8  # the factory's peak is several times the demand of 8


def test_phase_lag_peaks_come_later_upstream(behavioural):
    peak_weeks = behavioural.idxmax().to_numpy()
    assert np.all(np.diff(peak_weeks) > 0), peak_weeks


def test_counting_the_supply_line_is_more_stable():
    """A larger beta (counting the supply line fully) damps the oscillation (Sterman 1989, sec. 5)."""
    def orders(beta):
        sc = cg.load_scenario("classic").with_values({"defaults.policy.beta": beta})
        h = cg.ChainModel(sc).run().history()
        return h.pivot(index="week", columns="firm", values="order_placed")[FIRMS], h.cost.sum()

    (low, low_cost), (high, high_cost) = orders(0.34), orders(1.0)
    assert (high.var() < low.var() / 4).all()
    assert high.max().max() < low.max().max() / 2
    assert high_cost < low_cost
