"""Real-browser tests: Debian's Chromium driven by Playwright against `chaingame play` run as a subprocess.

Chromium is required: without it these tests fail with how to install it (`apt-get install -y chromium`),
unless CHAINGAME_SKIP_BROWSER=1 is set on purpose (then they are skipped, saying so). Every wait is
explicit, on what the page shows, with generous timeouts; nothing sleeps to synchronise.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from chaingame.classroom import Classroom
from chaingame.ui.player import SEAT_KEY

CHROMIUM = os.environ.get("CHAINGAME_CHROMIUM", "/usr/bin/chromium")  # Debian's; `playwright install` cannot work here
SKIP = "CHAINGAME_SKIP_BROWSER"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
START_TIMEOUT = 90.0  # s for the server to answer /readyz (a cold import of Solara takes a few seconds)
PORT_ATTEMPTS = 5  # a free port found by free_port() may be taken by another process before the server binds it
WAIT = 30_000  # ms for anything to appear
GAME_WEEKS = 6  # weeks of the one-player game of the `game` fixture
GAME_TIMER = 900  # s a week may take: long enough never to expire here, and the page shows a countdown
SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
DESKTOP = {"viewport": {"width": 1000, "height": 900}}


def require_chromium() -> None:
    """Fail (or, with CHAINGAME_SKIP_BROWSER=1 only, skip) when the browser is missing."""
    if os.environ.get(SKIP) == "1":
        pytest.skip(f"{SKIP}=1 is set: the real-browser tests are skipped on purpose")
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"{CHROMIUM} is absent: the real-browser tests need Debian's Chromium "
                    f"(install it with `apt-get install -y chromium`), or set {SKIP}=1 to skip them explicitly",
                    pytrace=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PortTaken(RuntimeError):
    """The server could not listen on its port (another process took it after free_port())."""


class Server:
    """`chaingame play --port P --db DB` in a subprocess; :meth:`kill` and :meth:`start` again to restart.
    ``command`` replaces `python -m chaingame.cli play` (e.g. the README's own command line)."""

    def __init__(self, db: Path, log: Path, port: int | None = None, command: list[str] | None = None):
        self.db, self.log = db, log
        self.command = command or [sys.executable, "-m", "chaingame.cli", "play"]
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, attempts: int = 1) -> None:
        """Start the server; with ``attempts`` > 1, on another free port each time its port turns out taken
        (the first start: a restart must keep its port, the pages reconnect to it)."""
        for attempt in range(1, attempts + 1):
            try:
                self._start()
                return
            except PortTaken:
                if attempt == attempts:
                    raise
                self.port = free_port()

    def _start(self) -> None:
        env = {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False"}
        self.log.touch()
        offset = self.log.stat().st_size  # this start's part of the log
        with open(self.log, "a") as out:
            self.process = subprocess.Popen(
                [*self.command, "--port", str(self.port), "--db", str(self.db)],
                stdout=out, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                said = self.log.read_bytes()[offset:].decode(errors="replace")
                if f"{self.port} is in use" in said or "address already in use" in said.lower():
                    raise PortTaken(f"port {self.port}: {said.strip()}")
                raise RuntimeError(f"chaingame play exited with {self.process.returncode}:\n{said}")
            try:
                with urllib.request.urlopen(f"{self.url}/readyz", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.2)  # polling the server's own readiness endpoint, not a synchronisation guess
        raise RuntimeError(f"chaingame play did not answer in {START_TIMEOUT} s:\n{self.log.read_text()}")

    def kill(self) -> None:
        """Kill the process (SIGKILL: a crash, not a clean shutdown)."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)


@pytest.fixture
def server(tmp_path):
    s = Server(tmp_path / "classroom.sqlite3", tmp_path / "server.log")
    s.start(attempts=PORT_ATTEMPTS)
    yield s
    s.stop()


@pytest.fixture(scope="module")  # closed before other modules start their own Playwright
def browser():
    require_chromium()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def free_orders_scenario() -> str:
    """The classic board, but week 1 already takes any order (no fixed orders)."""
    text = (SCENARIOS / "classic.toml").read_text()
    assert "fixed_orders = [4, 4, 4, 4]" in text
    return text.replace("fixed_orders = [4, 4, 4, 4]", "fixed_orders = []")


def started_game(tmp_path: Path, timer: float = GAME_TIMER, title: str = "Lost connection"):
    """A started one-player session (Ann, the retailer; bots hold the other seats) and the server on its database.

    The session is created, joined and started through the service on the SQLite file before the server
    opens it. Returns ``(server, seat, deadline of week 1)``; the caller stops the server.
    """
    db = tmp_path / "classroom.sqlite3"
    classroom = Classroom(db)
    ticket = classroom.create_session("classic", scenario_toml=free_orders_scenario(), weeks=GAME_WEEKS,
                                      timer_seconds=timer, title=title)
    seat = classroom.join(ticket.code, "Ann")
    classroom.start(ticket.code, ticket.host_key)
    deadline = classroom.seat_view(seat.token).deadline
    classroom.close()
    server = Server(db, tmp_path / "server.log")
    server.start(attempts=PORT_ATTEMPTS)
    return server, seat, deadline


@pytest.fixture
def game(tmp_path):
    """:func:`started_game` with its defaults: ``(server, seat)``."""
    server, seat, _ = started_game(tmp_path)
    yield server, seat
    server.stop()


def seat_context(browser, token: str, device: dict = DESKTOP):
    """A browser context that already holds the seat token in its storage, as after a join."""
    context = browser.new_context(**device)
    context.add_init_script(f"window.localStorage.getItem({json.dumps(SEAT_KEY)}) === null && "
                            f"window.localStorage.setItem({json.dumps(SEAT_KEY)}, {json.dumps(token)});")
    return context


def recorded(db: Path, week: int, firm: str = "retailer") -> list[tuple]:
    """(order, decided_by) of every stored decision of ``firm`` for ``week``, read from the SQLite file."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
        return con.execute("SELECT order_qty, decided_by FROM decisions WHERE firm = ? AND week = ?",
                           (firm, week)).fetchall()


def week_is(page, week: int, weeks: int = GAME_WEEKS):
    """Wait until the seat's page shows ``week of weeks``."""
    page.get_by_test_id("week").filter(has_text=f"week {week} of {weeks}").wait_for(timeout=WAIT)


def lost(page) -> float:
    """Wait for the connection banner; return how long it took (s)."""
    start = time.monotonic()
    page.get_by_test_id("connection").filter(has_text="Connection lost").wait_for(timeout=WAIT)
    return time.monotonic() - start
