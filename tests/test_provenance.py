"""Provenance (chaingame.provenance, chaingame.tomltext): results say how they were made, and rerun from that."""

import json
import math
import os
import subprocess
import sys
import tomllib

import pandas as pd
import pytest

import chaingame as cg
from chaingame.provenance import read_metadata
from chaingame.scenario import bundled, from_table, load_scenario
from chaingame.sweep import run_sweep
from chaingame.tomltext import dumps

MODULE = [sys.executable, "-m", "chaingame.cli"]


def run(*args, cwd=None):
    return subprocess.run([*MODULE, *args], capture_output=True, text=True, cwd=cwd, timeout=300,
                          env={**os.environ, "MPLBACKEND": "Agg"})


def one_line_error(p, needle):
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)
    assert needle in p.stderr, p.stderr
    assert len(p.stderr.strip().splitlines()) == 1 and "Traceback" not in p.stderr, p.stderr


@pytest.mark.parametrize("name", sorted(bundled()))
def test_toml_text_of_every_bundled_scenario_reads_back_the_same(name):
    sc = load_scenario(name)
    raw = tomllib.loads(dumps(sc.table))
    assert raw == dict(sc.table)
    assert from_table(raw).table == sc.table


def test_toml_text_keeps_awkward_values():
    table = {"a key": 'quote " back \\ tab \t', "text": "two\nlines\n", "x": [0.1, 1e-300, -0.0, math.inf, 7],
             "t": {"u": {"v": True}, "w": []}, "rows": [{"k": 1}, {"k": [1.5, "s"]}]}
    back = tomllib.loads(dumps(table))
    assert back == {**table, "x": back["x"]} and back["x"][:4] == [0.1, 1e-300, -0.0, math.inf]
    assert math.copysign(1, back["x"][2]) == -1


def test_rerun_from_summary_json_is_bit_for_bit(tmp_path):
    p = run("run", "stochastic", "--seed", "7", "--weeks", "30", "--burn-in", "5", "--set",
            "defaults.policy.beta=0.5", "--out", "first", "--quiet", "--no-plot", cwd=tmp_path)
    assert p.returncode == 0 and p.stdout == "", p.stderr
    first = tmp_path / "first"
    assert sorted(f.name for f in first.iterdir()) == ["history.csv", "scenario.toml", "summary.json"]
    s = json.loads((first / "summary.json").read_text())
    assert (s["chaingame"], s["seed"], s["burn_in"], s["weeks"]) == (cg.__version__, 7, 5, 30)
    assert s["overrides"] == {"defaults.policy.beta": 0.5, "weeks": 30}
    assert (first / "scenario.toml").read_text() == s["scenario_toml"]
    expected = load_scenario("stochastic").with_values({"defaults.policy.beta": 0.5, "weeks": 30})
    assert tomllib.loads(s["scenario_toml"]) == dict(expected.table)

    p = run("run", "--from", str(first / "summary.json"), "--out", "again", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert "same numbers as" in p.stdout and "bit for bit" in p.stdout
    again = json.loads((tmp_path / "again" / "summary.json").read_text())
    assert again == s  # figures, seed, burn-in, overrides and the scenario: the same
    assert (tmp_path / "again" / "history.csv").read_bytes() == (first / "history.csv").read_bytes()

    s["chain"]["cost"] += 1  # a record that this version does not reproduce: said, with exit status 1
    (first / "summary.json").write_text(json.dumps(s))
    p = run("run", "--from", str(first), "--out", "third", "--quiet", cwd=tmp_path)
    assert p.returncode == 1 and "the numbers differ from" in p.stderr, p.stderr


def test_run_figures_are_the_array_engine_s_with_burn_in(tmp_path):
    """Two paths agree: the CLI's figures after a burn-in are simulate()'s for that replication."""
    p = run("run", "stochastic", "--seed", "3", "--burn-in", "10", "--out", "r", "--no-plot", cwd=tmp_path)
    assert p.returncode == 0 and "weeks 1-10 left out" in p.stdout, p.stderr
    firms = json.loads((tmp_path / "r" / "summary.json").read_text())["firms"]
    res = cg.simulate("stochastic", 1, seed=3, burn_in=10).firms
    for row in res.itertuples():
        assert firms[row.firm]["cost"] == row.cost and firms[row.firm]["bullwhip"] == row.bullwhip
    h = pd.read_csv(tmp_path / "r" / "history.csv")
    pd.testing.assert_frame_equal(h, cg.ChainModel("stochastic", seed=3).run().history(), check_exact=True)


def test_runs_never_land_in_another_run_s_folder(tmp_path):
    for _ in range(3):
        assert run("run", "classic", "--quiet", "--no-plot", cwd=tmp_path).returncode == 0
    assert sorted(p.name for p in (tmp_path / "chaingame-runs").iterdir()) == ["classic", "classic-2", "classic-3"]
    one_line_error(run("run", "classic", "--out", "chaingame-runs/classic", cwd=tmp_path),
                   'holds another run (summary.json, history.csv, scenario.toml) (allowed: a new or empty folder, '
                   "or add --force to overwrite it)")
    assert run("run", "classic", "--out", "chaingame-runs/classic", "--force", "--quiet", cwd=tmp_path).returncode == 0


@pytest.mark.parametrize("args, needle", [
    (["run", "classic", "--from", "x/summary.json"], "--from: reruns the recorded run as it was (not allowed with "
                                                     "SCENARIO"),
    (["run", "--from", "nope.json"], '--from: "nope.json" is not an existing file'),
    (["run", "--from", "bad.json"], "--from: \"bad.json\" has no scenario_toml, seed, burn_in"),
    (["run"], "SCENARIO: is missing"),
    (["run", "classic", "--burn-in", "35"], "--burn-in: 35 is above 34"),
    (["show", "nope"], 'SCENARIO: "nope" is not a bundled scenario (allowed: ' + ", ".join(bundled())),
])
def test_bad_input_one_line(args, needle, tmp_path):
    (tmp_path / "bad.json").write_text('{"scenario": "classic"}')
    before = sorted(tmp_path.rglob("*"))
    one_line_error(run(*args, cwd=tmp_path), needle)
    assert sorted(tmp_path.rglob("*")) == before


def test_show_prints_the_bundled_file():
    p = run("show", "classic")
    assert p.returncode == 0 and p.stdout == bundled()["classic"].read_text(encoding="utf-8")


SWEEP = {"scenario": "stochastic", "seed": 4, "replications": 3, "weeks": 20, "burn_in": 2, "metrics": ["cost"],
         "grid": {"defaults.policy.beta": [0, 1]}}


def test_sweep_table_carries_its_provenance(tmp_path):
    df = run_sweep(SWEEP, workers=1, out=tmp_path / "t.parquet", progress=False)
    m = read_metadata(tmp_path / "t.parquet")
    assert (m["chaingame"], m["seed"], m["burn_in"], m["replications"]) == (cg.__version__, 4, 2, 3)
    assert tomllib.loads(m["scenario_toml"]) == dict(load_scenario("stochastic").with_values({"weeks": 20}).table)
    assert tomllib.loads(m["sweep_toml"]) == SWEEP
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "t.parquet"), df, check_exact=True)
    assert run_sweep(tomllib.loads(m["sweep_toml"]), workers=1, progress=False).equals(df)  # rerun from it


def test_sweep_never_overwrites_another_table(tmp_path):
    (tmp_path / "s.toml").write_text(dumps(SWEEP))
    assert run("sweep", "s.toml", "--out", "t.csv", "--workers", "1", "--quiet", cwd=tmp_path).returncode == 0
    before = (tmp_path / "t.csv").read_bytes()
    one_line_error(run("sweep", "s.toml", "--out", "t.csv", cwd=tmp_path),
                   '--out: "t.csv" holds another sweep\'s table (allowed: a new file name, or add --force')
    one_line_error(run("sweep", "s.toml", "--out", "t.csv", "--resume", cwd=tmp_path), "holds another sweep's table")
    p = run("sweep", "s.toml", "--out", "t.csv", "--workers", "1", "--force", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert (tmp_path / "t.csv").read_bytes() == before
