"""The week in one compiled call (chaingame/weekkernel.py): the bits of the separate steps, and when it plays."""

from __future__ import annotations

import numpy as np
import pytest

import chaingame as cg
from chaingame import batch
from chaingame import engine as engine_mod
from chaingame.engine import COLUMNS, Engine, _Packed
from chaingame.policies import PassThrough
from chaingame.scenario import bundled
from tests.strategies import random_scenario_table

FUSED = [n for n in sorted(bundled()) if n not in ("pos-sharing", "promotions", "rationing", "vmi")]


def _play(scenario, replications: int, fused: bool, switch_at: int | None = None) -> tuple[Engine, np.ndarray]:
    """Every record column and the state's arrays, week by week; from week ``switch_at`` on, each firm on its own."""
    eng = Engine(scenario, replications=replications, seed=7)
    if not fused:
        eng._fused_pack = False
    weeks = []
    while not eng.done:
        if switch_at is not None and eng.week >= switch_at:
            rec = eng.end_week(*eng.decide(eng.begin_week()))
        else:
            rec = eng.step()
        s = eng.state
        arrays = [np.stack([rec[c] for c in COLUMNS]), s.inventory, s.cash, s.mail, s.transit, s.capacity_plan,
                  eng.flows.order, eng.flows.returned]
        weeks.append(np.concatenate([a.ravel() for a in arrays]))
    return eng, np.stack(weeks)


def _same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and np.array_equal(a.view(np.uint64), b.view(np.uint64))


@pytest.mark.parametrize("name", FUSED)
def test_the_week_in_one_call_is_the_separate_steps_bit_for_bit(name, monkeypatch):
    """Blocks of 3 replications (11 of them and a part), so that a block boundary falls inside every game."""
    monkeypatch.setattr(engine_mod, "FUSED_TILE", 3)
    eng, fused = _play(name, 34, fused=True)
    assert isinstance(eng._fused_pack, _Packed), "the week was not played in one call"
    _, apart = _play(name, 34, fused=False)
    assert _same_bits(fused, apart)


@pytest.mark.parametrize("seed", [16, 23, 144])
def test_random_games_the_week_in_one_call_plays_are_the_separate_steps(seed, monkeypatch):
    """The random scenarios of tests/strategies.py (of the first 200) whose rules are all compiled ones."""
    monkeypatch.setattr(engine_mod, "FUSED_TILE", 2)
    sc = cg.from_table(random_scenario_table(seed))
    eng, fused = _play(sc, 5, fused=True)
    assert isinstance(eng._fused_pack, _Packed)
    assert _same_bits(fused, _play(sc, 5, fused=False)[1])


def _same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(_same_bits(np.asarray(a[k], float), np.asarray(b[k], float)) for k in a)


@pytest.mark.parametrize("name", FUSED + [cg.from_table(random_scenario_table(s)) for s in (16, 23, 144)])
def test_the_weeks_left_in_one_call_are_the_weeks_one_by_one(name, monkeypatch):
    """Engine.play in blocks of 3 replications (a block boundary inside every run): the figures (with and without
    a burn-in) and the whole history of the weeks played one call each, with the figures computed apart."""
    monkeypatch.setattr(engine_mod, "WEEKS_TILE", 3)
    name = cg.load_scenario(name)
    played = [batch.run_figures(name, 11, 5, burn_in=b)[1:] for b in (0, 4)], batch.run_arrays(name, 11, 5)
    monkeypatch.setattr(Engine, "_packed", lambda self, fresh=False: None)  # every week on its own, as before
    apart = [batch.run_figures(name, 11, 5, burn_in=b)[1:] for b in (0, 4)], batch.run_arrays(name, 11, 5)
    for (fm, cm), (fa, ca) in zip(played[0], apart[0]):
        assert _same(fm, fa) and _same(cm, ca)
    assert _same(played[1][1], apart[1][1])


FLOWS = ("incoming", "received", "started", "produced", "shipped", "on_time", "lost", "backlog", "revenue",
         "purchases", "cost", "demand", "from_source", "to_market", "due", "supplied", "order", "returned",
         "interest", "paid")
STATE = ("inventory", "raw", "cash", "capacity", "backlog", "mail", "transit", "wip", "capacity_plan", "last_order",
         "turns", "backlog_value", "parts", "payments", "insolvent")


@pytest.mark.parametrize("name", FUSED + [cg.from_table(random_scenario_table(s)) for s in (16, 23, 144)])
def test_the_engine_after_the_weeks_in_one_call_is_the_engine_after_the_weeks_one_by_one(name, monkeypatch):
    """Between its first and last week, the one call leaves flows no later step reads unwritten (the week's dues,
    what was supplied, the edges) and rows 0 all along as they are: after it, every flow and every array of the
    state is that of the weeks played one call each (a block boundary inside every run), bit for bit."""
    monkeypatch.setattr(engine_mod, "WEEKS_TILE", 3)
    played = batch.run_arrays(cg.load_scenario(name), 11, 5)[0]
    assert played._fused_pack is not None, "the weeks were not played in one call"
    monkeypatch.setattr(Engine, "_packed", lambda self, fresh=False: None)
    apart = batch.run_arrays(cg.load_scenario(name), 11, 5)[0]
    for group, names in (("flows", FLOWS), ("state", STATE)):
        for n in names:
            a, b = getattr(getattr(played, group), n), getattr(getattr(apart, group), n)
            assert (a is None) == (b is None), f"{group}.{n}"
            if a is not None:
                assert _same_bits(np.asarray(a, float), np.asarray(b, float)), f"{group}.{n}"


@pytest.mark.parametrize("name", ["classic", "capacity"])
def test_the_rules_memory_is_the_firms_own_after_weeks_in_one_call(name):
    """Each firm's memory holds its row of the packed memory: its own rule, deciding from week 9 on, goes on from it."""
    eng, switched = _play(name, 4, fused=True, switch_at=8)
    assert isinstance(eng._fused_pack, _Packed)
    _, apart = _play(name, 4, fused=False)
    assert _same_bits(switched, apart)
    expected = eng.memory[1]["expected"]
    assert expected.shape == (4,) and not np.shares_memory(expected, eng.memory[2]["expected"])


def test_a_rule_replaced_in_a_firms_memory_is_repacked():
    """A memory a caller replaced between weeks is what the next week in one call decides on."""
    eng, ref = Engine("classic", replications=3, seed=7), Engine("classic", replications=3, seed=7)
    ref._fused_pack = False
    for e in (eng, ref):
        for _ in range(5):
            e.step()
        e.memory[2]["expected"] = np.full(3, 9.5)
    for _ in range(5):
        a, b = eng.step(), ref.step()
        assert all(np.array_equal(a[c], b[c], equal_nan=True) for c in COLUMNS)
    assert isinstance(eng._fused_pack, _Packed) and eng.memory[2]["expected"][0] != 9.5


def test_rules_the_kernel_does_not_have_keep_the_separate_steps():
    """A rule in Python (each firm on its own observation), and Sterman's rule on end-customer demand (pos-sharing)."""
    python = Engine("classic", replications=2, policies={"retailer": PassThrough()})
    demand = Engine("pos-sharing", replications=2)
    for eng in (python, demand):
        eng.step()
        eng.step()
    assert python.groups is None and python._fused_pack is None
    assert demand.groups is not None and demand._fused_pack is False


def test_the_classroom_warm_up_compiles_the_week_in_one_call():
    from chaingame import weekkernel

    engine_mod.warm_up()
    assert len(weekkernel.week.signatures) == 1
    eng = Engine("classic", replications=1)
    eng.step()
    eng.step()
    assert isinstance(eng._fused_pack, _Packed) and len(weekkernel.week.signatures) == 1


SOME = sorted(bundled()) + [cg.from_table(random_scenario_table(s)) for s in range(0, 200, 9)]


@pytest.mark.parametrize("name", SOME)
def test_the_demand_variance_from_the_drawn_demand_is_that_of_the_recorded_demand(name):
    """The figures take each firm's demand variance from the end-customer demand drawn before the game (nothing
    recorded week by week): bit for bit the variance of the history's ``customer_demand`` over the same weeks."""
    from chaingame import metrics

    sc = cg.load_scenario(name)
    engine, cols = batch.run_arrays(sc, 9, 5)
    for burn_in in (0, 3):
        recorded = metrics.variance(cols["customer_demand"][burn_in:])
        assert _same_bits(batch.seen_demand_variance(engine, burn_in), recorded)
