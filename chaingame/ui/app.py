"""The classroom web app: routes only (``SOLARA_APP=chaingame.ui.app``; ``chaingame play`` serves it).

- ``/`` and ``/play``: a player joins with the session code and plays one firm;
- ``/host``: the host creates and runs a session;
- ``/debrief``: results, for everyone once the game has ended.
"""

from __future__ import annotations

import solara

from .debrief import DebriefPage
from .host import HostPage
from .player import PlayPage


@solara.component
def Layout(children: list = []):  # noqa: B006 (Solara's children convention)
    """No app bar or navigation tabs of Solara's own: each page draws its frame."""
    for child in children:
        solara.display(child)


routes = [
    solara.Route(path="/", component=PlayPage, label="Play", layout=Layout),
    solara.Route(path="play", component=PlayPage, label="Play"),
    solara.Route(path="host", component=HostPage, label="Host"),
    solara.Route(path="debrief", component=DebriefPage, label="Debrief"),
]


@solara.component
def Root():
    """The page of the current route (what Solara's server renders; tests render this)."""
    route, _ = solara.use_route()
    if route is None or route.component is None:
        solara.Error("No such page: try / (play), /host or /debrief.")
        return
    route.component()
