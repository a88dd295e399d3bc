"""Smoke run of ``benchmarks/classroom.py --kernels`` with a tiny class, as a subprocess: every page clicks
at once each week, and the script prints its figures and finds each decision once in the SQLite file.
No timing is judged (the machine is shared; the figures are for people)."""

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "classroom.py"
TEAMS, PLAYERS, WEEKS = 2, 3, 3  # tiny: a few seconds; the fourth seat of each team is a bot


def test_kernels_benchmark_prints_its_figures_and_loses_no_decision(tmp_path):
    out = tmp_path / "figures.json"
    p = subprocess.run([sys.executable, str(SCRIPT), "--kernels", "--teams", str(TEAMS), "--players", str(PLAYERS),
                        "--weeks", str(WEEKS), "--out", str(out)],
                       capture_output=True, text=True, timeout=300, cwd=ROOT, env={"PYTHONPATH": str(ROOT),
                                                                                  "PATH": "/usr/bin:/bin"})
    assert p.returncode == 0, p.stdout + p.stderr
    assert "Traceback" not in p.stderr, p.stderr
    text = p.stdout
    assert f"{TEAMS * PLAYERS} player pages and the host's" in text
    m = re.search(r"p50 ([\d.]+) s, p95 ([\d.]+) s, max ([\d.]+) s over (\d+) week changes", text)
    assert m, text
    p50, p95, most, changes = float(m[1]), float(m[2]), float(m[3]), int(m[4])
    assert 0 < p50 <= p95 <= most and changes == TEAMS * (WEEKS - 1)
    m = re.search(r"decisions in the database: (\d+) of (\d+) expected \((\d+) by players\), lost 0, doubled 0, "
                  r"not as typed 0: OK", text)
    assert m, text
    assert int(m[1]) == int(m[2]) == TEAMS * WEEKS * 4 and int(m[3]) == TEAMS * WEEKS * PLAYERS
    assert re.search(r"server memory: \d+ MB resident at the end, peak \d+ MB", text), text
    (figures,) = json.loads(out.read_text())
    assert abs(figures["p95_s"] - p95) < 0.0005
    assert figures["pages"] == TEAMS * PLAYERS and figures["transitions"] == changes


def test_browser_benchmark_prints_the_server_s_share_and_where_it_went(tmp_path):
    """Real Chromium pages against ``chaingame play`` under ``server_probe.py``: the server's CPU, part by part."""
    p = subprocess.run([sys.executable, str(SCRIPT), "--teams", "1", "--players", "2", "--weeks", "5", "--breakdown"],
                       capture_output=True, text=True, timeout=600, cwd=ROOT,
                       env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert p.returncode == 0, p.stdout + p.stderr
    text = p.stdout
    share = re.search(r"the server's share of a week .*: median ([\d.]+) s \(([\d.]+) ms per submission\)", text)
    assert share and float(share[1]) > 0, text
    total = re.search(r"where the server's CPU went, weeks 3-4 \(4 submissions\): ([\d.]+) s, ([\d.]+) ms per "
                      r"submission", text)
    assert total, text
    parts = dict(re.findall(r"^  (render, urgent|a page's message handled)\s+([\d.]+) s", text, re.M))
    assert set(parts) == {"render, urgent", "a page's message handled"}, text  # both weeks' changes were counted
    rest = re.search(r"^  the rest \(event loop, HTTP\)\s+(-?[\d.]+) s", text, re.M)
    assert rest and float(rest[1]) >= 0 and sum(map(float, parts.values())) <= float(total[1]), text
    assert "lost 0, doubled 0, not as typed 0: OK" in text
