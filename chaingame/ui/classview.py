"""The class view (``/class?code=...``): what the teacher projects after play.

Every team's orders in one chart, the spread of the fitted supply-line weight β across the class
(per round, beside Sterman's subjects and the benchmark), cost by role across teams, and the
rounds side by side. The data is the service's :class:`~chaingame.classroom.Debrief`: the host
sees it at any time with its key, everyone once the game has ended.
"""

from __future__ import annotations

import pandas as pd
import solara

from .. import figures
from . import charts
from .boxes import Text
from .browser import HOST_KEY, BrowserStore, host_keys
from .components import Error, Frame, Heading, Png, Table, money
from .live import use_debrief
from .routes import query

SIZE = (9.0, 4.2)  # inches: the class view's figures, at charts.DPI


@solara.component
def ClassPage():
    """The class view page, ``/class?code=...``: the host key is the one this browser keeps."""
    code = query("code").strip().upper()
    stored, set_stored = solara.use_state(None)
    loaded, set_loaded = solara.use_state(False)
    with Frame("Class view"):
        BrowserStore.element(storage_key=HOST_KEY, shared=True, value=stored, on_value=set_stored, on_loaded=set_loaded)
        if not code:
            Heading("Class view", 2)
            Text("Open it from the host page, or add ?code=CODE to the address.")
        elif not loaded:
            Text("Loading…")
        else:
            ClassView(code, host_keys(stored).get(code))


@solara.component
def ClassView(code: str, key: str | None):
    """Every team's orders, the spread of fitted β, cost by role and the rounds, for the projector."""
    version, data, error = use_debrief(code, key)
    shown, set_shown = solara.use_state(None)  # the round whose orders are shown (None: the latest)
    if data is None:
        Error(error)
        return
    h = data.all_history
    rounds = sorted(int(r) for r in h["round"].unique()) if len(h) else []
    shown = shown if shown in rounds else (rounds[-1] if rounds else data.round)
    stamp = (data.code, version, "class")
    Heading(f"Class view: {data.title}", 2)
    if not rounds:
        Text("No week has been played yet.")
        return
    Heading("Orders placed by every team", 3)
    if len(rounds) > 1:
        labels = {f"round {r}": r for r in rounds}  # a button says what it shows: "round 2", not "2"
        solara.ToggleButtonsSingle(value=f"round {shown}", values=list(labels),
                                   on_value=lambda label: set_shown(labels.get(label)), classes=["cg-rounds"])
    hr = h[h["round"] == shown]
    teams = {f"team {t}": hr[hr["team"] == t] for t in sorted(hr["team"].unique())}
    weeks = data.weeks if shown == data.round else int(hr["week"].max())
    Png("class-orders", charts.cached_png((*stamp, shown, "orders"), lambda: figures.class_orders_figure(
        teams, horizon=weeks, title=f"Round {shown}: orders per firm, every team, against end-customer demand")))
    Heading("How much of their supply line each seat counted", 3)
    betas = {f"round {r}": [x.beta for i in data.insight if i.round == r for x in i.rules if x.identified]
             for r in rounds}
    Png("class-beta", charts.cached_png((*stamp, "beta"), lambda: figures.beta_figure(betas, size=SIZE)))
    Heading("Cost by role across teams", 3)
    firm_rows = data.rounds[data.rounds["firm"] != "team"]
    costs = pd.DataFrame({"group": [f"round {r.round} · team {r.team}" if len(rounds) > 1 else f"team {r.team}"
                                    for r in firm_rows.itertuples()],
                          "firm": firm_rows["firm"].to_numpy(), "cost": firm_rows["cost"].to_numpy()})
    Png("class-costs", charts.cached_png((*stamp, "costs"), lambda: figures.role_cost_figure(costs, size=SIZE)))
    Heading("Rounds compared", 3)
    team_rows = data.rounds[data.rounds["firm"] == "team"]
    Table(["round", "changes", "team", "weeks", "team cost"],
          [(int(r.round), r.changes, int(r.team), int(r.weeks), money(r.cost)) for r in team_rows.itertuples()],
          left=2, name="class-rounds")
