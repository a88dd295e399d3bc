"""Bullwhip under AR(1) demand D_t = μ + ρ(D_{t−1} − μ) + ε_t, the published ratios:

- Chen, Drezner, Ryan & Simchi-Levi (2000), Management Science 46(3): 436-443: a p-period moving
  average order-up-to level, z = 0: Var(q)/Var(D) = 1 + (2L/p + 2L²/p²)(1 − ρ^p), exact;
- Lee, Padmanabhan & Whang (1997), Management Science 43(4): 546-558, demand signal processing:
  the level is the conditional mean of the next ν weeks' demand with ρ known,
  Var(q)/Var(D) = 1 + 2ρ(1 − ρ^ν)(1 − ρ^{ν+1})/(1 − ρ), below 1 when ρ < 0.

Same conventions as test_chen2000.py: continuous demand far above its spread (no order ever floored
at zero, checked), supply lines full at the mean, L = order_delay + shipping_delay, tolerance 2%
relative. Each case is a retailer of its own, and the ratio is pooled over many replications of
the array engine (the variances of all weeks after the burn-in of every replication): with
autocorrelated demand one long run would need ten times the weeks for the same sampling error.
The run length keeps that error's standard deviation at or below about 0.4% of the ratio.
"""

import pytest

import chaingame as cg
from chaingame.batch import run_arrays
from chaingame.policies import AR1OrderUpTo, MovingAverageOrderUpTo

MEAN = 100.0
SD = 4.0  # of the innovations ε_t
WEEKS, BURN_IN, REPLICATIONS = 2_100, 100, 200
TOL = 0.02  # relative, as in test_chen2000.py; never loosened


def chen_ratio(L, p, rho):
    """Chen et al. (2000), AR(1) demand, moving average over p weeks, z = 0."""
    return 1 + (2 * L / p + 2 * L**2 / p**2) * (1 - rho**p)


def lee_ratio(nu, rho):
    """Lee, Padmanabhan & Whang (1997), AR(1) demand with ρ known, level covering ν weeks."""
    return 1 + 2 * rho * (1 - rho**nu) * (1 - rho ** (nu + 1)) / (1 - rho)


# firm: (order_delay, shipping_delay, rho, p); p None: the rule that knows the AR(1) process
CASES = {
    "chen-rho05-L2-p5": (1, 1, 0.5, 5),  # 2.085
    "chen-rho07-L3-p4": (1, 2, 0.7, 4),  # 2.995
    "lee-rho05-L2": (1, 1, 0.5, None),  # 2.3125
    "lee-rho08-L3": (2, 1, 0.8, None),  # 3.305
    "lee-rho-05-L2": (1, 1, -0.5, None),  # 0.4375
}


def rule(o, s, rho, p):
    L = o + s
    return MovingAverageOrderUpTo(p=p, lead_time=L) if p else AR1OrderUpTo(rho=rho, mean=MEAN, lead_time=L)


def formula(o, s, rho, p):
    return chen_ratio(o + s, p, rho) if p else lee_ratio(o + s, rho)


def retailer(fid, o, s, rho):
    firm = {"role": "retailer", "inventory": 0.0, "last_order": MEAN, "holding_cost": 0.0, "backlog_cost": 0.0,
            "demand": {"process": "ar1", "mean": MEAN, "rho": rho, "sd": SD}}
    link = {"supplier": "source", "customer": fid, "order_delay": o, "shipping_delay": s, "orders": [MEAN] * o,
            "returns": True}
    if s:
        link["shipments"] = [MEAN] * s
    return firm, link


@pytest.fixture(scope="module")
def measured():
    firms, links, rules = {}, [], {}
    for fid, (o, s, rho, p) in CASES.items():
        firms[fid], link = retailer(fid, o, s, rho)
        links.append(link)
        rules[fid] = rule(o, s, rho, p)
    sc = cg.from_table({"name": "ar1", "weeks": WEEKS, "whole_units": False, "firms": firms, "links": links,
                        "demand": {"process": "constant", "level": MEAN}})
    for fid, (o, s, *_) in CASES.items():
        assert sc.lead_time(fid) == o + s
    _, cols = run_arrays(sc, REPLICATIONS, 1997, rules)
    orders, demand = cols["order_placed"][BURN_IN:], cols["customer_demand"][BURN_IN:]  # (W, F, R)
    assert (orders > 0).all(), orders.min()  # no floor at zero and no capped return ever bound
    ratio = orders.var(axis=0, ddof=1).mean(axis=1) / demand.var(axis=0, ddof=1).mean(axis=1)  # pooled, per firm
    return dict(zip(sc.firm_ids, ratio, strict=True)), demand


def test_the_demand_is_the_ar1_process(measured):
    """The stationary variance σ²/(1 − ρ²) and the lag-1 autocorrelation ρ of every retailer's demand."""
    _, demand = measured
    for j, (fid, (_, _, rho, _)) in enumerate(CASES.items()):
        d = demand[:, j, :]
        assert d.mean() == pytest.approx(MEAN, rel=1e-3), fid
        assert d.var() == pytest.approx(SD**2 / (1 - rho**2), rel=0.03), fid
        x = d - d.mean(axis=0)
        assert (x[1:] * x[:-1]).sum() / (x**2).sum() == pytest.approx(rho, abs=0.01), fid


@pytest.mark.parametrize("firm", [f for f in CASES if f.startswith("chen")])
def test_moving_average_under_ar1_demand(measured, firm):
    """Chen et al. (2000): Var(q)/Var(D) = 1 + (2L/p + 2L²/p²)(1 − ρ^p)."""
    got, want = measured[0][firm], formula(*CASES[firm])
    assert got == pytest.approx(want, rel=TOL), f"{firm}: measured {got:.4f}, formula {want:.4f}"


@pytest.mark.parametrize("firm", [f for f in CASES if f.startswith("lee")])
def test_demand_signal_processing(measured, firm):
    """Lee, Padmanabhan & Whang (1997): Var(q)/Var(D) = 1 + 2ρ(1 − ρ^ν)(1 − ρ^{ν+1})/(1 − ρ);
    with ρ = −0.5 the ratio is 0.4375: orders vary less than demand."""
    got, want = measured[0][firm], formula(*CASES[firm])
    assert got == pytest.approx(want, rel=TOL), f"{firm}: measured {got:.4f}, formula {want:.4f}"


def test_ar1_rule_from_a_scenario_table():
    """The rule by name in a scenario file, its lead time defaulting to the firm's, its fields checked."""
    base = cg.load_scenario("stochastic").table
    table = {**base, "firms": {**base["firms"], "retailer": {**base["firms"]["retailer"],
                                                            "policy": {"rule": "ar1", "rho": 0.6, "mean": 8}}}}
    sc = cg.from_table(table)
    rule = sc.firm("retailer").policy
    assert isinstance(rule, AR1OrderUpTo) and rule.lead_time == sc.lead_time("retailer") and rule.rho == 0.6
    for change, message in (({"rho": 1}, "rho: 1 is above 0.999"), ({"rho": -1}, "rho: -1 is not above -1"),
                            ({"lead_time": 1.5}, "lead_time: 1.5 is not a whole number"),
                            ({"mean": None}, "mean: is missing")):
        policy = {"rule": "ar1", "rho": 0.6, "mean": 8, **change}
        policy = {k: v for k, v in policy.items() if v is not None}
        bad = {**table, "firms": {**table["firms"], "retailer": {**table["firms"]["retailer"], "policy": policy}}}
        with pytest.raises(cg.ScenarioError, match=f"firms.retailer.policy.{message}"):
            cg.from_table(bad)
