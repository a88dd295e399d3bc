"""``benchmarks/classroom.py --clients``: protocol clients play a real ``chaingame play`` over real websockets.

No browser: the clients (``benchmarks/ws_clients.py``) speak to the server what a seat page's browser
sends. The game must end with every decision in the SQLite file once and as typed, which only
happens if the server took each client's join (the seat token), showed it each week and accepted
its orders; the figures are read from the script's JSON.
"""

from __future__ import annotations

import json
import math
import os
import re
import struct
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "classroom.py"
TEAMS, PLAYERS, WEEKS = 1, 2, 3  # 2 players and 2 bots: a bot seat's decisions count as no player's
FIRMS = 4  # the classic chain


def test_protocol_clients_play_the_game_on_a_real_server(tmp_path):
    out = tmp_path / "figures.json"
    p = subprocess.run([sys.executable, str(SCRIPT), "--clients", "--teams", str(TEAMS), "--players", str(PLAYERS),
                        "--weeks", str(WEEKS), "--breakdown", "--out", str(out)],
                       capture_output=True, text=True, timeout=300, cwd=ROOT,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})  # this checkout's chaingame
    said = p.stdout + p.stderr
    assert p.returncode == 0, said
    (figures,) = json.loads(out.read_text())
    expected = TEAMS * WEEKS * FIRMS
    assert figures["decisions"] == (f"decisions in the database: {expected} of {expected} expected "
                                    f"({TEAMS * PLAYERS * WEEKS} by players), lost 0, doubled 0, "
                                    f"not as typed 0: OK"), said
    assert figures["mode"] == "clients" and figures["pages"] == TEAMS * PLAYERS
    assert figures["transitions"] == TEAMS * (WEEKS - 1), said  # the last week ends the game: no next week
    assert 0 < figures["p50_s"] <= figures["p95_s"] <= figures["max_s"] < 30, figures
    assert figures["messages_per_submission"] > 1, figures  # at least the new week's label, each
    # every page's guard (and the host's) probed /readyz: from a phase within 5 s, and the game lasts longer
    assert figures["heartbeats"] >= TEAMS * PLAYERS + 1, figures
    assert 0 < figures["rss_mb"] < 1024 and figures["peak_rss_mb"] >= figures["rss_mb"] - 1, figures
    assert re.search(r"^where the server's CPU went, weeks 2-2 \(2 submissions\)", said, re.M), said
    assert "Traceback" not in said, said


def test_the_clients_read_solaras_binary_frames():
    """A message with buffers as Solara's server frames it: its JSON part is read, the buffers skipped."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from solara.server.kernel import serialize_binary_message
    from ws_clients import parse

    msg = {"header": {"msg_type": "comm_msg"}, "content": {"data": {"method": "update", "state": {"x": 1.5}}},
           "buffers": [b"\x00\x01\x02", struct.pack("!d", math.pi)]}
    framed = serialize_binary_message(msg)
    assert isinstance(framed, bytes)
    assert parse(framed) == {k: v for k, v in msg.items() if k != "buffers"}
    assert parse(json.dumps({"a": [1]})) == {"a": [1]}
