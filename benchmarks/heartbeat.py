"""What the pages' heartbeats cost the server: its CPU per probe of the heartbeat's address.

Every seat page probes the server every ``HEARTBEAT_MS`` (chaingame/ui/connection.py) to tell a network
that dropped without closing its socket. This starts ``chaingame play`` on a free port with a fresh
database, sends ``--probes`` GET requests to ``--path`` over ``--connections`` keep-alive connections (as
browsers do), and prints the server process's CPU time per request and what ``--pages`` pages would cost
it per second, and per week's burst of ``--burst`` seconds.

Usage: .venv/bin/python benchmarks/heartbeat.py [--path /readyz] [--probes 2000] [--pages 120]
"""

from __future__ import annotations

import argparse
import http.client
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from classroom import cpu_seconds, free_port, start_server  # noqa: E402

from chaingame.ui.connection import HEARTBEAT_MS  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--path", default=None, help="the address probed (default: the pages' own)")
    ap.add_argument("--probes", type=int, default=2000)
    ap.add_argument("--connections", type=int, default=20)
    ap.add_argument("--pages", type=int, default=120)
    ap.add_argument("--burst", type=float, default=0.5, help="s: a week's burst")
    args = ap.parse_args(argv)
    if args.probes < 1 or args.connections < 1:
        ap.error(f"--probes {args.probes} --connections {args.connections}: allowed at least 1 each")
    tmp = Path(tempfile.mkdtemp(prefix="chaingame-beat-"))
    port = free_port()
    server = start_server(port, tmp / "classroom.sqlite3", tmp / "server.log")
    try:
        from chaingame.ui import connection

        path = args.path or getattr(connection, "HEARTBEAT_PATH", "/readyz")
        links = [http.client.HTTPConnection("127.0.0.1", port, timeout=30) for _ in range(args.connections)]
        for link in links:  # connected and warm
            link.request("GET", path)
            link.getresponse().read()
        cpu0, wall0 = cpu_seconds(server.pid), time.perf_counter()
        for i in range(args.probes):
            link = links[i % len(links)]
            link.request("GET", path, headers={"Cache-Control": "no-store"})
            answer = link.getresponse()
            answer.read()
            assert answer.status == 200, answer.status
        cpu, wall = cpu_seconds(server.pid) - cpu0, time.perf_counter() - wall0
    finally:
        server.terminate()
        server.wait(timeout=30)
    each = cpu / args.probes
    per_second = args.pages * 1000 / HEARTBEAT_MS
    print(f"{path}: {args.probes} probes over {args.connections} keep-alive connections in {wall:.2f} s; the server's "
          f"CPU {cpu:.3f} s, {each * 1000:.2f} ms per probe (the process's clock ticks: "
          f"{1000 / os.sysconf('SC_CLK_TCK'):.0f} ms)")
    second = per_second * each
    print(f"{args.pages} pages, one probe each every {HEARTBEAT_MS / 1000:g} s: {per_second:.0f} probes a second, "
          f"{second * 1000:.0f} ms of the server's CPU a second, {second * args.burst * 1000:.0f} ms "
          f"in a {args.burst:g} s burst; load average {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
