"""Solara's stand-in IPython shell without a ``MagicMock`` built for every message a page sends.

Inside a page's kernel context ``get_ipython()`` returns a new ``solara.server.patch.FakeIPython``
on every call, and ipywidgets calls it for every comm message (a click, a typed order, a
heartbeat). Its ``events`` attribute, which only matplotlib's pyplot uses, is a new
``unittest.mock.MagicMock`` each time: a py-spy profile of 30 teams submitting at once put about a
third of the server's time holding the GIL in ``mock``. :class:`Events` takes its place: it accepts
every call the mock accepted (``register``, ``unregister``, ``trigger``, any other name) and does
nothing, as the mock did. docs/classroom.md, Speed, *Less per submission*.
"""

from __future__ import annotations

import types


class Events:
    """IPython's event manager as the stand-in shell needs it: every method a no-op returning None."""

    def __getattr__(self, name: str):
        if name.startswith("__"):  # dunder lookups (copy, pickle) behave as on a plain object
            raise AttributeError(name)
        return _ignore


def _ignore(*args, **kwargs) -> None:
    return None


def install() -> bool:
    """Make Solara's ``FakeIPython`` use :class:`Events`; True if done, False (nothing changed) if not applicable.

    ``FakeIPython.__init__`` reads the module name ``mock`` when it runs, so giving
    ``solara.server.patch`` a ``mock`` whose ``MagicMock`` is :class:`Events` is the whole hook. A
    Solara whose ``FakeIPython`` no longer builds its events that way is left as it is.
    """
    from solara.server import patch

    init = patch.FakeIPython.__init__.__code__
    if not {"mock", "MagicMock", "events"} <= set(init.co_names) or getattr(patch, "mock", None) is None:
        return False
    patch.mock = types.SimpleNamespace(MagicMock=Events)
    return True
