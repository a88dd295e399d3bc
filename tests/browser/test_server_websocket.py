"""The classroom server's websockets as configured in chaingame/serve.py (docs/classroom.md, Speed).

Solara writes each message to the page's socket from the thread that sends it (not through the event
loop), which needs uvicorn's ``websockets`` implementation; and no per-message deflate is negotiated.
Checked on `chaingame play` itself: a real Chromium page, its server's log, a raw websocket handshake.
"""

from __future__ import annotations

import socket
import subprocess
import sys

from chaingame.serve import WS_OPTIONS

WAIT = 60_000  # ms
FALLBACK = "sync_ws_write requested but unavailable"  # what Solara logs when it writes through the event loop
HANDSHAKE = ("GET /jupyter/api/kernels/k/channels?session_id=s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
             "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
             "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
             "\r\n")


def test_solara_is_told_to_write_synchronously_on_a_protocol_it_can_write_to():
    """In a fresh process, as `chaingame play` starts: Solara's setting on, and uvicorn's protocol class the
    one Solara's synchronous writer patches (websockets' legacy protocol)."""
    code = ("from chaingame.serve import configure_solara, WS_OPTIONS; configure_solara()\n"
            "import solara.server.settings as s, uvicorn, websockets.legacy.protocol as legacy\n"
            "c = uvicorn.Config('solara.server.starlette:app', **WS_OPTIONS); c.load()\n"
            "print(s.server.sync_ws_write, issubclass(c.ws_protocol_class, legacy.WebSocketCommonProtocol))")
    out = subprocess.run([sys.executable, "-W", "ignore", "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "True"]


def test_a_page_played_on_the_server_never_falls_back_to_event_loop_writes(server, browser):
    page = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
    page.goto(f"{server.url}/host")
    page.get_by_label("Teams").fill("2", timeout=WAIT)
    page.get_by_role("button", name="Create session").click()
    page.get_by_test_id("join-code").wait_for(timeout=WAIT)  # a render answered over the page's websocket
    page.context.close()
    server.stop()
    log = server.log.read_text()
    assert "chaingame classroom: stopped" in log
    assert FALLBACK not in log
    assert "UvicornDeprecationWarning" not in log  # filtered in serve(): a teacher need not read it


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
