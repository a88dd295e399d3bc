"""Figures of a (possibly unfinished) run for the researcher view: matplotlib only, no Solara.

Each function takes a tidy history (``ChainModel.history()``: one row per week and firm) and
returns a :class:`matplotlib.figure.Figure` built without pyplot, so a web server may draw
figures from several threads. Firms keep the same colour in every figure.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .. import metrics

WIDTH, HEIGHT = 6.4, 3.6  # inches: one figure per cell of the view's two-column layout
MARGINS = dict(left=0.11, right=0.98, top=0.91, bottom=0.14)  # fixed: a layout engine costs ~2x the draw


def _figure(rows: int = 1, horizon: int | None = 0) -> tuple[Figure, list]:
    """A figure of ``rows`` axes sharing an x axis of whole weeks 1..``horizon`` (None: no week axis)."""
    fig = Figure(figsize=(WIDTH, HEIGHT))
    fig.subplots_adjust(**MARGINS, hspace=0.12)
    axes = fig.subplots(rows, 1, sharex=True, squeeze=False)[:, 0]
    if horizon is not None:
        axes[-1].xaxis.set_major_locator(MaxNLocator(integer=True))
        if horizon:
            axes[-1].set_xlim(0.5, horizon + 0.5)
    return fig, list(axes)


def _steps(ax, x, y, **kw) -> None:
    """A weekly series as steps (with dots while there are too few weeks to draw a line)."""
    ax.step(x, y, where="mid", marker="o" if len(x) < 3 else None, ms=3, **kw)


def firm_order(history: pd.DataFrame) -> list[str]:
    """Firms in the order the history lists them (the scenario's order)."""
    return list(dict.fromkeys(history["firm"]))


def colours(firms: list[str]) -> dict[str, str]:
    """A fixed colour per firm (matplotlib's tab10 cycle)."""
    return {f: f"C{i % 10}" for i, f in enumerate(firms)}


def _empty(ax, what: str) -> None:
    ax.text(0.5, 0.5, f"no weeks played yet\n(press Step or ▶ to see {what})",
            ha="center", va="center", transform=ax.transAxes, color="0.4")
    ax.set_xticks([])
    ax.set_yticks([])


def _wide(history: pd.DataFrame, column: str, firms: list[str]) -> pd.DataFrame:
    return history.pivot_table(index="week", columns="firm", values=column, sort=False)[firms]


def bullwhip_ratios(history: pd.DataFrame) -> dict[str, float]:
    """Var(orders placed) / Var(end-customer demand) per firm so far (NaN before 3 weeks or flat demand)."""
    if history["week"].nunique() < 3:
        return {f: float("nan") for f in firm_order(history)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        table = metrics.summary(history)
    return dict(zip(table["firm"], table["bullwhip"].astype(float)))


def orders_figure(history: pd.DataFrame, horizon: int = 0) -> Figure:
    """Orders placed per firm against end-customer demand: the bullwhip, with each firm's ratio.

    ``horizon``: weeks the x axis spans from the start (0: the weeks in the history).
    """
    fig, (ax,) = _figure(horizon=horizon)
    ax.set_title("Orders placed (bullwhip)")
    if history.empty:
        _empty(ax, "orders")
        return fig
    firms = firm_order(history)
    colour = colours(firms)
    retail = history[history["role"] == "retailer"]
    demand = retail.groupby("week")["customer_demand"].sum()
    _steps(ax, demand.index, demand.to_numpy(), color="black", ls="--", lw=2, label="end-customer demand")
    wide = _wide(history, "order_placed", firms)
    ratio = bullwhip_ratios(history)
    for f in firms:
        label = f if np.isnan(ratio[f]) else f"{f} (bullwhip {ratio[f]:.1f})"
        _steps(ax, wide.index, wide[f].to_numpy(), lw=1.6, color=colour[f], label=label)
    ax.set_xlabel("week")
    ax.set_ylabel("units/week")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="upper left")
    return fig


def stock_figure(history: pd.DataFrame, horizon: int = 0) -> Figure:
    """Inventory on hand (top) and backlog owed to customers (bottom) per firm, end of week."""
    fig, (top, bottom) = _figure(2, horizon=horizon)
    top.set_title("Inventory and backlog")
    if history.empty:
        _empty(top, "stock")
        bottom.set_axis_off()
        return fig
    firms = firm_order(history)
    colour = colours(firms)
    for ax, column, label in ((top, "inventory", "on hand"), (bottom, "backlog", "backlog")):
        wide = _wide(history, column, firms)
        for f in firms:
            _steps(ax, wide.index, wide[f].to_numpy(), lw=1.5, color=colour[f], label=f)
        ax.set_ylabel(f"{label} (units)")
        ax.grid(alpha=0.3)
    top.legend(fontsize=7, ncol=2, loc="upper left")
    bottom.set_xlabel("week")
    return fig


def cost_figure(history: pd.DataFrame, horizon: int = 0) -> Figure:
    """Operating cost per firm so far ($), one bar each, with the chain's total in the title.

    ``horizon`` is accepted for a uniform signature; a bar chart has no week axis.
    """
    fig, (ax,) = _figure(horizon=None)
    if history.empty:
        ax.set_title("Cost per firm")
        _empty(ax, "costs")
        return fig
    firms = firm_order(history)
    colour = colours(firms)
    cost = history.groupby("firm", sort=False)["cost"].sum().reindex(firms)
    bars = ax.bar(firms, cost.to_numpy(), color=[colour[f] for f in firms])
    ax.bar_label(bars, labels=[f"${c:,.0f}" for c in cost], fontsize=8)
    weeks = int(history["week"].max())
    span = "week 1" if weeks == 1 else f"weeks 1-{weeks}"
    ax.set_title(f"Cost per firm, {span} (chain ${cost.sum():,.2f})")
    ax.set_ylabel("$ (holding, backlog, ...)")
    ax.margins(y=0.15)
    ax.grid(alpha=0.3, axis="y")
    return fig
