"""The one classroom of this server process, shared by every page.

The classroom service (:mod:`chaingame.classroom`) is process-wide: every browser tab (a Solara
virtual kernel) reads the same object. ``chaingame play`` opens it before the web server starts
(:func:`chaingame.serve.open_classroom`); a page that finds none opens the database named by
``CHAINGAME_DB`` (so ``solara run chaingame.ui.app`` works too). Pages follow it with
:func:`chaingame.ui.components.use_live`.
"""

from __future__ import annotations

import logging
import os
import threading

log = logging.getLogger("chaingame.ui")

_lock = threading.Lock()
_classroom = None


def set_classroom(classroom) -> None:
    """Make ``classroom`` the one every page uses (``None`` forgets it)."""
    global _classroom
    with _lock:
        _classroom = classroom


def get_classroom():
    """The process-wide :class:`chaingame.classroom.Classroom`, opened on first use if needed."""
    global _classroom
    with _lock:
        if _classroom is None:
            from ..serve import default_db, open_classroom

            _classroom = open_classroom(os.environ.get("CHAINGAME_DB") or default_db(), register=False)
        return _classroom
