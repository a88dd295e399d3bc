"""Start the classroom web server: one process, one classroom, a ticker, Solara under uvicorn.

``chaingame play`` calls :func:`serve`. The process holds the classroom in memory (every browser
tab reads the same object) and SQLite is its durable log, so there is exactly one server process
and one worker; :mod:`chaingame.classroom.process` opens it, with the ticker thread that ends a
week when its timer runs out (the service itself keeps no clock of its own).
"""

from __future__ import annotations

import os
from pathlib import Path

APP = "chaingame.ui.app"  # the Solara app module (its routes: chaingame.ui.routes)


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
        db: the SQLite file of the sessions (default:
            :func:`chaingame.classroom.process.default_db`); created on first use.
        fetch_assets: fetch missing browser files from the npm registry (else fail with a hint).
        echo: where the server's messages go (the address to open, assets fetched); default ``print``.
    """
    configure_solara()
    import uvicorn

    from . import webassets
    from .classroom.process import default_db, open_classroom

    webassets.ensure(fetch_missing=fetch_assets, log=echo)
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
        classroom.close()  # stops its ticker
