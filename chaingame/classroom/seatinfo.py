"""What a seat knows besides its books: the rules of its chain, and what a bot did in its place.

The chain's structure and rules are public in every information mode (a silo player of the beer
game sees the board, Sterman 1989): the firms in order from the end customers to the source, each
link's order and shipping delays (and price and payment terms where the scenario has them), and
the seat's own cost rates. No firm's state is in :class:`SeatRules`: it is a function of the
scenario and the seat's firm alone (tests/classroom/test_privacy.py checks it).

This module knows nothing of pages, the database, the clock or the lock.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..scenario import Scenario
from .views import SeatWeek

CUSTOMERS = "end customers"  # the customer of a retailer's market link
SOURCE = "source"  # the supplier of raw materials, outside the chain

# why a bot decided a seat's week (Decision.reason), as a player reads it
BOT_REASONS = {
    "timer": "time ran out",
    "host": "the host moved your team on",
    "bot_seat": "a bot played this seat",
}


@dataclass(frozen=True)
class ChainLink:
    """One link of the chain as a player may know it: who supplies whom, its delays and terms.

    Attributes:
        supplier: firm id, or ``"source"``. customer: firm id, or ``"end customers"``.
        order_delay: weeks an order is in the mail. shipping_delay: weeks goods are in transit (the mean
            where the delay is drawn, ``random_delay``).
        price: $/unit the customer pays (0 where the scenario has no prices).
        payment_delay: weeks from shipment to payment (0: paid at once).
    """

    supplier: str
    customer: str
    order_delay: int
    shipping_delay: float
    random_delay: bool
    price: float
    payment_delay: int


@dataclass(frozen=True)
class SeatRules:
    """The chain and the seat's own rules: the same all game long, for every team.

    Attributes:
        tiers: the firms by distance from the end customers, nearest first (``tiers[0]`` the retailers).
        roles: (firm id, role) of every firm, in the scenario's order.
        you: the seat's firm.
        links: every link, market links first, then in tier order.
        holding_cost: $/unit/week on hand (finished goods and raw materials). backlog_cost: $/unit/week owed.
        charges: every term of the seat's weekly cost, in words, with its rate (e.g. "ordering $2.00 per order").
        cost_counts: what the seat's "cost" sums, in words (e.g. "holding and backlog").
        priced: the scenario has prices (revenue, purchases, profit and cash mean something).
        money_rules: payment terms, a credit limit or interest are on (receivables, payables, can-pay).
        credit_limit: $ the firm may borrow (inf: unlimited). interest_rate: per week on negative cash.
        insolvency: ``"cap"`` or ``"stop"`` (chaingame.money).
        production: (firm, weeks from start to finished goods, capacity limited) of every producer.
    """

    tiers: tuple[tuple[str, ...], ...]
    roles: tuple[tuple[str, str], ...]
    you: str
    links: tuple[ChainLink, ...]
    holding_cost: float
    backlog_cost: float
    charges: tuple[str, ...]
    cost_counts: str
    priced: bool
    money_rules: bool
    credit_limit: float
    interest_rate: float
    insolvency: str
    production: tuple[tuple[str, int, bool], ...] = ()


def seat_rules(sc: Scenario, firm: str, money_rules: bool) -> SeatRules:
    """The rules of ``firm``'s chain in scenario ``sc`` (``money_rules``: ``Network.money`` of its engine)."""
    f = sc.firm(firm)
    firm_links = [k for k in sc.links if k.supplier != SOURCE]
    sellers = [x.id for x in sc.firms if not any(k.supplier == x.id for k in firm_links)]
    tier = dict.fromkeys(sellers, 0)
    for _ in sc.firms:  # longest path from the market; a chain is acyclic, so |F| passes suffice
        for k in firm_links:
            if k.customer in tier:
                tier[k.supplier] = max(tier.get(k.supplier, 0), tier[k.customer] + 1)
    depth = max(tier.values(), default=0)
    tiers = tuple(tuple(x.id for x in sc.firms if tier.get(x.id, 0) == d) for d in range(depth + 1))
    market = [ChainLink(s, CUSTOMERS, 0, 0.0, False, float(sc.firm(s).price), 0) for s in sellers]
    ordered = sorted(sc.links, key=lambda k: tier.get(k.customer, 0))
    links = [ChainLink(k.supplier, k.customer, int(k.order_delay), float(k.shipping_delay), k.delay is not None,
                       float(k.price or 0.0), int(k.payment_delay)) for k in ordered]
    charges, counts = _charges(f)
    return SeatRules(tiers=tiers, roles=tuple((x.id, x.role) for x in sc.firms), you=firm,
                     links=tuple(market + links), holding_cost=float(f.holding_cost),
                     backlog_cost=float(f.backlog_cost),
                     charges=charges, cost_counts=counts, priced=priced(sc), money_rules=money_rules,
                     credit_limit=float(f.credit_limit), interest_rate=float(f.interest_rate), insolvency=f.insolvency,
                     production=tuple((x.id, int(x.production.delay), not math.isinf(x.production.capacity))
                                      for x in sc.firms if x.production is not None))


def priced(sc: Scenario) -> bool:
    """Whether the scenario has prices: some firm sells, or some link is paid, at a price above 0."""
    return any(x.price > 0 for x in sc.firms) or any((k.price or 0) > 0 for k in sc.links)


def _charges(f) -> tuple[tuple[str, ...], str]:
    """The terms of a firm's weekly operating cost (chaingame.chain, step 6 and place_orders), and their names."""
    terms = [("holding", f"holding ${f.holding_cost:,.2f} per unit on hand per week"),
             ("lost sales" if f.unmet == "lost" else "backlog",
              f"lost sales ${f.lost_sales_cost:,.2f} per unit lost" if f.unmet == "lost"
              else f"backlog ${f.backlog_cost:,.2f} per unit owed per week")]
    p = f.production
    if p is not None and p.capacity_cost > 0 and math.isfinite(p.capacity):
        terms.append(("capacity", f"capacity ${p.capacity_cost:,.2f} per unit of capacity per week"))
    if p is not None and p.unit_cost > 0:
        terms.append(("production", f"production ${p.unit_cost:,.2f} per unit started"))
    if f.order_cost > 0:
        terms.append(("ordering", f"ordering ${f.order_cost:,.2f} per order placed"))
    names = [n for n, _ in terms]
    counts = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return tuple(t for _, t in terms), counts


def bot_notice(history: tuple[SeatWeek, ...], player: str) -> str | None:
    """The notice for the last week played, if a bot decided it: what it ordered, and why where known.

    E.g. "Week 7: the bot ordered 12 for you (time ran out)". None if the seat's player decided it.
    """
    if not history or history[-1].decided_by != "bot":
        return None
    w = history[-1]
    why = BOT_REASONS.get(w.reason)
    whom = "for you" if w.player == player else "for this seat"
    if w.player != player and w.reason == "bot_seat":
        why = "a bot played this seat before you joined"
    ordered = w.order if w.decided is None else w.decided
    return f"Week {w.week}: the bot ordered {_num(ordered)} {whom}" + (f" ({why})" if why else "")


def cash_capped(w: SeatWeek) -> str | None:
    """"Week 7: you ordered 30; your cash allowed 18" where the insolvency rule cut the week's order."""
    if w.decided is None or not w.decided > 0 or not w.order < w.decided:
        return None
    who = "you" if w.decided_by == "human" else "the bot"
    return f"Week {w.week}: {who} ordered {_num(w.decided)}; your cash and credit allowed {_num(w.order)}"


def _num(x: float) -> str:
    return f"{int(x):,}" if float(x).is_integer() else f"{x:,.2f}"


def order_note(sc: Scenario, firm: str, week: int, fixed: float | None) -> str:
    """What order batching does to the seat's order this week, in one sentence; "" where it does nothing.

    Batching as :func:`chaingame.chain.accepted_orders` applies it (Lee, Padmanabhan & Whang 1997): a firm
    with review period k orders only in its review weeks (any other week's order is 0), and a positive
    order is raised to its minimum order, then rounded up to whole packs. An order the scenario fixes
    (``fixed``) is placed as written.
    """
    f = sc.firm(firm)
    if fixed is not None or week < 1:
        return ""
    if f.review_period > 1 and (week - 1 - f.review_phase) % f.review_period:
        following = week + (f.review_phase - (week - 1)) % f.review_period
        return (f"You order every {f.review_period} weeks (next: week {following}): nothing is ordered this week, "
                "whatever you enter.")
    changes = [f"raised to at least {_num(f.min_order)}"] if f.min_order > 0 else []
    if f.pack is not None and not (sc.whole_units and f.pack == 1):
        changes.append(f"rounded up to whole packs of {_num(f.pack)}")
    return f"A positive order is {' and '.join(changes)}." if changes else ""
