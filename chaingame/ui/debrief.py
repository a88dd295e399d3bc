"""The debrief (``/debrief?code=...``): what happened, for the class, after (or for the host, during) play.

Bullwhip chart of orders per firm beside the bots' chain on the same demand, inventory and backlog
per firm, cost per firm and team, the leaderboard and the ranking within each role; then why:
each seat's ordering rule in words, who paid for whose bullwhip, the best possible on this
demand, the players' guesses of customer demand against the truth, and the rounds side by side. The tables
are the service's :class:`~chaingame.classroom.Debrief`; players see it once the host has ended
the game (the service refuses before), the host at any time with its key.
"""

from __future__ import annotations

import html

import solara

from .. import figures
from ..classroom.views import Status
from . import charts
from .boxes import HTML, Column, Row, Text
from .browser import HOST_KEY, BrowserStore, host_keys
from .cash import CashResults
from .components import Error, Frame, Heading, Png, Table, fmt, money, plural
from .live import use_debrief
from .routes import DEBRIEF, query


@solara.component
def DebriefPage():
    """The debrief page, ``/debrief?code=...``: asks for a code if none is given."""
    code = query("code").strip().upper()
    stored, set_stored = solara.use_state(None)
    loaded, set_loaded = solara.use_state(False)
    typed, set_typed = solara.use_state("")
    router = solara.use_router()
    with Frame("Debrief"):
        BrowserStore.element(storage_key=HOST_KEY, shared=True, value=stored, on_value=set_stored, on_loaded=set_loaded)
        if not code:
            Heading("Debrief", 2)
            solara.InputText("Session code", value=typed, on_value=set_typed, continuous_update=True)
            solara.Button("Open", on_click=lambda: router.push(DEBRIEF.url(code=typed.strip().upper())),
                          disabled=not typed.strip(), color="primary")
        elif not loaded:
            Text("Loading…")
        else:
            Debrief(code, host_keys(stored).get(code))


@solara.component
def Debrief(code: str, key: str | None):
    """A session's debrief, followed live; with the host key ``key`` it shows while the game is still on."""
    version, data, error = use_debrief(code, key)
    if data is None:
        Error(error)
        return
    Heading(f"Debrief: {data.title}", 2)
    note = "" if data.status == Status.ENDED else " (the game is still on: the host's live view)"
    Text(f"session {data.code} · {data.status}{note} · costs compared over the {plural(data.weeks_compared, 'week')} "
         "every team has played", classes=["cg-muted"])
    if data.history.empty:
        Text(f"No week of round {data.round} has been played yet.")
    else:
        Results(data, version)
    Why(data)
    Reveal(data)
    Rounds(data)


@solara.component
def Results(data, version):
    """Leaderboard, cost, order and stock figures, rankings within each role and the bots' chain."""
    teams = sorted(int(t) for t in data.teams["team"])
    team, set_team = solara.use_state(None)  # None: the first team a person played in
    team = team if team in teams else first_human_team(data)
    stamp = (data.code, version)

    Heading("Leaderboard", 3)
    Table(["rank", "team", "players", "cost", "vs bots", "weeks played"],
          [(int(r.rank), int(r.team), r.players or "(bots)", money(r.cost), _signed(r.cost_vs_bots),
            int(r.weeks_played)) for r in data.teams.itertuples()], left=3, name="leaderboard")
    Heading("Cost per firm and team", 3)
    Png("costs", charts.cached_png((*stamp, "costs"), lambda: figures.cost_figure(
        _compared(data), title=f"Cost per firm and team over the {plural(data.weeks_compared, 'week')} every team has "
                               "played", size=SIZE)))
    Heading("The bullwhip: orders per firm", 3)
    if len(teams) > 1:
        with Row(style="align-items: center; flex-wrap: wrap"):
            HTML(tag="label", unsafe_innerHTML="Team shown in the charts below:",
                 attributes={"data-testid": "team-choice-label"})
            solara.ToggleButtonsSingle(value=team, values=teams, on_value=set_team)
    Png("orders", charts.cached_png((*stamp, team, "orders"), lambda: figures.orders_figure(
        orders_panels(data, team), horizon=data.weeks,
        title="Orders placed per firm against end-customer demand", size=SIZE)))
    Heading("Inventory and backlog per firm", 3)
    Png("stock", charts.cached_png((*stamp, team, "stock"), lambda: figures.stock_figure(
        _team(data, team), horizon=data.weeks, title=f"Team {team}: inventory and backlog per firm", size=SIZE)))
    CashResults(data, team, stamp)
    Heading("Ranking within each role", 3)
    firms = data.firms.sort_values(["firm", "rank_in_role"], key=lambda s: s.map(
        {f: i for i, f in enumerate(dict.fromkeys(data.firms["firm"]))}) if s.name == "firm" else s)
    Table(["firm", "role", "rank", "team", "players", "cost", "bullwhip", "fill rate", "peak order"],
          [(r.firm, r.role, f"{int(r.rank_in_role)} of {int(r.of_in_role)}", int(r.team), r.players or "(bots)",
            money(r.cost), fmt(r.bullwhip, 2), _pct(r.fill_rate), fmt(r.peak_order)) for r in firms.itertuples()],
          left=2, name="roles")
    Heading("The bots' chain on the same demand", 3)
    Table(["firm", "role", "cost", "bullwhip", "fill rate", "peak order"],
          [(r.firm, r.role, money(r.cost), fmt(r.bullwhip, 2), _pct(r.fill_rate), fmt(r.peak_order))
           for r in data.bots.itertuples()], left=2, name="bots")


SIZE = (9.0, 4.2)  # inches: the debrief's figures, at charts.DPI


def _team(data, team: int):
    """One team's rows of the debrief's history."""
    return data.history[data.history["team"] == team]


def first_human_team(data) -> int:
    """The team the debrief's charts open on: the first (by number) a person played in, else team 1's."""
    played = sorted(int(r.team) for r in data.teams.itertuples() if r.players)
    return played[0] if played else int(min(data.teams["team"]))


def orders_panels(data, team: int) -> dict:
    """The orders chart: the team's history and the bots' on the same demand, over the weeks the team played."""
    h, bots = _team(data, team), data.bot_history
    return {f"team {team}": h, "bots, same demand": bots[bots["week"] <= (h["week"].max() if len(h) else 0)]}


def _compared(data) -> dict:
    """Each team's history, then the bots', over the weeks every team has played (what the tables compare)."""
    h, bots = data.history, data.bot_history
    h = h[h["week"] <= data.weeks_compared]
    return {**{f"team {t}": h[h["team"] == t] for t in sorted(data.teams["team"])},
            "bots": bots[bots["week"] <= data.weeks_compared]}


def _signed(x: float) -> str:
    return f"+${x:,.2f}" if x > 0 else f"-${-x:,.2f}" if x < 0 else "$0.00"


def _pct(x) -> str:
    return "-" if x is None or x != x else f"{x:.0%}"


@solara.component
def Why(data):
    """Each ended team game: the rule each seat followed, who paid for whose bullwhip, the best possible."""
    if not data.insight:
        return
    Heading("Why each seat ordered as it did", 3)
    Text("The anchoring-and-adjustment rule (Sterman 1989) fitted to each seat's own orders, and what "
         "replacing one seat alone by Sterman's benchmark rule changes for everyone, on the very same "
         "customer demand.", classes=["cg-muted"])
    for i in data.insight:
        where = f"round {i.round} · team {i.team}" if len(data.demand) > 1 else f"team {i.team}"
        Heading(where.capitalize(), 4)
        with Column(gap="2px", classes=[f"cg-rules-{i.round}-{i.team}"]):
            for r in i.rules:
                who = f" ({r.players})" if r.players else " (bot)"
                HTML(tag="p", unsafe_innerHTML=f"<b>{html.escape(r.firm + who)}</b>: {html.escape(r.words)}",
                     attributes={"data-testid": f"rule-{i.round}-{i.team}-{r.firm}"}, style="margin: 0")
        m = i.externalities
        Text("Who paid for whose bullwhip: the cost change at each firm (columns) when one seat (rows) "
             "alone had played the benchmark rule; negative: that seat's rule cost them this much.",
             classes=["cg-muted"])
        Table(["seat replaced", *m.columns], [(f, *(_signed_or_dash(v) for v in row)) for f, row in m.iterrows()],
              name=f"externalities-{i.round}-{i.team}")
        HTML(tag="p", unsafe_innerHTML=html.escape(i.best),
             attributes={"data-testid": f"best-{i.round}-{i.team}"})


@solara.component
def Reveal(data):
    """The players' guesses of end-customer demand beside the truth."""
    if not data.demand:
        return
    Heading("What was customer demand?", 3)
    several = len(data.demand) > 1
    truth = "".join(f'<p><b>{f"Round {d.round}: " if several else "It was "}'
                    f"{html.escape(d.shape)}</b>: {html.escape(d.words)}.</p>" for d in data.demand)
    HTML(tag="div", unsafe_innerHTML=truth, attributes={"data-testid": "truth"})
    g = data.reveals
    if g is None or g.empty:
        Text("No guess given yet (players are asked on their page once their game is over).",
             classes=["cg-muted"])
        return
    Table(["round", "team", "firm", "player", "guessed shape", "guessed levels", "true shape"],
          [(int(r.round), int(r.team), r.firm, r.player, r.shape, r.numbers or "-", r.true_shape)
           for r in g.itertuples()], left=5, name="reveals")


@solara.component
def Rounds(data):
    """Rounds side by side: cost per firm and team, bullwhip per firm and the fitted β per seat."""
    r = data.rounds
    if r is None or r.empty or r["round"].nunique() < 2:
        return
    Heading("Rounds compared", 3)
    Table(["round", "changes", "team", "firm", "cost", "bullwhip", "fitted β"],
          [(int(x.round), x.changes, int(x.team), x.firm, money(x.cost), fmt(x.bullwhip, 2), fmt(x.beta, 2))
           for x in r.itertuples()], left=4, name="rounds")


def _signed_or_dash(x) -> str:
    return "-" if x != x else _signed(float(x))
