"""Audit of issue 14 items 3-5 from outside: the CLI as a subprocess with hostile input, provenance, compare."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


def cli(*args, cwd):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "chaingame.cli", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=120)


def one_line_error(p, *words):
    assert p.returncode == 2, (p.stdout, p.stderr)
    assert p.stderr.count("\n") == 1 and "Traceback" not in p.stderr, p.stderr
    for w in words:
        assert w in p.stderr, p.stderr


@pytest.mark.parametrize("flag, value", [("--seed", "٣"), ("--seed", "nan"), ("--weeks", "٣٠"), ("--burn-in", "1e3"),
                                         ("--weeks", "")])
def test_integer_flags_take_ascii_digits_only(tmp_path, flag, value):
    p = cli("run", "classic", flag, value, "--quiet", "--no-plot", "--out", "o", cwd=tmp_path)
    one_line_error(p, flag, f'"{value}"', "allowed: digits 0-9")
    assert not (tmp_path / "o").exists()


def test_an_empty_out_is_refused_not_the_current_folder(tmp_path):
    p = cli("run", "classic", "--quiet", "--no-plot", "--out", "", cwd=tmp_path)
    one_line_error(p, '--out: "" is empty')
    assert list(tmp_path.iterdir()) == []
    p = cli("sweep", str(ROOT / "sweeps" / "beta.toml"), "--out", "", cwd=tmp_path)
    one_line_error(p, '--out: "" is empty')
    assert list(tmp_path.iterdir()) == []


def test_a_set_without_a_path_names_the_flag(tmp_path):
    one_line_error(cli("run", "classic", "--set", "=3", "--quiet", cwd=tmp_path), '--set: "=3" has no PATH')


def test_an_unwritable_sweep_out_names_the_flag(tmp_path):
    p = cli("sweep", str(ROOT / "sweeps" / "beta.toml"), "--out", "/proc/t.parquet", "--quiet", "--workers", "1",
            cwd=tmp_path)  # /proc takes no new file, whoever runs this
    one_line_error(p, "--out:", "cannot be written", "allowed:")


def test_compare_with_more_replications_than_memory_is_a_one_line_error(tmp_path):
    p = cli("compare", "stochastic", "--set", "defaults.policy.beta=1", "--replications", "100000000000", cwd=tmp_path)
    one_line_error(p, "--replications: 100000000000", "allowed: fewer")


@pytest.mark.parametrize("name, sets", [("lead-time-variability", ["defaults.policy.beta=0.9"]),
                                        ("cash", ["weeks=30", "--burn-in", "5"]),
                                        ("batching", ["seed=77"])])
def test_rerun_from_summary_is_bit_for_bit_after_the_scenario_file_is_edited_and_deleted(tmp_path, name, sets):
    """A scenario copied to disk (chaingame show), run with overrides, then edited and deleted: --from replays
    what summary.json recorded, and its numbers are the same bit for bit."""
    shown = cli("show", name, cwd=tmp_path)
    assert shown.returncode == 0
    mine = tmp_path / "mine.toml"
    mine.write_text(shown.stdout)
    args = []
    for s in sets:
        args += [s] if s.startswith("--") or s.isdigit() else ["--set", s]
    assert cli("run", str(mine), *args, "--no-plot", "--quiet", "--out", "a", cwd=tmp_path).returncode == 0
    first = json.loads((tmp_path / "a" / "summary.json").read_text())
    assert first["overrides"] and first["chaingame"] and first["scenario_toml"]
    mine.write_text(shown.stdout.replace("weeks =", "weeks = 3 #", 1))
    mine.unlink()
    p = cli("run", "--from", "a/summary.json", "--no-plot", "--out", "b", cwd=tmp_path)
    assert p.returncode == 0 and "bit for bit" in p.stdout, p.stderr
    again = json.loads((tmp_path / "b" / "summary.json").read_text())
    assert again["chain"] == first["chain"] and again["firms"] == first["firms"]
    assert (tmp_path / "a" / "history.csv").read_bytes() == (tmp_path / "b" / "history.csv").read_bytes()
    one_line_error(cli("run", "--from", "a", "--no-plot", "--out", "b", cwd=tmp_path), "--out", "holds another run")


def test_compare_interval_is_the_paired_t_interval_of_the_per_replication_table():
    """chaingame.compare's interval against a hand computation from simulate's per-replication rows."""
    from scipy.stats import t

    import chaingame as cg

    sc, R = "lead-time-variability", 40
    table = cg.compare(sc, {"defaults.policy.beta": 1}, replications=R, seed=5, metrics=["cost"])
    base = cg.simulate(sc, R, seed=5).firms
    treat = cg.simulate(cg.load_scenario(sc).with_values({"defaults.policy.beta": 1}), R, seed=5).firms
    for firm in cg.load_scenario(sc).firm_ids:
        d = treat[treat.firm == firm].cost.to_numpy() - base[base.firm == firm].cost.to_numpy()
        half = t.ppf(0.975, R - 1) * d.std(ddof=1) / np.sqrt(R)
        row = table[(table.firm == firm) & (table.metric == "cost")].iloc[0]
        assert row.difference == pytest.approx(d.mean(), abs=1e-9)
        assert row.low == pytest.approx(d.mean() - half, abs=1e-9)
        assert row.high == pytest.approx(d.mean() + half, abs=1e-9)
