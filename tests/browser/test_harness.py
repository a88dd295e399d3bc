"""The browser suite's own set-up: a missing Chromium fails it (unless skipped on purpose), and the
server fixture survives a port taken between free_port() and the server's bind."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

from .conftest import SKIP, Server

ROOT = Path(__file__).resolve().parents[2]


def run_browser_suite(tmp_path, **env) -> subprocess.CompletedProcess:
    """The class-game test in a pytest of its own, with ``env`` added (nothing of this run's set-up)."""
    environ = {k: v for k, v in os.environ.items() if k != SKIP}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--basetemp",
                           str(tmp_path / "inner"), "tests/browser/test_class_game.py"],
                          cwd=ROOT, env={**environ, **env}, capture_output=True, text=True, timeout=300)


def test_a_missing_chromium_fails_the_browser_tests_with_how_to_install_it(tmp_path):
    done = run_browser_suite(tmp_path, CHAINGAME_CHROMIUM=str(tmp_path / "no-chromium"))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "apt-get install -y chromium" in done.stdout and "1 error" in done.stdout, done.stdout
    assert "skipped" not in done.stdout
    assert not list((tmp_path / "inner").rglob("server.log")), "the server was started before the check"


def test_the_browser_tests_are_skipped_only_when_asked_to(tmp_path):
    done = run_browser_suite(tmp_path, CHAINGAME_CHROMIUM=str(tmp_path / "no-chromium"), **{SKIP: "1"})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 skipped" in done.stdout and f"{SKIP}=1 is set" in done.stdout, done.stdout


def test_the_server_moves_to_a_free_port_when_its_port_is_taken(tmp_path):
    with socket.socket() as taken:  # another process got the port first
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = Server(tmp_path / "classroom.sqlite3", tmp_path / "server.log", port=port)
        try:
            server.start(attempts=3)
            assert server.port != port and server.url.endswith(f":{server.port}")
            with urllib.request.urlopen(f"{server.url}/readyz", timeout=10) as r:
                assert r.status == 200
        finally:
            server.stop()
    assert f"--port: {port} is in use" in (tmp_path / "server.log").read_text()
