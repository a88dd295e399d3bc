"""Protocol clients for ``classroom.py --clients``: each page's websocket traffic, as its browser sends it.

A :class:`Page` speaks to ``chaingame play`` what a Chromium seat page (or the host's) sends,
recorded from real pages (Playwright's websocket frames and requests, 2026-12-07) and read in
Solara's ``main-vuetify.js`` and our widgets' JavaScript:

1. ``GET <path>`` (the page; its ``solara-session-id`` cookie goes with everything after it);
2. the websocket ``/jupyter/api/kernels/<uuid>/channels?session_id=<uuid>``, then
   ``kernel_info_request``, the ``comm_open`` of ``solara.control`` and its ``run`` message with
   the path (``pathname + search``);
3. once the app has answered ``finished``, what :class:`chaingame.ui.browser.BrowserStore`'s
   ``mounted`` reports: an ``update`` of ``origin``, then one of ``value`` (the seat token or the
   host keys) and ``loaded``;
4. the connection guard's heartbeat: ``GET /readyz`` every ``heartbeat_ms`` (5 s) on the page's
   keep-alive HTTP connection, from a random phase, for every page holding a guard;
5. each week, the order as :class:`chaingame.ui.orderbox.OrderBox` sends it: a ``custom``
   message ``{"event": "send_order", "data": {"week", "order", "capacity"}}`` to its widget.

Nothing else goes up during a game (the typed order stays in the browser; the recorded pages sent
no ``comm_info_request``). Every message from the server is parsed (JSON text frames and Jupyter's
binary frames, whose first part is the JSON) into each widget's state, enough to know when the
page shows a week: the ``unsafe_innerHTML`` of the widget whose ``data-testid`` is ``week``.
All pages run in one asyncio loop in one process; their clock is ``time.perf_counter``.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import struct
import time
import uuid

import websockets

WEEK = re.compile(r"week (\d+) of")  # the seat page's week label ("week 3 of 36")
OVER = "The game is over"  # the seat page's state line at the end
SEAT_KEY, HOST_KEY = "chaingame.seat", "chaingame.host"  # chaingame.ui.player.SEAT_KEY, ui.browser.HOST_KEY


def message(session: str, msg_type: str, content: dict) -> str:
    """A Jupyter message on the shell channel, as the page's kernel connection writes it."""
    header = {"date": "", "msg_id": str(uuid.uuid4()), "msg_type": msg_type, "session": session,
              "username": "", "version": "5.2"}
    return json.dumps({"buffers": [], "channel": "shell", "content": content, "header": header,
                       "metadata": {}, "parent_header": {}})


def parse(frame: str | bytes) -> dict:
    """A server message: a JSON text frame, or a binary one (its first part is the JSON; buffers ignored)."""
    if isinstance(frame, str):
        return json.loads(frame)
    n = struct.unpack_from("!I", frame)[0]
    offsets = struct.unpack_from(f"!{n}I", frame, 4)
    return json.loads(frame[offsets[0]:offsets[1] if n > 1 else len(frame)])


class Http:
    """One keep-alive HTTP/1.1 connection, as a browser tab's to its server."""

    def __init__(self, host: str, port: int):
        self.host, self.port, self.cookie = host, port, ""
        self.reader = self.writer = None

    async def get(self, path: str) -> tuple[int, dict[str, str]]:
        """``GET path``; on a connection the server closed meanwhile (idle keep-alive), again on a new one."""
        if self.writer is not None:
            try:
                return await self._get(path)
            except (ConnectionError, asyncio.IncompleteReadError):
                self.close()
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        return await self._get(path)

    async def _get(self, path: str) -> tuple[int, dict[str, str]]:
        cookie = f"Cookie: {self.cookie}\r\n" if self.cookie else ""
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nAccept: */*\r\n"
                          f"Cache-Control: no-cache\r\n{cookie}\r\n".encode())
        lines = (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if ":" in line:
                key, _, value = line.partition(":")
                key = key.lower()
                if key == "set-cookie":
                    self.cookie = "; ".join(filter(None, [self.cookie, value.split(";")[0].strip()]))
                headers[key] = value.strip()
        if headers.get("transfer-encoding") == "chunked":
            while size := int((await self.reader.readuntil(b"\r\n")).strip(), 16):
                await self.reader.readexactly(size + 2)
            await self.reader.readuntil(b"\r\n")
        else:
            await self.reader.readexactly(int(headers.get("content-length", 0)))
        return status, headers

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


class Page:
    """One browser tab at ``path`` holding ``stored`` under ``store_key``; see the module's docstring."""

    def __init__(self, host: str, port: int, path: str, store_key: str, stored: str, changed: asyncio.Condition):
        self.host, self.port, self.path, self.store_key, self.stored = host, port, path, store_key, stored
        self.changed = changed  # notified after every message received (the benchmark waits on it)
        self.session = str(uuid.uuid4())
        self.http = Http(host, port)
        self.state: dict[str, dict] = {}  # comm id -> the widget's state
        self.store = self.label = self.order_box = None  # comm ids of the widgets that matter here
        self.heartbeat_ms = 0
        self.shown: dict[int, float] = {}  # week -> when the week label first showed it
        self.over = self.loaded = False
        self.received = self.beats = 0
        self.tasks: list[asyncio.Task] = []

    async def open(self) -> None:
        status, _ = await self.http.get(self.path)
        assert status == 200, f"GET {self.path}: {status}"
        url = (f"ws://{self.host}:{self.port}/jupyter/api/kernels/{uuid.uuid4()}/channels"
               f"?session_id={self.session}")
        self.ws = await websockets.connect(url, origin=f"http://{self.host}:{self.port}", max_size=None,
                                           additional_headers={"Cookie": self.http.cookie},
                                           ping_interval=None)  # a browser only answers the server's pings
        self.control = str(uuid.uuid4())
        await self.ws.send(message(self.session, "kernel_info_request", {}))
        await self.ws.send(message(self.session, "comm_open", {"comm_id": self.control,
                                                               "target_name": "solara.control", "data": {}}))
        args = {"path": self.path, "dark": False, "themes": {"light": {}, "dark": {}}, "appName": None}
        await self.ws.send(message(self.session, "comm_msg", {"comm_id": self.control,
                                                              "data": {"method": "run", "args": args}}))
        self.tasks.append(asyncio.create_task(self.read()))

    async def update(self, comm_id: str, state: dict) -> None:
        """A widget's state change from the browser (ipywidgets' ``update``)."""
        await self.ws.send(message(self.session, "comm_msg", {"comm_id": comm_id, "data": {
            "method": "update", "state": state, "buffer_paths": []}}))

    async def read(self) -> None:
        async for frame in self.ws:
            self.received += 1
            msg = parse(frame)
            kind, content = msg["header"]["msg_type"], msg.get("content") or {}
            data = content.get("data") or {}
            if kind == "comm_open":
                self.opened(content["comm_id"], data.get("state", {}))
            elif kind == "comm_msg" and data.get("method") == "update":
                self.updated(content["comm_id"], data.get("state", {}))
            elif kind == "comm_msg" and data.get("method") == "finished" and self.store and not self.loaded:
                self.loaded = True
                await self.mounted()
            elif kind == "comm_close":
                self.state.pop(content.get("comm_id"), None)
            async with self.changed:
                self.changed.notify_all()

    def opened(self, comm_id: str, state: dict) -> None:
        self.state[comm_id] = dict(state)
        if state.get("storage_key") == self.store_key:
            self.store = comm_id
        elif "heartbeat_ms" in state and not self.heartbeat_ms:  # the page's connection guard
            self.heartbeat_ms = state["heartbeat_ms"]
            self.tasks.append(asyncio.create_task(self.heartbeat()))
        elif "decides_capacity" in state:
            self.order_box = comm_id
        elif (state.get("attributes") or {}).get("data-testid") == "week":
            self.label = comm_id
        self.updated(comm_id, state)

    def updated(self, comm_id: str, state: dict) -> None:
        self.state.setdefault(comm_id, {}).update(state)
        if comm_id == self.label and (m := WEEK.search(state.get("unsafe_innerHTML") or "")):
            self.shown.setdefault(int(m[1]), time.perf_counter())
        if any(OVER in str(state.get(key) or "") for key in ("unsafe_innerHTML", "state")):  # the state line
            self.over = True

    async def mounted(self) -> None:
        """What BrowserStore's ``mounted`` sends: the origin, then the stored value and ``loaded``."""
        await self.update(self.store, {"origin": f"http://{self.host}:{self.port}"})
        await self.update(self.store, {"value": self.stored, "loaded": True})

    async def heartbeat(self) -> None:
        period = self.heartbeat_ms / 1000
        await asyncio.sleep(random.uniform(0, period))  # pages open at different moments
        while True:
            status, _ = await self.http.get("/readyz")
            assert status == 200, f"/readyz: {status}"
            self.beats += 1
            await asyncio.sleep(period)

    def ready(self, week: int) -> bool:
        """Whether the page shows ``week`` with its order form open (OrderBox at that week, enabled)."""
        box = self.state.get(self.order_box) or {}
        return week in self.shown and box.get("week") == week and not box.get("disabled")

    async def send_order(self, week: int, order: int, at: float) -> float:
        """OrderBox's submit at ``at`` (the event loop's clock); returns when it was sent (``time.perf_counter``)."""
        await asyncio.sleep(at - asyncio.get_running_loop().time())
        at = time.perf_counter()
        await self.ws.send(message(self.session, "comm_msg", {"comm_id": self.order_box, "data": {
            "method": "custom", "content": {"event": "send_order",
                                            "data": {"week": week, "order": str(order), "capacity": ""}}}}))
        return at

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await self.ws.close()
        self.http.close()
