"""A seat page's week-change render: its CPU time, widgets updated, messages sent (docs/classroom.md, Speed).

The real service and seat pages as virtual kernels in this process (``--teams`` teams of 4); the
render queue of :mod:`chaingame.ui.live` is replaced by a list, so each queued render runs in the
main thread, one at a time, and its thread CPU time is its own. From week 3 on (the page past its
first weeks), every urgent render (a new week) is timed and its widget messages to the browser
counted (the widget state changes a browser would receive); ``--profile`` prints cProfile's top
functions of those renders. ``REACTON_FAST=0`` in the environment measures reacton's classic renderer.
It also counts, per render, the elements reacton visits and the components it runs (their functions
called). ``--acks``: three players of each team order first and their pages' renders showing the
decision ("You ordered 4 ... Waiting for") are timed too, then the fourth orders (the week change).
Each click is also timed (CPU): its handling as the server does it, the page's message through
Solara's ``process_kernel_messages`` (the comm message, the busy and idle replies, the order box's
handler: the service's submit with its SQLite commit and the teammates' pages' reads), and, for
each team's second click, the same event given to the order box's handler alone (``--profile``
also prints the top functions of the clicks handled as the server does, by cumulative time).

Usage: .venv/bin/python benchmarks/seat_render.py [--teams 4] [--weeks 10] [--profile] [--acks]
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import pstats
import statistics
import tempfile
import time
from pathlib import Path


def comm_msg(box, data: dict, msg_id: str) -> dict:
    """The Jupyter message a page sends on a submit: the order box's ``send_order`` event with ``data``."""
    return {"header": {"msg_type": "comm_msg", "msg_id": msg_id, "session": "bench", "username": "bench",
                       "date": "2026-12-07T00:00:00Z", "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"comm_id": box.comm.comm_id,
                        "data": {"method": "custom", "content": {"event": "send_order", "data": data}}}}


def report(what: str, renders: list) -> None:
    """One line: CPU per render (median, mean), widgets updated, messages, elements visited, components run."""
    def mean(i):
        return statistics.mean(r[i] for r in renders)

    cpu = [r[0] for r in renders]
    print(f"{len(renders)} {what}: CPU median {statistics.median(cpu) * 1000:.2f} ms, mean "
          f"{statistics.mean(cpu) * 1000:.2f} ms; per render: widgets updated {mean(1):.1f}, widget messages sent "
          f"{mean(2):.2f}, elements visited {mean(3):.1f}, components run {mean(4):.1f}; load average "
          f"{os.getloadavg()[0]:.1f}")


def counted(owner, name: str) -> list[int]:
    """Count the calls of method ``name`` of class ``owner`` from now on: the count is the list's one item."""
    calls, method = [0], getattr(owner, name)

    def wrapper(self, *args, **kwargs):
        calls[0] += 1
        return method(self, *args, **kwargs)

    setattr(owner, name, wrapper)
    return calls


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--teams", type=int, default=4)
    ap.add_argument("--weeks", type=int, default=10)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--acks", action="store_true", help="time the renders of the decision too (three orders first)")
    args = ap.parse_args(argv)
    if args.teams < 1 or args.weeks < 4:
        raise SystemExit(f"--teams {args.teams} --weeks {args.weeks}: allowed at least 1 team and 4 weeks")

    import ipywidgets
    import reacton.core
    from solara.server.server import process_kernel_messages

    from chaingame.classroom import Classroom, process
    from chaingame.ui import live
    from chaingame.ui.testing import Tab

    pending: list = []
    live.renders.put = lambda job, priority, wait=0.0: pending.append((priority, job))
    updates = counted(reacton.core.Element, "_update_widget")  # widgets updated
    messages = counted(ipywidgets.Widget, "_send")  # widget messages to the browser
    visits = counted(reacton.core._RenderContextFast, "_render")  # elements reacton visits
    profile, clicking = cProfile.Profile(), cProfile.Profile()
    classroom = Classroom(Path(tempfile.mkdtemp(prefix="chaingame-seat-")) / "classroom.sqlite3")
    process.set_classroom(classroom)
    ticket = classroom.create_session("classic", teams=args.teams, weeks=args.weeks + 2)

    components: list = []  # every component of the pages (their render_count: functions called)

    def runs() -> int:
        return sum(c.render_count for c in components)

    def drain(measure: bool, kind=live.URGENT) -> list[tuple[float, int, int, int, int]]:
        out = []
        while pending:
            pending.sort(key=lambda p: p[0])
            priority, job = pending.pop(0)
            r, e = runs(), visits[0]
            t, n, m = time.thread_time(), updates[0], messages[0]
            if measure and args.profile:
                profile.enable()
            job()
            if measure and args.profile:
                profile.disable()
            if measure and priority == kind:
                out.append((time.thread_time() - t, updates[0] - n, messages[0] - m, visits[0] - e, runs() - r))
        return out

    pages = []
    for t in range(args.teams):
        for s in range(4):
            tab = Tab(f"/?code={ticket.code}")
            tab.fill("Your name", f"t{t + 1}s{s + 1}")
            tab.click("Join")
            pages.append(tab)
            drain(False)
    classroom.start(ticket.code, ticket.host_key)
    drain(False)
    components += [o for o in gc.get_objects() if isinstance(o, reacton.core.ComponentFunction)]
    renders, acks, clicks, handled, closing = [], [], [], [], []
    for week in range(1, args.weeks + 1):
        for i, tab in enumerate(pages):
            box = tab.order_box()
            data = {"week": box.week, "order": "4"}
            t = time.thread_time()
            with tab:  # as the server handles the page's message, under its kernel
                if i % 4 == 1:  # the handler alone
                    box._handle_event(None, {"event": "send_order", "data": data}, [])
                else:
                    if args.profile and week >= 3:
                        clicking.enable()
                    process_kernel_messages(tab.context.kernel, comm_msg(box, data, f"{week}-{i}"))
                    if args.profile and week >= 3:
                        clicking.disable()
            if week >= 3:  # the fourth click of a team also closes its week (the engine's step, the next week)
                (handled if i % 4 == 1 else closing if i % 4 == 3 else clicks).append(time.thread_time() - t)
            if args.acks and i % 4 == 2:  # three of the team's four have ordered
                acks += drain(week >= 3, live.DEFERRED)
            elif args.acks and i % 4 == 3:  # the team's week change, before the next team's orders
                renders += drain(week >= 3)
        renders += drain(week >= 3)
        for tab in pages:
            assert f"week {week + 1} of" in tab.text("week"), tab.text("week")
    renderer = "fast" if os.environ.get("REACTON_FAST") == "1" else "classic"
    report(f"week-change renders of seat pages (reacton's {renderer} renderer)", renders)
    if args.acks:
        report("renders of a seat page showing its decision", acks)
    print(f"{len(clicks)} clicks handled as the server does (Solara's process_kernel_messages): CPU median "
          f"{statistics.median(clicks) * 1000:.2f} ms ({statistics.median(closing) * 1000:.2f} ms for the "
          f"{len(closing)} that closed their team's week); {len(handled)} given to the order box's handler alone: "
          f"{statistics.median(handled) * 1000:.2f} ms")
    if args.profile:
        pstats.Stats(profile).sort_stats("tottime").print_stats(25)
        pstats.Stats(clicking).sort_stats("cumulative").print_stats(40)
    for tab in pages:
        tab.close()
    classroom.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
