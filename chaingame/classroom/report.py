"""The record of a session as tables: the tidy history (the export) and the debrief.

The tidy history is the decision log joined with the replayed state: one row per (team, week,
firm) of every week a team has played; the columns are documented in ``docs/classroom-data.md``.
"""

from __future__ import annotations

import io
from collections.abc import Mapping

import numpy as np
import pandas as pd

from .. import metrics
from ..batch import run_arrays, tidy
from ..engine import COLUMNS
from ..scenario import Scenario
from .game import TeamGame

KEYS = ("session", "team", "week", "firm", "role")
DECISION = ("decided_by", "reason", "player", "order", "capacity_target")
TIMES = ("opened_at", "submitted_at", "response_seconds")
EXPORT_COLUMNS = (*KEYS, *DECISION, *COLUMNS, *TIMES)


def history(code: str, scenario: Scenario, teams: Mapping[int, TeamGame]) -> pd.DataFrame:
    """Every played week of every team: keys, the decision, the engine's columns, the times."""
    rows: dict[str, list] = {c: [] for c in EXPORT_COLUMNS}
    roles = {f.id: f.role for f in scenario.firms}
    for t in sorted(teams):
        game = teams[t]
        for week, (rec, decided, opened) in enumerate(zip(game.records, game.log, game.opened), start=1):
            for i, firm in enumerate(game.firms):
                d = decided[firm]
                for key, value in (("session", code), ("team", t), ("week", week), ("firm", firm),
                                   ("role", roles[firm]), ("decided_by", d.decided_by), ("reason", d.reason),
                                   ("player", d.player), ("order", d.order),
                                   ("capacity_target", np.nan if d.capacity is None else d.capacity),
                                   ("opened_at", np.nan if opened is None else opened),
                                   ("submitted_at", d.submitted_at),
                                   ("response_seconds", np.nan if opened is None else d.submitted_at - opened)):
                    rows[key].append(value)
                for c in COLUMNS:
                    rows[c].append(float(rec[c][i]))
    out = pd.DataFrame(rows, columns=list(EXPORT_COLUMNS))
    for c in ("team", "week"):
        out[c] = out[c].astype("int64")
    for c in ("session", "firm", "role", "decided_by", "reason", "player"):
        out[c] = out[c].astype(object)
    float_cols = [c for c in EXPORT_COLUMNS if c not in KEYS and c not in ("decided_by", "reason", "player")]
    out[float_cols] = out[float_cols].astype("float64")
    return out


def export_bytes(table: pd.DataFrame, fmt: str) -> bytes:
    """The history as CSV (UTF-8, header row) or Parquet bytes."""
    if fmt == "csv":
        return table.to_csv(index=False).encode("utf-8")
    buf = io.BytesIO()
    table.to_parquet(buf, index=False, engine="pyarrow")
    return buf.getvalue()


def bot_game(scenario: Scenario, seed: int, policies: Mapping | None) -> pd.DataFrame:
    """The same chain played by the bots alone on the same demand (same seed): tidy, whole horizon."""
    engine, cols = run_arrays(scenario, 1, seed, policies)
    return tidy(engine, cols).drop(columns="replication")


def tables(h: pd.DataFrame, bots: pd.DataFrame, scenario: Scenario, weeks_compared: int,
           weeks_played: Mapping[int, int]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Per-firm results with ranks, the team leaderboard and the bots' results, over ``weeks_compared``."""
    firm_order = list(scenario.firm_ids)
    roles = {f.id: f.role for f in scenario.firms}
    hc = h[h["week"] <= weeks_compared]
    firm_rows = []
    for t in sorted(weeks_played):
        ht = hc[hc["team"] == t]
        figures = _figures(ht, weeks_compared)
        zero = {"cost": 0.0, "profit": 0.0}  # nothing played yet
        for firm in firm_order:
            hf = ht[ht["firm"] == firm]
            humans = hf.loc[hf["decided_by"] == "human", "player"].dropna()
            firm_rows.append({"team": t, "firm": firm, "role": roles[firm],
                              "players": ", ".join(dict.fromkeys(humans)),
                              "human_weeks": int(len(humans)),
                              **figures.get(firm, zero)})
    firms = pd.DataFrame(firm_rows, columns=["team", "firm", "role", "players", "human_weeks", *_FIGURES])
    if len(firms):
        firms["rank_in_role"] = firms.groupby("firm")["cost"].rank(method="min").astype("int64")
        firms["of_in_role"] = firms.groupby("firm")["cost"].transform("size").astype("int64")
    else:
        firms["rank_in_role"] = firms["of_in_role"] = pd.Series(dtype="int64")

    bc = bots[bots["week"] <= weeks_compared]
    bot_figures = _figures(bc, weeks_compared)
    bot_rows = [{"firm": f, "role": roles[f], **bot_figures.get(f, {"cost": 0.0, "profit": 0.0})} for f in firm_order]
    bot_chain = float(bc["cost"].sum())
    bot_rows.append({"firm": "chain", "role": "", "cost": bot_chain, "profit": float(bc["profit"].sum())})
    bot_table = pd.DataFrame(bot_rows, columns=["firm", "role", *_FIGURES])

    team_rows = []
    for t, played in sorted(weeks_played.items()):
        ht = h[h["team"] == t]
        cost = float(ht.loc[ht["week"] <= weeks_compared, "cost"].sum())
        humans = ht.loc[ht["decided_by"] == "human", "player"].dropna()
        team_rows.append({"team": t, "cost": cost, "cost_vs_bots": cost - bot_chain,
                          "profit": float(ht.loc[ht["week"] <= weeks_compared, "profit"].sum()),
                          "weeks_played": played, "cost_all_weeks": float(ht["cost"].sum()),
                          "players": ", ".join(dict.fromkeys(humans))})
    teams = pd.DataFrame(team_rows, columns=["team", "cost", "cost_vs_bots", "profit", "weeks_played",
                                             "cost_all_weeks", "players"])
    rank = teams["cost"].rank(method="min").astype("int64") if len(teams) else pd.Series(dtype="int64")
    teams.insert(0, "rank", rank)
    teams = teams.sort_values(["rank", "team"]).reset_index(drop=True)
    return firms, teams, bot_table


_FIGURES = ("cost", "profit", "bullwhip", "fill_rate", "peak_order", "peak_week", "mean_inventory", "mean_backlog")


def _figures(h: pd.DataFrame, weeks: int) -> dict[str, dict[str, float]]:
    """Cost and profit per firm; bullwhip, fill rate and peaks too when two weeks or more were played."""
    if h.empty:
        return {}
    if weeks < 1:
        return {f: {"cost": 0.0, "profit": 0.0} for f in h["firm"].unique()}
    if weeks < 2:
        sums = h.groupby("firm")[["cost", "profit"]].sum()
        return {f: {"cost": float(r.cost), "profit": float(r.profit)} for f, r in sums.iterrows()}
    summary = metrics.summary(h[["week", "firm", "role", *COLUMNS]].reset_index(drop=True))
    return {r["firm"]: {k: float(r[k]) for k in _FIGURES} for _, r in summary.iterrows()}
