"""Sweeps: the same table on every executor, resume after an interruption, validation, the CLI.

The executors are real: a spawned process pool and a Dask ``LocalCluster`` with two worker
processes started here; the CLI runs as a subprocess, as a user runs it.
"""

import os
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import chaingame as cg
from chaingame.batch import simulate
from chaingame.metrics import CHAIN_METRICS, WEEKLY
from chaingame.sweep import (
    BATCH_HISTORY,
    CHAIN,
    DEFAULT_BATCH,
    METRICS,
    combination_seed,
    load_sweep,
    mean_ci,
    plan,
    pooled,
    run_sweep,
)
from chaingame.sweep.executors import SerialExecutor

EXE = [sys.executable, "-m", "chaingame.cli"]
ROOT = Path(__file__).resolve().parents[1]

SWEEP = """
scenario = "stochastic"
seed = 7
replications = 12
weeks = 30
burn_in = 4
batch = 4
metrics = ["cost", "bullwhip", "fill_rate", "max_bullwhip"]

[grid]
"defaults.policy.beta" = [0, 0.5, 1]

[list]
"firms.retailer.policy.theta" = [0.2, 0.8]
"firms.retailer.policy.alpha_s" = [0.1, 0.5]
"""

SWEEP_TABLE = {"scenario": "stochastic", "seed": 7, "replications": 12, "weeks": 30, "burn_in": 4, "batch": 4,
               "metrics": ["cost", "bullwhip", "fill_rate", "max_bullwhip"],
               "grid": {"defaults.policy.beta": [0, 0.5, 1]},
               "list": {"firms.retailer.policy.theta": [0.2, 0.8], "firms.retailer.policy.alpha_s": [0.1, 0.5]}}


def run(*args, cwd=None, timeout=120):
    return subprocess.run([*EXE, *args], capture_output=True, text=True, cwd=cwd, timeout=timeout,
                          env={**os.environ, "MPLBACKEND": "Agg"})


@pytest.fixture
def sweep_file(tmp_path):
    path = tmp_path / "sweep.toml"
    path.write_text(SWEEP)
    return path


@pytest.fixture(scope="module")
def cluster():
    import distributed  # in the `test` extra (dask[distributed]): a missing one is a failure, not a skip

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as c:
        yield c


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The sweep run in this process, one batch per chunk."""
    path = tmp_path_factory.mktemp("ref") / "sweep.toml"
    path.write_text(SWEEP)
    return run_sweep(path, workers=1, progress=False)


# ------------------------------------------------------------------------------------------------
# the table


def test_table_layout(reference):
    df = reference
    params = ["defaults.policy.beta", "firms.retailer.policy.theta", "firms.retailer.policy.alpha_s"]
    metrics = ["cost", "bullwhip", "fill_rate", "max_bullwhip"]
    assert list(df.columns) == ["combination", *params, "replication", "seed", "firm", *metrics]
    assert df.combination.nunique() == 6 and df.replication.nunique() == 12
    assert len(df) == 6 * 12 * 5  # four firms and the chain
    firms = ["retailer", "wholesaler", "distributor", "factory", CHAIN]
    assert df.firm.tolist() == firms * 72
    assert (df.combination.diff().fillna(0) >= 0).all()
    assert df.groupby("combination").replication.apply(lambda r: (np.diff(r) >= 0).all()).all()
    assert str(df.firm.dtype) == "str" and df.seed.dtype == np.int64 and df.cost.dtype == float
    chain, firm = df[df.firm == CHAIN], df[df.firm != CHAIN]
    assert chain.bullwhip.isna().all() and firm.max_bullwhip.isna().all()
    assert firm.bullwhip.notna().all() and chain.max_bullwhip.notna().all()
    # the grid varies slowest, the zipped list fastest
    first = df.drop_duplicates("combination")
    assert first["defaults.policy.beta"].tolist() == [0, 0, 0.5, 0.5, 1, 1]
    assert first["firms.retailer.policy.theta"].tolist() == [0.2, 0.8] * 3
    assert first["firms.retailer.policy.alpha_s"].tolist() == [0.1, 0.5] * 3
    # the chain's cost is the firms' total
    total = firm.groupby(["combination", "replication"]).cost.sum().to_numpy()
    np.testing.assert_allclose(chain.cost.to_numpy(), total)


def test_rows_are_the_games_simulate_plays(reference):
    """Common random numbers: every combination has the sweep's seed, so replication r meets the same demand."""
    sw = load_sweep(SWEEP_TABLE)
    assert (reference.seed == 7).all()
    for c in (0, 5):
        sc = sw.scenario.with_values(sw.values(c))
        res = simulate(sc, 12, seed=7, burn_in=4)
        rows = reference[(reference.combination == c) & (reference.firm != CHAIN)]
        np.testing.assert_allclose(rows.bullwhip.to_numpy(), res.firms.bullwhip.to_numpy(), rtol=0, atol=1e-12)
        chain = reference[(reference.combination == c) & (reference.firm == CHAIN)]
        np.testing.assert_allclose(chain.cost.to_numpy(), res.chain.cost.to_numpy(), rtol=0, atol=1e-9)


def test_a_worker_plays_the_scenario_the_checks_built():
    """From the plain data a worker receives, combination c is sweep.scenario.with_values(sweep.values(c)),
    the scenario load_sweep checked: shipping delays with their goods in transit, a rule's parameter."""
    from chaingame.sweep import worker
    from chaingame.sweep.chunks import payload

    sw = load_sweep({"scenario": "stochastic", "seed": 1, "replications": 2, "batch": 1,
                     "list": {"links.*.shipping_delay": [1, 3], "links.*.shipments": [[4], [4, 4, 4]]},
                     "grid": {"firms.retailer.policy.beta": [0.2, 0.9]}})
    seen = set()
    for k in plan(sw, 1):
        p = payload(sw, k)
        for c, changes, _, _, _ in p["batches"]:
            built = worker._combination(p["key"], c, p["table"], changes)
            assert built == sw.scenario.with_values(sw.values(c)) and built.links[0].shipping_delay in (1, 3)
            seen.add(c)
    assert seen == set(range(4))


def test_the_table_is_the_callers_to_change():
    """One chunk, one combination: every column must still be a writable array of the frame's own."""
    df = run_sweep({**SWEEP_TABLE, "replications": 2, "grid": {}, "list": {"defaults.policy.beta": [0.5]}},
                   workers=1, progress=False)
    before = df.cost.sum()
    df.loc[0, "cost"] += 1.0
    df["replication"] += 1
    df.iloc[1, 0] = 9
    assert df.cost.sum() == before + 1.0 and df.replication.min() == 1 and df.combination.iloc[1] == 9


def test_own_streams_without_common_random_numbers():
    table = {**SWEEP_TABLE, "common_random_numbers": False, "replications": 3, "batch": 3}
    df = run_sweep(table, workers=1, progress=False)
    seeds = df.groupby("combination").seed.first()
    assert seeds.tolist() == [combination_seed(7, c) for c in range(6)]
    assert seeds.nunique() == 6
    sw = load_sweep(table)
    res = simulate(sw.scenario.with_values(sw.values(2)), 3, seed=int(seeds[2]), burn_in=4)
    rows = df[(df.combination == 2) & (df.firm == CHAIN)]
    np.testing.assert_allclose(rows.cost.to_numpy(), res.chain.cost.to_numpy(), rtol=0, atol=1e-9)


def test_a_sweep_over_delays_and_rules_plays_what_with_values_builds():
    """A worker applies a combination's values as one change, as ``Scenario.with_values`` does: the
    pipelines follow a swept delay, and a swept rule drops the old rule's parameters."""
    table = {**SWEEP_TABLE, "replications": 2, "batch": 2, "grid": {"links.*.shipping_delay": [1, 3]},
             "list": {"firms.retailer.policy.rule": ["base_stock"], "firms.retailer.policy.level": [20]}}
    df = run_sweep(table, workers=1, progress=False)
    sw = load_sweep(table)
    for c in range(2):
        sc = sw.scenario.with_values(sw.values(c))
        assert sc.firm("retailer").policy == cg.policies.BaseStock(level=20)
        res = simulate(sc, 2, seed=7, burn_in=4)
        rows = df[(df.combination == c) & (df.firm == CHAIN)]
        np.testing.assert_allclose(rows.cost.to_numpy(), res.chain.cost.to_numpy(), rtol=0, atol=1e-9)


def test_only_chain_or_only_firm_metrics():
    chain_only = run_sweep({**SWEEP_TABLE, "metrics": ["max_bullwhip"], "replications": 2}, workers=1, progress=False)
    assert set(chain_only.firm) == {CHAIN} and list(chain_only.columns)[-1] == "max_bullwhip"
    firm_only = run_sweep({**SWEEP_TABLE, "metrics": ["bullwhip"], "replications": 2}, workers=1, progress=False)
    assert CHAIN not in set(firm_only.firm) and len(firm_only) == 6 * 2 * 4
    assert set(CHAIN_METRICS) <= set(METRICS)
    assert set(simulate("classic").chain.columns) - {"replication"} == set(CHAIN_METRICS)


def test_samples_come_from_the_sweep_seed():
    table = {"scenario": "classic", "seed": 3, "replications": 1,
             "sample": {"n": 20, "defaults.policy.beta": {"uniform": [0.2, 0.4]},
                        "defaults.policy.s_prime": {"integers": [10, 12]},
                        "information": {"choice": ["silo", "pos"]}}}
    a, b = load_sweep(table), load_sweep(table)
    assert a.combinations == b.combinations and len(a.combinations) == 20
    beta = [c[0] for c in a.combinations]
    assert all(0.2 <= x < 0.4 for x in beta) and len(set(beta)) == 20
    rng = np.random.default_rng(np.random.SeedSequence(3, spawn_key=(0x73616D706C65,)))  # as docs/sweeps.md says
    assert beta == rng.uniform(0.2, 0.4, 20).tolist()
    assert {c[1] for c in a.combinations} == {10, 11, 12}
    assert {c[2] for c in a.combinations} == {"silo", "pos"}
    assert load_sweep({**table, "seed": 4}).combinations != a.combinations
    df = run_sweep(table, workers=1, progress=False)
    assert df["information"].tolist()[::5] == [c[2] for c in a.combinations]


# ------------------------------------------------------------------------------------------------
# the same numbers on every executor, for every chunk size


def test_same_table_on_every_executor_and_chunk_size(sweep_file, reference, cluster):
    sw = load_sweep(sweep_file)
    assert len(plan(sw)) == 18 and len(plan(sw, 10)) == 6 and len(plan(sw, 1000)) == 1  # batches of 4
    tables = {
        "process pool, chunk 10": run_sweep(sweep_file, workers=2, chunk=10, progress=False),
        "dask cluster": run_sweep(sweep_file, executor=cluster.scheduler_address, progress=False),
        "dask cluster, chunk 24": run_sweep(sweep_file, executor=cluster.scheduler_address, chunk=24,
                                            progress=False),
        "1 worker, one chunk": run_sweep(sweep_file, workers=1, chunk=1000, progress=False),
    }
    for name, table in tables.items():
        pd.testing.assert_frame_equal(table, reference, check_exact=True, obj=name)


def test_same_numbers_whatever_the_batch_or_the_chunks():
    """Sums run in a fixed order (chaingame.metrics.total, the engine's group sums), so replication r
    has the same bits whatever runs beside it: batches and chunks decide the speed, not the numbers.
    Random scenario 56 (fractional quantities) once moved in the last bits with the array's width.
    """
    from .strategies import random_scenario_table

    sc = cg.from_table(random_scenario_table(56))
    table = {"scenario": sc, "seed": 56, "replications": 14, "batch": 7, "metrics": ["cost", "bullwhip"]}
    assert [len(plan(load_sweep(table), n)) for n in (1, 7, 8, 100)] == [2, 2, 1, 1]
    first = run_sweep(table, workers=1, chunk=1, progress=False)
    pd.testing.assert_frame_equal(run_sweep(table, workers=1, chunk=100, progress=False), first, check_exact=True)
    for batch in (1, 5, 14):
        other = run_sweep({**table, "batch": batch}, workers=1, progress=False)
        pd.testing.assert_frame_equal(other, first, check_exact=True)
    for start, n in ((0, 7), (7, 7), (3, 1)):
        res = simulate(sc, n, seed=56, first_replication=start)
        rows = first[(first.firm != CHAIN) & first.replication.between(start, start + n - 1)]
        for m in ("cost", "bullwhip"):  # NaN where demand does not vary: equal too
            np.testing.assert_array_equal(rows[m].to_numpy(), res.firms[m].to_numpy(), strict=True)


def test_default_batch_is_the_fast_one_within_a_memory_bound():
    classic = cg.load_scenario("classic")
    assert load_sweep({"scenario": "classic", "seed": 1, "replications": 50_000}).batch == DEFAULT_BATCH
    assert load_sweep({"scenario": "classic", "seed": 1, "replications": 300}).batch == 300
    long = load_sweep({"scenario": "classic", "seed": 1, "replications": 50_000, "weeks": 5200})
    per_replication = 5200 * len(classic.firms) * len(WEEKLY) * 8
    assert long.batch == BATCH_HISTORY // per_replication < DEFAULT_BATCH
    assert long.batch * per_replication <= BATCH_HISTORY


# ------------------------------------------------------------------------------------------------
# resume


class Interrupting(SerialExecutor):
    """Runs chunks in this process; Ctrl-C (KeyboardInterrupt) arrives at the n-th chunk."""

    def __init__(self, n=None):
        self.n, self.submitted = n, 0

    def submit(self, fn, /, *args, **kwargs):
        if self.submitted == self.n:
            raise KeyboardInterrupt
        self.submitted += 1
        return super().submit(fn, *args, **kwargs)


def test_resume_reuses_finished_chunks(sweep_file, reference, tmp_path):
    out = tmp_path / "out" / "results.parquet"
    parts = out.with_name("results.parquet.parts")
    with pytest.raises(KeyboardInterrupt):
        run_sweep(sweep_file, executor=Interrupting(7), out=out, progress=False)
    assert not out.exists()
    done = sorted(parts.glob("chunk-*.parquet"))
    assert len(done) == 7
    done[2].unlink()  # a lost part is simply run again
    stamps = {p.name: p.stat().st_mtime_ns for p in parts.glob("chunk-*.parquet")}
    with pytest.raises(cg.ScenarioError, match="unfinished sweep.*--resume"):  # nothing is thrown away
        run_sweep(sweep_file, workers=1, out=out, progress=False)
    assert {p.name: p.stat().st_mtime_ns for p in parts.glob("chunk-*.parquet")} == stamps

    class Watching(Interrupting):
        def submit(self, fn, /, *args, **kwargs):  # the reused parts are still there, untouched
            assert all(p.stat().st_mtime_ns == t for p, t in ((parts / n, t) for n, t in stamps.items()))
            return super().submit(fn, *args, **kwargs)

    again = Watching()
    table = run_sweep(sweep_file, executor=again, out=out, resume=True, progress=False)
    assert again.submitted == 18 - 6
    pd.testing.assert_frame_equal(table, reference, check_exact=True)
    pd.testing.assert_frame_equal(pd.read_parquet(out), reference, check_exact=True)
    assert not parts.exists()


def test_resume_refuses_a_changed_sweep(sweep_file, tmp_path):
    out = tmp_path / "results.csv"
    with pytest.raises(KeyboardInterrupt):
        run_sweep(sweep_file, executor=Interrupting(2), out=out, progress=False)
    sweep_file.write_text(SWEEP.replace("replications = 12", "replications = 13"))
    with pytest.raises(cg.ScenarioError, match="written by a different sweep"):
        run_sweep(sweep_file, workers=1, out=out, resume=True, progress=False)
    sweep_file.write_text(SWEEP)
    with pytest.raises(cg.ScenarioError, match="chunk: 8 differs"):
        run_sweep(sweep_file, workers=1, out=out, resume=True, chunk=8, progress=False)
    assert len(list(out.with_name("results.csv.parts").glob("chunk-*"))) == 2


FIRST_PART_DEADLINE = 300  # s for the sweep process to start and write its first chunk (a loaded 2-core machine)


def test_cli_killed_then_resumed(tmp_path):
    """A real interruption: the sweep process is killed (SIGKILL) while it writes its parts, as soon
    as the first one is on disk; ``--resume`` reuses exactly the finished chunks (at least one, not
    all) and the table is the uninterrupted run's, bit for bit."""
    path = tmp_path / "long.toml"
    path.write_text(SWEEP.replace("replications = 12", "replications = 96").replace("batch = 4", "batch = 8"))
    out = tmp_path / "long.parquet"
    parts = tmp_path / "long.parquet.parts"
    total = len(plan(load_sweep(path)))
    assert total >= 50, total  # so that killing at the first part leaves most of the work undone
    log = tmp_path / "sweep.log"
    with open(log, "wb") as stderr:
        proc = subprocess.Popen([*EXE, "sweep", str(path), "--out", str(out), "--workers", "1"],
                                stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True)
    try:
        deadline = time.monotonic() + FIRST_PART_DEADLINE
        while not any(parts.glob("chunk-*.parquet")) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL, \
        f"the sweep ended by itself ({proc.returncode}) before it was killed: {log.read_text(errors='replace')}"
    assert not out.exists(), "the sweep finished before it could be interrupted"
    before = len(list(parts.glob("chunk-*.parquet")))
    assert 1 <= before < total, f"{before} of {total} chunks on disk after {FIRST_PART_DEADLINE} s"
    p = run("sweep", str(path), "--out", str(out), "--workers", "1", "--resume", timeout=600)
    assert p.returncode == 0, p.stderr
    assert f"reused {before} of {total} chunks" in p.stdout
    pd.testing.assert_frame_equal(pd.read_parquet(out), run_sweep(path, workers=1, progress=False), check_exact=True)
    assert not parts.exists()


# ------------------------------------------------------------------------------------------------
# validation: one line naming the field, before anything runs


BASE = {"scenario": "classic", "seed": 1, "replications": 3}


@pytest.mark.parametrize("change, message", [
    ({"grid": {"firms.wholesaler.policy.beta": [0, 0.5, 2]}},
     'grid."firms.wholesaler.policy.beta"[2]: 2 is above 1'),
    ({"grid": {"firms.nobody.policy.beta": [0]}}, 'grid."firms.nobody.policy.beta"[0]: firms.nobody: no such firm'),
    ({"grid": {"firms.retailer.policy.bogus": [0]}}, 'grid."firms.retailer.policy.bogus"[0]: unknown field'),
    ({"grid": {"links.9.shipping_delay": [1]}}, 'grid."links.9.shipping_delay"[0]: links.9: no such entry'),
    ({"grid": {"defaults.policy.beta": 0.5}}, 'grid."defaults.policy.beta": 0.5 is not a list of values'),
    ({"grid": {"seed": [1, 2]}}, 'grid."seed": is the scenario\'s seed'),
    ({"grid": {"weeks": [10, 6]}, "burn_in": 5}, "combination 1 (weeks = 6): burn_in: 5 is above 4"),
    ({"grid": {"firms.factory.production.capacity": [10, float("inf")],
               "firms.factory.production.capacity_cost": [1]}},
     "combination 1 (firms.factory.production.capacity = inf, firms.factory.production.capacity_cost = 1)"),
    ({"list": {"defaults.policy.beta": [0, 1], "defaults.policy.theta": [0]}},
     'list."defaults.policy.theta": has 1 values but list."defaults.policy.beta" has 2'),
    ({"list": {"links.*.shipping_delay": [1, 3], "links.*.shipments": [[4], [4, 4]]}},
     'list."links.*.shipments"[1]: [4, 4] has 2 values'),
    ({"grid": {"defaults.policy.beta": [0]}, "list": {"defaults.policy.beta": [1]}},
     'list."defaults.policy.beta": is also in [grid]'),
    ({"sample": {"defaults.policy.beta": {"uniform": [0, 1]}}}, "sample.n: is missing"),
    ({"sample": {"n": 2, "defaults.policy.beta": {"normal": [0, 1]}}},
     'sample."defaults.policy.beta".normal: is not a distribution'),
    ({"sample": {"n": 2, "defaults.policy.beta": {"uniform": [1, 0]}}}, "has high below low"),
    ({"sample": {"n": 50, "defaults.policy.beta": {"uniform": [0, 2]}}}, 'sample."defaults.policy.beta"['),
    ({"metrics": ["cost", "nope"]}, 'metrics[1]: "nope" is not a metric'),
    ({"replications": 0}, "replications: 0 is below 1"),
    ({"seed": -1}, "seed: -1 is below 0"),
    ({"burn_in": 40}, "burn_in: 40 is above 34"),
    ({"frobnicate": 1}, "frobnicate: unknown field"),
    ({"scenario": "nope"}, 'scenario: "nope" is neither a bundled scenario'),
    ({"grid": {"a": list(range(400)), "b": list(range(400))}}, "combinations: 160000 (400 x 400) is above"),
])
def test_validation_names_the_field(change, message):
    with pytest.raises(cg.ScenarioError) as e:
        load_sweep({**BASE, **change})
    assert message in str(e.value)
    assert "\n" not in str(e.value)


def test_unquoted_paths_and_relative_scenario(tmp_path):
    (tmp_path / "mine.toml").write_text(cg.scenario.bundled()["classic"].read_text())
    (tmp_path / "s.toml").write_text('scenario = "mine.toml"\nseed = 1\nreplications = 2\n'
                                     "[grid]\nfirms.retailer.policy.beta = [0, 1]\n"
                                     "[sample]\nn = 2\nfirms.factory.policy.theta = {uniform = [0, 1]}\n")
    sw = load_sweep(tmp_path / "s.toml")
    assert sw.parameters == ("firms.retailer.policy.beta", "firms.factory.policy.theta")
    assert sw.scenario.name == "mine"


# ------------------------------------------------------------------------------------------------
# statistics of the plot


def test_mean_ci():
    df = pd.DataFrame({"p": [1, 1, 1, 2, 2, 2], "firm": ["a"] * 6, "y": [1.0, 2.0, 3.0, 5.0, np.nan, 5.0]})
    s = mean_ci(df, "p", "y")
    assert s.n.tolist() == [3, 2] and s["mean"].tolist() == [2.0, 5.0]
    assert s.high[0] - 2.0 == pytest.approx(4.30265273 * 1 / np.sqrt(3))  # t(0.975, 2 dof) x s / sqrt(n)
    assert s.high[1] == s.low[1] == 5.0


# ------------------------------------------------------------------------------------------------
# the command line


def test_cli_sweep_then_plot(sweep_file, reference, tmp_path, cluster):
    p = run("sweep", str(sweep_file), "--out", str(tmp_path / "r.parquet"), "--workers", "2", "--chunk", "8")
    assert p.returncode == 0, p.stderr
    assert "6 combinations x 12 replications on 2 worker processes" in p.stdout and "sweep" in p.stderr
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "r.parquet"), reference, check_exact=True)
    p = run("sweep", str(sweep_file), "--out", str(tmp_path / "r.csv"), "--cluster", cluster.scheduler_address)
    assert p.returncode == 0, p.stderr
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "r.csv"), reference, check_exact=True)
    p = run("plot", str(tmp_path / "r.parquet"), "--x", "defaults.policy.beta", "--y", "bullwhip",
            "--by", "firms.retailer.policy.theta", "--out", str(tmp_path / "bw.png"))
    assert p.returncode == 0, p.stderr
    p = run("plot", str(tmp_path / "r.csv"), "--x", "firms.retailer.policy.theta", "--y", "cost", "--firm", "chain",
            "--where", "defaults.policy.beta=0.5")
    assert p.returncode == 0, p.stderr
    for png in (tmp_path / "bw.png", tmp_path / "r-cost.png"):
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000


@pytest.mark.parametrize("args, needle", [
    (["sweep", "nope.toml"], 'sweep: "nope.toml" is not an existing file'),
    (["sweep", "s.toml", "--out", "r.txt"], '--out: "r.txt" ends in ".txt" (allowed: .parquet or .csv)'),
    (["sweep", "s.toml", "--workers", "0"], "--workers: 0 is below 1"),
    (["sweep", "s.toml", "--workers", "2", "--cluster", "tcp://localhost:1"], "not allowed with argument"),
    (["sweep", "s.toml", "--cluster", "tcp://127.0.0.1:1"], '--cluster: "tcp://127.0.0.1:1": cannot reach'),
    (["sweep", "bad.toml"], 'grid."defaults.policy.beta"[1]: 7 is above 1'),
    (["sweep", "s.toml", "--chunk", "0"], "--chunk: 0 is below 1"),
    (["plot", "r.parquet", "--x", "nope", "--y", "cost"], '--x: "nope" is not a parameter'),
    (["plot", "r.parquet", "--x", "defaults.policy.beta", "--y", "cost"],
     "--x: rows with the same defaults.policy.beta differ in firms.retailer.policy.theta, "
     "firms.retailer.policy.alpha_s: one interval would pool 2 combinations (allowed: --by "
     "firms.retailer.policy.theta, or --where firms.retailer.policy.theta=VALUE with VALUE one of 0.2, 0.8)"),
    (["plot", "r.parquet", "--x", "defaults.policy.beta", "--y", "cost", "--where", "defaults.policy.beta=2"],
     "--where: defaults.policy.beta = 2 is in no row of r.parquet (allowed: 0.0, 0.5, 1.0)"),
    (["plot", "r.parquet", "--x", "defaults.policy.beta", "--y", "cost", "--by", "defaults.policy.beta"],
     '--by: "defaults.policy.beta" is not a parameter of r.parquet other than --x'),
    (["plot", "r.parquet", "--x", "defaults.policy.beta", "--y", "cost", "--formula", "chen-ma"],
     '--formula: "chen-ma" draws one curve per value of --by'),
    (["sweep", "s.toml", "--out", "r.parquet"], '--out: "r.parquet" holds another sweep\'s table'),
])
def test_cli_bad_input_one_line_nothing_written(args, needle, tmp_path, sweep_file):
    (tmp_path / "s.toml").write_text(SWEEP.replace("replications = 12", "replications = 1"))
    (tmp_path / "bad.toml").write_text(SWEEP.replace("[0, 0.5, 1]", "[0, 7]"))
    if args[0] == "plot" or "r.parquet" in args:
        run_sweep(tmp_path / "s.toml", workers=1, out=tmp_path / "r.parquet", progress=False)
    before = sorted(tmp_path.rglob("*"))
    p = run(*args, cwd=tmp_path)
    assert p.returncode == 2, p.stderr
    assert needle in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1, p.stderr
    assert sorted(tmp_path.rglob("*")) == before, "nothing is written on bad input"


def test_plot_intervals_never_pool_other_combinations():
    """One interval per (firm, by, x): n is the replications of one combination, not of several."""
    df = run_sweep(SWEEP_TABLE, workers=1, progress=False)
    s = mean_ci(df, "defaults.policy.beta", "cost", by="firms.retailer.policy.theta")
    assert len(s) == 4 * 3 * 2 and set(s.n) == {12}
    assert pooled(df, ["defaults.policy.beta"]) == {"firms.retailer.policy.theta": 2,
                                                     "firms.retailer.policy.alpha_s": 2}
    assert pooled(df, ["defaults.policy.beta", "firms.retailer.policy.theta"]) == {}
    one = df[(df["defaults.policy.beta"] == 0.5) & (df["firms.retailer.policy.theta"] == 0.8) & (df.firm == "factory")]
    row = s[(s["defaults.policy.beta"] == 0.5) & (s["firms.retailer.policy.theta"] == 0.8) & (s.firm == "factory")]
    assert row["mean"].item() == one["cost"].mean() and row.n.item() == len(one) == 12


def test_plot_by_draws_the_chen_figure_with_its_formula(tmp_path):
    """The bundled Chen et al. (2000) sweep, shortened: one line per lead time, each with 1 + 2L/p + 2L²/p²."""
    from chaingame.figures import sweep_figure
    from chaingame.formulas import FORMULAS

    chen = tomllib.loads((ROOT / "examples" / "chen2000.toml").read_text())
    chen.update(replications=20, weeks=140)
    run_sweep(load_sweep(chen, base_dir=ROOT / "examples"), workers=1, out=tmp_path / "chen.parquet", progress=False)
    x, by = "firms.retailer.policy.p", "firms.retailer.policy.lead_time"
    p = run("plot", str(tmp_path / "chen.parquet"), "--x", x, "--y", "bullwhip", "--by", by, "--formula", "chen-ma")
    assert p.returncode == 0, p.stderr
    assert (tmp_path / "chen-bullwhip.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    s = mean_ci(pd.read_parquet(tmp_path / "chen.parquet"), x, "bullwhip", by=by)
    ax = sweep_figure(s, x, "bullwhip", by=by, formula=FORMULAS["chen-ma"]).axes[0]
    solid = [ln for ln in ax.lines if ln.get_linestyle() == "-"]
    dashed = [ln for ln in ax.lines if ln.get_linestyle() == "--"]
    assert [ln.get_label() for ln in solid] == [f"lead_time = {L}" for L in (1, 2, 3, 4)]
    assert len(dashed) == 4
    for L, ln in zip((1, 2, 3, 4), dashed):
        p_, y = ln.get_data()
        assert y == pytest.approx(1 + 2 * L / p_ + 2 * L**2 / p_**2)
        assert ln.get_color() == solid[L - 1].get_color()


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (from /proc)."""
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                stat = Path(f"/proc/{d}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(d))
    return out


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process table from /proc")
def test_sigterm_stops_the_sweep_and_its_workers(tmp_path):
    (tmp_path / "long.toml").write_text('scenario = "stochastic"\nseed = 1\nreplications = 200000\n'
                                        'metrics = ["cost"]\n[grid]\n"defaults.policy.beta" = [0, 0.5, 1]\n')
    p = subprocess.Popen([*EXE, "sweep", "long.toml", "--out", "long.parquet", "--workers", "2"], cwd=tmp_path,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while len(_children(p.pid)) < 2 and time.monotonic() < deadline and p.poll() is None:
        time.sleep(0.1)
    while not (tmp_path / "long.parquet.parts").exists() and time.monotonic() < deadline:
        time.sleep(0.1)  # the pool has started: a manifest is written before the first chunk runs
    time.sleep(1.0)
    children = _children(p.pid)
    assert len(children) >= 2, "the workers started"
    p.send_signal(signal.SIGTERM)
    _, err = p.communicate(timeout=60)
    assert p.returncode == 143, err
    assert "chaingame sweep: terminated" in err
    deadline = time.monotonic() + 10
    while any(map(_alive, children)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(map(_alive, children)), "no worker stays behind"


def test_cli_cluster_without_dask_is_a_clear_error(sweep_file):
    code = ("import sys; sys.modules['distributed'] = None; from chaingame.cli import main; "
            f"sys.exit(main(['sweep', {str(sweep_file)!r}, '--cluster', 'tcp://localhost:8786']))")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert p.returncode == 2
    assert ("--cluster: a Dask cluster needs the optional extra cluster: bash scripts/setup.sh cluster (or pip "
            "install -e '.[cluster]') in the chaingame clone") in p.stderr


def test_the_cluster_install_command_is_one_that_works():
    """chaingame is installed from a clone, not a registry: the docs give setup.sh's command, and
    setup.sh installs the extra it is given, which pyproject.toml defines."""
    root = Path(__file__).resolve().parents[1]
    for doc in ("README.md", "docs/sweeps.md"):
        text = (root / doc).read_text(encoding="utf-8")
        assert "bash scripts/setup.sh cluster" in text and "pip install 'chaingame[" not in text, doc
    assert '".[$1]"' in (root / "scripts" / "setup.sh").read_text(encoding="utf-8")
    extras = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    assert "distributed" in " ".join(extras["cluster"])


@pytest.mark.parametrize("command", ["sweep", "plot"])
def test_help(command):
    p = run(command, "--help")
    assert p.returncode == 0 and "usage:" in p.stdout


def test_tune_malloc_applies_on_glibc():
    code = ("import platform, sys; from chaingame.sweep import executors as ex; ex.tune_worker(); "
            "print(ex._tuned, ex.tune_malloc() == (platform.libc_ver()[0] == 'glibc'))")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert p.stdout.split() == ["True", "True"], p.stderr


@pytest.mark.parametrize("content, says", [(b"a=" + b"[" * 5000 + b"]" * 5000, "is not readable TOML"),
                                           (b"\xff\xfe\x00", "is not a text file"), (b"a = = 1", "is not valid TOML")])
def test_an_unreadable_sweep_file_is_one_line_naming_it(tmp_path, content, says):
    f = tmp_path / "bad.toml"
    f.write_bytes(content)
    with pytest.raises(cg.ScenarioError) as e:
        cg.sweep.load_sweep(f)
    assert str(e.value).startswith(f"{f}: {says}") and "\n" not in str(e.value)


def test_stopping_workers_ends_a_manager_thread_left_waiting_for_half_a_result():
    """A worker terminated while it sends its result leaves half a message in the result pipe: the
    pool's manager thread waited for the rest for ever, and the program's exit with it (CI hung on
    SIGTERM). Half a message is written here by hand, as the terminated worker left it."""
    import struct

    from chaingame.sweep.executors import process_pool, stop_workers

    pool = process_pool(2)
    assert pool.submit(int, "7").result(timeout=120) == 7  # the workers and the manager thread run
    manager = pool._executor_manager_thread
    os.write(pool._result_queue._writer.fileno(), struct.pack("!i", 1000) + b"half")
    time.sleep(0.5)  # the manager reads the header and waits for the other 996 bytes
    assert manager.is_alive()
    stop_workers(pool)
    manager.join(30)
    assert not manager.is_alive(), "the manager thread still waits for the rest of the message"
