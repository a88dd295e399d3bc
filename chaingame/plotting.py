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
