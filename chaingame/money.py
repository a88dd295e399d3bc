"""Money rules: payment terms, credit, interest and insolvency (the bookkeeping of the week's cash).

A scenario without money rules pays every shipment at once and lets cash go below any amount;
this module then does nothing (``Network.money`` is False). The rules (docs/model.md, "Money"):

- **Payment terms.** ``[[links]] payment_delay = N`` (weeks): the customer pays for a shipment N
  weeks after it was **shipped** (an invoice dated at shipment, "net N"; the shipping delay does
  not matter, so a random delay changes no payment). The invoices are held as a pipeline, a ring
  buffer ``State.payments`` (K, P, R) by week due mod P: the supplier's receivables and the
  customer's payables. N = 0 pays at shipment. Revenue and purchases are booked at shipment
  (the profit and loss); cash moves when the invoice is paid. End customers pay at once.
- **Credit and interest.** ``firms.ID.credit_limit`` ($, default unlimited) bounds what a firm may
  borrow to commit to suppliers; interest is charged on the week's opening cash: ``interest_rate``
  (per week) on a negative balance, paid to a bank outside the chain, less ``deposit_rate`` (per
  week) earned on a positive one. The ``interest`` of a week is the net amount paid.
- **What a firm can pay** (its headroom, $): ``cash + credit_limit − payables − committed``, where
  ``committed`` is the value, at the links' prices, of its open orders (in the mail or owed by its
  suppliers): money it has promised and not yet been invoiced for.
- **Insolvency.** A firm is insolvent at the end of a week where ``cash + credit_limit < payables``
  (its cash and credit cannot cover what it owes). ``insolvency = "cap"`` (the default): each
  order it places is capped at its headroom, ``floor(headroom / price)`` units (0 where the
  headroom is not positive), and ``insolvent`` marks the weeks in that state. ``"stop"``: from the
  first week it is insolvent it stays so and places no orders (it still ships, collects and pays).
  Orders the scenario fixes are placed as written, and returns are never capped.

The week's cash moves in the compiled week (:func:`chaingame.kernel.advance`, step 6: invoicing,
collection, costs, interest, insolvency marks; :func:`chaingame.kernel.place`: the insolvency rule's cap on
orders); this module compiles the rules (:func:`compile_network`, called by :class:`chaingame.chain.Network`)
and reads the books (receivables, payables, headroom) with numpy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .chain import Flows, Network, State

INSOLVENCY = ("cap", "stop")  # firms.ID.insolvency: orders capped at what the firm can pay, or stopped
COLUMNS = ("receivables", "payables", "interest", "insolvent", "working_capital")  # history columns of books()


def compile_network(net: Network) -> dict:
    """The money arrays of a network with their defaults filled, and whether any money rule is on."""
    F, K = net.n_firms, net.n_links

    def given(value, n, default, dtype):
        return np.full(n, default, dtype) if value is None else np.asarray(value, dtype)

    delay = given(net.payment_delay, K, 0, np.int64)
    limit = given(net.credit_limit, F, np.inf, float)
    rate = given(net.interest_rate, F, 0.0, float)
    deposit = given(net.deposit_rate, F, 0.0, float)
    stop = given(net.insolvency_stop, F, False, bool)
    on = bool(np.any(delay > 0) or np.any(np.isfinite(limit)) or np.any(rate != 0) or np.any(deposit != 0))
    return dict(payment_delay=delay, credit_limit=limit, interest_rate=rate, deposit_rate=deposit,
                insolvency_stop=stop, money=on, pay_slots=int(delay.max(initial=0)) + 1,
                _delayed=np.flatnonzero(delay > 0), _now=np.flatnonzero(delay == 0),
                _limited=np.flatnonzero(np.isfinite(limit)),
                _interest=bool(np.any(rate != 0) or np.any(deposit != 0)))


def initial_payments(net: Network, rows: list, replications: int) -> np.ndarray:
    """The invoices outstanding at week 0, (K, P, R): ``rows[k][j]`` $ due in week j + 1 on link k."""
    out = np.zeros((net.n_links, net.pay_slots, replications))
    for k, seq in enumerate(rows):
        for j, v in enumerate(seq):
            out[k, (j + 1) % net.pay_slots, :] += v
    return out


def receivables(net: Network, state: State) -> np.ndarray:
    """$ each firm's customers owe it (F, R): invoices not yet paid on its outgoing links."""
    return net.by_supplier(state.payments.sum(axis=1))


def payables(net: Network, state: State) -> np.ndarray:
    """$ each firm owes its suppliers (F, R), the source included: invoices not yet paid."""
    return net.by_customer(state.payments.sum(axis=1))


def committed(net: Network, state: State) -> np.ndarray:
    """$ of each firm's open orders (F, R), at the links' prices: in the mail or owed by its suppliers."""
    return net.by_customer(net.price[:, None] * (state.mail.sum(axis=1) + state.backlog))


def idle(net: Network) -> frozenset[str]:
    """The history columns that are 0 in every week of any run of ``net``: decided once, not added up weekly.

    Without money rules no invoice is ever open and no interest paid (receivables, payables, interest,
    insolvent); where, besides, no link has a price, nothing is bought or sold for money (revenue,
    purchases) and stock is worth nothing (working capital).
    """
    if net.money:
        return frozenset()
    unpriced = net.order_price is None and not np.any(net.price)
    return frozenset(("receivables", "payables", "interest", "insolvent")
                     + (("revenue", "purchases", "working_capital") if unpriced else ()))


def books(net: Network, state: State, flows: Flows, wip: np.ndarray) -> dict[str, np.ndarray]:
    """The money columns of a week's record, (F, R) each.

    Receivables, payables, interest, insolvent and working capital (stock at its purchase price + receivables −
    payables). ``wip``: the production under way per firm (F, R), ``chain.ring_total(state.wip)``.
    """
    stock = (state.inventory + state.raw + wip) * net.regular_price[:, None]
    if not net.money:
        zero = np.zeros_like(state.cash)
        return {"receivables": zero, "payables": zero, "interest": zero, "insolvent": zero, "working_capital": stock}
    rec, pay = receivables(net, state), payables(net, state)
    return {"receivables": rec, "payables": pay, "interest": flows.interest,
            "insolvent": state.insolvent.astype(float), "working_capital": stock + rec - pay}
