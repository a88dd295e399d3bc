"""A played classroom game as an :class:`~chaingame.insight.Record`: from its SQLite log or its export.

The log holds what a replay needs: the scenario table, the demand seed and every team's accepted
orders week by week (docs/classroom-data.md). Reading it here touches no live session (no
:class:`~chaingame.classroom.Classroom` is made, no timer moves), so a finished class can be
replayed from a copy of its database file.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pandas as pd

from ..checks import ScenarioError, show
from ..insight import Record, record
from ..scenario import Scenario, from_table
from .store import Store


def team_record(scenario: Scenario, seed: int, orders: dict[str, list[float]]) -> Record:
    """The record of one team: its orders of weeks 1..n, demand drawn from the session's seed."""
    return Record.from_orders(scenario, orders, seed=seed)


def session_record(db: str | Path, code: str | None = None, team: int = 1, round: int = 1) -> Record:
    """The record of ``team`` in ``round`` of session ``code`` in the classroom database ``db``.

    It covers the weeks every firm of the team has decided; ``code`` None: the database's only session.
    """
    path = Path(db)
    if not path.is_file():
        raise ScenarioError("db", f'"{path}" is not a file (allowed: a classroom database)')
    store = Store(path)
    try:
        sessions = {s["code"]: s for s in store.sessions()}
        if code is None:
            if len(sessions) != 1:
                raise ScenarioError("session", f"is missing (required: the database holds {len(sessions)} sessions: "
                                               f"{', '.join(sessions) or 'none'})")
            code = next(iter(sessions))
        code = str(code).strip().upper()
        if code not in sessions:
            raise ScenarioError("session", f"{show(code)} is not a session of this database (sessions: "
                                           f"{', '.join(sessions) or 'none'})")
        row = sessions[code]
        sc, seed = from_table(row["scenario_table"]), row["seed"]
        later = {r.round: r for r in store.rounds(code)}
        if round != 1:
            if round not in later:
                raise ScenarioError("round", f"{show(round)} is not a round of session {code} (allowed: 1 to "
                                             f"{max(later, default=1)})")
            sc, seed = from_table(later[round].scenario_table), later[round].seed
        teams = row["settings"]["teams"]
        if not isinstance(team, int) or isinstance(team, bool) or not 1 <= team <= teams:
            raise ScenarioError("team", f"{show(team)} is not a team of session {code} (allowed: 1 to {teams})")
        by_week: dict[int, dict[str, float]] = defaultdict(dict)
        for d in store.decisions(code):
            if d.team == team and d.round == round:
                by_week[d.week][d.firm] = d.order
    finally:
        store.close()
    weeks = 0
    while len(by_week.get(weeks + 1, ())) == len(sc.firm_ids):
        weeks += 1
    if weeks == 0:
        raise ScenarioError("team", f"{team} of session {code} has played no week (allowed: a team that played)")
    orders = {f: [by_week[w][f] for w in range(1, weeks + 1)] for f in sc.firm_ids}
    return team_record(sc, seed, orders)


def export_record(table: pd.DataFrame, scenario, team: int | None = None) -> Record:
    """The record of one team of a session export (CSV or Parquet, docs/classroom-data.md) on ``scenario``."""
    if "team" in table.columns:
        teams = sorted(int(t) for t in table["team"].unique())
        if team is None:
            if len(teams) != 1:
                raise ScenarioError("team", f"is missing (required: the export holds teams {teams})")
            team = teams[0]
        if team not in teams:
            raise ScenarioError("team", f"{show(team)} is not in the export (allowed: {', '.join(map(str, teams))})")
        table = table[table["team"] == team].drop(columns=[c for c in ("session", "team") if c in table.columns])
    return record(table.reset_index(drop=True), scenario)
