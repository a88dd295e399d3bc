"""The `chaingame` command as a user runs it: a subprocess."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from chaingame.scenario import bundled

EXE = [sys.executable, "-m", "chaingame.cli"]
ROOT = Path(__file__).resolve().parents[1]


def run(*args, cwd=None):
    return subprocess.run([*EXE, *args], capture_output=True, text=True, cwd=cwd, timeout=300,
                          env={**os.environ, "MPLBACKEND": "Agg"})


@pytest.mark.parametrize("name", sorted(bundled()))
def test_run_writes_the_three_files(name, tmp_path):
    out = tmp_path / name
    p = run("run", name, "--out", str(out))
    assert p.returncode == 0, p.stderr
    assert "chain" in p.stdout and "bullwhip" in p.stdout
    h = pd.read_csv(out / "history.csv")
    for col in ["week", "firm", "role", "inventory", "backlog", "incoming_order", "order_placed", "shipped",
                "received", "cost"]:
        assert col in h.columns
    s = json.loads((out / "summary.json").read_text())
    assert s["scenario"] == name
    assert s["chain"]["cost"] == pytest.approx(h.cost.sum())
    png = (out / "orders.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000


def test_seed_weeks_and_set_flags(tmp_path):
    p = run("run", "classic", "--weeks", "20", "--seed", "3", "--out", str(tmp_path),
            "--set", "firms.retailer.policy.theta=0", "--set", "defaults.holding_cost=1")
    assert p.returncode == 0, p.stderr
    h = pd.read_csv(tmp_path / "history.csv")
    assert h.week.max() == 20
    assert json.loads((tmp_path / "summary.json").read_text())["seed"] == 3


def test_benchmark_cost_printed(tmp_path):
    sets = []
    for firm, s in [("retailer", 28), ("wholesaler", 28), ("distributor", 28), ("factory", 20)]:
        sets += ["--set", f"firms.{firm}.policy={{rule='sterman', theta=0, alpha_s=1, beta=1, s_prime={s}}}"]
    p = run("run", "classic", "--out", str(tmp_path), *sets)
    assert p.returncode == 0, p.stderr
    assert json.loads((tmp_path / "summary.json").read_text())["chain"]["cost"] == 204.0


def test_scenarios_lists_every_bundled_one_per_line():
    p = run("scenarios")
    assert p.returncode == 0
    lines = p.stdout.strip().splitlines()
    assert [line.split()[0] for line in lines] == sorted(bundled())
    assert {"classic", "stochastic", "network", "capacity"} <= set(bundled())


@pytest.mark.parametrize("args", [[], ["run"], ["scenarios"]])
def test_help(args):
    p = run(*args, "--help")
    assert p.returncode == 0 and "usage:" in p.stdout


@pytest.mark.parametrize("args, needle", [
    (["run", "nope"], '"nope" is neither a bundled scenario'),
    (["run", "classic", "--weeks", "x"], "--weeks"),
    (["run", "classic", "--weeks", "0"], "weeks: 0 is below 1"),
    (["run", "classic", "--seed", "-1"], "seed: -1 is below 0"),
    (["run", "classic", "--set", "firms.factory.policy.alpha_s=-0.2"],
     "firms.factory.policy.alpha_s: -0.2 is below 0 (allowed: 0 to 1)"),
    (["run", "classic", "--set", "nonsense"], "--set"),
    (["run", "classic", "--set", "firms.nobody.inventory=3"], "firms.nobody"),
    (["frobnicate"], "invalid choice"),
])
def test_bad_input_one_line_no_traceback(args, needle, tmp_path):
    p = run(*args, cwd=tmp_path)
    assert p.returncode == 2
    assert needle in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1, p.stderr
    assert "Traceback" not in p.stderr
    assert not any(tmp_path.iterdir()), "nothing is written on bad input"


def test_corrupt_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("weeks = [unclosed\n")
    p = run("run", str(bad), cwd=tmp_path)
    assert p.returncode == 2 and "bad.toml: is not valid TOML" in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1


def test_out_is_a_file(tmp_path):
    f = tmp_path / "file"
    f.write_text("keep me")
    p = run("run", "classic", "--out", str(f))
    assert p.returncode == 2 and "--out" in p.stderr
    assert f.read_text() == "keep me"
