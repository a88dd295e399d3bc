"""Scenarios: the network of firms and links, delays, initial state, costs, demand and rules.

A scenario is a TOML file (bundled ones are loaded by name: ``load_scenario("classic")``) or
the same table built in Python. Every field is validated here, and a bad one is named with its
value and what is allowed. The field reference is ``docs/scenarios.md``.
"""

from __future__ import annotations

import copy
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from . import delays as delays_mod
from . import demand as demand_mod
from . import money, prices
from . import policies as pol
from .chain import ALLOCATION_RULES, MARKET, SOURCE, Network, State, initial_state
from .checks import (
    ScenarioError,
    boolean,
    check_seed,
    choice,
    key,
    number,
    numbers,
    read_toml,
    show,
    show_path,
    table,
    text,
)
from .information import MODES, Information
from .readonly import freeze

ROLES = ("retailer", "wholesaler", "distributor", "manufacturer", "supplier")
PRODUCER_ROLES = ("manufacturer", "supplier")
ALLOCATION = ALLOCATION_RULES
TURN_WEEKS = 4  # weeks of sales turn-and-earn counts unless told (Cachon & Lariviere 1999 count past sales)
UNMET = ("backlog", "lost")
MAX_DELAY = delays_mod.MAX_WEEKS  # weeks: the longest order, shipping, production or capacity delay
REVIEW_PHASES = ("staggered", "synchronized", "random")  # review_phases: how a supplier's customers' cycles sit
PHASE_STREAM = 2**64  # spawn key of the stream random review phases are drawn from (no replication's)

TOP_FIELDS = ["name", "title", "description", "weeks", "seed", "information", "allocation",
              "whole_units", "demand", "defaults", "firms", "links", "review_phases"]
FIRM_FIELDS = ["role", "inventory", "backlog", "cash", "holding_cost", "backlog_cost", "lost_sales_cost",
               "order_cost", "price", "unmet", "fixed_orders", "last_order", "policy", "demand", "production",
               "review_period", "review_phase", "min_order", "pack", "allocation",
               "credit_limit", "interest_rate", "deposit_rate", "insolvency"]
PRODUCTION_FIELDS = ["delay", "wip", "raw", "capacity", "capacity_delay", "capacity_cost", "unit_cost", "policy",
                     "bom"]
LINK_FIELDS = ["supplier", "customer", "order_delay", "shipping_delay", "orders", "shipments", "backlog",
               "price", "share", "priority", "returns", "price_schedule", "vmi", "payment_delay", "payments"]
ID_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class Allocation:
    """How a supplier splits a shortage among its customers (chain.py, step 5)."""

    rule: str  # one of ALLOCATION
    weeks: int = 0  # turn_and_earn: weeks of each customer's sales that count (0 for other rules)


PROPORTIONAL = Allocation("proportional")


@dataclass(frozen=True)
class Production:
    """A producer's plant: raw materials become finished goods after ``delay`` weeks."""

    delay: int  # weeks from start to finished stock
    wip: tuple[float, ...]  # production under way, finishing in weeks 1..delay
    raw: float  # raw materials on hand at the start (bill of materials: products' worth of each component)
    capacity: float  # units/week that may start (inf: unlimited)
    capacity_delay: int  # weeks before a new capacity target is in force
    capacity_cost: float  # $/unit of capacity/week
    unit_cost: float  # $/unit started
    policy: pol.CapacityRule
    bom: tuple[tuple[str, float], ...] = ()  # bill of materials: (supplier id, units per product); (): none


@dataclass(frozen=True)
class Firm:
    """A firm (Mesa agent) with its initial books, costs and decision rule."""

    id: str
    role: str
    inventory: float
    backlog: float  # owed to end customers at the start (retailers)
    cash: float
    holding_cost: float  # $/unit/week on hand
    backlog_cost: float  # $/unit/week owed
    lost_sales_cost: float  # $/unit lost
    order_cost: float  # $ per order placed
    price: float  # $/unit charged to customers
    unmet: str  # "backlog" or "lost"
    fixed_orders: tuple[float, ...]  # orders of weeks 1, 2, ... imposed by the scenario
    last_order: float  # the order placed before week 1 (what week 1's observation shows)
    policy: pol.Policy
    demand: demand_mod.Demand | None  # retailers: end-customer demand
    production: Production | None
    review_period: int = 1  # orders only every review_period weeks
    review_phase: int = 0  # 0..review_period-1: orders at the end of weeks phase + 1, phase + 1 + period, ...
    min_order: float = 0.0  # a positive order below it is raised to it
    pack: float | None = None  # orders are whole multiples of it, rounded up (None: no packs)
    allocation: Allocation = PROPORTIONAL  # as a supplier: its own, else the scenario's
    credit_limit: float = math.inf  # $ it may borrow to commit to suppliers (inf: unlimited; chaingame/money.py)
    interest_rate: float = 0.0  # per week, on negative cash
    deposit_rate: float = 0.0  # per week, earned on positive cash
    insolvency: str = "cap"  # "cap": orders capped at what it can pay; "stop": no orders once insolvent

    @property
    def producer(self) -> bool:
        """Whether the firm produces (has a production stage)."""
        return self.production is not None


@dataclass(frozen=True)
class Link:
    """Orders flow from ``customer`` to ``supplier``; goods and money flow back."""

    supplier: str  # firm id or "source"
    customer: str
    order_delay: int  # weeks from placing an order to the supplier filling it
    shipping_delay: int | float  # weeks from shipping to arrival (the mean of a random delay)
    orders: tuple[float, ...]  # orders in the mail, reaching the supplier in weeks 1..order_delay
    shipments: tuple[float, ...]  # goods in transit, arriving in weeks 1..shipping_delay (1..longest if random)
    backlog: float  # owed by the supplier on this link at the start
    price: float  # $/unit
    share: float  # relative share of the customer's orders sent on this link
    priority: int  # lower is served first (priority allocation)
    returns: bool  # negative orders (returns) accepted (source links only)
    price_schedule: tuple[prices.PriceChange, ...] = ()  # weeks of ordering at another price than ``price``
    delay: delays_mod.ShippingDelay | None = None  # a random shipping delay (None: shipping_delay weeks)
    vmi: pol.Policy | None = None  # vendor-managed: the rule by which the supplier decides the customer's orders
    payment_delay: int = 0  # weeks from shipment to the customer's payment (chaingame/money.py)
    payments: tuple[float, ...] = ()  # $ invoiced before week 1, due in weeks 1..payment_delay


@dataclass(frozen=True)
class Scenario:
    """A validated scenario. Build one with :func:`load_scenario` or :func:`from_table`."""

    name: str
    title: str
    description: str
    weeks: int
    seed: int
    information: Information
    allocation: Allocation  # the chain-wide rule; a firm's own is Firm.allocation
    whole_units: bool
    demand: demand_mod.Demand
    firms: tuple[Firm, ...]
    links: tuple[Link, ...]
    table: Mapping[str, Any]  # the table it was read from (for overrides and storage), read-only at every depth

    def __post_init__(self):
        """Keep a read-only copy of ``table`` (chaingame/readonly.py): a shared scenario's table never changes."""
        object.__setattr__(self, "table", freeze(self.table, self.name))

    def __deepcopy__(self, memo: dict) -> Scenario:
        """A deep copy whose table is read-only too (a read-only table's own deep copy is a plain one)."""
        new = object.__new__(type(self))
        memo[id(self)] = new
        for name, value in vars(self).items():
            object.__setattr__(new, name, copy.deepcopy(value, memo))
        object.__setattr__(new, "table", freeze(self.table, self.name))
        return new

    @property
    def firm_ids(self) -> tuple[str, ...]:
        """The firm ids, in scenario order."""
        return tuple(f.id for f in self.firms)

    def firm(self, firm_id: str) -> Firm:
        """The firm with id ``firm_id``; ScenarioError naming ``firm`` if there is none."""
        for f in self.firms:
            if f.id == firm_id:
                return f
        raise ScenarioError("firm", f"{show(firm_id)} is not a firm of this scenario "
                                    f"(firms: {', '.join(self.firm_ids)})")

    def with_values(self, values: Mapping[str, Any]) -> Scenario:
        """A new scenario with fields replaced by dotted path, e.g. ``{"firms.retailer.policy.beta": 1}``.

        ``links.*.shipping_delay`` sets a field of every link; ``links.0.price`` one link. The
        values are one change (:func:`set_values`): a pipeline whose delay changes is resized, and
        a new rule drops the old rule's parameters, unless the same call sets them too.
        """
        raw = copy.deepcopy(self.table)  # plain and writable
        set_values(raw, values)
        return from_table(raw)

    def lead_time(self, firm_id: str) -> int:
        """Weeks of demand an order must cover (docs/model.md, "Delays and lead time").

        Order + shipping (+ production) delay, and the review period's weeks beyond the first.
        """
        firm = self.firm(firm_id)
        return _lead_time(next(k for k in self.links if k.customer == firm_id), firm.production, firm.review_period)

    def network(self) -> Network:
        """Compile the structure into the index arrays of :class:`~chaingame.chain.Network`.

        Once: a Network never changes, so every engine of this scenario shares it.
        """
        return self._network

    @cached_property
    def _network(self) -> Network:
        return _network(self)

    def initial_state(self, replications: int = 1) -> State:
        """The chain at week 0, repeated for ``replications`` runs: a fresh copy each call, to play on.

        Up to ``_KEEP_INITIAL`` replications a copy of the one built on the first call (a Scenario never changes).
        """
        if replications > _KEEP_INITIAL:
            return _initial_state(self, replications)
        kept = self._initial_states.get(replications)
        if kept is None:
            kept = self._initial_states[replications] = _initial_state(self, replications)
        return kept.copy()

    @cached_property
    def _initial_states(self) -> dict[int, State]:
        return {}

    @property
    def customers(self) -> tuple[str, ...]:
        """The retailers facing end-customer demand, in the order of the demand streams."""
        return tuple(f.id for f in self.firms if f.role == "retailer")

    def demand_processes(self) -> list[demand_mod.Demand]:
        """The demand process each retailer faces (its own, else the scenario's), in ``customers`` order."""
        return [self.firm(c).demand or self.demand for c in self.customers]


def set_values(raw: dict, values: Mapping[str, Any]) -> None:
    """Set fields of a scenario table by dotted path, as one change.

    Two fields follow a change the user did not spell out (unless the same call sets them too):

    - A pipeline given week by week follows its delay: ``orders`` (``order_delay``), ``shipments``
      (``shipping_delay``), ``payments`` (``payment_delay``) and ``production.wip``
      (``production.delay``). It keeps the weeks
      nearest arrival when shortened and repeats the week furthest out when lengthened, so a
      pipeline in steady state (the same flow every week) stays in it: ``[4, 4]`` becomes ``[4]``
      or ``[4, 4, 4]``. A single number or a missing pipeline stands for every week already,
      except on a link whose shipping delay was 0: its new ``shipments`` carry the link's order
      flow (the week furthest out of its ``orders``). An empty ``wip`` grows with zeros.
    - A policy whose ``rule`` changes drops the parameters the new rule does not take.

    Args:
        raw: the scenario table (as read from TOML), changed in place.
        values: dotted path -> value, e.g. ``{"links.*.shipping_delay": 1}``.
    """
    before, written = copy.deepcopy(raw), []
    for path, value in values.items():
        written += set_path(raw, path, value)
    for where in dict.fromkeys(written):
        _follow(raw, before, where, written)


def set_path(raw: dict, path: str, value: Any) -> list[tuple]:
    """Set a value in a scenario table by dotted path; the parent tables must exist.

    Returns the places written, as key tuples (``links.*.price`` gives one per link).
    """
    if not isinstance(path, str):
        raise ScenarioError(show(path), "is not a dotted field path (allowed: text such as firms.retailer.policy.beta)")
    parts = path.split(".")
    if not all(parts):
        raise ScenarioError(path, "is not a dotted field path (e.g. firms.retailer.policy.beta)")
    firms, defaults = raw.get("firms"), raw.get("defaults")
    if parts[0] == "firms" and len(parts) > 2 and isinstance(firms, dict) and isinstance(defaults, dict):
        firm = firms.get(parts[1])  # a firm field inherited from [defaults] becomes the firm's own first
        if isinstance(firm, dict) and parts[2] not in firm and parts[2] in defaults:
            firm[parts[2]] = copy.deepcopy(defaults[parts[2]])
    written: list[tuple] = []
    _set(raw, parts, value, (), written)
    return written


def _set(node: Any, parts: list[str], value: Any, at: tuple, written: list[tuple]) -> None:
    key, rest = parts[0], parts[1:]
    done = ".".join(map(str, at))
    here = f"{done}.{key}" if done else key
    if isinstance(node, list):
        if key == "*":
            targets = list(range(len(node)))
        elif key.isdigit() and int(key) < len(node):
            targets = [int(key)]
        else:
            raise ScenarioError(here, f"no such entry (allowed: 0 to {len(node) - 1}, or *)")
        for i in targets:
            if rest:
                _set(node[i], rest, value, (*at, i), written)
            else:
                node[i] = copy.deepcopy(value)
                written.append((*at, i))
        return
    if not isinstance(node, dict):
        raise ScenarioError(done, f"{show(node)} has no field {key}")
    if not rest:
        node[key] = copy.deepcopy(value)
        written.append((*at, key))
        return
    if key not in node:
        if done == "firms":
            raise ScenarioError(here, f"no such firm (firms: {', '.join(node)})")
        node[key] = {}
    _set(node[key], rest, value, (*at, key), written)


PIPELINES = {"order_delay": "orders", "shipping_delay": "shipments", "delay": "wip",
             "payment_delay": "payments"}  # a delay -> its pipeline


def _follow(raw: dict, before: dict, where: tuple, written: list[tuple]) -> None:
    """Resize the pipeline of a delay written at ``where``, or drop the parameters a rule there does not take.

    For :func:`set_values`; ``before`` is the table before the call; what the same call wrote is left as
    written.
    """
    *parent, name = where
    parent = tuple(parent)
    firm_part = parent[2:] if parent[:1] == ("firms",) and len(parent) > 2 else \
        parent[1:] if parent[:1] == ("defaults",) else None  # the part of a firm's table (own or [defaults])
    link = len(parent) == 2 and parent[0] == "links" and name in ("order_delay", "shipping_delay", "payment_delay")
    plant = firm_part == ("production",) and name == "delay"
    policy = firm_part in (("policy",), ("production", "policy")) and name == "rule"
    node = _get(raw, parent) if link or plant or policy else None
    if not isinstance(node, dict):
        return

    def kept(field):  # written by this call: itself, a table around it or an entry inside it
        place = (*parent, field)
        return any(w[: len(place)] == place or place[: len(w)] == w for w in written)

    if policy:
        rules = pol.CAPACITY_RULES if firm_part[0] == "production" else pol.ORDER_RULES
        rule = node.get("rule")
        if isinstance(rule, str) and rule in rules:
            takes = {"rule", *(f.name for f in fields(rules[rule]))}
            for field in [f for f in node if f not in takes and not kept(f)]:
                del node[field]
        return
    pipeline, delay = PIPELINES[name], node.get(name)
    whole = isinstance(delay, int | float) and not isinstance(delay, bool) and 0 <= delay <= MAX_DELAY \
        and delay == int(delay)  # else the delay's own check names it
    if not whole or kept(pipeline):
        return
    old = _get(before, parent)
    was_zero = name == "shipping_delay" and isinstance(old, dict) and \
        old.get(name, 0 if old.get("supplier") == "source" else 1) == 0 and not node.get(pipeline)
    if was_zero and delay > 0:  # nothing could be in transit: goods at the rate of the orders are
        orders = node.get("orders", 0)
        flow = orders[-1] if isinstance(orders, list) and orders else orders
        node[pipeline] = [copy.deepcopy(flow) for _ in range(int(delay))]
    elif isinstance(node.get(pipeline), list):
        node[pipeline] = resize(node[pipeline], int(delay))


def resize(pipeline: list, delay: int) -> list:
    """A week-by-week pipeline (week 1 first) fitted to ``delay`` weeks.

    The weeks nearest arrival when shorter, the week furthest out repeated when longer (0 if it was empty), so
    that a pipeline carrying the same flow every week carries it still.
    """
    if delay <= len(pipeline):
        return copy.deepcopy(pipeline[:delay])
    last = pipeline[-1] if pipeline else 0
    return copy.deepcopy(pipeline) + [copy.deepcopy(last) for _ in range(delay - len(pipeline))]


def _get(node: Any, where: tuple) -> Any:
    """The value at ``where``, or None where a later value of the same call replaced a table on the way."""
    for k in where:
        if isinstance(node, dict):
            node = node.get(k)
        elif isinstance(node, list) and isinstance(k, int) and k < len(node):
            node = node[k]
        else:
            return None
    return node


@lru_cache(maxsize=1)
def bundled_dir() -> Path:
    """Where the bundled scenarios live (inside the installed package, or the source checkout)."""
    inside = resources.files("chaingame") / "scenarios"
    if inside.is_dir():
        return Path(str(inside))
    return Path(__file__).resolve().parent.parent / "scenarios"


def bundled() -> dict[str, Path]:
    """Bundled scenario names and their files."""
    folder = bundled_dir()
    return dict(_bundled_files(folder, folder.stat().st_mtime_ns))  # listed again when a file comes or goes


@lru_cache(maxsize=4)
def _bundled_files(folder: Path, mtime_ns: int) -> tuple[tuple[str, Path], ...]:
    return tuple((p.stem, p) for p in sorted(folder.glob("*.toml")))


def _bundled_names() -> dict[str, Path]:
    """:func:`bundled`, the same dict while the folder stays as it is (to read, never to change)."""
    folder = bundled_dir()
    return _bundled_dict(folder, os.stat(folder).st_mtime_ns)


@lru_cache(maxsize=4)
def _bundled_dict(folder: Path, mtime_ns: int) -> dict[str, Path]:
    return dict(_bundled_files(folder, mtime_ns))


def load_scenario(source: str | Path | Scenario) -> Scenario:
    """Load a scenario by bundled name (``"classic"``) or from a ``.toml`` path.

    A bundled name always means the bundled scenario, even where a file or folder of that name is
    in the working directory (write ``./classic`` for that one); anything else is a path.
    """
    if isinstance(source, Scenario):
        return source
    path = _bundled_names().get(source) if isinstance(source, str) else None
    if path is not None:  # a bundled name: read once while its file stays as it is (a Scenario never changes)
        stat = os.stat(path)
        return _load_bundled(path, stat.st_mtime_ns, stat.st_size)
    if not isinstance(source, str | Path):
        raise ScenarioError("scenario", f"{show(source)} is not a scenario (allowed: a bundled name, a .toml path "
                                        "or a Scenario)")
    names = bundled()
    path = Path(source)
    if str(source) in names:  # a name has no folder part and no .toml suffix: never a path
        path = names[str(source)]
    elif not path.exists():
        raise ScenarioError("scenario", f"{show_path(source)} is neither a bundled scenario "
                                        f"({', '.join(names)}) nor an existing .toml file")
    if path.is_dir():
        raise ScenarioError("scenario", f"{show_path(source)} is a folder, not a .toml file")
    if path.parent == bundled_dir():  # read once while the file stays as it is (a Scenario never changes)
        stat = path.stat()
        return _load_bundled(path, stat.st_mtime_ns, stat.st_size)
    return _load_file(path)


@lru_cache(maxsize=64)
def _load_bundled(path: Path, mtime_ns: int, size: int) -> Scenario:
    """The scenario of a bundled file, read once per version of the file (its mtime and size)."""
    return _load_file(path)


def _load_file(path: Path) -> Scenario:
    """The scenario of a ``.toml`` file."""
    raw = read_toml(path, "a TOML scenario")
    if not any(k in raw for k in ("weeks", "firms", "links")):
        raise ScenarioError(str(path), "has none of the scenario fields weeks, firms, links "
                                       "(allowed: a scenario file, see docs/scenarios.md)")
    raw.setdefault("name", path.stem)
    try:
        return from_table(raw)
    except ScenarioError as e:  # name the file too: the field alone may be in any of a user's files
        if path.parent == bundled_dir():
            raise
        raise ScenarioError(e.path, f"{str(e)[len(e.path) + 2:] if e.path else str(e)} (in {path})") from None


def from_table(raw: Mapping[str, Any]) -> Scenario:
    """Validate a scenario table (as read from TOML) and build the :class:`Scenario`."""
    if not isinstance(raw, Mapping):
        raise ScenarioError("scenario", f"{show(raw)} is not a table (allowed: a table of scenario fields)")
    table(raw, "", TOP_FIELDS, required=["weeks", "firms", "links"])
    weeks = number(raw["weeks"], "weeks", low=1, high=100_000, integer=True)
    seed = check_seed(raw.get("seed", 0))
    information = Information(choice(raw.get("information", Information.SILO), "information", MODES))
    allocation = _allocation(raw.get("allocation", "proportional"), "allocation")
    whole_units = boolean(raw.get("whole_units", True), "whole_units")
    name = text(raw.get("name", "scenario"), "name")
    title = text(raw.get("title", ""), "title")
    description = text(raw.get("description", ""), "description")
    demand = demand_mod.from_table(raw.get("demand", {"process": "constant", "level": 4}), "demand", weeks)
    inherited = [f for f in FIRM_FIELDS if f not in ("role", "allocation")]  # the chain-wide allocation is top-level
    defaults = dict(table(raw.get("defaults", {}), "defaults", inherited))
    if "production" in defaults:  # checked even where every firm has its own
        _production(defaults["production"], "defaults.production")
    if "demand" in defaults:
        demand_mod.from_table(defaults["demand"], "defaults.demand", weeks)

    firms_raw = table(raw["firms"], "firms", list(raw["firms"]) if isinstance(raw["firms"], Mapping) else [])
    if not firms_raw:
        raise ScenarioError("firms", "is empty (allowed: at least one firm)")
    links_raw = raw["links"]
    if not isinstance(links_raw, list) or not links_raw:
        raise ScenarioError("links", f"{show(links_raw)} is not a list of links (allowed: [[links]] tables)")
    ids = list(firms_raw)
    for fid in ids:
        if not isinstance(fid, str) or not ID_PATTERN.match(fid) or fid in ("source", "market"):
            raise ScenarioError(f"firms.{key(fid)}", "is not an allowed firm id (allowed: letters, digits, _ and -, "
                                                     "starting with a letter; not source or market)")
        table(firms_raw[fid], f"firms.{fid}", FIRM_FIELDS, required=["role"])
        choice(firms_raw[fid]["role"], f"firms.{fid}.role", ROLES)
    links = [_link(lr, f"links.{i}", ids) for i, lr in enumerate(links_raw)]
    _check_structure(ids, links, {fid: firms_raw[fid] for fid in ids})

    firms = []
    for fid in ids:
        inbound = [k for k in links if k.customer == fid]
        firm = _firm(fid, firms_raw[fid], defaults, inbound, weeks, information)
        if "allocation" in firms_raw[fid]:
            firm = replace(firm, allocation=_allocation(firms_raw[fid]["allocation"], f"firms.{fid}.allocation"))
        elif allocation != PROPORTIONAL:
            firm = replace(firm, allocation=allocation)
        firms.append(firm)
    firm_by_id = {f.id: f for f in firms}
    links = [replace(k, price=k.price if k.price is not None else
                     (firm_by_id[k.supplier].price if k.supplier != "source" else 0.0)) for k in links]
    for fid in ids:
        inbound = [(i, k) for i, k in enumerate(links) if k.customer == fid]
        with_returns = [k.returns for _, k in inbound]
        if any(with_returns) and not all(with_returns):
            i = next(i for i, k in inbound if not k.returns)
            raise ScenarioError(f"links.{i}.returns", f"false, while other suppliers of {fid} accept returns "
                                                      "(allowed: all of a firm's links accept returns or none)")
    links = _vmi_links(links_raw, links, firms)
    _check_bom(firms, links, raw["links"])
    if whole_units:
        _check_whole(firms, links)
        _check_whole_batches(firms)
    if "review_phases" in raw:
        firms = _review_phases(choice(raw["review_phases"], "review_phases", REVIEW_PHASES), firms, firms_raw,
                               links, seed)
    return Scenario(name, title, description, weeks, seed, information, allocation, whole_units, demand,
                    tuple(firms), tuple(links), raw)  # Scenario keeps a read-only copy


def _allocation(raw: Any, path: str) -> Allocation:
    """An allocation rule: a name, or a table ``{rule = "turn_and_earn", weeks = 4}``."""
    if isinstance(raw, str):
        rule = choice(raw, path, ALLOCATION)
        return Allocation(rule, TURN_WEEKS if rule == "turn_and_earn" else 0)
    if not isinstance(raw, Mapping):
        names = ", ".join(f'"{a}"' for a in ALLOCATION)
        raise ScenarioError(path, f"{show(raw)} is not an allocation rule (allowed: {names}, "
                                  'or a table such as {rule = "turn_and_earn", weeks = 4})')
    table(raw, path, ["rule", "weeks"], required=["rule"])
    rule = choice(raw["rule"], f"{path}.rule", ALLOCATION)
    if rule != "turn_and_earn":
        if "weeks" in raw:
            raise ScenarioError(f"{path}.weeks", f"given for {show(rule)} (allowed: only with rule "
                                                 '"turn_and_earn")')
        return Allocation(rule)
    return Allocation(rule, number(raw.get("weeks", TURN_WEEKS), f"{path}.weeks", low=1, high=52, integer=True))


def _vmi_links(links_raw: list, links: list[Link], firms: list[Firm]) -> list[Link]:
    """The links with their vendor-managed rules set (``vmi = true`` or a rule table), checked.

    The supplier decides its customer's orders by an ordering rule run on what VMI shows it of the customer
    (Disney & Towill 2003).

    ``true`` is ``{rule = "base_stock"}``; a table without ``rule`` is a base-stock table, whose
    ``level`` defaults to the customer's inventory position at the start (inventory − backlog +
    supply line): the supplier keeps the customer where the scenario starts it.
    """
    out = list(links)
    firm_by_id = {f.id: f for f in firms}
    for i, (raw, k) in enumerate(zip(links_raw, links)):
        value = raw.get("vmi", False)
        path = f"links.{i}.vmi"
        if value is False:
            continue
        if value is not True and not isinstance(value, Mapping):
            raise ScenarioError(path, f"{show(value)} is not true, false or a rule table (allowed: true, false, "
                                      '{level = ...} or {rule = "...", ...} as a policy)')
        if k.supplier == "source":
            raise ScenarioError(path, 'set on a link from "source" (allowed: VMI on a link between firms: the '
                                      "supplier manages its customer's stock)")
        others = [j for j, o in enumerate(links) if o.customer == k.customer and j != i]
        if others:
            raise ScenarioError(path, f"set, while {k.customer} has other suppliers (links.{others[0]}) "
                                      "(allowed: VMI on a firm's only supplier link)")
        customer = firm_by_id[k.customer]
        table_ = {"rule": "base_stock"} if value is True else {"rule": "base_stock", **value}
        lead = _lead_time(k, customer.production, customer.review_period)
        rule = pol.from_table(table_, path, pol.ORDER_RULES, lead_time=lead,
                              level=_initial_position(customer, k, links))
        if getattr(rule, "signal", "orders") != "orders":
            raise ScenarioError(f"{path}.signal", f"{show(rule.signal)} (allowed: \"orders\": a VMI rule runs "
                                                  "on the customer's own sales)")
        out[i] = replace(k, vmi=rule)
    return out


def _initial_position(firm: Firm, link: Link, links: list[Link]) -> float:
    """A firm's inventory position at the start, on hand − owed to customers + supply line (0 if below)."""
    owed = firm.backlog + sum(o.backlog for o in links if o.supplier == firm.id)
    line = sum(link.orders) + link.backlog + sum(link.shipments)
    if firm.production:
        line += firm.production.raw + sum(firm.production.wip)
    return max(0.0, firm.inventory - owed + line)


def _check_whole(firms: list[Firm], links: list[Link]) -> None:
    """With whole units, every quantity of the initial state is a whole number."""
    def whole(value, path):
        values = value if isinstance(value, tuple) else (value,)
        if any(v != int(v) for v in values):
            raise ScenarioError(path, f"{show(list(value) if isinstance(value, tuple) else value)} is not whole "
                                      "(allowed: whole units, as whole_units = true)")

    for f in firms:
        for name in ("inventory", "backlog", "fixed_orders", "last_order"):
            whole(getattr(f, name), f"firms.{f.id}.{name}")
        if f.production:
            whole(f.production.wip, f"firms.{f.id}.production.wip")
            whole(f.production.raw, f"firms.{f.id}.production.raw")
            for name, units in f.production.bom:
                whole(units, f"firms.{f.id}.production.bom.{key(name)}")
    for i, k in enumerate(links):
        if k.delay is not None and any(v != int(v) for v in k.shipments):
            raise ScenarioError(f"links.{i}.shipments", f"{show(list(k.shipments))} in transit is not whole (allowed: "
                                                        "whole units, as whole_units = true; a number x stands for "
                                                        "x × P(delay ≥ j) arriving in week j)")
        for name in ("orders", "shipments", "backlog"):
            whole(getattr(k, name), f"links.{i}.{name}")


def _link(raw: Any, path: str, ids: list[str]) -> Link:
    table(raw, path, LINK_FIELDS, required=["supplier", "customer"])
    supplier = choice(raw["supplier"], f"{path}.supplier", [*ids, "source"])
    customer = choice(raw["customer"], f"{path}.customer", ids)
    if supplier == customer:
        raise ScenarioError(f"{path}.customer", f"{show(customer)} is also the supplier (allowed: another firm)")
    from_source = supplier == "source"
    o = number(raw.get("order_delay", 1), f"{path}.order_delay", low=1, high=MAX_DELAY, integer=True)
    s, delay, shipments = _shipping(raw, path, from_source)
    returns = boolean(raw.get("returns", False), f"{path}.returns")
    if returns and not from_source:
        raise ScenarioError(f"{path}.returns", "true on a link between firms (allowed: only links from "
                                               "\"source\" accept returns)")
    price = raw.get("price")
    backlog = number(raw.get("backlog", 0), f"{path}.backlog", low=0)
    payment_delay = number(raw.get("payment_delay", 0), f"{path}.payment_delay", low=0, high=MAX_DELAY, integer=True)
    if from_source and backlog:
        raise ScenarioError(f"{path}.backlog", f"{show(raw['backlog'])} on a link from \"source\" (allowed: 0; "
                                               "the source always ships in full)")
    return Link(
        supplier=supplier,
        customer=customer,
        order_delay=o,
        shipping_delay=s,
        orders=numbers(raw.get("orders", 0), f"{path}.orders", length=o, low=0),
        shipments=shipments,
        backlog=backlog,
        price=None if price is None else number(price, f"{path}.price", low=0),
        share=number(raw.get("share", 1), f"{path}.share", above=0),
        priority=number(raw.get("priority", 0), f"{path}.priority", low=0, high=1000, integer=True),
        returns=returns,
        price_schedule=prices.schedule(raw.get("price_schedule", []), f"{path}.price_schedule"),
        delay=delay,
        payment_delay=payment_delay,
        payments=numbers(raw.get("payments", 0), f"{path}.payments", length=payment_delay, low=0),
    )


def _shipping(raw: Mapping[str, Any], path: str, from_source: bool) -> tuple[int | float, Any, tuple[float, ...]]:
    """A link's shipping delay (its mean if random), the random delay (or None) and the goods in transit.

    A random delay's pipeline has one value per week of its longest delay; a single number x stands
    for x · P(delay >= j) arriving in week j (chaingame/delays.py).
    """
    low = 0 if from_source else 1
    given = raw.get("shipping_delay", low)
    if not delays_mod.is_table(given):
        s = number(given, f"{path}.shipping_delay", low=low, high=MAX_DELAY, integer=True)
        return s, None, numbers(raw.get("shipments", 0), f"{path}.shipments", length=s, low=0)
    delay = delays_mod.from_table(given, f"{path}.shipping_delay", low)
    shipments = raw.get("shipments", 0)
    if isinstance(shipments, list | tuple):
        return delay.mean, delay, numbers(shipments, f"{path}.shipments", length=delay.longest, low=0)
    shipments = delay.steady_pipeline(number(shipments, f"{path}.shipments", low=0))
    return delay.mean, delay, shipments


def _check_structure(ids: list[str], links: list[Link], firms_raw: Mapping[str, Any]) -> None:
    seen = {}
    for i, k in enumerate(links):
        pair = (k.supplier, k.customer)
        if pair in seen:
            raise ScenarioError(f"links.{i}", f"repeats links.{seen[pair]} ({k.supplier} -> {k.customer}) "
                                              "(allowed: one link per supplier and customer)")
        seen[pair] = i
    for fid in ids:
        if not any(k.customer == fid for k in links):
            raise ScenarioError(f"firms.{fid}", "has no supplier (add a [[links]] entry with customer = "
                                                f"\"{fid}\"; supplier = \"source\" for an outside supplier)")
        role = firms_raw[fid].get("role") if isinstance(firms_raw[fid], Mapping) else None
        if role != "retailer" and not any(k.supplier == fid for k in links):
            raise ScenarioError(f"firms.{fid}", "has no customer (it is not a retailer and no link has "
                                                f"supplier = \"{fid}\")")
    # orders must not go round in a cycle
    up = {fid: [k.supplier for k in links if k.customer == fid and k.supplier != "source"] for fid in ids}
    state: dict[str, int] = {}  # 1: on the path being walked, 2: done (no cycle above it)
    for root in ids:  # depth first with a stack of its own: a chain of thousands of firms is no RecursionError
        if state.get(root) == 2:
            continue
        path, todo = [root], [iter(up[root])]
        state[root] = 1
        while todo:
            fid = next(todo[-1], None)
            if fid is None:
                state[path.pop()] = 2
                todo.pop()
            elif state.get(fid) == 1:
                cycle = path[path.index(fid):] + [fid]
                raise ScenarioError("links", f"orders go round in a cycle ({' -> '.join(cycle)}) "
                                             "(allowed: a network without cycles)")
            elif state.get(fid) != 2:
                state[fid] = 1
                path.append(fid)
                todo.append(iter(up[fid]))


def _firm(fid: str, own: Mapping[str, Any], defaults: Mapping[str, Any], inbound: list[Link], weeks: int,
          information: str) -> Firm:
    """A firm from its own table and the [defaults] it inherits; errors name where a value was written."""
    path = f"firms.{fid}"
    role = own["role"]
    fits = {"demand": role == "retailer", "backlog": role == "retailer", "production": role in PRODUCER_ROLES}
    raw = {k: v for k, v in defaults.items() if fits.get(k, True)}
    raw.update(own)

    def where(name):
        return f"{path}.{name}" if name in own else f"defaults.{name}"

    def num(name, default, **bounds):
        return number(raw.get(name, default), where(name), **bounds)

    if own.get("backlog") and role != "retailer":
        raise ScenarioError(f"{path}.backlog", f"{show(own['backlog'])} on a {role} (allowed: only retailers owe "
                                               "end customers; set backlog on a link instead)")
    if "demand" in own and role != "retailer":
        raise ScenarioError(f"{path}.demand", f"given for a {role} (allowed: only retailers face end customers)")
    production = None
    if "production" in own and role not in PRODUCER_ROLES:
        raise ScenarioError(f"{path}.production", f"given for a {role} (allowed: manufacturers and suppliers)")
    if "production" in raw:
        production = _production(raw["production"], where("production"))
    fixed = numbers(raw.get("fixed_orders", []), where("fixed_orders"), low=0)  # weeks past the horizon never come
    batching = _batching(raw, where)
    lead = _lead_time(inbound[0], production, batching["review_period"])
    policy = _order_rule(raw.get("policy", {"rule": "pass_through"}), where("policy"), lead,
                         holding_cost=num("holding_cost", 0.5, low=0))
    policy.check_information(information, where("policy"))
    return Firm(
        id=fid,
        role=role,
        inventory=num("inventory", 0, low=0),
        backlog=num("backlog", 0, low=0),
        cash=num("cash", 0),
        holding_cost=num("holding_cost", 0.5, low=0),
        backlog_cost=num("backlog_cost", 1.0, low=0),
        lost_sales_cost=num("lost_sales_cost", 0, low=0),
        order_cost=num("order_cost", 0, low=0),
        price=num("price", 0, low=0),
        unmet=choice(raw.get("unmet", "backlog"), where("unmet"), UNMET),
        fixed_orders=fixed,
        last_order=num("last_order", fixed[0] if fixed else 0, low=0),
        policy=policy,
        demand=demand_mod.from_table(raw["demand"], where("demand"), weeks) if "demand" in raw else None,
        production=production,
        **batching,
        **_credit(raw, where),
    )


def _credit(raw: Mapping[str, Any], where) -> dict:
    """A firm's money fields (chaingame/money.py), checked; ``where(name)`` names a field."""
    return dict(
        credit_limit=float(number(raw.get("credit_limit", math.inf), where("credit_limit"), low=0, allow_inf=True)),
        interest_rate=float(number(raw.get("interest_rate", 0), where("interest_rate"), low=0, high=1)),
        deposit_rate=float(number(raw.get("deposit_rate", 0), where("deposit_rate"), low=0, high=1)),
        insolvency=choice(raw.get("insolvency", "cap"), where("insolvency"), money.INSOLVENCY),
    )


def _lead_time(supply: Link, production: Production | None, review_period: int = 1) -> int:
    """The lead time L of a firm supplied over link ``supply``: the weeks of demand an order must cover.

    L = order_delay + shipping_delay (+ the production delay of a producer) + review_period - 1
    (an order must last until the next one arrives); see docs/model.md, "Delays and lead time".
    A firm with several suppliers is given the lead time of its first link.
    """
    return (supply.order_delay + supply.shipping_delay + (production.delay if production else 0)
            + review_period - 1)


def _batching(raw: Mapping[str, Any], where) -> dict:
    """A firm's order batching fields (see chain.accepted_orders), checked; ``where(name)`` names a field."""
    period = number(raw.get("review_period", 1), where("review_period"), low=1, high=MAX_DELAY, integer=True)
    pack = raw.get("pack")
    return dict(
        review_period=period,
        review_phase=number(raw.get("review_phase", 0), where("review_phase"), low=0, high=period - 1,
                            integer=True),
        min_order=number(raw.get("min_order", 0), where("min_order"), low=0),
        pack=None if pack is None else number(pack, where("pack"), above=0),
    )


def _check_bom(firms: list[Firm], links: list[Link], links_raw: list) -> None:
    """A bill of materials names each supplier linked to the firm once, and nothing else.

    Every inbound link of a firm with a bill of materials carries one of its components, so each
    of its suppliers is in its ``bom``, the source is not (a component comes from a firm), and
    its links take no ``share`` (a component's order is the product's order × units).
    """
    for f in firms:
        if not (f.production and f.production.bom):
            continue
        path = f"firms.{f.id}.production.bom"
        inbound = [(i, k) for i, k in enumerate(links) if k.customer == f.id]
        suppliers = [k.supplier for _, k in inbound if k.supplier != "source"]
        for name, _ in f.production.bom:
            if name not in suppliers:
                raise ScenarioError(f"{path}.{key(name)}", f"{show(name)} is not a supplier linked to {f.id} "
                                                           f"(allowed: {', '.join(suppliers) or 'none'})")
        named = {name for name, _ in f.production.bom}
        for i, k in inbound:
            if k.supplier not in named:
                raise ScenarioError(f"links.{i}.supplier", f"{show(k.supplier)} supplies {f.id}, which assembles "
                                                           f"by bill of materials, and is not in {path} (allowed: "
                                                           f"{', '.join(sorted(named))})")
            if isinstance(links_raw[i], Mapping) and "share" in links_raw[i]:
                raise ScenarioError(f"links.{i}.share", f"{show(links_raw[i]['share'])} on a link into {f.id}, which "
                                                        f"assembles by bill of materials (allowed: no share; "
                                                        f"{path} sets the units per product)")


def _check_whole_batches(firms: list[Firm]) -> None:
    """With whole units, minimum orders and packs are whole numbers."""
    for f in firms:
        for name in ("min_order", "pack"):
            value = getattr(f, name)
            if value is not None and value != int(value):
                raise ScenarioError(f"firms.{f.id}.{name}", f"{show(value)} is not whole "
                                                            "(allowed: whole units, as whole_units = true)")


def _review_phases(mode: str, firms: list[Firm], firms_raw: Mapping[str, Any], links: list[Link],
                   seed: int) -> list[Firm]:
    """The firms with the phases ``review_phases = mode`` gives the customers of each supplier.

    A firm's cycle belongs to its first supplier (its first link). Among the firms reviewing less
    than weekly that share a first supplier, in the order of ``firms``, the j-th of n gets phase
    ``floor(j k / n)`` of its period k when ``"staggered"`` (balanced: each week the same number
    order, to within one), 0 when ``"synchronized"``, and a uniform draw from 0..k-1 when
    ``"random"``, drawn once from the scenario's seed (its own stream, :data:`PHASE_STREAM`), so
    every replication and every run of the scenario has the same phases. A firm's own
    ``review_phase`` is kept.
    """
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(PHASE_STREAM,)))
    first = {f.id: next(k.supplier for k in links if k.customer == f.id) for f in firms}
    out = list(firms)
    for supplier in dict.fromkeys(first.values()):
        group = [i for i, f in enumerate(firms) if first[f.id] == supplier and f.review_period > 1]
        for j, i in enumerate(group):
            f = firms[i]
            if "review_phase" in firms_raw[f.id]:
                continue
            k = f.review_period
            phase = j * k // len(group) if mode == "staggered" else int(rng.integers(k)) if mode == "random" else 0
            out[i] = replace(f, review_phase=phase)
    return out


def _order_rule(raw: Any, path: str, lead: int | float, **defaults: Any) -> pol.Policy:
    """A firm's ordering rule, whose lead time defaults to the firm's (the mean, if its delay is random)."""
    try:
        return pol.from_table(raw, path, pol.ORDER_RULES, lead_time=lead, **defaults)
    except ScenarioError as e:
        if e.path != f"{path}.lead_time" or "lead_time" in raw or float(lead).is_integer():
            raise
        raise ScenarioError(e.path, f"the firm's mean lead time {lead:g} (the default, with a random shipping "
                                    "delay) is not whole (allowed: give lead_time, whole weeks, for this rule)"
                            ) from None


def _production(raw: Any, path: str) -> Production:
    table(raw, path, PRODUCTION_FIELDS)
    delay = number(raw.get("delay", 1), f"{path}.delay", low=0, high=MAX_DELAY, integer=True)
    capacity = number(raw.get("capacity", math.inf), f"{path}.capacity", low=0, allow_inf=True)
    capacity_cost = number(raw.get("capacity_cost", 0), f"{path}.capacity_cost", low=0)
    if capacity_cost > 0 and math.isinf(capacity):
        raise ScenarioError(f"{path}.capacity_cost", f"{capacity_cost:g} with unlimited capacity "
                                                     "(allowed: 0, or give a finite capacity)")
    return Production(
        delay=delay,
        wip=numbers(raw.get("wip", 0), f"{path}.wip", length=delay, low=0),
        raw=number(raw.get("raw", 0), f"{path}.raw", low=0),
        capacity=float(capacity),
        capacity_delay=number(raw.get("capacity_delay", 1), f"{path}.capacity_delay", low=1, high=MAX_DELAY,
                              integer=True),
        capacity_cost=capacity_cost,
        unit_cost=number(raw.get("unit_cost", 0), f"{path}.unit_cost", low=0),
        policy=pol.from_table(raw.get("policy", {"rule": "fixed"}), f"{path}.policy", pol.CAPACITY_RULES),
        bom=_bom(raw["bom"], f"{path}.bom") if "bom" in raw else (),
    )


def _bom(raw: Any, path: str) -> tuple[tuple[str, float], ...]:
    """A bill of materials ``{SUPPLIER_ID = units per product, ...}``, checked.

    The suppliers are checked by :func:`_check_bom`, where the links are known.
    """
    if not isinstance(raw, Mapping) or not raw:
        raise ScenarioError(path, f"{show(raw)} is not a table of components (allowed: {{SUPPLIER_ID = units per "
                                  "product, ...}, at least one)")
    return tuple((name, number(units, f"{path}.{key(name)}", above=0)) for name, units in raw.items())


def _network(sc: Scenario) -> Network:
    ids = sc.firm_ids
    index = {fid: i for i, fid in enumerate(ids)}
    links = list(sc.links)
    supplier = [SOURCE if k.supplier == "source" else index[k.supplier] for k in links]
    customer = [index[k.customer] for k in links]
    order_delay = [k.order_delay for k in links]
    shipping_delay = [k.shipping_delay for k in links]
    price = [k.price for k in links]
    lost = [k.supplier != "source" and sc.firm(k.supplier).unmet == "lost" for k in links]
    share = [k.share for k in links]
    priority = [k.priority for k in links]
    market = []
    for fid in sc.customers:
        f = sc.firm(fid)
        market.append(len(supplier))
        supplier.append(index[fid])
        customer.append(MARKET)
        order_delay.append(0)
        shipping_delay.append(0)
        price.append(f.price)
        lost.append(f.unmet == "lost")
        share.append(1.0)
        priority.append(0)
    supplier = np.array(supplier)
    customer = np.array(customer)
    share = np.array(share, float)
    bom = {index[f.id]: dict(f.production.bom) for f in sc.firms if f.production and f.production.bom}
    for c in set(customer[customer >= 0]) - set(bom):  # shares sum to one over a customer's suppliers
        share[customer == c] /= share[customer == c].sum()
    bom_units = None
    if bom:  # a component's order is the product's order times its units per product
        bom_units = np.array([bom[customer[k]][links[k].supplier] if k < len(links) and customer[k] in bom else 0.0
                              for k in range(len(supplier))])
        share = np.where(bom_units > 0, bom_units, share)
    level = np.zeros(len(supplier), int)  # rank by (priority, link order) among a supplier's links
    for s in set(supplier[supplier >= 0]):
        ks = np.flatnonzero(supplier == s)
        order = sorted(ks, key=lambda k: (priority[k], k))
        level[order] = np.arange(len(order))
    firms = sc.firms
    prod = [f.production for f in firms]
    random = [(k, link.delay) for k, link in enumerate(links) if link.delay is not None and link.delay.fixed is None]
    for k, link in enumerate(links):  # a fixed delay: its weeks; a random one: its longest (the entry is unused)
        if link.delay is not None:
            shipping_delay[k] = link.delay.fixed if link.delay.fixed is not None else link.delay.longest
    delays = [*order_delay, *shipping_delay, *(len(k.shipments) for k in links), *(p.delay for p in prod if p),
              *(p.capacity_delay for p in prod if p)]
    fixed = np.full((len(firms), max([len(f.fixed_orders) for f in firms] + [0])), np.nan)
    for i, f in enumerate(firms):
        fixed[i, : len(f.fixed_orders)] = f.fixed_orders
    sees = np.zeros((len(firms), len(market)))
    for c, fid in enumerate(sc.customers):  # the retailer and everyone upstream of it
        todo, seen = [index[fid]], set()
        while todo:
            f = todo.pop()
            if f in seen:
                continue
            seen.add(f)
            sees[f, c] = 1.0
            todo += [supplier[k] for k in range(len(supplier)) if customer[k] == f and supplier[k] >= 0]
    returns = np.array([any(k.returns for k in links if k.customer == f.id) for f in firms])
    return Network(
        firms=ids,
        roles=tuple(f.role for f in firms),
        supplier=supplier,
        customer=customer,
        order_delay=np.array(order_delay),
        shipping_delay=np.array(shipping_delay),
        price=np.array(price, float),
        share=share,
        lost=np.array(lost),
        priority_level=level,
        producer=np.array([p is not None for p in prod]),
        production_delay=np.array([p.delay if p else 0 for p in prod]),
        capacity_delay=np.array([p.capacity_delay if p else 1 for p in prod]),
        holding_cost=np.array([f.holding_cost for f in firms]),
        backlog_cost=np.array([f.backlog_cost for f in firms]),
        lost_sales_cost=np.array([f.lost_sales_cost for f in firms]),
        order_cost=np.array([f.order_cost for f in firms]),
        capacity_cost=np.array([p.capacity_cost if p else 0.0 for p in prod]),
        production_cost=np.array([p.unit_cost if p else 0.0 for p in prod]),
        returns=returns,
        fixed_orders=fixed,
        market_links=np.array(market, int),
        sees_market=sees,
        whole_units=sc.whole_units,
        allocation=tuple(f.allocation.rule for f in firms),
        turn_weeks=np.array([f.allocation.weeks for f in firms], dtype=int),
        vmi=np.array([k.vmi is not None for k in links] + [False] * len(market)),
        slots=max(delays) + 1,
        order_price=prices.order_prices(price, [k.price_schedule for k in links] + [()] * len(market), sc.weeks),
        **_network_batching(sc),
        **_random_delays(random, links),
        bom_units=bom_units,
        **_network_money(sc),
    )


def _network_money(sc: Scenario) -> dict:
    """The money arrays of the Network (market links: end customers pay at once)."""
    firms = sc.firms
    return dict(
        payment_delay=np.array([k.payment_delay for k in sc.links] + [0] * len(sc.customers), np.int64),
        credit_limit=np.array([f.credit_limit for f in firms], float),
        interest_rate=np.array([f.interest_rate for f in firms], float),
        deposit_rate=np.array([f.deposit_rate for f in firms], float),
        insolvency_stop=np.array([f.insolvency == "stop" for f in firms]),
    )


def _network_batching(sc: Scenario) -> dict:
    """The per-firm batching arrays of the Network (a pack of 1 in whole units changes nothing)."""
    firms = sc.firms
    return dict(
        review_period=np.array([f.review_period for f in firms]),
        review_phase=np.array([f.review_phase for f in firms]),
        min_order=np.array([f.min_order for f in firms], float),
        pack=np.array([0.0 if f.pack is None or (sc.whole_units and f.pack == 1) else f.pack for f in firms]),
    )


def _random_delays(random: list[tuple[int, delays_mod.ShippingDelay]], links: list[Link]) -> dict:
    """The :class:`Network` fields of the links whose shipping delay is drawn (none: no fields)."""
    if not random:
        return {}
    values, cdf = delays_mod.arrays([d for _, d in random])
    last = [max([j + 1 for j, v in enumerate(links[k].shipments) if v > 0], default=0) for k, _ in random]
    return {"delay_links": np.array([k for k, _ in random], int), "delay_values": values, "delay_cdf": cdf,
            "delay_floor": np.array(last, np.int64), "delay_crossing": np.array([d.crossing for _, d in random])}


_KEEP_INITIAL = 64  # replications up to which a scenario keeps its initial state (a copy is ~10x faster than a build)


def _initial_state(sc: Scenario, replications: int) -> State:
    firms = sc.firms
    link_backlog = [k.backlog for k in sc.links] + [sc.firm(c).backlog for c in sc.customers]
    n_market = len(sc.customers)
    return initial_state(
        sc.network(),
        firm_init={
            "inventory": [f.inventory for f in firms],
            "raw": [f.production.raw if f.production else 0.0 for f in firms],
            "cash": [f.cash for f in firms],
            "capacity": [f.production.capacity if f.production else 0.0 for f in firms],
            "last_order": [f.last_order for f in firms],
            "wip": [f.production.wip if f.production else () for f in firms],
        },
        link_init={
            "backlog": link_backlog,
            "orders": [k.orders for k in sc.links] + [()] * n_market,
            "shipments": [k.shipments for k in sc.links] + [()] * n_market,
            "parts": _initial_parts(sc),
            "payments": [k.payments for k in sc.links] + [()] * n_market,
        },
        replications=replications,
    )


def _initial_parts(sc: Scenario) -> list[float] | None:
    """Components on hand at the start, per link (K,); None where no firm has a bill of materials.

    ``production.raw`` products' worth of each of a bill of materials' components (units per product × raw).
    """
    if sc.network().bom_units is None:
        return None
    raw = {f.id: f.production.raw for f in sc.firms if f.production and f.production.bom}
    units = sc.network().bom_units
    return [units[k] * raw[link.customer] if link.customer in raw else 0.0 for k, link in enumerate(sc.links)] + \
        [0.0] * len(sc.customers)
