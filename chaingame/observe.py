"""What a firm may see: the observation a decision rule, a bot or a human player receives.

What each information mode adds to a firm's own books is in :mod:`chaingame.information`.

Whatever the mode, the supplier of a vendor-managed (VMI) link also sees, of that customer, what
VMI shows it (Disney & Towill 2003): inventory, backlog, supply line, incoming orders (its sales
demand), goods shipped (its sales) and the orders decided for it (:class:`VmiView`); and the
rule that decides the customer's orders sees that and nothing more (:func:`vmi_observation`).

The observation is built on the server from the chain state; nothing else reaches a rule or a page.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from . import money
from .chain import Flows, Network, State, advance, lines, parts_supply_line
from .information import Information, covers
from .prices import ANNOUNCED


@dataclass(frozen=True)
class ChainView:
    """Every firm's public books, (F, R) arrays, in the scenario's firm order (``full`` mode)."""

    firms: tuple[str, ...]
    inventory: np.ndarray
    backlog: np.ndarray
    on_order: np.ndarray
    incoming: np.ndarray
    order: np.ndarray


@dataclass(frozen=True)
class VmiView:
    """What a VMI supplier sees of its vendor-managed customers, (n, R) arrays in link order."""

    customers: tuple[str, ...]
    inventory: np.ndarray
    backlog: np.ndarray  # owed to the customer's own customers
    on_order: np.ndarray  # the customer's supply line (on its one, vendor-managed, link)
    incoming: np.ndarray  # orders (or end-customer demand) that reached the customer: its sales demand
    shipped: np.ndarray  # what the customer shipped: its sales
    last_order: np.ndarray  # the order the supplier decided for it last week


_VMI = ("inventory", "backlog", "on_order", "incoming", "shipped", "last_order")  # VmiView's books


@dataclass(frozen=True)
class Observation:
    """One firm's view at the end of a week, before it decides; arrays of shape (R,).

    Attributes:
        firm: the firm's id. role: its role. week: the week just played (1, 2, ...).
        inventory: finished goods on hand. backlog: owed to its customers.
        raw: raw materials on hand (producers). wip: production under way (producers).
        on_order: supply line, everything ordered and not yet in finished stock.
        incoming: orders (or customer demand) received this week. received: goods that arrived.
        shipped: goods sent this week. last_order: the order it placed last week.
        capacity: production capacity in force (producers; 0 otherwise).
        cost: this week's operating cost. cash: money on hand.
        due: what its suppliers owed it this week (its backlog with them plus its orders that reached
            them). supplied: goods its suppliers shipped it this week, on their way to it (its own
            account with its suppliers, as a shipping notice shows it); ``supplied / due`` is the
            fill rate its suppliers gave it.
        price: $/unit an order placed now is bought at (share-weighted over its suppliers).
        regular_price: that price outside promotions (the links' ``price``).
        demand: end-customer demand this week (``pos`` and ``full``; None in ``silo``).
        chain: every firm's books (``full``; None otherwise).
        price_ahead: (A, R) the announced prices of orders placed in the next A weeks
            (``prices.ANNOUNCED``), where a price schedule changes the firm's price; None otherwise.
        vmi: what VMI shows of the customers whose orders the firm decides (None if none).
        components: a firm assembling by bill of materials: its suppliers, one per component, in the
            order of the scenario's links; None otherwise (its ``raw`` is then the sum of
            ``raw_parts`` and its ``on_order`` counts products, docs/model.md).
        raw_parts: (J, R) each component on hand, in units of the component; None without a bill of materials.
        on_order_parts: (J, R) each component's supply line (in the mail, owed, in transit and on
            hand), in units of the component; None without a bill of materials.
        receivables, payables: $ its customers owe it and it owes its suppliers (invoices not yet
            paid); committed: $ of its open orders at the links' prices; can_pay: cash + credit
            limit - payables - committed, what it may still commit (inf with unlimited credit).
            Its own books (:mod:`chaingame.money`), in every mode; None where the scenario has no
            money rules (every shipment paid at once, unlimited credit).
    """

    firm: str
    role: str
    week: int
    inventory: np.ndarray
    backlog: np.ndarray
    raw: np.ndarray
    wip: np.ndarray
    on_order: np.ndarray
    incoming: np.ndarray
    received: np.ndarray
    shipped: np.ndarray
    last_order: np.ndarray
    capacity: np.ndarray
    cost: np.ndarray
    cash: np.ndarray
    due: np.ndarray
    supplied: np.ndarray
    price: np.ndarray
    regular_price: np.ndarray
    demand: np.ndarray | None = None
    chain: ChainView | None = None
    price_ahead: np.ndarray | None = None
    vmi: VmiView | None = None
    components: tuple[str, ...] | None = None
    raw_parts: np.ndarray | None = None
    on_order_parts: np.ndarray | None = None
    receivables: np.ndarray | None = None
    payables: np.ndarray | None = None
    committed: np.ndarray | None = None
    can_pay: np.ndarray | None = None

    @property
    def position(self) -> np.ndarray:
        """Inventory position: on hand - backlog + supply line."""
        return self.inventory - self.backlog + self.on_order


# an observation's own-firm fields, in this order
_OWN = ("inventory", "backlog", "raw", "wip", "on_order", "incoming", "received", "shipped", "last_order",
        "capacity", "cost", "cash", "due", "supplied", "price", "regular_price")
_MONEY = ("receivables", "payables", "committed", "can_pay")  # with money rules, after them


def own_books(net: Network, state: State, flows: Flows, mode: str) -> dict[str, np.ndarray]:
    """Every firm's own books, (F, R) per field of :class:`Observation`, in firm order.

    The fields of ``_OWN``, then ``demand`` where ``mode`` shows POS data and the money fields where the scenario
    has money rules. Some arrays are the state's own, and the prices read-only: to read, never to write
    (:func:`observe_all` copies them into each firm's observation).
    """
    wip, line = lines(net, state)  # the WIP and the supply line, one call
    regular, by_week = net.price_views(state.inventory.shape[1])  # read-only
    price = regular if by_week is None else by_week[:, state.week]
    values = {
        "inventory": state.inventory, "backlog": flows.backlog, "raw": state.raw, "wip": wip,
        "on_order": line, "incoming": flows.incoming, "received": flows.received, "shipped": flows.shipped,
        "last_order": state.last_order, "capacity": state.capacity, "cost": flows.cost, "cash": state.cash,
        "due": flows.due, "supplied": flows.supplied, "price": price, "regular_price": regular,
    }
    if covers(mode, Information.POS):
        values["demand"] = net.seen_demand(flows.demand)
    if net.money:
        values.update(zip(_MONEY, _money(net, state)))
    return values


# replications up to which one stack of every firm's books, then a copy per firm, is cheaper than a
# stack per firm (measured with 4 firms: 6 against 30 us from R = 1 to 256; at 1,024 the stack per firm wins)
_ONE_STACK = 256


def replay(net: Network, start: State, demand: np.ndarray, delays: np.ndarray | None, mode: str) -> Views:
    """The :class:`Views` of the week that began from ``start``, its events played again on it (it is used up).

    The same events (:func:`chaingame.chain.advance`) on the same state, demand and shipping delays: the same
    books, bit for bit, whatever was decided and recorded since. So a front end that observes only when asked (the
    Mesa model) keeps a copy of the state a week began from, not the week's books.
    """
    return Views(net, start, advance(net, start, demand, delays), mode)


def observe_all(net: Network, state: State, flows: Flows, mode: str) -> list[Observation]:
    """The observation of every firm, in firm order, under information mode ``mode``.

    Its arrays are snapshots: they do not change when the chain plays on. Each firm's arrays live
    in a block of memory of its own, so that nothing of another firm is reachable from them (not
    even through ``.base``) beyond what the mode shows in ``demand`` and ``chain``.
    """
    views = Views(net, state, flows, mode)
    return [views.observation(f) for f in range(net.n_firms)]


class Views:
    """Every firm's observation of this week, taken now (a copy of the books) and built when asked for.

    :func:`observe_all` builds them all; the Mesa model (rules deciding on the books' rows) builds them only when
    an observation is asked for, from the week played again (:func:`replay`).

    Args:
        net, state, flows: the chain after this week's events up to the decisions.
        mode: the information mode.
        values: :func:`own_books` of this state, where the caller has them.
    """

    def __init__(self, net: Network, state: State, flows: Flows, mode: str, values: dict | None = None):
        values = own_books(net, state, flows, mode) if values is None else values
        self.pos = values.get("demand") is not None
        rows = [values[k] for k in _OWN] + ([values["demand"]] if self.pos else []) + \
            [values[k] for k in _MONEY if k in values]
        self.chain = None
        if covers(mode, Information.FULL):  # one view for every firm, read-only: a rule cannot change the next one's
            books = [values[k].copy() for k in ("inventory", "backlog", "on_order", "incoming", "last_order")]
            for a in books:
                a.flags.writeable = False
            self.chain = ChainView(net.firms, *books)
        self.managed = _vmi_views(net, values) if net.some_vmi else {}
        self.parts = _parts(net, state)
        self.net, self.week, self.fields = net, state.week, len(rows)
        # up to _ONE_STACK replications one stack of every firm's fields, (F, fields, R), each firm's block copied
        # from it when asked for; beyond, each firm's block stacked now, once (no copy of every firm's books at once;
        # asked for twice, a firm's observation holds the same arrays)
        n, r = state.inventory.shape
        if r <= _ONE_STACK:  # (F, fields * R): firm f's fields one after the other, then (F, fields, R), a view
            self.blocks = np.concatenate(rows, axis=1).reshape(n, len(rows), r)
        else:
            self.blocks = [np.stack([row[f] for row in rows]) for f in range(net.n_firms)]

    def observation(self, f: int) -> Observation:
        """Firm ``f``'s observation, its arrays in a block of memory of its own."""
        net, t = self.net, self.week
        own = self.blocks[f].copy() if isinstance(self.blocks, np.ndarray) else self.blocks[f]
        ahead = None
        if net.promoted[f]:
            ahead = np.repeat(net.firm_price[f, t + 1 : t + 1 + ANNOUNCED, None], own.shape[1], axis=1)
        books = dict(zip(_MONEY, own[self.fields - len(_MONEY):])) if net.money else {}
        return _observation(firm=net.firms[f], role=net.roles[f], week=t, **dict(zip(_OWN, own)),
                            demand=own[len(_OWN)] if self.pos else None, chain=self.chain, price_ahead=ahead,
                            vmi=self.managed.get(f), **self.parts.get(f, {}), **books)


_DEFAULTS = {f.name: f.default for f in dataclasses.fields(Observation) if f.default is not dataclasses.MISSING}


def _observation(**values) -> Observation:
    """The :class:`Observation` of these field values (the others at their defaults).

    What the frozen dataclass's ``__init__`` builds, without its ``object.__setattr__`` call per
    field (30 of them: a third of the time observing a firm takes at R = 1).
    """
    obs = object.__new__(Observation)
    obs.__dict__.update(_DEFAULTS, **values)
    return obs


def _parts(net: Network, state: State) -> dict[int, dict]:
    """The component books of each firm assembling by bill of materials (copies), by firm index."""
    if state.parts is None:
        return {}
    line = parts_supply_line(net, state)
    out = {}
    for f in net._bom_firms:
        links = net._bom_links[net.customer[net._bom_links] == f]
        out[int(f)] = {"components": tuple(net.firms[s] for s in net.supplier[links]),
                       "raw_parts": state.parts[links].copy(), "on_order_parts": line[links].copy()}
    return out


def _money(net: Network, state: State) -> list[np.ndarray]:
    """Each firm's receivables, payables, committed orders and what it can pay, (F, R) each."""
    payables = money.payables(net, state)
    committed = money.committed(net, state)
    with np.errstate(invalid="ignore"):
        room = state.cash + net.credit_limit[:, None] - payables - committed
    can_pay = np.where(np.isinf(net.credit_limit)[:, None], np.inf, room)
    return [money.receivables(net, state), payables, committed, can_pay]


def _vmi_views(net: Network, values: dict[str, np.ndarray]) -> dict[int, VmiView]:
    """Each VMI supplier's view of its vendor-managed customers, in a block of memory of its own."""
    views = {}
    for s in sorted(set(net.supplier[net.vmi])):
        cus = net.customer[net.vmi & (net.supplier == s)]
        block = np.stack([values[k][cus] for k in _VMI], axis=0).copy()  # (fields, n, R)
        views[int(s)] = VmiView(tuple(net.firms[c] for c in cus), *block)
    return views


def vmi_observation(supplier: Observation, row: int, role: str) -> Observation:
    """The observation a VMI rule decides on: customer ``row`` of the supplier's :class:`VmiView`.

    It is shaped as that firm's own observation. What VMI does not show (raw materials, production, goods
    received, capacity, cost, cash, what its suppliers owed and shipped it, prices) is NaN; POS data, the chain
    view and announced prices are None.
    """
    view = supplier.vmi
    books = {k: getattr(view, k)[row].copy() for k in _VMI}
    unseen = {k: np.full(books["inventory"].shape, np.nan) for k in _OWN if k not in books}
    return Observation(firm=view.customers[row], role=role, week=supplier.week, **books, **unseen)
