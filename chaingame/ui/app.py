"""The classroom web app: routes only (``SOLARA_APP=chaingame.ui.app``; ``chaingame play`` serves it).

Solara's routes are built from :data:`chaingame.ui.routes.PAGES`:

- ``/`` and ``/play``: a player joins with the session code and plays one firm;
- ``/host``: the host creates and runs a session;
- ``/debrief``: results, for everyone once the game has ended;
- ``/class``: every team's orders and fitted rules, for the teacher after play;
- ``/projector``: the join code, its QR code and each team's progress, for the projected screen (no key).
"""

from __future__ import annotations

import importlib
import os

import reacton.core
import solara

from . import boxes
from .routes import BAR, PAGES, Page

# Reacton's faster renderer (reacton >= 1.11, opt-in upstream, widgetti/reacton#49): a re-render
# skips every subtree whose element and state are unchanged, so a seat's week change costs the
# parts that changed, not the whole page (docs/classroom.md, *Speed*). Set here, in the app the
# server serves, not for every importer of chaingame.ui (a notebook keeps its own renderer); read
# when a page is first rendered; REACTON_FAST=0 in the environment keeps the classic renderer.
os.environ.setdefault("REACTON_FAST", "1")

# A component that draws several elements gets them wrapped in reacton's default container, which
# Solara sets to its Column component. The same Column widget without the component layer
# (chaingame.ui.boxes) makes each such wrapper one element fewer to render on every re-render:
# the same page in the browser, a cheaper week change.
reacton.core._default_container = boxes.Column

# Reacton updates a widget whose element is new by setting every argument again; the boxes on the way to a
# changed part (a Sheet's classes, style, elevation and children) then get each value they hold already,
# validated by traitlets to no effect: about three in four of a week change's trait sets. The same update,
# skipping a value the widget already holds (the same object, or an equal plain value of the same type:
# traitlets would change nothing and send nothing), sends the same messages.
_PLAIN = (str, int, float, bool, type(None))


def _set_prop(element, widget, name, value):
    held = widget._trait_values.get(name, _set_prop)
    if held is value or reacton.core._value_held(value, held):
        return
    if type(held) is type(value) and type(value) in _PLAIN and held == value:
        widget._trait_values[name] = value  # the very object, as a set would store: the next render sees it held
        return
    setattr(widget, name, value)


if hasattr(reacton.core, "_value_held") and hasattr(reacton.core.Element, "_update_widget_prop"):
    reacton.core.Element._update_widget_prop = _set_prop


@solara.component
def Layout(children: list = []):  # noqa: B006 (Solara's children convention)
    """No app bar or navigation tabs of Solara's own: each page draws its frame."""
    for child in children:
        solara.display(child)


def component(page: Page):
    """The component that draws ``page``."""
    return getattr(importlib.import_module(f"{__package__}.{page.module}"), page.component)


routes = [solara.Route(path=page.path, component=component(page), label=page.label,
                       layout=Layout if page.path == "/" else None) for page in PAGES]


@solara.component
def Root():
    """The page of the current route (what Solara's server renders; tests render this)."""
    route, _ = solara.use_route()
    if route is None or route.component is None:
        solara.Error("No such page: try " + ", ".join(f"{p.url()} ({p.label.lower()})" for p in BAR) + ".")
        return
    route.component()
