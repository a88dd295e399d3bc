"""The README's set-up commands are true: the main command serves the classroom, and the test
command is the one .ci/run runs."""

import re
import shlex
import subprocess
import sys
import urllib.request
from pathlib import Path

from .browser.conftest import PORT_ATTEMPTS, Server

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def command(marker: str) -> str:
    m = re.search(rf"<!-- ci: {marker} -->\n```bash\n(.+)\n```", README)
    assert m, f"README.md has no {marker} block"
    return m[1]


def test_the_test_command_is_what_ci_runs():
    ci = subprocess.run(["awk", '/<!-- ci: test command -->/{getline; getline; print; exit}', "README.md"],
                        cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    assert ci == command("test command") == "bash scripts/setup.sh test && .venv/bin/python -m pytest -q"


def test_the_main_command_serves_the_classroom(tmp_path):
    """Runs what follows `bash scripts/setup.sh &&` (set-up is what CI has just done), on a free
    port and a fresh database, and asks the server for the host and player pages."""
    setup, _, main = command("main command").partition(" && ")
    assert setup == "bash scripts/setup.sh"
    argv = shlex.split(main)
    assert argv[:2] == [".venv/bin/chaingame", "play"], argv
    argv[0] = str(Path(sys.executable).with_name("chaingame"))  # this venv's console script
    server = Server(tmp_path / "class.sqlite3", tmp_path / "server.log", command=argv)
    server.start(attempts=PORT_ATTEMPTS)  # returns once /readyz answers
    try:
        for page in ("/host", "/"):
            with urllib.request.urlopen(f"{server.url}{page}", timeout=30) as r:
                assert r.status == 200 and "text/html" in r.headers["Content-Type"], page
        assert server.db.is_file()
        assert f"http://localhost:{server.port}/" in server.log.read_text()
    finally:
        server.stop()
