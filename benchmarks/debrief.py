"""The debrief of a big session: its first computation and a cached read, for 10, 30 and 100 teams.

Sessions are made through the service API on a fresh SQLite file: ``create_session``, ``join`` and
``submit`` for the human seats, ``start`` filling the rest with bots, played to the end (the session
ends itself), then ``debrief``. Two kinds of session per size:

- ``bots``: every seat a bot (every team plays the same game);
- ``mixed``: players in half the seats of every team (seat (t, f) with t + f even), each ordering
  :func:`human_order`, so that no two teams play the same game.

For each it prints the seconds of the first debrief (the insight of every team: fitted rules,
externalities, the best possible, and the tables), of a second (cached) one, and of a debrief after
the service is reopened on the same file (read back from the database, nothing cached in this process).

Usage: .venv/bin/python benchmarks/debrief.py [--teams 10 30 100] [--weeks 36] [--kinds bots mixed]
       [--scenario classic] [--out results.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from chaingame.classroom import Classroom, report


def human_order(team: int, firm: int, week: int) -> int:
    """What the player of seat (team, firm index) orders in ``week``: a varying order, different per team."""
    return 2 + (week * (firm + 2) + 3 * team) % 9 + (week > 10) * (team % 4)


def human_seats(teams: int, firms: list[str], kind: str) -> list[tuple[int, str]]:
    """The seats players take: none for ``bots``, half of every team's for ``mixed``."""
    if kind == "bots":
        return []
    return [(t, f) for t in range(1, teams + 1) for i, f in enumerate(firms) if (t + i) % 2 == 0]


def make_session(room: Classroom, scenario: str, teams: int, weeks: int, kind: str) -> tuple[str, str, list]:
    """A session played to its end through the service; its code, host key and the players' seats."""
    ticket = room.create_session(scenario, teams=teams, weeks=weeks)
    firms = [f for f, _ in room.join_view(ticket.code).firms]
    seats = [(t, firms.index(f), room.join(ticket.code, f"P{t}-{f}", team=t, firm=f).token)
             for t, f in human_seats(teams, firms, kind)]
    room.start(ticket.code, ticket.host_key)
    play(room, seats, weeks)
    return ticket.code, ticket.host_key, seats


def play(room: Classroom, seats: list, weeks: int, until: int | None = None) -> None:
    """Each player (team, firm index, token) submits :func:`human_order` for ``weeks`` weeks, up to week ``until``."""
    for _ in range(weeks):
        for t, i, token in seats:
            view = room.seat_view(token)
            if view.can_submit and (until is None or view.week <= until):
                order = view.fixed_order if view.fixed_order is not None else human_order(t, i, view.week)
                room.submit(token, view.week, order)


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def measure(scenario: str, teams: int, weeks: int, kind: str) -> dict:
    """Seconds of the first, a cached and a read-back debrief of one session."""
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "classroom.db"
        room = Classroom(db)
        try:
            t0 = time.perf_counter()
            code, key, _ = make_session(room, scenario, teams, weeks, kind)
            made = time.perf_counter() - t0
            if room.host_view(code, key).status != "ended":
                raise SystemExit(f"the {kind} session of {teams} teams did not end")
            first = timed(lambda: room.debrief(code, key))
            cached = timed(lambda: room.debrief(code, key))
        finally:
            room.close()
        report.clear_cache()  # the process-wide insight cache: the reopened service starts cold
        room = Classroom(db)
        try:
            read_back = timed(lambda: room.debrief(code))
        finally:
            room.close()
    return {"scenario": scenario, "teams": teams, "weeks": weeks, "kind": kind, "session_s": round(made, 2),
            "first_s": round(first, 3), "cached_s": round(cached, 5), "read_back_s": round(read_back, 3)}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--teams", type=int, nargs="+", default=[10, 30, 100])
    ap.add_argument("--weeks", type=int, default=36)
    ap.add_argument("--kinds", nargs="+", default=["bots", "mixed"], choices=["bots", "mixed"])
    ap.add_argument("--scenario", default="classic")
    ap.add_argument("--out", help="write the figures as JSON here")
    args = ap.parse_args(argv)
    rows = []
    print(f"{'kind':6} {'teams':>5} {'weeks':>5} {'first (s)':>10} {'cached (s)':>11} {'read back (s)':>14}")
    for kind in args.kinds:
        for teams in args.teams:
            r = measure(args.scenario, teams, args.weeks, kind)
            rows.append(r)
            print(f"{kind:6} {teams:5d} {args.weeks:5d} {r['first_s']:10.2f} {r['cached_s']:11.5f} "
                  f"{r['read_back_s']:14.2f}", flush=True)
    if args.out:
        Path(args.out).write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    sys.exit(main())
