"""The record of a session as tables: the tidy history (the export) and the debrief.

The tidy history is the decision log joined with the replayed state: one row per (round, team,
week, firm) of every week a team has played; the columns are documented in ``docs/classroom-data.md``.

The insight of a team's game (:func:`team_insight`: each seat's fitted rule, who paid for whose
bullwhip, the best possible on this demand) is computed once per ended game, outside the
session's lock, and kept here: every page that shows the debrief reads the same result.
"""

from __future__ import annotations

import io
import json
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import replace

import numpy as np
import pandas as pd

from .. import insight, metrics
from ..batch import run_arrays, tidy
from ..checks import ScenarioError
from ..engine import COLUMNS
from ..scenario import Scenario
from .game import TeamGame
from .records import team_record
from .views import RoundDemand, SeatRule, TeamInsight

KEYS = ("session", "round", "team", "week", "firm", "role")
DECISION = ("decided_by", "reason", "player", "order", "capacity_target")
TIMES = ("opened_at", "submitted_at", "response_seconds")
EXPORT_COLUMNS = (*KEYS, *DECISION, *COLUMNS, *TIMES)


def history(code: str, scenario: Scenario, teams: Mapping[int, TeamGame], round: int = 1) -> pd.DataFrame:
    """Every played week of every team of a round: keys, the decision, the engine's columns, the times."""
    rows: dict[str, list] = {c: [] for c in EXPORT_COLUMNS}
    roles = {f.id: f.role for f in scenario.firms}
    for t in sorted(teams):
        game = teams[t]
        for week, (rec, decided, opened) in enumerate(zip(game.records, game.log, game.opened), start=1):
            for i, firm in enumerate(game.firms):
                d = decided[firm]
                for key, value in (("session", code), ("round", round), ("team", t), ("week", week), ("firm", firm),
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
    for c in ("round", "team", "week"):
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


CASH_FIGURES = ("peak_working_capital", "cash_to_cash", "interest", "insolvent_weeks", "lowest_cash")


def cash_table(h: pd.DataFrame, bots: pd.DataFrame, weeks_compared: int) -> pd.DataFrame:
    """The cash figures per firm of each team and of the bots' chain (``chain``: "team 1", ..., "bots").

    Over ``weeks_compared``: peak working capital, cash-to-cash cycle (days) and interest paid
    (:mod:`chaingame.metrics`, Farris & Hutchison 2002), the weeks the firm was insolvent and its lowest cash.
    The cycle needs two weeks; it is NaN before.
    """
    rows = []
    chains = [(f"team {t}", h[h["team"] == t]) for t in sorted(h["team"].unique())] + [("bots", bots)]
    for name, ht in chains:
        ht = ht[ht["week"] <= weeks_compared]
        if ht.empty:
            continue
        cycle = {}
        if weeks_compared >= 2:
            summary = metrics.summary(ht[["week", "firm", "role", *COLUMNS]].reset_index(drop=True))
            cycle = dict(zip(summary["firm"], summary["cash_to_cash"], strict=True))
        for firm, hf in ht.groupby("firm", sort=False):
            rows.append({"chain": name, "firm": firm, "role": hf["role"].iloc[0],
                         "peak_working_capital": float(hf["working_capital"].max()),
                         "cash_to_cash": float(cycle.get(firm, np.nan)), "interest": float(hf["interest"].sum()),
                         "insolvent_weeks": int((hf["insolvent"] > 0).sum()), "lowest_cash": float(hf["cash"].min())})
    return pd.DataFrame(rows, columns=["chain", "firm", "role", *CASH_FIGURES])


# insight of an ended game -----------------------------------------------------------------------------
FIT_METHOD = "jacobian"  # Wald intervals: a tenth of the bootstrap's time, about the same coverage (docs/insight.md)
BEST_GENERATIONS = 40  # generations of best_sterman's search on a deterministic board (about a second)
_CACHE_SIZE = 256  # (session, round, team, weeks) insights kept
_cache: OrderedDict = OrderedDict()
_best: dict = {}  # (scenario table, seed) -> (label, policies): the same for every team of a round
_games: OrderedDict = OrderedDict()  # (scenario table, seed, orders, players) -> TeamInsight: teams that played alike
_best_cost: dict = {}  # (scenario table, seed, weeks, demand) -> (label, cost): every firm on the best rule
_cache_lock = threading.Lock()


def clear_cache() -> None:
    """Forget every insight computed in this process (a benchmark's cold start)."""
    with _cache_lock:
        for kept in (_cache, _best, _games, _best_cost):
            kept.clear()


def orders_of(game: TeamGame) -> dict[str, list[float]]:
    """Every firm's logged orders of the weeks the team has played."""
    return {f: [week[f].order for week in game.log] for f in game.firms}


def team_insight(code: str, round: int, team: int, scenario: Scenario, seed: int, orders: Mapping[str, list],
                 players: Mapping[str, str]) -> TeamInsight:
    """Fitted rule per seat, the externality matrix and the best possible for one team's game (cached).

    Teams that played the same game (the same orders on the same board and demand, the same players: bot
    teams alike) share one computation; each gets it under its own round and team.
    """
    weeks = len(next(iter(orders.values())))
    key = (code, round, team, weeks)
    game = (_board(scenario), seed, tuple((f, tuple(v)) for f, v in orders.items()), tuple(sorted(players.items())))
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
        alike = _games.get(game)
    if alike is None:
        result = _compute(round, team, scenario, seed, orders, players)
    else:
        result = replace(alike, round=round, team=team, rules=tuple(replace(r, team=team) for r in alike.rules),
                         externalities=alike.externalities.copy())
    with _cache_lock:
        _cache[key] = result
        _games[game] = result
        for kept in (_cache, _games):
            while len(kept) > _CACHE_SIZE:
                kept.popitem(last=False)
    return result


def _board(sc: Scenario) -> str:
    """The scenario as a key: its table, as JSON."""
    return json.dumps(sc.table, sort_keys=True, default=str)


def _compute(round, team, sc, seed, orders, players) -> TeamInsight:
    rec = team_record(sc, seed, dict(orders))
    played = insight.replay(rec)  # the team's own history (the replay identity)
    rules = []
    for f in sc.firms:
        fit = insight.fit_sterman(played, f.id, scenario=sc, method=FIT_METHOD)
        who = players.get(f.id, "")
        words = fit.describe()
        if not who:  # a bot seat: the rule read from the bot's orders
            words = words.replace("You ", "The bot ").replace("Your ", "Its ").replace("your ", "its ")
        rules.append(SeatRule(team, f.id, f.role, who, fit.identified, fit.theta, fit.alpha_s, fit.beta, fit.s_prime,
                              fit.r2, words))
    matrix = insight.externalities(rec)
    recorded = float(played["cost"].sum())
    label, best_cost = _best_on(rec, sc, seed)
    best = (f"{label} would have cost the team ${best_cost:,.2f} on this very demand over these {rec.weeks} weeks "
            f"(the team: ${recorded:,.2f}).")
    return TeamInsight(round, team, rec.weeks, tuple(rules), matrix, best, best_cost, recorded)


def _best_on(rec, sc: Scenario, seed: int) -> tuple[str, float]:
    """The best possible on the record's demand: what it is, and its team cost.

    Optimal echelon base stock on a stochastic serial board (Chen & Zheng 1994), else the best rule
    of Sterman's family found by search. Every firm plays it, so the cost depends on the board, the
    demand and the weeks only: computed once for every team of a round that played as many weeks.
    """
    key = (_board(sc), seed)
    played = (*key, rec.weeks, rec.demand.tobytes())
    with _cache_lock:
        done = _best_cost.get(played)
    if done is None:
        done = _best_of(rec, sc, seed, key)
        with _cache_lock:
            _best_cost[played] = done
            while len(_best_cost) > _CACHE_SIZE:
                _best_cost.pop(next(iter(_best_cost)))
    return done


def _best_of(rec, sc: Scenario, seed: int, key: tuple) -> tuple[str, float]:
    if any(p.random for p in sc.demand_processes()):
        try:
            b = insight.best_base_stock(rec)
            return "The optimal echelon base-stock levels", b.cost
        except ScenarioError:
            pass  # not a serial chain the base-stock solution covers: search Sterman's family instead
    with _cache_lock:
        found = _best.get(key)
    if found is None:
        found = insight.best_sterman(sc, seed=seed, generations=BEST_GENERATIONS).policies
        with _cache_lock:
            _best[key] = found
    return "The best rule of Sterman's family found", float(insight.replay(rec, found)["cost"].sum())


# rounds, demand and the reveal ----------------------------------------------------------------------
def describe_changes(changes: Mapping) -> str:
    """What a round changed, in words: ``information = pos, links.*.shipping_delay = 1``."""
    return ", ".join(f"{k} = {v}" for k, v in changes.items()) or "no change"


def round_demand(round: int, scenario: Scenario, seed: int) -> RoundDemand:
    """The end-customer demand of a round (the first retailer's), its shape and a description."""
    rec = insight.Record.from_orders(scenario, {f: [0.0] * scenario.weeks for f in scenario.firm_ids}, seed=seed)
    d = tuple(float(x) for x in rec.demand[:, 0])
    return RoundDemand(round, d, demand_shape(d), demand_words(d))


def _runs(d) -> list[tuple[float, int, int]]:
    runs = []
    for w, x in enumerate(d, start=1):
        if runs and runs[-1][0] == x:
            runs[-1] = (x, runs[-1][1], w)
        else:
            runs.append((x, w, w))
    return runs


def demand_shape(d) -> str:
    """One of :data:`~chaingame.classroom.views.SHAPES` for a demand series.

    Few steady runs are flat or steps; else a trend or random.
    """
    runs = _runs(d)
    if len(runs) == 1:
        return "flat"
    if len(runs) <= 3:
        return "step up" if runs[-1][0] > runs[0][0] else "step down"
    slope = np.polyfit(np.arange(len(d)), np.asarray(d, float), 1)[0] * len(d)
    return "rising" if slope > np.std(d) else "falling" if slope < -np.std(d) else "random"


def demand_words(d) -> str:
    """The demand in words: runs when few ("4 a week in weeks 1-4, then 8"), else its mean and range."""
    runs = _runs(d)
    if len(runs) <= 4:
        return ", then ".join(f"{x:g} a week in weeks {a}-{b}" if a != b else f"{x:g} in week {a}" for x, a, b in runs)
    return f"{np.mean(d):.1f} a week on average, from {min(d):g} to {max(d):g}"


def reveal_table(reveals, demand: Mapping[int, RoundDemand]) -> pd.DataFrame:
    """Each guess beside the truth of its round."""
    rows = [{"round": r.round, "team": r.team, "firm": r.firm, "player": r.player, "shape": r.shape,
             "numbers": ", ".join(f"{x:g}" for x in r.numbers), "true_shape": demand[r.round].shape,
             "truth": demand[r.round].words} for r in reveals]
    return pd.DataFrame(rows, columns=["round", "team", "firm", "player", "shape", "numbers", "true_shape", "truth"])


def round_table(all_history: pd.DataFrame, insights, changes: Mapping[int, str]) -> pd.DataFrame:
    """One row per (round, team, firm, and the team as a whole): cost, bullwhip and fitted β."""
    beta = {(i.round, i.team, r.firm): (r.beta if r.identified else np.nan) for i in insights for r in i.rules}
    rows = []
    for (rnd, team), h in all_history.groupby(["round", "team"], sort=True):
        weeks = int(h["week"].max())
        figures = _figures(h.reset_index(drop=True), weeks)
        for firm, f in figures.items():
            rows.append({"round": rnd, "changes": changes.get(rnd, ""), "team": team, "firm": firm,
                         "cost": f["cost"], "bullwhip": f.get("bullwhip", np.nan),
                         "beta": beta.get((rnd, team, firm), np.nan), "weeks": weeks})
        rows.append({"round": rnd, "changes": changes.get(rnd, ""), "team": team, "firm": "team",
                     "cost": float(h["cost"].sum()), "bullwhip": np.nan, "beta": np.nan, "weeks": weeks})
    out = pd.DataFrame(rows, columns=["round", "changes", "team", "firm", "cost", "bullwhip", "beta", "weeks"])
    order = {f: i for i, f in enumerate(dict.fromkeys([*all_history["firm"], "team"]))}
    return out.sort_values(["round", "team", "firm"], key=lambda c: c.map(order) if c.name == "firm" else c,
                           ignore_index=True)
