"""The researcher view: a running :class:`~chaingame.model.ChainModel` in Mesa's ``SolaraViz``.

Run it with ``solara run chaingame/viz/app.py`` or ``python -m chaingame.viz``. The pieces:

- :mod:`chaingame.viz.params`: what the view lets a researcher set, and the model it builds;
- :mod:`chaingame.viz.components`: the Solara components SolaraViz lays out, drawing the
  figures of :mod:`chaingame.figures`;
- :mod:`chaingame.viz.app`: the page (wiring only).

Importing this package loads nothing: neither ``import chaingame`` nor the model import Solara.
SolaraViz keeps one model per server process, shared by every browser tab: a view for one
researcher, not a classroom.
"""
