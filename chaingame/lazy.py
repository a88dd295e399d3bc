"""The compiled modules, imported on first use: ``import chaingame`` (and ``chaingame --help``) loads no numba."""

from __future__ import annotations

import importlib
from types import ModuleType

_LOADED: dict[str, ModuleType] = {}


def compiled(name: str) -> ModuleType:
    """The module ``chaingame.<name>`` (``kernel``, ``bookkernel``, ...), imported on the first call."""
    module = _LOADED.get(name)
    if module is None:
        module = _LOADED[name] = importlib.import_module(f"{__package__}.{name}")
    return module
