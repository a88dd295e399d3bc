"""The classroom of this server process: opened once, shared by every page, closed at shutdown.

The classroom service is process-wide: every browser tab (a Solara virtual kernel) reads the same
object, and SQLite is its durable log, so a classroom server is one process with one worker.
``chaingame play`` opens it (:func:`open_classroom`) before the web server starts; a page that
finds none opens the database named by ``CHAINGAME_DB``, else :func:`default_db`, with the teacher
password of ``CHAINGAME_TEACHER_PASSWORD`` if set (so ``solara run chaingame.ui.app`` works too).
``Classroom.close()`` stops its ticker.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from .service import Classroom

_lock = threading.Lock()
_current: Classroom | None = None


def default_db() -> Path:
    """The classroom database when ``--db`` is not given: a file in the user's data folder."""
    import platformdirs

    return platformdirs.user_data_path("chaingame", appauthor=False) / "classroom.sqlite3"


def open_classroom(db: str | Path, register: bool = True, tick: bool = True,
                   teacher_password: str | None = None) -> Classroom:
    """Open (or create) the classroom database at ``db``, start its ticker, make it the pages' one.

    Args:
        db: the SQLite file; its folder is created if missing.
        register: make it the classroom :func:`get_classroom` returns.
        tick: start its ticker thread (week timers); :meth:`Classroom.close` stops it.
        teacher_password: what creating a session needs (None: nothing).
    """
    path = Path(db).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    classroom = Classroom(path, teacher_password=teacher_password)
    if tick:
        classroom.start_ticker()
    if register:
        set_classroom(classroom)
    return classroom


def set_classroom(classroom: Classroom | None) -> None:
    """Make ``classroom`` the one every page uses (``None`` forgets it)."""
    global _current
    with _lock:
        _current = classroom


def get_classroom() -> Classroom:
    """The process-wide classroom, opened (with its ticker) on first use if none was set."""
    global _current
    with _lock:
        if _current is None:
            _current = open_classroom(os.environ.get("CHAINGAME_DB") or default_db(), register=False,
                                      teacher_password=os.environ.get("CHAINGAME_TEACHER_PASSWORD") or None)
        return _current
