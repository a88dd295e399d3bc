"""Smoke run of ``benchmarks/debrief.py`` with tiny sessions, as a subprocess: it makes its sessions through the
service, prints a row per kind and size, and its JSON agrees with what it printed. No timing is judged."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "debrief.py"


def test_debrief_benchmark_prints_first_cached_and_read_back_seconds(tmp_path):
    out = tmp_path / "debrief.json"
    p = subprocess.run([sys.executable, str(SCRIPT), "--teams", "1", "3", "--weeks", "10", "--out", str(out)],
                       capture_output=True, text=True, timeout=240, cwd=ROOT, env={**os.environ, "MPLBACKEND": "Agg"})
    assert p.returncode == 0, p.stderr
    rows = json.loads(out.read_text())
    assert [(r["kind"], r["teams"], r["weeks"]) for r in rows] == [("bots", 1, 10), ("bots", 3, 10),
                                                                   ("mixed", 1, 10), ("mixed", 3, 10)]
    lines = p.stdout.splitlines()[1:]
    for r, line in zip(rows, lines, strict=True):
        kind, teams, weeks, first, cached, back = line.split()
        assert (kind, int(teams), int(weeks)) == (r["kind"], r["teams"], r["weeks"])
        assert float(first) == round(r["first_s"], 2) and float(back) == round(r["read_back_s"], 2)
        assert 0 < r["cached_s"] <= r["first_s"]  # the second read is the cached Debrief
