"""The host page's list of sessions, read again every few seconds: the cost of one read (docs/classroom.md).

A database holding ``--sessions`` sessions (classic, 4 teams or enough for the players) of which the browser
hosts ``--hosted``, each with ``--players`` players seated, one of them running. Prints the median and worst
wall and CPU time of ``Classroom.sessions_of`` (the read behind each refresh), and the same for the read
it replaces (one ``Store.sessions(code=...)`` per hosted session, with its scenario JSON). A refresh
that finds the list unchanged sends the browser nothing: its cost is this read and one comparison.

Usage: .venv/bin/python benchmarks/host_list.py [--sessions 300] [--hosted 20] [--players 16] [--reads 200]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path


def timed(fn, reads: int) -> tuple[list[float], list[float]]:
    """Wall and thread-CPU times (ms) of ``reads`` calls of ``fn``."""
    wall, cpu = [], []
    for _ in range(reads):
        w, c = time.perf_counter(), time.thread_time()
        fn()
        cpu.append((time.thread_time() - c) * 1e3)
        wall.append((time.perf_counter() - w) * 1e3)
    return wall, cpu


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=300)
    ap.add_argument("--hosted", type=int, default=20)
    ap.add_argument("--players", type=int, default=16)
    ap.add_argument("--reads", type=int, default=200)
    args = ap.parse_args(argv)
    from chaingame.classroom import Classroom

    with tempfile.TemporaryDirectory() as tmp:
        c = Classroom(Path(tmp) / "classroom.sqlite3")
        teams = max(4, -(-args.players // 4))  # enough seats for the players
        tickets = [c.create_session("classic", teams=teams, title=f"class {n}") for n in range(args.sessions)]
        hosted = tickets[-args.hosted:]
        for t in hosted:
            for p in range(args.players):
                c.join(t.code, f"P{p}")
        c.start(hosted[-1].code, hosted[-1].host_key)  # one of them running
        keys = {t.code: t.host_key for t in hosted}
        listed = c.sessions_of(keys)
        assert len(listed) == args.hosted and all(h.players == args.players for h in listed), listed[:2]
        new_wall, new_cpu = timed(lambda: c.sessions_of(keys), args.reads)
        old_wall, old_cpu = timed(lambda: [c._store.sessions(code=code) for code in keys], args.reads)
        c.close()
    print(f"{args.sessions} sessions stored, {args.hosted} hosted with {args.players} players each, "
          f"{args.reads} reads")
    for name, wall, cpu in (("sessions_of (each refresh)", new_wall, new_cpu),
                            ("before: one sessions(code=) per session", old_wall, old_cpu)):
        print(f"{name:42s} wall median {statistics.median(wall):.2f} ms, worst {max(wall):.2f} ms; "
              f"CPU median {statistics.median(cpu):.2f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
