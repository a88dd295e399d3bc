"""The physics of a value chain: chain state on numpy arrays and the week's transition.

The week is defined once, shared by the Mesa model, the array engine and the classroom game:
:func:`advance`, :func:`place` and :func:`accepted_orders` each make one call of the compiled week,
:mod:`chaingame.kernel` (numba, imported on the first call). This module holds the arrays it works on
and imports numpy only.

Layout: firm quantities are ``(F, R)`` arrays and link quantities ``(K, R)`` arrays, with R
replications side by side; pipelines are ring buffers ``(K or F, S, R)`` indexed by week mod S.

A *link* joins a supplier to a customer. Besides links between firms there are *source links*
(supplier = the unlimited outside source, index -1, which always ships in full) and *market
links* (customer = the end customers of a retailer, index -1, who pay and take goods away).

Event order of week t (Sterman 1989, p. 326; Edali & Yasarcan 2014, JASSS 17(4) 2):

1. capacity decided ``capacity_delay`` weeks ago takes effect (producers);
2. orders placed ``order_delay`` weeks ago reach their supplier; customer demand reaches retailers;
   the source ships what it was asked for at once;
3. goods shipped ``shipping_delay`` weeks ago arrive (raw materials for producers); on the links
   of ``Network.delay_links`` each shipment's delay is drawn (:mod:`chaingame.delays`) and it goes
   into the transit slot of its own arrival week;
4. producers start production, ``min(raw materials, capacity)``, and finish what was started
   ``production_delay`` weeks ago (a zero delay finishes at once); a firm assembling by bill of
   materials starts ``min(min over components j of floor(on hand_j / units_j), capacity)`` and
   uses ``units_j`` of each component per unit started (:func:`chaingame.kernel.advance`);
5. each firm ships ``min(on hand, backlog + incoming orders)``, allocating a shortage among its
   customers by its allocation rule (:func:`chaingame.kernel._allocate`); the rest is backlogged (or lost where the
   firm's unmet orders are lost);
6. customers are invoiced for what was shipped to them, at the link's price of the week the order
   was placed where the link has a price schedule, and pay at once,
   or ``payment_delay`` weeks later (:mod:`chaingame.money`); holding, backlog, lost-sales,
   capacity and production costs are charged on the end-of-week state, and interest on the
   week's opening cash where a firm has an interest rate;
7. (:func:`place`) each firm orders what :func:`accepted_orders` makes of its decision (whole
   units, never negative unless returns are allowed; 0 outside the firm's review weeks, raised
   to its minimum order and rounded up to whole packs where it has them); an order placed at the
   end of week t is filled by its supplier in week t + order_delay and arrives in week
   t + order_delay + shipping_delay; the ordering cost is charged.

Where a rule is exact (round half up, "an order is placed when it is > 0", ties of largest
remainders to the first link), it is applied to quantities :func:`counted` to ``DECIMALS``
places, so that float error in the arithmetic that led to a quantity cannot decide it.

So a firm's lead time, counted as weeks of demand its order must cover, is
``order_delay + shipping_delay (+ production_delay)`` (Chen 1999, "information lead time").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, partial

import numpy as np

from . import lazy, money

SOURCE = -1  # supplier index of a source link
MARKET = -1  # customer index of a market link
DECIMALS = 9  # quantities are counted to 1e-9 of a unit before an exact rule decides on them (counted)


def counted(x: np.ndarray) -> np.ndarray:
    """``x`` rounded to ``DECIMALS`` decimal places: a quantity as the game's rules count it.

    Sums and products of decimal inputs land a few ulps away from their exact value
    (0.58 × 25 = 14.499999999999998, 0.3 − (0.7 − 0.4) = 5.6e-17, 4/3 − 1 < 1/3). A billionth
    of a unit is far below any amount a game means, and for amounts below a million units far
    above that error (an ulp of 1e6 is 1.2e-10), so counting to it gives the exact decimal
    result back. Counting twice changes nothing.
    """
    return np.round(x, DECIMALS) + 0.0  # + 0.0 turns -0.0 into 0.0


def half_up(x: np.ndarray) -> np.ndarray:
    """Whole units, halves rounded up (Sterman 1989), on the quantity :func:`counted`."""
    return np.floor(np.round(x, DECIMALS) + 0.5)  # counted(x) + 0.5: its + 0.0 cannot change the sum


_kernel = partial(lazy.compiled, "kernel")  # the compiled week (chaingame.kernel), imported on first use
_books = partial(lazy.compiled, "bookkernel")  # the compiled books (chaingame.bookkernel)
_NO_FLOATS = np.zeros((0, 0))  # an optional (n, R) array that is off: the kernels take one signature
_NO_RING = np.zeros((0, 0, 0))
_NO_FLAGS = np.zeros((0, 0), bool)
_NO_DELAYS = np.zeros((0, 0), np.int64)


def accepted_orders(net: Network, week: int, orders: np.ndarray) -> np.ndarray:
    """What the physics makes of the firms' decisions (F, R) at the end of ``week``: the one definition.

    The order the scenario fixes for the week replaces the decision; the rest are
    :func:`counted`, rounded half up to whole units where the scenario counts whole units, and
    floored at 0 unless the firm may return goods to the source (Chen et al. 2000 allow negative
    orders), and batched where the firm reviews periodically, has a minimum order or orders in
    packs (Lee, Padmanabhan & Whang 1997): a firm with review period k and phase p orders only at the
    end of weeks p + 1, p + 1 + k, ...; in a review week a positive order q becomes
    ``pack * ceil(max(q, min_order) / pack)``; returns and fixed orders are left as they are.
    :func:`place` then limits a return to what the firm holds. Computed by :func:`chaingame.kernel.accepted`.
    """
    k = _kernel()
    ip, fp, ws = net.kernel_tables[:3]
    orders = lazy.given(orders)  # the decisions are left as they are
    out = np.empty(orders.shape)
    k.accepted(ip, fp, int(week), orders, out, ws)
    return out


def accepted_order(net: Network, week: int, firm: int, order: float) -> float:
    """:func:`accepted_orders` for one firm's decision (the classroom's check of a single seat)."""
    orders = np.zeros((net.n_firms, 1))
    orders[firm, 0] = order
    return float(accepted_orders(net, week, orders)[firm, 0])


@dataclass(frozen=True)
class Network:
    """The static structure of a chain, compiled once from a scenario into index arrays."""

    firms: tuple[str, ...]
    roles: tuple[str, ...]
    supplier: np.ndarray  # (K,) firm index or SOURCE
    customer: np.ndarray  # (K,) firm index or MARKET
    order_delay: np.ndarray  # (K,) weeks, >= 1 (0 on market links)
    shipping_delay: np.ndarray  # (K,) weeks, >= 1 between firms, >= 0 from the source
    price: np.ndarray  # (K,) $/unit paid by the customer to the supplier
    share: np.ndarray  # (K,) share of the customer's order sent on this link (bill of materials: units per product)
    lost: np.ndarray  # (K,) bool: unmet orders on this link are lost, not backlogged
    priority_level: np.ndarray  # (K,) rank among the supplier's outgoing links (priority allocation)
    producer: np.ndarray  # (F,) bool
    production_delay: np.ndarray  # (F,) weeks
    capacity_delay: np.ndarray  # (F,) weeks, >= 1
    holding_cost: np.ndarray  # (F,) $/unit/week on hand (finished goods and raw materials)
    backlog_cost: np.ndarray  # (F,) $/unit/week owed to customers
    lost_sales_cost: np.ndarray  # (F,) $/unit of orders lost
    order_cost: np.ndarray  # (F,) $ per order placed (fixed)
    capacity_cost: np.ndarray  # (F,) $/unit of capacity/week
    production_cost: np.ndarray  # (F,) $/unit started
    returns: np.ndarray  # (F,) bool: may place negative orders (returns to the source)
    fixed_orders: np.ndarray  # (F, W) orders imposed by the scenario, nan where the rule decides
    market_links: np.ndarray  # (C,) link index of each end-customer demand stream
    sees_market: np.ndarray  # (F, C) 1 where firm f is upstream of (or is) the retailer of stream c
    whole_units: bool
    allocation: tuple[str, ...]  # (F,) each firm's allocation rule as a supplier (ALLOCATION_RULES)
    turn_weeks: np.ndarray  # (F,) weeks of sales a turn-and-earn supplier counts (0 for other rules)
    vmi: np.ndarray  # (K,) bool: vendor-managed, the supplier decides the customer's orders (engine, observe)
    slots: int  # ring size S, > every delay
    # order batching (see accepted_orders); None: off (every week, no minimum, no packs)
    review_period: np.ndarray | None = None  # (F,) weeks between the firm's orders, >= 1
    review_phase: np.ndarray | None = None  # (F,) 0..period-1: orders at the end of weeks phase + 1 + n * period
    min_order: np.ndarray | None = None  # (F,) a positive order below it is raised to it (units)
    pack: np.ndarray | None = None  # (F,) orders are whole multiples of it, rounded up (0: no packs)
    order_price: np.ndarray | None = None  # (K, W + 1 + A) $/unit of an order placed in week w; None: constant
    # random shipping delays (chaingame/delays.py): the links that draw theirs, K_random of them
    delay_links: np.ndarray = field(default_factory=lambda: np.zeros(0, int))  # (K_random,) link index
    delay_values: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.int64))  # (K_random, M) weeks
    delay_cdf: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # (K_random, M) cumulative p
    delay_floor: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # (K_random,) last initial arrival
    delay_crossing: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))  # (K_random,) may shipments cross
    # assembly by bill of materials: units of the link's component per unit of the customer's product on
    # the inbound links of firms with a bill of materials, 0 elsewhere; None: no firm has one (see _compile_bom)
    bom_units: np.ndarray | None = None  # (K,)
    # money rules (chaingame/money.py); None: off (paid at shipment, unlimited credit, no interest)
    payment_delay: np.ndarray | None = None  # (K,) weeks from shipment to payment
    credit_limit: np.ndarray | None = None  # (F,) $ a firm may borrow (inf: unlimited)
    interest_rate: np.ndarray | None = None  # (F,) per week, on negative cash (paid to a bank outside the chain)
    deposit_rate: np.ndarray | None = None  # (F,) per week, earned on positive cash
    insolvency_stop: np.ndarray | None = None  # (F,) bool: insolvent firms stop ordering (else: capped)
    out_links: np.ndarray = field(init=False)  # (F, K) 1 where f supplies link k (market included)
    in_links: np.ndarray = field(init=False)  # (F, K) 1 where f is the customer of k (source included)
    batching: bool = field(init=False)  # some firm reviews less than weekly, has a minimum order or packs
    money: bool = field(init=False)  # some money rule is on: payment terms, a credit limit or interest
    pay_slots: int = field(init=False)  # ring size P of the invoices, > every payment delay

    def __post_init__(self):
        F, K = len(self.firms), len(self.supplier)
        self._compile_batching(F)
        object.__setattr__(self, "_out_plan", _sum_plan([np.flatnonzero(self.supplier == f) for f in range(F)]))
        object.__setattr__(self, "_in_plan", _sum_plan([np.flatnonzero(self.customer == f) for f in range(F)]))
        object.__setattr__(self, "_seen_plan", _sum_plan([np.flatnonzero(row) for row in self.sees_market]))
        out = np.zeros((F, K))
        inn = np.zeros((F, K))
        for k in range(K):
            if self.supplier[k] >= 0:
                out[self.supplier[k], k] = 1.0
            if self.customer[k] >= 0:
                inn[self.customer[k], k] = 1.0
        object.__setattr__(self, "out_links", out)
        object.__setattr__(self, "in_links", inn)
        self._compile_prices()
        for name, value in money.compile_network(self).items():
            object.__setattr__(self, name, value)
        s = self.supplier
        same_sup = (s[:, None] == s[None, :]) & (s[:, None] >= 0)
        c = self.customer
        same_cus = (c[:, None] == c[None, :]) & (c[:, None] >= 0)
        firm_supplied = np.flatnonzero(s >= 0)
        object.__setattr__(self, "_firm_supplied", firm_supplied)
        object.__setattr__(self, "_from_source", np.flatnonzero(s < 0))
        object.__setattr__(self, "_firm_to_firm", np.flatnonzero((s >= 0) & (c >= 0)))
        # shipments on a link with a fixed delay go to one slot; a drawn delay is per replication (_send)
        drawn = np.isin(np.arange(K), self.delay_links)
        row = np.zeros(K, int)
        row[self.delay_links] = np.arange(len(self.delay_links))
        for name, links in (("src", self._from_source), ("f2f", self._firm_to_firm)):
            object.__setattr__(self, f"_{name}_fixed", links[~drawn[links]])
            object.__setattr__(self, f"_{name}_drawn", (links[drawn[links]], row[links[drawn[links]]]))
        object.__setattr__(self, "_producers", np.flatnonzero(self.producer))
        object.__setattr__(self, "_stockists", np.flatnonzero(~self.producer))  # goods arrive into finished stock
        # the same rows as slices where they are a run (a view: updated in place, no copy), for the week's loop
        for name in ("_producers", "_stockists", "_from_source"):
            object.__setattr__(self, f"{name}_rows", rows_of(getattr(self, name)))
        object.__setattr__(self, "_market_rows", rows_of(self.market_links))
        # cost terms every firm pays nothing for are left out of the week's sum (adding 0 changes no value)
        object.__setattr__(self, "_charges", tuple(name for name, rate in (
            ("lost_sales", self.lost_sales_cost), ("capacity", self.capacity_cost),
            ("production", self.production_cost)) if np.any(rate != 0)))
        # features no firm or link uses are skipped week by week (decided here, once)
        object.__setattr__(self, "_returns", bool(np.any(self.returns)))  # some firm may place negative orders
        object.__setattr__(self, "_order_charge", bool(np.any(self.order_cost != 0)))  # some order costs money
        object.__setattr__(self, "_loses", bool(np.any(self.lost[self._firm_supplied])))  # some unmet order is lost
        object.__setattr__(self, "_priced", self.order_price is not None or bool(np.any(self.price != 0)))
        _compile_allocation(self, same_sup)
        # a customer with several suppliers splits its order by the links' shares (place)
        ins = np.flatnonzero(c >= 0)
        object.__setattr__(self, "_ins", ins)
        object.__setattr__(self, "_split", bool(np.any(same_cus[np.ix_(ins, ins)].sum(axis=1) > 1)))
        object.__setattr__(self, "_ins_same", same_cus[np.ix_(ins, ins)].astype(float))
        object.__setattr__(self, "_shared_orders", bool(np.any(self.share[ins] != 1)))  # else each link: the order
        self._compile_bom()

    def _compile_bom(self) -> None:
        """Compile the index arrays of assembly by bill of materials.

        ``_bom_links`` (J,) the component links, ``_bom_firms`` (B,) the assembling firms, ``_bom_rows`` (B,)
        their rows among the producers, ``_bom_of`` (J,) each component link's firm among ``_bom_firms``,
        ``_bom_plan`` the sum over each firm's components, ``_bom_ins`` (J,) the component links' rows among
        ``_ins`` (orders: product order × units).
        """
        if self.bom_units is None:
            return
        links = np.flatnonzero(self.bom_units > 0)
        firms = np.unique(self.customer[links])
        if not np.all(self.producer[firms]):
            raise ValueError("bom_units on the links of a firm that does not produce")
        object.__setattr__(self, "_bom_links", links)
        object.__setattr__(self, "_bom_firms", firms)
        object.__setattr__(self, "_bom_rows", np.searchsorted(np.flatnonzero(self.producer), firms))
        of = np.searchsorted(firms, self.customer[links])
        object.__setattr__(self, "_bom_of", of)
        object.__setattr__(self, "_bom_plan", _sum_plan([np.flatnonzero(of == b) for b in range(len(firms))]))
        object.__setattr__(self, "_bom_ins", np.searchsorted(self._ins, links))

    def _compile_batching(self, F: int) -> None:
        for name, off in (("review_period", 1), ("review_phase", 0), ("min_order", 0.0), ("pack", 0.0)):
            value = getattr(self, name)
            object.__setattr__(self, name, np.full(F, off) if value is None else np.asarray(value))
        object.__setattr__(self, "batching", bool(np.any(self.review_period > 1) or np.any(self.min_order > 0)
                                                  or np.any(self.pack > 0)))

    def _compile_prices(self) -> None:
        """Derive the purchase prices: regular ones, and with a price schedule the prices by week.

        With a price schedule: the price of the orders reaching each link's supplier in week t,
        ``_due_price[:, t]`` (placed in week t - order_delay; before week 1 at the regular price), and
        each firm's purchase price by week of ordering, ``firm_price`` (share-weighted over its links);
        ``regular_price`` (F,) is that price without the schedules, ``promoted`` (F,) where it changes.
        """
        object.__setattr__(self, "regular_price", self.in_links @ (self.share * self.price))
        table = self.order_price
        if table is None:
            object.__setattr__(self, "firm_price", None)
            object.__setattr__(self, "promoted", np.zeros(len(self.firms), bool))
            return
        weeks = table.shape[1]
        placed = np.maximum(np.arange(weeks)[None, :] - self.order_delay[:, None], 0)
        object.__setattr__(self, "_due_price", np.take_along_axis(table, placed, axis=1))
        firm_price = self.in_links @ (self.share[:, None] * table)
        object.__setattr__(self, "firm_price", firm_price)
        object.__setattr__(self, "promoted", np.any(firm_price != firm_price[:, :1], axis=1))

    def by_supplier(self, x: np.ndarray) -> np.ndarray:
        """Sum a link quantity (K, R) over each firm's outgoing links (market included): (F, R)."""
        return _gather_sum(x, self._out_plan)

    def by_customer(self, x: np.ndarray) -> np.ndarray:
        """Sum a link quantity (K, R) over each firm's incoming links (source included): (F, R)."""
        return _gather_sum(x, self._in_plan)

    def seen_demand(self, demand: np.ndarray) -> np.ndarray:
        """End-customer demand (C, R) of the retailers each firm serves: (F, R)."""
        return _gather_sum(demand, self._seen_plan)

    @cached_property
    def seen_tables(self) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`seen_demand`'s sum plan as (offsets (F + 1,), members), int64, for the compiled books."""
        offsets, members = _kernel()._plan(self._seen_plan, self.n_firms)
        return np.ascontiguousarray(offsets, dtype=np.int64), members

    @cached_property
    def kernel_tables(self) -> tuple[np.ndarray, ...]:
        """The network packed for the compiled week (:func:`chaingame.kernel.tables`), built on first use."""
        return _kernel().tables(self)

    @cached_property
    def some_vmi(self) -> bool:
        """Whether some link is vendor-managed (its supplier then sees a :class:`~chaingame.observe.VmiView`)."""
        return bool(self.vmi.any())

    def price_views(self, replications: int) -> tuple[np.ndarray, np.ndarray | None]:
        """``regular_price`` as (F, R) and ``firm_price`` as (F, W, R) (None without a schedule): read-only views.

        Broadcasts over R replications, kept for the last R asked for (a cached_property takes no R; the two
        broadcasts cost as much as the rest of :func:`chaingame.observe.own_books` at R = 1).
        """
        kept = self.__dict__.get("_price_views")
        if kept is None or kept[0].shape[1] != replications:
            by_week = None if self.firm_price is None else \
                np.broadcast_to(self.firm_price[:, :, None], (*self.firm_price.shape, replications))
            kept = (np.broadcast_to(self.regular_price[:, None], (self.n_firms, replications)), by_week)
            self.__dict__["_price_views"] = kept  # as cached_property writes: past the frozen dataclass's __setattr__
        return kept

    @property
    def n_firms(self) -> int:
        """F, the number of firms."""
        return len(self.firms)

    @property
    def n_links(self) -> int:
        """K, the number of links."""
        return len(self.supplier)


def rows_of(index: np.ndarray) -> np.ndarray | slice:
    """``index`` as a slice where it is a run of consecutive rows (so that indexing gives a view), else as is."""
    if len(index) and np.array_equal(index, np.arange(index[0], index[0] + len(index))):
        return slice(int(index[0]), int(index[0]) + len(index))
    return index


@dataclass(frozen=True)
class _SumPlan:
    """How to add up rows of an array by group: step j adds each group's j-th member."""

    groups: int
    steps: tuple[tuple[np.ndarray, np.ndarray], ...]  # (groups having a j-th member, that member)
    one_each: bool  # every group has exactly one member: the sum is a single gather


def _sum_plan(groups: list[np.ndarray]) -> _SumPlan:
    width = max([0, *(len(g) for g in groups)])
    steps = tuple((np.array([i for i, g in enumerate(groups) if len(g) > j], dtype=int),
                   np.array([g[j] for g in groups if len(g) > j], dtype=int)) for j in range(width))
    return _SumPlan(len(groups), steps, width == 1 and all(len(g) == 1 for g in groups))


def _gather_sum(x: np.ndarray, plan: _SumPlan) -> np.ndarray:
    """Group sums, added in a fixed order.

    So that a replication's numbers never depend on how many others run beside it (a BLAS product may sum
    in a different order for another R).
    """
    if plan.one_each:
        return x[plan.steps[0][1]]
    out = np.zeros((plan.groups, *x.shape[1:]))
    for rows, members in plan.steps:
        out[rows] += x[members]
    return out


ALLOCATION_RULES = ("proportional", "priority", "turn_and_earn", "uniform")


def _compile_allocation(net: Network, same_sup: np.ndarray) -> None:
    """Index arrays of step 5 (:func:`chaingame.kernel._allocate`), by each supplier's allocation rule.

    A supplier's only customer gets what it can ship, whatever the rule. ``_priority_levels``
    holds the links of priority suppliers by rank; ``_shared_links`` the links of proportional
    suppliers with several customers; ``_fill_links`` those of uniform and turn-and-earn
    suppliers (water-filling), of which ``_turn_pos`` are turn-and-earn's, with their sales
    windows ``_turn_window`` and the customer whose sales count (``_turn_customer``, -1 for end
    customers: what the market link shipped).
    """
    s, F = net.supplier, len(net.firms)
    firm_supplied = net._firm_supplied
    rule = np.array([net.allocation[f] for f in s[firm_supplied]], dtype=object)
    customers_of = np.bincount(s[firm_supplied], minlength=F)
    many = customers_of[s[firm_supplied]] > 1
    by_priority = firm_supplied[rule == "priority"]
    levels = tuple(by_priority[net.priority_level[by_priority] == level]
                   for level in range(int(net.priority_level.max()) + 1 if len(by_priority) else 0))
    shared = firm_supplied[many & (rule == "proportional")]
    fill = firm_supplied[many & np.isin(rule, ("uniform", "turn_and_earn"))]
    turn_pos = np.flatnonzero(np.array([net.allocation[s[k]] == "turn_and_earn" for k in fill], dtype=bool))
    window = np.array([net.turn_weeks[s[k]] for k in fill[turn_pos]], dtype=int)
    values = {
        "_only_priority": len(by_priority) == len(firm_supplied) and len(firm_supplied) > 0,
        "_priority_levels": levels,
        "_sole_links": firm_supplied[~many & (rule != "priority")],
        "_shared_links": shared,
        "_shared_same": same_sup[np.ix_(shared, shared)].astype(float),
        "_fill_links": fill,
        "_fill_same": same_sup[np.ix_(fill, fill)].astype(float),
        "_fill_plan": _sum_plan([np.flatnonzero(s[fill] == f) for f in range(F)]),
        "_fill_rounds": int(customers_of[s[fill]].max()) if len(fill) else 0,
        "_turn_pos": turn_pos,
        "_turn_window": window,
        "_turn_customer": net.customer[fill[turn_pos]],
        "_turn_link": fill[turn_pos],
        "turn_slots": int(window.max()) if len(window) else 0,
    }
    for name, value in values.items():
        object.__setattr__(net, name, value)


@dataclass
class State:
    """The chain at the end of a week, for R replications. Week 0 is the initial state."""

    week: int
    inventory: np.ndarray  # (F, R) finished goods on hand
    raw: np.ndarray  # (F, R) raw materials on hand (producers)
    cash: np.ndarray  # (F, R) $
    capacity: np.ndarray  # (F, R) units/week producers may start (0 for others)
    backlog: np.ndarray  # (K, R) owed by the link's supplier to its customer
    mail: np.ndarray  # (K, S, R) orders on their way to the supplier, by week of arrival mod S
    transit: np.ndarray  # (K, S, R) goods on their way to the customer, by week of arrival mod S
    wip: np.ndarray  # (F, S, R) production under way, by week of completion mod S
    capacity_plan: np.ndarray  # (F, S, R) capacity in force from a future week, by week mod S
    last_order: np.ndarray  # (F, R) the order each firm placed last week
    turns: np.ndarray  # (T, H, R) sales counted by turn-and-earn links, by week mod H (T = H = 0 unused)
    backlog_value: np.ndarray | None = None  # (K, R) $ the backlog is bought at (kept with a price schedule)
    parts: np.ndarray | None = None  # (K, R) components on hand of firms assembling by bill of materials,
    # per inbound link (0 on other links; their firm's raw is the sum); None where no firm has a bill of materials
    payments: np.ndarray | None = None  # (K, P, R) $ invoiced, by week due mod P (kept with money rules)
    insolvent: np.ndarray | None = None  # (F, R) bool, insolvent at the end of the week (kept with money rules)

    def copy(self) -> State:
        """A deep copy: every array copied, so the copy plays on independently."""
        return State(self.week, *[None if a is None else a.copy() for a in map(self.__dict__.get, _ARRAYS)])

    def replications(self, index) -> State:
        """The same state restricted to some replications (an index or slice on the last axis)."""
        return State(self.week, *(_each(getattr(self, f), lambda a: a[..., index]) for f in _ARRAYS))


_ARRAYS = ("inventory", "raw", "cash", "capacity", "backlog", "mail", "transit", "wip",
           "capacity_plan", "last_order", "turns", "backlog_value", "parts", "payments", "insolvent")


def _each(a: np.ndarray | None, fn):
    return None if a is None else fn(a)


@dataclass
class Flows:
    """What happened during one week, per firm (F, R) unless noted."""

    week: int
    incoming: np.ndarray  # orders (or customer demand) that reached the firm
    received: np.ndarray  # goods that arrived from suppliers
    started: np.ndarray  # production started
    produced: np.ndarray  # production finished into stock
    shipped: np.ndarray  # goods sent to customers
    on_time: np.ndarray  # of this week's incoming orders, shipped this week (backlog served first)
    lost: np.ndarray  # orders lost this week
    backlog: np.ndarray  # owed to customers at the end of the week
    revenue: np.ndarray  # $ received from customers
    purchases: np.ndarray  # $ paid to suppliers
    cost: np.ndarray  # $ operating cost: holding, backlog, lost sales, capacity, production, ordering
    demand: np.ndarray  # (C, R) end-customer demand this week
    from_source: np.ndarray  # (R,) goods the source shipped into the chain
    to_market: np.ndarray  # (R,) goods that left the chain to end customers
    due: np.ndarray  # what its suppliers owed the firm this week: its backlog with them + its orders that reached them
    supplied: np.ndarray  # goods its suppliers (the source included) shipped to the firm this week
    order: np.ndarray | None = None  # orders placed at the end of the week (set by place)
    returned: np.ndarray | None = None  # (R,) goods returned to the source (set by place)
    interest: np.ndarray | None = None  # $ net interest paid to the bank (with money rules)
    paid: np.ndarray | None = None  # (K, R) $ the customer of each link paid its supplier this week (with money rules)


def initial_state(net: Network, firm_init: dict, link_init: dict, replications: int) -> State:
    """Build week 0 from per-firm and per-link initial values.

    ``firm_init`` maps inventory, raw, cash, capacity to (F,) arrays and wip to a list of
    per-firm sequences (arriving weeks 1, 2, ...); ``link_init`` maps backlog to (K,) and
    orders, shipments (and optionally payments, $ due) to lists of per-link sequences (arriving
    weeks 1, 2, ...), and where the network assembles by bill of materials, parts to (K,)
    components on hand (the firms' raw is then their sum).
    """
    F, K, S, R = net.n_firms, net.n_links, net.slots, replications

    def firm(key):
        return np.repeat(np.asarray(firm_init[key], float)[:, None], R, axis=1)

    def ring(rows, n):
        out = np.zeros((n, S, R))
        for i, seq in enumerate(rows):
            for j, v in enumerate(seq):  # j-th value arrives in week j + 1
                out[i, (j + 1) % S, :] += v
        return out

    capacity = firm("capacity")
    plan = np.repeat(capacity[:, None, :], S, axis=1)
    backlog = np.repeat(np.asarray(link_init["backlog"], float)[:, None], R, axis=1)
    parts = None
    if net.bom_units is not None:
        parts = np.repeat(np.asarray(link_init["parts"], float)[:, None], R, axis=1)
    state = State(
        week=0,
        inventory=firm("inventory"),
        raw=firm("raw"),
        cash=firm("cash"),
        capacity=capacity,
        backlog=backlog,
        mail=ring(link_init["orders"], K),
        transit=ring(link_init["shipments"], K),
        wip=ring(firm_init["wip"], F),
        capacity_plan=plan,
        last_order=firm("last_order"),
        turns=np.zeros((len(net._turn_link), net.turn_slots, R)),
        backlog_value=None if net.order_price is None else net.order_price[:, :1] * backlog,
        parts=parts,
        payments=money.initial_payments(net, link_init.get("payments", []), R) if net.money else None,
        insolvent=np.zeros((F, R), bool) if net.money else None,
    )
    if parts is not None:
        state.raw[net._bom_firms] = _gather_sum(parts[net._bom_links], net._bom_plan)
    return state


def advance(net: Network, state: State, demand: np.ndarray, delays: np.ndarray | None = None) -> Flows:
    """Play week ``state.week + 1`` up to the decisions (steps 1-6), updating ``state`` in place.

    One call of the compiled week, :func:`chaingame.kernel.advance`.

    Args:
        net: the chain's structure.
        state: the end of the previous week; becomes the end of this week (before ordering).
        demand: (C, R) end-customer demand of this week, one row per market link.
        delays: (K_random, R) whole weeks, the shipping delay of this week's shipment on each link of
            ``net.delay_links`` (chaingame/delays.py); None when no link's delay is random.

    Returns:
        The week's flows; :func:`place` completes them with the orders.
    """
    t = state.week + 1
    state.week = t
    args, flows = _advance_args(net, state, demand, delays)
    _kernel().advance(*args)
    return flows()


def flow_arrays(net: Network, replications: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The arrays a week's flows are written into: (N_FLOWS, F, R) firms' rows, (2, R) edges, (K, R) payments."""
    k = _kernel()
    return (np.empty((k.N_FLOWS, net.n_firms, replications)), np.empty((2, replications)),
            np.empty((net.n_links, replications)) if net.money else _NO_FLOATS)


def _advance_args(net: Network, state: State, demand: np.ndarray, delays: np.ndarray | None,
                  into: tuple | None = None) -> tuple[tuple, object]:
    """:func:`chaingame.kernel.advance`'s arguments for the week ``state.week``, and the :class:`Flows` they fill.

    The second makes the week's :class:`Flows` of the arrays the kernel has filled: new ones, or ``into``
    (:func:`flow_arrays`), whose rows the kernel writes in full every week.
    """
    ip, fp, ws, wb, wt = net.kernel_tables
    block, edges, paid = flow_arrays(net, state.inventory.shape[1]) if into is None else into
    demand = lazy.given(demand)
    args = (ip, fp, state.week, state.inventory, state.raw, state.cash, state.capacity, state.backlog, state.mail,
            state.transit, state.wip, state.capacity_plan, state.turns,
            _NO_FLOATS if state.backlog_value is None else state.backlog_value,
            _NO_FLOATS if state.parts is None else state.parts,
            _NO_RING if state.payments is None else state.payments,
            _NO_FLAGS if state.insolvent is None else state.insolvent, demand,
            _NO_DELAYS if delays is None else lazy.given(delays, np.int64), block, edges, paid, ws, wb, wt)

    def flows() -> Flows:
        b = block  # rows by index: unpacking the block (*block[:11]) costs about three times as much at R = 1
        return Flows(state.week, b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], demand, edges[0],
                     edges[1], b[11], b[12], interest=b[13] if net.money else None, paid=paid if net.money else None)

    return args, flows


def place(net: Network, state: State, flows: Flows, orders: np.ndarray, capacity: np.ndarray | None = None) -> None:
    """Step 7: put the firms' orders (F, R) in the mail and their capacity targets in the plan.

    The firms order :func:`accepted_orders` of their decisions, capped by the insolvency rule where
    a firm has a credit limit (:mod:`chaingame.money`). A return (a negative order)
    leaves the firm's stock at once, at most what it holds, and is refunded at the link's price
    of the week (the price an order placed now would be bought at).
    The ordering cost is charged for every order above 0. One call of :func:`chaingame.kernel.place`.
    """
    k = _kernel()
    ip, fp, ws = net.kernel_tables[:3]
    decisions = lazy.given(orders)
    placed = np.empty(decisions.shape)
    returned = np.empty(decisions.shape[1])
    targets = _NO_FLOATS if capacity is None else lazy.given(capacity)
    k.place(ip, fp, state.week, decisions, targets, state.inventory, state.raw, state.cash, state.backlog,
            state.mail, _NO_RING if state.payments is None else state.payments,
            _NO_FLAGS if state.insolvent is None else state.insolvent, state.capacity_plan, flows.revenue,
            flows.cost, placed, returned, ws)
    state.last_order = placed
    flows.order = placed
    flows.returned = returned


def ring_total(ring: np.ndarray) -> np.ndarray:
    """A pipeline's total over its slots, (n, R) from (n, S, R): ``ring.sum(axis=1)``'s bits, added slot by slot.

    (numpy adds a middle axis in slot order too, but through a buffered reduction; the slices' sum in place is
    the same result at about half the cost.)
    """
    out = ring[:, 0].copy()
    for s in range(1, ring.shape[1]):
        out += ring[:, s]
    return out


def goods_in_chain(state: State) -> np.ndarray:
    """Every unit inside the chain (R,): on hand, raw, in production and in transit.

    A unit of a component counts one, as a unit of product does: assembly by bill of materials
    turns the units of a product's components into one unit.
    """
    return (
        state.inventory.sum(axis=0)
        + state.raw.sum(axis=0)
        + state.wip.sum(axis=(0, 1))
        + state.transit.sum(axis=(0, 1))
    )


def supply_line(net: Network, state: State, wip: np.ndarray | None = None) -> np.ndarray:
    """Each firm's supply line (F, R): ordered and not yet in finished stock.

    Orders in the mail, what suppliers owe it, goods in transit, and for producers raw materials
    waiting and production under way (Sterman 1989's SL). A firm assembling by bill of materials
    counts in products: its WIP plus the products its scarcest component's supply line makes,
    ``min_j parts_supply_line_j / units_j`` (:func:`parts_supply_line`). Per link, the mail's slots
    added in order, then what is owed, then the transit's slots' sum; per firm, its links' sums in link
    order from 0, then raw materials, then WIP (``ring_total(state.wip)``); a component's products are
    :func:`counted`. Computed by :func:`chaingame.bookkernel.supply`; ``wip``, where the caller has it, is
    ``ring_total(state.wip)``, not computed again.
    """
    return lines(net, state, wip)[1]


def lines(net: Network, state: State, wip: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Each firm's production under way (``ring_total(state.wip)``, or ``wip`` given) and its :func:`supply_line`."""
    ip, fp = net.kernel_tables[:2]
    F, R = state.inventory.shape
    given = wip is not None and wip.shape == (F, R) and wip.dtype == float and wip.flags.c_contiguous
    wip, line = wip if given else np.empty((F, R)), np.empty((F, R))
    args = (ip, fp, state.mail, state.backlog, state.transit, state.raw, state.wip,
            _NO_FLOATS if state.parts is None else state.parts, given, wip, line, np.empty((net.n_links + 1, R)))
    lazy.call(_books().supply, args)
    return wip, line


def parts_supply_line(net: Network, state: State) -> np.ndarray | None:
    """Each component's supply line (K, R), in units of the component; None if no firm has a bill of materials.

    On the inbound links of firms assembling by bill of materials (0 elsewhere): in the mail, owed, in transit
    and on hand.
    """
    if state.parts is None:
        return None
    per_link = state.mail.sum(axis=1) + state.backlog + state.transit.sum(axis=1) + state.parts
    return np.where(net.bom_units[:, None] > 0, per_link, 0.0)
