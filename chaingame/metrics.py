"""Summary figures of a run, per firm and for the whole chain.

Definitions (computed once, on arrays shaped (W, F, R): weeks x firms x replications):

- ``cost``: total operating cost over the weeks ($; holding, backlog, lost sales, ordering,
  capacity, production). ``profit``: revenue − purchases − cost.
- ``bullwhip``: Var(orders placed) / Var(end-customer demand the firm serves), sample variances
  over the weeks (Lee, Padmanabhan & Whang 1997; Chen et al. 2000). NaN when demand is constant.
- ``fill_rate``: share of incoming orders shipped in the week they arrived, backlog served first
  (the type-2 or unit fill rate). NaN for a firm that received no orders.
- ``peak_order`` and ``peak_week``: the largest order placed and the first week it was placed.

Cash figures (the books of :mod:`chaingame.money`; days are 7 a week, means over the weeks):

- ``dio``: days of inventory, 7 × mean(on hand + raw) / mean(shipped); ``dso``: days of
  receivables, 7 × mean(receivables) / mean(revenue); ``dpo``: days of payables,
  7 × mean(payables) / mean(purchases) (NaN where the denominator is 0).
- ``cash_to_cash``: DIO + DSO − DPO, the days money is tied up between paying for goods and
  being paid for them (Farris & Hutchison 2002, Int. J. Physical Distribution & Logistics
  Management 32(4)).
- ``peak_working_capital``: the largest working capital of any week, stock (on hand, raw, under
  way) at its purchase price + receivables − payables ($): the money the firm's operations tie up
  at their peak. ``interest``: net interest paid over the weeks ($).

The chain's figures: total cost and profit, the retailers' fill rate, the largest bullwhip ratio
(upstream amplification; NaN when no firm has one), the largest order any firm placed and the
first week it was placed, and the week of the latest firm's peak (phase lag); the sum of the
firms' cash-to-cash cycles, the peak of the chain's total working capital and the interest paid.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

import numpy as np

from . import lazy
from .checks import number

if TYPE_CHECKING:  # the array functions need numpy only; pandas loads with the DataFrame ones
    import pandas as pd

FIRM_METRICS = ("cost", "profit", "bullwhip", "fill_rate", "peak_order", "peak_week",
                "mean_inventory", "mean_backlog", "order_sd",
                "dio", "dso", "dpo", "cash_to_cash", "peak_working_capital", "interest")
CHAIN_METRICS = ("cost", "profit", "fill_rate", "max_bullwhip", "peak_order", "peak_week", "latest_peak_week",
                 "cash_to_cash", "peak_working_capital", "interest")
CASH_METRICS = ("dio", "dso", "dpo", "cash_to_cash", "peak_working_capital", "interest")  # of a history with money
DAYS = 7  # days a week
# the history columns the figures are computed from: those needed week by week (variances, peaks),
# and those needed only as totals over the weeks (a run kept for its figures adds these as it goes)
WEEKLY = ("order_placed", "customer_demand", "working_capital")
SUMMED = ("incoming_order", "on_time", "cost", "profit", "inventory", "backlog",
          "raw", "shipped", "revenue", "purchases", "receivables", "payables", "interest")


def total(x: np.ndarray, axis: int = 0) -> np.ndarray:
    """Sum along ``axis``, adding the slices one after the other in their order.

    ``np.sum`` adds in an order that depends on the array's layout (pairwise, in blocks, when the
    summed axis is the inner loop, as with one replication), so a replication's figures would
    change in the last bit with the number of replications beside it; these do not.
    """
    x = np.moveaxis(np.asarray(x, dtype=float), axis, 0)
    out = x[0].copy()
    for part in x[1:]:
        out += part
    return out


def sums(cols: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The :data:`SUMMED` columns' totals over the weeks, (F, R) each, from (W, F, R) columns.

    Only those it has: a history written before the money columns has no cash figures.
    """
    return {c: total(cols[c]) for c in SUMMED if c in cols}


class Totals:
    """The :data:`SUMMED` columns added week by week as a run goes.

    The same additions in the same order as :func:`total` over the whole history, so the same bits, without
    keeping the weeks. The columns added are rows of one block (``block``), which the week's record adds to
    in one call (:func:`chaingame.engine.record`); :attr:`sums` holds every column, ``idle`` ones 0.
    """

    def __init__(self, shape: tuple[int, ...], idle: frozenset[str] = frozenset()):
        from .engine import COLUMN_INDEX

        self.columns = tuple(c for c in SUMMED if c not in idle)  # the columns added (``idle`` ones: 0 every week)
        self.index = np.array([COLUMN_INDEX[c] for c in self.columns], dtype=np.int64)  # their numbers in COLUMNS
        self.block = np.empty((len(self.columns), *shape))
        live = dict(zip(self.columns, self.block))
        zero = np.zeros(shape)  # the idle columns' totals: one array of zeros, read only
        zero.flags.writeable = False
        self.sums = {c: live[c] if c in live else zero for c in SUMMED}
        self.weeks = 0


def variance(x: np.ndarray, axis: int = 0) -> np.ndarray:
    """Sample variance (n − 1 in the denominator) along ``axis``, in the fixed order of :func:`total`.

    The weeks' mean is their :func:`total` / n, then the squared deviations are added week by week
    (:func:`chaingame.figurekernel.spread`); NaN for a single week.
    """
    return _spread(x, axis)[0]


def peaks(x: np.ndarray, axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The largest value along ``axis`` and the index of its first occurrence: ``x.max(axis)``, ``x.argmax(axis)``.

    NaN counts as the largest (as in numpy). Computed with the variance's pass (:func:`_spread`).
    """
    return _spread(x, axis, peaks=True)[1:]


def _spread(x: np.ndarray, axis: int = 0, peaks: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(variance, largest value, index of its first occurrence) along ``axis`` (the last two where ``peaks``)."""
    x = np.moveaxis(np.asarray(x, dtype=float), axis, 0)
    x[0]  # noqa: B018 - no weeks: numpy's IndexError, as total() gives
    W, shape = x.shape[0], x.shape[1:]
    flat = np.ascontiguousarray(x).reshape(W, -1)
    if not flat.flags.writeable:
        flat = flat.copy()
    n = flat.shape[1]
    mean, var = np.empty(n), np.empty(n)
    highest, at = (np.empty(n), np.empty(n, np.int64)) if peaks else (_NO_FLOATS, _NO_INTS)
    _figures().spread(flat, mean, var, peaks, highest, at)
    return var.reshape(shape), highest.reshape(shape) if peaks else None, at.reshape(shape) if peaks else None


_NO_FLOATS, _NO_INTS = np.zeros(0), np.zeros(0, np.int64)
_figures = partial(lazy.compiled, "figurekernel")  # the compiled figures, imported with the first figures


def bullwhip(orders: np.ndarray, demand: np.ndarray, axis: int = 0, orders_variance: np.ndarray | None = None,
             demand_variance: np.ndarray | None = None) -> np.ndarray:
    """Var(orders) / Var(demand) along ``axis`` (weeks); NaN where demand does not vary.

    ``orders_variance`` and ``demand_variance``, if given, are Var(orders) and Var(demand) already computed.
    """
    vd = variance(demand, axis) if demand_variance is None else demand_variance
    vo = variance(orders, axis) if orders_variance is None else orders_variance
    return _ratio(vo, vd, vd > 1e-12)


def _ratio(num: np.ndarray, den: np.ndarray, ok: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """The ratio num / den where ``ok``, NaN elsewhere: into a new array, or ``out`` (which may be ``num``)."""
    if out is None:
        out = np.empty(np.broadcast_shapes(np.shape(num), np.shape(den), np.shape(ok)))
    np.divide(num, den, out=out, where=ok)
    np.copyto(out, np.nan, where=~ok)
    return out


def firm_metrics(cols: dict[str, np.ndarray], weeks: np.ndarray, summed: dict[str, np.ndarray] | None = None,
                 spreads: tuple | None = None) -> dict[str, np.ndarray]:
    """Per-firm figures, (F, R) each, from history columns shaped (W, F, R) and week numbers (W,).

    ``cols`` needs the :data:`WEEKLY` columns, and the :data:`SUMMED` ones unless their totals
    over the same weeks are given as ``summed`` (:func:`sums`, :class:`Totals`). ``spreads``, if given, are the
    weeks' ``_spread`` of orders placed (with peaks; None: computed here) and of customer demand, already
    computed (:meth:`chaingame.engine.Engine.play`, :func:`chaingame.batch.seen_demand_variance`); then
    ``cols`` needs no ``customer_demand``.
    """
    summed = sums(cols) if summed is None else summed
    orders = cols["order_placed"]
    n = orders.shape[0]
    incoming = summed["incoming_order"]
    fill = _ratio(summed["on_time"], incoming, incoming > 0)
    given, demand_variance = (None, None) if spreads is None else (spreads[0], spreads[1][0])
    spread, highest, at = _spread(orders, peaks=True) if given is None else given
    cash = _cash_metrics(cols, summed) if "receivables" in summed and "working_capital" in cols else {}
    return {
        "cost": summed["cost"].copy(),
        "profit": summed["profit"].copy(),
        "bullwhip": bullwhip(orders, cols["customer_demand"] if demand_variance is None else None,
                             orders_variance=spread, demand_variance=demand_variance),
        "fill_rate": fill,
        "peak_order": highest,
        "peak_week": np.asarray(weeks)[at].astype(float),
        "mean_inventory": summed["inventory"] / n,
        "mean_backlog": summed["backlog"] / n,
        "order_sd": np.sqrt(spread),
        **cash,
    }


def _days(stock: np.ndarray, flow: np.ndarray) -> np.ndarray:
    """DAYS × stock / flow (totals over the same weeks, so their means' ratio); NaN where flow is 0."""
    days = np.multiply(stock, DAYS)
    return _ratio(days, flow, flow > 0, days)


def _cash_metrics(cols: dict[str, np.ndarray], summed: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Days of inventory, receivables and payables, the cash-to-cash cycle, peak working capital, interest."""
    dio = _days(summed["inventory"] + summed["raw"], summed["shipped"])
    dso = _days(summed["receivables"], summed["revenue"])
    dpo = _days(summed["payables"], summed["purchases"])
    dso[summed["receivables"] == 0] = 0.0  # nothing owed: no days of it, even without sales
    dpo[summed["payables"] == 0] = 0.0
    return {"dio": dio, "dso": dso, "dpo": dpo, "cash_to_cash": dio + dso - dpo,
            "peak_working_capital": _weekly_max(cols["working_capital"]), "interest": summed["interest"].copy()}


def _weekly_max(x: np.ndarray) -> np.ndarray:
    """``x.max(axis=0)``; of a column seen as the same week every week (an idle one, a stride of 0), that week."""
    return x[0].copy() if x.strides[0] == 0 else x.max(axis=0)


def chain_metrics(firm: dict[str, np.ndarray], summed: dict[str, np.ndarray], retailer: np.ndarray,
                  weekly: dict[str, np.ndarray] | None = None) -> dict:
    """Chain figures, (R,) each, from :func:`firm_metrics` and the :data:`SUMMED` totals (:func:`sums`).

    The cash figures too where ``weekly`` (the :data:`WEEKLY` columns) and the firm's cash figures are given.
    """
    inc = total(summed["incoming_order"][retailer])
    on_time = total(summed["on_time"][retailer])
    fill = _ratio(on_time, inc, inc > 0)
    ratios = firm["bullwhip"]
    none = np.isnan(ratios)
    largest = np.where(~none.all(axis=0), np.max(np.where(none, -np.inf, ratios), axis=0), np.nan)
    peak = firm["peak_order"].max(axis=0)
    peak_week = np.where(firm["peak_order"] == peak, firm["peak_week"], np.inf).min(axis=0)  # the first, if tied
    return {
        "cost": total(firm["cost"]),
        "profit": total(firm["profit"]),
        "fill_rate": fill,
        "max_bullwhip": largest,
        "peak_order": peak,
        "peak_week": peak_week,
        "latest_peak_week": firm["peak_week"].max(axis=0),
        **({} if weekly is None or "cash_to_cash" not in firm else {
            "cash_to_cash": total(firm["cash_to_cash"]),
            "peak_working_capital": _weekly_max(_firms_total(weekly["working_capital"])),
            "interest": total(firm["interest"]),
        }),
    }


def _firms_total(x: np.ndarray) -> np.ndarray:
    """:func:`total` over the firms of (W, F, R) weeks, (W, R); of an idle column (stride 0): one week, W times."""
    if x.strides[0] == 0:
        return np.broadcast_to(total(x[0]), (x.shape[0], *x.shape[2:]))
    return total(x, axis=1)


def to_arrays(history: pd.DataFrame, burn_in: int = 0) -> tuple[dict[str, np.ndarray], np.ndarray, list, list]:
    """History columns as (W, F, R) arrays (after dropping weeks <= burn_in), weeks, firms, runs.

    ``burn_in`` must leave two weeks (a variance needs two): 0 to the last week − 2, as in
    :func:`chaingame.batch.simulate`; otherwise :class:`~chaingame.checks.ScenarioError`.
    """
    import pandas as pd

    last = int(history["week"].max()) if len(history) else 0
    burn_in = number(burn_in, "burn_in", low=0, high=max(last - 2, 0), integer=True)
    h = history[history["week"] > burn_in]
    runs = sorted(h["replication"].unique()) if "replication" in h else [0]
    firms = list(dict.fromkeys(h["firm"]))
    weeks = np.sort(h["week"].unique())
    keys = ["replication", "week", "firm"] if "replication" in h else ["week", "firm"]
    order = pd.Categorical(h["firm"], categories=firms).codes
    h = h.assign(_f=order).sort_values([k if k != "firm" else "_f" for k in keys])
    W, F, R = len(weeks), len(firms), len(runs)
    cols = {c: h[c].to_numpy(float).reshape(R, W, F).transpose(1, 2, 0)
            for c in h.columns if c not in ("replication", "week", "firm", "role", "_f")
            and pd.api.types.is_numeric_dtype(h[c])}
    return cols, weeks, firms, runs


def summary(history: pd.DataFrame, burn_in: int = 0) -> pd.DataFrame:
    """Per-firm figures: one row per firm (and replication, if the history has several)."""
    import pandas as pd

    cols, weeks, firms, runs = to_arrays(history, burn_in)
    fm = firm_metrics(cols, weeks)
    roles = dict(zip(history["firm"], history["role"]))
    out = pd.DataFrame({
        "replication": np.repeat(runs, len(firms)),
        "firm": np.tile(firms, len(runs)),
        "role": [roles[f] for f in np.tile(firms, len(runs))],
        **{k: v.T.ravel() for k, v in fm.items()},
    })
    return out if "replication" in history else out.drop(columns="replication")


def chain_summary(history: pd.DataFrame, burn_in: int = 0) -> pd.DataFrame:
    """Chain figures: one row (per replication)."""
    import pandas as pd

    cols, weeks, firms, runs = to_arrays(history, burn_in)
    roles = dict(zip(history["firm"], history["role"]))
    retailer = np.array([roles[f] == "retailer" for f in firms])
    summed = sums(cols)
    cm = chain_metrics(firm_metrics(cols, weeks, summed), summed, retailer, cols)
    out = pd.DataFrame({"replication": runs, **cm})
    return out if "replication" in history else out.drop(columns="replication")
