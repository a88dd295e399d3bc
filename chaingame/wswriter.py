"""A page's websocket messages queued and written by the event loop: no sending thread waits for a page.

Solara's own wrapper (``solara.server.starlette.WebsocketWrapper``) sends each message from a
render or a click's handling with ``portal.call``: the thread blocks until the event loop has run
a task that wrote it, a thread switch and a loop wake-up per message, and until the page's socket
has drained. One phone that stops reading then holds that thread (a render thread shared by every
page, or its own with its page's lock) for as long as TCP keeps the connection.

:class:`QueuedWebsocket` appends the message to the connection's queue and returns; only when the
queue was empty does it schedule one flush on the loop (``call_soon_threadsafe``), which writes
everything queued, in order, awaiting that socket alone. A page that stops reading blocks only its
own flush; once it holds more than :data:`MAX_QUEUED` characters unsent, its connection is given
up: the queue is dropped, every later send raises ``WebSocketDisconnect`` (Solara then forgets
this websocket, as for a closed one) and a close frame waits behind what was already written.
:func:`install` puts the class in Solara's place; ``chaingame play`` calls it (chaingame/serve.py).
docs/classroom.md, Speed, *A writer per connection*. What a page sends is read on the event loop too, without a portal
task per message (:meth:`QueuedWebsocket.receive`).
"""

from __future__ import annotations

import asyncio
import collections
import logging
import threading

import solara
import solara.server.starlette as solara_starlette
from solara.server import websocket

from . import idlegc

logger = logging.getLogger(__name__)

MAX_QUEUED = 8 * 2**20  # characters (about bytes) a page may have unsent, then it is given up (a seat opens: 105 KB)
_CLOSE_MARK = object()  # the close frame's place in the queue (compared by identity)
SolaraWrapper = solara_starlette.WebsocketWrapper  # Solara's, which this one extends
_NEEDS = ("_send_text_exc", "_send_bytes_exc", "receive", "close")  # what the subclass relies on


class QueuedWebsocket(SolaraWrapper):
    """Solara's websocket wrapper with a queue per connection, flushed by the event loop (module docstring)."""

    limit = MAX_QUEUED

    def __init__(self, ws, portal) -> None:
        super().__init__(ws, portal)
        self._lock = threading.Lock()
        self._queue: collections.deque = collections.deque()
        self.queued = 0  # characters queued or being written now
        self._flushing = False  # a flush is scheduled or running
        self.gone = False  # closed or given up: every send raises WebSocketDisconnect

    def send_text(self, data: str) -> None:
        """Queue ``data`` for the page; raises ``WebSocketDisconnect`` once the connection is gone."""
        self._put(data, len(data))

    def send_bytes(self, data: bytes) -> None:
        """Queue ``data`` for the page; raises ``WebSocketDisconnect`` once the connection is gone."""
        self._put(data, len(data))

    async def receive(self):
        """The page's next message (its text or bytes), read on the event loop and handed to the page's thread.

        Solara's wrapper starts a task through the portal for each message and waits on a thread-safe
        future (anyio's task group, cancel scope and condition, a third of the server's time on the event
        loop in a 30-team profile); here the page's thread asks the loop with one ``call_soon_threadsafe``
        and the loop answers with one. A disconnect raises ``WebSocketDisconnect``, as Solara's does.
        """
        if self.portal is None:  # not a threaded kernel: Solara's own path
            return await super().receive()
        loop = asyncio.get_running_loop()  # the page thread's own loop
        got = loop.create_future()

        def deliver(message, error) -> None:  # on the page's loop
            if not got.done():
                got.set_result(message) if error is None else got.set_exception(error)

        async def read() -> None:  # on the server's loop
            try:
                message, error = await self.ws.receive(), None
            except BaseException as e:  # noqa: BLE001 - whatever the read raised is raised in the page's thread
                message, error = None, e
            try:
                loop.call_soon_threadsafe(deliver, message, error)
            except RuntimeError:  # the page's loop has closed: no one waits for this message
                pass

        self._on_loop(lambda: self._start_task(read()))  # made on the loop: none left unawaited if it has closed
        message = await got
        idlegc.busy()
        if message.get("text") is not None:
            return message["text"]
        if message.get("bytes") is not None:
            return message["bytes"]
        if message.get("type") == "websocket.disconnect":
            raise websocket.WebSocketDisconnect()
        raise RuntimeError(f"a websocket message of an unknown type: {message}")

    def close(self) -> None:
        """Close the connection after the messages already queued (returns at once)."""
        if self.portal is None:  # not a threaded kernel: Solara's own path
            return super().close()
        self._put(_CLOSE_MARK, 0, closing=True)

    def _put(self, data, size: int, closing: bool = False) -> None:
        if self.portal is None:
            return super().send_text(data) if isinstance(data, str) else super().send_bytes(data)
        with self._lock:
            if self.gone:
                if closing:
                    return
                raise websocket.WebSocketDisconnect()
            self.queued += size
            if self.queued > self.limit:
                self._give_up()
                raise websocket.WebSocketDisconnect()
            self._queue.append(data)
            if self._flushing:
                return
            self._flushing = True
        self._on_loop(self._start_flush)

    def _on_loop(self, fn, *args) -> None:
        """Run ``fn(*args)`` on the event loop, soon; a loop already closed (the server stopping) is a disconnect."""
        try:
            self.event_loop.call_soon_threadsafe(fn, *args)
        except RuntimeError as e:
            self.gone = True
            raise websocket.WebSocketDisconnect() from e

    def _give_up(self) -> None:
        """Drop what is queued and close (under the lock): the page stopped reading."""
        logger.warning("a page has %d characters unsent (limit %d): its connection is closed", self.queued, self.limit)
        self.gone = True
        self._queue.clear()
        self.queued = 0
        self._on_loop(self._start_task, self._close_frame())

    def _start_flush(self) -> None:
        self._start_task(self._flush())

    def _start_task(self, coroutine) -> None:
        task = self.event_loop.create_task(coroutine)
        self.tasks.add(task)  # a strong reference while it runs (as Solara keeps its own tasks)
        task.add_done_callback(self.tasks.discard)

    async def _flush(self) -> None:
        """Write every queued message in order, until the queue is empty (on the event loop)."""
        while True:
            with self._lock:
                if self.gone or not self._queue:
                    self._flushing = False
                    return
                data = self._queue.popleft()
            try:
                if data is _CLOSE_MARK:
                    with self._lock:
                        self.gone = True
                        self._queue.clear()
                    await self._close_frame()
                    continue
                if isinstance(data, bytes):
                    await self._send_bytes_exc(data)
                else:
                    await self._send_text_exc(data)
            except websocket.WebSocketDisconnect:
                self._lost()
            except Exception:  # as Solara's send_websockets does for an unexpected error: log it, close
                logger.exception("error sending a message to a page: its connection is closed")
                self._lost()
                await self._close_frame()
            else:
                with self._lock:
                    if not self.gone:  # given up meanwhile: the count started again from 0
                        self.queued -= len(data)

    def _lost(self) -> None:
        with self._lock:
            self.gone = True
            self._queue.clear()
            self.queued = 0

    async def _close_frame(self) -> None:
        try:
            await self.ws.close()
        except Exception:  # noqa: BLE001 - already closed, or the socket is gone: nothing left to close
            pass


def install() -> None:
    """Make Solara's kernel connections use :class:`QueuedWebsocket` (checked against the installed Solara).

    Solara's ``_kernel_connection`` builds ``WebsocketWrapper(ws, portal)`` by its module-level name, so
    replacing that name is the whole hook; a Solara without it, or without what the subclass relies on,
    is refused in one line rather than served with Solara's blocking sends.
    """
    missing = [name for name in _NEEDS if not hasattr(SolaraWrapper, name)]
    if missing or "WebsocketWrapper" not in solara_starlette._kernel_connection.__code__.co_names:
        raise RuntimeError(f"solara {solara.__version__}: its websocket wrapper is not the one chaingame.wswriter "
                           f"extends (missing: {', '.join(missing) or 'WebsocketWrapper in _kernel_connection'}; "
                           "allowed: the solara version in pyproject.toml)")
    solara_starlette.WebsocketWrapper = QueuedWebsocket
