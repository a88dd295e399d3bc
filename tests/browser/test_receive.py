"""What a page sends reaches its kernel without a portal task per message (chaingame/wswriter.py, ``receive``).

The server is the real ``chaingame play``, with anyio's ``BlockingPortal.start_task_soon`` (what Solara's
own websocket wrapper calls for every message it reads) counted in its log. A websocket client
connects to the kernel channel as a page does and sends Jupyter requests one after another, each
answered (busy, the reply, idle) before the next: every request is answered, in order, and the portal
was asked for none of them.
"""

from __future__ import annotations

import json
import sys
import uuid

from websockets.sync.client import connect

from chaingame.classroom import Classroom

from .conftest import PORT_ATTEMPTS, Server

REQUESTS = 40
COUNTED = "portal task started"

SERVER = f"""
import sys
import anyio.from_thread
start = anyio.from_thread.BlockingPortal.start_task_soon
def counted(self, *args, **kwargs):
    print("{COUNTED}", file=sys.stderr, flush=True)
    return start(self, *args, **kwargs)
anyio.from_thread.BlockingPortal.start_task_soon = counted
from chaingame.cli import main
sys.argv = ["chaingame", "play", *sys.argv[1:]]
sys.exit(main())
"""


def request(session: str, n: int) -> str:
    header = {"msg_id": f"request-{n}", "session": session, "username": "", "date": "",
              "msg_type": "comm_info_request", "version": "5.3"}
    return json.dumps({"header": header, "parent_header": {}, "metadata": {}, "channel": "shell",
                       "content": {"target_name": "jupyter.widget"}, "buffers": []})


def test_a_pages_messages_are_read_without_a_portal_task_each(tmp_path):
    db = tmp_path / "classroom.sqlite3"
    Classroom(db).close()
    server = Server(db, tmp_path / "server.log", command=[sys.executable, "-c", SERVER])
    server.start(attempts=PORT_ATTEMPTS)
    try:
        url = f"ws://127.0.0.1:{server.port}/jupyter/api/kernels/{uuid.uuid4()}/channels?session_id={uuid.uuid4()}"
        session, answered = uuid.uuid4().hex, []
        with connect(url, open_timeout=30) as ws:
            before = server.log.read_text().count(COUNTED)
            for n in range(REQUESTS):
                ws.send(request(session, n))
                while True:  # busy, the reply, idle: the reply names its request
                    msg = json.loads(ws.recv(timeout=30))
                    if msg["header"]["msg_type"] == "comm_info_reply":
                        answered.append(msg["parent_header"]["msg_id"])
                    if msg["header"]["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                        break
            started = server.log.read_text().count(COUNTED) - before
        assert answered == [f"request-{n}" for n in range(REQUESTS)]
        assert started <= 2, f"{started} portal tasks for {REQUESTS} messages read"
    finally:
        server.stop()
