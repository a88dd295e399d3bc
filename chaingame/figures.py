"""The figures of a run and of a sweep, each drawn once, as matplotlib :class:`~matplotlib.figure.Figure` objects.

Every caller draws with these: ``chaingame run`` (``orders.png``), ``chaingame plot`` (the sweep
plot), the researcher view (:mod:`chaingame.viz.components`) and the classroom debrief
(:mod:`chaingame.ui.debrief`). The run figures take a tidy history, one row per week and firm
(``ChainModel.history()``, a team's rows of the classroom export, ``chaingame.batch.tidy``):

- :func:`orders_figure`: orders placed per firm against end-customer demand (the bullwhip);
- :func:`stock_figure`: inventory on hand and backlog per firm;
- :func:`cost_figure`: cost per firm, or per chain stacked by firm when comparing chains;
- :func:`cash_figure`: orders per firm over the working capital each ties up (the bullwhip of cash);
- :func:`run_figure`: orders, inventory and backlog stacked in one figure (``chaingame run``);
- :func:`sweep_figure`: a metric against a swept parameter, mean and confidence interval per firm;
- :func:`class_orders_figure`: every team's orders in one chart, a panel per firm (the class view);
- :func:`beta_figure`: the spread of the fitted supply-line weight β across a class, per round;
- :func:`role_cost_figure`: cost by role across teams and rounds.

Figures are built without pyplot (no process-wide state, no backend chosen), so a web server may
draw them from several threads; matplotlib itself loads on the first figure, not on import.
:func:`png_bytes` and :func:`svg_text` turn a figure into what a page shows; ``fig.savefig(path)``
writes a file. Firms keep one colour (matplotlib's ``C0``..``C9``) in every figure.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from . import metrics
from .checks import ScenarioError

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

PANEL = (6.4, 3.6)  # inches: one figure of the researcher view (a cell of its two-column layout)
# Margins in inches, fixed rather than left to a layout engine (which doubles the drawing time of
# a figure the researcher view redraws every week): room for tick labels, axis labels and titles.
LEFT, RIGHT, BOTTOM, TOP, TITLE = 0.72, 0.12, 0.5, 0.32, 0.3


def firm_order(history: pd.DataFrame) -> list[str]:
    """Firms in the order the history lists them (the scenario's order)."""
    return list(dict.fromkeys(history["firm"]))


def colours(firms: list[str]) -> dict[str, str]:
    """A fixed colour per firm: matplotlib's tab10 cycle in the scenario's order."""
    return {f: f"C{i % 10}" for i, f in enumerate(firms)}


def end_customer_demand(history: pd.DataFrame) -> pd.Series:
    """Total end-customer demand per week (indexed by week): the sum of the market's demand streams.

    Each retailer faces one stream, and its ``customer_demand`` is that stream, so the sum over the
    retailers' rows is the total the chain faces (the maximum over firms would count only the
    streams one firm serves, which in a network of two separate chains is not all of them). With a
    single retailer the sum is its demand. A retailer that supplied another retailer would also
    count the other's stream; the bundled scenarios have none.
    """
    retail = history[history["role"] == "retailer"]
    return retail.groupby("week")["customer_demand"].sum()


def bullwhip_ratios(history: pd.DataFrame) -> dict[str, float]:
    """Var(orders placed) / Var(end-customer demand the firm serves) per firm so far.

    The ratio of :func:`chaingame.metrics.bullwhip`, as in :func:`chaingame.metrics.summary`;
    NaN before three weeks or while demand has not varied.
    """
    firms = firm_order(history)
    if history["week"].nunique() < 3:
        return {f: float("nan") for f in firms}
    orders, demand = (_wide(history, c, firms).to_numpy(float) for c in ("order_placed", "customer_demand"))
    return dict(zip(firms, metrics.bullwhip(orders, demand).tolist(), strict=True))


def orders_figure(history: pd.DataFrame | Mapping[str, pd.DataFrame], horizon: int = 0, title: str = "",
                  size: tuple[float, float] | None = None) -> Figure:
    """Orders placed per firm against end-customer demand (:func:`end_customer_demand`): the bullwhip.

    Each firm's legend entry carries its bullwhip ratio (:func:`bullwhip_ratios`).

    Args:
        history: one chain's tidy history, or several by name (e.g. a team and the bots on the same
            demand), drawn side by side on one scale.
        horizon: weeks the x axis spans from the start (0: the weeks in the history).
        title: the figure's title (default: "Orders placed (bullwhip)").
        size: width and height in inches (default: :data:`PANEL`, half as wide again for several).
    """
    panels = _panels(history)
    default = (PANEL[0] * (1.5 if len(panels) > 1 else 1.0), PANEL[1])
    fig, axes = _figure(1, len(panels), size or default, title or "Orders placed (bullwhip)")
    for ax, (name, h) in zip(axes[0], panels.items(), strict=True):
        _week_axis(ax, horizon)
        if name:
            ax.set_title(name, fontsize=10)
        if h.empty:
            _empty(ax)
            continue
        _orders(ax, h)
        ax.legend(fontsize=7, loc="upper left")
    axes[0][0].set_ylabel("orders placed (units/week)")
    return fig


def _two_panels(history: pd.DataFrame, horizon: int, size, title: str):
    """One chain's figure of two panels over the weeks, top and bottom; an empty history says so on top."""
    _one_chain(history)
    fig, axes = _figure(2, 1, size or PANEL, title)
    top, bottom = axes[0][0], axes[1][0]
    _week_axis(bottom, horizon)
    if history.empty:
        _empty(top)
        bottom.set_axis_off()
    return fig, top, bottom


def stock_figure(history: pd.DataFrame, horizon: int = 0, title: str = "",
                 size: tuple[float, float] | None = None) -> Figure:
    """Inventory on hand (top) and backlog owed to customers (bottom) per firm, at the end of each week.

    Args:
        history: one chain's tidy history.
        horizon: weeks the x axis spans from the start (0: the weeks in the history).
        title: the figure's title (default: "Inventory and backlog").
        size: width and height in inches (default: :data:`PANEL`).
    """
    fig, top, bottom = _two_panels(history, horizon, size, title or "Inventory and backlog")
    if history.empty:
        return fig
    _series(top, history, "inventory", "on hand (units)")
    _series(bottom, history, "backlog", "backlog (units)")
    top.legend(fontsize=7, ncol=2, loc="upper left")
    return fig


def cost_figure(history: pd.DataFrame | Mapping[str, pd.DataFrame], horizon: int = 0, title: str = "",
                size: tuple[float, float] | None = None) -> Figure:
    """Operating cost per firm ($: holding, backlog, ...) over the weeks of the history.

    Args:
        history: one chain's tidy history (a bar per firm, the chain's total in the title), or
            several by name (teams, the bots; a bar per chain, stacked by firm, its total on top).
        horizon: accepted for the signature the week figures share; a bar chart has no week axis.
        title: the figure's title (default: the weeks covered).
        size: width and height in inches (default: :data:`PANEL`).
    """
    panels = _panels(history)
    played = [h for h in panels.values() if not h.empty]
    weeks = max((int(h["week"].max()) for h in played), default=0)
    span = "week 1" if weeks == 1 else f"weeks 1-{weeks}"
    firms = list(dict.fromkeys(f for h in panels.values() for f in h["firm"]))
    costs = {name: h.groupby("firm", sort=False)["cost"].sum().reindex(firms, fill_value=0.0).to_numpy(float)
             for name, h in panels.items()}
    single = len(panels) == 1
    default = (f"Cost per firm, {span} (chain ${sum(costs.values()).sum():,.2f})" if single
               else f"Cost per firm and chain, {span}")
    fig, axes = _figure(1, 1, size or PANEL, title or (default if played else "Cost per firm"), weeks=False)
    ax = axes[0][0]
    if not played:
        _empty(ax)
        return fig
    colour = colours(firms)
    if single:
        (cost,) = costs.values()
        bars = ax.bar(firms, cost, color=[colour[f] for f in firms])
        ax.bar_label(bars, labels=[f"${c:,.0f}" for c in cost], fontsize=8)
    else:
        names = list(costs)
        base = np.zeros(len(names))
        for i, f in enumerate(firms):
            values = np.array([costs[n][i] for n in names])
            ax.bar(names, values, bottom=base, color=colour[f], label=f)
            base += values
        for x, total in enumerate(base):
            ax.text(x, total, f"${total:,.0f}", ha="center", va="bottom", fontsize=8)
        ax.legend(fontsize=7, loc="upper center", ncol=min(len(firms), 5))
    ax.set_ylabel("cost ($)")
    ax.margins(y=0.15 if single else 0.3)
    ax.grid(False, axis="x")
    return fig


def cash_figure(history: pd.DataFrame, horizon: int = 0, title: str = "",
                size: tuple[float, float] | None = None) -> Figure:
    """The bullwhip of cash: orders placed per firm (top) over the working capital each ties up (bottom).

    Working capital is stock (on hand, raw, under way) at its purchase price + receivables − payables ($,
    :func:`chaingame.money.books`): a wild ordering pattern upstream ties up cash there too
    (Tangsucheeva & Prabhu 2013).

    Args:
        history: one chain's tidy history (with the money columns).
        horizon: weeks the x axis spans from the start (0: the weeks in the history).
        title: the figure's title (default: "The bullwhip of orders and of cash").
        size: width and height in inches (default: :data:`PANEL`).
    """
    fig, top, bottom = _two_panels(history, horizon, size, title or "The bullwhip of orders and of cash")
    if history.empty:
        return fig
    _orders(top, history)
    top.set_ylabel("orders (units/week)")
    _series(bottom, history, "working_capital", "working capital ($)")
    bottom.axhline(0, color="0.5", lw=0.8)
    top.legend(fontsize=7, loc="upper left")
    return fig


def run_figure(history: pd.DataFrame, title: str = "", size: tuple[float, float] = (9.0, 8.5)) -> Figure:
    """Orders placed (with end-customer demand), inventory and backlog per firm, stacked: a whole run.

    What ``chaingame run`` writes as ``orders.png``; the panels of :func:`orders_figure` and
    :func:`stock_figure` on one week axis.
    """
    _one_chain(history)
    fig, axes = _figure(3, 1, size, title or "Orders, inventory and backlog per firm")
    orders, inventory, backlog = (row[0] for row in axes)
    if history.empty:
        _empty(orders)
        return fig
    _week_axis(backlog, int(history["week"].max()))
    _orders(orders, history)
    orders.set_ylabel("orders placed (units/week)")
    orders.legend(ncol=3, fontsize=8, loc="best")  # drawn once: the place that hides the fewest lines
    _series(inventory, history, "inventory", "inventory on hand (units)")
    _series(backlog, history, "backlog", "backlog (units)")
    return fig


def sweep_figure(summary: pd.DataFrame, x: str, y: str, title: str = "", level: float = 0.95,
                 connect: bool = True, by: str | None = None, formula=None) -> Figure:
    """A metric against a swept parameter: per firm (and value of ``by``), the mean with its confidence interval.

    ``summary`` is :func:`chaingame.sweep.mean_ci`'s table (firm, [by,] x, n, mean, low, high).
    Numbers on the x axis are placed by value, anything else in order of first appearance.
    ``connect``: a line and a shaded band (a grid); else points with error bars (e.g. random
    samples, where neighbouring points differ in other parameters too). ``formula``: a
    (function, label) pair of :data:`chaingame.formulas.FORMULAS`, drawn dashed beside each
    line as ``function(x, value of by)``.
    """
    import numpy as np
    import pandas as pd
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 5), layout="constrained")  # drawn once: a layout engine fits any labels
    ax = fig.subplots()
    numeric = pd.api.types.is_numeric_dtype(summary[x]) and not pd.api.types.is_bool_dtype(summary[x])
    labels = list(dict.fromkeys(summary[x].astype(str)))
    several = summary["firm"].nunique() > 1
    keys = ["firm", by] if by else ["firm"]
    drawn = False
    for key, rows in summary.groupby(keys, sort=False):
        firm, value = key if by else (key[0], None)  # a list of keys: always a tuple
        label = ", ".join([*([firm] if several or not by else []), *([f"{_short(by)} = {value}"] if by else [])])
        xs = rows[x].to_numpy(float) if numeric else [labels.index(v) for v in rows[x].astype(str)]
        if connect:
            line, = ax.plot(xs, rows["mean"], marker="o", ms=3.5, lw=1.6, label=label)
            ax.fill_between(xs, rows["low"], rows["high"], color=line.get_color(), alpha=0.2, lw=0)
        else:
            err = [rows["mean"] - rows["low"], rows["high"] - rows["mean"]]
            line = ax.errorbar(xs, rows["mean"], yerr=err, fmt="o", ms=3.5, lw=1, capsize=2, label=label).lines[0]
        if formula is not None:
            fn, name = formula
            dense = np.linspace(min(xs), max(xs), 200)
            ax.plot(dense, fn(dense, float(value)), ls="--", lw=1, color=line.get_color(),
                    label=f"{name} (dashed)" if not drawn else "_nolegend_")  # one entry for the formula
            drawn = True
    if not numeric:
        ax.set_xticks(range(len(labels)), labels, rotation=30 if max(map(len, labels)) > 6 else 0)
    ax.set_xlabel(x)
    ax.set_ylabel(f"{y} (mean, {level:.0%} CI)")
    ax.grid(alpha=0.3)
    if several or by:
        ax.legend(fontsize=8, title="firm" if several and not by else None, title_fontsize=8)
    ax.set_title(title or f"{y} against {x}", fontsize=10)
    return fig


def class_orders_figure(teams: Mapping[str, pd.DataFrame], horizon: int = 0, title: str = "",
                        size: tuple[float, float] | None = None) -> Figure:
    """Every team's orders placed, one panel per firm, a line per team, end-customer demand dashed.

    Args:
        teams: one chain's tidy history per name (e.g. ``{"team 1": ..., "team 2": ...}``).
        horizon: the weeks of the game (x axis 1..horizon; default: the weeks played).
        title: the figure's title.
        size: width and height in inches (default: two rows of two panels).
    """
    panels = _panels(teams)
    firms = list(dict.fromkeys(f for h in panels.values() for f in h["firm"]))
    cols = 2 if len(firms) > 1 else 1
    rows = max(1, -(-len(firms) // cols))
    fig, axes = _figure(rows, cols, size or (9.0, 2.4 * rows + 0.8), title or "Orders placed, every team")
    for k, ax in enumerate(axes.ravel()):
        if k >= len(firms):
            ax.set_visible(False)
            continue
        firm = firms[k]
        demand_drawn = False
        for i, (name, h) in enumerate(panels.items()):
            rows_f = h[h["firm"] == firm].sort_values("week")
            if rows_f.empty:
                continue
            if not demand_drawn:
                demand = end_customer_demand(h)
                _steps(ax, demand.index, demand.to_numpy(float), color="black", ls="--", lw=1.5,
                       label="end-customer demand")
                demand_drawn = True
            _steps(ax, rows_f["week"].to_numpy(), rows_f["order_placed"].to_numpy(float), lw=1.3,
                   color=f"C{i % 10}", label=name)
        ax.set_title(firm, fontsize=9, loc="left")
        _week_axis(ax, horizon)
        if k == 0:
            ax.legend(fontsize=7, loc="upper left")
        if not demand_drawn:
            _empty(ax)
    return fig


def beta_figure(betas: Mapping[str, list[float]], title: str = "",
                size: tuple[float, float] | None = None) -> Figure:
    """The fitted supply-line weight β of every seat, one column of dots per group (e.g. per round).

    Beside them, Sterman's (1989) subjects' mean (0.34) and the benchmark, which counts all of it (1).

    Args:
        betas: ``{group name: [β of each identified seat]}``.
        title: the figure's title.
        size: width and height in inches (default: :data:`PANEL`).
    """
    fig, axes = _figure(1, 1, size or PANEL, title or "Share of the supply line counted (fitted β)", weeks=False)
    ax = axes[0][0]
    names = list(betas)
    if not any(len(v) for v in betas.values()):
        _empty(ax)
        return fig
    rng = np.random.default_rng(0)  # a fixed jitter: the same figure every time
    for i, name in enumerate(names):
        values = np.asarray(betas[name], float)
        ax.scatter(i + rng.uniform(-0.12, 0.12, len(values)), values, color=f"C{i % 10}", s=24, zorder=3)
        if len(values):
            ax.hlines(np.median(values), i - 0.25, i + 0.25, color="0.2", lw=2)
    ax.axhline(0.34, color="C3", ls="--", lw=1, label="Sterman's subjects (0.34)")
    ax.axhline(1.0, color="C2", ls=":", lw=1, label="benchmark (1)")
    ax.set_xticks(range(len(names)), names)
    ax.set_ylim(-0.05, 1.1)
    ax.set_ylabel("β")
    ax.legend(fontsize=7, loc="center right")
    return fig


def role_cost_figure(costs: pd.DataFrame, title: str = "", size: tuple[float, float] | None = None) -> Figure:
    """Cost by role across teams: a group of bars per firm, a bar per team (and round).

    Args:
        costs: one row per (group, firm) with columns ``group`` (e.g. "round 1 · team 2"), ``firm``
            and ``cost`` ($), firms in the scenario's order.
        title: the figure's title.
        size: width and height in inches (default: :data:`PANEL`).
    """
    fig, axes = _figure(1, 1, size or PANEL, title or "Cost by role across teams", weeks=False)
    ax = axes[0][0]
    if costs.empty:
        _empty(ax)
        return fig
    firms = list(dict.fromkeys(costs["firm"]))
    groups = list(dict.fromkeys(costs["group"]))
    width = 0.8 / len(groups)
    x = np.arange(len(firms))
    for i, g in enumerate(groups):
        rows = costs[costs["group"] == g].set_index("firm")["cost"].reindex(firms, fill_value=0.0)
        ax.bar(x - 0.4 + width * (i + 0.5), rows.to_numpy(float), width, color=f"C{i % 10}", label=g)
    ax.set_xticks(x, firms)
    ax.set_ylabel("cost ($)")
    ax.grid(False, axis="x")
    ax.legend(fontsize=7, ncol=min(len(groups), 3))
    return fig


def _short(path: str) -> str:
    """The last part of a dotted path (``firms.retailer.policy.lead_time`` -> ``lead_time``)."""
    return path.rsplit(".", 1)[-1]


def png_bytes(fig: Figure, dpi: float | None = None) -> bytes:
    """The figure as PNG bytes (``dpi``: the figure's own when None)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi or "figure")
    return buf.getvalue()


def svg_text(fig: Figure) -> str:
    """The figure as an SVG document (text)."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    return buf.getvalue()


# --- the pieces every figure is drawn from -------------------------------------------------------

def _figure(rows: int, cols: int, size: tuple[float, float], title: str,
            weeks: bool = True) -> tuple[Figure, np.ndarray]:
    """A figure of rows x cols axes with fixed margins (in inches), a title, shared x (and y) axes.

    With ``weeks`` the x axis is the week.
    """
    from matplotlib.figure import Figure

    width, height = size
    fig = Figure(figsize=size)
    fig.subplots_adjust(left=LEFT / width, right=1 - RIGHT / width, bottom=BOTTOM / height,
                        top=1 - (TOP + TITLE * (cols > 1)) / height,
                        hspace=0.12 if rows > 1 else None, wspace=0.06 if cols > 1 else None)
    axes = fig.subplots(rows, cols, sharex=True, sharey=cols > 1, squeeze=False)
    fig.suptitle(title, fontsize=11, y=1 - 0.08 / height, va="top")
    for ax in axes.ravel():
        ax.grid(alpha=0.3)
    for ax in axes[-1] if weeks else ():
        ax.set_xlabel("week")
    return fig, axes


def _week_axis(ax: Axes, horizon: int) -> None:
    """Whole weeks on the x axis, 1..``horizon`` when given."""
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if horizon:
        ax.set_xlim(0.5, horizon + 0.5)


def _steps(ax: Axes, x, y, **kw) -> None:
    """A weekly series as steps (with dots while there are too few weeks to draw a line)."""
    ax.step(x, y, where="mid", marker="o" if len(x) < 3 else None, ms=3, **kw)


def _wide(history: pd.DataFrame, column: str, firms: list[str]) -> pd.DataFrame:
    """One column of the history as a week x firm table, firms in ``firms``' order."""
    return history.pivot(index="week", columns="firm", values=column)[firms]


def _orders(ax: Axes, history: pd.DataFrame) -> None:
    """End-customer demand (dashed, black) and each firm's orders placed, labelled with its bullwhip."""
    firms = firm_order(history)
    colour = colours(firms)
    demand = end_customer_demand(history)
    _steps(ax, demand.index, demand.to_numpy(float), color="black", ls="--", lw=2, label="end-customer demand")
    wide = _wide(history, "order_placed", firms)
    ratio = bullwhip_ratios(history)
    for f in firms:
        label = f if np.isnan(ratio[f]) else f"{f} (bullwhip {ratio[f]:.1f})"
        _steps(ax, wide.index, wide[f].to_numpy(float), lw=1.6, color=colour[f], label=label)


def _series(ax: Axes, history: pd.DataFrame, column: str, ylabel: str) -> None:
    """One line per firm of a history column."""
    firms = firm_order(history)
    colour = colours(firms)
    wide = _wide(history, column, firms)
    for f in firms:
        _steps(ax, wide.index, wide[f].to_numpy(float), lw=1.5, color=colour[f], label=f)
    ax.set_ylabel(ylabel)


def _empty(ax: Axes) -> None:
    """A note in place of the lines (tick marks hidden on this axes only: its axes may be shared)."""
    ax.text(0.5, 0.5, "no weeks played yet", ha="center", va="center", transform=ax.transAxes, color="0.4")
    ax.tick_params(left=False, bottom=False, labelleft=False, labelbottom=False)
    ax.grid(False)


def _panels(history: pd.DataFrame | Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """A history, or several by name, as {name: history} ("" for a lone history), each one chain's."""
    panels = dict(history) if isinstance(history, Mapping) else {"": history}
    if not panels:
        raise ScenarioError("history", "is an empty mapping (allowed: a history, or histories by name)")
    for h in panels.values():
        _one_chain(h)
    return panels


def _one_chain(history: pd.DataFrame) -> None:
    """Refuse a history holding several chains (teams, replications): one row per week and firm."""
    twice = history.duplicated(["week", "firm"])
    if twice.any():
        row = history[twice].iloc[0]
        raise ScenarioError("history", f"has several rows for week {int(row['week'])} of {row['firm']} (allowed: "
                                       "one chain's history, one row per week and firm; select one team or "
                                       "replication)")
