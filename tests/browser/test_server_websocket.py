"""The classroom server's websockets as configured in chaingame/serve.py (docs/classroom.md, Speed).

Solara writes each message through the event loop (not from the sending thread, which would let one
stalled page hold up the loop), and no per-message deflate is negotiated: checked in a fresh process
and by a raw websocket handshake with `chaingame play` itself.
"""

from __future__ import annotations

import socket
import subprocess
import sys

from chaingame.serve import WS_OPTIONS

HANDSHAKE = ("GET /jupyter/api/kernels/k/channels?session_id=s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
             "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
             "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
             "\r\n")


def test_solara_writes_through_the_event_loop_so_a_stalled_phone_holds_up_no_one():
    """In a fresh process, as `chaingame play` starts: Solara's synchronous writes stay off. They would
    write the event loop's own pings and close frames by a blocking loop under each page's lock, so one
    page whose socket buffer is full would stop the loop, and every other page with it."""
    code = ("import os; os.environ.pop('SOLARA_SERVER_SYNC_WS_WRITE', None)\n"
            "from chaingame.serve import configure_solara; configure_solara()\n"
            "import solara.server.settings as s; print(s.server.sync_ws_write)")
    out = subprocess.run([sys.executable, "-W", "ignore", "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False"]


def test_the_server_refuses_per_message_deflate(server):
    assert WS_OPTIONS["ws_per_message_deflate"] is False
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as s:
        s.sendall(HANDSHAKE.encode())
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = s.recv(4096)
            assert chunk, answer
            answer += chunk
    head = answer.split(b"\r\n\r\n")[0].decode().lower()
    assert head.startswith("http/1.1 101"), head
    assert "upgrade: websocket" in head
    assert "sec-websocket-extensions" not in head, head
