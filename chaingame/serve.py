"""Start the classroom web server: one process, one classroom, a ticker, Solara under uvicorn.

``chaingame play`` calls :func:`serve`. The process holds the classroom in memory (every browser
tab reads the same object) and SQLite is its durable log, so there is exactly one server process
and one worker (``../shared/notes/stack.md``). A background thread calls ``Classroom.tick()``
every second; that is what ends a week when its timer runs out, so the service itself keeps no
clock of its own.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

log = logging.getLogger("chaingame.serve")

APP = "chaingame.ui.app"  # the Solara app module (routes: /, /play, /host, /debrief)
TICK_SECONDS = 1.0  # s between two Classroom.tick() calls (week timers have a 1 s resolution)


def default_db() -> Path:
    """The classroom database when ``--db`` is not given: a file in the user's data folder."""
    import platformdirs

    return platformdirs.user_data_path("chaingame", appauthor=False) / "classroom.sqlite3"


class Ticker(threading.Thread):
    """Calls ``classroom.tick()`` every ``interval`` seconds until :meth:`stop`."""

    def __init__(self, classroom, interval: float = TICK_SECONDS):
        super().__init__(name="chaingame-ticker", daemon=True)
        self.classroom = classroom
        self.interval = interval
        self._halt = threading.Event()  # not `_stop`: threading.Thread has a method of that name

    def run(self) -> None:
        while not self._halt.wait(self.interval):
            try:
                self.classroom.tick()
            except Exception:  # a failing tick must not end the timers of every other session
                log.exception("classroom tick failed")

    def stop(self) -> None:
        self._halt.set()


def open_classroom(db: str | Path, register: bool = True, tick: bool = True):
    """Open (or create) the classroom database at ``db``, start its ticker, make it the pages' one."""
    from .classroom import Classroom

    path = Path(db).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    classroom = Classroom(path)
    if tick:
        ticker = Ticker(classroom)
        ticker.start()
        classroom._chaingame_ticker = ticker  # so close() below can stop it
    if register:
        from .ui.context import set_classroom

        set_classroom(classroom)
    return classroom


def close_classroom(classroom) -> None:
    ticker = getattr(classroom, "_chaingame_ticker", None)
    if ticker is not None:
        ticker.stop()
    close = getattr(classroom, "close", None)
    if callable(close):
        close()


def _own_address() -> str:
    """This machine's address as its own name resolves (no network traffic); a hint only."""
    import socket

    try:
        address = socket.gethostbyname(socket.gethostname())
    except OSError:
        address = "127.0.0.1"
    return "<this machine's address>" if address.startswith("127.") else address


def configure_solara() -> None:
    """Environment for Solara, set before it is imported: our app, no telemetry, assets via the proxy."""
    os.environ["SOLARA_APP"] = APP
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    os.environ.setdefault("SOLARA_ASSETS_PROXY", "True")
    os.environ.setdefault("SOLARA_THEME_LOADER", "plain")
    # Every page's state comes from the database and the browser's storage, so after a server
    # restart a reconnecting page may simply mount the app again (no "please refresh" dialog).
    os.environ.setdefault("SOLARA_STATE_AUTO_REMOUNT", "True")


def serve(host: str = "127.0.0.1", port: int = 8765, db: str | Path | None = None, fetch_assets: bool = True,
          echo=print) -> None:
    """Run the classroom server until interrupted.

    Args:
        host: address to listen on (``0.0.0.0`` for every interface, e.g. a classroom network).
        port: TCP port.
        db: the SQLite file of the sessions (default: :func:`default_db`); created on first use.
        fetch_assets: fetch missing browser files from the npm registry (else fail with a hint).
    """
    configure_solara()
    import uvicorn

    from .ui import assets

    assets.ensure(fetch_missing=fetch_assets, log=echo)
    db = Path(db).expanduser() if db else default_db()
    classroom = open_classroom(db)
    shown = "localhost" if host in ("0.0.0.0", "::", "127.0.0.1") else host
    echo(f"chaingame classroom: http://{shown}:{port}/  (host page: http://{shown}:{port}/host)")
    if host in ("0.0.0.0", "::"):
        echo(f"on the network, e.g. http://{_own_address()}:{port}/host: open the host page at the address the "
             "students can reach, the join link and QR code use it")
    echo(f"database: {db}   stop with Ctrl+C")
    config = uvicorn.Config("solara.server.starlette:app", host=host, port=port, workers=1,
                            log_level="warning", ws_ping_interval=20, ws_ping_timeout=40)
    try:
        uvicorn.Server(config).run()
    finally:
        close_classroom(classroom)
