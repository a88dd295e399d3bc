"""The debrief's money, where the scenario has prices: the bullwhip of cash beside the bullwhip of orders.

For the team shown, a figure of orders per firm over the working capital each ties up
(:func:`chaingame.figures.cash_figure`), the bots' chain on the same demand beside it, and the cash
figures per firm (:func:`chaingame.classroom.report.cash_table`): peak working capital, the cash-to-cash
cycle (Farris & Hutchison 2002), interest paid, insolvent weeks and the lowest cash.
"""

from __future__ import annotations

import solara

from .. import figures
from . import charts
from .boxes import Row, Text
from .components import Heading, Png, Table, fmt, money

SIZE = (9.0, 5.6)  # inches: two stacked panels, at charts.DPI


@solara.component
def CashResults(data, team: int, stamp: tuple):
    """The cash bullwhip of ``team`` and of the bots, and the cash figures per firm; nothing without prices."""
    if data.cash is None:
        return
    Heading("The bullwhip of cash: orders and working capital per firm", 3)
    Text("Working capital: stock at its purchase price + what customers owe − what the firm owes. "
         "Wild orders upstream tie up cash there.", classes=["cg-muted"])
    h = data.history[data.history["team"] == team]
    bots = data.bot_history[data.bot_history["week"] <= data.weeks_compared]  # the weeks the table compares
    with Row(style="flex-wrap: wrap", gap="8px"):
        Png("cash", charts.cached_png((*stamp, team, "cash"), lambda: figures.cash_figure(
            h, horizon=data.weeks, title=f"Team {team}: orders and working capital", size=SIZE)))
        Png("cash-bots", charts.cached_png((*stamp, "bots", data.weeks_compared, "cash"), lambda: figures.cash_figure(
            bots, horizon=data.weeks, title="Bots, same demand", size=SIZE)))
    rows = data.cash[data.cash["chain"].isin([f"team {team}", "bots"])]
    Table(["chain", "firm", "peak working capital", "cash-to-cash (days)", "interest", "insolvent weeks",
           "lowest cash"],
          [(r.chain, r.firm, money(r.peak_working_capital), fmt(r.cash_to_cash, 1), money(r.interest),
            int(r.insolvent_weeks), money(r.lowest_cash)) for r in rows.itertuples()], left=2, name="cash")
