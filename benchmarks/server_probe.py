"""``chaingame play`` with counters of where the server's CPU goes (for ``classroom.py --breakdown``).

Run as ``python benchmarks/server_probe.py OUT.json play [chaingame play's options]``. On SIGUSR1 it starts
counting, on SIGUSR2 it writes to OUT.json the process's CPU seconds since SIGUSR1 and, per part,
the CPU seconds (thread time) and the number of calls: the render queue's jobs (``chaingame.ui.live``)
by priority, the handling of each message a page sent (Solara's ``process_kernel_messages``: clicks,
typed values; with the busy and idle status messages it answers), and each message sent to a page
(``SessionWebsocket.send``, in the sending thread: within a render's or a message's time, which
send them), and the pages' heartbeats (``/readyz``: counted; their thread time is only Solara's answer).
The rest of the process's time is the event loop's
(the websockets' reads and writes, HTTP requests such as the heartbeats' requests around that answer).
The counters are put in place at the first SIGUSR1, once the server has loaded its app.
"""

from __future__ import annotations

import collections
import json
import signal
import sys
import threading
import time

OUT = sys.argv.pop(1)
spent: dict[str, float] = collections.defaultdict(float)
calls: collections.Counter = collections.Counter()
lock = threading.Lock()
counting = [False]
since = [0.0]


def add(part: str, seconds: float) -> None:
    if counting[0]:
        with lock:
            spent[part] += seconds
            calls[part] += 1


def timed(part, fn):
    def wrapper(*args, **kwargs):
        t = time.thread_time()
        try:
            return fn(*args, **kwargs)
        finally:
            add(part, time.thread_time() - t)
    return wrapper


def install() -> None:
    import solara.server.kernel as kernel
    import solara.server.server as server

    from chaingame.ui import live

    take = live._Renders._next

    def next_job(self):
        priority, job = take(self)
        return priority, timed("render, urgent" if priority == live.URGENT else "render, deferred", job)

    live._Renders._next = next_job
    server.process_kernel_messages = timed("a page's message handled", server.process_kernel_messages)
    kernel.SessionWebsocket.send = timed("a message sent to a page", kernel.SessionWebsocket.send)  # classroom.SENT
    server.readyz = timed("a heartbeat (/readyz)", server.readyz)  # its answer only, not the HTTP around it


def start(*_) -> None:
    if not install.done:
        install()
        install.done = True
    with lock:
        spent.clear()
        calls.clear()
    since[0] = time.process_time()
    counting[0] = True


install.done = False


def dump(*_) -> None:
    counting[0] = False
    with open(OUT, "w") as f:
        json.dump({"process_cpu_s": time.process_time() - since[0],
                   "parts": {part: {"cpu_s": spent[part], "calls": calls[part]} for part in spent}}, f, indent=1)


signal.signal(signal.SIGUSR1, start)
signal.signal(signal.SIGUSR2, dump)
sys.argv = ["chaingame", *sys.argv[1:]]  # chaingame play's command line
from chaingame.cli import main  # noqa: E402  (after the signal handlers: a signal may come while it loads)

sys.exit(main())
