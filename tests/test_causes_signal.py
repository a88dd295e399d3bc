"""Two causes of the bullwhip as ordering rules (Lee, Padmanabhan & Whang 1997), on the real engine.

- Demand signal processing: Sterman's rule smoothing end-customer demand (``signal = "demand"``,
  point-of-sale data shared) instead of its incoming orders lowers the team's cost and the
  factory's order variance against the silo board, on the classic board and on the stochastic one
  over many seeds (common random numbers: the same seed, hence the same demand, for both).
- Shortage gaming (Cachon & Lariviere 1999): retailers that inflate their orders by the inverse of
  the fill rate their rationing supplier gave them order more than honest ones during a shortage,
  by at most ``max_inflation`` times their base rule's order.

Run with ``-s`` to see the figures.
"""

import tomllib

import numpy as np
import pytest

import chaingame as cg
from chaingame import policies as pol
from chaingame.batch import run_arrays
from chaingame.engine import Engine
from chaingame.paired import interval

from .test_batch import check_agree

FIRMS = ["retailer", "wholesaler", "distributor", "factory"]
THETA, ALPHA_S, BETA, S_PRIME = 0.36, 0.26, 0.34, 17  # the subjects' mean estimates (Sterman 1989)
FIXED_WEEKS = 4  # orders are fixed at 4 in weeks 1-4 on both boards: the rule decides from week 5


def sterman(signal: str) -> pol.Sterman:
    return pol.Sterman(THETA, ALPHA_S, BETA, S_PRIME, signal=signal)


def board(name: str, information: str, weeks: int | None = None) -> cg.Scenario:
    values = {"information": information, **({"weeks": weeks} if weeks else {})}
    return cg.load_scenario(name).with_values(values)


SILO = ("silo", "orders")  # the silo board: each firm forecasts from its incoming orders
POS = ("pos", "demand")  # point-of-sale data shared, and used


# --------------------------------------------------------------------------------------------------
# demand signal processing


def classic_run(information: str, signal: str):
    h = cg.ChainModel(board("classic", information), policies=dict.fromkeys(FIRMS, sterman(signal))).run().history()
    factory = h[(h.firm == "factory") & (h.week > FIXED_WEEKS)].order_placed
    return h, h.cost.sum(), factory.var()


def test_pos_with_sterman_s_rule_lowers_team_cost_and_factory_order_variance_on_the_classic_board():
    _, silo_cost, silo_var = classic_run(*SILO)
    _, pos_cost, pos_var = classic_run(*POS)
    print(f"\nclassic, Sterman's rule (θ={THETA}, α_S={ALPHA_S}, β={BETA}, S'={S_PRIME}), 36 weeks:"
          f"\n  silo, signal orders: team cost ${silo_cost:,.1f}, factory order variance {silo_var:.2f}"
          f"\n  pos, signal demand:  team cost ${pos_cost:,.1f}, factory order variance {pos_var:.2f}")
    assert pos_cost < silo_cost
    assert pos_var < silo_var


def test_the_orders_signal_ignores_what_pos_shows():
    """The default is the rule as it was: under ``pos`` with ``signal = "orders"`` every number is
    the silo board's, bit for bit (the information mode only adds a view)."""
    silo, *_ = classic_run(*SILO)
    shown, *_ = classic_run("pos", "orders")
    for col in cg.COLUMNS:
        if col != "customer_demand":  # what pos adds to the books (nan-free in both)
            np.testing.assert_array_equal(shown[col].to_numpy(float), silo[col].to_numpy(float), err_msg=col)


def test_the_demand_signal_starts_from_the_first_week_s_demand():
    """L̂_0 defaults to the first demand observed: after week 1 of the stochastic board every firm's
    expectation is that week's customer demand, not the 4 cases its incoming orders held."""
    engine = Engine(board("stochastic", "pos"), replications=50, policies=dict.fromkeys(FIRMS, sterman("demand")))
    engine.step()
    first = engine.demand[0][0]  # (R,): week 1, the one market stream
    assert np.any(first != 4)
    for memory in engine.memory:
        np.testing.assert_array_equal(memory["expected"], first)
    orders = Engine(board("stochastic", "pos"), replications=50, policies=dict.fromkeys(FIRMS, sterman("orders")))
    orders.step()
    np.testing.assert_array_equal(orders.memory[FIRMS.index("wholesaler")]["expected"], np.full(50, 4.0))


@pytest.fixture(scope="module")
def stochastic():
    """Sterman's rule on the stochastic board (uniform 0..8 demand), 200 weeks, 400 replications,
    silo/orders against pos/demand on the same seed: replication r faces the same demand in both."""
    out = {}
    for information, signal in (SILO, POS):
        sc = board("stochastic", information, weeks=200)
        _, cols = run_arrays(sc, 400, sc.seed, dict.fromkeys(FIRMS, sterman(signal)))
        out[signal] = {"cost": cols["cost"].sum(axis=(0, 1)),
                       "factory variance": cols["order_placed"][FIXED_WEEKS:, FIRMS.index("factory")].var(axis=0,
                                                                                                          ddof=1)}
    return out


@pytest.mark.parametrize("figure", ["cost", "factory variance"])
def test_pos_with_sterman_s_rule_helps_on_the_stochastic_board_over_many_seeds(stochastic, figure):
    silo, pos = stochastic["orders"][figure], stochastic["demand"][figure]
    diff = pos - silo  # paired: the same demand path
    half = interval(diff).half
    print(f"\nstochastic, 200 weeks x {len(diff)} replications, {figure}: silo {silo.mean():,.2f}, "
          f"pos {pos.mean():,.2f}; pos - silo {diff.mean():,.2f} ± {half:,.2f} (95%), "
          f"lower in {np.mean(diff < 0):.1%} of replications")
    assert diff.mean() + half < 0


def test_simulate_is_chain_model_with_the_demand_signal():
    sc = board("stochastic", "pos").with_values({"defaults.policy.signal": "demand"})
    assert {f.policy.signal for f in sc.firms} == {"demand"}
    check_agree(sc, 3, seed=5, label="stochastic, sterman demand signal")
    check_agree(board("classic", "full").with_values({"firms.factory.policy.signal": "demand"}), 2, seed=1,
                label="classic, full, the factory on the demand signal")


# --------------------------------------------------------------------------------------------------
# shortage gaming

RETAILERS = ["r1", "r2", "r3", "r4"]
GAMERS, HONEST = RETAILERS[:2], RETAILERS[2:]
SHORTAGE = """
name = "shortage"
title = "Four retailers share a plant of capacity 20 through a 16-week surge of demand from 16 to 24"
weeks = 80
information = "silo"
allocation = "proportional"
whole_units = true

[demand]                   # cases/week at each retailer: 4, then 6 in weeks 10-25, then 4 again
process = "trace"
values = [4, 4, 4, 4, 4, 4, 4, 4, 4, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 4]

[defaults]
inventory = 12
policy = { rule = "sterman", theta = 0.36, alpha_s = 0.26, beta = 0.34, s_prime = 17 }

[firms.plant]
role = "manufacturer"
inventory = 48
production = { delay = 2, wip = [16, 16], capacity = 20 }   # cases/week: below the surge's 24
policy = { rule = "sterman", theta = 0.36, alpha_s = 0.26, beta = 0.34, s_prime = 70 }

[[links]]
supplier = "source"
customer = "plant"
order_delay = 1
shipping_delay = 0
orders = [16]
""" + "".join(f"""
[firms.{r}]
role = "retailer"

[[links]]
supplier = "plant"
customer = "{r}"
order_delay = 2
shipping_delay = 2
orders = [4, 4]
shipments = [4, 4]
""" for r in RETAILERS)
BASE = pol.Sterman(THETA, ALPHA_S, BETA, S_PRIME)
MAX_INFLATION = 2.0


def shortage_scenario() -> cg.Scenario:
    raw = tomllib.loads(SHORTAGE)
    raw["demand"]["values"] += [4] * (raw["weeks"] - len(raw["demand"]["values"]))
    return cg.from_table(raw)


def play_shortage(gamers):
    """Play the shortage board with ``gamers`` on Gaming(Sterman, max_inflation 2), the others on
    Sterman; per week and retailer: the fill rate seen, the base rule's order (a twin of the base
    rule fed the same observations, with a memory of its own) and the order placed."""
    gaming = pol.Gaming(base=BASE, max_inflation=MAX_INFLATION)
    engine = Engine(shortage_scenario(), policies=dict.fromkeys(gamers, gaming))
    ids = engine.scenario.firm_ids
    twins = {r: {} for r in RETAILERS}
    fill, base, placed = ({r: [] for r in RETAILERS} for _ in range(3))
    while not engine.done:
        obs = engine.begin_week()
        orders, capacity = engine.decide(obs)
        for r in RETAILERS:
            o = obs[ids.index(r)]
            fill[r].append(float(o.supplied[0] / o.due[0]) if o.due[0] > 0 else np.nan)
            base[r].append(float(BASE.decide(o, twins[r])[0]))
        books = engine.end_week(orders, capacity)
        for r in RETAILERS:
            placed[r].append(float(books["order_placed"][ids.index(r), 0]))
    return ({r: np.array(v) for r, v in fill.items()}, {r: np.array(v) for r, v in base.items()},
            {r: np.array(v) for r, v in placed.items()})


@pytest.fixture(scope="module")
def mixed():
    return play_shortage(GAMERS)


def test_gaming_retailers_order_more_than_honest_ones_during_a_shortage(mixed):
    fill, _, placed = mixed
    short = np.flatnonzero(np.nanmin([fill[r] for r in RETAILERS], axis=0) < 1)  # weeks any retailer was rationed
    assert len(short), "the plant never ran short"
    first = short[0]
    for r in RETAILERS:  # same demand, same supplier, same rule until the first shortage
        np.testing.assert_array_equal(placed[r][:first], placed[RETAILERS[0]][:first])
    gamed = sum(placed[r][short].sum() for r in GAMERS)
    honest = sum(placed[r][short].sum() for r in HONEST)
    print(f"\nshortage board: rationed in {len(short)} of {len(fill['r1'])} weeks (first: week {first + 1}); "
          f"orders placed in those weeks: gaming retailers {gamed:,.0f}, honest ones {honest:,.0f}; "
          f"lowest fill rate seen {np.nanmin([fill[r] for r in RETAILERS]):.3f}")
    assert all(placed[g][first] > placed[h][first] for g in GAMERS for h in HONEST)
    assert gamed > honest


def test_gaming_inflates_by_the_inverse_fill_rate_capped(mixed):
    """O_t = q_t · min(m, 1/f_t) before the physics rounds it (half up), f_t the last fill rate seen;
    the cap binds in the deepest rationing, and an honest retailer orders its base rule's order."""
    fill, base, placed = mixed
    capped = 0
    for r in GAMERS:
        last = 1.0  # no fill rate seen yet
        for t in range(len(placed[r])):
            if not np.isnan(fill[r][t]):
                last = fill[r][t]
            factor = 1 / last if last * MAX_INFLATION > 1 else MAX_INFLATION
            assert placed[r][t] == np.floor(base[r][t] * factor + 0.5), (r, t)
            assert placed[r][t] <= MAX_INFLATION * base[r][t] + 0.5
            capped += last * MAX_INFLATION < 1
    for r in HONEST:
        np.testing.assert_array_equal(placed[r], base[r])
    assert capped, "the cap never bound"


def test_the_default_cap_is_3_and_1_is_no_gaming():
    assert pol.Gaming().max_inflation == 3.0 and pol.Gaming().base == pol.Sterman()
    sc = shortage_scenario()
    honest = cg.ChainModel(sc).run().history()
    one = cg.ChainModel(sc, policies=dict.fromkeys(RETAILERS, pol.Gaming(base=BASE, max_inflation=1))).run().history()
    np.testing.assert_array_equal(one.order_placed.to_numpy(), honest.order_placed.to_numpy())


def test_simulate_is_chain_model_with_gaming_retailers():
    raw = tomllib.loads(cg.scenario.bundled()["network"].read_text())
    raw["name"] = "network-gaming"
    for r in ("north", "south"):
        raw["firms"][r]["policy"] = {"rule": "gaming", "base": "sterman", "s_prime": 17, "max_inflation": 3}
    sc = cg.from_table(raw)
    assert sc.firm("north").policy == pol.Gaming(base=pol.Sterman(s_prime=17), max_inflation=3)
    check_agree(sc, 3, seed=4, label="network, gaming retailers")
    pos = sc.with_values({"information": "pos",
                          "firms.south.policy": {"rule": "gaming", "base": "smoothing", "signal": "demand"}})
    assert pos.firm("south").policy == pol.Gaming(base=pol.SmoothingOrderUpTo(lead_time=4, signal="demand"))
    check_agree(pos, 2, seed=4, label="network, pos, gaming on smoothed demand")


# --------------------------------------------------------------------------------------------------
# what the gaming rule reads: the firm's own account with its suppliers


def test_due_and_supplied_are_the_firm_s_own_account_with_its_suppliers():
    """``due`` - ``supplied`` is what its suppliers still owe it at the end of the week (its backlog
    with them, part of its supply line); what all firms were supplied is what firms and the source
    shipped to firms; the source fills in full."""
    engine = Engine("network", replications=3, seed=2)
    net = engine.net
    while not engine.done:
        obs = engine.begin_week()
        still_owed = net.in_links @ engine.state.backlog
        for f, o in enumerate(obs):
            np.testing.assert_allclose(o.due - o.supplied, still_owed[f], atol=1e-9)
            assert np.all(o.supplied <= o.due + 1e-9) and np.all(o.supplied >= 0)
        flows = engine.flows
        to_firms = flows.shipped.sum(axis=0) - flows.to_market + flows.from_source
        np.testing.assert_allclose(sum(o.supplied for o in obs), to_firms, atol=1e-9)
        factory = obs[net.firms.index("factory")]
        np.testing.assert_array_equal(factory.supplied, factory.due)
        engine.end_week(*engine.decide(obs))
