"""docs/teaching.md, the teachers' page, holds what it promises and its figures are the engine's.

- Every bundled scenario has a section (a heading naming it) and a row in the summary table naming
  its script, and every script and figure the page names exists.
- ``pos-sharing`` is ``classic`` changed in one lever only: POS data shared and Sterman's rule on
  the demand signal.
- ``examples/teaching_pos.py``, run as a script, prints the classic board's figures the engine
  gives (one game each of ``classic`` and ``pos-sharing``) and writes its figure.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import chaingame as cg
from chaingame.scenario import bundled

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "teaching.md"
TEXT = DOC.read_text()
FIXED_WEEKS = 4  # orders fixed at 4 in weeks 1-4 on the classic board


@pytest.mark.parametrize("name", sorted(bundled()))
def test_every_bundled_scenario_has_a_section(name):
    assert re.search(rf"^#{{2,3}} `{re.escape(name)}`$", TEXT, flags=re.M), f"docs/teaching.md: no section `{name}`"


@pytest.mark.parametrize("name", sorted(bundled()))
def test_every_bundled_scenario_has_a_row_in_the_summary_table(name):
    summary = TEXT.split("## Summary", 1)[1].split("\n## ", 1)[0]
    row = re.search(rf"^\| \[`{re.escape(name)}`\]\(#{re.escape(name)}\) \|(.+)\|$", summary, flags=re.M)
    assert row, f"docs/teaching.md: no summary row for `{name}`"
    assert re.search(r"\[[\w.-]+\.py\]\(\.\./examples/[\w.-]+\.py\)", row[1]), f"{name}: the row names no script"


def test_every_script_the_page_names_exists():
    scripts = set(re.findall(r"examples/([\w.-]+\.py)", TEXT))
    assert {"teaching_pos.py", "teaching_delays.py", "teaching_boards.py"} <= scripts
    assert [s for s in sorted(scripts) if not (ROOT / "examples" / s).is_file()] == []


def test_every_figure_the_page_shows_exists():
    images = set(re.findall(r"\]\((img/[\w.-]+\.png)\)", TEXT))
    assert "img/teaching-pos.png" in images
    assert [i for i in sorted(images) if not (DOC.parent / i).is_file()] == []


def test_pos_sharing_is_classic_with_pos_data_shared_and_used():
    classic = dict(cg.load_scenario("classic").table)
    pos = dict(cg.load_scenario("pos-sharing").table)
    for key in ("name", "title", "description"):
        classic.pop(key), pos.pop(key)
    assert pos["information"] == "pos" and pos["defaults"]["policy"]["signal"] == "demand"
    assert pos == {**classic, "information": "pos",
                   "defaults": {**classic["defaults"], "policy": {**classic["defaults"]["policy"], "signal": "demand"}}}
    assert {f.policy.signal for f in cg.load_scenario("pos-sharing").firms} == {"demand"}


def engine_figures(name: str) -> dict[str, str]:
    """The classic board's figures of one game, as teaching_pos.py prints them."""
    h = cg.ChainModel(cg.load_scenario(name)).run().history()
    factory = h[h.firm == "factory"].sort_values("week").order_placed
    out = {"team cost ($)": h.cost.sum(), "factory order variance": factory.iloc[FIXED_WEEKS:].var(ddof=1),
           "factory peak order": factory.max()}
    out.update({f"{firm} cost ($)": g.cost.sum() for firm, g in h.groupby("firm", sort=False)})
    return {k: f"{v:.2f}" for k, v in out.items()}


def test_teaching_pos_prints_the_engine_s_classic_figures(tmp_path):
    figure = tmp_path / "pos.png"
    p = subprocess.run([sys.executable, str(ROOT / "examples" / "teaching_pos.py"), "--replications", "20",
                        "--figure", str(figure)], capture_output=True, text=True, timeout=300, cwd=tmp_path,
                       env={**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": str(ROOT)})
    assert p.returncode == 0, p.stderr
    rows = {}
    for line in p.stdout.splitlines():
        m = re.fullmatch(r"\| (classic|stochastic) \| (.+?) \| ([-\d.]+) → ([-\d.]+) \| (.+) \|", line)
        if m:
            rows[m[1], m[2]] = m[3], m[4], m[5]
    silo, pos = engine_figures("classic"), engine_figures("pos-sharing")
    assert {k for b, k in rows if b == "classic"} == set(silo), p.stdout
    for name in silo:
        base, lever, effect = rows["classic", name]
        assert (base, lever) == (silo[name], pos[name]), name
        assert effect == f"{float(pos[name]) - float(silo[name]):+.2f} (exact)", name
    assert {k for b, k in rows if b == "stochastic"} == set(silo)
    assert all("[" in effect for (b, _), (*_, effect) in rows.items() if b == "stochastic")  # a 95% interval
    assert figure.stat().st_size > 0
