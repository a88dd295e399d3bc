"""The weekly loop's shortcuts give the very numbers of the long way round.

``Engine.step`` lets firms with the same stackable rule decide at once on their rows of the books
(no per-firm observation); the array engine leaves out the history columns no week of the network
can make other than 0 (``money.idle``); pipelines are totalled slot by slot (``chain.ring_total``).
Each is checked bit for bit against the path it replaces, on the real engine.
"""

from dataclasses import dataclass

import numpy as np
import pytest

import chaingame as cg
from chaingame import money
from chaingame.chain import ring_total
from chaingame.engine import COLUMNS, Engine
from chaingame.scenario import bundled

R, SEED = 40, 7


def history(engine: Engine, stacked: bool | None = True, alternate: bool = False) -> np.ndarray:
    """Every column of every week, (W, columns, F, R); per-firm decisions unless ``stacked``."""
    if not stacked:
        engine.groups = None
    weeks = []
    while not engine.done:
        if alternate and engine.week % 2:  # every other week the long way round, on the same engine
            books = engine.end_week(*engine.decide(engine.begin_week()))
        else:
            books = engine.step()
        weeks.append(np.stack([books[c] for c in COLUMNS]))
    return np.stack(weeks)


def same(a: np.ndarray, b: np.ndarray) -> bool:
    return np.array_equal(a, b, equal_nan=True)


@pytest.mark.parametrize("name", ["classic", "stochastic", "network", "capacity", "cash"])
def test_stacked_decisions_are_each_firm_s_own(name):
    stacked = Engine(name, R, SEED)
    assert stacked.groups is not None, f"{name}: every rule is stackable, so the shortcut must be taken"
    assert same(history(stacked), history(Engine(name, R, SEED), stacked=False)), name


def test_firms_with_different_rules_decide_in_groups():
    """A base-stock retailer beside three Sterman firms: two groups, one of them a subset of the rows."""
    rules = {"retailer": cg.policies.BaseStock(level=30)}
    engine = Engine("classic", R, SEED, policies=rules)
    orders, _ = engine.groups
    assert [m.tolist() for _, m in orders] == [[0], [1, 2, 3]]
    assert same(history(engine), history(Engine("classic", R, SEED, policies=rules), stacked=False))


def test_switching_paths_week_by_week_keeps_each_rule_s_memory():
    """Sterman's expectation lives in memory: stacked and per-firm weeks in turn give the per-firm game."""
    mixed = history(Engine("stochastic", R, SEED), alternate=True)
    assert same(mixed, history(Engine("stochastic", R, SEED), stacked=False))
    changed, reference = Engine("stochastic", R, SEED), Engine("stochastic", R, SEED)
    for _ in range(6):  # past the weeks of fixed orders
        changed.step()
        reference.step()
    changed.memory[0]["expected"] += 3.0  # the retailer's own memory is what the next stacked week decides on
    assert not same(changed.step()["order_placed"][0], reference.step()["order_placed"][0])


def test_a_rule_that_is_not_stackable_keeps_every_firm_on_its_observation():
    @dataclass(frozen=True)
    class Peek(cg.policies.Policy):
        def decide(self, obs, memory):
            return obs.incoming + 1.0

    engine = Engine("classic", R, SEED, policies={"factory": Peek()})
    assert engine.groups is None
    assert Engine("vmi", R, SEED).groups is None  # a supplier decides on its customer's view


@pytest.mark.parametrize("name", bundled())
def test_idle_columns_are_zero_in_every_week(name):
    """What ``money.idle`` lets the array engine leave out is 0 in the whole history, and the figures agree."""
    sc = cg.load_scenario(name)
    idle = money.idle(sc.network())
    h = cg.simulate(sc, 8, seed=SEED, history=True).history
    for c in idle:
        assert (h[c] == 0).all(), f"{name}: {c}"
    if name == "classic":
        assert idle == {"receivables", "payables", "interest", "insolvent", "revenue", "purchases",
                        "working_capital"}
    if name == "cash":
        assert idle == set() and (h.receivables != 0).any()
    lean, full = cg.simulate(sc, 8, seed=SEED), cg.simulate(sc, 8, seed=SEED, history=True)
    for table in ("firms", "chain"):
        a, b = getattr(lean, table), getattr(full, table)
        for col in a.columns:
            if a[col].dtype.kind == "f":
                assert same(a[col].to_numpy(), b[col].to_numpy()), f"{name}: {table}.{col}"


@pytest.mark.parametrize("slots", [1, 2, 3, 5, 9])
def test_ring_total_is_numpy_s_sum_over_the_slots_bit_for_bit(slots):
    ring = np.random.default_rng(slots).normal(0, 1e3, (5, slots, 300)) / 7
    assert np.array_equal(ring_total(ring).view(np.int64), ring.sum(axis=1).view(np.int64))


@pytest.mark.parametrize("name", sorted(bundled()))
def test_flows_written_into_the_same_arrays_are_the_same_bits(name):
    """``reuse_flows`` (the batch drivers'): from the week in one call on, each week's flows are written into the
    same arrays, and every flow of every week has the bits of an engine writing each week into new arrays."""
    from dataclasses import fields

    fresh, reused = Engine(name, 70, seed=4), Engine(name, 70, seed=4)
    reused.reuse_flows = True
    shared = 0
    while not fresh.done:
        fresh.step(out={})
        last = reused.flows
        reused.step(out={})
        if last is not None and np.shares_memory(last.incoming, reused.flows.incoming):
            shared += 1
        for f in fields(fresh.flows):
            a, b = getattr(fresh.flows, f.name), getattr(reused.flows, f.name)
            if isinstance(a, np.ndarray):
                assert a.dtype == b.dtype and np.array_equal(np.asarray(a, float).view(np.uint64),
                                                             np.asarray(b, float).view(np.uint64)), \
                    f"{name} week {fresh.week}: {f.name}"
            else:
                assert a == b, f"{name} week {fresh.week}: {f.name}"
    fused = fresh._fused_pack not in (None, False)
    assert shared == (fresh.scenario.weeks - 2 if fused else 0), "the week in one call reuses its arrays"
