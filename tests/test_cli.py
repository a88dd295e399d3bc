"""The `chaingame` command as a user runs it: a subprocess, through the installed console script
(``<venv>/bin/chaingame``) or ``python -m chaingame.cli``."""

import json
import math
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import chaingame as cg
from chaingame.policies import BaseStock, Sterman
from chaingame.scenario import bundled

MODULE = [sys.executable, "-m", "chaingame.cli"]
SCRIPT = Path(sys.executable).parent / "chaingame"  # the console script pip installed beside this Python
ROOT = Path(__file__).resolve().parents[1]
FIRMS = ["retailer", "wholesaler", "distributor", "factory"]


def run(*args, cwd=None, script=False, timeout=300):
    exe = [str(SCRIPT)] if script else MODULE
    return subprocess.run([*exe, *args], capture_output=True, text=True, cwd=cwd, timeout=timeout,
                          env={**os.environ, "MPLBACKEND": "Agg"})


def one_line_error(p, needle):
    """Exit status 2 and a single line on stderr that contains ``needle``, no traceback."""
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)
    assert needle in p.stderr, p.stderr
    assert len(p.stderr.strip().splitlines()) == 1, p.stderr
    assert "Traceback" not in p.stderr + p.stdout


def test_the_console_script_is_installed_and_runs(tmp_path):
    """``pip install`` put ``chaingame`` beside the interpreter; it runs a scenario like the module."""
    assert SCRIPT.is_file() and os.access(SCRIPT, os.X_OK), f"{SCRIPT} is not an installed console script"
    p = run("run", "classic", "--out", "by-script", script=True, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    q = run("run", "classic", "--out", "by-module", cwd=tmp_path)
    assert q.returncode == 0, q.stderr
    assert p.stdout.replace("by-script", "by-module") == q.stdout
    assert (tmp_path / "by-script" / "history.csv").read_text() == (tmp_path / "by-module" / "history.csv").read_text()


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


def test_seed_gives_the_python_run_of_that_seed(tmp_path):
    """``--seed 3 --weeks 20`` on the random-demand board writes exactly the history of
    ``ChainModel("stochastic", seed=3, weeks=20)``, and not the scenario's own seed's."""
    p = run("run", "stochastic", "--seed", "3", "--weeks", "20", "--out", str(tmp_path), script=True)
    assert p.returncode == 0, p.stderr
    h = pd.read_csv(tmp_path / "history.csv")
    expected = cg.ChainModel("stochastic", seed=3, weeks=20).run().history()
    pd.testing.assert_frame_equal(h, expected, check_exact=True)
    own_seed = cg.ChainModel("stochastic", weeks=20).run().history()
    assert cg.load_scenario("stochastic").seed != 3
    assert not h.customer_demand.equals(own_seed.customer_demand)
    s = json.loads((tmp_path / "summary.json").read_text())
    assert s["seed"] == 3 and s["weeks"] == 20


def test_set_changes_the_retailer_s_rule_and_holding_cost(tmp_path):
    """``--set`` of the retailer's policy parameter and holding cost: the file is the Python run
    with the same changes, and the retailer's cost is its own holding cost x stock + backlog cost x
    backlog, computed here from the written columns."""
    p = run("run", "classic", "--out", str(tmp_path), "--set", "firms.retailer.policy.theta=0",
            "--set", "firms.retailer.holding_cost=2")
    assert p.returncode == 0, p.stderr
    h = pd.read_csv(tmp_path / "history.csv")
    sc = cg.load_scenario("classic").with_values({"firms.retailer.holding_cost": 2})
    rule = Sterman(theta=0, alpha_s=0.26, beta=0.34, s_prime=17)  # classic's rule with θ = 0
    pd.testing.assert_frame_equal(h, cg.ChainModel(sc, policies={"retailer": rule}).run().history(),
                                  check_exact=True)
    r = h[h.firm == "retailer"]
    assert r.cost.sum() == (2.0 * r.inventory + 1.0 * r.backlog).sum()
    default = cg.ChainModel("classic").run().history()
    d = default[default.firm == "retailer"]
    assert d.cost.sum() == (0.5 * d.inventory + 1.0 * d.backlog).sum()
    assert not np.array_equal(r.order_placed, d.order_placed), "theta = 0 did not change the retailer's orders"
    assert r.cost.sum() != d.cost.sum()
    for firm in FIRMS[1:]:  # the others keep holding cost 0.5
        f = h[h.firm == firm]
        assert f.cost.sum() == (0.5 * f.inventory + 1.0 * f.backlog).sum()


def test_benchmark_cost_printed(tmp_path):
    sets = []
    for firm, s in [("retailer", 28), ("wholesaler", 28), ("distributor", 28), ("factory", 20)]:
        sets += ["--set", f"firms.{firm}.policy={{rule='sterman', theta=0, alpha_s=1, beta=1, s_prime={s}}}"]
    p = run("run", "classic", "--out", str(tmp_path), *sets)
    assert p.returncode == 0, p.stderr
    assert json.loads((tmp_path / "summary.json").read_text())["chain"]["cost"] == 204.0
    assert re.search(r"^chain\s+204\.00\s", p.stdout, re.M), p.stdout


def help_example_of_set() -> str:
    """The every-link example that ``chaingame run --help`` gives for --set."""
    p = run("run", "--help")
    assert p.returncode == 0, p.stderr
    examples = re.findall(r"links\.\*\.\w+=\S+?(?=[\s).,]|$)", p.stdout)
    assert examples, p.stdout
    return examples[0]


@pytest.mark.parametrize("name", sorted(bundled()))
def test_the_help_s_example_of_set_runs_on_every_bundled_scenario(name, tmp_path):
    """``--set 'links.*.shipping_delay=1'``: the pipelines in transit are resized with the delay, so
    the file is the Python run of ``with_values`` and the early weeks keep the scenario's flows."""
    example = help_example_of_set()
    path, value = example.split("=")
    p = run("run", name, "--out", str(tmp_path), "--set", example)
    assert p.returncode == 0, p.stderr
    h = pd.read_csv(tmp_path / "history.csv")
    sc = cg.load_scenario(name).with_values({path: int(value)})
    assert [k.shipping_delay for k in sc.links] == [int(value)] * len(sc.links)
    pd.testing.assert_frame_equal(h, cg.ChainModel(sc).run().history(), check_exact=True)
    before = cg.ChainModel(name).run().history()  # week 1 receives what it received before the change
    assert h[h.week == 1].received.tolist() == before[before.week == 1].received.tolist()


def test_a_rule_switched_by_dotted_path_drops_the_old_rule_s_parameters(tmp_path):
    """``--set firms.retailer.policy.rule=base_stock --set firms.retailer.policy.level=20``: the retailer
    follows a base-stock rule of level 20 (the Sterman parameters it inherited are dropped), and the
    run is the Python run with that rule."""
    p = run("run", "classic", "--out", str(tmp_path), "--set", "firms.retailer.policy.rule=base_stock",
            "--set", "firms.retailer.policy.level=20")
    assert p.returncode == 0, p.stderr
    h = pd.read_csv(tmp_path / "history.csv")
    expected = cg.ChainModel("classic", policies={"retailer": BaseStock(level=20)}).run().history()
    pd.testing.assert_frame_equal(h, expected, check_exact=True)
    assert not h.equals(cg.ChainModel("classic").run().history())


def test_a_folder_named_like_a_bundled_scenario_does_not_hide_it(tmp_path):
    """``run classic --out classic`` twice: the second run finds the bundled scenario, not the folder
    the first one wrote (and overwrites that run only with --force); ``./classic`` names the
    folder, which is not a scenario."""
    first = run("run", "classic", "--out", "classic", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    one_line_error(run("run", "classic", "--out", "classic", cwd=tmp_path),
                   '--out: "classic" holds another run (summary.json, history.csv, orders.png, scenario.toml)')
    again = run("run", "classic", "--out", "classic", "--force", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert again.stdout == first.stdout
    one_line_error(run("run", "./classic", cwd=tmp_path), '"./classic" is a folder, not a .toml file')
    p = run("run", "--help")
    assert "./NAME" in p.stdout and "bundled" in p.stdout


TABLE_ROW = re.compile(r"^(?P<firm>\S+)\s+(?P<role>\S+)?\s+(?P<cost>-?[\d.]+)\s+(?P<profit>-?[\d.]+)\s+"
                       r"(?P<bullwhip>-|[\d.]+)\s+(?P<fill>-|[\d.]+%)\s+(?P<peak>-?[\d.]+) \(wk (?P<week>\d+)\)$")


def printed_table(stdout: str) -> dict[str, dict]:
    """The summary table's rows by firm (and ``chain``), as printed."""
    rows = {}
    for line in stdout.splitlines():
        m = TABLE_ROW.match(line)
        if m:
            rows[m["firm"]] = m.groupdict()
    return rows


def expected_row(g: pd.DataFrame, demand: pd.Series) -> dict:
    """One firm's figures computed here from its history rows, formatted as the table prints them."""
    vd = demand.var(ddof=1)
    bullwhip = g.order_placed.var(ddof=1) / vd if vd > 1e-12 else math.nan
    incoming = g.incoming_order.sum()
    peak = g.order_placed.max()
    return {"cost": f"{g.cost.sum():.2f}", "profit": f"{g.profit.sum():.2f}",
            "bullwhip": "-" if math.isnan(bullwhip) else f"{bullwhip:.2f}",
            "fill": f"{g.on_time.sum() / incoming:.1%}" if incoming > 0 else "-",
            "peak": f"{peak:g}", "week": str(int(g.week[g.order_placed == peak].min()))}


@pytest.mark.parametrize("name", ["stochastic", "network"])
def test_printed_table_is_the_history(name, tmp_path):
    """Every number of the printed table, per firm and for the chain (total cost and profit, the
    largest bullwhip ratio, the retailers' fill rate, the largest order any firm placed and the
    first week it was placed), equals what is computed here from history.csv."""
    p = run("run", name, "--out", str(tmp_path))
    assert p.returncode == 0, p.stderr
    h = pd.read_csv(tmp_path / "history.csv")
    rows = printed_table(p.stdout)
    firms = list(dict.fromkeys(h.firm))
    assert list(rows) == [*firms, "chain"], p.stdout
    ratios = []
    for firm in firms:
        g = h[h.firm == firm]
        want = expected_row(g, g.customer_demand)
        got = rows[firm]
        assert got["role"] == g.role.iloc[0]
        assert {k: got[k] for k in want} == want, (firm, p.stdout)
        ratios.append(g.order_placed.var(ddof=1) / g.customer_demand.var(ddof=1))
    chain = rows["chain"]
    assert chain["cost"] == f"{h.cost.sum():.2f}" and chain["profit"] == f"{h.profit.sum():.2f}"
    assert chain["bullwhip"] == f"{max(ratios):.2f}"
    retail = h[h.role == "retailer"]
    assert chain["fill"] == f"{retail.on_time.sum() / retail.incoming_order.sum():.1%}"
    peak = h.order_placed.max()
    assert chain["peak"] == f"{peak:g}" and chain["week"] == str(int(h.week[h.order_placed == peak].min()))
    s = json.loads((tmp_path / "summary.json").read_text())["chain"]
    assert s["peak_order"] == peak and s["peak_week"] == h.week[h.order_placed == peak].min()
    assert s["max_bullwhip"] == pytest.approx(max(ratios), rel=1e-12)


def test_three_weeks_of_classic(tmp_path):
    """``run classic --weeks 3``: shorter than the fixed orders of weeks 1-4, with constant demand,
    so no bullwhip ratio exists (printed "-", null in summary.json), and 3 weeks are written."""
    p = run("run", "classic", "--weeks", "3", "--out", str(tmp_path), script=True)
    assert p.returncode == 0, p.stderr
    h = pd.read_csv(tmp_path / "history.csv")
    assert h.week.tolist() == [w for w in (1, 2, 3) for _ in FIRMS] and h.firm.tolist() == FIRMS * 3
    pd.testing.assert_frame_equal(h, cg.ChainModel("classic", weeks=3).run().history(), check_exact=True)
    rows = printed_table(p.stdout)
    assert list(rows) == [*FIRMS, "chain"], p.stdout
    assert all(r["bullwhip"] == "-" for r in rows.values())
    assert rows["chain"]["peak"] == "4" and rows["chain"]["week"] == "1"  # 4 every week; the first
    s = json.loads((tmp_path / "summary.json").read_text())
    assert s["weeks"] == 3 and s["chain"]["max_bullwhip"] is None
    assert s["chain"]["cost"] == h.cost.sum()


def test_scenarios_lists_every_bundled_one_per_line():
    p = run("scenarios")
    assert p.returncode == 0
    lines = p.stdout.strip().splitlines()
    assert [line.split()[0] for line in lines] == sorted(bundled())
    assert {"classic", "stochastic", "network", "capacity"} <= set(bundled())


@pytest.mark.parametrize("command", ["", "scenarios", "run", "show", "compare", "play", "assets", "sweep", "plot"])
def test_help(command):
    """``--help`` on the command and on every subcommand, through the console script."""
    args = [command] if command else []
    p = run(*args, "--help", script=True)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith(f"usage: chaingame {command}".rstrip()), p.stdout
    assert p.stderr == ""


@pytest.mark.parametrize("args, needle", [
    (["run", "nope"], '"nope" is neither a bundled scenario'),
    (["run", "classic", "--weeks", "x"], "--weeks"),
    (["run", "classic", "--weeks", "0"], "weeks: 0 is below 1"),
    (["run", "classic", "--seed", "-1"], "seed: -1 is below 0"),
    (["run", "classic", "--set", "firms.factory.policy.alpha_s=-0.2"],
     "firms.factory.policy.alpha_s: -0.2 is below 0 (allowed: 0 to 1)"),
    (["run", "classic", "--set", "nonsense"], "--set"),
    (["run", "classic", "--set", "firms.nobody.inventory=3"], "firms.nobody"),
    (["run", "classic", "--set", "firms.retailer.policy.rule=base_stock", "--set", "firms.retailer.policy.theta=0.5"],
     "firms.retailer.policy.theta: unknown field (allowed: rule, level)"),
    (["run", "classic", "--set", "links.*.shipping_delay=1", "--set", "links.0.shipments=[4, 4]"],
     "links.0.shipments: [4, 4] has 2 values (allowed: exactly 1, one per week of delay)"),
    (["frobnicate"], "invalid choice"),
])
def test_bad_input_one_line_no_traceback(args, needle, tmp_path):
    p = run(*args, cwd=tmp_path)
    one_line_error(p, needle)
    assert not any(tmp_path.iterdir()), "nothing is written on bad input"


def test_corrupt_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("weeks = [unclosed\n")
    p = run("run", str(bad), cwd=tmp_path)
    one_line_error(p, "bad.toml: is not valid TOML")


def test_out_is_a_file(tmp_path):
    f = tmp_path / "file"
    f.write_text("keep me")
    p = run("run", "classic", "--out", str(f))
    one_line_error(p, "--out")
    assert f.read_text() == "keep me"


# ------------------------------------------------------------------------------------------------
# play and sweep: wrong addresses, ports and files are refused before anything starts

PLAY_TIMEOUT = 120  # s; a refused start exits at once, a server that started would run until killed


def play(*args, cwd):
    return run("play", *args, cwd=cwd, script=True, timeout=PLAY_TIMEOUT)


def test_play_db_that_is_a_folder(tmp_path):
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "keep.txt").write_text("keep me")
    p = play("--db", str(folder), "--port", str(free_port()), cwd=tmp_path)
    one_line_error(p, "--db")
    assert sorted(x.name for x in folder.iterdir()) == ["keep.txt"] and (folder / "keep.txt").read_text() == "keep me"


def test_play_db_that_is_a_text_file(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("my lesson notes\n" * 50)
    before = text.read_bytes(), text.stat().st_mtime_ns
    p = play("--db", "notes.txt", "--port", str(free_port()), cwd=tmp_path)
    one_line_error(p, "--db")
    assert '"notes.txt"' in p.stderr
    assert (text.read_bytes(), text.stat().st_mtime_ns) == before, "the text file was changed"
    assert sorted(x.name for x in tmp_path.iterdir()) == ["notes.txt"], "nothing else is written beside it"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_play_port_in_use(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        p = play("--port", str(port), "--db", str(tmp_path / "c.sqlite3"), cwd=tmp_path)
    one_line_error(p, "--port")
    assert str(port) in p.stderr
    assert not (tmp_path / "c.sqlite3").exists()


def test_play_host_that_does_not_resolve(tmp_path):
    p = play("--host", "no.such.host.invalid", "--db", str(tmp_path / "c.sqlite3"), cwd=tmp_path)
    one_line_error(p, "--host")
    assert "no.such.host.invalid" in p.stderr
    assert not (tmp_path / "c.sqlite3").exists()


CLUSTER_SECONDS = 20  # s; well under Dask's 30 s connect timeout, so a refusal that waited for it fails


@pytest.mark.parametrize("address", ["notanaddress", "tcp://127.0.0.1"])
def test_sweep_cluster_that_is_not_an_address(address, tmp_path):
    out = tmp_path / "results.parquet"
    start = time.monotonic()
    p = run("sweep", str(ROOT / "sweeps" / "beta.toml"), "--cluster", address, "--out", str(out), cwd=tmp_path,
            script=True, timeout=120)
    elapsed = time.monotonic() - start
    one_line_error(p, "--cluster")
    assert address in p.stderr
    assert elapsed < CLUSTER_SECONDS, f"took {elapsed:.1f} s to refuse {address}"
    assert not any(tmp_path.iterdir()), "nothing is written"


def test_help_and_input_errors_load_no_heavy_module(tmp_path):
    """Help and bad input answer at once: neither Mesa, pandas, matplotlib, Solara nor numba is imported."""
    code = ("import sys\nfrom chaingame.cli import main\n"
            "for argv in (['--help'], ['run', '--help'], ['sweep', '--help'], ['plot', '--help'],"
            " ['compare', '--help'],"
            " ['run', 'nope'], ['run', 'classic', '--weeks', '0'], ['show', 'nope'], ['sweep', 'nope.toml'],"
            " ['compare', 'nope', '--set', 'a=1'], ['run', '--from', 'nope.json'],"
            " ['plot', 'nope.parquet', '--x', 'a', '--y', 'b']):\n"
            "    try:\n        main(argv)\n    except SystemExit:\n        pass\n"
            "print(*sorted(m for m in ('mesa', 'pandas', 'matplotlib', 'solara', 'numba') if m in sys.modules))")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout.splitlines()[-1] == "", p.stdout


def test_run_needs_no_mesa(tmp_path):
    """``chaingame run`` plays on the array engine (the numbers of ChainModel, tested above) without Mesa."""
    code = ("import sys\nfrom chaingame.cli import main\n"
            "main(['run', 'classic', '--out', 'r', '--quiet', '--no-plot'])\nprint('mesa' in sys.modules)")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert p.stdout == "False\n", p.stderr
