"""The app's pages: where each lives, what the bar calls it, which module draws it.

:mod:`chaingame.ui.app` builds Solara's routes from :data:`PAGES`; pages link to each other
through :meth:`Page.url` and never import one another, so a new page is one module and one entry
here.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode

import solara


@dataclass(frozen=True)
class Page:
    """One route of the app."""

    path: str  # as solara.Route takes it: "/" for the root, else a name without slashes
    label: str  # the route's label and, in lower case, its link in the bar of every page
    module: str  # the module of chaingame.ui that draws it
    component: str  # the page component in that module

    def url(self, **query: str) -> str:
        """The page's address on this server, with ``query`` as its query string."""
        where = "/" if self.path == "/" else f"/{self.path}"
        # backslashreplace: a typed code holding a lone surrogate ('\ud800') is sent on as its escape, to be refused
        return f"{where}?{urlencode(query, errors='backslashreplace')}" if query else where


HOME = Page("/", "Play", "player", "PlayPage")  # the root: a player joins and plays one firm
PLAY = Page("play", "Play", "player", "PlayPage")
HOST = Page("host", "Host", "host", "HostPage")  # the host creates and runs a session
DEBRIEF = Page("debrief", "Debrief", "debrief", "DebriefPage")  # results, once the game has ended
CLASS = Page("class", "Class view", "classview", "ClassPage")  # the teacher's projected view of every team
PROJECTOR = Page("projector", "Projector", "projector", "ProjectorPage")  # join code, QR and progress; no key
PAGES = (HOME, PLAY, HOST, DEBRIEF, CLASS, PROJECTOR)
BAR = (HOME, HOST, DEBRIEF)  # the links in the bar of every page


def query(name: str) -> str:
    """A query-string parameter of the current page's address (``""`` when absent)."""
    return parse_qs(solara.use_router().search or "").get(name, [""])[0]
