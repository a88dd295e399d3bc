"""The array engine: R replications of a scenario at once, vectorised over replications and firms.

It drives the same :class:`~chaingame.engine.Engine` (the same physics and the same rules) as
:class:`~chaingame.model.ChainModel`; replication r of ``simulate(sc, seed=s)`` gives exactly the
numbers of ``ChainModel(sc, seed=s, replication=r)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # the array engine needs numpy only; pandas loads with the tables
    import pandas as pd

from . import metrics, money
from .checks import number
from .engine import COLUMN_INDEX, COLUMNS, Engine
from .scenario import Scenario, load_scenario


@dataclass(frozen=True)
class Results:
    """What :func:`simulate` returns.

    Attributes:
        firms: one row per (replication, firm): cost, profit, bullwhip, fill_rate, peak_order, ...
        chain: one row per replication: cost, profit, fill_rate, max_bullwhip, latest_peak_week.
        history: tidy history, one row per (replication, week, firm), or None if not asked for.
    """

    firms: pd.DataFrame
    chain: pd.DataFrame
    history: pd.DataFrame | None = None


def run_arrays(scenario: Scenario, replications: int, seed: int | None, policies: Mapping | None = None,
               first_replication: int = 0) -> tuple[Engine, dict[str, np.ndarray]]:
    """Play the whole horizon; return the engine and every history column as a (W, F, R) array."""
    engine = Engine(scenario, replications, seed, policies, first_replication)
    engine.reuse_flows = True  # no past week's flows kept: each week's in the same arrays
    block = np.empty((len(COLUMNS), scenario.weeks, len(scenario.firms), engine.replications))
    engine.play(block, np.arange(len(COLUMNS), dtype=np.int64))  # each week's record into that week's rows
    return engine, dict(zip(COLUMNS, block))


def run_figures(scenario: Scenario, replications: int, seed: int | None, policies: Mapping | None = None,
                first_replication: int = 0, burn_in: int = 0) -> tuple[Engine, dict, dict]:
    """Play the whole horizon keeping only what the figures need.

    Returns the engine and the figures (per firm and per chain, as :func:`summary_arrays`).

    Weeks burn_in + 1 .. W of the :data:`~chaingame.metrics.WEEKLY` columns are kept, the
    :data:`~chaingame.metrics.SUMMED` ones are added up as the weeks go (the same bits as from
    the whole history, in a fraction of the memory: what sweeps and ``simulate`` without history run).
    Columns no week can make other than 0 (:func:`chaingame.money.idle`) are left at 0 and not computed.
    """
    engine = Engine(scenario, replications, seed, policies, first_replication)
    engine.reuse_flows = True  # no past week's flows kept: each week's in the same arrays
    F, R = len(scenario.firms), engine.replications
    idle = money.idle(engine.net)  # columns 0 all along: zeros, not written week by week
    shape = (scenario.weeks - burn_in, F, R)  # an idle column: one week of zeros seen as every week (read only)
    # the live weekly columns, each week's rows written in one call; the demand each firm sees is not recorded: its
    # variance comes from the end-customer demand drawn before the game (seen_demand_variance)
    live = [c for c in metrics.WEEKLY if c not in idle and c != "customer_demand"]
    block = np.empty((len(live), *shape))
    weekly = {c: block[live.index(c)] if c in live else np.broadcast_to(np.zeros(shape[1:]), shape)
              for c in metrics.WEEKLY if c != "customer_demand"}
    index = np.array([COLUMN_INDEX[c] for c in live], dtype=np.int64)
    totals = metrics.Totals((F, R), idle)
    played = engine.play(block, index, totals, burn_in, spread=(live.index("order_placed"),), peaks=(True,))
    spreads = [played[0] if played else None, (seen_demand_variance(engine, burn_in), None, None)]
    return engine, *figures(engine, weekly, totals.sums, burn_in, spreads)


def seen_demand_variance(engine: Engine, burn_in: int = 0) -> np.ndarray:
    """The variance over weeks burn_in + 1 .. W of the demand each firm sees, (F, R), from the end-customer demand.

    A firm's row of the record's ``customer_demand`` is :meth:`chaingame.chain.Network.seen_demand` of the week's
    end-customer demand. Where every firm sees one end customer's, that row is the customer's own: each one's
    variance is computed once (:func:`chaingame.metrics.variance`); else of the rows ``seen_demand`` makes.
    """
    net, demand = engine.net, np.asarray(engine.demand, dtype=float)[burn_in:]  # (W', C, R)
    offsets, members = net.seen_tables
    if np.array_equal(np.diff(offsets), np.ones(len(offsets) - 1)):  # each firm sees one end customer
        each = {c: metrics.variance(demand[:, c]) for c in dict.fromkeys(members.tolist())}
        return np.stack([each[c] for c in members.tolist()])
    return metrics.variance(net.seen_demand(np.moveaxis(demand, 1, 0)), axis=1)


def figures(engine: Engine, weekly: dict[str, np.ndarray], summed: dict[str, np.ndarray],
            burn_in: int = 0, spreads: list | None = None) -> tuple[dict, dict]:
    """Per-firm figures, (F, R) each, and the chain's, (R,) each, from weeks burn_in + 1 .. W.

    ``spreads``: the weeks' spreads of orders and demand already computed (:meth:`Engine.play`), or None.
    """
    weeks = np.arange(burn_in + 1, engine.scenario.weeks + 1)
    firm = metrics.firm_metrics(weekly, weeks, summed, spreads)
    retailer = np.array([f.role == "retailer" for f in engine.scenario.firms])
    return firm, metrics.chain_metrics(firm, summed, retailer, weekly)


def tidy(engine: Engine, cols: dict[str, np.ndarray], first_replication: int = 0) -> pd.DataFrame:
    """(W, F, R) columns as a tidy DataFrame: replication, week, firm, role, then :data:`COLUMNS`."""
    W, F, R = cols["cost"].shape
    sc = engine.scenario
    return _table({
        "replication": np.repeat(np.arange(first_replication, first_replication + R), W * F),
        "week": np.tile(np.repeat(np.arange(1, W + 1), F), R),
        "firm": _repeated_text(sc.firm_ids, W * R),
        "role": _repeated_text([f.role for f in sc.firms], W * R),
        **{c: cols[c].transpose(2, 0, 1).ravel() for c in COLUMNS},
    }, R * W * F)


def summary_arrays(engine: Engine, cols: dict[str, np.ndarray], burn_in: int = 0) -> tuple[dict, dict]:
    """Per-firm figures, (F, R) each, and the chain's, (R,) each, from (W, F, R) columns."""
    cols = {c: v[burn_in:] for c, v in cols.items()}  # weeks burn_in + 1 .. W (views, not copies)
    return figures(engine, cols, metrics.sums(cols), burn_in)


def frames(engine: Engine, fm: dict, cm: dict, first_replication: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The figures of :func:`figures` as tables: per (replication, firm), and per replication."""
    sc = engine.scenario
    F, R = fm["cost"].shape
    runs = np.arange(first_replication, first_replication + R)
    columns = {"replication": np.repeat(runs, F), "firm": _repeated_text(sc.firm_ids, R),
               "role": _repeated_text([f.role for f in sc.firms], R)}
    for name, v in fm.items():  # each replication's firms in order: the figure's (F, R) transposed
        columns[name] = np.empty((R, F))
        columns[name].T[...] = v
    return _table(columns, R * F), _table({"replication": runs, **cm}, R)


def _table(columns: dict, n: int) -> pd.DataFrame:
    """A DataFrame of ``columns`` (n values each), each column its own block, as it is (no copy).

    Through ``pandas.api.internals`` (pandas >= 3); else the DataFrame constructor.
    """
    import pandas as pd

    try:
        from pandas.api.internals import create_dataframe_from_blocks
    except ImportError:
        return pd.DataFrame({k: v.ravel() if isinstance(v, np.ndarray) else v for k, v in columns.items()})
    blocks = [(v.reshape(1, n) if isinstance(v, np.ndarray) else v, np.array([i]))
              for i, v in enumerate(columns.values())]
    return create_dataframe_from_blocks(blocks, pd.RangeIndex(n), pd.Index(list(columns)))


def _repeated_text(values, R: int):
    """``values`` R times over as a text column (pandas' ``str``), built from their bytes where pyarrow holds it."""
    import pyarrow as pa

    kind = _text_kind()
    if kind is None:
        import pandas as pd

        return pd.array(list(values), dtype="str").take(np.tile(np.arange(len(values)), R))
    encoded = [v.encode() for v in values]
    offsets = np.zeros(R * len(values) + 1, np.int64)
    np.cumsum(np.tile([len(b) for b in encoded], R), out=offsets[1:])
    text = pa.LargeStringArray.from_buffers(R * len(values), pa.py_buffer(offsets), pa.py_buffer(b"".join(encoded) * R))
    return type(kind)(text, dtype=kind.dtype)


@cache
def _text_kind():
    """An empty text array of pandas' ``str`` where pyarrow large strings hold it (pandas >= 3), else None."""
    import pandas as pd
    import pyarrow as pa

    kind = pd.array([], dtype="str")
    return kind if getattr(kind, "_pa_array", None) is not None and kind._pa_array.type == pa.large_string() else None


def simulate(scenario: Scenario | str, replications: int = 1, seed: int | None = None,
             policies: Mapping | None = None, *, history: bool = False, weeks: int | None = None,
             burn_in: int = 0, first_replication: int = 0) -> Results:
    """Run R replications of a scenario at once with the same physics and rules as ``ChainModel``.

    Args:
        scenario: a :class:`Scenario`, a bundled name or a ``.toml`` path.
        replications: R, independent demand draws (replication r uses ``SeedSequence(seed, spawn_key=(r,))``).
        seed: root seed (default: the scenario's).
        policies: rules replacing the scenario's, by firm id.
        history: also return the tidy weekly history (R x W x F rows).
        weeks: horizon replacing the scenario's.
        burn_in: weeks left out of the summary figures.
        first_replication: index of the first replication (for chunks of a larger batch).

    Returns:
        :class:`Results` with per-firm and per-chain figures (and the history if asked for).
    """
    sc = load_scenario(scenario)
    if weeks is not None:
        sc = sc.with_values({"weeks": weeks})
    burn_in = int(number(burn_in, "burn_in", low=0, high=sc.weeks - 2, integer=True))
    first = int(number(first_replication, "first_replication", low=0, integer=True))
    if not history:
        engine, fm, cm = run_figures(sc, replications, seed, policies, first, burn_in)
        return Results(*frames(engine, fm, cm, first))
    engine, cols = run_arrays(sc, replications, seed, policies, first)
    return Results(*frames(engine, *summary_arrays(engine, cols, burn_in), first), tidy(engine, cols, first))
