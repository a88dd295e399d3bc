"""A page whose client stops reading holds up no one, and what waits for it is bounded (chaingame/wswriter.py).

The stalled client is a raw websocket that connects to `chaingame play` as a page's does (the kernel
channel, Jupyter's messages), with a small receive buffer, and never reads: it sends kernel requests
that Solara answers (busy, the reply, idle), so the server's socket fills and then its queue. The
server runs with a queue limit of :data:`LIMIT` (set by wrapping ``configure_solara``, so the real
``serve`` runs): 8 MiB, the default, would take minutes of requests to fill through these buffers.
Meanwhile a real Chromium page plays its weeks; each week change must come within :data:`BOUND`.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import sys
import threading
import time
import uuid
from pathlib import Path

from chaingame.classroom import Classroom

from .conftest import PORT_ATTEMPTS, Server, free_orders_scenario, seat_context, week_is

LIMIT = 256 * 1024  # characters a page may have unsent in this test's server
BOUND = 3.0  # s from the click to the next week on the page that reads, while the other one is stalled
WEEKS = 5  # weeks the reading page plays
GAVE_UP = "unsent (limit"  # chaingame.wswriter's log line when it gives a page up
SPAM_SECONDS = 60.0  # s the stalled client may send before the test says the server never gave it up
FAST = 2000  # requests a second the stalled client sends until the server gives it up
PACE = 200  # requests a second the stalled client sends once given up (a page's messages, a busy one's)
GROWTH_MB = 64  # MB the server's resident memory may grow while the stalled client keeps sending

SERVER = f"""
import sys
import chaingame.serve as serve
configure = serve.configure_solara
def configure_with_limit():
    configure()
    import chaingame.wswriter as wswriter
    wswriter.QueuedWebsocket.limit = {LIMIT}
serve.configure_solara = configure_with_limit
from chaingame.cli import main
sys.argv = ["chaingame", "play", *sys.argv[1:]]
sys.exit(main())
"""


def frame(text: str) -> bytes:
    """A masked websocket text frame, as a client sends it (RFC 6455, 5.2)."""
    payload = text.encode()
    n = len(payload)
    head = bytes([0x81]) + (bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + n.to_bytes(2, "big"))
    mask = os.urandom(4)
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def request(session: str) -> str:
    """A Jupyter ``comm_info_request`` (what a page's widget manager asks first), as a JSON text."""
    header = {"msg_id": uuid.uuid4().hex, "session": session, "username": "", "date": "",
              "msg_type": "comm_info_request", "version": "5.3"}
    return json.dumps({"header": header, "parent_header": {}, "metadata": {}, "channel": "shell",
                       "content": {"target_name": "jupyter.widget"}, "buffers": []})


def stalled_client(port: int) -> socket.socket:
    """A websocket to the kernel channel, connected as a page's, whose owner never reads it."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before connect: a small window
    s.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall((f"GET /jupyter/api/kernels/{uuid.uuid4()}/channels?session_id={uuid.uuid4()} HTTP/1.1\r\n"
               f"Host: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    answer = b""
    while b"\r\n\r\n" not in answer:
        chunk = s.recv(1)  # the handshake's answer only, byte by byte: nothing after it is read
        assert chunk, answer
        answer += chunk
    assert answer.startswith(b"HTTP/1.1 101"), answer
    return s


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def test_a_page_that_stops_reading_delays_no_other_page_and_its_queue_is_bounded(tmp_path, browser):
    db = tmp_path / "classroom.sqlite3"
    classroom = Classroom(db)
    ticket = classroom.create_session("classic", scenario_toml=free_orders_scenario(), weeks=WEEKS + 1,
                                      title="Stalled")
    seat = classroom.join(ticket.code, "Ann")
    classroom.start(ticket.code, ticket.host_key)
    classroom.close()
    server = Server(db, tmp_path / "server.log", command=[sys.executable, "-c", SERVER])
    server.start(attempts=PORT_ATTEMPTS)
    try:
        page = seat_context(browser, seat.token).new_page()
        page.goto(f"{server.url}/")
        week_is(page, 1, WEEKS + 1)
        before = rss_mb(server.process.pid)

        stalled = stalled_client(server.port)
        stalled.settimeout(5.0)  # a server that stops reading this socket (a blocked page thread) fails the test
        sent, errors = [0], []
        session = uuid.uuid4().hex

        def spam():  # FAST requests a second until the server gives it up, then PACE
            deadline = time.monotonic() + SPAM_SECONDS
            try:
                while time.monotonic() < deadline and not done.is_set():
                    stalled.sendall(b"".join(frame(request(session)) for _ in range(50)))
                    sent[0] += 50
                    time.sleep(50 / (PACE if gave_up.is_set() else FAST))
            except OSError as e:
                errors.append(e)

        done, gave_up = threading.Event(), threading.Event()
        spammer = threading.Thread(target=spam, daemon=True)
        spammer.start()
        deadline = time.monotonic() + SPAM_SECONDS
        while GAVE_UP not in server.log.read_text() and time.monotonic() < deadline and not errors:
            time.sleep(0.1)  # polling the server's log for its own line
        assert GAVE_UP in server.log.read_text(), (
            f"the server never gave up the stalled page ({sent[0]} requests sent, {errors}):\n"
            f"{server.log.read_text()[-2000:]}")
        gave_up.set()
        gave_up_after = time.monotonic() - (deadline - SPAM_SECONDS)
        at_give_up = sent[0]

        took = []
        for week in range(1, WEEKS + 1):  # the stalled client keeps sending all the while
            page.get_by_label("Order (units)").fill(str(4 + week))
            start = time.monotonic()
            page.get_by_role("button", name="Submit order").click()
            week_is(page, week + 1, WEEKS + 1)
            took.append(time.monotonic() - start)
        grown = rss_mb(server.process.pid) - before
        done.set()
        spammer.join(timeout=30)
        print(f"given up after {at_give_up} requests ({gave_up_after:.1f} s); week changes "
              f"{[round(t, 2) for t in took]} s; {sent[0]} requests in all; server grew {grown:.1f} MB")
        assert not errors, f"the server stopped reading the stalled client: {errors}"
        assert max(took) < BOUND, f"week changes took {[round(t, 2) for t in took]} s beside a stalled page"
        assert grown < GROWTH_MB, f"the server grew by {grown:.0f} MB with {sent[0]} requests from a stalled page"
        assert sent[0] > at_give_up, sent  # the stalled client kept sending while the page played
        page.context.close()
        stalled.close()
    finally:
        server.stop()
    said = server.log.read_text()
    assert "Traceback" not in said and "Error sending" not in said, said[-3000:]  # a gone page is a disconnect
