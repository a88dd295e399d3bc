"""Classroom load: every player of a class clicks "Submit order" at once, week after week.

Issue 13 item 9: 30 teams x 4 players on one 2-core server, all of a week's submissions arriving
within 50 ms of each other; p95 from a team's last submission to every teammate's page showing the
next week under 0.5 s, server memory under 1 GB, no lost or doubled decision. Three measurements:

``--kernels`` (the server's share): the real service and the real Solara pages (every player's and
the host's) as virtual kernels in this process, as tests/ui renders them; no browser, no websocket.
One thread per page, as the server handles each websocket in its own thread; each week every page
types its order, then all click within a 50 ms window (seeded random offsets). For each team and
week: from the start of the team's last click to the moment the week label of its last page shows
the next week (a traitlets observer on that widget, this process's clock).

default (real browsers): ``chaingame play`` on a free port with a fresh database, the host page and
one real Chromium page per player (one browser, a context per player, as on separate devices). Each
week every page types its order, then the clicks are scheduled in the pages at one instant plus a
random offset within 50 ms; both instants are taken in the pages (the click, and a MutationObserver
on the week label). The pages are opened team by team up to ``--teams``; if the machine cannot hold
more (a page fails to join), it says how many it held and plays with the complete teams.

``--clients`` (the server alone over real websockets): ``chaingame play`` on a free port, as in browser mode,
and for every player (and the host) a protocol client (``ws_clients.py``) that sends over a real
websocket what the page's browser sends: the page's request, Solara's kernel channel and ``run``,
the seat token as BrowserStore reports it, the connection guard's ``/readyz`` heartbeat and each
week the order as OrderBox sends it; all clients in this one asyncio process, so the server's
process is measured alone. The session is created, joined and started through the service on the
SQLite file before the server opens it (no join page). Each week the submissions go out at one
instant plus seeded offsets within 50 ms; latency: from the team's last submission to the moment
the last teammate's client receives the week label's new week (this process's clock). It also
prints the messages the server sent to the pages per submission, and composes with ``--breakdown``.

Browser mode also prints how the server runs its websockets (chaingame/serve.py's uvicorn options,
Solara's synchronous writes, chaingame/wswriter.py's queues) and the server's share of a week: its
process's CPU time from the week's clicks until every page shows the next week (the rest of the
machine's time went to the browsers); with
``--breakdown`` the server runs under ``server_probe.py`` and the script prints where that CPU went
(renders, the pages' messages handled, messages sent, the rest), per submission.
All three print p50/p95/max, the server's memory (psutil, else /proc VmRSS/VmHWM: this process for
``--kernels``, the server's process otherwise), and check the SQLite file: exactly one decision per
team, week and firm, and each player's decision is the order the page typed.
The clients share the server's 2 cores, so the browser figures are pessimistic for a real class.

Usage: .venv/bin/python benchmarks/classroom.py [--kernels | --clients] [--teams 10] [--players 4] [--weeks 36]
       [--repeat 1] [--out results.json] [--breakdown]
Needs playwright (pip install .[test]) and /usr/bin/chromium, except with --kernels or --clients.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
WAIT = 120_000  # ms: generous waits; the figures come from the pages' own clocks, not from these
FIRMS = 4  # the classic chain: retailer, wholesaler, distributor, factory
WINDOW = 0.050  # s: every click of a week lands within this window (issue 13 item 9)
LEAD = 1.0  # s: browser mode schedules the week's clicks this long after the last page was told
TARGET = 0.5  # s: p95 target
IDLE = 5.0  # s: --clients measures the server's CPU this long with every page open, before week 1

# Records when the week label first shows each week, and when a button was last clicked (epoch ms).
INSTRUMENT = """
window.__seen = {}; window.__click = 0;
document.addEventListener('click', () => { window.__click = performance.timeOrigin + performance.now(); }, true);
new MutationObserver(() => {
  const el = document.querySelector('[data-testid=week]');
  const m = el && el.textContent.match(/week (\\d+)/);
  if (m && !(m[1] in window.__seen)) window.__seen[m[1]] = performance.timeOrigin + performance.now();
}).observe(document, {subtree: true, childList: true, characterData: true});
"""
# Clicks the page's submit button at epoch ms ``at`` (its own timer: all pages at once, not one by one).
CLICK_AT = """at => setTimeout(() => {
  const b = [...document.querySelectorAll('button')].find(x => x.textContent.trim() === 'Submit order');
  b.click();
}, Math.max(0, at - Date.now()))"""


def order_for(week: int, seat: int) -> int:
    """What player ``seat`` (0-based) types in ``week``: the classic board's fixed 4, then a varying order."""
    return 4 if week <= 4 else 6 + 2 * seat + (week % 3) * (seat + 1)


def quantile(xs: list[float], q: float) -> float:
    if len(xs) < 2:
        return xs[0] if xs else float("nan")
    return statistics.quantiles(xs, n=100, method="inclusive")[round(q * 100) - 1]


def memory_mb(pid: int) -> tuple[float, float]:
    """(resident, peak resident) MB of process ``pid``: psutil's RSS where installed, else /proc VmRSS; peak VmHWM."""
    status = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            status[key] = int(value.split()[0]) / 1024
    try:
        import psutil
    except ImportError:
        return status["VmRSS"], status["VmHWM"]
    return psutil.Process(pid).memory_info().rss / 2**20, status["VmHWM"]


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) process ``pid`` has used so far, s (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def check_decisions(db: Path, code: str, teams: int, players: int, weeks: int) -> str:
    """Exactly one decision per (team, week, firm) in the SQLite file, and each human one as typed."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = con.execute("SELECT team, week, firm, decided_by, order_qty FROM decisions WHERE code = ?",
                           (code,)).fetchall()
        firms = [f for (f,) in con.execute("SELECT DISTINCT firm FROM seats WHERE code = ? ORDER BY rowid", (code,))]
    finally:
        con.close()
    seen: dict[tuple[int, int, str], int] = {}
    wrong = 0
    for team, week, firm, by, order in rows:
        seen[(team, week, firm)] = seen.get((team, week, firm), 0) + 1
        seat = firms.index(firm)
        if by == "human" and order != order_for(week, seat):
            wrong += 1
    expected = teams * weeks * len(firms)
    doubled = sum(n - 1 for n in seen.values() if n > 1)
    lost = expected - len(seen)
    humans = sum(1 for *_, by, _ in rows if by == "human")
    ok = lost == doubled == wrong == 0 and humans == teams * players * weeks
    verdict = "OK" if ok else "FAILED"
    return (f"decisions in the database: {len(rows)} of {expected} expected ({humans} by players), "
            f"lost {lost}, doubled {doubled}, not as typed {wrong}: {verdict}")


def report(mode: str, latencies: list[float], rss: tuple[float, float], check: str, extra: dict) -> dict:
    figures = {"mode": mode, "transitions": len(latencies), "p50_s": quantile(latencies, 0.5),
               "p95_s": quantile(latencies, 0.95), "max_s": max(latencies), "rss_mb": rss[0],
               "peak_rss_mb": rss[1], "decisions": check, **extra}
    print(f"last submission -> every teammate's page shows the next week: p50 {figures['p50_s']:.3f} s, "
          f"p95 {figures['p95_s']:.3f} s, max {figures['max_s']:.3f} s over {len(latencies)} week changes "
          f"(target p95 < {TARGET} s)")
    print(f"server memory: {rss[0]:.0f} MB resident at the end, peak {rss[1]:.0f} MB (target < 1024 MB)")
    print(check)
    return figures


def click(tab, button, barrier: threading.Barrier, offset: float, starts: list[float], i: int) -> None:
    """One page's click, ``offset`` s after every page is ready; its start goes in ``starts[i]``."""
    barrier.wait()
    time.sleep(offset)
    starts[i] = time.perf_counter()
    with tab:  # as the server handles the click's message: in the tab's kernel, under its lock
        button.click()


# -- the server's share: virtual kernels -------------------------------------------------------------
def kernels(args, rng: random.Random) -> dict:
    """The game with every page a Solara virtual kernel in this process, one thread per page."""
    from chaingame.classroom import Classroom, process
    from chaingame.ui.testing import Tab

    tmp = Path(tempfile.mkdtemp(prefix="chaingame-bench-"))
    classroom = Classroom(tmp / "classroom.sqlite3")
    process.set_classroom(classroom)
    ticket = classroom.create_session("classic", teams=args.teams, weeks=args.weeks)
    host = Tab(f"/host?code={ticket.code}", stored=json.dumps({ticket.code: ticket.host_key}))
    teams: list[list[Tab]] = []
    for t in range(args.teams):
        team = []
        for s in range(args.players):
            tab = Tab(f"/?code={ticket.code}")
            tab.fill("Your name", f"t{t + 1}s{s + 1}")
            tab.click("Join")
            team.append(tab)
        teams.append(team)
    classroom.start(ticket.code, ticket.host_key)
    shown: dict[int, dict[int, float]] = {}  # page index -> week -> when its label first showed it
    turned = threading.Condition()  # notified as pages show a new week (no polling: it would steal the GIL)

    def watch(i: int, tab: Tab):
        (label,) = tab.testid("week")
        seen = shown.setdefault(i, {})

        def changed(change):
            week = int(change["new"].split()[1])
            if week not in seen:
                seen[week] = time.perf_counter()
                with turned:
                    turned.notify_all()

        label.observe(changed, names="unsafe_innerHTML")

    pages = [tab for team in teams for tab in team]
    for i, tab in enumerate(pages):
        watch(i, tab)
    print(f"server side only: {len(pages)} player pages and the host's as virtual kernels, "
          f"{args.teams} teams x {args.players} players, {args.weeks} weeks, clicks within {WINDOW * 1000:.0f} ms")
    latencies: list[float] = []
    bursts: list[tuple[float, float]] = []  # per week: CPU s of this process, wall s until the last page turned
    t0 = time.perf_counter()
    for week in range(1, args.weeks + 1):
        starts = [0.0] * len(pages)
        offsets = [rng.uniform(0, WINDOW) for _ in pages]
        buttons = []
        for i, tab in enumerate(pages):
            tab.wait(lambda tab=tab: tab.button("Submit order"), f"week {week}'s order form")  # its render done
            tab.fill("Order (units)", str(order_for(week, i % args.players)))
            buttons.append(tab.button("Submit order"))  # found now: a server gets the clicked widget's id
        barrier = threading.Barrier(len(pages) + 1)
        threads = [threading.Thread(target=click, args=(tab, buttons[i], barrier, offsets[i], starts, i))
                   for i, tab in enumerate(pages)]
        for th in threads:
            th.start()
        barrier.wait()
        cpu0, wall0 = time.process_time(), time.perf_counter()
        for th in threads:
            th.join()
        if week == args.weeks:
            break
        with turned:
            if not turned.wait_for(lambda w=week + 1: all(w in shown[i] for i in shown), timeout=WAIT / 1000):
                raise SystemExit(f"after {WAIT / 1000:.0f} s, not every page shows week {week + 1}")
        for t in range(args.teams):
            idx = range(t * args.players, (t + 1) * args.players)
            for i in idx:
                assert f"week {week + 1} of" in pages[i].text("week")
            latencies.append(max(shown[i][week + 1] for i in idx) - max(starts[i] for i in idx))
        last = max(shown[i][week + 1] for i in range(len(pages)))
        bursts.append((time.process_time() - cpu0, last - wall0))
    played = time.perf_counter() - t0
    for tab in pages:
        tab.wait_text("state", "over")
    rss = memory_mb(os.getpid())
    classroom.close()
    check = check_decisions(tmp / "classroom.sqlite3", ticket.code, args.teams, args.players, args.weeks)
    cpu = statistics.median(c for c, _ in bursts)
    wall = statistics.median(w for _, w in bursts)
    print(f"a week's burst (every click until every page shows the next week): median {wall:.3f} s of wall "
          f"clock, {cpu:.3f} s of CPU in this process ({cpu / len(pages) * 1000:.1f} ms per submission); "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    figures = report("kernels", latencies, rss, check, {"pages": len(pages), "game_wall_s": played,
                                                        "burst_wall_s": wall, "burst_cpu_s": cpu})
    for tab in (host, *pages):  # a next run (--repeat) starts from a process without these pages
        tab.close()
    return figures


# -- real browsers against the real server ------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, db: Path, log: Path, probe: Path | None = None) -> subprocess.Popen:
    """``chaingame play`` on ``port``; with ``probe``, under ``server_probe.py`` writing its counters there."""
    env = {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False"}
    command = ([str(Path(__file__).with_name("server_probe.py")), str(probe)] if probe else ["-m", "chaingame.cli"])
    proc = subprocess.Popen([sys.executable, *command, "play", "--port", str(port), "--db", str(db)],
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


def join_teams(browser, url: str, code: str, args) -> list[list]:
    """One page per player, team by team, until ``--teams`` or until the machine cannot hold another."""
    from playwright.sync_api import Error as PlaywrightError

    teams: list[list] = []
    for t in range(args.teams):
        team = []
        try:
            for s in range(args.players):
                ctx = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
                ctx.add_init_script(INSTRUMENT)
                page = ctx.new_page()
                page.goto(f"{url}/?code={code}", timeout=WAIT)
                page.get_by_label("Your name").fill(f"t{t + 1}s{s + 1}", timeout=WAIT)
                page.get_by_role("button", name="Join", exact=True).click(timeout=WAIT)
                page.get_by_test_id("seat").wait_for(timeout=WAIT)
                team.append(page)
        except PlaywrightError as e:
            print(f"could not open page {len(team) + 1} of team {t + 1}: {str(e).splitlines()[0]}")
            break
        teams.append(team)
    return teams


def browsers(args, rng: random.Random) -> dict:
    """The game in real Chromium pages against ``chaingame play`` on its port."""
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="chaingame-bench-"))
    port, db = free_port(), tmp / "classroom.sqlite3"
    url = f"http://127.0.0.1:{port}"
    probe = tmp / "probe.json" if args.breakdown else None
    counted = (3 if args.weeks >= 5 else 2, args.weeks - 1)  # the weeks the probe counts (past the first ones)
    server = start_server(port, db, tmp / "server.log", probe)
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
            teams = join_teams(browser, url, code, args)
            held = sum(map(len, teams))
            print(f"{held} real Chromium pages joined in {time.perf_counter() - t0:.0f} s "
                  f"({len(teams)} teams x {args.players} players) and the host's; {args.weeks} weeks, "
                  f"clicks within {WINDOW * 1000:.0f} ms")
            print(f"server websockets: {websocket_setup()}")
            host.get_by_role("button", name="Start").click()
            pages = [page for team in teams for page in team]
            scheduling = 0.05 * len(pages)  # s to give every page its click timer (then measured)
            spreads: list[float] = []  # per week: first click to last click, s
            server_cpu: list[float] = []  # per week: the server's CPU s from the clicks to every page's next week
            t0 = time.perf_counter()
            for week in range(1, args.weeks + 1):
                for i, page in enumerate(pages):
                    field = page.get_by_label("Order (units)")
                    field.wait_for(timeout=WAIT)
                    field.fill(str(order_for(week, i % args.players)))
                if probe and week == counted[0]:
                    server.send_signal(signal.SIGUSR1)
                began = time.time()
                cpu0 = cpu_seconds(server.pid)
                at = (began + LEAD + scheduling) * 1000  # epoch ms: once every page has its timer
                for page in pages:
                    page.evaluate(CLICK_AT, at + rng.uniform(0, WINDOW * 1000))
                scheduling = max(scheduling, 1.5 * (time.time() - began))
                if week == args.weeks:
                    break
                for page in pages:
                    page.get_by_test_id("week").filter(has_text=f"week {week + 1} of").wait_for(timeout=WAIT)
                clicks = [page.evaluate("() => window.__click") for page in pages]
                spreads.append((max(clicks) - min(clicks)) / 1000)
                for team in teams:
                    for page in team:
                        page.get_by_test_id("week").filter(has_text=f"week {week + 1} of").wait_for(timeout=WAIT)
                    clicked = max(page.evaluate("() => window.__click") for page in team)
                    seen = max(page.evaluate(f"() => window.__seen['{week + 1}']") for page in team)
                    latencies.append((seen - clicked) / 1000)
                server_cpu.append(cpu_seconds(server.pid) - cpu0)
                if probe and week == counted[1]:
                    server.send_signal(signal.SIGUSR2)
                if week % 5 == 0:
                    print(f"  week {week}: p95 so far {quantile(latencies, 0.95):.3f} s")
            for page in pages:
                page.get_by_test_id("state").filter(has_text="The game is over").wait_for(timeout=WAIT)
            played = time.perf_counter() - t0
            rss = memory_mb(server.pid)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    args.teams = len(teams)  # the session's other teams have no players: bots play them
    check = check_decisions(db, code, len(teams), args.players, args.weeks)
    print(f"every page's click of a week within {max(spreads) * 1000:.0f} ms at most (median "
          f"{statistics.median(spreads) * 1000:.0f} ms); load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores")
    cpu = statistics.median(server_cpu)
    print(f"the server's share of a week (its process's CPU from the week's clicks until every page shows the "
          f"next week): median {cpu:.3f} s ({cpu / held * 1000:.1f} ms per submission)")
    if probe:
        print_breakdown(json.loads(probe.read_text()), held * (counted[1] - counted[0] + 1), counted)
    return report("browsers", latencies, rss, check, {"pages": held, "game_wall_s": played,
                                                      "click_spread_s": max(spreads), "server_cpu_s": cpu})


# -- the server alone over real websockets: protocol clients, all in this process ------------------------
def clients(args, rng: random.Random) -> dict:
    """The game against ``chaingame play`` with every page a protocol client (``ws_clients.py``) in this process."""
    import asyncio

    from chaingame.classroom import Classroom

    tmp = Path(tempfile.mkdtemp(prefix="chaingame-bench-"))
    port, db = free_port(), tmp / "classroom.sqlite3"
    classroom = Classroom(db)  # set up through the service on the file, as tests/browser do: no join pages
    ticket = classroom.create_session("classic", teams=args.teams, weeks=args.weeks)
    seats = [[classroom.join(ticket.code, f"t{t + 1}s{s + 1}", team=t + 1) for s in range(args.players)]
             for t in range(args.teams)]
    classroom.start(ticket.code, ticket.host_key)
    classroom.close()
    probe = tmp / "probe.json" if args.breakdown else None
    server = start_server(port, db, tmp / "server.log", probe)
    try:
        figures = asyncio.run(play_clients(args, rng, server, port, ticket, seats, probe))
        rss = memory_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    check = check_decisions(db, ticket.code, args.teams, args.players, args.weeks)
    latencies = figures.pop("latencies")
    return report("clients", latencies, rss, check, figures)


async def play_clients(args, rng: random.Random, server, port: int, ticket, seats, probe: Path | None) -> dict:
    """Open the host's page and every player's as protocol clients, then play the weeks (see ``clients``)."""
    import asyncio

    from ws_clients import HOST_KEY, SEAT_KEY, Page

    changed = asyncio.Condition()

    async def until(test, what: str) -> None:
        async with changed:
            try:
                await asyncio.wait_for(changed.wait_for(test), WAIT / 1000)
            except TimeoutError:
                raise SystemExit(f"after {WAIT / 1000:.0f} s, {what}") from None

    host = Page("127.0.0.1", port, f"/host?code={ticket.code}", HOST_KEY,
                json.dumps({ticket.code: ticket.host_key}), changed)
    pages = [Page("127.0.0.1", port, "/", SEAT_KEY, seat.token, changed) for team in seats for seat in team]
    t0 = time.perf_counter()
    for page in (host, *pages):  # one by one, as the browser mode opens its pages
        await page.open()
    await until(lambda: all(page.ready(1) for page in pages), "not every page shows week 1's order form")
    print(f"{len(pages)} protocol clients and the host's opened in {time.perf_counter() - t0:.0f} s "
          f"({args.teams} teams x {args.players} players), all in this process; {args.weeks} weeks, "
          f"clicks within {WINDOW * 1000:.0f} ms")
    print(f"server websockets: {websocket_setup()}")
    cpu0, wall0 = cpu_seconds(server.pid), time.perf_counter()
    await asyncio.sleep(IDLE)
    idle = (cpu_seconds(server.pid) - cpu0) / (time.perf_counter() - wall0)
    print(f"the server with these pages open, before week 1: {idle * 1000:.1f} ms of CPU per second "
          f"over {IDLE:.0f} s (heartbeats, pings)")
    counted = (3 if args.weeks >= 5 else 2, args.weeks - 1)  # the weeks the probe counts (past the first ones)
    loop = asyncio.get_running_loop()
    received = lambda: sum(page.received for page in (host, *pages))  # noqa: E731
    latencies: list[float] = []
    spreads, server_cpu, own_cpu, sent_per_week = [], [], [], []
    t0 = time.perf_counter()
    for week in range(1, args.weeks + 1):
        await until(lambda w=week: all(page.ready(w) for page in pages), f"not every page has week {week}'s form")
        if probe and week == counted[0]:
            server.send_signal(signal.SIGUSR1)
        if week == counted[0]:
            counted_from = received()
        cpu0, mine0, received0 = cpu_seconds(server.pid), time.process_time(), received()
        start = loop.time() + LEAD
        sent = await asyncio.gather(*(page.send_order(week, order_for(week, i % args.players),
                                                      at=start + rng.uniform(0, WINDOW))
                                      for i, page in enumerate(pages)))
        spreads.append(max(sent) - min(sent))
        if week == args.weeks:
            break
        await until(lambda w=week + 1: all(w in page.shown for page in pages), f"not every page shows week {week + 1}")
        for t in range(args.teams):
            team = range(t * args.players, (t + 1) * args.players)
            latencies.append(max(pages[i].shown[week + 1] for i in team) - max(sent[i] for i in team))
        server_cpu.append(cpu_seconds(server.pid) - cpu0)
        own_cpu.append(time.process_time() - mine0)
        sent_per_week.append(received() - received0)
        if probe and week == counted[1]:
            server.send_signal(signal.SIGUSR2)
        if week == counted[1]:
            counted_messages = received() - counted_from
        if week % 5 == 0:
            print(f"  week {week}: p95 so far {quantile(latencies, 0.95):.3f} s")
    await until(lambda: all(page.over for page in pages), "not every page says the game is over")
    played = time.perf_counter() - t0
    beats = sum(page.beats for page in (host, *pages))
    for page in (host, *pages):
        await page.close()
    held = len(pages)
    submissions = held * (counted[1] - counted[0] + 1)
    cpu = statistics.median(server_cpu)
    print(f"every submission of a week within {max(spreads) * 1000:.0f} ms at most (median "
          f"{statistics.median(spreads) * 1000:.0f} ms); load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores")
    print(f"the server's share of a week (its process's CPU from the week's submissions until every page shows the "
          f"next week): median {cpu:.3f} s ({cpu / held * 1000:.1f} ms per submission); the clients' process "
          f"{statistics.median(own_cpu):.3f} s")
    print(f"messages the server sent to the pages: {statistics.median(sent_per_week):.0f} a week (median), "
          f"{counted_messages} in weeks {counted[0]}-{counted[1]} ({counted_messages / submissions:.2f} per "
          f"submission); {beats} heartbeats (/readyz) in the game")
    if probe:
        print_breakdown(json.loads(probe.read_text()), submissions, counted)
    return {"latencies": latencies, "pages": held, "game_wall_s": played, "click_spread_s": max(spreads),
            "server_cpu_s": cpu, "clients_cpu_s": statistics.median(own_cpu),
            "messages_per_submission": counted_messages / submissions, "idle_cpu_s_per_s": idle,
            "heartbeats": beats}


def websocket_setup() -> str:
    """How the server under test runs its websockets (chaingame/serve.py): uvicorn's options, Solara's writes."""
    from chaingame import serve

    options = getattr(serve, "WS_OPTIONS", None)  # absent before 2026-12-07: uvicorn's defaults
    sync = os.environ.get("SOLARA_SERVER_SYNC_WS_WRITE", "False")  # chaingame play leaves Solara's default
    import importlib.util

    queued = importlib.util.find_spec("chaingame.wswriter") is not None  # absent before 2026-12-07, later
    return (f"uvicorn {options or 'defaults (ws auto: websockets-sansio, per-message deflate on)'}, "
            f"Solara's synchronous writes {sync}, "
            f"{'a queue per page written by the event loop' if queued else 'Solara writer (portal.call)'}")


SENT = "a message sent to a page"  # server_probe.py's part for SessionWebsocket.send


def print_breakdown(probe: dict, submissions: int, weeks: tuple[int, int]) -> None:
    """Where the server's CPU went in weeks ``weeks`` (first, last), per submission (``server_probe.py``)."""
    total = probe["process_cpu_s"]
    print(f"where the server's CPU went, weeks {weeks[0]}-{weeks[1]} ({submissions} submissions): "
          f"{total:.3f} s, {total / submissions * 1000:.1f} ms per submission")
    rest = total
    for part, figures in sorted(probe["parts"].items(), key=lambda kv: -kv[1]["cpu_s"]):
        if part != SENT:  # a message is sent from within a render or a message's handling: counted there too
            rest -= figures["cpu_s"]
        print(f"  {part:<28} {figures['cpu_s']:7.3f} s  {figures['calls']:6d} calls  "
              f"{figures['cpu_s'] / max(figures['calls'], 1) * 1000:6.2f} ms each  "
              f"{figures['cpu_s'] / submissions * 1000:5.2f} ms per submission")
    print(f"  {'the rest (event loop, HTTP)':<28} {rest:7.3f} s{'':28}"
          f"{rest / submissions * 1000:5.2f} ms per submission")
    print(f"  ({SENT}: within the renders and the messages' handling, which send them)")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--teams", type=int, default=10)
    ap.add_argument("--players", type=int, default=FIRMS, help=f"players per team, 1..{FIRMS} (bots play the rest)")
    ap.add_argument("--weeks", type=int, default=36, help="game length (classic: 36 weeks)")
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--kernels", action="store_true", help="server side only: virtual kernels, no browser")
    mode.add_argument("--clients", action="store_true",
                      help="chaingame play with a protocol client per page over real websockets, no browser")
    ap.add_argument("--repeat", type=int, default=1, help="play the game this many times (the spread)")
    ap.add_argument("--seed", type=int, default=1, help="seed of the clicks' offsets within the window")
    ap.add_argument("--out", help="also write the figures as JSON here")
    ap.add_argument("--breakdown", action="store_true",
                    help="browser or --clients mode: run the server under server_probe.py and print where its CPU went")
    args = ap.parse_args(argv)
    if not 1 <= args.players <= FIRMS:
        ap.error(f"--players: {args.players} is not 1 to {FIRMS} (allowed: players per team of the classic chain)")
    if args.weeks < 2 or args.teams < 1:
        ap.error(f"--weeks {args.weeks} --teams {args.teams}: allowed at least 2 weeks and 1 team")
    rng = random.Random(args.seed)
    runs = []
    for r in range(args.repeat):
        if args.repeat > 1:
            print(f"run {r + 1} of {args.repeat}:")
        runs.append(kernels(args, rng) if args.kernels else clients(args, rng) if args.clients else browsers(args, rng))
    if args.repeat > 1:
        p95 = [f["p95_s"] for f in runs]
        print(f"p95 over {args.repeat} runs: {', '.join(f'{x:.3f}' for x in p95)} s "
              f"(min {min(p95):.3f}, max {max(p95):.3f})")
    if args.out:
        Path(args.out).write_text(json.dumps(runs, indent=2) + "\n")
    return 0 if all(f["decisions"].endswith("OK") for f in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
