"""The researcher view: ``solara run chaingame/viz/app.py`` (or ``python -m chaingame.viz``).

Wiring only. Mesa's ``SolaraViz`` provides the app bar, the controls (Reset, play/pause, Step,
play and render intervals) and the settings form, and builds a new
:class:`~chaingame.viz.params.ViewModel` on Reset; :func:`~chaingame.viz.components.Dashboard`
draws the run beside them. The plots are not handed to SolaraViz as ``components``: it would lay
them out with ``solara.GridDraggable``, which stays blank under ipyvue/ipyvuetify 3.

Each browser tab (and each reload) plays its own run, held in a per-tab reactive value. The view
is for one researcher: runs live in the server's memory and nothing is saved.
"""

import solara
from mesa.visualization import SolaraViz

from chaingame.viz.components import Dashboard
from chaingame.viz.params import ViewModel, model_params

PLAY_INTERVAL = 150  # ms between weeks while playing (plus ~0.3 s to redraw the plots)


@solara.component
def Page():
    """The researcher view: Mesa's SolaraViz (starting on the classic scenario) above the four-view dashboard."""
    first = solara.use_memo(lambda: ViewModel("classic"), [])
    model = solara.use_reactive(first)  # SolaraViz's Reset replaces model.value
    SolaraViz(model, components=[], model_params=model_params("classic"), name="chaingame: researcher view",
              play_interval=PLAY_INTERVAL)
    Dashboard(model.value)
