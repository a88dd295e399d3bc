"""Reading a sweep table back: :func:`read_table`, its columns, and means with confidence intervals."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pandas loads in read_table, once the path has been checked (a bad one is reported at once)
    import pandas as pd

from ..checks import ScenarioError, show
from .spec import METRICS
from .worker import CHAIN

ID_COLUMNS = ("combination", "replication", "seed", "firm")
OUT_FORMATS = (".parquet", ".csv")  # the files a sweep table is written to and read from


def read_table(path: str | Path, label: str = "results") -> pd.DataFrame:
    """A sweep table written by :func:`~chaingame.sweep.run_sweep` (``.parquet`` or ``.csv``)."""
    path = Path(path)
    if path.suffix.lower() not in OUT_FORMATS:
        raise ScenarioError(label, f"{show(str(path))} ends in {show(path.suffix or 'nothing')} (allowed: "
                                   f"{' or '.join(OUT_FORMATS)})")
    if not path.is_file():
        raise ScenarioError(label, f"{show(str(path))} is not an existing file")
    import pandas as pd

    try:
        df = pd.read_csv(path) if path.suffix.lower() == ".csv" else pd.read_parquet(path)
    except (ValueError, OSError, UnicodeDecodeError, pd.errors.ParserError) as e:
        reason = " ".join(str(e).split())
        reason = reason if len(reason) <= 160 else reason[:157].rsplit(" ", 1)[0] + " ..."
        raise ScenarioError(label, f"{show(str(path))} cannot be read ({reason})") from None
    missing = [c for c in ID_COLUMNS if c not in df.columns]
    if missing:
        raise ScenarioError(label, f"{show(str(path))} is not a sweep table (no column {', '.join(missing)})")
    return df


def parameters_of(df: pd.DataFrame) -> list[str]:
    """The parameter columns of a sweep table (every column but the ids and the metrics)."""
    return [c for c in df.columns if c not in ID_COLUMNS and c not in METRICS]


def metrics_of(df: pd.DataFrame) -> list[str]:
    """The metric columns of a results table, in table order."""
    return [c for c in df.columns if c in METRICS]


def mean_ci(df: pd.DataFrame, x: str, y: str, firms: Sequence[str] | None = None,
            level: float = 0.95, by: str | None = None) -> pd.DataFrame:
    """Mean of ``y`` with its ``level`` confidence interval, per firm, value of ``by`` and value of ``x``.

    The interval is mean ± t(level, n−1)·s/√n over the rows of each (firm, by, x) (Student's t).
    Rows of any other parameter's values would be pooled: :func:`pooled` names those parameters,
    to be fixed first (``chaingame plot`` refuses to pool). NaN values of ``y`` are left out.

    Returns:
        columns firm, [by,] x, n, mean, sd, low, high; firms in the given order, by and x sorted.
    """
    firms = list(firms) if firms is not None else default_firms(df, y)
    rows = df[df["firm"].isin(firms)]
    keys = ["firm", *([by] if by else []), x]
    g = rows.dropna(subset=[y]).groupby(keys, sort=False)[y]
    s = g.agg(["count", "mean", "std"]).reset_index().rename(columns={"count": "n", "std": "sd"})
    from scipy.stats import t as student_t  # here, not at the top: only a plot needs it

    n = s["n"].to_numpy()
    dof = np.where(n > 1, n - 1, 1)
    half = np.where(n > 1, student_t.ppf(0.5 + level / 2, dof), np.nan) * s["sd"].to_numpy() / np.sqrt(n)
    s["low"], s["high"] = s["mean"] - half, s["mean"] + half
    s["_f"] = s["firm"].map({f: i for i, f in enumerate(firms)})
    return s.sort_values(["_f", *keys[1:]], kind="stable").drop(columns="_f").reset_index(drop=True)


def pooled(df: pd.DataFrame, keys: Sequence[str]) -> dict[str, int]:
    """The parameters that take several values among rows sharing the ``keys`` (and firm), with the most values.

    An interval over such rows would mix the replications of different combinations: n would count
    runs of other treatments, and the spread would include their differences.
    """
    groups = df.groupby(["firm", *keys], sort=False, dropna=False)
    out = {}
    for p in parameters_of(df):
        if p not in keys:
            most = int(groups[p].nunique(dropna=False).max()) if len(df) else 0
            if most > 1:
                out[p] = most
    return out


def default_firms(df: pd.DataFrame, y: str) -> list[str]:
    """Which rows a metric is read from: every firm that has it, else the chain."""
    firms = list(dict.fromkeys(df.loc[df[y].notna(), "firm"]))
    real = [f for f in firms if f != CHAIN]
    return real or firms
