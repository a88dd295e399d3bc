"""Can anyone stall another class? Every expensive call a visitor or a teacher can make, measured.

Issue 13 item 7: a large session's start, end, duplicate, reopen and next round, its debrief (with
the insight fits for every seat), its export, the host's and the projector's views of 100 teams,
the sessions list of hundreds of sessions, a restart on a database of many sessions, 500 joins and
1,000 refused inputs a second. While each runs in its own thread, *another class* (4 teams of 4
players, one thread per team, each submitting its seats' orders one after the other with
``PAUSE`` between them) keeps playing; every submission's latency is timed. A row: the case, the
wall time of the expensive call, how many of the other class's submissions overlapped it, their
median and worst latency, and the longest full garbage collection meanwhile (it pauses every thread).
The bound is 0.5 s (tests/classroom/test_isolation.py asserts it).

Usage: .venv/bin/python benchmarks/freeze.py [--only CASE ...] [--out results.json]
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import tempfile
import threading
import time
import weakref
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from chaingame.classroom import Classroom  # noqa: E402
from chaingame.classroom.inputs import MAX_TEAM_WEEKS  # noqa: E402
from chaingame.classroom.service import ENDED_IN_MEMORY  # noqa: E402

gc.collect()
gc.freeze()  # as `chaingame play` does after its imports: a full collection scans what the classes made only

FIRMS = ("retailer", "wholesaler", "distributor", "factory")
PAUSE = 0.01  # s between one player's submission and the next of the same team's thread
BOUND = 0.5  # s: the worst delay another class's submission may suffer (issue 13 item 7)
BIG_TEAMS, BIG_WEEKS = 100, MAX_TEAM_WEEKS // 100  # the largest session allowed: 100 teams x 52 weeks


class OtherClass:
    """4 teams of 4 players on the classic board (520 weeks: never runs out), submitting in 4 threads."""

    def __init__(self, room: Classroom, teams: int = 4):
        self.room = room
        self.host = room.create_session("classic", teams=teams, weeks=min(520, MAX_TEAM_WEEKS // teams))
        self.seats = {t: [room.join(self.host.code, f"P{t}{f[0]}", team=t, firm=f) for f in FIRMS]
                      for t in range(1, teams + 1)}
        room.start(self.host.code, self.host.host_key)
        self.times: list[tuple[float, float]] = []  # (start, latency) of each submission
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._play, args=(t,), daemon=True) for t in self.seats]

    def _play(self, team: int) -> None:
        room = self.room
        while not self._stop.is_set():
            for ticket in self.seats[team]:
                v = room.seat_view(ticket.token)
                if not v.can_submit:
                    continue
                order = v.fixed_order if v.fixed_order is not None else 4 + v.week % 5
                t0 = time.perf_counter()
                try:
                    room.submit(ticket.token, v.week, order)
                except Exception as e:  # noqa: BLE001 - reported, not hidden
                    self.errors.append(f"{type(e).__name__}: {e}")
                self.times.append((t0, time.perf_counter() - t0))
                time.sleep(PAUSE)

    def __enter__(self) -> OtherClass:
        for th in self._threads:
            th.start()
        time.sleep(0.3)  # playing before the expensive call begins
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        for th in self._threads:
            th.join()

    def during(self, t0: float, t1: float) -> list[float]:
        """Latencies of the submissions that overlapped [t0, t1]."""
        return [lat for start, lat in list(self.times) if start <= t1 and start + lat >= t0]


_gc = {"start": 0.0, "pauses": []}  # (when it ended, how long) of each full (generation 2) collection


def _on_gc(phase: str, info: dict) -> None:
    if info["generation"] == 2:
        if phase == "start":
            _gc["start"] = time.perf_counter()
        else:
            _gc["pauses"].append((time.perf_counter(), time.perf_counter() - _gc["start"]))


gc.callbacks.append(_on_gc)


def gc_pause(t0: float, t1: float) -> float:
    """The longest full collection (every thread waits for it) that ended within [t0, t1], in ms."""
    return round(max([d for end, d in _gc["pauses"] if t0 <= end <= t1 + 0.5] or [0.0]) * 1000, 1)


def measure(room: Classroom, name: str, call, repeat: int = 1) -> dict:
    """Run ``call`` (``repeat`` times) in a thread while the other class plays; one row of the table."""
    with OtherClass(room) as other:
        box = {}

        def run():
            try:
                for _ in range(repeat):
                    box["result"] = call()
            except Exception as e:  # noqa: BLE001
                box["error"] = f"{type(e).__name__}: {e}"

        t0 = time.perf_counter()
        th = threading.Thread(target=run)
        th.start()
        th.join()
        t1 = time.perf_counter()
        time.sleep(0.2)  # submissions that began during the call finish
    lat = other.during(t0, t1)
    row = {"case": name, "wall_s": round(t1 - t0, 3), "submissions": len(lat),
           "median_ms": round(statistics.median(lat) * 1000, 1) if lat else None,
           "worst_ms": round(max(lat) * 1000, 1) if lat else None,
           "gc_ms": gc_pause(t0, t1), "error": box.get("error"), "other_errors": other.errors[:3]}
    print(f"{name:<46} {row['wall_s']:>8.2f} s  {row['submissions']:>5}  "
          f"{row['median_ms'] or 0:>7.1f}  {row['worst_ms'] or 0:>8.1f} ms  {row['gc_ms']:>6.1f} ms"
          f"{'  ERROR ' + row['error'] if row['error'] else ''}"
          f"{'  OTHER ' + '; '.join(other.errors[:2]) if other.errors else ''}", flush=True)
    return row


def big(room: Classroom, weeks: int = BIG_WEEKS, teams: int = BIG_TEAMS, **kw):
    return room.create_session("classic", teams=teams, weeks=weeks, **kw)


def ended_big(room: Classroom, teams: int = BIG_TEAMS, weeks: int = BIG_WEEKS):
    h = big(room, weeks, teams)
    room.start(h.code, h.host_key)  # all bots: plays to the end
    return h


# the cases ----------------------------------------------------------------------------------------
def case_start(room):
    h = big(room)
    return [measure(room, f"start {BIG_TEAMS}x{BIG_WEEKS} all-bot", lambda: room.start(h.code, h.host_key))]


def case_start_long(room):
    teams = MAX_TEAM_WEEKS // 520
    h = big(room, 520, teams)
    return [measure(room, f"start {teams}x520 all-bot", lambda: room.start(h.code, h.host_key))]


def case_create(room):
    return [measure(room, f"create {BIG_TEAMS}x{BIG_WEEKS} (x5)", lambda: big(room), repeat=5)]


def case_end(room):
    h = big(room)
    room.start(h.code, h.host_key, fill_with_bots=False)
    return [measure(room, f"end a running {BIG_TEAMS}-team session", lambda: room.end(h.code, h.host_key))]


def case_duplicate(room):
    h = ended_big(room)
    return [measure(room, f"duplicate {BIG_TEAMS}x{BIG_WEEKS} (x5)", lambda: room.duplicate(h.code, h.host_key),
                    repeat=5)]


def case_reopen(room):
    teams = 10
    h = room.create_session("classic", teams=teams, weeks=260)
    room.start(h.code, h.host_key)  # all bots: ended
    more = MAX_TEAM_WEEKS // teams - 260
    return [measure(room, f"reopen {teams}x260 +{more} weeks (bots play on)",
                    lambda: room.reopen(h.code, h.host_key, more))]


def case_start_round(room):
    h = ended_big(room)

    def next_round():
        room.start_round(h.code, h.host_key)
        room.start(h.code, h.host_key)

    return [measure(room, f"start_round + start {BIG_TEAMS}x{BIG_WEEKS}", next_round)]


def case_debrief(room):
    h = ended_big(room)
    rows = [measure(room, f"debrief {BIG_TEAMS}x{BIG_WEEKS} (insight, first)", lambda: room.debrief(h.code))]
    rows.append(measure(room, f"debrief {BIG_TEAMS}x{BIG_WEEKS} (cached, x3)", lambda: room.debrief(h.code),
                        repeat=3))
    return rows


def case_debrief_crowd(room):
    """Eight visitors open the same large debrief at once (each in its own thread, as the server would)."""
    h = ended_big(room, teams=50, weeks=104)

    def crowd():
        ths = [threading.Thread(target=room.debrief, args=(h.code,)) for _ in range(8)]
        for th in ths:
            th.start()
        for th in ths:
            th.join()

    return [measure(room, "8 debriefs at once of 50x104 (first)", crowd)]


def case_export(room):
    h = ended_big(room)
    return [measure(room, f"export csv {BIG_TEAMS}x{BIG_WEEKS}", lambda: room.export(h.code, h.host_key, "csv")),
            measure(room, f"export parquet {BIG_TEAMS}x{BIG_WEEKS}",
                    lambda: room.export(h.code, h.host_key, "parquet"))]


def case_views(room):
    h = ended_big(room)  # every week played: the costs summed over 52 weeks
    return [measure(room, f"host_view of {BIG_TEAMS} teams (x50)", lambda: room.host_view(h.code, h.host_key), 50),
            measure(room, f"projector_view of {BIG_TEAMS} teams (x50)", lambda: room.projector_view(h.code), 50)]


def case_sessions_list(room):
    keys = {}
    for _ in range(300):
        t = room.create_session("classic")
        keys[t.code] = t.host_key
    return [measure(room, "sessions_of 300 sessions (x10)", lambda: room.sessions_of(keys), 10)]


def case_joins(room):
    h = big(room)
    return [measure(room, "500 joins (400 seats, 100 refused)", lambda: _joins(room, h.code, 500))]


def _joins(room, code, n):
    for i in range(n):
        try:
            room.join(code, f"J{i}")
        except Exception:  # noqa: BLE001 - the 100 beyond the seats are refused
            pass


def case_refused(room):
    h = room.create_session("classic")
    t = room.join(h.code, "Eve")
    room.start(h.code, h.host_key)

    def flood():  # 1,000 refused inputs in one second
        end = time.perf_counter() + 1.0
        for i in range(1000):
            for bad in (lambda: room.submit(t.token, 1, "lots"), lambda: room.submit("nope", 1, 4),
                        lambda: room.join("ZZZZZZ", "x"), lambda: room.submit(t.token, 10**400, 4)):
                try:
                    bad()
                except Exception:  # noqa: BLE001 - every one is refused
                    pass
            time.sleep(max(0.0, (end - time.perf_counter()) / (1000 - i)))

    return [measure(room, "4,000 refused inputs in about 1 s", flood)]


def case_restart(room, db: Path):
    """A restart on a database of 200 ended and 50 live sessions: its wall time, and the other class waiting."""
    for _ in range(200):
        h = room.create_session("classic", teams=4)
        room.start(h.code, h.host_key)  # all bots: ended
    for _ in range(50):
        h = room.create_session("classic", teams=10, weeks=52)
        room.join(h.code, "Ann", team=1, firm="retailer")
        room.start(h.code, h.host_key)  # running, waiting on Ann in week 1; the other teams played on
    other = OtherClass(room)  # its threads start after the restart
    room.close()
    t0 = time.perf_counter()
    room2 = Classroom(db)
    took = time.perf_counter() - t0
    other.room = room2
    for th in other._threads:
        th.start()
    wait = getattr(room2, "wait_loaded", lambda: True)  # before the fix, the constructor loaded everything
    wait()
    t1 = time.perf_counter()
    time.sleep(0.2)
    other.__exit__()
    lat = other.during(t0, t1)
    name = "restart: 200 ended + 50 live sessions"
    row = {"case": name, "wall_s": round(took, 3), "loaded_s": round(t1 - t0, 3), "submissions": len(lat),
           "median_ms": round(statistics.median(lat) * 1000, 1) if lat else None,
           "worst_ms": round(max(lat) * 1000 + took * 1000, 1) if lat else None, "gc_ms": gc_pause(t0, t1),
           "error": None,
           "other_errors": other.errors[:3]}
    print(f"{name:<46} {took:>8.2f} s  {len(lat):>5}  {row['median_ms'] or 0:>7.1f}  {row['worst_ms'] or 0:>8.1f} ms  "
          f"{row['gc_ms']:>6.1f} ms"
          f"  (all loaded after {t1 - t0:.2f} s; worst = the constructor + the slowest submission)", flush=True)
    return [row], room2


def case_memory(room):
    """200 ended sessions held one after another: only ENDED_IN_MEMORY stay (weak references tell)."""
    refs = []
    for _ in range(200):
        h = room.create_session("classic", teams=2)
        room.start(h.code, h.host_key)
        room.debrief(h.code)
        refs.append(weakref.ref(room._session(h.code)))
    gc.collect()
    alive = sum(r() is not None for r in refs)
    print(f"memory: 200 ended sessions, {alive} still in memory (ENDED_IN_MEMORY = {ENDED_IN_MEMORY})", flush=True)
    return [{"case": "200 ended sessions held", "in_memory": alive, "allowed": ENDED_IN_MEMORY}]


CASES = {"start": case_start, "start_long": case_start_long, "create": case_create, "end": case_end,
         "duplicate": case_duplicate, "reopen": case_reopen, "start_round": case_start_round,
         "debrief": case_debrief, "debrief_crowd": case_debrief_crowd, "export": case_export, "views": case_views,
         "sessions_list": case_sessions_list, "joins": case_joins, "refused": case_refused, "memory": case_memory,
         "restart": case_restart}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="*", choices=sorted(CASES), help="cases to run (default: all)")
    ap.add_argument("--out", help="write the rows as JSON here")
    a = ap.parse_args(argv)
    rows = []
    print(f"{'case':<46} {'wall':>10}  {'subs':>5}  {'median':>7}  {'worst':>11}  {'full gc':>9}")
    for name in a.only or CASES:
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "classroom.db"
            room = Classroom(db)
            try:
                if name == "restart":
                    out, room = CASES[name](room, db)
                else:
                    out = CASES[name](room)
                rows += out
            finally:
                room.close()
    worst = [r for r in rows if (r.get("worst_ms") or 0) > BOUND * 1000]
    print(f"\n{len(worst)} case(s) over {BOUND} s: {', '.join(r['case'] for r in worst) or 'none'}")
    if a.out:
        Path(a.out).write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
