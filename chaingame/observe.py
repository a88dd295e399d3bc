"""What a firm may see: the observation a decision rule, a bot or a human player receives.

What each information mode adds to a firm's own books is in :mod:`chaingame.information`.
The observation is built on the server from the chain state; nothing else reaches a rule or a page.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import money
from .chain import Flows, Network, State, supply_line
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


def observe_all(net: Network, state: State, flows: Flows, mode: str) -> list[Observation]:
    """The observation of every firm, in firm order, under information mode ``mode``.

    Its arrays are snapshots: they do not change when the chain plays on. Each firm's arrays live
    in a block of memory of its own, so that nothing of another firm is reachable from them (not
    even through ``.base``) beyond what the mode shows in ``demand`` and ``chain``.
    """
    values = {
        "inventory": state.inventory, "backlog": flows.backlog, "raw": state.raw, "wip": state.wip.sum(axis=1),
        "on_order": supply_line(net, state), "incoming": flows.incoming, "received": flows.received,
        "shipped": flows.shipped,
        "last_order": state.last_order, "capacity": state.capacity, "cost": flows.cost, "cash": state.cash,
        "due": flows.due, "supplied": flows.supplied,
        **_prices(net, state),
    }
    rows = [values[k] for k in _OWN]
    pos = net.seen_demand(flows.demand) if covers(mode, Information.POS) else None
    if pos is not None:
        rows.append(pos)
    if net.money:
        rows += _money(net, state)
    stacked = np.stack(rows, axis=1)  # (F, fields, R)
    chain = None
    if covers(mode, Information.FULL):  # one view for every firm, read-only: a rule cannot change the next one's
        books = [values[k].copy() for k in ("inventory", "backlog", "on_order", "incoming", "last_order")]
        for a in books:
            a.flags.writeable = False
        chain = ChainView(net.firms, *books)
    out = []
    t, R = state.week, state.inventory.shape[1]
    for f in range(net.n_firms):
        own = stacked[f].copy()  # this firm's block: its fields only
        fields = dict(zip(_OWN, own))
        ahead = None
        if net.promoted[f]:
            ahead = np.repeat(net.firm_price[f, t + 1 : t + 1 + ANNOUNCED, None], R, axis=1)
        books = dict(zip(_MONEY, own[len(rows) - len(_MONEY):])) if net.money else {}
        out.append(Observation(firm=net.firms[f], role=net.roles[f], week=state.week, **fields,
                               demand=own[len(_OWN)] if pos is not None else None, chain=chain, price_ahead=ahead,
                               **books))
    return out


def _money(net: Network, state: State) -> list[np.ndarray]:
    """Each firm's receivables, payables, committed orders and what it can pay, (F, R) each."""
    payables = money.payables(net, state)
    committed = money.committed(net, state)
    with np.errstate(invalid="ignore"):
        room = state.cash + net.credit_limit[:, None] - payables - committed
    can_pay = np.where(np.isinf(net.credit_limit)[:, None], np.inf, room)
    return [money.receivables(net, state), payables, committed, can_pay]


def _prices(net: Network, state: State) -> dict[str, np.ndarray]:
    """Each firm's purchase price this week and its regular price, (F, R) each."""
    shape = state.inventory.shape
    regular = np.broadcast_to(net.regular_price[:, None], shape)
    if net.firm_price is None:
        return {"price": regular, "regular_price": regular}
    return {"price": np.broadcast_to(net.firm_price[:, state.week, None], shape), "regular_price": regular}
