"""A Scenario's table is read-only at every depth (chaingame/readonly.py), and reads as the plain table did.

The plain result each reader is compared with is the table as ``tomllib`` reads it from the bundled file
(what ``Scenario.table`` held before it was read-only), or, for the CLI, the same command run with the
Scenario keeping a plain copy.
"""

from __future__ import annotations

import copy
import json
import os
import pickle
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import chaingame as cg
from chaingame.readonly import ReadOnlyDict, ReadOnlyList
from chaingame.scenario import bundled, from_table, load_scenario, set_values
from chaingame.tomltext import dumps

ROOT = Path(__file__).resolve().parents[1]
NAMES = sorted(bundled())


def plain_table(name: str) -> dict:
    """The bundled scenario's table as read from its file, as plain dicts and lists."""
    raw = tomllib.loads(bundled()[name].read_text(encoding="utf-8"))
    raw.setdefault("name", name)
    return raw


def nodes(node, path=""):
    """Every table and list inside ``node``, with its dotted path."""
    if isinstance(node, dict | list):
        yield path, node
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for k, v in items:
            yield from nodes(v, f"{path}.{k}" if path else str(k))


def writes(node):
    """Every way of writing into a table or list, each a function of no arguments."""
    if isinstance(node, dict):
        k = next(iter(node), "weeks")
        return {"set": lambda: node.__setitem__(k, 1), "add": lambda: node.__setitem__("new", 1),
                "del": lambda: node.__delitem__(k), "update": lambda: node.update({k: 1}),
                "update kw": lambda: node.update(new=1), "|=": lambda: node.__ior__({"new": 1}),
                "setdefault": lambda: node.setdefault("new", 1), "pop": lambda: node.pop(k),
                "pop default": lambda: node.pop("new", None), "popitem": node.popitem, "clear": node.clear}
    return {"set": lambda: node.__setitem__(0, 1), "slice": lambda: node.__setitem__(slice(0, 1), []),
            "del": lambda: node.__delitem__(0), "del slice": lambda: node.__delitem__(slice(None)),
            "append": lambda: node.append(1), "extend": lambda: node.extend([1]), "+=": lambda: node.__iadd__([1]),
            "*=": lambda: node.__imul__(2), "insert": lambda: node.insert(0, 1), "pop": node.pop,
            "remove": lambda: node.remove(node[0] if node else 1), "clear": node.clear, "sort": node.sort,
            "reverse": node.reverse}


@pytest.mark.parametrize("name", NAMES)
def test_every_table_and_list_refuses_every_write(name):
    sc = load_scenario(name)
    before = copy.deepcopy(sc.table)
    found = list(nodes(sc.table))
    assert any(isinstance(n, list) for _, n in found) and len(found) > 5
    for path, node in found:
        assert isinstance(node, ReadOnlyDict | ReadOnlyList), path
        for how, write in writes(node).items():
            with pytest.raises(TypeError, match=f"^the table of scenario '{name}' is read-only: ") as e:
                write()
            assert "\n" not in str(e.value), (path, how)
            assert (path or "table") in str(e.value), (path, how, str(e.value))
        with pytest.raises(AttributeError):
            node.anything = 1
    assert sc.table == before == plain_table(name)
    assert load_scenario(name) is sc  # the cached scenario, unchanged
    assert from_table(plain_table(name)) == sc


def test_the_message_names_the_scenario_the_field_the_value_and_what_is_allowed():
    sc = load_scenario("classic")
    with pytest.raises(TypeError) as e:
        sc.table["firms"]["retailer"]["inventory"] = 5
    assert str(e.value) == ("the table of scenario 'classic' is read-only: firms.retailer.inventory = 5 refused "
                            '(allowed: Scenario.with_values({"firms.retailer.inventory": ...}), or edit a copy: '
                            "copy.deepcopy(scenario.table))")
    with pytest.raises(TypeError, match=r"read-only: links\.0\.shipments\.append\(4\) refused"):
        sc.table["links"][0]["shipments"].append(4)
    with pytest.raises(TypeError, match=r"read-only: del links\.1 refused"):
        del sc.table["links"][1]


def test_a_write_into_the_callers_table_does_not_reach_the_scenario():
    raw = plain_table("classic")
    sc = from_table(raw)
    raw["firms"]["retailer"]["inventory"] = 99
    raw["links"][0]["shipments"].append(4)
    assert sc.table == plain_table("classic") != raw
    shallow = dict(sc.table)  # a plain top level, read-only below (as dict.copy())
    shallow["weeks"] = 5
    assert type(shallow) is dict and sc.table["weeks"] == 36
    with pytest.raises(TypeError):
        shallow["firms"]["retailer"]["inventory"] = 1


@pytest.mark.parametrize("name", NAMES)
def test_readers_see_the_plain_table(name):
    sc, raw = load_scenario(name), plain_table(name)
    assert sc.table == raw and raw == sc.table and dict(sc.table) == raw and {**sc.table} == raw
    for (p, a), (q, b) in zip(nodes(sc.table), nodes(raw), strict=True):  # the same order at every depth
        assert p == q and list(a) == list(b)
    for kw in ({}, {"sort_keys": True}, {"indent": 2}, {"sort_keys": True, "default": str}):
        assert json.dumps(sc.table, **kw) == json.dumps(raw, **kw)
    assert dumps(sc.table) == dumps(raw) and tomllib.loads(dumps(sc.table)) == raw
    deep = copy.deepcopy(sc.table)
    assert deep == raw and all(type(n) in (dict, list) for _, n in nodes(deep))  # plain and writable
    deep["firms"][next(iter(deep["firms"]))]["inventory"] = 1.5
    assert sc.table == raw
    assert type(copy.copy(sc.table)) is dict and copy.copy(sc.table) == raw


@pytest.mark.parametrize("name", NAMES)
def test_pickling_and_deep_copying_keep_the_table_and_its_guard(name):
    sc, raw = load_scenario(name), plain_table(name)
    for protocol in (2, pickle.DEFAULT_PROTOCOL, pickle.HIGHEST_PROTOCOL):
        table = pickle.loads(pickle.dumps(sc.table, protocol))
        assert table == raw and json.dumps(table) == json.dumps(raw)
        assert all(isinstance(n, ReadOnlyDict | ReadOnlyList) for _, n in nodes(table))
        back = pickle.loads(pickle.dumps(sc, protocol))
        assert back == sc and back.table == raw and back.network().n_firms == sc.network().n_firms
        with pytest.raises(TypeError, match=f"scenario '{name}' is read-only"):
            back.table["weeks"] = 1
    twin = copy.deepcopy(sc)
    assert twin == sc and twin.table is not sc.table
    assert all(isinstance(n, ReadOnlyDict | ReadOnlyList) for _, n in nodes(twin.table))


def test_with_values_edits_a_plain_copy_and_leaves_the_scenario_alone():
    sc = load_scenario("classic")
    changes = {"links.*.shipping_delay": 3, "firms.retailer.policy.beta": 1, "weeks": 20}
    new = sc.with_values(changes)
    raw = plain_table("classic")
    set_values(raw, changes)
    assert new == from_table(raw) and new.table == raw and json.dumps(new.table) == json.dumps(raw)
    assert isinstance(new.table["links"][0]["shipments"], ReadOnlyList) and new.table["weeks"] == 20
    assert sc.table == plain_table("classic") and sc.weeks == 36
    nested = sc.with_values({"links": sc.table["links"]})  # a read-only value given back is copied plain, then frozen
    assert nested == sc


def test_a_scenario_built_or_replaced_in_python_holds_a_read_only_table():
    from dataclasses import replace

    sc = cg.from_table({**load_scenario("stochastic").table, "seed": 3})
    assert sc.seed == 3 and isinstance(sc.table["links"], ReadOnlyList)
    other = replace(sc, name="other", table={**plain_table("stochastic"), "name": "other"})
    with pytest.raises(TypeError, match="scenario 'other' is read-only: firms.retailer = 1 refused"):
        other.table["firms"]["retailer"] = 1


def test_tuples_in_a_table_built_in_python_stay_tuples_and_read_the_same():
    raw = plain_table("classic")
    raw["links"][0]["orders"] = (4, 4)
    sc = from_table(raw)
    assert sc.table["links"][0]["orders"] == (4, 4) and type(sc.table["links"][0]["orders"]) is tuple
    assert sc.table == raw and json.dumps(sc.table) == json.dumps(raw) and dumps(sc.table) == dumps(raw)
    assert sc.links == load_scenario("classic").links


def cli(args, cwd, plain=False):
    """Run ``chaingame ARGS`` in a subprocess; with ``plain``, every Scenario keeps a plain copy of its table."""
    code = ("import copy, sys\nimport chaingame.scenario as s\n"
            + ("s.freeze = lambda table, name: copy.deepcopy(dict(table))\n" if plain else "")
            + "from chaingame.cli import main\ncode = main(sys.argv[1:])\n"
            + f"assert (type(s.load_scenario('stochastic').table) is dict) is {plain}\nsys.exit(code)\n")
    env = {**os.environ, "MPLBACKEND": "Agg",
           "PYTHONPATH": os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
    p = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=cwd, env=env,
                       timeout=300)
    assert p.returncode == 0, p.stderr


SWEEP = """scenario = "stochastic"
seed = 11
replications = 4
weeks = 20
burn_in = 2
metrics = ["cost", "bullwhip"]

[grid]
"defaults.policy.beta" = [0, 1]
"links.*.shipping_delay" = [1, 2]
"""


def test_a_sweeps_table_and_a_runs_files_are_byte_for_byte_those_of_a_plain_table(tmp_path):
    import pyarrow.parquet as pq

    (tmp_path / "small.toml").write_text(SWEEP, encoding="utf-8")
    for side, plain in (("plain", True), ("read-only", False)):
        (tmp_path / side).mkdir()
        workers = "1" if plain else "2"  # the plain copy only in this process; workers unpickle read-only tables
        cli(["sweep", "../small.toml", "--workers", workers, "--out", "sweep.parquet", "--quiet"], tmp_path / side,
            plain)
        cli(["run", "classic", "--out", "run", "--quiet", "--no-plot", "--weeks", "30",
             "--set", "firms.retailer.policy.beta=0.5"], tmp_path / side, plain)
    a, b = tmp_path / "plain", tmp_path / "read-only"
    assert pq.read_schema(a / "sweep.parquet").metadata == pq.read_schema(b / "sweep.parquet").metadata
    for f in ("sweep.parquet", "run/summary.json", "run/scenario.toml", "run/history.csv"):
        assert (a / f).read_bytes() == (b / f).read_bytes(), f
    meta = json.loads(pq.read_schema(b / "sweep.parquet").metadata[b"chaingame"])
    assert tomllib.loads(meta["scenario_toml"]) == {**plain_table("stochastic"), "weeks": 20}


def test_a_sweep_chunk_sends_its_workers_the_plain_table():
    from chaingame.sweep.chunks import payload, plan
    from chaingame.sweep.spec import load_sweep

    sweep = load_sweep(tomllib.loads(SWEEP))
    chunk = plan(sweep)[0]
    sent = pickle.loads(pickle.dumps(payload(sweep, chunk)))
    assert sent["table"] == sweep.scenario.table and all(type(n) in (dict, list) for _, n in nodes(sent["table"]))
    assert from_table(sent["table"]) == sweep.scenario
