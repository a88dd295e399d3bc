"""Start the classroom web server: one process, one classroom, a ticker, Solara under uvicorn.

``chaingame play`` calls :func:`serve`. The process holds the classroom in memory (every browser
tab reads the same object) and SQLite is its durable log, so there is exactly one server process
and one worker; :mod:`chaingame.classroom.process` opens it, with the ticker thread that ends a
week when its timer runs out (the service itself keeps no clock of its own).
"""

from __future__ import annotations

import gc
import os
import secrets
import signal
import threading
from pathlib import Path

from .checks import ScenarioError, show

APP = "chaingame.ui.app"  # the Solara app module (its routes: chaingame.ui.routes)
PASSWORD_ENV = "CHAINGAME_TEACHER_PASSWORD"  # the teacher password, when not given as --password
LOOPBACK = ("127.0.0.1", "::1", "localhost")  # addresses only this machine can reach
# No per-message deflate: zlib on every message both ways, for a few hundred bytes of JSON on a
# classroom's network. Solara's synchronous writes (SOLARA_SERVER_SYNC_WS_WRITE) are left off: they
# write the event loop's own frames (pings, close) by a blocking loop under each page's lock, so one
# phone whose socket buffer is full would hold up every page. docs/classroom.md, Speed, *The websocket layer*.
# Instead each connection queues its messages and the event loop writes them (chaingame.wswriter).
WS_OPTIONS = {"ws_per_message_deflate": False}


def freeze_heap() -> None:
    """Move every object alive now out of the garbage collector's sight (``gc.freeze``), after one collection.

    What the server has imported and warmed up lives as long as the process; frozen, it is not scanned by the
    collector's full passes, which pause every thread (every class): those then scan only what the classes made
    since. :func:`serve` calls it once before opening the classroom.
    """
    gc.collect()
    gc.freeze()


class Shutdown(Exception):
    """SIGTERM: stop the server and close the database, as Ctrl+C does."""


def _on_sigterm(signum, frame) -> None:
    raise Shutdown


def refuse_blank(password: str | None) -> None:
    """Refuse a blank teacher password (empty, or spaces only), given or in ``$CHAINGAME_TEACHER_PASSWORD``.

    An empty variable counts as unset. A blank password is typed by mistake, and no one can type it back.
    """
    for field, given in (("--password", password), (f"${PASSWORD_ENV}", os.environ.get(PASSWORD_ENV) or None)):
        if given is not None and not given.strip():
            raise ScenarioError(field, f"{show(given)} is blank (allowed: a password with at least one character "
                                       "that is not a space)")


def teacher_password(host: str, password: str | None, echo=print) -> str | None:
    """The password that creating a session needs: ``password``, else ``$CHAINGAME_TEACHER_PASSWORD``.

    With neither, none on this machine only (loopback) and a new random one, printed once, on a
    network address (every student's phone could reach the host page). A blank one is refused
    (:func:`refuse_blank`).
    """
    refuse_blank(password)
    password = password or os.environ.get(PASSWORD_ENV) or None
    if password is None and host not in LOOPBACK:
        password = secrets.token_urlsafe(6)
        echo(f"teacher password (to create sessions on the host page): {password}   "
             f"(choose your own with --password or ${PASSWORD_ENV})")
    return password


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
          echo=print, password: str | None = None) -> None:
    """Run the classroom server until interrupted (Ctrl+C or SIGTERM: the database is closed either way).

    Args:
        host: address to listen on (``0.0.0.0`` for every interface, e.g. a classroom network).
        port: TCP port.
        db: the SQLite file of the sessions (default:
            :func:`chaingame.classroom.process.default_db`); created on first use.
        fetch_assets: fetch missing browser files from the npm registry (else fail with a hint).
        echo: where the server's messages go (the address to open, assets fetched); default ``print``.
        password: the teacher password creating a session needs (see :func:`teacher_password`).
    """
    told: list[str] = []  # a password made here is printed after the addresses
    password = teacher_password(host, password, told.append)  # refused before anything starts
    configure_solara()
    import uvicorn

    from . import webassets
    from .classroom.process import default_db, open_classroom

    webassets.ensure(fetch_missing=fetch_assets, log=echo)
    import solara.server.starlette  # the app uvicorn serves: imported here, then frozen below

    from . import fakeshell, wswriter

    wswriter.install()  # each page's messages queued and written by the event loop: no thread waits for a page
    fakeshell.install()  # no MagicMock built for every message a page sends (chaingame.fakeshell)

    from .engine import warm_up

    echo("chaingame classroom: loading the week's compiled kernels (scripts/setup.sh compiles them; a first start "
         "without it, or after an upgrade, compiles them: a few minutes)")
    seconds = warm_up()  # the week's compiled kernels, compiled or loaded from the cache before anyone plays
    echo(f"chaingame classroom: the week's kernels ready in {seconds:.1f} s")

    freeze_heap()
    from . import idlegc

    idlegc.start()  # the full collections between the weeks' bursts, not in them
    db = Path(db).expanduser() if db else default_db()
    classroom = open_classroom(db, teacher_password=password)
    shown = "localhost" if host in ("0.0.0.0", "::", "127.0.0.1") else host
    echo(f"chaingame classroom: http://{shown}:{port}/  (host page: http://{shown}:{port}/host)")
    if host in ("0.0.0.0", "::"):
        echo(f"on the network, e.g. http://{_own_address()}:{port}/host: open the host page at the address the "
             "students can reach, the join link and QR code use it")
    for line in told:
        echo(line)
    echo(f"database: {db}   stop with Ctrl+C")
    from .liveness import answering

    config = uvicorn.Config(answering(solara.server.starlette.app), host=host, port=port, workers=1,
                            log_level="warning", ws_ping_interval=20, ws_ping_timeout=40, **WS_OPTIONS)
    # uvicorn shuts down gracefully on SIGTERM, then raises it again with the handler found at start:
    # ours turns it into an exception, so the finally below closes the database as after Ctrl+C.
    main = threading.current_thread() is threading.main_thread()  # only the main thread may set handlers
    previous = signal.signal(signal.SIGTERM, _on_sigterm) if main else None
    try:
        uvicorn.Server(config).run()
    except Shutdown:
        pass
    finally:
        classroom.close()  # stops its ticker
        if main:
            signal.signal(signal.SIGTERM, previous)
        echo("chaingame classroom: stopped, database closed")
