"""`chaingame play` and `chaingame assets`: arguments, the offline browser files, the default database."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from chaingame import cli, webassets
from chaingame.checks import ScenarioError
from chaingame.classroom.inputs import MIN_TIMER
from chaingame.classroom.process import open_classroom
from chaingame.classroom.store import SCHEMA_VERSION
from chaingame.classroom.ticker import TICK_SECONDS


def test_the_pages_need_the_solara_shell_requirejs_and_font_awesome_only():
    specs = [p.spec for p in webassets.required()]
    assert any(s.startswith("@widgetti/solara-vuetify") for s in specs)
    assert any(s.startswith("requirejs@") for s in specs)
    assert len(specs) <= 3  # no KaTeX, Mermaid or Vega: the pages do not use them
    for spec in specs:
        name, version = spec.rsplit("@", 1)
        assert name and version[0].isdigit()


def test_missing_browser_files_are_named_with_the_command_that_fetches_them(tmp_path):
    with pytest.raises(webassets.AssetError) as e:
        webassets.ensure(tmp_path, fetch_missing=False)
    assert "chaingame assets" in str(e.value)
    assert {p.spec for p in webassets.missing(tmp_path)} == {p.spec for p in webassets.required()}


def test_installed_browser_files_are_complete():
    """scripts/setup.sh ran `chaingame assets`: the served pages then need no CDN."""
    assert webassets.missing() == [], "run `chaingame assets` (scripts/setup.sh does)"


@pytest.mark.parametrize("argv, words", [
    (["play", "--port", "70000"], "--port: 70000 is not a TCP port"),
    (["play", "--port", "x"], "--port: \"x\" is not a whole number (allowed: digits 0-9"),
    (["play", "--password", " "], '--password: " " is blank (allowed: a password with at least one character'),
    (["play", "--password", ""], '--password: "" is blank'),
    (["play", "--host", "0.0.0.0", "--password", "\t  "], '--password: "\\t  " is blank'),
])
def test_play_rejects_bad_arguments_in_one_line(argv, words, capsys):
    with pytest.raises(SystemExit) as e:
        status = cli.main(argv)
        raise SystemExit(status)
    assert e.value.code == 2
    err = capsys.readouterr().err.strip()
    assert words in err and "\n" not in err


def test_the_default_database_lives_in_the_users_data_folder(monkeypatch, tmp_path):
    from chaingame.classroom.process import default_db

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_db() == tmp_path / "chaingame" / "classroom.sqlite3"


def run_python(code: str, env: dict) -> str:
    """Run ``code`` in a fresh interpreter (its own platformdirs, environment and classroom)."""
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_default_database_is_created_on_first_use_and_found_again(tmp_path):
    data = tmp_path / "data"  # does not exist yet: created with the database
    env = {**os.environ, "XDG_DATA_HOME": str(data), "HOME": str(tmp_path / "home")}
    env.pop("CHAINGAME_DB", None)
    first = run_python("""
        from chaingame.classroom.process import default_db, get_classroom
        room = get_classroom()  # what a page does when the server opened no classroom: the default database
        host = room.create_session("classic", title="first use")
        print(default_db()); print(host.code); print(host.host_key)
        room.close()
    """, env)
    path, code, key = first.split()
    assert path == str(data / "chaingame" / "classroom.sqlite3")
    with sqlite3.connect(path) as con:
        assert con.execute("SELECT code, title FROM sessions").fetchall() == [(code, "first use")]
    con.close()
    again = run_python(f"""
        from chaingame.classroom.process import default_db, open_classroom
        room = open_classroom(default_db(), register=False, tick=False)
        print(room.host_view("{code}", "{key}").title)
        room.close()
    """, env)
    assert again.strip() == "first use"


def test_the_servers_ticker_lets_the_bot_decide_for_a_late_seat(tmp_path):
    """The real Ticker thread of ``chaingame play``, the real clock and the shortest timer a session may have."""
    db = tmp_path / "classroom.sqlite3"
    room = open_classroom(db, register=False, tick=True)
    try:
        host = room.create_session("classic", timer_seconds=MIN_TIMER)
        ann = room.join(host.code, "Ann")
        bob = room.join(host.code, "Bob")
        changed = threading.Condition()

        def wake():
            with changed:
                changed.notify_all()

        room.subscribe(host.code, wake)
        room.start(host.code, host.host_key)
        deadline = room.submit(ann.token, 1, 4).deadline  # Ann decides; Bob never does
        bound = deadline - time.time() + 2 * TICK_SECONDS + 10  # a tick comes within a second of the deadline
        with changed:  # woken by the ticker thread's notification
            decided = changed.wait_for(lambda: room.seat_view(bob.token).week == 2, timeout=bound)
        assert decided, f"the bot had not decided for Bob {bound:.0f} s after the week opened"
        with sqlite3.connect(db) as con:
            rows = con.execute("SELECT firm, decided_by, reason, submitted_at FROM decisions "
                               "WHERE week = 1 AND firm IN ('retailer', 'wholesaler') ORDER BY firm").fetchall()
        con.close()
        (_, *alice), (_, by, reason, at) = rows
        assert alice[:2] == ["human", "player"] and (by, reason) == ("bot", "timer")
        assert deadline <= at <= deadline + 2 * TICK_SECONDS + 5  # not before the deadline, and soon after
        assert room.seat_view(bob.token).history[0].decided_by == "bot"
    finally:
        room.close()


def test_the_ticker_thread_ends_when_the_classroom_is_closed(tmp_path):
    room = open_classroom(tmp_path / "classroom.sqlite3", register=False, tick=True)
    ticker = room.ticker
    assert ticker.is_alive() and ticker.daemon
    room.close()
    ticker.join(timeout=2 * TICK_SECONDS + 5)  # what a clean shutdown (or a test) does with a thread
    assert not ticker.is_alive(), "the ticker thread did not stop with the classroom"


def test_play_closes_the_database_on_sigterm_as_on_ctrl_c(tmp_path):
    """``chaingame play`` under uvicorn, stopped by SIGTERM (a service manager's stop): clean exit,
    its shutdown message, and the SQLite file closed (WAL checkpointed and removed, integrity ok)."""
    import signal
    import socket
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    db = tmp_path / "classroom.sqlite3"
    env = {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False"}
    env.pop("CHAINGAME_TEACHER_PASSWORD", None)
    server = subprocess.Popen([sys.executable, "-m", "chaingame.cli", "play", "--port", str(port), "--db", str(db)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
    try:
        deadline = time.time() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            assert server.poll() is None, server.communicate()
            assert time.time() < deadline, "the server did not answer /readyz"
            time.sleep(0.3)
        assert db.with_name(db.name + "-wal").exists()  # open, in WAL mode
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as r:  # answered before the app
            assert (r.status, r.read(), r.headers["cache-control"]) == (200, b'{"status":"ok"}', "no-store")
        head = urllib.request.Request(f"http://127.0.0.1:{port}/readyz", method="HEAD")
        with urllib.request.urlopen(head, timeout=5) as r:
            assert (r.status, r.read()) == (200, b"")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as r:  # the rest: the app's own
            assert r.status == 200 and r.headers["content-type"].startswith("text/html")
        server.send_signal(signal.SIGTERM)
        out, err = server.communicate(timeout=30)
    finally:
        if server.poll() is None:
            server.kill()
            server.communicate()
    assert server.returncode == 0, (server.returncode, out, err)
    assert "Traceback" not in out + err
    assert "stopped, database closed" in out
    assert not db.with_name(db.name + "-wal").exists(), "the database was not closed (its WAL file remains)"
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert con.execute("SELECT value FROM meta WHERE key='schema'").fetchone() == (str(SCHEMA_VERSION),)
    con.close()


def test_a_server_on_the_network_needs_a_teacher_password(monkeypatch):
    from chaingame.serve import PASSWORD_ENV, teacher_password

    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    said = []
    assert teacher_password("127.0.0.1", None, said.append) is None and not said  # this machine only
    made = teacher_password("0.0.0.0", None, said.append)
    assert made and len(said) == 1 and made in said[0]  # a new one, printed once
    assert teacher_password("0.0.0.0", "owl", said.append) == "owl"
    monkeypatch.setenv(PASSWORD_ENV, "lark")
    assert teacher_password("127.0.0.1", None, said.append) == "lark"
    assert len(said) == 1
    monkeypatch.setenv(PASSWORD_ENV, "   ")  # blank: refused, not a password nobody can type back
    with pytest.raises(ScenarioError, match=r'^\$CHAINGAME_TEACHER_PASSWORD: "   " is blank'):
        teacher_password("0.0.0.0", None, said.append)
    monkeypatch.setenv(PASSWORD_ENV, "")  # empty: as if unset
    assert teacher_password("127.0.0.1", None, said.append) is None


IDLE_GC = """
import gc, time
from chaingame import idlegc
assert idlegc.start(quiet=0.5, every=0.0, latest=1e9) is not None
assert gc.get_threshold()[2] == idlegc.NEVER  # CPython no longer starts full collections by itself
full = lambda: gc.get_stats()[2]["collections"]
n = full()
busy_until = time.monotonic() + 1.0
while time.monotonic() < busy_until:  # a page message every 50 ms: a class at work
    idlegc.busy()
    [[] for _ in range(20_000)]  # and the objects its pages make
    time.sleep(0.05)
assert full() == n, f"{full() - n} full collections while the class was busy"
time.sleep(2.0)  # quiet
assert full() > n, "no full collection once the class was quiet"
assert idlegc.start() is None  # once a process
print("ok")
"""


def test_the_full_collections_wait_until_the_class_is_quiet():
    assert run_python(IDLE_GC, dict(os.environ)).strip() == "ok"
