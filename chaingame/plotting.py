"""Figures of a run (matplotlib, no screen needed). Kept out of the model: the model makes data."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402


def bullwhip_figure(history: pd.DataFrame, title: str = ""):
    """Orders placed, inventory and backlog per firm over time (the classic bullwhip picture)."""
    firms = list(dict.fromkeys(history["firm"]))
    fig, axes = plt.subplots(3, 1, figsize=(9, 8.5), sharex=True, constrained_layout=True)
    wide = {c: history.pivot_table(index="week", columns="firm", values=c, sort=False)[firms]
            for c in ("order_placed", "inventory", "backlog")}
    demand = history.groupby("week")["customer_demand"].max()
    axes[0].step(demand.index, demand.values, where="mid", color="black", lw=2, ls="--", label="customer demand")
    for name, ax, label in zip(wide, axes, ("orders placed", "inventory on hand", "backlog")):
        for f in firms:
            ax.step(wide[name].index, wide[name][f], where="mid", lw=1.6, label=f)
        ax.set_ylabel(f"{label} (units)")
        ax.grid(alpha=0.3)
    axes[0].legend(ncol=3, fontsize=8, loc="upper left")
    axes[-1].set_xlabel("week")
    if title:
        axes[0].set_title(title)
    return fig


def save_bullwhip(history: pd.DataFrame, path: str | Path, title: str = "") -> Path:
    """Write :func:`bullwhip_figure` as a PNG."""
    fig = bullwhip_figure(history, title)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return Path(path)


def sweep_figure(summary: pd.DataFrame, x: str, y: str, title: str = "", level: float = 0.95,
                 connect: bool = True):
    """A metric against a swept parameter: per firm, the mean with its confidence interval.

    ``summary`` is :func:`chaingame.sweep.mean_ci`'s table (firm, x, n, mean, low, high).
    Numbers on the x axis are placed by value, anything else in order of first appearance.
    ``connect``: a line and a shaded band (a grid); else points with error bars (e.g. random
    samples, where neighbouring points differ in other parameters too).
    """
    fig, ax = plt.subplots(figsize=(8, 5), constrained_layout=True)
    numeric = pd.api.types.is_numeric_dtype(summary[x]) and not pd.api.types.is_bool_dtype(summary[x])
    labels = list(dict.fromkeys(summary[x].astype(str)))
    for firm, rows in summary.groupby("firm", sort=False):
        xs = rows[x].to_numpy(float) if numeric else [labels.index(v) for v in rows[x].astype(str)]
        if connect:
            line, = ax.plot(xs, rows["mean"], marker="o", ms=3.5, lw=1.6, label=firm)
            ax.fill_between(xs, rows["low"], rows["high"], color=line.get_color(), alpha=0.2, lw=0)
        else:
            err = [rows["mean"] - rows["low"], rows["high"] - rows["mean"]]
            ax.errorbar(xs, rows["mean"], yerr=err, fmt="o", ms=3.5, lw=1, capsize=2, label=firm)
    if not numeric:
        ax.set_xticks(range(len(labels)), labels, rotation=30 if max(map(len, labels)) > 6 else 0)
    ax.set_xlabel(x)
    ax.set_ylabel(f"{y} (mean, {level:.0%} CI)")
    ax.grid(alpha=0.3)
    if summary["firm"].nunique() > 1:
        ax.legend(fontsize=8, title="firm", title_fontsize=8)
    ax.set_title(title or f"{y} against {x}", fontsize=10)
    return fig


def save_sweep(summary: pd.DataFrame, path: str | Path, x: str, y: str, title: str = "",
               connect: bool = True) -> Path:
    """Write :func:`sweep_figure` (PNG, PDF or SVG by the file's extension)."""
    fig = sweep_figure(summary, x, y, title, connect=connect)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return Path(path)
