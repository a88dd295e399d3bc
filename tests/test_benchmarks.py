"""Smoke run of ``benchmarks/engine.py`` with tiny arguments, as a subprocess: it runs to the end and
prints every figure its docstring promises, each consistent with the others. No timing is judged
(the machine is shared; the figures are for people)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "engine.py"
GAMES, REPLICATIONS, SWEEP_REPLICATIONS = 2, 20, 16  # tiny: the run takes a few seconds
NUMBER = r"([\d,]+(?:\.\d+)?)"


def number(text: str) -> float:
    return float(text.replace(",", ""))


@pytest.fixture(scope="module")
def printed() -> str:
    p = subprocess.run([sys.executable, str(SCRIPT), "--games", str(GAMES), "--replications", str(REPLICATIONS),
                        "--sweep-replications", str(SWEEP_REPLICATIONS), "--repeat", "1"],
                       capture_output=True, text=True, timeout=240, cwd=ROOT, env={**os.environ, "MPLBACKEND": "Agg"})
    assert p.returncode == 0, p.stderr
    assert "Traceback" not in p.stderr, p.stderr
    return p.stdout


def find(pattern: str, text: str) -> re.Match:
    m = re.search(pattern, text, re.M)
    assert m, f"not printed: {pattern!r} in\n{text}"
    return m


def test_agent_steps_per_second_of_both_engines_and_their_ratio(printed):
    steps = int(find(r"= (\d+) agent-steps per game", printed)[1])
    assert steps == 4 * 36  # classic: 4 firms x 36 weeks
    model = find(rf"^ChainModel \(Mesa, one game at a time\):\s+{NUMBER}\s+{NUMBER} ms\s+{NUMBER}\s+{NUMBER} ms"
                 r"\s+\(target: <= 2 ms per game\)$", printed)
    array = find(rf"^array engine \(simulate, R = {REPLICATIONS}\):\s+{NUMBER}\s+{NUMBER} us\s+{NUMBER}\s+{NUMBER} us$",
                 printed)
    ratio = find(r"^per-game ratio, array engine / ChainModel: ([\d,]+)x \(([\d,]+)x with tune_malloc\(\)\)$", printed)
    for m, unit in ((model, 1e-3), (array, 1e-6)):
        for rate, per_game in ((m[1], m[2]), (m[3], m[4])):
            assert number(rate) > 0 and number(per_game) > 0
            # agent-steps/s = agent-steps per game / seconds per game (to the printed digits)
            assert number(rate) == pytest.approx(steps / (number(per_game) * unit), rel=0.02, abs=1)
    for k, (a, b) in enumerate(((array[1], model[1]), (array[3], model[3]))):
        assert number(ratio[k + 1]) == pytest.approx(number(a) / number(b), rel=0.02, abs=1)


def test_one_versus_two_worker_sweep_speed_up(printed):
    m = find(r"^sweep: 11 values of beta x ([\d,]+) replications = ([\d,]+) games", printed)
    assert number(m[1]) == SWEEP_REPLICATIONS and number(m[2]) == 11 * SWEEP_REPLICATIONS
    one = find(rf"^  1 worker \(in this process\):\s+{NUMBER} s\s+\({NUMBER} games/s\)$", printed)
    for label in ("with start-up", "pool started"):
        two = find(rf"^  2 worker processes, {label}:\s+{NUMBER} s\s+\({NUMBER} games/s\)\s+speed-up {NUMBER}x$",
                   printed)
        assert number(two[2]) > 0
        # speed-up = 1-worker time / 2-worker time = games/s with 2 / games/s with 1
        assert number(two[3]) == pytest.approx(number(two[2]) / number(one[2]), rel=0.05, abs=0.011), label
    find(rf"^  for scale, a plain Python loop in 2 processes vs 1: speed-up {NUMBER}x", printed)


def test_vector_env_rate(printed):
    pytest.importorskip("gymnasium")
    m = find(rf"^vector env \(ChainVectorEnv, R = {REPLICATIONS}, the retailer learning\): {NUMBER} firm-steps/s, "
             rf"{NUMBER} learner steps/s, {NUMBER} ms per step", printed)
    firm_steps, learner_steps, ms = (number(x) for x in m.groups())
    assert firm_steps == pytest.approx(4 * learner_steps, rel=0.01, abs=4)  # classic: 4 firms, 1 learning
    assert learner_steps == pytest.approx(REPLICATIONS / (ms * 1e-3), rel=0.02, abs=1)


def test_compiled_loop_and_the_array_engine_s_fraction_of_its_speed(printed):
    if "skipped: numba not installed (pip install chaingame[bench])" in printed:
        pytest.importorskip("numba")  # printed only where numba is missing
    loop = find(rf"^compiled loop \(numba, R = {REPLICATIONS}\):\s+{NUMBER}\s+{NUMBER} us$", printed)
    assert number(loop[1]) == pytest.approx(4 * 36 / (number(loop[2]) * 1e-6), rel=0.02, abs=1)
    ratio = find(rf"^array engine speed / compiled loop's, timed in turn: {NUMBER}x \(array engine {NUMBER} us, "
                 rf"compiled loop {NUMBER} us per game\), target >= 0\.5x$", printed)
    assert number(ratio[3]) == number(loop[2])
    # speed fraction = compiled time / array time
    assert number(ratio[1]) == pytest.approx(number(ratio[3]) / number(ratio[2]), rel=0.05, abs=0.011)
    cpu = find(rf"^the same in CPU time \(this process's, less hit by other processes\): {NUMBER}x \(array engine "
               rf"{NUMBER} us, compiled loop {NUMBER} us per game\)$", printed)
    assert number(cpu[2]) > 0 and number(cpu[3]) > 0
    assert number(cpu[1]) == pytest.approx(number(cpu[3]) / number(cpu[2]), rel=0.05, abs=0.011)
    weekly = find(rf"^the same game as one compiled call per week over \(firm, replication\) arrays, Python between "
                  rf"weeks: {NUMBER} us per game, {NUMBER}x the loop's speed$", printed)
    assert number(weekly[2]) == pytest.approx(number(loop[2]) / number(weekly[1]), rel=0.05, abs=0.011)


def test_the_compiled_loop_plays_the_game_simulate_plays():
    """The yardstick is the same game: its orders and costs are simulate's; other demand plays otherwise."""
    pytest.importorskip("numba")
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import compiled_classic as cc

    cc.check(3)
    demand = cc.demand(2)
    demand[1, 10] += 1  # one more case in week 11 of the second replication: a different game
    orders, cost = cc.play(demand)
    assert np.array_equal(orders[0, :10], orders[1, :10]) and not np.array_equal(orders[0], orders[1])
    assert cost[1].sum() != cost[0].sum()
    weekly = cc.play_weekly(demand)  # the per-week layout plays that other game the same
    assert np.array_equal(weekly[0], orders) and np.array_equal(weekly[1], cost)


def test_the_profile_names_each_stage_with_its_share_of_the_call():
    p = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "engine_profile.py"), "--replications", "50",
                        "--repeat", "3"], capture_output=True, text=True, timeout=240, cwd=ROOT)
    assert p.returncode == 0, p.stderr
    find(r"^simulate\('classic', 50\) under cProfile: [\d.]+ ms \(median of 3\)$", p.stdout)
    shares = [float(x) for x in re.findall(r"^\s+([\d.]+)%  \S", p.stdout, re.M)]
    assert len(shares) == 4 and all(s > 0 for s in shares) and sum(shares) <= 101, p.stdout  # medians


def test_model_week_prints_every_part_of_a_chain_model_week():
    """``benchmarks/model_week.py``: each call a ChainModel week makes, their sum, a step, a build and a game, and
    aside what observing every firm costs and the week replayed for the observations."""
    p = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "model_week.py"), "--week", "5", "--number", "20",
                        "--repeat", "1"], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert p.returncode == 0, p.stderr
    find(r"^ChainModel on classic, R = 1, week 6's parts", p.stdout)
    parts = [number(find(rf"^  {re.escape(name)}\s+{NUMBER} us$", p.stdout)[1]) for name in (
        "chain.advance (events 1-6)", "own_books (the books the rules read)",
        "the state's copy (observations replayed from it)", "the rules (Engine.decide_books, every firm)",
        "chain.place (event 7: the orders)", "engine.record (the week's 24 history columns)",
        "the agents' books (the model's table, every firm)", "mesa.DataCollector.collect",
        "Mesa's step machinery (an empty step)")]
    assert all(us > 0 for us in parts)
    assert number(find(rf"^  sum of the parts\s+{NUMBER} us$", p.stdout)[1]) == pytest.approx(sum(parts), abs=0.5)
    for label in ("observe_all \\(every firm's observation built\\)", "the week replayed for the agents' observations"):
        assert number(find(rf"^  {label}\s+{NUMBER} us  \(aside\)$", p.stdout)[1]) > 0
    for label, unit in (("a ChainModel.step \\(the mean over a whole game\\)", "us"), ("building a ChainModel", "us"),
                        ("a whole game \\(built, then 36 steps\\)", "ms"),
                        ("the same, CPU time of this process", "ms  \\(less sensitive to the load\\)")):
        assert number(find(rf"^  {label}\s+{NUMBER} {unit}$", p.stdout)[1]) > 0


def test_host_list_times_each_refresh_of_the_sessions_list_and_the_read_it_replaces():
    """``benchmarks/host_list.py``: the cost of one read behind the host page's list (docs/classroom.md)."""
    p = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "host_list.py"), "--sessions", "6", "--hosted", "3",
                        "--players", "5", "--reads", "5"], capture_output=True, text=True, timeout=120, cwd=ROOT,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert p.returncode == 0, p.stderr
    find(r"^6 sessions stored, 3 hosted with 5 players each, 5 reads$", p.stdout)
    for name in ("sessions_of \\(each refresh\\)", "before: one sessions\\(code=\\) per session"):
        m = find(rf"^{name}\s+wall median ([\d.]+) ms, worst ([\d.]+) ms; CPU median ([\d.]+) ms$", p.stdout)
        assert 0 < float(m[1]) <= float(m[2]), p.stdout


def test_kernel_week_prints_each_call_per_replication_week():
    """``benchmarks/kernel_week.py``: for each R, the kernel alone, advance, place and accepted_orders, and the sum of
    the last three."""
    p = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "kernel_week.py"), "--replications", "1", "70",
                        "--repeat", "1", "--week", "3"], capture_output=True, text=True, timeout=240, cwd=ROOT)
    assert p.returncode == 0, p.stderr
    find(r"^classic, week 4; ns per replication-week", p.stdout)
    for R in ("1", "70"):
        line = find(rf"^  R = {R}: (.*)$", p.stdout)[1]
        calls = {name.strip(): (number(ns), number(us)) for name, ns, us in re.findall(
            rf"([\w. ]+?) {NUMBER} ns \({NUMBER} µs\)", line)}
        assert list(calls) == ["kernel.advance alone", "advance", "place", "accepted"], line
        # µs per call, to 0.1 µs, is ns per replication-week times R
        assert all(ns > 0 and us * 1e3 / int(R) == pytest.approx(ns, abs=50 / int(R) + 0.06)
                   for ns, us in calls.values())
        total = number(find(rf"advance \+ place \+ accepted {NUMBER} ns$", line)[1])
        assert total == pytest.approx(sum(calls[c][0] for c in ("advance", "place", "accepted")), rel=0.01, abs=0.2)


def test_heartbeat_prints_the_servers_cpu_per_probe_and_for_a_class():
    """``benchmarks/heartbeat.py``: the server's CPU per heartbeat probe, and what a class's pages cost it."""
    p = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "heartbeat.py"), "--probes", "50",
                        "--connections", "5", "--pages", "40"], capture_output=True, text=True, timeout=180, cwd=ROOT,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert p.returncode == 0, p.stderr
    m = find(r"^/readyz: 50 probes over 5 keep-alive connections in ([\d.]+) s; the server's CPU ([\d.]+) s, "
             r"([\d.]+) ms per probe", p.stdout)
    each = float(m[3])
    assert float(m[1]) > 0 and abs(float(m[2]) / 50 * 1000 - each) < 0.01, p.stdout
    m = find(r"^40 pages, one probe each every 5 s: 8 probes a second, (\d+) ms of the server's CPU a second", p.stdout)
    assert abs(int(m[1]) - 8 * each) <= 1, p.stdout


def test_week_blocks_prints_the_separate_steps_and_each_block():
    """``benchmarks/week_blocks.py``: the CPU time of weeks 2-36 with the separate steps and in one call per block."""
    p = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "week_blocks.py"), "--replications", "300",
                        "--blocks", "64", "300", "--repeat", "1"], capture_output=True, text=True, timeout=240,
                       cwd=ROOT)
    assert p.returncode == 0, p.stderr
    find(r"^classic, R = 300, weeks 2-36, CPU ms \(best of 1, in turn\); load average [\d.]+$", p.stdout)
    for label in ("separate steps", "one call, blocks of 64", "one call, blocks of 300"):
        assert number(find(rf"^  {label}\s+{NUMBER} ms$", p.stdout)[1]) > 0
