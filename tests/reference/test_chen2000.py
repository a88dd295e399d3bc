"""Chen, Drezner, Ryan & Simchi-Levi (2000), "Quantifying the bullwhip effect in a simple supply chain:
the impact of forecasting, lead times, and information", Management Science 46(3): 436-443; and
Chen, Ryan & Simchi-Levi (2000), "The impact of exponential smoothing forecasts on the bullwhip
effect", Naval Research Logistics 47(4): 269-286. Each formula is quoted, with its paper, where
the test computes it.

Conventions that make the engine's numbers the papers' numbers:

- Demand is iid normal and continuous (``whole_units = false``), with a mean far above its
  standard deviation, so that no order is ever floored at zero (checked in every run): the papers
  let orders go negative, while here only a source link with ``returns = true`` accepts a return,
  and at most what the firm holds.
- A firm decides at the end of week t, after seeing week t's demand, so its forecast window holds
  x_t .. x_{t-p+1} and it orders q_t = y_t - y_{t-1} + x_t: Chen's rule with every index moved on
  by one week (his y_t averages D_{t-1} .. D_{t-p} and his q_t adds D_{t-1}), which leaves every
  variance unchanged.
- L, the weeks of demand the order-up-to level covers, is order_delay + shipping_delay of the
  firm's supply link (chain.py); with order_delay = 1 that is "one more than the shipping delay"
  (Chen et al.'s L when the level covers the lead time plus a review period).
  ``test_lead_time_convention_zero_mean_net_stock`` checks it on the physics.
- Var(q)/Var(D) is measured on one long run after a burn-in, with Var(D) the sample variance of
  the same weeks of customer demand (the common draws cancel much of the sampling error).
  Tolerance 2% relative; run lengths keep the standard deviation of the sampling error at or below
  about 0.45% of the ratio (checked on 60 other seeds: largest error 1.2%).
"""

import numpy as np
import pytest
from numpy.polynomial import polynomial as P

import chaingame as cg
from chaingame.policies import MovingAverageOrderUpTo, SmoothingOrderUpTo

MEAN = 100.0  # customer demand per week
BURN_IN = 200  # weeks dropped before measuring
TOL = 0.02  # relative tolerance on a ratio, never loosened


def moving_average_ratio(L, p):
    """Chen et al. (2000), iid demand, z = 0: Var(q)/Var(D) = 1 + 2L/p + 2L²/p²."""
    return 1 + 2 * L / p + 2 * L**2 / p**2


def smoothing_ratio(L, a):
    """Chen, Ryan & Simchi-Levi (2000), iid demand: Var(q)/Var(D) = 1 + 2La + 2L²a²/(2 − a)."""
    return 1 + 2 * L * a + 2 * L**2 * a**2 / (2 - a)


def scenario(chains, weeks, sd, information="silo", stocks=None):
    """Independent chains side by side, each a list of (firm, role, order_delay, shipping_delay)
    from the retailer up; the last firm of each chain is supplied by the source (with returns).
    Each retailer draws its own iid N(MEAN, sd²) demand.

    Supply lines start full at the mean demand (``orders`` and ``shipments`` of each link) and
    stocks empty, so each firm starts at the position its z = 0 level asks for, L * MEAN, unless
    ``stocks`` gives a firm's starting net stock (on hand if positive, owed to end customers if
    negative).
    """
    firms, links = {}, []
    for chain in chains:
        for i, (fid, role, o, s) in enumerate(chain):
            net_stock = (stocks or {}).get(fid, 0.0)
            firms[fid] = {"role": role, "inventory": max(net_stock, 0.0), "last_order": MEAN, "holding_cost": 0.0,
                          "backlog_cost": 0.0}
            if net_stock < 0:
                firms[fid]["backlog"] = -net_stock
            supplier = chain[i + 1][0] if i + 1 < len(chain) else "source"
            link = {"supplier": supplier, "customer": fid, "order_delay": o, "shipping_delay": s,
                    "orders": [MEAN] * o}
            if s:
                link["shipments"] = [MEAN] * s
            if supplier == "source":
                link["returns"] = True
            links.append(link)
    sc = cg.from_table({
        "name": "chen2000", "weeks": weeks, "whole_units": False, "information": information,
        "demand": {"process": "normal", "mean": MEAN, "sd": sd}, "firms": firms, "links": links,
    })
    for chain in chains:
        for fid, _, o, s in chain:
            assert sc.lead_time(fid) == o + s  # the engine's own statement of the convention
    return sc


def play(sc, policies, seed):
    """The history after the burn-in."""
    h = cg.ChainModel(sc, seed=seed, policies=policies).run().history()
    assert len(h) == sc.weeks * len(sc.firms)
    h = h[h.week > BURN_IN]
    # Every order strictly positive: no floor at zero and no (stock-capped) return ever bound, so
    # the linear identities behind the formulas hold exactly.
    assert (h.order_placed > 0).all(), h.order_placed.min()
    return h


def ratios(h):
    """Var(q)/Var(D) per firm, D the end-customer demand its chain faced in the same weeks."""
    return {f: g.order_placed.var() / g.customer_demand.var() for f, g in h.groupby("firm")}


def assert_close(measured, expected, what):
    assert measured == pytest.approx(expected, rel=TOL), f"{what}: measured {measured:.4f}, formula {expected:.4f}"


# ---------------------------------------------------------------------------------------------
# 1. and 2. One stage: a retailer supplied by the source. All cases are independent retailers
# played side by side in one run (same physics, cheaper than one run each).

ONE_STAGE_WEEKS = 20_000
MA_CASES = {  # firm: (order_delay, shipping_delay, p)
    "ma-L2-p5": (1, 1, 5),  # 2.12
    "ma-L1-p3": (1, 0, 3),  # 1.889
    "ma-L4-p10": (2, 2, 10),  # 2.12
}
ES_CASES = {  # firm: (order_delay, shipping_delay, a)
    "es-L2-a02": (1, 1, 0.2),  # 1.978
    "es-L3-a05": (1, 2, 0.5),  # 7.0
}
Z_CASE = ("ma-z2-L2-p5", (1, 1, 5), 2.0)  # firm, (order_delay, shipping_delay, p), z


@pytest.fixture(scope="module")
def one_stage():
    rules, chains = {}, []
    for fid, (o, s, p) in MA_CASES.items():
        rules[fid] = MovingAverageOrderUpTo(p=p, lead_time=float(o + s))
        chains.append([(fid, "retailer", o, s)])
    for fid, (o, s, a) in ES_CASES.items():
        rules[fid] = SmoothingOrderUpTo(alpha=a, lead_time=float(o + s))
        chains.append([(fid, "retailer", o, s)])
    fid, (o, s, p), z = Z_CASE
    rules[fid] = MovingAverageOrderUpTo(p=p, lead_time=float(o + s), z=z)
    chains.append([(fid, "retailer", o, s)])
    sc = scenario(chains, ONE_STAGE_WEEKS, sd=5.0)
    return play(sc, rules, seed=2000)


@pytest.mark.parametrize("firm", list(MA_CASES))
def test_one_stage_moving_average(one_stage, firm):
    """Chen, Drezner, Ryan & Simchi-Levi (2000), Management Science 46(3): 436-443: one stage,
    iid demand, p-period moving average, z = 0: Var(q)/Var(D) = 1 + 2L/p + 2L²/p² (exact)."""
    o, s, p = MA_CASES[firm]
    assert_close(ratios(one_stage)[firm], moving_average_ratio(o + s, p), firm)


@pytest.mark.parametrize("firm", list(MA_CASES) + list(ES_CASES))
def test_lead_time_convention_zero_mean_net_stock(one_stage, firm):
    """The L of the formulas is order_delay + shipping_delay (with order_delay = 1,
    "one more than the shipping delay", as in Chen et al. when the level covers a review period too).
    Net stock at the end of week t + L is y_t minus the demand
    of weeks t+1 .. t+L, so with z = 0 it averages 0 when the level y_t = L·μ̂_t covers exactly the
    weeks the physics makes it cover; an L off by one week would show as ±MEAN."""
    g = one_stage[one_stage.firm == firm]
    net = (g.inventory - g.backlog).mean()
    assert abs(net) < TOL * MEAN, net


def test_one_stage_estimated_sd_is_a_lower_bound(one_stage):
    """Chen et al. (2000), Management Science 46(3): with z > 0 and σ̂ estimated from the same p
    observations, 1 + 2L/p + 2L²/p² is a lower bound on Var(q)/Var(D). (For normal demand the
    safety-stock term is uncorrelated with the rest, so the excess is z²·Var(σ̂_t − σ̂_{t−1}).)"""
    fid, (o, s, p), _ = Z_CASE
    measured = ratios(one_stage)[fid]
    assert measured > (1 + TOL) * moving_average_ratio(o + s, p), measured


@pytest.mark.parametrize("firm", list(ES_CASES))
def test_one_stage_exponential_smoothing(one_stage, firm):
    """Chen, Ryan & Simchi-Levi (2000), Naval Research Logistics 47(4): 269-286: one stage, iid
    demand, exponential smoothing with weight a, z = 0: Var(q)/Var(D) = 1 + 2La + 2L²a²/(2 − a)."""
    o, s, a = ES_CASES[firm]
    assert_close(ratios(one_stage)[firm], smoothing_ratio(o + s, a), firm)


# ---------------------------------------------------------------------------------------------
# 3. and 4. Four stages in series (Chen et al. 2000, Management Science 46(3), section 4)

FIRMS = ["retailer", "wholesaler", "distributor", "factory"]
ROLES = ["retailer", "wholesaler", "distributor", "manufacturer"]
DELAYS = [(1, 1), (1, 2), (2, 1), (1, 0)]  # (order_delay, shipping_delay) of each firm's supply link
LEADS = [o + s for o, s in DELAYS]  # L_i = 2, 3, 3, 1
P_CHAIN = 12
CHAIN_SD = 2.0  # small against MEAN: the decentralized factory's orders vary ~2.3 times as much
SERIES = [[(f, r, o, s) for f, r, (o, s) in zip(FIRMS, ROLES, DELAYS, strict=True)]]


CUM_LEADS = np.cumsum(LEADS)  # Σ_{i≤k} L_i = 2, 5, 8, 9
POS_WEEKS = 40_000
POS_SEED = 2002


def echelon_positions(net, state, chain):
    """Each stage's true echelon inventory position (R,) rebuilt from the chain's state, in the
    order of ``chain`` (the retailer first): for stage k,

        Σ_{j≤k} on hand_j + Σ_{j<k} goods in transit to j − what the retailer owes end customers
        + stage k's supply line (its orders in the mail, what its supplier owes it, goods in
          transit to it),

    i.e. every unit at or below stage k, net of the end customers' backlog, plus everything stage k
    has ordered and not received. Orders in the mail and backlogs *between* stages j ≤ k are
    claims inside the echelon, not goods, and are left out (chain.py's ``mail``, ``backlog`` and
    ``transit`` are per link; ``State.inventory`` per firm).
    """
    index = {f: i for i, f in enumerate(net.firms)}
    supply = {f: int(np.flatnonzero(net.customer == index[f])[0]) for f in chain}  # each firm's supply link
    owed_to_customers = state.backlog[net.market_links].sum(axis=0)
    out, echelon = [], -owed_to_customers
    for f in chain:
        k = supply[f]
        echelon = echelon + state.inventory[index[f]]
        out.append(echelon + state.mail[k].sum(axis=0) + state.backlog[k] + state.transit[k].sum(axis=0))
        echelon = echelon + state.transit[k].sum(axis=0)  # goods on their way to f are in the next echelon
    return out


def formula_start_stocks(sc0, seed):
    """Starting net stocks that put every stage where its rule starts from (the formula's setting).

    With POS data the rule (``policies._OrderUpTo``, signal "demand") never looks at its echelon
    position: it orders q_t = y_t − y_{t−1} + D_t and *tracks* the position as y_{t−1} − D_t,
    starting from y_1 − D_1 with y_1 = (ΣL)·D_1 (its window starts full of the first observation),
    i.e. it takes the echelon position after week 0 to be (Σ_{i≤k} L_i)·D_1. With pipelines full
    at MEAN that is the chain's true position when the retailer's net stock is L_1·(D_1 − MEAN)
    and stage k ≥ 2 holds L_k·(D_1 − MEAN) plus the o_{k−1}·MEAN units that stage k−1's orders in
    the mail claim. (From empty stocks instead, the true position falls short of the tracked one by
    a constant forever, 7 to 430 units here: a chronically backlogged chain.)
    """
    d1 = float(cg.Engine(sc0, seed=seed).demand[0, 0, 0])  # week 1's demand, the same draw as the run's
    stocks = {}
    for k, (fid, _, _, _) in enumerate(SERIES[0]):
        stocks[fid] = LEADS[k] * (d1 - MEAN) + (DELAYS[k - 1][0] * MEAN if k else 0.0)
    return stocks


@pytest.fixture(scope="module")
def centralized():
    """The four stages with POS data, started at the formula's setting, played week by week; after
    every week the echelon position each rule keeps and the true one rebuilt from the state."""
    rules = {f: MovingAverageOrderUpTo(p=P_CHAIN, lead_time=float(c), signal="demand")
             for f, c in zip(FIRMS, CUM_LEADS, strict=True)}
    sc0 = scenario(SERIES, POS_WEEKS, CHAIN_SD, information="pos")
    sc = scenario(SERIES, POS_WEEKS, CHAIN_SD, information="pos", stocks=formula_start_stocks(sc0, POS_SEED))
    model = cg.ChainModel(sc, seed=POS_SEED, policies=rules)
    net = model.engine.net
    index = {f: i for i, f in enumerate(net.firms)}
    supply = [int(np.flatnonzero(net.customer == index[f])[0]) for f in FIRMS]  # each firm's supply link
    kept, true, net_stock = [], [], []
    while model.running:
        model.step()
        state = model.engine.state
        after = [a[0] for a in echelon_positions(net, state, FIRMS)]  # after this week's orders
        orders = [state.last_order[index[f], 0] for f in FIRMS]
        kept.append([model.firms[f].memory["echelon"][0] for f in FIRMS])  # before this week's order
        true.append([a - q for a, q in zip(after, orders, strict=True)])
        lines = [state.mail[k, :, 0].sum() + state.backlog[k, 0] + state.transit[k, :, 0].sum() for k in supply]
        net_stock.append([a - sl for a, sl in zip(after, lines, strict=True)])
    h = model.history()
    assert (h[h.week > BURN_IN].order_placed > 0).all()  # no floor or capped return ever bound
    return h, np.array(kept), np.array(true), np.array(net_stock)


def test_four_stages_centralized_pos_data(centralized):
    """Chen, Drezner, Ryan & Simchi-Levi (2000), Management Science 46(3): 436-443, centralized
    information: every stage forecasts end-customer demand (POS data) with the same p and keeps an
    echelon level Y_k = (Σ_{i≤k} L_i)·μ̂_t, so Var(q_k)/Var(D) = 1 + 2ΣL_i/p + 2(ΣL_i)²/p²
    (sum over i ≤ k), growing only additively in the lead times."""
    h = centralized[0]
    measured = ratios(h[h.week > BURN_IN])
    for f, c in zip(FIRMS, CUM_LEADS, strict=True):
        assert_close(measured[f], moving_average_ratio(c, P_CHAIN), f"{f} (sum L = {c})")


def test_four_stages_echelon_position_kept_is_the_chain_s(centralized):
    """The echelon position each POS rule keeps in its memory (it never observes it) equals, every
    week, the true echelon inventory position rebuilt from the chain's state
    (:func:`echelon_positions`): the physics moves each echelon by exactly +q_k − D_t a week, so
    the variances above are those of the chain the formula describes, not only of the rule's
    arithmetic. Tolerance: float rounding of sums of ~10³ over 40,000 weeks (a unit of goods
    gained or lost anywhere in an echelon would show as 1)."""
    _, kept, true, _ = centralized
    np.testing.assert_allclose(kept, true, rtol=0, atol=1e-6)


def test_four_stages_echelon_net_stock_matches_the_levels(centralized):
    """Echelon net stock (the echelon position less stage k's supply line) in the formula's
    setting: the level Y_k covers Σ_{i≤k} L_i weeks of demand, L_k of which are on order, so with
    z = 0 the echelon holds (Σ_{i<k} L_i)·MEAN on average (0 at the retailer: the level covers its
    lead time exactly, as in ``test_lead_time_convention_zero_mean_net_stock``); and upstream always
    ships in full (Chen et al.'s assumption), so no stage ever owes another one. Tolerance as in the
    one-stage case, 2% of MEAN."""
    h, _, _, net_stock = centralized
    burnt = net_stock[BURN_IN:]
    for k, f in enumerate(FIRMS):
        expected = (CUM_LEADS[k] - LEADS[k]) * MEAN
        assert abs(burnt[:, k].mean() - expected) < TOL * MEAN, (f, burnt[:, k].mean(), expected)
    upstream = h[h.firm != "retailer"]
    assert (upstream.backlog == 0).all(), upstream.backlog.max()


def decentralized_exact(leads, p):
    """Var(q_k)/Var(D) of the decentralized chain, derived here (not published): stage i turns its
    incoming orders x into q = ((1 + L_i/p) − (L_i/p)·B^p) x (B the backshift; an order delay is a
    pure shift), so q_k = Π_{i≤k} ((1 + c_i) − c_i B^p) D with c_i = L_i/p, and for iid D the ratio
    is the sum of the squared coefficients of that polynomial."""
    poly = np.array([1.0])
    for L in leads:
        poly = P.polymul(poly, [1 + L / p, -L / p])
    return float((poly**2).sum())


def test_four_stages_decentralized_exceeds_product_bound():
    """Chen, Drezner, Ryan & Simchi-Levi (2000), Management Science 46(3): 436-443, decentralized
    information: each stage forecasts from the orders it receives, with its own L_i, and
    Var(q_k)/Var(D) ≥ Π_{i≤k}(1 + 2L_i/p + 2L_i²/p²), strictly for k ≥ 2; for k = 1 (the retailer,
    whose incoming orders are the customer demand) it is the one-stage formula.

    Also checks the exact decentralized value (:func:`decentralized_exact`) within the same 2%,
    which pins the upstream stages' forecast timing, not just the direction of the bound."""
    rules = {f: MovingAverageOrderUpTo(p=P_CHAIN, lead_time=float(L)) for f, L in zip(FIRMS, LEADS, strict=True)}
    measured = ratios(play(scenario(SERIES, 80_000, CHAIN_SD), rules, seed=2003))
    bound = np.cumprod([moving_average_ratio(L, P_CHAIN) for L in LEADS])
    assert_close(measured["retailer"], moving_average_ratio(LEADS[0], P_CHAIN), "retailer")
    for k, f in enumerate(FIRMS):
        if k >= 1:
            assert measured[f] > (1 + TOL) * bound[k], f"{f}: {measured[f]:.4f} vs bound {bound[k]:.4f}"
            # and more than the same stage shows when POS data are shared
            assert measured[f] > (1 + TOL) * moving_average_ratio(sum(LEADS[: k + 1]), P_CHAIN)
        assert_close(measured[f], decentralized_exact(LEADS[: k + 1], P_CHAIN), f"{f} (exact)")
