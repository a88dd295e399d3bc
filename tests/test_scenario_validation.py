"""Every scenario field rejects bad values with a one-line message naming it; bad files give clear errors.

Messages read ``<dotted.field.path>: <value> <problem> (allowed: ...)``, e.g.
``firms.factory.policy.alpha_s: -0.2 is below 0 (allowed: 0 to 1)``. The cases start from the
classic scenario's table and break one field at a time, for every field of the schema.
"""

from __future__ import annotations

import copy
import math
import re
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import chaingame
from chaingame import ScenarioError, from_table, load_scenario
from chaingame import demand as dem
from chaingame import policies as pol

ROOT = Path(__file__).resolve().parent.parent
CLASSIC = tomllib.loads((ROOT / "scenarios" / "classic.toml").read_text(encoding="utf-8"))
NAN, INF = math.nan, math.inf
DELETE = object()  # an edit that removes the field
APPEND = "+"  # a list "index" that appends


# --------------------------------------------------------------------------------------------------
# helpers


def written(value):
    """A value as a user writes it in TOML (what the message must quote)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(written(v) for v in value) + "]"
    if isinstance(value, dict) and not value:
        return "{}"
    return None


def edit(raw, path, value):
    """Set ``raw[path]`` (dotted string or tuple of keys; digits index lists; missing tables are created)."""
    keys = path.split(".") if isinstance(path, str) else list(path)
    node = raw
    for k in keys[:-1]:
        node = node[int(k)] if isinstance(node, list) else node.setdefault(k, {})
    last = keys[-1]
    if isinstance(node, list):
        if last == APPEND:
            node.append(copy.deepcopy(value))
        elif value is DELETE:
            del node[int(last)]
        else:
            node[int(last)] = copy.deepcopy(value)
    elif value is DELETE:
        del node[last]
    else:
        node[last] = copy.deepcopy(value)


def classic(*edits):
    """The classic table with edits ``(path, value)`` applied in order."""
    raw = copy.deepcopy(CLASSIC)
    for path, value in edits:
        edit(raw, path, value)
    return raw


def path_pattern(path):
    """Regex for an expected path; ``a.b[1]`` also matches ``a.b.1`` (list entries)."""
    parts = re.split(r"\[(\d+)\]", path)
    out = ""
    for i, part in enumerate(parts):
        out += re.escape(part) if i % 2 == 0 else rf"(?:\[{part}\]|\.{part})"
    return out


def check_message(err, path, value=None, word="allowed"):
    """The message is one line, starts with ``path: ``, quotes ``value`` and contains ``word``."""
    msg = str(err)
    assert isinstance(err, ScenarioError)
    assert "\n" not in msg and "\r" not in msg, f"message is not one line: {msg!r}"
    paths = [path] if isinstance(path, str) else list(path)
    m = next(filter(None, (re.match(path_pattern(p) + ": ", msg) for p in paths)), None)
    assert m, f"message does not start with {' or '.join(paths)!r}: {msg!r}"
    rest = msg[m.end():]
    if value is not None:
        assert value in rest, f"message does not quote the value {value} as written: {msg!r}"
    if word is not None:
        assert word in msg, f"message lacks {word!r}: {msg!r}"
    return msg


def fails(raw):
    """The ScenarioError that building ``raw`` raises (any other exception fails the test)."""
    with pytest.raises(ScenarioError) as info:
        from_table(raw)
    return info.value


def case(edits, path, value=..., word="allowed", id=None):
    """A parametrized case; ``value`` defaults to the last edit's value as written."""
    if value is ...:
        value = written(edits[-1][1])
        assert value is not None, f"give the expected value text of {path} explicitly"
    label = id or (f"{path}={value}" if value is not None else f"{path}-{word}")
    return pytest.param(edits, path, value, word, id=label)


# --------------------------------------------------------------------------------------------------
# bad values by kind of field


def bad_nonneg():
    return [-1, -0.5, "4", True, NAN, INF, -INF, [1], {}]


def bad_real():
    return ["4", True, NAN, INF, -INF, [1]]


def bad_int(low, high=None):
    values = [low - 1, low + 0.5, "3", True, NAN, INF, [low]]
    if high is not None:
        values.append(high + 1)
    return values


def bad_unit():  # [0, 1]
    return [-0.2, 1.5, "0.5", True, NAN, INF]


def bad_unit_open():  # (0, 1]
    return [0, -0.1, 1.01, "0.5", True, NAN]


def bad_positive():  # > 0
    return [0, -1, "1", True, NAN, INF]


def bad_choice(options):
    return ["bogus", options[0].upper(), "", 5, True, [1]]


def bad_bool():
    return ["true", 1, 0, "yes"]


def bad_text():
    return [5, True, [1], {}]


def bad_table():
    return [5, "x", True, [1]]


ROLES = ["retailer", "wholesaler", "distributor", "manufacturer", "supplier"]

# --------------------------------------------------------------------------------------------------
# cases: top level

TOP_CASES = [
    *(case([("weeks", v)], "weeks") for v in bad_int(1, 100_000)),
    *(case([("seed", v)], "seed") for v in bad_int(0, 2**63 - 1)),
    *(case([("information", v)], "information") for v in bad_choice(["silo", "pos", "full"])),
    *(case([("allocation", v)], "allocation") for v in bad_choice(["proportional", "priority", "turn_and_earn",
                                                                    "uniform"])),
    *(case([("whole_units", v)], "whole_units") for v in bad_bool()),
    *(case([(f, v)], f) for f in ("name", "title", "description") for v in bad_text()),
    *(case([("demand", v)], "demand") for v in bad_table()),
    *(case([("defaults", v)], "defaults") for v in bad_table()),
    *(case([("firms", v)], "firms") for v in bad_table()),
    case([("firms", {})], "firms", None, id="firms-empty"),
    *(case([("links", v)], "links") for v in [5, "x", {}, [], True]),
    *(case([("links.0", v)], "links.0") for v in bad_table()),
]

# --------------------------------------------------------------------------------------------------
# cases: demand processes, at the top level and at the retailer

DEMANDS = {
    "constant": {"process": "constant", "level": 4},
    "step": {"process": "step", "initial": 4, "final": 8, "week": 5},
    "normal": {"process": "normal", "mean": 8, "sd": 2},
    "uniform": {"process": "uniform", "low": 0, "high": 8},
    "poisson": {"process": "poisson", "mean": 4},
    "ar1": {"process": "ar1", "mean": 8, "rho": 0.5, "sd": 2},
    "seasonal": {"process": "seasonal", "mean": 8, "amplitude": 2, "period": 12, "sd": 1},
    "trace": {"process": "trace", "values": [4] * 36},
}
DEMAND_PARAMS = {
    "constant": {"level": bad_nonneg()},
    "step": {"initial": bad_nonneg(), "final": bad_nonneg(), "week": bad_int(1)},
    "normal": {"mean": bad_nonneg(), "sd": bad_nonneg()},
    "uniform": {"low": bad_int(0), "high": bad_int(0)},
    "poisson": {"mean": bad_nonneg()},
    "ar1": {"mean": bad_nonneg(), "rho": [-1, -1.5, 1, 1.5, "0.5", True, NAN, INF], "sd": bad_nonneg()},
    "seasonal": {"mean": bad_nonneg(), "amplitude": bad_nonneg(), "period": bad_int(1), "sd": bad_nonneg()},
    "trace": {"values": ["4", 4, True, {}]},
}
DEMAND_REQUIRED = {
    "constant": ["level"], "step": ["initial", "final", "week"], "normal": ["mean"], "uniform": ["low", "high"],
    "poisson": ["mean"], "ar1": ["mean"], "seasonal": ["mean", "period"], "trace": ["values"],
}
DEMAND_OPTIONAL = {"normal": ["sd"], "ar1": ["rho", "sd"], "seasonal": ["amplitude", "sd"]}


def demand_cases(where):
    out = []
    for kind, params in DEMAND_PARAMS.items():
        for param, values in params.items():
            for v in values:
                out.append(case([(where, {**DEMANDS[kind], param: v})], f"{where}.{param}", written(v),
                                id=f"{where}.{kind}.{param}={written(v)}"))
        for param in DEMAND_REQUIRED[kind]:
            raw = {k: v for k, v in DEMANDS[kind].items() if k != param}
            out.append(case([(where, raw)], f"{where}.{param}", None, "missing", id=f"{where}.{kind}-no-{param}"))
        other = "level" if kind != "constant" else "mean"
        out.append(case([(where, {**DEMANDS[kind], other: 4})], f"{where}.{other}", None, "unknown field",
                        id=f"{where}.{kind}-with-{other}"))
    out += [case([(where, {**DEMANDS["constant"], "process": v})], f"{where}.process", written(v))
            for v in bad_choice(list(DEMANDS))]
    out.append(case([(where, {"level": 4})], f"{where}.process", None, "missing", id=f"{where}-no-process"))
    out.append(case([(where, {**DEMANDS["constant"], "levle": 4})], f"{where}.levle", None, "unknown field"))
    # specific bounds
    out += [
        case([(where, {**DEMANDS["uniform"], "low": 5, "high": 3})], f"{where}.high", "3",
             id=f"{where}.uniform-high-below-low"),
        case([(where, {**DEMANDS["trace"], "values": [4] * 35})], f"{where}.values", "[4, 4, 4",
             id=f"{where}.trace-too-short"),
        case([(where, {**DEMANDS["trace"], "values": []})], f"{where}.values", "[]", id=f"{where}.trace-empty"),
        case([(where, {**DEMANDS["trace"], "values": [4] * 35 + [-1]})], f"{where}.values[35]", "-1",
             id=f"{where}.trace-negative-entry"),
        case([(where, {**DEMANDS["trace"], "values": [4] * 35 + [NAN]})], f"{where}.values[35]", "nan",
             id=f"{where}.trace-nan-entry"),
        case([(where, {**DEMANDS["trace"], "values": [4] * 35 + ["4"]})], f"{where}.values[35]", '"4"',
             id=f"{where}.trace-string-entry"),
        case([(where, {**DEMANDS["trace"], "values": [4] * 35 + [INF]})], f"{where}.values[35]", "inf",
             id=f"{where}.trace-inf-entry"),
    ]
    return out


DEMAND_CASES = demand_cases("demand") + demand_cases("firms.retailer.demand")

# --------------------------------------------------------------------------------------------------
# cases: firms

FIRM_NUMBERS = {  # field -> bad values (checked on a retailer and on the factory)
    "inventory": bad_nonneg(), "cash": bad_real(), "holding_cost": bad_nonneg(), "backlog_cost": bad_nonneg(),
    "lost_sales_cost": bad_nonneg(), "order_cost": bad_nonneg(), "price": bad_nonneg(),
    "last_order": bad_nonneg(),
}


def firm_cases():
    out = []
    for fid in ("retailer", "factory"):
        for field, values in FIRM_NUMBERS.items():
            out += [case([(f"firms.{fid}.{field}", v)], f"firms.{fid}.{field}") for v in values]
        out += [case([(f"firms.{fid}.unmet", v)], f"firms.{fid}.unmet") for v in bad_choice(["backlog", "lost"])]
        out += [case([(f"firms.{fid}", v)], f"firms.{fid}", id=f"firms.{fid}-not-a-table={written(v)}")
                for v in bad_table()]
        out.append(case([(f"firms.{fid}.invntory", 12)], f"firms.{fid}.invntory", None, "unknown field"))
        out.append(case([(f"firms.{fid}.role", DELETE)], f"firms.{fid}.role", None, "missing",
                        id=f"firms.{fid}-no-role"))
        out += [case([(f"firms.{fid}.role", v)], f"firms.{fid}.role") for v in bad_choice(ROLES)]
    out += [case([("firms.wholesaler.role", v)], "firms.wholesaler.role") for v in ["boss", "Retailer", 3]]
    out += [case([("firms.retailer.backlog", v)], "firms.retailer.backlog") for v in bad_nonneg()]
    out += [
        case([("firms.factory.backlog", 3)], "firms.factory.backlog", "3", id="backlog-on-a-manufacturer"),
        case([("firms.wholesaler.backlog", 2.5)], "firms.wholesaler.backlog", "2.5", id="backlog-on-a-wholesaler"),
    ]
    fixed = "firms.retailer.fixed_orders"
    out += [
        case([(fixed, 4)], fixed, "4", id="fixed_orders-scalar"),
        case([(fixed, "4, 4")], fixed, id="fixed_orders-string"),
        case([(fixed, True)], fixed, id="fixed_orders-bool"),
        case([(fixed, {})], fixed, id="fixed_orders-table"),
        case([(fixed, [4, -1])], f"{fixed}[1]", "-1", id="fixed_orders-negative"),
        case([(fixed, [4, "4"])], f"{fixed}[1]", '"4"', id="fixed_orders-string-entry"),
        case([(fixed, [4, NAN])], f"{fixed}[1]", "nan", id="fixed_orders-nan"),
        case([(fixed, [4, INF])], f"{fixed}[1]", "inf", id="fixed_orders-inf"),
        case([(fixed, [4, [4]])], f"{fixed}[1]", "[4]", id="fixed_orders-nested"),
    ]
    return out


# Order rules: a valid table per rule and the bad values of each parameter.
ORDER_RULES = {
    "sterman": ({"rule": "sterman", "theta": 0.36, "alpha_s": 0.26, "beta": 0.34, "s_prime": 17},
                {"theta": bad_unit(), "alpha_s": bad_unit(), "beta": bad_unit(), "s_prime": bad_nonneg(),
                 "expected": bad_nonneg(), "signal": bad_choice(["orders", "demand"])}),
    "base_stock": ({"rule": "base_stock", "level": 20}, {"level": bad_nonneg()}),
    "moving_average": ({"rule": "moving_average", "p": 5},
                       {"p": bad_int(1), "lead_time": bad_nonneg(), "z": bad_nonneg(),
                        "signal": bad_choice(["orders", "demand"])}),
    "smoothing": ({"rule": "smoothing", "alpha": 0.2},
                  {"alpha": bad_unit_open(), "lead_time": bad_nonneg(), "z": bad_nonneg(),
                   "signal": bad_choice(["orders", "demand"])}),
    "ar1": ({"rule": "ar1", "rho": 0.5, "mean": 8},
            {"rho": [-1, -1.5, 1, 1.5, "0.5", True, NAN, INF], "mean": bad_nonneg(), "lead_time": bad_int(0),
             "signal": bad_choice(["orders", "demand"])}),
    "pass_through": ({"rule": "pass_through"}, {}),
    "gaming": ({"rule": "gaming", "base": "sterman"},
               {"max_inflation": [0.5, 0, -1, "3", True, NAN, INF, [3]],
                "base": [*bad_choice(["sterman", "base_stock", "moving_average", "smoothing", "ar1",
                                      "pass_through"]), "gaming"],
                "theta": bad_unit(), "signal": bad_choice(["orders", "demand"])}),
    "cash_base_stock": ({"rule": "cash_base_stock", "level": 20},
                        {"level": bad_nonneg(), "credit": [-1, "4", True, NAN, -INF, [1]]}),
    "forward_buy": ({"rule": "forward_buy", "mean": 4},
                    {"mean": bad_nonneg(), "fraction": bad_unit(), "holding_cost": bad_nonneg(),
                     "level": bad_nonneg(), "horizon": bad_int(1, 13)}),
}
CAPACITY_RULES = {
    "fixed": ({"rule": "fixed"}, {}),
    "track": ({"rule": "track", "theta": 0.25, "margin": 0.1, "backlog_weeks": 4},
              {"theta": bad_unit_open(), "margin": bad_nonneg(), "backlog_weeks": bad_positive()}),
}


def rule_cases(where, rules):
    out = []
    for name, (base, params) in rules.items():
        for param, values in params.items():
            out += [case([(where, {**base, param: v})], f"{where}.{param}", written(v),
                         id=f"{where}.{name}.{param}={written(v)}") for v in values]
        foreign = "alpha_s" if name not in ("sterman", "gaming") else "level"
        if name in ("fixed", "track"):
            foreign = "alpha_s"
        out.append(case([(where, {**base, foreign: 0.5})], f"{where}.{foreign}", None, "unknown field",
                        id=f"{where}.{name}-with-{foreign}"))
        out.append(case([(where, {**base, "alpah_s": 0.5})], f"{where}.alpah_s", None, "unknown field",
                        id=f"{where}.{name}-typo"))
    first = next(iter(rules))
    out += [case([(where, {**rules[first][0], "rule": v})], f"{where}.rule", written(v))
            for v in bad_choice(list(rules))]
    out.append(case([(where, {"theta": 0.5})], f"{where}.rule", None, "missing", id=f"{where}-no-rule"))
    out += [case([(where, v)], where, id=f"{where}-not-a-table={written(v)}") for v in bad_table()]
    return out


POLICY_CASES = (rule_cases("firms.factory.policy", ORDER_RULES) + rule_cases("firms.retailer.policy", ORDER_RULES)
                + [case([("firms.factory.policy", {"rule": "sterman", "theta": 0.36, "alpha_s": -0.2})],
                        "firms.factory.policy.alpha_s", "-0.2", id="issue-example")])

PROD = "firms.factory.production"
PRODUCTION_CASES = [
    *(case([(f"{PROD}.delay", v)], f"{PROD}.delay") for v in bad_int(0, 52)),
    *(case([(f"{PROD}.raw", v)], f"{PROD}.raw") for v in bad_nonneg()),
    *(case([(f"{PROD}.capacity", v)], f"{PROD}.capacity") for v in [-1, -INF, NAN, "inf", "10", True, [10]]),
    *(case([(f"{PROD}.capacity", 10), (f"{PROD}.capacity_delay", v)], f"{PROD}.capacity_delay")
      for v in bad_int(1, 52)),
    *(case([(f"{PROD}.capacity", 10), (f"{PROD}.capacity_cost", v)], f"{PROD}.capacity_cost") for v in bad_nonneg()),
    case([(f"{PROD}.capacity_cost", 0.4)], f"{PROD}.capacity_cost", "0.4", id="capacity_cost-with-unlimited-capacity"),
    case([(f"{PROD}.capacity", INF), (f"{PROD}.capacity_cost", 1)], f"{PROD}.capacity_cost", "1",
         id="capacity_cost-with-explicit-inf-capacity"),
    *(case([(f"{PROD}.unit_cost", v)], f"{PROD}.unit_cost") for v in bad_nonneg()),
    case([(f"{PROD}.wip", [4])], f"{PROD}.wip", "[4]", id="wip-too-short"),
    case([(f"{PROD}.wip", [4, 4, 4])], f"{PROD}.wip", "[4, 4, 4]", id="wip-too-long"),
    case([(f"{PROD}.delay", 0)], f"{PROD}.wip", "[4, 4]", id="wip-with-delay-0"),
    case([(f"{PROD}.wip", [4, -1])], f"{PROD}.wip[1]", "-1", id="wip-negative-entry"),
    case([(f"{PROD}.wip", [4, NAN])], f"{PROD}.wip[1]", "nan", id="wip-nan-entry"),
    case([(f"{PROD}.wip", [4, "4"])], f"{PROD}.wip[1]", '"4"', id="wip-string-entry"),
    case([(f"{PROD}.wip", -1)], f"{PROD}.wip", "-1", id="wip-negative-scalar"),
    case([(f"{PROD}.wip", "4")], f"{PROD}.wip", '"4"', id="wip-string"),
    case([(f"{PROD}.wip", True)], f"{PROD}.wip", "true", id="wip-bool"),
    *(case([(PROD, v)], PROD, id=f"production-not-a-table={written(v)}") for v in bad_table()),
    case([(f"{PROD}.dealy", 2)], f"{PROD}.dealy", None, "unknown field"),
    *rule_cases(f"{PROD}.policy", CAPACITY_RULES),
]

# --------------------------------------------------------------------------------------------------
# cases: links (0: wholesaler -> retailer, 3: source -> factory)


def random_delay_cases():
    """``shipping_delay = {weeks = [...], p = [...], crossing = ...}`` (chaingame/delays.py)."""
    d, src = "links.0.shipping_delay", "links.3.shipping_delay"

    def delay(**kw):
        return {"weeks": [1, 2, 3], "p": [0.25, 0.5, 0.25], **kw}

    out = [case([(d, delay(weeks=[1, v, 3]))], f"{d}.weeks[1]", written(v)) for v in bad_int(1, 52)]
    out += [case([(src, delay(weeks=[0, v]))], f"{src}.weeks[1]", written(v)) for v in bad_int(0, 52)]
    out += [case([(d, delay(p=[0.25, v, 0.25]))], f"{d}.p[1]", written(v)) for v in bad_unit()]
    out += [
        case([(d, delay(weeks=[1, 2, 2]))], f"{d}.weeks[2]", "2", id="delay-week-twice"),
        case([(d, delay(weeks=[0, 1, 2]))], f"{d}.weeks[0]", "0", id="delay-0-between-firms"),
        case([(d, delay(p=[0.5, 0.5]))], f"{d}.p", "[0.5, 0.5]", id="delay-p-too-short"),
        case([(d, delay(p=[0.25, 0.5, 0.25, 0.0]))], f"{d}.p", "[0.25, 0.5, 0.25, 0.0]", id="delay-p-too-long"),
        case([(d, delay(p=[0.25, 0.5, 0.3]))], f"{d}.p", "[0.25, 0.5, 0.3]", id="delay-p-sum-above-1"),
        case([(d, delay(p=[0.25, 0.5, 0.2]))], f"{d}.p", "[0.25, 0.5, 0.2]", id="delay-p-sum-below-1"),
        case([(d, delay(weeks=[]))], f"{d}.weeks", "[]", id="delay-no-weeks"),
        case([(d, delay(weeks=2))], f"{d}.weeks", "2", id="delay-weeks-not-a-list"),
        case([(d, delay(p="1"))], f"{d}.p", '"1"', id="delay-p-not-a-list"),
        case([(d, {"weeks": [1, 2]})], f"{d}.p", None, "missing", id="delay-no-p"),
        case([(d, {"p": [1]})], f"{d}.weeks", None, "missing", id="delay-no-weeks-field"),
        case([(d, delay(crosing=False))], f"{d}.crosing", None, "unknown field", id="delay-unknown-field"),
        *(case([(d, delay(crossing=v))], f"{d}.crossing", written(v)) for v in bad_bool()),
        case([(d, delay()), ("links.0.shipments", [4, 4])], "links.0.shipments", "[4, 4]",
             id="delay-shipments-shorter-than-longest"),
        case([(d, delay()), ("links.0.shipments", -1)], "links.0.shipments", "-1", id="delay-shipments-negative"),
        case([(d, delay()), ("links.0.shipments", 3)], "links.0.shipments", "[3.0, 2.25, 0.75]",
             id="delay-steady-pipeline-not-whole"),
    ]
    return out


def link_cases():
    out = []
    for i in (0, 3):
        p = f"links.{i}"
        out += [case([(f"{p}.order_delay", v)], f"{p}.order_delay") for v in bad_int(1, 52)]
        out += [case([(f"{p}.backlog", v)], f"{p}.backlog") for v in bad_nonneg()]
        out += [case([(f"{p}.price", v)], f"{p}.price") for v in bad_nonneg()]
        out += [case([(f"{p}.share", v)], f"{p}.share") for v in bad_positive()]
        out += [case([(f"{p}.priority", v)], f"{p}.priority") for v in bad_int(0, 1000)]
        out += [case([(f"{p}.returns", v)], f"{p}.returns") for v in bad_bool()]
        out += [case([(f"{p}.{f}", DELETE)], f"{p}.{f}", None, "missing", id=f"{p}-no-{f}")
                for f in ("supplier", "customer")]
        out.append(case([(f"{p}.shiping_delay", 2)], f"{p}.shiping_delay", None, "unknown field"))
        out += [case([(f"{p}.supplier", v)], f"{p}.supplier") for v in ["wholesalr", "market", "", 5, True]]
        out += [case([(f"{p}.customer", v)], f"{p}.customer") for v in ["retailr", "source", "market", "", 5]]
    out += price_schedule_cases()
    out += [case([("links.0.shipping_delay", v)], "links.0.shipping_delay") for v in bad_int(1, 52)]
    out += [case([("links.3.shipping_delay", v)], "links.3.shipping_delay") for v in bad_int(0, 52)]
    out += random_delay_cases()
    for field in ("orders", "shipments"):
        p = f"links.0.{field}"
        out += [
            case([(p, [4])], p, "[4]", id=f"{field}-too-short"),
            case([(p, [4, 4, 4])], p, "[4, 4, 4]", id=f"{field}-too-long"),
            case([(p, [])], p, "[]", id=f"{field}-empty"),
            case([(p, [4, -1])], f"{p}[1]", "-1", id=f"{field}-negative-entry"),
            case([(p, [4, NAN])], f"{p}[1]", "nan", id=f"{field}-nan-entry"),
            case([(p, [4, INF])], f"{p}[1]", "inf", id=f"{field}-inf-entry"),
            case([(p, [4, "4"])], f"{p}[1]", '"4"', id=f"{field}-string-entry"),
            case([(p, [4, True])], f"{p}[1]", "true", id=f"{field}-bool-entry"),
            case([(p, -1)], p, "-1", id=f"{field}-negative-scalar"),
            case([(p, NAN)], p, "nan", id=f"{field}-nan-scalar"),
            case([(p, "4")], p, '"4"', id=f"{field}-string"),
            case([(p, {})], p, "{}", id=f"{field}-table"),
        ]
    out += [
        case([("links.3.orders", [4, 4])], "links.3.orders", "[4, 4]", id="source-orders-too-long"),
        case([("links.3.shipments", [4])], "links.3.shipments", "[4]", id="source-shipments-with-delay-0"),
        case([("links.0.order_delay", 3)], "links.0.orders", "[4, 4]", id="orders-after-longer-delay"),
        case([("links.0.returns", True)], "links.0.returns", "true", id="returns-between-firms"),
    ]
    return out


def price_schedule_cases():
    """``[[links]] price_schedule = [{weeks = [...], price = ...}, ...]``: a list of tables of distinct whole weeks."""
    out = []
    for i in (0, 3):
        p = f"links.{i}.price_schedule"
        e = f"{p}.0"
        out += [case([(p, v)], p, id=f"{p}-not-a-list={written(v)}") for v in [0.8, "4", True, {}]]
        out += [case([(p, [v])], e, written(v), id=f"{e}-not-a-table={written(v)}") for v in [0.8, "4", [4]]]
        out += [case([(p, [{"price": 1}])], f"{e}.weeks", None, "missing", id=f"{e}-no-weeks"),
                case([(p, [{"weeks": [4]}])], f"{e}.price", None, "missing", id=f"{e}-no-price"),
                case([(p, [{"weeks": [4], "price": 1, "wekes": [8]}])], f"{e}.wekes", None, "unknown field")]
        out += [case([(p, [{"weeks": v, "price": 1}])], f"{e}.weeks", written(v), id=f"{e}.weeks={written(v)}")
                for v in [4, [], "4", True, {}]]
        out += [case([(p, [{"weeks": [4, v], "price": 1}])], f"{e}.weeks[1]", written(v),
                     id=f"{e}.weeks[1]={written(v)}")
                for v in bad_int(1, 100_000)]
        out += [case([(p, [{"weeks": [4], "price": v}])], f"{e}.price", written(v), id=f"{e}.price={written(v)}")
                for v in bad_nonneg()]
        out += [case([(p, [{"weeks": [4, 8, 4], "price": 1}])], f"{e}.weeks[2]", "4", "once",
                     id=f"{e}-week-twice"),
                case([(p, [{"weeks": [4, 8], "price": 1}, {"weeks": [12, 8], "price": 2}])], f"{p}.1.weeks[1]",
                     "8", e, id=f"{p}-entries-overlap")]
    return out


STRUCTURE_CASES = [
    case([("links.0.customer", "wholesaler")], ("links.0.customer", "links.0.supplier"), '"wholesaler"',
         id="self-link"),
    case([("links.+", CLASSIC["links"][0])], "links.4", None, "links.0", id="duplicate-link"),
    case([("firms.extra", {"role": "retailer"})], "firms.extra", None, "supplier", id="firm-without-supplier"),
    case([("links.3", DELETE)], "firms.factory", None, "supplier", id="factory-without-supplier"),
    case([("firms.spare", {"role": "wholesaler"}), ("links.+", {"supplier": "source", "customer": "spare"})],
         "firms.spare", None, "customer", id="wholesaler-without-customer"),
    case([("links.+", {"supplier": "retailer", "customer": "distributor"})], "links", None, "cycle",
         id="cycle"),
    case([("firms.retailer.production", {"delay": 1})], "firms.retailer.production", None, id="production-on-retailer"),
    case([("firms.wholesaler.production", {"delay": 1})], "firms.wholesaler.production", None,
         id="production-on-wholesaler"),
    case([("firms.factory.demand", DEMANDS["constant"])], "firms.factory.demand", None, id="demand-on-manufacturer"),
    case([("firms.wholesaler.demand", DEMANDS["constant"])], "firms.wholesaler.demand", None,
         id="demand-on-wholesaler"),
    case([("firms.factory.policy", {"rule": "moving_average", "signal": "demand"})], "firms.factory.policy.signal",
         '"demand"', id="signal-demand-with-silo"),
    case([("firms.retailer.policy", {"rule": "smoothing", "signal": "demand"})], "firms.retailer.policy.signal",
         '"demand"', id="signal-demand-with-silo-smoothing"),
    case([("defaults.policy.signal", "demand")], ("firms.retailer.policy.signal", "defaults.policy.signal"),
         '"demand"', id="signal-demand-with-silo-sterman"),
    case([("firms.retailer.policy", {"rule": "gaming", "base": "sterman", "signal": "demand"})],
         "firms.retailer.policy.signal", '"demand"', id="signal-demand-with-silo-gaming"),
    case([("firms.retailer.policy", {"rule": "gaming", "base": "base_stock", "theta": 0.5})],
         "firms.retailer.policy.theta", None, "unknown field", id="gaming-with-a-parameter-its-base-lacks"),
    case([("links.+", {"supplier": "source", "customer": "distributor", "returns": True})], "links.2.returns",
         "false", id="returns-all-or-none"),
    case([("firms.1bad", {"role": "retailer"})], "firms.1bad", None, id="firm-id-starts-with-digit"),
    case([("firms.source", {"role": "retailer"})], "firms.source", None, id="firm-id-source"),
    case([("firms.market", {"role": "retailer"})], "firms.market", None, id="firm-id-market"),
    case([(("firms", "a b"), {"role": "retailer"})], "firms.a b", None, id="firm-id-with-space"),
    case([(("firms", "a.b"), {"role": "retailer"})], "firms.a.b", None, id="firm-id-with-dot"),
]

UNKNOWN_CASES = [
    case([("wekks", 36)], "wekks", None, "unknown field"),
    case([("demand.levle", 4)], "demand.levle", None, "unknown field"),
    case([("defaults.holding_cst", 1)], "defaults.holding_cst", None, "unknown field"),
    case([("defaults.role", "retailer")], "defaults.role", None, "unknown field"),
    case([("firms.retailer.invntory", 12)], "firms.retailer.invntory", None, "unknown field"),
    case([("firms.factory.production.dealy", 2)], "firms.factory.production.dealy", None, "unknown field"),
    case([("links.1.shiping_delay", 2)], "links.1.shiping_delay", None, "unknown field"),
    case([("links.3.retrns", True)], "links.3.retrns", None, "unknown field"),
]

ALLOCATION_RULES = ["proportional", "priority", "turn_and_earn", "uniform"]
ALLOCATION_CASES = [
    *(case([(p, v)], p) for p in ("allocation", "firms.wholesaler.allocation") for v in [5, True, [1]]),
    *(case([(p, {"rule": v})], f"{p}.rule", written(v)) for p in ("allocation", "firms.factory.allocation")
      for v in bad_choice(ALLOCATION_RULES)),
    *(case([(p, {"rule": "turn_and_earn", "weeks": v})], f"{p}.weeks", written(v)) for p in ("allocation",
      "firms.distributor.allocation") for v in bad_int(1, 52)),
    *(case([("allocation", {"rule": r, "weeks": 4})], "allocation.weeks", None, "turn_and_earn", id=f"weeks-with-{r}")
      for r in ("proportional", "priority", "uniform")),
    case([("allocation", {"weeks": 4})], "allocation.rule", None, "missing", id="allocation-without-rule"),
    case([("allocation", {"rule": "uniform", "wekes": 4})], "allocation.wekes", None, "unknown field"),
    case([("firms.wholesaler.allocation", "turn-and-earn")], "firms.wholesaler.allocation", '"turn-and-earn"'),
    case([("defaults.allocation", "uniform")], "defaults.allocation", None, "unknown field",
         id="allocation-in-defaults"),
]

VMI_CASES = [
    *(case([("links.0.vmi", v)], "links.0.vmi", written(v)) for v in [1, 0, "true", [1]]),
    case([("links.3.vmi", True)], "links.3.vmi", None, "source", id="vmi-from-the-source"),
    case([("links.+", {"supplier": "source", "customer": "retailer"}), ("links.0.vmi", True)], "links.0.vmi",
         None, "only supplier", id="vmi-on-a-customer-with-two-suppliers"),
    case([("links.0.vmi", {"level": -1})], "links.0.vmi.level", "-1"),
    case([("links.0.vmi", {"level": "high"})], "links.0.vmi.level", '"high"'),
    case([("links.0.vmi", {"rule": "sterman", "thета": 1})], "links.0.vmi.thета", None, "unknown field"),
    case([("links.0.vmi", {"rule": "bogus"})], "links.0.vmi.rule", '"bogus"'),
    case([("information", "pos"), ("links.0.vmi", {"rule": "smoothing", "signal": "demand"})],
         "links.0.vmi.signal", '"demand"', id="vmi-rule-on-pos-data"),
]

MISSING_CASES = [
    case([(f, DELETE)], f, None, "missing", id=f"no-{f}") for f in ("weeks", "firms", "links")
]

def money_cases():
    """Payment terms, credit, interest and the insolvency rule (chaingame/money.py)."""
    out = []
    for fid in ("retailer", "factory"):
        p = f"firms.{fid}"
        out += [case([(f"{p}.credit_limit", v)], f"{p}.credit_limit") for v in [-1, -0.5, "4", True, NAN, -INF, [1]]]
        out += [case([(f"{p}.{f}", v)], f"{p}.{f}") for f in ("interest_rate", "deposit_rate") for v in bad_unit()]
        out += [case([(f"{p}.insolvency", v)], f"{p}.insolvency") for v in bad_choice(["cap", "stop"])]
    for i in (0, 3):
        p = f"links.{i}"
        out += [case([(f"{p}.payment_delay", v)], f"{p}.payment_delay") for v in bad_int(0, 52)]
        pay = f"{p}.payments"
        out += [
            case([(f"{p}.payment_delay", 2), (pay, [4])], pay, "[4]", id=f"{pay}-too-short"),
            case([(f"{p}.payment_delay", 2), (pay, [4, 4, 4])], pay, "[4, 4, 4]", id=f"{pay}-too-long"),
            case([(pay, [4])], pay, "[4]", id=f"{pay}-without-a-delay"),
            case([(f"{p}.payment_delay", 2), (pay, [4, -1])], f"{pay}[1]", "-1", id=f"{pay}-negative-entry"),
            case([(f"{p}.payment_delay", 2), (pay, -1)], pay, "-1", id=f"{pay}-negative-scalar"),
            case([(f"{p}.payment_delay", 2), (pay, "4")], pay, '"4"', id=f"{pay}-string"),
        ]
    return out


ALL_CASES = (TOP_CASES + DEMAND_CASES + firm_cases() + POLICY_CASES + PRODUCTION_CASES + link_cases()
             + STRUCTURE_CASES + UNKNOWN_CASES + MISSING_CASES + ALLOCATION_CASES + VMI_CASES + money_cases())


@pytest.mark.parametrize(("edits", "path", "value", "word"), ALL_CASES)
def test_bad_field_is_named_with_its_value(edits, path, value, word):
    check_message(fails(classic(*edits)), path, value, word)


# --------------------------------------------------------------------------------------------------
# [defaults]: a bad default names the default it came from

DEFAULT_CASES = [
    ("inventory", -1, "-1"), ("cash", NAN, "nan"), ("holding_cost", -0.5, "-0.5"), ("backlog_cost", "1", '"1"'),
    ("lost_sales_cost", -1, "-1"), ("order_cost", INF, "inf"), ("price", -2, "-2"), ("unmet", "never", '"never"'),
    ("last_order", -4, "-4"), ("backlog", -1, "-1"), ("fixed_orders", [4, -4], "-4"),
    ("policy", {"rule": "sterman", "alpha_s": -0.2}, "-0.2"), ("policy", {"rule": "bogus"}, '"bogus"'),
    ("policy", {"rule": "sterman", "alpah_s": 0.2}, None),
    ("demand", {"process": "bogus"}, '"bogus"'),
    ("production", {"delay": -1}, "-1"),
    ("credit_limit", -1, "-1"), ("interest_rate", 2, "2"), ("deposit_rate", -0.1, "-0.1"),
    ("insolvency", "bust", '"bust"'),
]


@pytest.mark.parametrize(("field", "value", "text"), DEFAULT_CASES, ids=[f"defaults.{c[0]}-{i}"
                                                                          for i, c in enumerate(DEFAULT_CASES)])
def test_bad_default_names_the_default(field, value, text):
    msg = str(fails(classic(("defaults", {**CLASSIC["defaults"], field: value}))))
    assert "\n" not in msg
    assert f"defaults.{field}" in msg, f"a bad default is not named as defaults.{field}: {msg!r}"
    if text is not None:
        assert text in msg


def test_a_retailer_only_default_applies_to_the_retailers_only():
    """``[defaults] demand`` and ``backlog`` (fields only a retailer may have) are applied to every
    retailer and ignored for the other roles (scenario.py, ``_firm``: a default that does not fit a
    role is not inherited), and they take effect in the run: the retailer faces the default's demand
    (not the scenario's top-level [demand]) and starts owing the default backlog."""
    sc = from_table(classic(("defaults.demand", {"process": "constant", "level": 5}), ("defaults.backlog", 2)))
    assert [f.demand for f in sc.firms] == [dem.Constant(level=5), None, None, None]
    assert [f.backlog for f in sc.firms] == [2, 0, 0, 0]
    h = chaingame.ChainModel(sc, weeks=6).run().history()
    r = h[h.firm == "retailer"]
    assert (r.customer_demand == 5).all() and (r.incoming_order == 5).all()
    assert r.shipped.iloc[0] == 5 + 2  # week 1: this week's demand and the backlog it started with


def test_a_producer_only_default_applies_to_producers_without_their_own():
    """``[defaults] production`` is inherited by producers that have no production table of their
    own, never by other roles; a producer's own table replaces it whole."""
    own = from_table(classic(("defaults.production", {"delay": 1, "wip": [4]})))
    assert [f.production is None for f in own.firms] == [True, True, True, False]
    assert own.firm("factory").production == load_scenario("classic").firm("factory").production  # its own: delay 2
    raw = classic(("defaults.production", {"delay": 1, "wip": [4]}))
    del raw["firms"]["factory"]["production"]
    inherited = from_table(raw)
    assert [f.production is None for f in inherited.firms] == [True, True, True, False]
    prod = inherited.firm("factory").production
    assert (prod.delay, prod.wip) == (1, (4.0,))
    assert inherited.lead_time("factory") == 1 + 0 + 1  # request delay + no shipping + its delay of 1


# --------------------------------------------------------------------------------------------------
# one line, always (values and keys with line breaks)

NEWLINE_CASES = [
    ([("information", "si\nlo")], "information"),
    ([("firms.retailer.unmet", "lo\nst")], "firms.retailer.unmet"),
    ([("firms.factory.role", "manu\nfacturer")], "firms.factory.role"),
    ([("links.0.supplier", "whole\nsaler")], "links.0.supplier"),
    ([("demand.process", "con\nstant")], "demand.process"),
    ([("firms.factory.policy", {"rule": "ster\nman"})], "firms.factory.policy.rule"),
    ([("whole_units", "tr\nue")], "whole_units"),
    ([(("we\neks",), 36)], "we"),
    ([(("firms", "retailer", "in\nventory"), 12)], "firms.retailer.in"),
    ([(("firms", "a\nb"), {"role": "retailer"})], "firms.a"),
]


@pytest.mark.parametrize(("edits", "start"), NEWLINE_CASES, ids=[c[1] for c in NEWLINE_CASES])
def test_message_is_one_line_even_with_line_breaks_in_the_input(edits, start):
    msg = str(fails(classic(*edits)))
    assert msg.startswith(start)
    assert "\n" not in msg and "\r" not in msg, f"message is not one line: {msg!r}"


# --------------------------------------------------------------------------------------------------
# Python-built tables (numbers from numpy, odd keys)


def test_numpy_floats_are_numbers():
    sc = from_table(classic(("firms.factory.inventory", np.float64(10.0)),
                            ("firms.factory.policy", {"rule": "sterman", "alpha_s": np.float64(0.5)})))
    assert sc.firm("factory").inventory == 10 and sc.firm("factory").policy.alpha_s == 0.5


def test_numpy_integers_are_whole_numbers():
    sc = from_table(classic(("weeks", np.int64(20)), ("seed", np.int64(3)), ("links.0.order_delay", np.int32(2))))
    assert sc.weeks == 20 and sc.seed == 3 and sc.links[0].order_delay == 2


def test_numpy_bad_number_is_named():
    check_message(fails(classic(("firms.factory.inventory", np.float64(-3.0)))), "firms.factory.inventory", "-3.0")


def test_non_table_scenario():
    for raw in ([], 5, "classic", None):
        with pytest.raises(ScenarioError) as info:
            from_table(raw)
        assert "\n" not in str(info.value)


def test_non_string_firm_id():
    raw = classic()
    raw["firms"][1] = {"role": "retailer"}
    err = fails(raw)
    assert str(err).startswith("firms.1"), str(err)


def test_from_table_keeps_its_own_copy():
    raw = classic()
    sc = from_table(raw)
    raw["weeks"] = 5
    raw["firms"]["retailer"]["inventory"] = 99
    assert sc.table["weeks"] == 36 and "inventory" not in sc.table["firms"]["retailer"]
    assert sc.with_values({}).firm("retailer").inventory == 12


# --------------------------------------------------------------------------------------------------
# good edge values are accepted

GOOD_CASES = [
    ([], lambda sc: sc.weeks == 36 and sc.links[3].shipping_delay == 0),
    ([("links.3.shipping_delay", 0)], lambda sc: sc.links[3].shipping_delay == 0),
    ([("links.3.shipping_delay", DELETE)], lambda sc: sc.links[3].shipping_delay == 0),
    ([("links.3.shipping_delay", 1), ("links.3.shipments", [4])], lambda sc: sc.links[3].shipments == (4.0,)),
    ([("links.0.shipping_delay", 52), ("links.0.shipments", 0)], lambda sc: len(sc.links[0].shipments) == 52),
    ([("links.0.order_delay", 1), ("links.0.orders", [4])], lambda sc: sc.links[0].orders == (4.0,)),
    ([("links.0.orders", 4)], lambda sc: sc.links[0].orders == (4.0, 4.0)),
    ([("firms.factory.production.capacity", INF)], lambda sc: math.isinf(sc.firm("factory").production.capacity)),
    ([("firms.factory.production.capacity", 0)], lambda sc: sc.firm("factory").production.capacity == 0),
    ([("firms.factory.production.capacity", 10), ("firms.factory.production.capacity_cost", 0.4)],
     lambda sc: sc.firm("factory").production.capacity_cost == 0.4),
    ([("firms.factory.production", {"delay": 0})], lambda sc: sc.firm("factory").production.wip == ()),
    ([("firms.factory.production", {"delay": 0, "wip": []})], lambda sc: sc.firm("factory").production.delay == 0),
    ([("firms.factory.production.wip", 4)], lambda sc: sc.firm("factory").production.wip == (4.0, 4.0)),
    ([("firms.factory.production.capacity_delay", 52)], lambda sc: sc.firm("factory").production.capacity_delay == 52),
    ([("firms.factory.production.policy", {"rule": "track", "theta": 1, "margin": 0, "backlog_weeks": 0.5})],
     lambda sc: sc.firm("factory").production.policy.theta == 1),
    ([("firms.factory.role", "supplier")], lambda sc: sc.firm("factory").role == "supplier"),
    ([("firms.wholesaler.backlog", 0)], lambda sc: sc.firm("wholesaler").backlog == 0),
    ([("firms.retailer.backlog", 3)], lambda sc: sc.firm("retailer").backlog == 3),
    ([("firms.retailer.cash", -100)], lambda sc: sc.firm("retailer").cash == -100),
    ([("firms.retailer.fixed_orders", [])], lambda sc: sc.firm("retailer").fixed_orders == ()),
    ([("firms.retailer.fixed_orders", [4] * 36)], lambda sc: len(sc.firm("retailer").fixed_orders) == 36),
    ([("firms.retailer.unmet", "lost")], lambda sc: sc.firm("retailer").unmet == "lost"),
    ([("information", "pos"), ("firms.factory.policy", {"rule": "moving_average", "signal": "demand"})],
     lambda sc: sc.firm("factory").policy.signal == "demand"),
    ([("information", "full"), ("firms.factory.policy", {"rule": "smoothing", "alpha": 1, "signal": "demand"})],
     lambda sc: sc.firm("factory").policy.alpha == 1),
    ([("firms.factory.policy", {"rule": "sterman", "theta": 0, "alpha_s": 1, "beta": 1, "s_prime": 0,
                                "expected": 0})], lambda sc: sc.firm("factory").policy.alpha_s == 1),
    ([("firms.factory.policy", {"rule": "base_stock", "level": 0})], lambda sc: sc.firm("factory").policy.level == 0),
    ([("firms.factory.policy", {"rule": "moving_average", "p": 1, "lead_time": 0, "z": 0})],
     lambda sc: sc.firm("factory").policy.p == 1),
    ([("firms.factory.policy", {"rule": "pass_through"})], lambda sc: sc.firm("factory").policy.name == "pass_through"),
    ([("information", "pos"), ("defaults.policy.signal", "demand")],
     lambda sc: {f.policy.signal for f in sc.firms} == {"demand"} and sc.firm("factory").policy.theta == 0.36),
    ([("defaults.policy.signal", "orders")], lambda sc: sc.firm("factory").policy == pol.Sterman(0.36, 0.26, 0.34, 17)),
    ([("firms.retailer.policy", {"rule": "gaming"})],
     lambda sc: sc.firm("retailer").policy == pol.Gaming(base=pol.Sterman(), max_inflation=3)),
    ([("information", "pos"), ("firms.retailer.policy", {"rule": "gaming", "base": "sterman", "theta": 0,
                                                          "signal": "demand", "max_inflation": 1})],
     lambda sc: sc.firm("retailer").policy == pol.Gaming(base=pol.Sterman(theta=0, signal="demand"), max_inflation=1)),
    ([("firms.retailer.policy", {"rule": "gaming", "base": "moving_average", "p": 2})],
     lambda sc: sc.firm("retailer").policy.base.lead_time == 4),  # the firm's lead time reaches the base rule
    ([("allocation", "priority"), ("links.0.priority", 1000)], lambda sc: sc.links[0].priority == 1000),
    *(([("allocation", r)], lambda sc, r=r: sc.allocation.rule == r and sc.firm("factory").allocation.rule == r)
      for r in ALLOCATION_RULES),
    ([("allocation", "turn_and_earn")], lambda sc: sc.firm("wholesaler").allocation.weeks == 4),
    ([("allocation", {"rule": "turn_and_earn", "weeks": 52})], lambda sc: sc.network().turn_weeks.max() == 52),
    ([("allocation", {"rule": "uniform"}), ("firms.wholesaler.allocation", {"rule": "turn_and_earn", "weeks": 1})],
     lambda sc: sc.network().allocation == ("uniform", "turn_and_earn", "uniform", "uniform")),
    ([("links.0.vmi", True)], lambda sc: sc.links[0].vmi.level == 28 and sc.network().vmi.tolist()[:4] ==
     [True, False, False, False]),
    ([("links.0.vmi", False)], lambda sc: sc.links[0].vmi is None),
    ([("links.0.vmi", {"level": 0})], lambda sc: sc.links[0].vmi.level == 0),
    ([("links.2.vmi", {"rule": "sterman", "beta": 1})], lambda sc: sc.links[2].vmi.beta == 1),
    ([("links.0.price", 0), ("links.0.share", 0.5), ("links.0.backlog", 3)], lambda sc: sc.links[0].price == 0),
    ([("links.3.returns", True)], lambda sc: sc.links[3].returns),
    ([("links.0.price_schedule", [])],
     lambda sc: sc.links[0].price_schedule == () and sc.network().order_price is None),
    ([("links.0.price_schedule", [{"weeks": [4, 8.0], "price": 0}, {"weeks": [1, 100_000], "price": 2.5}])],
     lambda sc: [c.weeks for c in sc.links[0].price_schedule] == [(4, 8), (1, 100_000)]),
    ([("links.3.price_schedule", [{"weeks": [37], "price": 1}])],  # past the horizon: never comes
     lambda sc: (sc.network().order_price[3, 1:37] == 0).all()),
    ([("firms.retailer.policy", {"rule": "forward_buy", "mean": 0, "fraction": 0, "holding_cost": 0, "level": 0,
                                 "horizon": 13})], lambda sc: sc.firm("retailer").policy.horizon == 13),
    ([("firms.retailer.holding_cost", 2), ("firms.retailer.policy", {"rule": "forward_buy", "mean": 4})],
     lambda sc: sc.firm("retailer").policy.holding_cost == 2),
    ([("seed", 0)], lambda sc: sc.seed == 0),
    ([("seed", 2**63 - 1)], lambda sc: sc.seed == 2**63 - 1),
    ([("weeks", 100_000)], lambda sc: sc.weeks == 100_000),
    ([("weeks", 36.0)], lambda sc: sc.weeks == 36 and isinstance(sc.weeks, int)),
    ([("whole_units", False)], lambda sc: sc.whole_units is False),
    ([("name", ""), ("title", "t"), ("description", "line 1\nline 2")], lambda sc: sc.description.count("\n") == 1),
    ([("demand", {"process": "step", "initial": 0, "final": 0, "week": 36})], lambda sc: sc.demand.week == 36),
    ([("demand", {"process": "step", "initial": 4, "final": 8, "week": 1})], lambda sc: sc.demand.week == 1),
    ([("demand", {"process": "uniform", "low": 3, "high": 3})], lambda sc: sc.demand.average == 3),
    ([("demand", {"process": "ar1", "mean": 8, "rho": -0.999})], lambda sc: sc.demand.rho == -0.999),
    ([("demand", {"process": "ar1", "mean": 8, "rho": 0.999, "sd": 0})], lambda sc: sc.demand.rho == 0.999),
    ([("demand", {"process": "trace", "values": [0] * 40})], lambda sc: len(sc.demand.values) == 40),
    ([("demand", {"process": "seasonal", "mean": 8, "period": 1})], lambda sc: sc.demand.period == 1),
    ([("demand", DELETE)], lambda sc: sc.demand.average == 4),
    *(([("demand", d)], lambda sc, k=k: sc.demand.kind == k) for k, d in DEMANDS.items()),
    *(([("firms.retailer.demand", d)], lambda sc, k=k: sc.firm("retailer").demand.kind == k)
      for k, d in DEMANDS.items()),
    ([(("firms", "shop_1-a"), {"role": "retailer"}),
      ("links.+", {"supplier": "wholesaler", "customer": "shop_1-a", "order_delay": 2, "shipping_delay": 2})],
     lambda sc: "shop_1-a" in sc.firm_ids),
]


@pytest.mark.parametrize(("edits", "ok"), GOOD_CASES, ids=[f"good-{i}" for i in range(len(GOOD_CASES))])
def test_good_edge_values_are_accepted(edits, ok):
    assert ok(from_table(classic(*edits)))


# --------------------------------------------------------------------------------------------------
# files


def load_fails(source):
    with pytest.raises(ScenarioError) as info:
        load_scenario(source)
    msg = str(info.value)
    assert "\n" not in msg and "\r" not in msg, f"message is not one line: {msg!r}"
    return msg


def test_bundled_scenario_loads_by_name():
    sc = load_scenario("classic")
    assert sc.name == "classic" and sc.weeks == 36 and sc.firm_ids == ("retailer", "wholesaler", "distributor",
                                                                        "factory")


def test_a_file_loads_and_takes_its_name(tmp_path):
    p = tmp_path / "mine.toml"
    p.write_text((ROOT / "scenarios" / "classic.toml").read_text(encoding="utf-8"), encoding="utf-8")
    assert load_scenario(p).name == "mine"
    assert load_scenario(str(p)).name == "mine"


def test_a_bundled_name_is_not_hidden_by_a_folder_or_file_of_that_name(tmp_path, monkeypatch):
    """``chaingame run classic --out classic`` leaves a folder ``classic``: the name still means the
    bundled scenario; ``./classic`` is the path."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "classic").mkdir()
    assert load_scenario("classic") == load_scenario(ROOT / "scenarios" / "classic.toml")
    assert "is a folder" in load_fails("./classic")
    (tmp_path / "stochastic").write_text("weeks = 3\n", encoding="utf-8")
    assert load_scenario("stochastic").weeks == 48
    assert "stochastic" in load_fails("./stochastic")  # that file is not a whole scenario


def test_a_bundled_scenario_is_read_once_and_again_when_its_file_changes(tmp_path, monkeypatch):
    """Loading a bundled name twice gives the same (immutable) Scenario, until its file or the folder changes."""
    from chaingame import scenario

    monkeypatch.setattr(scenario, "bundled_dir", lambda: tmp_path)
    text = (ROOT / "scenarios" / "classic.toml").read_text(encoding="utf-8")
    p = tmp_path / "mine.toml"
    p.write_text(text, encoding="utf-8")
    first = load_scenario("mine")
    assert load_scenario("mine") is first and first.weeks == 36
    p.write_text(text.replace("weeks = 36", "weeks = 9"), encoding="utf-8")
    assert load_scenario("mine").weeks == 9
    (tmp_path / "other.toml").write_text(text, encoding="utf-8")
    assert load_scenario("other").name == "other"
    p.write_text("weeks = [", encoding="utf-8")  # a broken file is an error every time, never a cached scenario
    for _ in range(2):
        assert "mine" in load_fails("mine")


def test_unknown_bundled_name_lists_the_bundled_names():
    msg = load_fails("clasic")
    assert '"clasic"' in msg
    for name in sorted(p.stem for p in (ROOT / "scenarios").glob("*.toml")):
        assert name in msg


def test_missing_file(tmp_path):
    assert "nope.toml" in load_fails(tmp_path / "nope.toml")
    deep = tmp_path.joinpath(*["a-long-folder-name"] * 12) / "nope.toml"  # a long path keeps its file's name
    assert "nope.toml" in load_fails(deep)


def test_directory(tmp_path):
    d = tmp_path / "scen.toml"
    d.mkdir()
    assert "scen.toml" in load_fails(d)


@pytest.mark.parametrize("content", [bytes(range(256)) * 4, b"\xff\xfe w\x00e\x00e\x00k\x00s\x00",
                                     b"weeks = 36\ntitle = \"caf\xe9\"\n"], ids=["binary", "utf16", "latin1"])
def test_binary_or_non_utf8_file(tmp_path, content):
    p = tmp_path / "blob.toml"
    p.write_bytes(content)
    assert "blob.toml" in load_fails(p)


@pytest.mark.parametrize("content", ["weeks = = 3\n", "[firms\n", "weeks = 36\nweeks = 37\n", "x = [1, 2\n",
                                     "weeks = 36\x00\n", '\ufeffweeks = 36\n'],
                         ids=["double-equals", "open-header", "duplicate-key", "open-array", "nul", "bom"])
def test_invalid_toml(tmp_path, content):
    p = tmp_path / "broken.toml"
    p.write_text(content, encoding="utf-8")
    msg = load_fails(p)
    assert "broken.toml" in msg and "TOML" in msg


@pytest.mark.parametrize("content", ["", "   \n\n", "# only a comment\n"], ids=["empty", "blank", "comment"])
def test_empty_file_names_the_file(tmp_path, content):
    p = tmp_path / "empty.toml"
    p.write_text(content, encoding="utf-8")
    assert "empty.toml" in load_fails(p)


@pytest.mark.parametrize("content", ['[tool.poetry]\nname = "x"\n', '[project]\nname = "x"\nversion = "1"\n',
                                     "a = 1\nb = [1, 2]\n"], ids=["pyproject-poetry", "pyproject", "other"])
def test_valid_toml_that_is_not_a_scenario_names_the_file(tmp_path, content):
    p = tmp_path / "other.toml"
    p.write_text(content, encoding="utf-8")
    assert "other.toml" in load_fails(p)


def test_huge_integer_in_file(tmp_path):
    """A 401-digit ``weeks`` in a file: one line naming the field and the file it was read from."""
    p = tmp_path / "huge.toml"
    p.write_text(tomllib_free_classic(weeks="1" + "0" * 400), encoding="utf-8")
    msg = load_fails(p)
    assert re.search(r"\bweeks\b", msg), msg
    assert "huge.toml" in msg, f"the file is not named: {msg!r}"
    assert len(msg) < 300, msg


def test_integer_beyond_python_digit_limit_in_file(tmp_path):
    p = tmp_path / "digits.toml"
    p.write_text(tomllib_free_classic(weeks="1" + "0" * 5000), encoding="utf-8")
    assert "digits.toml" in load_fails(p)


def test_deeply_nested_file(tmp_path):
    p = tmp_path / "deep.toml"
    p.write_text("x = " + "[" * 50_000 + "\n", encoding="utf-8")
    assert "deep.toml" in load_fails(p)


def tomllib_free_classic(**replace):
    """The classic file's text with top-level ``key = value`` lines replaced verbatim."""
    text = (ROOT / "scenarios" / "classic.toml").read_text(encoding="utf-8")
    for key, value in replace.items():
        text = re.sub(rf"(?m)^{key} = .*$", f"{key} = {value}", text)
    return text


def test_field_error_in_a_file_names_the_field(tmp_path):
    p = tmp_path / "bad.toml"
    p.write_text(tomllib_free_classic(weeks="-3"), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(p)
    check_message(info.value, "weeks", "-3")


@pytest.mark.parametrize("source", [None, 42, 3.5, b"classic", ["classic"]], ids=["None", "int", "float", "bytes",
                                                                                  "list"])
def test_source_of_the_wrong_type(source):
    load_fails(source)


@pytest.mark.parametrize("target", ["/proc/self/mem", "/proc/self/clear_refs"])
def test_unreadable_file(tmp_path, target):
    """A file that exists but whose reading fails, for root too (CI runs as root, and root reads a
    chmod 0 file): ``secret.toml`` links to a Linux /proc file whose read() errors, /proc/self/mem
    (EIO: address 0 is not mapped) or the write-only /proc/self/clear_refs (EINVAL)."""
    p = tmp_path / "secret.toml"
    p.symlink_to(target)
    with pytest.raises(OSError):  # the premise: reading it fails, whoever runs the test
        p.read_bytes()
    msg = load_fails(p)
    assert msg.startswith(f"{p}: cannot be read"), msg


# --------------------------------------------------------------------------------------------------
# Scenario.with_values


@pytest.fixture(scope="module")
def sc():
    return load_scenario("classic")


def test_with_values_sets_fields_by_dotted_path(sc):
    before = copy.deepcopy(dict(sc.table))
    new = sc.with_values({"firms.retailer.policy.beta": 1, "links.*.shipping_delay": 2, "links.0.price": 3,
                          "firms.factory.production.capacity": 20, "weeks": 40})
    assert new.firm("retailer").policy.beta == 1
    assert new.firm("retailer").policy.alpha_s == sc.firm("retailer").policy.alpha_s  # the rest of the default
    assert new.firm("wholesaler").policy == sc.firm("wholesaler").policy
    assert [k.shipping_delay for k in new.links] == [2, 2, 2, 2]
    assert new.links[0].price == 3 and new.links[1].price == sc.links[1].price
    assert new.firm("factory").production.capacity == 20
    assert new.weeks == 40
    # nothing already stored is lost
    assert (new.name, new.title, new.description, new.seed) == (sc.name, sc.title, sc.description, sc.seed)
    assert new.firm("factory").production.wip == sc.firm("factory").production.wip
    assert new.links[0].orders == sc.links[0].orders and new.links[3].orders == sc.links[3].orders
    # the original is unchanged
    assert dict(sc.table) == before
    assert sc.firm("retailer").policy.beta == 0.34 and sc.weeks == 36
    assert [k.shipping_delay for k in sc.links] == [2, 2, 2, 0]
    assert sc.links[0].price == 0 and math.isinf(sc.firm("factory").production.capacity)


def test_with_values_of_nothing_is_the_same_scenario(sc):
    assert sc.with_values({}) == sc
    assert load_scenario(sc) is sc


def test_with_values_chains_keep_earlier_overrides(sc):
    a = sc.with_values({"firms.retailer.policy.beta": 1})
    b = a.with_values({"firms.retailer.policy.theta": 0.5})
    c = b.with_values({"weeks": 20})
    assert (c.firm("retailer").policy.beta, c.firm("retailer").policy.theta, c.weeks) == (1, 0.5, 20)
    assert a.firm("retailer").policy.theta == 0.36 and b.weeks == 36
    assert c.name == "classic"


def test_with_values_copies_the_values_it_is_given(sc):
    orders = [5, 5, 5, 5]
    new = sc.with_values({"firms.retailer.fixed_orders": orders, "firms.factory.policy": {"rule": "base_stock",
                                                                                         "level": 20}})
    orders.append(9)
    assert new.firm("retailer").fixed_orders == (5, 5, 5, 5)
    assert new.with_values({}).firm("retailer").fixed_orders == (5, 5, 5, 5)
    assert new.firm("factory").policy == pol.BaseStock(level=20)


def test_with_values_whole_tables(sc):
    new = sc.with_values({"demand": {"process": "normal", "mean": 8, "sd": 2}, "links.3.shipping_delay": 1,
                          "links.3.shipments": [4]})
    assert new.demand.kind == "normal" and new.links[3].shipments == (4.0,)


@pytest.mark.parametrize(("values", "path", "value", "word"), [
    ({"firms.retailr.policy.beta": 1}, "firms.retailr", None, "retailer"),
    ({"firms.retailr.inventory": 1}, "firms.retailr", None, "retailer"),
    ({"links.9.price": 1}, "links.9", None, "allowed"),
    ({"links.4.price": 1}, "links.4", None, "allowed"),
    ({"links.-1.price": 1}, "links.-1", None, "allowed"),
    ({"links.x.price": 1}, "links.x", None, "allowed"),
    ({"links.0.priec": 1}, "links.0.priec", None, "unknown field"),
    ({"weeks.max": 1}, "weeks", "36", None),
    ({"firms.retailer.policy.bta": 1}, "firms.retailer.policy.bta", None, "unknown field"),
    ({"firms.retailer.policy.beta": 2}, "firms.retailer.policy.beta", "2", "allowed"),
    ({"links.*.shipping_delay": 0}, "links.0.shipping_delay", "0", "allowed"),
    ({"links.*.shipping_delay": 1, "links.0.shipments": [4, 4]}, "links.0.shipments", "[4, 4]", "allowed"),
    ({"links.0.shipments": [4, 4], "links.*.shipping_delay": 1}, "links.0.shipments", "[4, 4]", "allowed"),
    ({"firms.factory.production.delay": 3, "firms.factory.production.wip": [4, 4]}, "firms.factory.production.wip",
     "[4, 4]", "allowed"),
    ({"links.0": {"supplier": "wholesaler", "customer": "retailer", "shipping_delay": 2, "shipments": [4, 4]},
      "links.0.shipping_delay": 3}, "links.0.shipments", "[4, 4]", "allowed"),  # a whole link set: kept
    ({"links.*.shipping_delay": 53}, "links.0.shipping_delay", "53", "allowed"),
    ({"firms.retailer.policy.rule": "base_stock", "firms.retailer.policy.theta": 0.5},
     "firms.retailer.policy.theta", None, "unknown field"),
    ({"firms.retailer.policy.rule": "base_stok"}, "firms.retailer.policy.rule", "base_stok", "allowed"),
    ({"firms.retailer.policy.rule": "ar1"}, "firms.retailer.policy.rho", None, "missing"),
    ({"wekks": 3}, "wekks", None, "unknown field"),
    ({"demand.week": 0}, "demand.week", "0", "allowed"),
    ({"a..b": 1}, "a..b", None, None),
], ids=lambda v: str(v) if isinstance(v, str) else None)
def test_with_values_bad_path_or_value(sc, values, path, value, word):
    before = copy.deepcopy(dict(sc.table))
    with pytest.raises(ScenarioError) as info:
        sc.with_values(values)
    check_message(info.value, path, value, word)
    assert dict(sc.table) == before
    assert sc == load_scenario("classic")


def test_a_short_run_keeps_a_later_step(sc):
    """weeks below the demand step's week: the step simply never comes (the run is a prefix of the long one)."""
    short = sc.with_values({"weeks": 3})
    m = chaingame.ChainModel(short).run()
    h = m.history()
    assert short.weeks == 3 and h.week.max() == 3
    assert (h[h.firm == "retailer"].customer_demand == 4).all()
    long = chaingame.ChainModel(sc).run().history()
    pd.testing.assert_frame_equal(h, long[long.week <= 3].reset_index(drop=True))


def test_a_changed_delay_resizes_its_pipeline(sc):
    """Shortened, a pipeline keeps the weeks nearest arrival; lengthened, it repeats the week furthest
    out; one number or a missing pipeline is left as it is, but goods start to be in transit at the
    link's order flow where the shipping delay was 0 (docs/scenarios.md)."""
    short = sc.with_values({"links.*.shipping_delay": 1})
    assert [k.shipping_delay for k in short.links] == [1, 1, 1, 1]
    assert [k.shipments for k in short.links] == [(4.0,)] * 4  # the source's: its order flow
    assert [k.orders for k in short.links] == [k.orders for k in sc.links]
    long = sc.with_values({"links.*.order_delay": 3, "firms.factory.production.delay": 4})
    assert [k.orders for k in long.links] == [(4.0,) * 3] * 4
    assert long.firm("factory").production.wip == (4.0,) * 4
    uneven = sc.with_values({"links.0.shipments": [2, 6], "links.0.orders": 5, "links.1.shipments": 3,
                             "links.3.orders": [7], "firms.factory.production": {"delay": 0, "wip": []}})
    assert uneven.with_values({"links.0.shipping_delay": 1}).links[0].shipments == (2.0,)
    assert uneven.with_values({"links.0.shipping_delay": 3}).links[0].shipments == (2.0, 6.0, 6.0)
    assert uneven.with_values({"links.0.order_delay": 3}).links[0].orders == (5.0,) * 3  # one number: every week
    assert uneven.with_values({"links.1.shipping_delay": 3}).links[1].shipments == (3.0,) * 3
    assert uneven.with_values({"links.3.shipping_delay": 2}).links[3].shipments == (7.0, 7.0)  # the order flow
    assert uneven.with_values({"firms.factory.production.delay": 2}).firm("factory").production.wip == (0.0, 0.0)
    assert sc.with_values({"links.0.shipping_delay": 2, "links.1.order_delay": 2}) == sc  # the same delays
    missing = sc.with_values({"links.0": {"supplier": "wholesaler", "customer": "retailer"}})  # delays of 1, 0s
    assert missing.with_values({"links.0.shipping_delay": 3}).links[0].shipments == (0.0,) * 3


def test_a_pipeline_set_in_the_same_call_is_kept(sc):
    new = sc.with_values({"links.*.shipping_delay": 1, "links.0.shipments": [3]})
    assert [k.shipments for k in new.links] == [(3.0,), (4.0,), (4.0,), (4.0,)]
    assert sc.with_values({"links.0.shipments": [3], "links.*.shipping_delay": 1}) == new  # in either order
    assert sc.with_values({"links.1.shipments.0": 9}).links[1].shipments == (9.0, 4.0)
    with pytest.raises(ScenarioError, match=r"^links\.1\.shipments: \[9, 4\] has 2 values"):
        sc.with_values({"links.1.shipments.0": 9, "links.1.shipping_delay": 1})  # an entry set: kept too


def test_a_defaults_pipeline_follows_its_delay():
    raw = copy.deepcopy(CLASSIC)
    raw["defaults"]["production"] = raw["firms"]["factory"].pop("production")
    sc = from_table(raw)
    assert sc.with_values({"defaults.production.delay": 1}).firm("factory").production.wip == (4.0,)
    own = sc.with_values({"firms.factory.production.delay": 3})  # inherited, then the firm's own
    assert own.firm("factory").production.wip == (4.0,) * 3 and own.table["defaults"]["production"]["delay"] == 2


def test_a_resized_pipeline_keeps_the_steady_state(sc):
    """Classic is in steady state until the demand step in week 5 (4 cases/week everywhere, 12 on hand):
    with every delay changed, the source's shipping delay too, the resized pipelines keep it so."""
    for weeks in (1, 3):
        new = sc.with_values({"links.*.order_delay": weeks, "links.*.shipping_delay": weeks,
                              "firms.factory.production.delay": weeks})
        assert new.links[3].shipping_delay == weeks
        h = chaingame.ChainModel(new).run().history()
        calm = h[h.week <= 4]
        assert (calm.inventory == 12).all() and (calm.backlog == 0).all(), weeks
        assert (calm.received == 4).all() and (calm.incoming_order == 4).all(), weeks


def test_a_new_rule_drops_the_old_rule_s_parameters(sc):
    new = sc.with_values({"firms.retailer.policy.rule": "base_stock", "firms.retailer.policy.level": 20})
    assert new.firm("retailer").policy == pol.BaseStock(level=20)
    assert new.firm("wholesaler").policy == sc.firm("wholesaler").policy
    assert new.table["firms"]["retailer"]["policy"] == {"rule": "base_stock", "level": 20}
    assert new.table["defaults"]["policy"] == sc.table["defaults"]["policy"]
    every = sc.with_values({"defaults.policy.rule": "smoothing", "defaults.policy.alpha": 0.5})
    for f in every.firms:
        assert f.policy == pol.SmoothingOrderUpTo(alpha=0.5, lead_time=every.lead_time(f.id)), f.id
    same = sc.with_values({"firms.retailer.policy.rule": "sterman"})  # the same rule keeps its parameters
    assert same.firm("retailer").policy == sc.firm("retailer").policy
    whole = sc.with_values({"firms.retailer.policy": {"rule": "base_stock", "level": 9},
                            "firms.retailer.policy.rule": "base_stock"})
    assert whole.firm("retailer").policy == pol.BaseStock(level=9)


def test_a_new_capacity_rule_drops_the_old_rule_s_parameters():
    sc = load_scenario("capacity")
    new = sc.with_values({"firms.manufacturer.production.policy.rule": "fixed"})
    assert new.firm("manufacturer").production.policy == pol.FixedCapacity()
    assert new.firm("manufacturer").production.capacity == sc.firm("manufacturer").production.capacity


@pytest.mark.parametrize("values", [{"": 1}, {".weeks": 1}, {"weeks.": 1}, {1: 2}],
                         ids=["empty", "leading-dot", "trailing-dot", "int"])
def test_with_values_malformed_path(sc, values):
    with pytest.raises(ScenarioError) as info:
        sc.with_values(values)
    assert "\n" not in str(info.value)


# --------------------------------------------------------------------------------------------------
# Python constructors of rules and demand processes


CONSTRUCTOR_CASES = [
    ("Sterman(alpha_s=-0.2)", lambda: pol.Sterman(alpha_s=-0.2), "alpha_s", "-0.2"),
    ("Sterman(theta=1.5)", lambda: pol.Sterman(theta=1.5), "theta", "1.5"),
    ('Sterman(beta="x")', lambda: pol.Sterman(beta="x"), "beta", '"x"'),
    ("Sterman(beta=NAN)", lambda: pol.Sterman(beta=NAN), "beta", "nan"),
    ("Sterman(s_prime=-1)", lambda: pol.Sterman(s_prime=-1), "s_prime", "-1"),
    ("Sterman(s_prime=INF)", lambda: pol.Sterman(s_prime=INF), "s_prime", "inf"),
    ("Sterman(expected=-4)", lambda: pol.Sterman(expected=-4), "expected", "-4"),
    ("Sterman(0.36, 0.26, 0.34, True)", lambda: pol.Sterman(0.36, 0.26, 0.34, True), "s_prime", "true"),
    ('Sterman(signal="pos")', lambda: pol.Sterman(signal="pos"), "signal", '"pos"'),
    ("Gaming(max_inflation=0.5)", lambda: pol.Gaming(max_inflation=0.5), "max_inflation", "0.5"),
    ("Gaming(max_inflation=NAN)", lambda: pol.Gaming(max_inflation=NAN), "max_inflation", "nan"),
    ('Gaming(base="sterman")', lambda: pol.Gaming(base="sterman"), "base", '"sterman"'),
    ("Gaming(base=Gaming())", lambda: pol.Gaming(base=pol.Gaming()), "base", "Gaming("),
    ("Gaming(base=TrackDemand())", lambda: pol.Gaming(base=pol.TrackDemand()), "base", "TrackDemand("),
    ("BaseStock(level=-1)", lambda: pol.BaseStock(level=-1), "level", "-1"),
    ('BaseStock(level="20")', lambda: pol.BaseStock(level="20"), "level", '"20"'),
    ("MovingAverageOrderUpTo(p=0)", lambda: pol.MovingAverageOrderUpTo(p=0), "p", "0"),
    ("MovingAverageOrderUpTo(p=2.5)", lambda: pol.MovingAverageOrderUpTo(p=2.5), "p", "2.5"),
    ("MovingAverageOrderUpTo(lead_time=-1)", lambda: pol.MovingAverageOrderUpTo(lead_time=-1), "lead_time", "-1"),
    ("MovingAverageOrderUpTo(z=NAN)", lambda: pol.MovingAverageOrderUpTo(z=NAN), "z", "nan"),
    ('MovingAverageOrderUpTo(signal="bogus")', lambda: pol.MovingAverageOrderUpTo(signal="bogus"), "signal", '"bogus"'),
    ("MovingAverageOrderUpTo(signal=5)", lambda: pol.MovingAverageOrderUpTo(signal=5), "signal", "5"),
    ("SmoothingOrderUpTo(alpha=0)", lambda: pol.SmoothingOrderUpTo(alpha=0), "alpha", "0"),
    ("SmoothingOrderUpTo(alpha=1.1)", lambda: pol.SmoothingOrderUpTo(alpha=1.1), "alpha", "1.1"),
    ('SmoothingOrderUpTo(signal="Demand")', lambda: pol.SmoothingOrderUpTo(signal="Demand"), "signal", '"Demand"'),
    ("AR1OrderUpTo(rho=1)", lambda: pol.AR1OrderUpTo(rho=1, mean=8), "rho", "1"),
    ("AR1OrderUpTo(lead_time=2.5)", lambda: pol.AR1OrderUpTo(rho=0.5, mean=8, lead_time=2.5), "lead_time", "2.5"),
    ("TrackDemand(theta=0)", lambda: pol.TrackDemand(theta=0), "theta", "0"),
    ("TrackDemand(margin=-0.1)", lambda: pol.TrackDemand(margin=-0.1), "margin", "-0.1"),
    ("TrackDemand(backlog_weeks=0)", lambda: pol.TrackDemand(backlog_weeks=0), "backlog_weeks", "0"),
    ("Constant(level=-1)", lambda: dem.Constant(level=-1), "level", "-1"),
    ("Step(week=0)", lambda: dem.Step(week=0), "week", "0"),
    ("Step(initial=NAN)", lambda: dem.Step(initial=NAN), "initial", "nan"),
    ("Normal(mean=8, sd=-1)", lambda: dem.Normal(mean=8, sd=-1), "sd", "-1"),
    ("Uniform(low=5, high=2)", lambda: dem.Uniform(low=5, high=2), "high", "2"),
    ("Poisson(mean=-1)", lambda: dem.Poisson(mean=-1), "mean", "-1"),
    ("AR1(mean=8, rho=1)", lambda: dem.AR1(mean=8, rho=1), "rho", "1"),
    ("Seasonal(mean=8, period=0)", lambda: dem.Seasonal(mean=8, period=0), "period", "0"),
    ("Trace(values=(4, -1))", lambda: dem.Trace(values=(4, -1)), "values", "-1"),
]


@pytest.mark.parametrize(("label", "make", "field", "value"), CONSTRUCTOR_CASES,
                         ids=[c[0] for c in CONSTRUCTOR_CASES])
def test_python_constructors_validate(label, make, field, value):
    with pytest.raises(ScenarioError) as info:
        make()
    msg = str(info.value)
    assert "\n" not in msg
    assert re.match(r"[\w.]*\b" + re.escape(field) + r"(\[\d+\])?: ", msg), f"{field} is not named first: {msg!r}"
    assert value in msg.split(": ", 1)[1] and "allowed" in msg, msg


def test_whole_number_float_parameter_is_usable():
    """``p=2.0`` passes the integer check (checks.number with integer=True accepts a whole float
    and returns an int), so it is the rule ``p=2``: same parameter, same run."""
    rule = pol.MovingAverageOrderUpTo(p=2.0)
    assert rule.p == 2 and type(rule.p) is int
    assert rule == pol.MovingAverageOrderUpTo(p=2)
    def played(r):
        return chaingame.ChainModel("classic", weeks=12, policies={"retailer": r}).run().history()

    pd.testing.assert_frame_equal(played(rule), played(pol.MovingAverageOrderUpTo(p=2)), check_exact=True)
    with pytest.raises(ScenarioError, match=r"p: 2\.5 is not a whole number"):
        pol.MovingAverageOrderUpTo(p=2.5)


def test_python_constructors_accept_good_values():
    assert pol.Sterman(0, 1, 1, 20).alpha_s == 1
    assert pol.MovingAverageOrderUpTo(p=1, signal="demand").needs == "pos"
    assert pol.Sterman(signal="demand").needs == "pos" and pol.Sterman().needs == "silo"
    assert pol.Gaming(base=pol.SmoothingOrderUpTo(signal="demand")).needs == "pos"
    assert pol.Gaming(base=pol.BaseStock(level=9), max_inflation=1).needs == "silo"
    assert pol.SmoothingOrderUpTo(alpha=1).alpha == 1
    assert pol.TrackDemand(theta=1, margin=0).theta == 1
    assert pol.BaseStock(level=np.float64(20)).level == 20


# --------------------------------------------------------------------------------------------------
# ChainModel / Engine arguments


@pytest.mark.parametrize(("kwargs", "path", "value"), [
    (dict(policies={"retailr": pol.Sterman()}), "policies.retailr", None),
    (dict(policies={"retailer": "sterman"}), "policies.retailer", '"sterman"'),
    (dict(policies={"retailer": 5}), "policies.retailer", "5"),
    (dict(policies={"retailer": pol.Sterman}), "policies.retailer", None),
    (dict(policies={"retailer": {"rule": "sterman"}}), "policies.retailer", None),
    (dict(policies={"retailer": pol.TrackDemand()}), "policies.retailer", None),
    (dict(policies={"factory": (pol.Sterman(), "fixed")}), "policies.factory", '"fixed"'),
    (dict(policies={"retailer": pol.MovingAverageOrderUpTo(signal="demand")}), "policies.retailer.signal", '"demand"'),
    (dict(policies=[pol.Sterman()]), "policies", None),
    (dict(policies="sterman"), "policies", '"sterman"'),
    (dict(weeks=0), "weeks", "0"),
    (dict(weeks="36"), "weeks", '"36"'),
    (dict(seed=-1), "seed", "-1"),
    (dict(seed=1.5), "seed", "1.5"),
    (dict(replication=-1), "replication", "-1"),
    (dict(scenario="clasic"), "scenario", '"clasic"'),
], ids=lambda v: None)
def test_chain_model_arguments(kwargs, path, value):
    with pytest.raises(ScenarioError) as info:
        chaingame.ChainModel(**{"scenario": "classic", **kwargs})
    msg = str(info.value)
    assert "\n" not in msg
    assert msg.startswith(path + ": "), f"does not start with {path}: {msg!r}"
    if value is not None:
        assert value in msg
    if path.startswith("policies.retailr"):
        assert "retailer" in msg  # lists the firms


def test_chain_model_good_policy_overrides():
    m = chaingame.ChainModel("classic", policies={"factory": (pol.Sterman(0, 1, 1, 20), pol.TrackDemand()),
                                                  "retailer": None, "wholesaler": [pol.BaseStock(level=20)]})
    assert m.engine.policies[3] == pol.Sterman(0, 1, 1, 20)
    assert m.engine.capacity_rules[3] == pol.TrackDemand()
    assert m.engine.policies[1] == pol.BaseStock(level=20)
    sc = load_scenario("classic").with_values({"information": "pos"})
    m = chaingame.ChainModel(sc, policies={"retailer": pol.MovingAverageOrderUpTo(signal="demand")})
    assert m.engine.policies[0].signal == "demand"


@pytest.mark.parametrize(("kwargs", "path"), [(dict(replications=0), "replications"),
                                              (dict(replications=2.5), "replications"),
                                              (dict(seed="1"), "seed"),
                                              (dict(first_replication=-1), "first_replication"),
                                              (dict(first_replication="x"), "first_replication")])
@pytest.mark.parametrize("random", [False, True], ids=["step-demand", "normal-demand"])
def test_engine_arguments(kwargs, path, random):
    sc = load_scenario("classic")
    if random:
        sc = sc.with_values({"demand": {"process": "normal", "mean": 8, "sd": 2}})
    with pytest.raises(ScenarioError) as info:
        chaingame.Engine(sc, **kwargs)
    msg = str(info.value)
    assert msg.startswith(path + ": ") and "\n" not in msg


@pytest.mark.parametrize("door", ["scenario", "engine", "sweep", "session"])
def test_every_door_takes_the_same_seeds(door):
    """Seeds are whole numbers 0 to 2^63 - 1 (stored as 64-bit integers) wherever they are given."""
    from chaingame.classroom.inputs import scenario_for_session
    from chaingame.sweep import load_sweep

    def give(seed):
        if door == "scenario":
            return from_table({**load_scenario("classic").table, "seed": seed}).seed
        if door == "engine":
            return chaingame.Engine("classic", seed=seed).seed
        if door == "sweep":
            return load_sweep({"scenario": "classic", "seed": seed, "replications": 1}).seed
        return scenario_for_session("classic", None, None, None, seed)[1]

    assert give(0) == 0 and give(2**63 - 1) == 2**63 - 1 and type(give(7.0)) is int
    allowed = " (allowed: whole numbers 0 to 9223372036854775807)"
    for bad, why in ((2**63, "9223372036854775808 is above 9223372036854775807"), (-1, "-1 is below 0"),
                     (1.5, "1.5 is not a whole number")):
        with pytest.raises(ScenarioError, match="^" + re.escape(f"seed: {why}{allowed}") + "$"):
            give(bad)
