"""Solara components of the researcher view: each shows one view of a running ChainModel.

Each component takes the current model (:func:`Dashboard` passes it; so would SolaraViz, given
:data:`COMPONENTS`) and re-renders after every step SolaraViz takes, through
``mesa.visualization.utils.update_counter``. It reads ``model.history()``, draws with
:mod:`chaingame.figures` and caches the result per (model, week), so a re-render without a
new week costs nothing.
"""

from __future__ import annotations

import html
import warnings
from collections.abc import Callable

import pandas as pd
import solara
from matplotlib.figure import Figure
from mesa.visualization.utils import update_counter

from .. import figures, metrics


def _plot(build: Callable[..., Figure], name: str):
    @solara.component
    def Plot(model):
        update_counter.get()  # re-render after every step SolaraViz takes
        key = [model, model.week]
        fig = solara.use_memo(lambda: build(model.history(), horizon=model.spec.weeks), key)
        return solara.FigureMatplotlib(fig, dependencies=key, format="png", dpi=90)

    Plot.__name__ = Plot.__qualname__ = name
    return Plot


OrdersPlot = _plot(figures.orders_figure, "OrdersPlot")
StockPlot = _plot(figures.stock_figure, "StockPlot")
CostPlot = _plot(figures.cost_figure, "CostPlot")


def _num(x: float, fmt: str) -> str:
    return "–" if pd.isna(x) else format(x, fmt)


def summary_html(history: pd.DataFrame, title: str = "") -> str:
    """Per-firm cost, bullwhip ratio, fill rate and peak order so far, as an HTML table.

    Plain HTML rather than Markdown: solara.Markdown loads Mermaid and KaTeX from the CDN.
    """
    head = f"<p><i>{html.escape(title)}</i></p>" if title else ""
    if history["week"].nunique() < 3:
        return head + "<p><b>Summary</b> appears after three weeks.</p>"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        table = metrics.summary(history)
    cells = "".join(
        f"<tr><td>{html.escape(str(r.firm))}</td><td>{r.cost:,.2f}</td><td>{_num(r.bullwhip, '.2f')}</td>"
        f"<td>{_num(r.fill_rate, '.1%')}</td><td>{r.peak_order:g} ({r.peak_week:g})</td></tr>"
        for r in table.itertuples())
    weeks = int(history["week"].max())
    return (f"{head}<p><b>Summary, weeks 1-{weeks}</b> (chain cost ${table['cost'].sum():,.2f})</p>"
            "<style>.chaingame-summary td, .chaingame-summary th {padding: 2px 10px}</style>"
            '<table class="chaingame-summary" style="border-collapse: collapse; text-align: right">'
            "<tr><th>firm</th><th>cost ($)</th><th>bullwhip</th><th>fill rate</th><th>peak order (week)</th></tr>"
            f"{cells}</table>"
            "<p><small>bullwhip: Var(orders placed) / Var(end-customer demand); – while demand has not "
            "varied. Fill rate: share of incoming orders shipped the week they arrived.</small></p>")


@solara.component
def SummaryTable(model):
    """The :func:`chaingame.metrics.summary` figures of the weeks played so far."""
    update_counter.get()
    text = solara.use_memo(lambda: summary_html(model.history(), model.spec.title), [model, model.week])
    solara.HTML(tag="div", unsafe_innerHTML=text, style="padding: 8px; font-size: 14px")


COMPONENTS = [OrdersPlot, StockPlot, CostPlot, SummaryTable]  # for SolaraViz(components=...)


@solara.component
def Dashboard(model):
    """The four views in a fixed two-by-two layout.

    SolaraViz lays ``components`` out with ``solara.GridDraggable``, which stays blank with
    ipyvue/ipyvuetify 3 (Solara 1.64 loads a Vue 2 build of vue-grid-layout there: "GlobalVue.use
    is not a function" in the browser); this layout uses plain rows and columns instead.
    """
    for note in getattr(model, "notes", ()):
        solara.Warning(note)
    with solara.Columns([1, 1]):
        OrdersPlot(model)
        StockPlot(model)
    with solara.Columns([1, 1]):
        CostPlot(model)
        SummaryTable(model)
