"""Order batching: periodic review, review phases, minimum orders and packs (Lee et al. 1997).

The closed forms (each of N retailers with iid demand of mean μ and variance σ² orders its
accumulated demand every R weeks, as an order-up-to rule with review period R does; the supplier
sees the sum): the variance of the supplier's total incoming orders over that of total end demand
is 1 with balanced phases, 1 + N(R − 1)μ²/σ² with synchronized phases, and, for phases in which
n_p of the N retailers order in week p of the cycle, 1 + μ²(R Σ n_p² − N²)/(N σ²), whose
expectation over independent uniform phases is 1 + (R − 1)μ²/σ². With N = R = 4 and demand
uniform on 0..8 (μ = 4, σ² = 60/9): 1, 29.8 and 8.2.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import chaingame as cg
from chaingame import ScenarioError, from_table
from chaingame.batch import run_arrays
from chaingame.chain import accepted_orders
from chaingame.engine import Engine

from .test_batch import check_agree
from .test_scenario_validation import bad_int, bad_nonneg, bad_positive, case, check_message, classic, fails

N, R = 4, 4  # retailers, review period (weeks)
LOW, HIGH = 0, 8  # demand uniform on LOW..HIGH (Croson & Donohue 2006)
MU = (LOW + HIGH) / 2
VAR = ((HIGH - LOW + 1) ** 2 - 1) / 12  # 60/9
LEVEL = 40  # base-stock level of every retailer (units): never short of what 4 weeks' demand needs
# 300 replications x 400 weeks after a 20-week burn-in: 120,000 weeks per estimate, a relative
# sampling error of the ratio of about 0.4% (measured: 0.8-1% at 20,000 weeks), so 3% is ~7 sd.
REPLICATIONS, BURN_IN, WEEKS = 300, 20, 420  # WEEKS - BURN_IN is a multiple of R: every phase equally often


def closed_form(phases) -> float:
    """The ratio for the retailers' phases (N of them, period R)."""
    n = np.bincount(phases, minlength=R)
    return 1 + MU**2 * (R * (n**2).sum() - N**2) / (N * VAR)


def table(review_phases: str | None = None, seed: int = 0, period: int = R, weeks: int = WEEKS) -> dict:
    """N retailers with uniform demand, base stock with a review period, sharing one distributor."""
    firms = {f"r{i}": {"role": "retailer", "inventory": LEVEL, "review_period": period,
                       "policy": {"rule": "base_stock", "level": LEVEL}} for i in range(N)}
    firms["distributor"] = {"role": "distributor", "inventory": 10_000}
    raw = {"weeks": weeks, "seed": seed, "demand": {"process": "uniform", "low": LOW, "high": HIGH},
           "firms": firms,
           "links": [{"supplier": "distributor", "customer": f"r{i}"} for i in range(N)]
           + [{"supplier": "source", "customer": "distributor"}]}
    if review_phases:
        raw["review_phases"] = review_phases
    return raw


def measured_ratio(sc: cg.Scenario, run_seed: int = 1) -> float:
    """Var(the distributor's incoming orders per week) / Var(total customer demand per week), pooled
    over weeks BURN_IN + 1 .. WEEKS and the replications."""
    _, cols = run_arrays(sc, REPLICATIONS, run_seed)
    d = sc.firm_ids.index("distributor")
    retailers = [sc.firm_ids.index(c) for c in sc.customers]
    incoming = cols["incoming_order"][BURN_IN:, d]
    demand = cols["customer_demand"][BURN_IN:, retailers].sum(axis=1)
    return float(incoming.var() / demand.var())


def phases(sc: cg.Scenario) -> list[int]:
    return [sc.firm(c).review_phase for c in sc.customers]


# --------------------------------------------------------------------------------------------------
# the closed forms on the real engine


def test_the_closed_forms_of_the_problem():
    assert VAR == pytest.approx(60 / 9)
    assert closed_form([0, 1, 2, 3]) == pytest.approx(1)
    assert closed_form([0, 0, 0, 0]) == pytest.approx(1 + N * (R - 1) * MU**2 / VAR) == pytest.approx(29.8)


def test_staggered_phases_pass_demand_through():
    sc = from_table(table("staggered"))
    assert phases(sc) == [0, 1, 2, 3]
    assert measured_ratio(sc) == pytest.approx(1.0, rel=0.03)


def test_synchronized_phases_multiply_the_variance():
    sc = from_table(table("synchronized"))
    assert phases(sc) == [0, 0, 0, 0]
    assert measured_ratio(sc) == pytest.approx(29.8, rel=0.03)


def test_without_a_review_phases_field_every_firm_orders_in_phase_0():
    assert phases(from_table(table())) == [0, 0, 0, 0]


# the occupancy patterns of 4 phases among 4 retailers (sorted counts) and their exact probabilities
PATTERNS = {(1, 1, 1, 1): 24 / 256, (2, 1, 1, 0): 144 / 256, (2, 2, 0, 0): 36 / 256, (3, 1, 0, 0): 48 / 256,
            (4, 0, 0, 0): 4 / 256}


def pattern(ph) -> tuple[int, ...]:
    return tuple(sorted(np.bincount(ph, minlength=R), reverse=True))


def test_random_phases_between_staggered_and_synchronized_and_8_2_in_expectation():
    """For a scenario seed giving each occupancy pattern, the engine's ratio is that pattern's closed
    form; weighted by the patterns' exact probabilities, the engine's ratios give 1 + (R − 1)μ²/σ²."""
    seed_of = {}
    for seed in range(200):
        sc = from_table(table("random", seed=seed, weeks=1))
        seed_of.setdefault(pattern(phases(sc)), seed)
        if len(seed_of) == len(PATTERNS):
            break
    assert set(seed_of) == set(PATTERNS)
    expected = 0.0
    for pat, seed in seed_of.items():
        sc = from_table(table("random", seed=seed))
        ratio = measured_ratio(sc)
        assert ratio == pytest.approx(closed_form(phases(sc)), rel=0.03), pat
        if pat not in ((1, 1, 1, 1), (4, 0, 0, 0)):
            assert 1.0 * 1.03 < ratio < 29.8 / 1.03, pat
        expected += PATTERNS[pat] * ratio
    assert sum(PATTERNS.values()) == pytest.approx(1)
    assert expected == pytest.approx(1 + (R - 1) * MU**2 / VAR, rel=0.03)
    assert 1 + (R - 1) * MU**2 / VAR == pytest.approx(8.2)


def test_random_phases_are_uniform_draws_from_the_scenario_seed():
    """Over many scenario seeds the assignments have the multinomial occupancy probabilities (a chi-square
    test at the 0.1% level), and the mean closed form is near 8.2 (sd of one draw ≈ 5.2)."""
    seeds = 600
    counts = dict.fromkeys(PATTERNS, 0)
    forms = []
    for seed in range(seeds):
        ph = phases(from_table(table("random", seed=seed, weeks=1)))
        counts[pattern(ph)] += 1
        forms.append(closed_form(ph))
    chi2 = sum((counts[p] - seeds * q) ** 2 / (seeds * q) for p, q in PATTERNS.items())
    assert chi2 < 18.47  # the 99.9% point of chi-square with 4 degrees of freedom
    assert abs(np.mean(forms) - 8.2) < 4 * np.std(forms) / math.sqrt(seeds)


def test_random_phases_are_the_same_in_every_run_and_follow_the_seed_field():
    a, b = from_table(table("random", seed=7)), from_table(table("random", seed=7))
    assert phases(a) == phases(b)
    assert np.array_equal(a.network().review_phase, b.network().review_phase)
    assert any(phases(from_table(table("random", seed=s))) != phases(a) for s in range(8, 20))


def test_staggered_spreads_any_number_of_customers_evenly():
    for n, period, want in [(2, 4, [0, 2]), (6, 4, [0, 0, 1, 2, 2, 3]), (3, 3, [0, 1, 2]), (1, 5, [0])]:
        raw = {"weeks": 5, "review_phases": "staggered",
               "firms": {**{f"r{i}": {"role": "retailer", "review_period": period} for i in range(n)},
                         "d": {"role": "distributor"}},
               "links": [{"supplier": "d", "customer": f"r{i}"} for i in range(n)]
               + [{"supplier": "source", "customer": "d"}]}
        assert phases(from_table(raw)) == want, (n, period)


def test_a_firm_s_own_phase_is_kept_and_weekly_firms_are_left_out():
    raw = table("staggered")
    raw["firms"]["r1"]["review_phase"] = 3
    raw["firms"]["r2"]["review_period"] = 1
    sc = from_table(raw)
    # r0, r1, r3 review every 4 weeks: the j-th of 3 gets floor(4 j / 3) = 0, (1: its own 3), 2
    assert phases(sc) == [0, 3, 0, 2]


def test_review_phases_group_customers_by_their_first_supplier():
    raw = {"weeks": 5, "review_phases": "staggered",
           "firms": {"a": {"role": "retailer", "review_period": 2}, "b": {"role": "retailer", "review_period": 2},
                     "c": {"role": "retailer", "review_period": 2}, "d": {"role": "retailer", "review_period": 2},
                     "w1": {"role": "wholesaler"}, "w2": {"role": "wholesaler"}},
           "links": [{"supplier": "w1", "customer": "a"}, {"supplier": "w2", "customer": "b"},
                     {"supplier": "w1", "customer": "c"}, {"supplier": "w2", "customer": "d"},
                     {"supplier": "w1", "customer": "d"},
                     {"supplier": "source", "customer": "w1"}, {"supplier": "source", "customer": "w2"}]}
    sc = from_table(raw)
    assert [sc.firm(f).review_phase for f in "abcd"] == [0, 0, 1, 1]


# --------------------------------------------------------------------------------------------------
# what an accepted order is


def net_of(**firm_fields) -> cg.chain.Network:
    return from_table(classic(*((f"firms.retailer.{k}", v) for k, v in firm_fields.items()))).network()


def test_off_review_weeks_order_nothing():
    net = net_of(review_period=3, review_phase=1)
    orders = np.full((4, 1), 5.0)
    placed = [accepted_orders(net, week, orders)[0, 0] for week in range(5, 13)]
    assert placed == [5, 0, 0, 5, 0, 0, 5, 0]  # weeks 2, 5, 8, 11, ... (the classic fixes weeks 1-4)


def test_a_minimum_order_raises_a_positive_order_and_leaves_zero():
    net = net_of(min_order=6)
    got = accepted_orders(net, 10, np.array([[0.0, 0.4, 0.6, 1.0, 5.6, 6.0, 13.0]] * 4))[0]
    assert got.tolist() == [0, 0, 6, 6, 6, 6, 13]  # 0.4 is 0 whole units: no order


def test_packs_round_positive_orders_up_and_come_after_the_minimum():
    net = net_of(min_order=5, pack=4)
    got = accepted_orders(net, 10, np.array([[0.0, 1.0, 4.0, 5.0, 8.0, 8.5, 9.0]] * 4))[0]
    assert got.tolist() == [0, 8, 8, 8, 8, 12, 12]


def test_fractional_packs_are_exact():
    raw = classic(("whole_units", False), ("firms.retailer.pack", 0.1))
    net = from_table(raw).network()
    got = accepted_orders(net, 10, np.array([[0.3, 0.7, 0.3000001, 1e-12, 0.1 + 0.2]] * 4))[0]
    assert got.tolist() == [0.3, 0.7, 0.4, 0.0, 0.3]  # 1e-12 counts as 0; 0.1 + 0.2 as 0.3


def test_fixed_orders_are_placed_as_written():
    net = net_of(review_period=4, review_phase=3, min_order=10, pack=6)
    got = [accepted_orders(net, week, np.full((4, 1), 7.0))[0, 0] for week in (1, 2, 3, 4, 5, 8)]
    assert got == [4, 4, 4, 4, 0, 12]


def test_returns_are_left_as_they_are_in_review_weeks():
    raw = classic(("links.3.returns", True), ("firms.factory.min_order", 5), ("firms.factory.pack", 5),
                  ("firms.factory.review_period", 2))
    net = from_table(raw).network()
    f = net.firms.index("factory")
    orders = np.full((4, 2), -3.0)
    orders[f, 1] = 2.0
    assert accepted_orders(net, 9, orders)[f].tolist() == [-3, 5]
    assert accepted_orders(net, 10, orders)[f].tolist() == [0, 0]


def test_batching_off_is_no_work():
    net = cg.load_scenario("classic").network()
    assert not net.batching
    assert net.review_period.tolist() == [1] * 4 and net.pack.tolist() == [0] * 4
    assert not net_of(pack=1).batching  # a pack of one unit in whole units changes nothing
    assert net_of(review_period=2).batching and net_of(min_order=1).batching and net_of(pack=2).batching


def test_a_weekly_review_with_no_minimum_changes_no_number():
    plain = cg.simulate("stochastic", 3, seed=5, history=True).history
    raw = cg.load_scenario("stochastic").table
    same = from_table({**raw, "defaults": {**raw.get("defaults", {}), "review_period": 1, "review_phase": 0,
                                           "min_order": 0, "pack": 1}})
    assert not same.network().batching
    again = cg.simulate(same, 3, seed=5, history=True).history
    for col in cg.COLUMNS:
        np.testing.assert_array_equal(again[col].to_numpy(float), plain[col].to_numpy(float), err_msg=col)


# --------------------------------------------------------------------------------------------------
# rules under periodic review


def test_order_up_to_rules_cover_the_review_period_too():
    for rule in ({"rule": "moving_average"}, {"rule": "smoothing"}, {"rule": "ar1", "rho": 0.5, "mean": 4}):
        sc = from_table(classic(("firms.wholesaler.policy", rule), ("firms.wholesaler.review_period", 3)))
        assert sc.lead_time("wholesaler") == 2 + 2 + 3 - 1
        assert sc.firm("wholesaler").policy.lead_time == sc.lead_time("wholesaler")
    given = from_table(classic(("firms.wholesaler.policy", {"rule": "moving_average", "lead_time": 1.5}),
                               ("firms.wholesaler.review_period", 3)))
    assert given.firm("wholesaler").policy.lead_time == 1.5  # the user's own lead time is kept
    assert from_table(classic()).lead_time("wholesaler") == 4


def test_an_order_up_to_rule_with_a_review_period_orders_the_demand_since_its_last_review():
    """Base stock with review period R orders exactly the demand of the R weeks since its last order."""
    sc = from_table(table("staggered", weeks=60))
    h = cg.simulate(sc, 2, seed=3, history=True).history
    for r in range(2):
        shop = h[(h.replication == r) & (h.firm == "r2")].set_index("week")
        for week in range(3 + R, 61, R):  # phase 2 orders in weeks 3, 7, 11, ...
            assert shop.order_placed[week] == shop.customer_demand.loc[week - R + 1: week].sum()
        assert (shop.order_placed[[w for w in range(1, 61) if (w - 3) % R]] == 0).all()


def test_sterman_s_expectation_keeps_learning_every_week():
    """The rule is asked every week, so its expectation of incoming orders (here the retailer's demand,
    which no ordering changes) follows the same path with and without a review period."""
    sterman = {"rule": "sterman", "theta": 0.36, "alpha_s": 0.26, "beta": 0.34, "s_prime": 17}
    memories = []
    for period in (1, 4):
        sc = cg.load_scenario("stochastic").with_values({"firms.retailer.policy": sterman,
                                                         "firms.retailer.review_period": period})
        engine = Engine(sc, 3, seed=2)
        while not engine.done:
            engine.step()
        memories.append(engine.memory[sc.firm_ids.index("retailer")]["expected"])
    np.testing.assert_array_equal(memories[0], memories[1])


def test_the_ordering_cost_is_paid_per_order_placed():
    edits = (("firms.retailer.review_period", 4), ("firms.retailer.fixed_orders", []))
    free = cg.simulate(from_table(classic(*edits)), 1, history=True).history
    paid = cg.simulate(from_table(classic(*edits, ("firms.retailer.order_cost", 10))), 1, history=True).history
    shop, paying = free[free.firm == "retailer"], paid[paid.firm == "retailer"]
    assert (shop.order_placed[shop.week % 4 != 1] == 0).all()  # phase 0: weeks 1, 5, 9, ...
    assert 0 < (shop.order_placed > 0).sum() <= 36 // 4
    assert paying.cost.sum() - shop.cost.sum() == pytest.approx(10 * (shop.order_placed > 0).sum())


# --------------------------------------------------------------------------------------------------
# the bundled scenario, and the two engines


def test_the_bundled_batching_scenario_shows_the_cause_and_names_its_source():
    sc = cg.load_scenario("batching")
    assert sc.title and "Lee" in sc.description and "1997" in sc.description
    retailers = [sc.firm(c) for c in sc.customers]
    assert len(retailers) == 4 and {f.review_period for f in retailers} == {4}
    assert len({f.review_phase for f in retailers}) == 1  # synchronized: the cause
    staggered = sc.with_values({"review_phases": "staggered"})
    assert sorted(f.review_phase for f in (staggered.firm(c) for c in staggered.customers)) == [0, 1, 2, 3]


@pytest.mark.parametrize("mode", ["staggered", "synchronized", "random"])
def test_chain_model_is_simulate_with_batching(mode):
    raw = table(mode, seed=11, weeks=30)
    raw["firms"]["r0"].update(min_order=3, pack=2)
    raw["firms"]["distributor"].update(review_period=2, min_order=20, pack=5,
                                       policy={"rule": "smoothing", "alpha": 0.3})
    check_agree(from_table(raw), 3, 4, mode)


# --------------------------------------------------------------------------------------------------
# validation


RET = "firms.retailer"
BATCHING_CASES = [
    *(case([(f"{RET}.review_period", v)], f"{RET}.review_period") for v in bad_int(1, 52)),
    *(case([(f"{RET}.review_period", 4), (f"{RET}.review_phase", v)], f"{RET}.review_phase")
      for v in bad_int(0, 3)),
    case([(f"{RET}.review_phase", 1)], f"{RET}.review_phase", "1", id="review_phase-without-a-period"),
    *(case([(f"{RET}.min_order", v)], f"{RET}.min_order") for v in bad_nonneg()),
    *(case([(f"{RET}.pack", v)], f"{RET}.pack") for v in bad_positive()),
    case([(f"{RET}.pack", 2.5)], f"{RET}.pack", "2.5", "whole", id="pack-not-whole"),
    case([(f"{RET}.min_order", 1.5)], f"{RET}.min_order", "1.5", "whole", id="min_order-not-whole"),
    case([("defaults.review_period", 0)], "defaults.review_period", "0", id="default-review_period"),
    case([("defaults.pack", -1)], "defaults.pack", "-1", id="default-pack"),
    *(case([("review_phases", v)], "review_phases") for v in ["stagered", "Random", "", 1, True, ["random"]]),
]


@pytest.mark.parametrize(("edits", "path", "value", "word"), BATCHING_CASES)
def test_bad_batching_field_is_named_with_its_value(edits, path, value, word):
    check_message(fails(classic(*edits)), path, value, word)


def test_good_batching_values_are_accepted():
    sc = from_table(classic((f"{RET}.review_period", 52), (f"{RET}.review_phase", 51), (f"{RET}.min_order", 0),
                            (f"{RET}.pack", 1), ("review_phases", "random")))
    assert sc.firm("retailer").review_phase == 51  # its own
    sc = from_table(classic(("whole_units", False), (f"{RET}.pack", 0.25), (f"{RET}.min_order", 2.5)))
    assert sc.firm("retailer").pack == 0.25 and sc.network().pack[0] == 0.25
    sc = from_table(classic(("defaults.review_period", 2), ("review_phases", "synchronized")))
    assert {f.review_period for f in sc.firms} == {2}


def test_a_scenario_error_is_one_line():
    with pytest.raises(ScenarioError, match=r"^firms\.retailer\.review_phase: 4 is above 3"):
        from_table(classic((f"{RET}.review_period", 4), (f"{RET}.review_phase", 4)))
