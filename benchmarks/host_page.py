"""The host's dashboard for a large class: its height in a real browser (Chromium), and how long it takes to show.

A session of ``--teams`` teams (one player joined per team, the other seats bots, started) is written to a
fresh database; `chaingame play` serves it from the checkout ``--checkout`` (default: this one, so an
older checkout can be measured the same way), and Chromium opens the host page at 1280×900 and
reports the document's height once every team is on the page.

    python benchmarks/host_page.py --teams 100
    python benchmarks/host_page.py --teams 100 --checkout /path/to/an/older/checkout
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("CHAINGAME_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
WAIT = 120_000  # ms: a page with 100 team cards takes seconds to draw

MAKE = """
import json, sys
from chaingame.classroom import Classroom
room = Classroom(sys.argv[1])
t = room.create_session("classic", teams=int(sys.argv[2]), weeks=20)
for n in range(1, int(sys.argv[2]) + 1):
    room.join(t.code, f"P{n}", team=n, firm="retailer")
room.start(t.code, t.host_key)
room.close()
print(json.dumps([t.code, t.host_key]))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teams", type=int, default=100)
    parser.add_argument("--checkout", type=Path, default=Path(__file__).resolve().parents[1])
    parser.add_argument("--port", type=int, default=0, help="default: a free one")
    a = parser.parse_args()
    if not a.port:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            a.port = s.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(a.checkout), "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False"}
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "classroom.sqlite3"
        code, key = json.loads(subprocess.run([sys.executable, "-c", MAKE, str(db), str(a.teams)], env=env,
                                              capture_output=True, text=True, check=True).stdout)
        server = subprocess.Popen([sys.executable, "-m", "chaingame.cli", "play", "--port", str(a.port), "--db",
                                   str(db)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            url = f"http://127.0.0.1:{a.port}"
            for _ in range(300):
                try:
                    if urllib.request.urlopen(f"{url}/readyz", timeout=2).status == 200:
                        break
                except OSError:
                    time.sleep(0.2)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                start = time.perf_counter()
                page.goto(f"{url}/host?code={code}#key={key}")
                last = a.teams
                page.wait_for_selector(f".cg-team-{last}, tr[data-team='{last}']", state="attached", timeout=WAIT)
                shown = time.perf_counter() - start
                height = page.evaluate("document.documentElement.scrollHeight")
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"host page, {a.teams} teams ({a.checkout}): {height:,} px high at 1280×900, every team shown "
          f"{shown:.1f} s after opening")


if __name__ == "__main__":
    main()
