"""Real-browser tests: Debian's Chromium driven by Playwright against `chaingame play` run as a subprocess.

Skipped only when /usr/bin/chromium is absent (CI installs it). Every wait is explicit, on what the
page shows, with generous timeouts; nothing sleeps to synchronise.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
START_TIMEOUT = 90.0  # s for the server to answer /readyz (a cold import of Solara takes a few seconds)



@pytest.fixture(autouse=True)
def _needs_chromium():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is absent (apt-get install chromium); browser tests skipped")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`chaingame play --port P --db DB` in a subprocess; :meth:`kill` and :meth:`start` again to restart."""

    def __init__(self, db: Path, log: Path, port: int | None = None):
        self.db, self.log, self.port = db, log, port or free_port()
        self.process: subprocess.Popen | None = None
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False"}
        with open(self.log, "a") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "chaingame.cli", "play", "--port", str(self.port), "--db", str(self.db)],
                stdout=out, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"chaingame play exited with {self.process.returncode}:\n{self.log.read_text()}")
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
    s.start()
    yield s
    s.stop()


@pytest.fixture(scope="module")  # closed before other modules start their own Playwright
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is absent (apt-get install chromium); browser tests skipped")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install .[test])")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()
