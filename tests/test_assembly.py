"""Assembly by bill of materials (``production.bom``): the bundled ``assembly`` brewery, goods
conservation per component on random scenarios with assembling firms, the two engines bit for bit,
the observation of an assembling firm, and the validation of every new field."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import chaingame
from chaingame import ScenarioError, from_table, load_scenario
from chaingame.batch import simulate
from chaingame.chain import parts_supply_line
from chaingame.engine import Engine
from tests import test_conservation as tc
from tests.strategies import random_scenario_table, scenario_tables
from tests.test_batch import assert_same_history

ASSEMBLY = dict(load_scenario("assembly").table)


def assembles(table) -> bool:
    return from_table(table).network().bom_units is not None


def assembly(*edits):
    """The bundled assembly table with ``(dotted path, value)`` edits (None deletes)."""
    raw = copy.deepcopy(ASSEMBLY)
    for path, value in edits:
        *head, last = path.split(".")
        node = raw
        for k in head:
            node = node[int(k)] if isinstance(node, list) else node[k]
        if value is None:
            del node[int(last) if isinstance(node, list) else last]
        elif isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    return raw


# --------------------------------------------------------------------------------------------------
# the brewery: 1 bottle + 1 label per case


def test_the_brewery_never_starts_more_than_its_scarcer_component_allows():
    """Each week the brewery starts min(capacity, bottles on hand, labels on hand) cases (1 + 1 per
    case): never more than the scarcer component allows, and exactly that once labels run short."""
    sc = load_scenario("assembly")
    engine = Engine(sc, replications=3, seed=1)
    net = engine.net
    b = sc.firm_ids.index("brewery")
    bottles, labels = (next(k for k, link in enumerate(sc.links) if link.supplier == s and link.customer == "brewery")
                       for s in ("bottles", "labels"))
    idle_bottles = []
    while not engine.done:
        before = engine.state.copy()
        slot = (before.week + 1) % net.slots
        engine.step()
        started = engine.flows.started[b]
        on_hand = before.parts[[bottles, labels]] + before.transit[[bottles, labels], slot]  # after arrivals
        assert np.all(started <= on_hand.min(axis=0)), f"week {engine.week}: started {started} > {on_hand}"
        assert np.array_equal(started, on_hand.min(axis=0)), f"week {engine.week}: unlimited capacity, all it can"
        assert np.array_equal(engine.state.parts[bottles], on_hand[0] - started)
        assert np.array_equal(engine.state.parts[labels], on_hand[1] - started)
        idle_bottles.append(float(engine.state.parts[bottles, 0]))
    print(f"bottles idle at the brewery, weeks 1-{sc.weeks}: {idle_bottles}")
    assert engine.state.parts[labels, 0] == 0 and idle_bottles[-1] > 0  # the label shortage idles bottles


def test_a_label_shortage_idles_bottles():
    """The label printer's capacity (6/week) below demand (8): production is capped by labels, and
    unused bottles pile up at the brewery, while with enough printer capacity they do not."""
    short = simulate("assembly", 1, seed=1, history=True).history
    ample = simulate(from_table(assembly(("firms.labels.production.capacity", 20))), 1, seed=1, history=True).history
    brew_short, brew_ample = short[short.firm == "brewery"], ample[ample.firm == "brewery"]
    print(f"brewery raw at the end: {brew_short.raw.iloc[-1]:g} (labels capped at 6) vs {brew_ample.raw.iloc[-1]:g}")
    assert brew_short.produced.tail(10).max() <= 6
    assert brew_short.raw.iloc[-1] > 10 * max(1.0, brew_ample.raw.iloc[-1])


def test_components_are_ordered_as_the_product_order_times_units():
    """With 2 bottles per case, each week's bottle order is twice the brewery's order, labels once."""
    sc = from_table(assembly(("firms.brewery.production.bom", {"bottles": 2, "labels": 1}),
                             ("firms.brewery.production.raw", 3)))
    engine = Engine(sc, replications=2, seed=0)
    net = engine.net
    b = sc.firm_ids.index("brewery")
    links = {s: next(k for k, link in enumerate(sc.links) if link.supplier == s and link.customer == "brewery")
             for s in ("bottles", "labels")}
    assert np.array_equal(engine.state.parts[[links["bottles"], links["labels"]], 0], [6.0, 3.0])
    while not engine.done:
        before = engine.state.copy()
        engine.step()
        t = engine.week
        for s, units in (("bottles", 2), ("labels", 1)):
            k = links[s]
            ahead = (t + net.order_delay[k]) % net.slots
            mailed = engine.state.mail[k, ahead] - before.mail[k, ahead]
            assert np.array_equal(mailed, units * engine.flows.order[b]), f"week {t}: {s}"


def test_observation_of_an_assembling_firm():
    """An assembling firm sees each component's stock and supply line as its own books; others see None."""
    engine = Engine("assembly", replications=2, seed=1)
    for _ in range(12):
        engine.step()
    obs = {o.firm: o for o in engine.begin_week()}
    brewery = obs["brewery"]
    assert brewery.components == ("bottles", "labels")
    net, state = engine.net, engine.state
    ks = [k for k in range(net.n_links) if net.customer[k] == net.firms.index("brewery")]
    np.testing.assert_array_equal(brewery.raw_parts, state.parts[ks])
    np.testing.assert_array_equal(brewery.on_order_parts, parts_supply_line(net, state)[ks])
    np.testing.assert_array_equal(brewery.raw, state.parts[ks].sum(axis=0))
    assert brewery.raw_parts.base is not state.parts
    for name in ("retailer", "distributor", "bottles", "labels"):
        assert obs[name].components is None and obs[name].raw_parts is None and obs[name].on_order_parts is None
    classic = Engine("classic", replications=1, seed=1).begin_week()
    assert all(o.raw_parts is None for o in classic)


def test_without_a_bill_of_materials_no_component_books():
    assert load_scenario("classic").network().bom_units is None
    assert load_scenario("classic").initial_state(2).parts is None


# --------------------------------------------------------------------------------------------------
# conservation per component and the two engines, on random scenarios with assembling firms

BOM_SEEDS = [s for s in range(300) if assembles(random_scenario_table(s, assembly=True))][:12]


@pytest.mark.parametrize("seed", BOM_SEEDS)
def test_random_assembly_conserves_each_component(seed):
    """Goods (per component), money, bounds and history checks of test_conservation on the plain
    generator's scenarios with assembling firms."""
    table = random_scenario_table(seed, assembly=True)
    for wk in tc.play(table, 3, seed):
        tc.check_all(wk)
    tc.check_history(table, seed, 2)


@settings(tc.SETTINGS, max_examples=60)
@given(table=scenario_tables(assembly=True).filter(assembles), reps=st.integers(1, 3), seed=tc.SEEDS)
def test_assembly_property(table, reps, seed):
    for wk in tc.play(table, reps, seed):
        tc.check_all(wk)


def test_the_bundled_assembly_conserves():
    for wk in tc.play(ASSEMBLY, 3, 7):
        tc.check_all(wk)
    tc.check_history(ASSEMBLY, 7, 2)


@pytest.mark.parametrize("seed", BOM_SEEDS[:6])
def test_simulate_is_chain_model_with_assembly(seed):
    sc = from_table(random_scenario_table(seed, assembly=True))
    res = simulate(sc, 3, seed=seed, history=True)
    for r in range(3):
        h = chaingame.ChainModel(sc, seed=seed, replication=r).run().history()
        mine = res.history[res.history.replication == r].drop(columns="replication").reset_index(drop=True)
        assert_same_history(mine, h, f"seed {seed} r={r}")


# --------------------------------------------------------------------------------------------------
# validation: every error names the field, the value and what is allowed

BAD = [
    ([("firms.brewery.production.bom", {"bottles": 1, "glass": 1})], "firms.brewery.production.bom.glass",
     '"glass"', "allowed: bottles, labels"),
    ([("firms.brewery.production.bom", {"bottles": 1, "labels": 1, "retailer": 1})],
     "firms.brewery.production.bom.retailer", '"retailer"', "allowed: bottles, labels"),
    ([("firms.brewery.production.bom", {"bottles": 1, "labels": 1, "source": 1})],
     "firms.brewery.production.bom.source", '"source"', "allowed: bottles, labels"),
    ([("firms.brewery.production.bom", {"bottles": 0, "labels": 1})], "firms.brewery.production.bom.bottles",
     "0", "allowed"),
    ([("firms.brewery.production.bom", {"bottles": -1, "labels": 1})], "firms.brewery.production.bom.bottles",
     "-1", "allowed"),
    ([("firms.brewery.production.bom", {"bottles": "one", "labels": 1})], "firms.brewery.production.bom.bottles",
     '"one"', "allowed"),
    ([("firms.brewery.production.bom", {"bottles": 1.5, "labels": 1})], "firms.brewery.production.bom.bottles",
     "1.5", "allowed: whole units"),
    ([("firms.brewery.production.bom", {})], "firms.brewery.production.bom", "{}", "allowed"),
    ([("firms.brewery.production.bom", 2)], "firms.brewery.production.bom", "2", "allowed"),
    ([("firms.brewery.production.bom", {"bottles": 1})], "links.3.supplier", '"labels"', "allowed: bottles"),
    ([("links.2.share", 2)], "links.2.share", "2", "allowed: no share"),
    ([("firms.retailer.production", {"bom": {"distributor": 1}})], "firms.retailer.production", None, "allowed"),
]


@pytest.mark.parametrize(("edits", "path", "value", "allowed"), BAD, ids=[c[1] + f"-{i}" for i, c in enumerate(BAD)])
def test_bad_bill_of_materials_is_named(edits, path, value, allowed):
    with pytest.raises(ScenarioError) as info:
        from_table(assembly(*edits))
    msg = str(info.value)
    assert "\n" not in msg and msg.startswith(f"{path}: "), msg
    if value is not None:
        assert value in msg[len(path) + 2:], msg
    assert allowed in msg, msg


def test_a_source_link_into_an_assembling_firm_is_refused():
    raw = assembly()
    raw["links"].append({"supplier": "source", "customer": "brewery"})
    with pytest.raises(ScenarioError, match=r'^links\.6\.supplier: "source" supplies brewery, .* \(allowed: '
                                            r'bottles, labels\)$'):
        from_table(raw)


def test_fractional_units_without_whole_units():
    sc = from_table(assembly(("whole_units", False), ("firms.brewery.production.bom", {"bottles": 0.5, "labels": 1})))
    assert dict(sc.firm("brewery").production.bom) == {"bottles": 0.5, "labels": 1}
    for wk in tc.play(dict(sc.table), 2, 3):
        tc.check_all(wk)


# --------------------------------------------------------------------------------------------------
# the per-component history (chaingame.component_history)


@pytest.mark.parametrize("seed", [BOM_SEEDS[0], BOM_SEEDS[3]])
def test_component_history_adds_up_to_the_firm_history(seed):
    """Each assembling firm's components on hand sum to its raw stock, week by week; a
    component's position (on hand + supply line) moves by the units ordered less the units used; every
    component of a firm is used in the proportions of the bill of materials."""
    sc = from_table(random_scenario_table(seed, assembly=True))
    comp = chaingame.component_history(sc, 2, seed=seed)
    hist = simulate(sc, 2, seed=seed, history=True).history.set_index(["replication", "week", "firm"])
    assert list(comp.columns) == ["replication", "week", "firm", "component", "units_per_product", "on_hand",
                                  "supply_line", "used"]
    raw = comp.groupby(["replication", "week", "firm"]).on_hand.sum()
    assert np.allclose(raw, hist.raw.loc[raw.index], rtol=1e-15, atol=1e-12)  # three addends: the order may differ
    for (firm, component), g in comp.groupby(["firm", "component"]):
        g = g.set_index(["replication", "week"])
        placed = hist.xs(firm, level="firm").order_placed * g.units_per_product
        position = g.on_hand + g.supply_line
        moved = (position - position.groupby(level=0).shift(1) - placed + g.used).dropna()
        assert np.allclose(moved, 0, atol=1e-9), (firm, component)
    per_product = comp.used / comp.units_per_product
    assert (per_product.groupby([comp.replication, comp.week, comp.firm]).nunique() == 1).all()


def test_component_history_of_the_brewery_shows_the_label_shortage():
    comp = chaingame.component_history("assembly")
    labels = comp[comp.component == "labels"].set_index("week")
    bottles = comp[comp.component == "bottles"].set_index("week")
    assert (bottles.used == labels.used).all()  # one of each per case
    idle = bottles.on_hand > 0
    assert idle.sum() > 10 and (labels.on_hand[idle] == 0).all()  # bottles wait only while labels are out
    assert bottles.on_hand[idle].is_monotonic_increasing  # and pile up: the printer's 6 a week bind
    assert (labels.used[idle] <= 6).all() and labels.supply_line.iloc[-1] > bottles.supply_line.iloc[-1]


def test_component_history_of_a_chain_without_a_bill_of_materials_is_a_one_line_error():
    with pytest.raises(ScenarioError, match=r"^scenario: .*no firm assembles by bill of materials \(allowed: "):
        chaingame.component_history("classic")
