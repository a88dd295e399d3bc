"""What the researcher view lets you set, and the model it builds from those settings.

Mesa's ``SolaraViz`` rebuilds the model on Reset as ``type(model)(**settings)``. It also adds
``scenario=mesa.experimental.scenarios.Scenario()`` to those keywords whenever the model's
``__init__`` accepts a ``scenario`` keyword (``_build_model_init_kwargs`` in Mesa 3.5), which
would replace the chosen chaingame scenario with Mesa's. :class:`ViewModel` therefore takes the
scenario as ``scenario_name``; it is a :class:`~chaingame.model.ChainModel` in every other way.
No Solara import here: the settings are plain dicts in SolaraViz's format.
"""

from __future__ import annotations

from ..checks import ScenarioError, show
from ..model import ChainModel
from ..scenario import bundled


class ViewModel(ChainModel):
    """A :class:`ChainModel` built from the view's settings.

    A seed that is not a whole number cannot stop the page: the run uses the scenario's seed and
    says so in :attr:`notes`, which the view shows above the plots.

    Args:
        scenario_name: a bundled scenario (``chaingame scenarios`` lists them) or a ``.toml`` path.
        seed: demand seed as typed ("" or blank: the scenario's own seed).
        weeks: horizon in weeks (0: the scenario's own horizon).
    """

    def __init__(self, scenario_name: str = "classic", seed: str | int | None = "", weeks: int = 0):
        notes = []
        try:
            value = parse_seed(seed)
        except ScenarioError as e:
            value = None
            notes.append(f"{e}; this run uses the scenario's seed")
        super().__init__(scenario_name, seed=value, weeks=int(weeks) or None)
        self.notes: tuple[str, ...] = tuple(notes)


def parse_seed(text: str | int | None) -> int | None:
    """A seed typed in a text box: blank means the scenario's seed, else a whole number >= 0."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    try:
        value = int(str(text).strip())
    except ValueError:
        raise ScenarioError("seed", f"{show(text)} is not a whole number (allowed: blank or 0, 1, 2, ...)") from None
    if value < 0:
        raise ScenarioError("seed", f"{value} is below 0 (allowed: blank or 0, 1, 2, ...)")
    return value


# Horizons offered (weeks; 0: the scenario's). A list, not a slider: every one fits every bundled
# scenario, while a horizon of a few weeks can end before a scenario's demand step or fixed orders.
WEEKS = (0, 12, 24, 36, 48, 52, 104, 156)


def model_params(default: str = "classic") -> dict:
    """SolaraViz's ``model_params``: a scenario chooser, the seed and the horizon (used on Reset)."""
    names = list(bundled())
    return {
        "scenario_name": {"type": "Select", "value": default, "values": names,
                          "label": "Scenario (settings apply on Reset)"},
        "seed": {"type": "InputText", "value": "", "label": "Seed (blank: the scenario's)"},
        "weeks": {"type": "Select", "value": 0, "values": list(WEEKS), "label": "Weeks (0: the scenario's horizon)"},
    }
