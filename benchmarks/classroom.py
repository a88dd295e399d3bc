"""Classroom load: 10 teams x 4 player pages (and the host's dashboard) through a whole game.

Starts ``chaingame play`` on a free local port with a fresh database, opens the host page and one
real Chromium page per player (each in its own browser context, as on 40 devices), and plays
every week: each player types an order and clicks. For every week of every team it measures the
time from the click of the team's last submission to the moment every teammate's page shows the
next week (both instants taken in the browser pages, on this machine's clock, by a
MutationObserver on the week label). Prints p50/p95/max and the server's peak resident memory.

All clients run on the same 2-core machine as the server, so the figures are pessimistic for a
real classroom, where the browsers run on the students' devices. ``--kernels`` measures the
server's share alone: the same pages as Solara virtual kernels in this process (no browser, no
websocket), timing the last submission's click until every page of the game has re-rendered.

Usage: .venv/bin/python benchmarks/classroom.py [--teams 10] [--weeks 36] [--kernels] [--out results.json]
Needs playwright (pip install .[test]) and /usr/bin/chromium, except with --kernels.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
WAIT = 60_000  # ms: generous waits; the figures come from the pages' own clocks, not from these
SEATS = 4  # players per team (the classic chain)

# Records when the week label first shows each week, and when a button was last clicked (epoch ms).
INSTRUMENT = """
window.__seen = {}; window.__click = 0;
document.addEventListener('click', () => { window.__click = performance.timeOrigin + performance.now(); }, true);
new MutationObserver(() => {
  const el = document.querySelector('[data-testid=week]');
  const m = el && el.textContent.match(/week (\\d+) of/);
  if (m && !(m[1] in window.__seen)) window.__seen[m[1]] = performance.timeOrigin + performance.now();
}).observe(document, {subtree: true, childList: true, characterData: true});
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, db: Path, log: Path) -> subprocess.Popen:
    env = {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False"}
    proc = subprocess.Popen([sys.executable, "-m", "chaingame.cli", "play", "--port", str(port), "--db", str(db)],
                            stdout=log.open("w"), stderr=subprocess.STDOUT, env=env)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"chaingame play exited:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2):
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("chaingame play did not start in 90 s")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def order_for(week: int, seat: int) -> str:
    return "4" if week <= 4 else str(6 + 2 * seat + (week % 3) * (seat + 1))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--teams", type=int, default=10)
    ap.add_argument("--weeks", type=int, default=36, help="game length (classic: 36 weeks)")
    ap.add_argument("--kernels", action="store_true", help="server side only: virtual kernels, no browser")
    ap.add_argument("--out", help="also write the figures as JSON here")
    args = ap.parse_args(argv)
    if args.kernels:
        return kernels(args)
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="chaingame-bench-"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = start_server(port, tmp / "classroom.sqlite3", tmp / "server.log")
    latencies: list[float] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            host = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
            host.goto(f"{url}/host")
            host.get_by_label("Teams").fill(str(args.teams))
            host.get_by_label("Weeks (empty: the scenario's)").fill(str(args.weeks))
            host.get_by_role("button", name="Create session").click()
            code = host.get_by_test_id("join-code").inner_text(timeout=WAIT).strip()

            t0 = time.perf_counter()
            teams: list[list] = []
            for t in range(args.teams):
                team = []
                for s in range(SEATS):
                    ctx = browser.new_context(viewport={"width": 1000, "height": 800})
                    ctx.add_init_script(INSTRUMENT)
                    page = ctx.new_page()
                    page.goto(f"{url}/?code={code}")
                    page.get_by_label("Your name").fill(f"t{t + 1}s{s + 1}")
                    page.get_by_role("button", name="Join", exact=True).click()
                    page.get_by_test_id("seat").wait_for(timeout=WAIT)
                    team.append(page)
                teams.append(team)
            print(f"{args.teams * SEATS} players joined in {time.perf_counter() - t0:.1f} s; "
                  f"playing {args.weeks} weeks")
            host.get_by_role("button", name="Start").click()

            t0 = time.perf_counter()
            for week in range(1, args.weeks + 1):
                for team in teams:
                    for s, page in enumerate(team):
                        field = page.get_by_label("Order (units)")
                        field.wait_for(timeout=WAIT)
                        field.fill(order_for(week, s))
                        page.get_by_role("button", name="Submit order").click()
                if week == args.weeks:
                    break
                for team in teams:
                    for page in team:
                        page.get_by_test_id("week").filter(has_text=f"week {week + 1} of").wait_for(timeout=WAIT)
                    clicked = team[-1].evaluate("() => window.__click")
                    shown = max(page.evaluate(f"() => window.__seen['{week + 1}']") for page in team)
                    latencies.append((shown - clicked) / 1000)
                if week % 5 == 0:
                    print(f"  week {week}: p95 so far {quantile(latencies, 0.95):.3f} s")
            for team in teams:
                for page in team:
                    page.get_by_test_id("state").filter(has_text="The game is over").wait_for(timeout=WAIT)
            played = time.perf_counter() - t0
            browser.close()
        rss = peak_rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)

    figures = {
        "teams": args.teams, "players": args.teams * SEATS, "weeks": args.weeks, "transitions": len(latencies),
        "p50_s": quantile(latencies, 0.5), "p95_s": quantile(latencies, 0.95), "max_s": max(latencies),
        "server_peak_rss_mb": rss, "game_wall_s": played,
    }
    print(f"{figures['players']} player pages, {args.teams} teams, {args.weeks} weeks, "
          f"{len(latencies)} week changes measured")
    print(f"last submission -> every teammate's page shows the next week: p50 {figures['p50_s']:.3f} s, "
          f"p95 {figures['p95_s']:.3f} s, max {figures['max_s']:.3f} s (target p95 < 0.5 s)")
    print(f"server peak memory (VmHWM): {rss:.0f} MB; the whole game took {played:.0f} s of wall time")
    if args.out:
        Path(args.out).write_text(json.dumps(figures, indent=2) + "\n")
    return 0


def kernels(args) -> int:
    """The same game with every page a virtual kernel in this process (the server's work only)."""
    import json as _json
    import resource

    from chaingame.classroom import Classroom, process
    from chaingame.ui.testing import Tab

    tmp = Path(tempfile.mkdtemp(prefix="chaingame-bench-"))
    classroom = Classroom(tmp / "classroom.sqlite3")
    process.set_classroom(classroom)
    ticket = classroom.create_session("classic", teams=args.teams, weeks=args.weeks)
    Tab(f"/host?code={ticket.code}", stored=_json.dumps({ticket.code: ticket.host_key}))
    teams = []
    for t in range(args.teams):
        team = []
        for s in range(SEATS):
            tab = Tab(f"/?code={ticket.code}")
            tab.fill("Your name", f"t{t + 1}s{s + 1}")
            tab.click("Join")
            team.append(tab)
        teams.append(team)
    classroom.start(ticket.code, ticket.host_key)
    latencies = []
    t0 = time.perf_counter()
    for week in range(1, args.weeks + 1):
        for team in teams:
            for s, tab in enumerate(team):
                tab.fill("Order (units)", order_for(week, s))
                start = time.perf_counter()
                tab.click("Submit order")  # the service notifies every page before the click returns
                if s == SEATS - 1 and week < args.weeks:
                    latencies.append(time.perf_counter() - start)
                    for other in team:
                        assert f"week {week + 1} of" in other.text("week")
    played = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"server side only: {args.teams * SEATS} player pages + the host's as virtual kernels, "
          f"{args.weeks} weeks, {len(latencies)} week changes")
    print(f"last submission -> every page re-rendered: p50 {quantile(latencies, 0.5):.3f} s, "
          f"p95 {quantile(latencies, 0.95):.3f} s, max {max(latencies):.3f} s")
    print(f"process peak memory (ru_maxrss): {rss:.0f} MB; the game took {played:.1f} s")
    if args.out:
        Path(args.out).write_text(_json.dumps({"mode": "kernels", "p50_s": quantile(latencies, 0.5),
                                               "p95_s": quantile(latencies, 0.95), "peak_rss_mb": rss}) + "\n")
    return 0


def quantile(xs: list[float], q: float) -> float:
    if len(xs) < 2:
        return xs[0] if xs else float("nan")
    return statistics.quantiles(xs, n=100, method="inclusive")[round(q * 100) - 1]


if __name__ == "__main__":
    sys.exit(main())
