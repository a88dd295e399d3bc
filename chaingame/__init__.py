"""chaingame: an agent-based multi-firm value-chain game in the beer-game tradition.

The physics (:mod:`chaingame.chain`), the rules (:mod:`chaingame.policies`) and the scenario
schema (:mod:`chaingame.scenario`) need numpy only; Mesa, pandas and the web app load when used.
"""

from importlib import import_module

__version__ = "0.1.0"

_LAZY = {
    "ChainModel": ("chaingame.model", "ChainModel"),
    "Engine": ("chaingame.engine", "Engine"),
    "COLUMNS": ("chaingame.engine", "COLUMNS"),
    "simulate": ("chaingame.batch", "simulate"),
    "compare": ("chaingame.paired", "compare"),
    "component_history": ("chaingame.components", "component_history"),
    "Scenario": ("chaingame.scenario", "Scenario"),
    "load_scenario": ("chaingame.scenario", "load_scenario"),
    "from_table": ("chaingame.scenario", "from_table"),
    "ScenarioError": ("chaingame.checks", "ScenarioError"),
    "policies": ("chaingame.policies", None),
    "metrics": ("chaingame.metrics", None),
    "insight": ("chaingame.insight", None),
}

__all__ = sorted(_LAZY)


def _on_first_use(space: dict, names: dict[str, tuple[str, str | None]]):
    """A package's ``__getattr__`` and ``__dir__`` (PEP 562) giving ``names`` when first used, then kept.

    ``space``: the package's globals; ``names[name]``: (module, its attribute), or (module, None) for the module.
    """
    package = space["__name__"]

    def __getattr__(name):
        if name not in names:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module, attr = names[name]
        value = import_module(module) if attr is None else getattr(import_module(module), attr)
        space[name] = value
        return value

    def __dir__():
        return sorted([*space, *names])

    return __getattr__, __dir__


__getattr__, __dir__ = _on_first_use(globals(), _LAZY)
