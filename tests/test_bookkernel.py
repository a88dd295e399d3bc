"""The compiled books, rules and figures (bookkernel, rulekernel, figurekernel): their definitions, bit for bit."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import chaingame as cg
from chaingame import bookkernel, chain, engine, figurekernel, metrics, rulekernel
from chaingame.engine import COLUMNS, Engine, Rows, record, warm_up
from chaingame.policies import BaseStock, Sterman, TrackDemand
from chaingame.scenario import bundled
from tests.strategies import random_scenario_table


def bits(a) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=float).view(np.uint64)


def same(a, b) -> bool:
    """Equal bit for bit, any nan equal to any nan."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    na, nb = np.isnan(a), np.isnan(b)
    return a.shape == b.shape and np.array_equal(na, nb) and np.array_equal(bits(a[~na]), bits(b[~nb]))


def test_the_record_kernels_columns_are_the_history_columns():
    names = [n for n in dir(bookkernel) if n.isupper() and isinstance(getattr(bookkernel, n), int)]
    numbers = {getattr(bookkernel, n) for n in names if getattr(bookkernel, n) < bookkernel.N_COLUMNS}
    assert numbers == set(range(len(COLUMNS))) and bookkernel.N_COLUMNS == len(COLUMNS)
    assert (bookkernel.ON_ORDER, bookkernel.WORKING) == (COLUMNS.index("on_order"), COLUMNS.index("working_capital"))
    assert bookkernel.PROFIT == COLUMNS.index("profit") and bookkernel.DEMAND == COLUMNS.index("customer_demand")


def test_every_compiled_function_has_one_signature_after_every_bundled_scenario():
    warm_up()
    for name in sorted(bundled()):
        cg.simulate(name, 3)
        cg.simulate(name, 2, history=True)
        cg.ChainModel(name).run()
    kernels = [bookkernel.supply, bookkernel.record, rulekernel.sterman, rulekernel.base_stock,
               rulekernel.track_demand, figurekernel.spread]
    for fn in kernels:
        assert len(fn.signatures) == 1, (fn, fn.signatures)


def test_warm_up_loads_the_books_rules_and_figures_kernels():
    code = ("import sys, chaingame.engine as e; e.warm_up(); "
            "print(all(f'chaingame.{m}' in sys.modules for m in ('kernel', 'bookkernel', 'rulekernel', "
            "'figurekernel')))")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert p.stdout.strip() == "True", p.stderr


def numpy_supply_line(net, state):
    """The supply line as the numpy code defined it before the kernel (chain.supply_line's docstring)."""
    per_link = chain.ring_total(state.mail)
    per_link += state.backlog
    per_link += chain.ring_total(state.transit)
    line = net.by_customer(per_link)
    line += state.raw
    line += chain.ring_total(state.wip)
    if state.parts is not None:
        links = net._bom_links
        makes = chain.counted((per_link[links] + state.parts[links]) / net.bom_units[links, None])
        firms = net._bom_firms
        line[firms] = np.inf
        for rows, members in net._bom_plan.steps:
            line[firms[rows]] = np.minimum(line[firms[rows]], makes[members])
        line[firms] += state.wip[firms].sum(axis=1)
    return line


@pytest.mark.parametrize("source", ["classic", "assembly", "cash", "rationing", "random3", "random17", "random40"])
@pytest.mark.parametrize("replications", [1, 5])
def test_supply_lines_and_wip_have_the_bits_of_their_definition(source, replications):
    scenario = cg.from_table(random_scenario_table(int(source[6:]))) if source.startswith("random") else source
    eng = Engine(scenario, replications, seed=2)
    while not eng.done:
        eng.step()
        wip, line = chain.lines(eng.net, eng.state)
        assert np.array_equal(bits(line), bits(numpy_supply_line(eng.net, eng.state)))
        assert np.array_equal(bits(wip), bits(chain.ring_total(eng.state.wip)))


def test_supply_line_of_some_replications_a_view_is_that_of_the_whole():
    """A State.replications view (not contiguous) goes in as a copy: the same lines as the whole state's rows."""
    eng = Engine("assembly", 6, seed=4)
    for _ in range(5):
        eng.step()
    whole = chain.supply_line(eng.net, eng.state)
    assert np.array_equal(bits(chain.supply_line(eng.net, eng.state.replications(slice(1, 6, 2)))),
                          bits(whole[:, 1:6:2]))


@pytest.mark.parametrize("source", ["classic", "cash", "promotions", "assembly", "random8"])
def test_the_record_is_the_same_into_a_dict_into_rows_and_on_its_own_and_totals_are_the_weeks_sum(source):
    scenario = cg.from_table(random_scenario_table(int(source[6:]))) if source.startswith("random") else source
    sc = cg.load_scenario(scenario)
    a, b = Engine(sc, 4, seed=9), Engine(sc, 4, seed=9)
    F, W = len(sc.firms), sc.weeks
    block = np.empty((len(COLUMNS), W, F, 4))
    totals = metrics.Totals((F, 4))
    weeks = []
    for w in range(W):
        own = a.step()  # on its own: a fresh block
        wanted = {c: np.empty((F, 4)) for c in ("on_order", "profit", "working_capital", "capacity")}
        seen = b.begin_week(observe=b.groups is None)  # the same week on b, then its record two more ways
        b.end_week(*(b.decide(seen) if b.groups is None else b.decide_books(b.books())))
        record(b, out=Rows(block, engine._ALL, w), totals=totals)
        record(b, out=wanted)
        for c, v in wanted.items():
            assert same(v, own[c]), (w, c)
        for i, c in enumerate(COLUMNS):
            assert same(block[i, w], own[c]), (w, c)
        weeks.append(own)
    for c in totals.columns:
        assert np.array_equal(bits(totals.sums[c]), bits(metrics.total(np.stack([wk[c] for wk in weeks])))), c


def numpy_sterman(rule, x, inventory, backlog, on_order, lhat):
    lhat *= 1 - rule.theta
    lhat += rule.theta * x
    adjust = rule.alpha_s * (rule.s_prime - (inventory - backlog) - rule.beta * on_order)
    return np.maximum(0.0, chain.half_up(lhat + adjust))


def test_the_compiled_rules_have_the_bits_of_their_formulas_alone_stacked_and_on_views():
    rng = np.random.default_rng(8)
    n, R = 3, 101
    books = {k: rng.integers(0, 30, (n, R)) / 3.0 for k in ("incoming", "inventory", "backlog", "on_order")}
    from chaingame.observe import _observation

    rule = Sterman(theta=0.3, alpha_s=0.7, beta=0.45, s_prime=14.3)
    stacked = _observation(firm="a,b,c", role="", week=1, **books)
    memory = {}
    got = rule.decide(stacked, memory)
    want = numpy_sterman(rule, books["incoming"], books["inventory"], books["backlog"], books["on_order"],
                         books["incoming"].copy())
    assert np.array_equal(bits(got), bits(want))
    again = numpy_sterman(rule, books["incoming"], books["inventory"], books["backlog"], books["on_order"],
                          memory["expected"].copy())
    for i in range(n):  # a firm alone, on (R,) rows, its memory a row of the stacked one
        one = _observation(firm="a", role="", week=2, **{k: v[i] for k, v in books.items()})
        row = {"expected": memory["expected"][i]}
        assert np.array_equal(bits(rule.decide(one, row)), bits(again[i]))
        assert np.shares_memory(row["expected"], memory["expected"])  # updated in place
    # a view with a stride and a read-only array go in as copies; the memory is still updated in place
    view = _observation(firm="a", role="", week=1, **{k: v[:, ::2] for k, v in books.items()})
    lone = {}
    first = rule.decide(view, lone)
    assert np.array_equal(bits(first), bits(want[:, ::2]))
    frozen = {k: v.copy() for k, v in books.items()}
    for v in frozen.values():
        v.flags.writeable = False
    kept = {"expected": books["incoming"].copy()}
    rule.decide(_observation(firm="a", role="", week=1, **frozen), kept)
    assert np.array_equal(bits(kept["expected"]), bits(numpy_lhat(rule, books["incoming"])))
    base = BaseStock(level=12.5).decide(stacked, {})
    position = books["inventory"] - books["backlog"] + books["on_order"]
    assert np.array_equal(bits(base), bits(np.maximum(0.0, 12.5 - position)))
    track, mem = TrackDemand(theta=0.4, margin=0.15, backlog_weeks=3.0), {}
    got = track.target(stacked, mem)
    f = books["incoming"].astype(float, copy=True)
    f += 0.4 * (books["incoming"] - f)
    assert np.array_equal(bits(got), bits((1 + 0.15) * f + books["backlog"] / 3.0))
    assert np.array_equal(bits(mem["forecast"]), bits(f))


def numpy_lhat(rule, x):
    lhat = x.copy()
    lhat *= 1 - rule.theta
    lhat += rule.theta * x
    return lhat
