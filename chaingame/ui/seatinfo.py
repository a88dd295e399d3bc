"""What a seat page shows besides the books: the chain and its rules, a bot's order, the money.

Laid out from the service's :class:`~chaingame.classroom.seatinfo.SeatRules` and the seat's own
history; nothing is computed here beyond choosing words. Every part fits a 360-px phone (no fixed
width, text that wraps).
"""

from __future__ import annotations

import html
import math

import solara

from ..classroom.seatinfo import CUSTOMERS, SOURCE, cash_capped
from .boxes import HTML
from .charts import svg_lines
from .components import figure_html, fmt, money, plural

CSS = """
.cg-chainmap { display: flex; flex-direction: column; align-items: stretch; gap: 2px; max-width: 340px; }
.cg-tier { display: flex; flex-wrap: wrap; gap: 6px; justify-content: center; }
.cg-node { border: 1px solid #90a4ae; border-radius: 6px; padding: 6px 10px; background: #fff; text-align: center;
  flex: 1 1 0; min-width: 0; overflow-wrap: anywhere; }
.cg-node .cg-plant { display: block; font-size: 12px; font-weight: 400; color: #546e7a; }
.cg-node.cg-you { border: 2px solid #1565c0; background: #e3f2fd; font-weight: 600; }
.cg-node.cg-end { background: #eceff1; color: #455a64; border-style: dashed; }
.cg-hop { color: #37474f; font-size: 13px; padding: 2px 4px 2px 14px; border-left: 3px solid #b0bec5;
  margin-left: 18px; overflow-wrap: anywhere; }
.cg-hop.cg-mine { border-left-color: #1565c0; }
.cg-rules { font-size: 14px; color: #37474f; max-width: 640px; overflow-wrap: anywhere; }
.cg-money svg { max-width: 100%; height: auto; }
"""


def _weeks(n: float) -> str:
    return f"{fmt(n)} week" + ("" if n == 1 else "s")


def link_text(link, priced: bool, named: bool) -> str:
    """One link in words: its delays, its price and its payment terms (where the scenario has them)."""
    who = f"{link.supplier} → {link.customer}: " if named else ""
    if link.customer == CUSTOMERS:
        sale = f"end customers buy at {money(link.price)}/unit, paid at once" if priced else "end customers' demand"
        return who + sale
    ship = _weeks(link.shipping_delay) + (" on average, it varies" if link.random_delay else "")
    what = "raw materials" if link.supplier == SOURCE else "goods"
    parts = [f"orders take {_weeks(link.order_delay)} ↓", f"{what} take {ship} ↑"]
    if priced:
        parts.append(f"{money(link.price)}/unit")
        parts.append("paid at shipment" if link.payment_delay == 0 else
                     f"paid {_weeks(link.payment_delay)} after shipment")
    return who + " · ".join(parts)


def diagram_html(rules) -> str:
    """The chain from the end customers (top) to the source (bottom), the seat's firm highlighted.

    Between two rows of firms, the links that join them: how long orders and goods take, the price and
    when it is paid.
    """
    roles = dict(rules.roles)
    mine = rules.you
    plants = {firm: (delay, limited) for firm, delay, limited in rules.production}

    def node(firm: str) -> str:
        you = firm == mine
        role = roles.get(firm, firm)
        label = html.escape(firm + (f" ({role})" if role != firm else "")) + (" · you" if you else "")
        if firm in plants:
            delay, limited = plants[firm]
            label += (f'<span class="cg-plant">production takes {_weeks(delay)}'
                      f'{", capacity limited" if limited else ""}</span>')
        return f'<div class="cg-node{" cg-you" if you else ""}" data-firm="{html.escape(firm)}">{label}</div>'

    def links(chosen) -> str:
        named = len(chosen) > 1
        return "".join(f'<div class="cg-hop{" cg-mine" if mine in (k.supplier, k.customer) else ""}">'
                       f"{html.escape(link_text(k, rules.priced, named))}</div>" for k in chosen)

    tier_of = {f: d for d, firms in enumerate(rules.tiers) for f in firms}
    out = [f'<div class="cg-tier"><div class="cg-node cg-end">{CUSTOMERS}</div></div>',
           links([k for k in rules.links if k.customer == CUSTOMERS])]
    for d, firms in enumerate(rules.tiers):
        out.append('<div class="cg-tier">' + "".join(node(f) for f in firms) + "</div>")
        out.append(links([k for k in rules.links if k.supplier != SOURCE and tier_of.get(k.customer) == d]))
    out.append(links([k for k in rules.links if k.supplier == SOURCE]))
    out.append(f'<div class="cg-tier"><div class="cg-node cg-end">{SOURCE} (unlimited)</div></div>')
    return '<div class="cg-chainmap">' + "".join(out) + "</div>"


def rules_html(rules) -> str:
    """The seat's own costs per unit and, with money rules, its credit (what the scenario charges it)."""
    lines = ["Your costs: " + "; ".join(rules.charges) + "."]
    if rules.money_rules:
        if math.isfinite(rules.credit_limit):
            after = ("your orders are capped at what you can pay" if rules.insolvency == "cap"
                     else "once insolvent you can order no more")
            lines.append(f"Credit: you may borrow up to {money(rules.credit_limit)}"
                         + (f" at {rules.interest_rate:.2%} a week" if rules.interest_rate else "")
                         + f"; past it, {after}.")
        elif rules.interest_rate:
            lines.append(f"Credit: unlimited, at {rules.interest_rate:.2%} a week on negative cash.")
    return "".join(f"<p style=\"margin: 2px 0\">{html.escape(x)}</p>" for x in lines)


@solara.component
def ChainMap(rules):
    """The chain diagram with the seat's place, and its costs and credit, under a heading."""
    if rules is None:
        return
    solara.Style(CSS)
    HTML(tag="div", attributes={"data-testid": "chain-map"}, unsafe_innerHTML=(
        '<h4 style="margin: 6px 0 4px">Your chain</h4>' + diagram_html(rules)
        + f'<div class="cg-rules">{rules_html(rules)}</div>'))


@solara.component
def BotNotice(notice: str | None):
    """"Week 7: the bot ordered 12 for you (time ran out)", on the next week's page."""
    if notice:
        HTML(tag="div", classes=["cg-wait"], attributes={"data-testid": "bot-notice"},
             unsafe_innerHTML=html.escape(notice))


def cost_note(rules, so_far: bool = True) -> str:
    """What a week's cost counts for this seat; ``so_far``: before it orders (ordering is charged with the order)."""
    if rules is None:
        return "holding and backlog"
    return rules.cost_counts + (" (ordering when you order)" if so_far and "ordering" in rules.cost_counts else "")


@solara.component
def Money(obs, history, rules):
    """Revenue, profit, cash, receivables, payables and what the firm can still commit; nothing without prices."""
    if rules is None or not rules.priced:
        return
    solara.Style(CSS)
    last = history[-1] if history else None
    cash = obs.cash if obs is not None else last.cash if last is not None else None  # the game over: its last week
    items = [("cash", money(cash), "on hand (negative: borrowed)", "cash"),
             ("revenue", money(last.revenue) if last else "-", "your sales last week", "revenue"),
             ("profit", money(last.profit) if last else "-", "last week: revenue − purchases − cost"
              + (" − interest" if rules.money_rules else ""), "profit"),
             ("total profit", money(sum(w.profit for w in history)), f"over {plural(len(history), 'week')}",
              "total_profit")]
    if obs is not None:
        items.append(("buying price", money(obs.price), "$/unit of an order placed now", "price"))
    if rules.money_rules and obs is not None and obs.receivables is not None:
        room = "unlimited" if not math.isfinite(obs.can_pay) else money(obs.can_pay)
        items += [("receivables", money(obs.receivables), "your customers owe you", "receivables"),
                  ("payables", money(obs.payables), "you owe your suppliers", "payables"),
                  ("credit left", room, "cash + credit − payables − open orders: what you can still order for",
                   "can_pay")]
        if last is not None:
            items.append(("interest", money(last.interest), "paid last week", "interest"))
    alerts = []
    if rules.money_rules and last is not None:
        if last.insolvent:
            alerts.append("You are insolvent: your cash and credit cannot cover what you owe"
                          + ("; your orders are capped at what you can pay." if rules.insolvency == "cap"
                             else "; you can order no more."))
        capped = cash_capped(last)
        if capped:
            alerts.append(capped + ".")
    body = "".join(figure_html(label, value, note, f"money-{name}") for label, value, note, name in items)
    chart = ""
    if len(history) >= 2:
        series = {"cash": [w.cash for w in history]}
        if rules.money_rules:
            series["working capital"] = [w.working_capital for w in history]
        chart = svg_lines([w.week for w in history], series, ylabel="$", width=340, height=180)
    HTML(tag="div", classes=["cg-money"], attributes={"data-testid": "money"}, unsafe_innerHTML=(
        '<h4 style="margin: 6px 0 2px">Your money</h4>'
        + "".join(f'<div class="cg-error" data-testid="money-alert">{html.escape(a)}</div>' for a in alerts)
        + f'<div class="cg-books">{body}</div>{chart}'))


def history_extra(history, decides_capacity: bool) -> tuple[list[str], list[list[str]]]:
    """Columns the seat's history adds for a seat that decides capacity: capacity in force and the target set.

    Rows latest first, as the history table.
    """
    if not decides_capacity:
        return [], [[] for _ in history]
    return (["capacity", "target"],
            [[fmt(w.capacity), fmt(w.capacity_target)] for w in reversed(history)])
