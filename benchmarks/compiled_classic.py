"""The classic beer game as a compiled scalar loop: the yardstick of the array engine's speed.

For the benchmark only (``benchmarks/engine.py``); the package's one definition of a week is
``chaingame/chain.py``. This is the board of ``scenarios/classic.toml`` written out by hand, one
replication after the other, one firm after the other, with numba's ``@njit``: four firms in series
(retailer 0 .. factory 3), two-week order and shipping delays, a one-week production request
delay to the source, a two-week production delay, orders fixed at 4 in weeks 1-4 and Sterman's
anchoring and adjustment rule (Sterman 1989, eqs. 10-15) from week 5. :func:`check` compares it
with ``chaingame.simulate`` (orders week by week and total cost of every firm).

:func:`play_weekly` is the same game laid out as a compiled engine would have to be to keep Python
between weeks (rules written in Python, the classroom's players, learning agents): the state in
(firm, replication) arrays, one compiled call per week over every replication, the orders handed
back each week. Its time against :func:`play`'s is the cost of that layout (issue 14: a fused
kernel as the one definition of the week; docs/design.md, *Measured*).

numba is a dependency of chaingame (the week's kernel); :data:`AVAILABLE` says whether it is installed.
"""

from __future__ import annotations

import numpy as np

try:
    from numba import njit
    AVAILABLE = True
except ImportError:  # the benchmark prints that the compiled loop was skipped
    AVAILABLE = False

FIRMS = 4  # retailer, wholesaler, distributor, factory
SLOTS = 3  # ring size: every delay is < 3 weeks
ORDER_DELAY = (2, 2, 2, 1)  # weeks from a firm's order to its supplier (the factory's: to the source)
SHIPPING_DELAY = (2, 2, 2, 0)  # weeks from its supplier's shipment to the firm (the source: none)
PRODUCTION_DELAY = 2  # weeks (the factory)
HOLDING, BACKLOG = 0.5, 1.0  # $/case/week on hand, backlogged (Sterman 1989)
INVENTORY, FLOW = 12.0, 4.0  # cases on hand at the start; cases/week of every initial pipeline
FIXED_WEEKS = 4  # orders of weeks 1-4 are 4; the rule decides from week 5
THETA, ALPHA_S, BETA, S_PRIME = 0.36, 0.26, 0.34, 17.0  # the subjects' mean estimates (Sterman 1989)


def _half_up(x: float) -> float:
    """Whole units, halves up, on x counted to 1e-9 (chaingame.chain.half_up; numpy's round(x, 9))."""
    return np.floor(np.rint(x * 1e9) / 1e9 + 0.5)


def _play(demand: np.ndarray, orders: np.ndarray, cost: np.ndarray) -> None:
    """Play every replication: demand (R, W) in; orders (R, W, F) and total cost (R, F) out."""
    R, W = demand.shape
    for r in range(R):
        inv = np.full(FIRMS, INVENTORY)  # finished goods (the factory's included)
        backlog = np.zeros(FIRMS)  # owed by firm i to its customer
        mail = np.zeros((FIRMS, SLOTS))  # firm i's orders on their way to its supplier, by week mod SLOTS
        transit = np.zeros((FIRMS, SLOTS))  # goods on their way to firm i
        wip = np.zeros(SLOTS)  # the factory's production, by week of completion
        for i in range(3):
            mail[i, 1] = mail[i, 2] = transit[i, 1] = transit[i, 2] = FLOW
        mail[3, 1] = wip[1] = wip[2] = FLOW
        raw = 0.0
        lhat = np.zeros(FIRMS)
        incoming = np.zeros(FIRMS)
        total = np.zeros(FIRMS)
        for t in range(1, W + 1):
            s = t % SLOTS
            # orders reach suppliers, demand the retailer; the source ships at once (no delay)
            incoming[0] = demand[r, t - 1]
            for i in range(1, FIRMS):
                incoming[i] = mail[i - 1, s]
                mail[i - 1, s] = 0.0
            raw += mail[3, s]
            mail[3, s] = 0.0
            for i in range(3):  # goods arrive
                inv[i] += transit[i, s]
                transit[i, s] = 0.0
            wip[(t + PRODUCTION_DELAY) % SLOTS] += raw  # unlimited capacity: all raw material starts
            raw = 0.0
            inv[3] += wip[s]
            wip[s] = 0.0
            for i in range(FIRMS):  # ship what can be shipped; the rest is backlogged
                owed = backlog[i] + incoming[i]
                ship = min(inv[i], owed)
                inv[i] -= ship
                backlog[i] = owed - ship
                if i > 0:
                    transit[i - 1, (t + SHIPPING_DELAY[i - 1]) % SLOTS] += ship
                total[i] += HOLDING * inv[i] + BACKLOG * backlog[i]
            for i in range(FIRMS):  # decide and place
                line = mail[i, 0] + mail[i, 1] + mail[i, 2]
                if i < 3:
                    line += backlog[i + 1] + transit[i, 0] + transit[i, 1] + transit[i, 2]
                else:
                    line += raw + wip[0] + wip[1] + wip[2]
                if t == 1:
                    lhat[i] = incoming[i]
                lhat[i] = lhat[i] * (1 - THETA) + THETA * incoming[i]
                rule = lhat[i] + ALPHA_S * (S_PRIME - (inv[i] - backlog[i]) - BETA * line)
                order = FLOW if t <= FIXED_WEEKS else max(0.0, _half_up(rule))
                mail[i, (t + ORDER_DELAY[i]) % SLOTS] += order
                orders[r, t - 1, i] = order
        cost[r] = total


def _week(t: int, demand: np.ndarray, inv: np.ndarray, backlog: np.ndarray, mail: np.ndarray,
          transit: np.ndarray, wip: np.ndarray, raw: np.ndarray, lhat: np.ndarray, total: np.ndarray,
          order: np.ndarray) -> None:
    """Week ``t`` of every replication, as :func:`_play`'s week; state (F, R) / (F, S, R), orders (F, R) out."""
    R = demand.shape[0]
    s = t % SLOTS
    for r in range(R):
        incoming0 = demand[r]
        incoming1, incoming2, incoming3 = mail[0, s, r], mail[1, s, r], mail[2, s, r]
        mail[0, s, r] = mail[1, s, r] = mail[2, s, r] = 0.0
        raw[r] += mail[3, s, r]
        mail[3, s, r] = 0.0
        for i in range(3):
            inv[i, r] += transit[i, s, r]
            transit[i, s, r] = 0.0
        wip[(t + PRODUCTION_DELAY) % SLOTS, r] += raw[r]
        raw[r] = 0.0
        inv[3, r] += wip[s, r]
        wip[s, r] = 0.0
        for i in range(FIRMS):
            incoming = incoming0 if i == 0 else incoming1 if i == 1 else incoming2 if i == 2 else incoming3
            owed = backlog[i, r] + incoming
            ship = min(inv[i, r], owed)
            inv[i, r] -= ship
            backlog[i, r] = owed - ship
            if i > 0:
                transit[i - 1, (t + SHIPPING_DELAY[i - 1]) % SLOTS, r] += ship
            total[i, r] += HOLDING * inv[i, r] + BACKLOG * backlog[i, r]
        for i in range(FIRMS):
            incoming = incoming0 if i == 0 else incoming1 if i == 1 else incoming2 if i == 2 else incoming3
            line = mail[i, 0, r] + mail[i, 1, r] + mail[i, 2, r]
            if i < 3:
                line += backlog[i + 1, r] + transit[i, 0, r] + transit[i, 1, r] + transit[i, 2, r]
            else:
                line += raw[r] + wip[0, r] + wip[1, r] + wip[2, r]
            if t == 1:
                lhat[i, r] = incoming
            lhat[i, r] = lhat[i, r] * (1 - THETA) + THETA * incoming
            rule = lhat[i, r] + ALPHA_S * (S_PRIME - (inv[i, r] - backlog[i, r]) - BETA * line)
            o = FLOW if t <= FIXED_WEEKS else max(0.0, _half_up(rule))
            mail[i, (t + ORDER_DELAY[i]) % SLOTS, r] += o
            order[i, r] = o


if AVAILABLE:
    _half_up = njit(cache=True)(_half_up)
    _play = njit(cache=True)(_play)
    _week = njit(cache=True)(_week)


def play_weekly(demand: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`play`'s orders (R, W, F) and total cost (R, F), one compiled call per week over (F, R) arrays."""
    R, W = demand.shape
    demand = np.ascontiguousarray(demand, dtype=float)
    inv, backlog = np.full((FIRMS, R), INVENTORY), np.zeros((FIRMS, R))
    mail, transit, wip = np.zeros((FIRMS, SLOTS, R)), np.zeros((FIRMS, SLOTS, R)), np.zeros((SLOTS, R))
    mail[:3, 1:] = transit[:3, 1:] = FLOW
    mail[3, 1] = wip[1] = wip[2] = FLOW
    raw, lhat, total = np.zeros(R), np.zeros((FIRMS, R)), np.zeros((FIRMS, R))
    orders, order = np.empty((R, W, FIRMS)), np.empty((FIRMS, R))
    for t in range(1, W + 1):
        _week(t, np.ascontiguousarray(demand[:, t - 1]), inv, backlog, mail, transit, wip, raw, lhat, total, order)
        orders[:, t - 1, :] = order.T  # handed back each week, as an engine hands the week's books to Python
    return orders, total.T.copy()


def play(demand: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Orders (R, W, F) and total cost (R, F) of the classic game under customer demand (R, W)."""
    R, W = demand.shape
    orders, cost = np.empty((R, W, FIRMS)), np.empty((R, FIRMS))
    _play(np.ascontiguousarray(demand, dtype=float), orders, cost)
    return orders, cost


def demand(replications: int) -> np.ndarray:
    """Classic's customer demand (R, W): its step, from the scenario file."""
    import chaingame as cg

    sc = cg.load_scenario("classic")
    (step,) = sc.demand_processes()
    weeks = np.arange(1, sc.weeks + 1)
    path = np.where(weeks >= step.week, float(step.final), float(step.initial))
    return np.repeat(path[None, :], replications, axis=0)


def check(replications: int = 3) -> None:
    """Raise AssertionError unless the loop plays the game ``chaingame.simulate`` plays on classic."""
    import chaingame as cg

    res = cg.simulate("classic", replications, seed=1, history=True)
    h = res.history.sort_values(["replication", "week", "firm"], key=lambda s: s.map(
        {f: i for i, f in enumerate(("retailer", "wholesaler", "distributor", "factory"))}) if s.name == "firm" else s)
    W = int(h.week.max())
    demand = h[h.firm == "retailer"].incoming_order.to_numpy().reshape(replications, W)
    expected = h.order_placed.to_numpy().reshape(replications, W, FIRMS)
    totals = res.firms.cost.to_numpy().reshape(replications, FIRMS)
    for name, run in (("loop", play), ("weekly kernel", play_weekly)):
        orders, cost = run(demand)
        assert np.array_equal(orders, expected), f"the compiled {name}'s orders differ from simulate's"
        assert np.allclose(cost, totals, rtol=1e-12), f"the {name}: total cost {cost[0]} against simulate's {totals[0]}"
