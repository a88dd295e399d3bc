"""One run (or R runs side by side) of a scenario: physics, observations and decisions in order.

:class:`Engine` is the loop every front end shares: the Mesa model drives it with one agent per
firm, the array engine with R replications, the classroom with human decisions. A week is
``observations = begin_week()`` then ``end_week(orders, capacity)``; ``step()`` lets each firm's
rule decide in between.

Weeks are numbered 1..W; week 0 is the initial state. Replication r of a run with seed s draws
its demand from ``default_rng(SeedSequence(s, spawn_key=(r,)))`` and its random shipping delays
from ``spawn_key=(r, delays.DELAY_STREAM)``, so it gives the same numbers whatever else runs
beside it, and the same demand whether its delays are random or not.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from . import delays as delays_mod
from . import demand as demand_mod
from . import lazy
from .chain import (
    _NO_FLAGS,
    _NO_FLOATS,
    _NO_RING,
    Flows,
    Network,
    _advance_args,
    _books,
    advance,
    flow_arrays,
    place,
    rows_of,
)
from .checks import ScenarioError, check_seed, number, show
from .observe import Observation, _observation, observe_all, own_books, vmi_observation
from .policies import BaseStock, CapacityRule, FixedCapacity, Policy, Sterman, TrackDemand
from .scenario import Scenario, load_scenario

# The tidy history: one row per (week, firm), in this column order (see docs/model.md).
COLUMNS = (
    "inventory", "backlog", "incoming_order", "order_placed", "shipped", "received", "cost",
    "raw", "wip", "on_order", "produced", "on_time", "lost", "capacity", "customer_demand",
    "revenue", "purchases", "profit", "cash",
    "receivables", "payables", "interest", "insolvent", "working_capital",
)


def generators(seed: int, replications: int, first: int = 0) -> list[np.random.Generator]:
    """The random generator of each replication ``first .. first + replications - 1``."""
    return [np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(r,)))
            for r in range(first, first + replications)]


def resolve_rules(scenario: Scenario, policies: Mapping | None) -> tuple[list[Policy], list[CapacityRule | None]]:
    """Each firm's order rule and capacity rule: the scenario's, replaced by ``policies[firm_id]``.

    A value may be a :class:`Policy`, a :class:`CapacityRule` (producers), or a pair of both.
    The order rule of a firm whose supplier manages its stock (``vmi``) is the link's VMI rule,
    which ``policies[firm_id]`` replaces likewise (run by the supplier, see :class:`Engine`).
    """
    if policies is not None and not isinstance(policies, Mapping):
        raise ScenarioError("policies", f"{show(policies)} is not a mapping (allowed: {{firm id: rule}})")
    policies = dict(policies or {})
    ids = scenario.firm_ids
    for fid in policies:
        if fid not in ids:
            raise ScenarioError(f"policies.{fid}", f"is not a firm of {scenario.name} (firms: {', '.join(ids)})")
    orders, capacity = [], []
    managed = {k.customer: k.vmi for k in scenario.links if k.vmi is not None}
    for f in scenario.firms:
        rule = managed.get(f.id, f.policy)
        cap = f.production.policy if f.production else None
        given = policies.get(f.id)
        for item in given if isinstance(given, tuple | list) else [given]:
            if item is None:
                continue
            if isinstance(item, Policy):
                rule = item
            elif isinstance(item, CapacityRule) and f.production:
                cap = item
            else:
                kind = "a Policy or a CapacityRule" if f.production else "a Policy"
                raise ScenarioError(f"policies.{f.id}", f"{show(item)} is not {kind} from chaingame.policies")
        rule.check_information(scenario.information, f"policies.{f.id}")
        orders.append(rule)
        capacity.append(cap)
    return orders, capacity


def stacked_groups(rules: list, vmi: bool = False) -> list[tuple[Policy | CapacityRule, np.ndarray]] | None:
    """The firms grouped by their (equal) rule, if every rule given is stackable; None otherwise.

    Firms without a rule (None: a producer without a capacity rule) are in no group. None too where a supplier
    manages a customer's stock (it decides on per-firm observations).
    """
    if vmi or not all(r is None or r.stackable for r in rules):
        return None
    groups: dict = {}
    for f, rule in enumerate(rules):
        if rule is not None:
            groups.setdefault(rule, []).append(f)
    return [(rule, np.array(members)) for rule, members in groups.items()]


def draw_delays(net: Network, seed: int, replications: int, first: int, weeks: int) -> np.ndarray | None:
    """Every shipment's delay on the links whose delay is random, (W, K_random, R), or None if none are.

    Replication r draws from its own delay stream, apart from its demand (chaingame/delays.py), so random delays
    leave the demand of every replication unchanged.
    """
    if not len(net.delay_links):
        return None
    return delays_mod.draw(net.delay_values, net.delay_cdf, net.delay_floor, net.delay_crossing,
                           delays_mod.generators(seed, replications, first), weeks)


WARM_UP = ("classic", "cash", "rationing", "assembly", "promotions", "lead-time-variability", "batching")


def warm_up() -> float:
    """Compile the week's kernels, or load them from numba's cache; the seconds it took.

    The physics (:mod:`chaingame.kernel`): two weeks of a few bundled scenarios that between them take every
    branch of the kernels' one signature each, the second in one call (:mod:`chaingame.weekkernel`). The books,
    the rules and the figures (:mod:`chaingame.bookkernel`, :mod:`chaingame.rulekernel`,
    :mod:`chaingame.figurekernel`): each kernel has one explicit signature, compiled or loaded when its module is
    imported. So a classroom's first week never waits on a compilation
    (``chaingame play`` calls it before it serves). Last, the weeks left in one call (:meth:`Engine.play`).
    """
    import time

    began = time.perf_counter()
    from . import bookkernel, figurekernel, rulekernel  # noqa: F401 - imported: every signature ready
    for name in WARM_UP:
        engine = Engine(name)
        engine.step()
        engine.step()
    engine = Engine("classic", replications=2)
    engine.reuse_flows = True
    engine.step(out={})
    engine.play(np.empty((1, engine.scenario.weeks, 4, 2)), np.zeros(1, np.int64), spread=(0,), peaks=(True,))
    return time.perf_counter() - began


class Engine:
    """A scenario played week by week for R replications at once.

    Args:
        scenario: a :class:`Scenario`, a bundled name or a path.
        replications: R, runs side by side (same rules, independent demand draws).
        seed: the run's seed (default: the scenario's).
        policies: rules replacing the scenario's, by firm id.
        first_replication: index of the first replication (chunks of a larger batch).

    Attributes:
        reuse_flows: the week in one call (:meth:`step`) writes each week's :attr:`flows` into the same arrays,
            which stay in cache (docs/design.md, *Measured*): a past week's flows are then overwritten. Set by
            the batch drivers (:func:`chaingame.batch.run_arrays`, :func:`~chaingame.batch.run_figures`), which
            keep none.
    """

    reuse_flows = False

    def __init__(self, scenario, replications: int = 1, seed: int | None = None,
                 policies: Mapping | None = None, first_replication: int = 0):
        self.scenario = sc = load_scenario(scenario)
        self.replications = int(number(replications, "replications", low=1, integer=True))
        self.seed = sc.seed if seed is None else check_seed(seed)
        first_replication = int(number(first_replication, "first_replication", low=0, integer=True))
        self.net = sc.network()
        self.state = sc.initial_state(self.replications)
        self.policies, self.capacity_rules = resolve_rules(sc, policies)
        self.memory = [{} for _ in sc.firms]
        self.capacity_memory = [{} for _ in sc.firms]
        processes = sc.demand_processes()
        rngs = generators(self.seed, self.replications, first_replication) if any(p.random for p in processes) \
            else [None] * self.replications
        self.demand = demand_mod.paths(processes, rngs, sc.weeks, sc.whole_units)
        self.delays = draw_delays(self.net, self.seed, self.replications, first_replication, sc.weeks)
        self.flows: Flows | None = None
        self.wip: np.ndarray | None = None
        self.observations: list[Observation] | None = None
        net = self.net  # vendor-managed firms: (firm, its supplier, its row in the supplier's VmiView)
        self.vmi = [(int(c), int(s), int(np.sum(net.vmi[:k] & (net.supplier[:k] == s))))
                    for k, (s, c) in enumerate(zip(net.supplier, net.customer)) if net.vmi[k]]
        # firms deciding together on their rows of the books (step), or None: each on its own observation
        orders, capacity = stacked_groups(self.policies, bool(self.vmi)), stacked_groups(self.capacity_rules)
        self.groups = None if orders is None or capacity is None else (orders, capacity)
        self._stack_cache = None
        self._fused_pack: _Packed | bool | None = None  # the rules packed for the compiled week (False: not all)
        self._record_fixed: tuple | None = None  # the record's tables and scratch rows (bookkernel.record)

    @property
    def week(self) -> int:
        """The week in play from :meth:`begin_week` on, until the next one begins (0 at the start)."""
        return self.state.week

    @property
    def done(self) -> bool:
        """Whether the horizon has been played."""
        return self.state.week >= self.scenario.weeks

    def begin_week(self, observe: bool = True) -> list[Observation] | None:
        """Play the next week up to the decisions; return every firm's observation (unless not ``observe``)."""
        if self.done:
            raise ScenarioError("weeks", f"the run has reached its horizon, {self.scenario.weeks} weeks")
        week = self.state.week
        delays = None if self.delays is None else self.delays[week]
        self.wip = None  # production under way this week, (F, R), once computed (books())
        self.flows = advance(self.net, self.state, self.demand[week], delays)
        self.observations = observe_all(self.net, self.state, self.flows, self.scenario.information) if observe \
            else None
        return self.observations

    def decide(self, observations: list[Observation]) -> tuple[np.ndarray, np.ndarray]:
        """Every firm's order and capacity target by its own rule (F, R each).

        A vendor-managed firm places no order of its own: its supplier decides it, by the link's
        VMI rule run on what the supplier's observation shows of that firm (:func:`vmi_observation`).
        """
        seen = self.order_observations(observations)
        orders = np.stack([p.decide(o, m) for p, o, m in zip(self.policies, seen, self.memory)])
        capacity = np.stack([
            c.target(o, m) if c is not None else o.capacity
            for c, o, m in zip(self.capacity_rules, observations, self.capacity_memory)
        ])
        return orders, capacity

    def order_observations(self, observations: list[Observation]) -> list[Observation]:
        """What each firm's order rule decides on.

        Its own observation, but for a vendor-managed firm its supplier's view of it
        (:func:`~chaingame.observe.vmi_observation`).
        """
        if not self.vmi:
            return observations
        seen = list(observations)
        for c, s, row in self.vmi:
            seen[c] = vmi_observation(observations[s], row, self.net.roles[c])
        return seen

    def end_week(self, orders: np.ndarray, capacity: np.ndarray | None = None,
                 out: dict[str, np.ndarray] | Rows | None = None, totals=None) -> dict[str, np.ndarray]:
        """Place the orders and capacity targets; return the week's record, (F, R) per column.

        The record is written into ``out``'s arrays (or :class:`Rows`) when given, and added to ``totals``
        (a :class:`~chaingame.metrics.Totals`) when given.
        """
        place(self.net, self.state, self.flows, orders, capacity)
        return record(self, out, totals)

    def step(self, out: dict[str, np.ndarray] | Rows | None = None, totals=None) -> dict[str, np.ndarray]:
        """One whole week with every firm deciding by its rule.

        Where every rule is stackable (:attr:`groups`), the firms with the same rule decide at once on their
        rows of the books (:meth:`decide_books`), and no per-firm observation is built: the same decisions,
        for less.
        """
        if self.groups is None:
            return self.end_week(*self.decide(self.begin_week()), out=out, totals=totals)
        packed = self._packed()
        if packed is not None:
            return self._week_in_one(packed, out, totals)
        self.begin_week(observe=False)
        return self.end_week(*self.decide_books(self.books()), out=out, totals=totals)

    def _packed(self, fresh: bool = False) -> _Packed | None:
        """The rule groups packed for the week in one call (:mod:`chaingame.weekkernel`), or None: not this week.

        Only where every group's rule is one of :data:`_COMPILED` and its memory is made (from the second week on),
        or, where ``fresh``, is not made yet (its first decision in the call: :meth:`play`).
        """
        packed = self._fused_pack
        if packed is False or self.done:
            return None
        if packed is None and not all((type(rule) in _COMPILED or type(rule) is FixedCapacity)
                                      and getattr(rule, "signal", "orders") == "orders"
                                      for groups in self.groups for rule, _ in groups):
            self._fused_pack = False
            return None
        stacks = self._stacks[0] + self._stacks[1]
        if packed is None or not packed.held():
            packed = self._fused_pack = _Packed.of(stacks, self.replications, fresh)
        return packed

    def _week_in_one(self, packed: _Packed, out, totals) -> dict[str, np.ndarray]:
        """:meth:`step` as one compiled call (:func:`chaingame.weekkernel.week`): the same steps, tile by tile."""
        week = self.state.week
        self.state.week = week + 1
        args, flows = _advance_args(self.net, self.state, self.demand[week],
                                    None if self.delays is None else self.delays[week], self._flows_into())
        block, row, cols, sums, sum_cols, first = _record_into(self, out, totals)
        lazy.compiled("weekkernel").week(*args, *self._fused_args(packed), block, row, cols, sums, sum_cols, first,
                                         self._record_fixed[-1], FUSED_TILE or self.replications)
        self._fused_done(flows)
        return _recorded(out, totals, block, row, cols)

    def play(self, block: np.ndarray, index: np.ndarray, totals=None, burn_in: int = 0,
             spread: tuple[int, ...] = (), peaks: tuple[bool, ...] = ()) -> list[tuple] | None:
        """Play the weeks left, week w's record (w = 1 .. W) into ``Rows(block, index, w - 1 - burn_in)``.

        And added to ``totals`` when given; the weeks up to ``burn_in`` are not recorded. Where the week is played
        in one call (:meth:`step`) and no past week's flows are kept (:attr:`reuse_flows`), the weeks left are one
        call (:func:`chaingame.weekkernel.weeks`): block of replications after block, every week of a block while
        its state is in a core's cache; a return (whose refund depends on the other replications of its block)
        keeps the weeks one call each. Then, for each ``block[i]`` of ``spread``, it returns (variance, largest,
        first week of it) over the weeks recorded (:func:`chaingame.figurekernel.spread`; the last two where
        ``peaks[i]``, else None), (F, R) each; None where the weeks were not one call. Where every column recorded
        is one of ``spread`` (figures only), the call keeps its weeks in a buffer of one block of replications,
        not in ``block``.
        """
        while not self.done:
            w = self.state.week
            packed = self._packed(fresh=w == 0) if self.groups is not None and self.reuse_flows \
                and not self.net._returns else None
            if packed is not None:
                return self._weeks_in_one(packed, block, index, totals, burn_in, spread, peaks)
            if w < burn_in:
                self.step(out={})
            else:
                self.step(out=Rows(block, index, w - burn_in), totals=totals)
        return None

    def _weeks_in_one(self, packed: _Packed, block, index, totals, burn_in: int, spread, peaks) -> list[tuple]:
        """:meth:`play` as one compiled call."""
        state, W = self.state, self.scenario.weeks
        t0 = state.week + 1
        args, flows = _advance_args(self.net, state, self.demand[W - 1], None, self._flows_into())
        delays = np.zeros((W, 0, 0), np.int64) if self.delays is None else lazy.given(self.delays, np.int64)
        args = (*args[:2], t0, W, *args[3:17], lazy.given(self.demand), delays, *args[19:])
        if totals is None:
            sums, sum_cols, first = _NO_BLOCK, _NONE, 0
        else:
            sums, sum_cols = totals.block, totals.index
            first = max(burn_in + 1, t0) if totals.weeks == 0 else 0
            totals.weeks += W - max(burn_in, t0 - 1)
        n, F, R = len(spread), *state.inventory.shape
        mean, var, highest, at = np.empty((n, F * R)), np.empty((n, F * R)), np.empty((n, F * R)), \
            np.empty((n, F * R), np.int64)
        local = block  # where the weeks go: the block, or where only figures are kept, one block's buffer
        if R > WEEKS_TILE and n == len(index):
            local = np.empty((*block.shape[:3], WEEKS_TILE))
        lazy.compiled("weekkernel").weeks(
            *args, *self._fused_args(packed), block, burn_in, index, sums, sum_cols, first, self._record_fixed[-1],
            local, WEEKS_TILE, np.array(spread, np.int64), np.array(peaks, bool), mean, var, highest, at,
            packed.fresh)
        packed.fresh = False
        state.week = W
        self._fused_done(flows)
        return [(var[i].reshape(F, R), *((highest[i].reshape(F, R), at[i].reshape(F, R)) if peaks[i] else (None, None)))
                for i in range(n)]

    def _flows_into(self) -> tuple | None:
        """The arrays the week's flows go into where :attr:`reuse_flows` (the same every week), else None: new ones."""
        if not self.reuse_flows:
            return None
        into = self.__dict__.get("_flow_arrays")
        if into is None:
            into = self._flow_arrays = flow_arrays(self.net, self.replications)
        return into

    def _fused_args(self, packed: _Packed) -> tuple:
        """The compiled week's arguments after the physics': the rules, their books and orders, the record's tables."""
        F, R = self.state.inventory.shape
        wip, line, decisions, targets, placed = self._fused_rows = np.empty((5, F, R))
        self._fused_returned = returned = np.empty(R)
        _record_into(self, {}, None)
        _, _, seen_off, seen_mem, _ = self._record_fixed
        return (*packed.arrays, wip, line, decisions, targets, placed, returned, np.empty((self.net.n_links + 1, R)),
                seen_off, seen_mem)

    def _fused_done(self, flows) -> None:
        """The engine's books after the compiled week: its flows, production under way and orders placed."""
        wip, _, _, _, placed = self._fused_rows
        self.flows, self.wip, self.observations = flows(), wip, None
        self.flows.order = self.state.last_order = placed
        self.flows.returned = self._fused_returned

    def books(self) -> dict[str, np.ndarray]:
        """Every firm's own books this week (:func:`~chaingame.observe.own_books`), after :meth:`begin_week`.

        Their WIP is kept as :attr:`wip` (placing the orders leaves production under way as it is).
        """
        values = own_books(self.net, self.state, self.flows, self.scenario.information)
        self.wip = values["wip"]
        return values

    def decide_books(self, books: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Every firm's order and capacity target (F, R each), the firms of each of :attr:`groups` at once.

        ``books`` are this week's :func:`~chaingame.observe.own_books`, after :meth:`begin_week`.
        """
        orders, capacity = np.empty_like(books["inventory"]), books["capacity"].copy()
        for group in self._stacks[0]:
            orders[group.at] = group.decide(self, books)
        for group in self._stacks[1]:
            capacity[group.at] = group.decide(self, books)
        return orders, capacity

    @property
    def _stacks(self) -> tuple[list[_Stack], list[_Stack]]:
        """:attr:`groups` as :class:`_Stack` s, built on first use.

        Firms keeping their capacity (:class:`FixedCapacity`, no memory) are left out: :meth:`decide_books` starts
        from the capacity in force, which is their target.
        """
        if self._stack_cache is None:
            orders, capacity = self.groups
            self._stack_cache = (
                [_Stack(rule.decide, members, self.net.firms, self.memory) for rule, members in orders],
                [_Stack(rule.target, members, self.net.firms, self.capacity_memory) for rule, members in capacity
                 if type(rule) is not FixedCapacity],
            )
        return self._stack_cache


class _Stack:
    """Firms ``members``, all playing one rule (its ``decide`` or ``target``), deciding at once (n, R).

    The rule sees an :class:`Observation` of (n, R) arrays, the members' rows of the books; its memory holds
    their rows stacked, and each firm's memory gets its row back, a view (so that :meth:`Engine.decide` may take
    over). The stacked memory is kept from week to week while the firms' memories still hold its rows.
    """

    def __init__(self, decide, members: np.ndarray, firms: tuple[str, ...], memory: list[dict]):
        self.rule_decide, self.members = decide, members
        self.at = rows_of(members)  # a run of rows is a view (the books' arrays are read, never written)
        self.every = isinstance(self.at, slice) and len(members) == len(firms)  # all the firms: the books as they are
        self.label = ",".join(firms[f] for f in members)
        self.memories = [memory[f] for f in members]
        self.stacked: dict = {}
        self.given: list[tuple] = [() for _ in members]  # the (key, row) pairs each firm's memory was given last

    def held(self) -> bool:
        """Whether each firm's memory holds just the rows it was given last (nothing replaced them since)."""
        return all(len(m) == len(pairs) and all(m.get(k) is v for k, v in pairs)
                   for m, pairs in zip(self.memories, self.given))

    def decide(self, engine: Engine, books: dict[str, np.ndarray]) -> np.ndarray:
        """The members' decisions this week (n, R)."""
        memories, fresh = self.memories, False
        for m, pairs in zip(memories, self.given):
            if len(m) != len(pairs) or any(m.get(k) is not v for k, v in pairs):  # changed since: stack it again
                self.stacked, fresh = {k: np.stack([m[k] for m in memories]) for k in memories[0]}, True
                break
        stacked, at = self.stacked, self.at
        arrays = tuple(stacked.values())
        obs = _observation(firm=self.label, role="", week=engine.state.week,
                           **(books if self.every else {k: v[at] for k, v in books.items()}))
        out = self.rule_decide(obs, stacked)
        if fresh or len(arrays) != len(stacked) or any(a is not b for a, b in zip(arrays, stacked.values())):
            # new arrays in the stacked memory: give each firm its rows
            self.given = [tuple((k, v[i]) for k, v in stacked.items()) for i in range(len(memories))]
            for m, pairs in zip(memories, self.given):
                m.update(pairs)
        return out


_COMPILED = {Sterman: ("expected", ("theta", "alpha_s", "beta", "s_prime")), BaseStock: (None, ("level",)),
             TrackDemand: ("forecast", ("theta", "margin", "backlog_weeks"))}  # rule: (its memory, its parameters)


# replications of a block of the week in one call (chaingame/weekkernel.py); None: all of them, one block, which
# measured best at R = 1, 2,000 and 10,000 (benchmarks/week_blocks.py)
FUSED_TILE: int | None = None
# replications of a block of the weeks in one call (Engine.play): a block's state in a core's L2 from week to week
# (R = 10,000: with fewer passes a week, 512 measured 2-3% faster than 256 on classic, assembly and capacity, and
# as fast on batching and stochastic; 128 10% and 64 40% slower, each pass's start-up paid more often)
WEEKS_TILE = 512


class _Packed:
    """The rule groups of :meth:`Engine._stacks` packed for :func:`chaingame.rulekernel.decide_range`.

    Their memories are rows of one block (``memory``): each group's stacked memory is its run of rows, a view,
    and each firm's memory holds its row, so the rules' own :meth:`~Policy.decide` would update the same numbers.
    """

    def __init__(self, arrays: tuple, held: list[tuple[_Stack, str, np.ndarray]], fresh: bool = False):
        self.arrays, self._held = arrays, held
        self.fresh = fresh  # the memories are not made yet: they start in the next call (the rules' first decision)

    @classmethod
    def of(cls, stacks: list[_Stack], replications: int, fresh: bool = False) -> _Packed | None:
        """The groups packed, or None while a group's memory is not made (or not a rule's own as it makes it).

        Where ``fresh`` and no firm's memory holds anything yet, packed with memories that start in the next call.
        """
        rk = lazy.compiled("rulekernel")
        codes = {Sterman: rk.STERMAN, BaseStock: rk.BASE_STOCK, TrackDemand: rk.TRACK_DEMAND}
        rules = [s.rule_decide.__self__ for s in stacks]
        keys = [_COMPILED[type(rule)][0] for rule in rules]
        fresh = fresh and not any(m for s in stacks for m in s.memories)
        for s, key in zip(stacks, keys):
            if key is not None and not fresh and (list(s.stacked) != [key] or not s.held()):
                return None
        n = [len(s.members) if key else 0 for s, key in zip(stacks, keys)]
        rows = np.cumsum([0] + n[:-1]).astype(np.int64)
        memory = np.empty((sum(n), replications))
        held = []
        for s, key, a, m in zip(stacks, keys, rows, n):
            if key is not None:
                view = memory[a:a + m]
                if not fresh:
                    view[...] = s.stacked[key]
                s.stacked = {key: view}
                s.given = [((key, view[i]),) for i in range(m)]
                for mem, pairs in zip(s.memories, s.given):
                    mem.update(pairs)
                held.append((s, key, view))
        params = np.zeros((len(stacks), 5))  # the rule's parameters, then where its memory starts (NaN: the signal)
        for g, rule in enumerate(rules):
            values = [getattr(rule, p) for p in _COMPILED[type(rule)][1]]
            params[g, :len(values)] = values
            params[g, 4] = rule.start if type(rule) is Sterman else np.nan
        offsets = np.cumsum([0] + [len(s.members) for s in stacks]).astype(np.int64)
        members = np.concatenate([s.members for s in stacks]).astype(np.int64) if stacks else np.zeros(0, np.int64)
        codes = np.array([codes[type(rule)] for rule in rules], dtype=np.int64)
        return cls((codes, params, offsets, members, rows, memory), held, fresh)

    def held(self) -> bool:
        """Whether every group's memory is still the packed block's rows (nothing replaced it since)."""
        return all(s.stacked.get(key) is view and len(s.stacked) == 1 and s.held() for s, key, view in self._held)


COLUMN_INDEX = {c: i for i, c in enumerate(COLUMNS)}
_ALL = np.arange(len(COLUMNS), dtype=np.int64)
_NONE = np.zeros(0, np.int64)
_NO_BLOCK = np.zeros((0, 0, 0))
_NO_WEEKS = np.zeros((0, 0, 0, 0))


@dataclass(frozen=True)
class Rows:
    """Where a week's record goes: ``block[i, week]`` (F, R) is column ``COLUMNS[index[i]]`` (a history's week)."""

    block: np.ndarray  # (n, W, F, R), C-contiguous: block[i] is a column's (W, F, R) history
    index: np.ndarray  # (n,) int64 column numbers of COLUMNS
    week: int = 0  # the week's row, 0 .. W - 1


def record(engine: Engine, out: dict[str, np.ndarray] | Rows | None = None, totals=None) -> dict[str, np.ndarray]:
    """The end-of-week books of every firm, (F, R) arrays keyed by :data:`COLUMNS`.

    Written into ``out``'s arrays when given (a dict of arrays, or :class:`Rows` of a block), and added to
    ``totals`` (:class:`~chaingame.metrics.Totals`) when given; then only the columns these ask for are
    computed. One call of :func:`chaingame.bookkernel.record`, which defines the columns: the state's and the
    week's flows as they are, ``wip`` the production under way, ``on_order`` the supply line after the
    orders (:func:`~chaingame.chain.supply_line`), ``capacity`` NaN for firms that do not produce,
    ``customer_demand`` the end-customer demand each firm serves, ``profit`` revenue − purchases − cost
    (− interest), and the books of :mod:`chaingame.money` (0 without money rules).
    """
    state, flows = engine.state, engine.flows
    block, week, cols, sums, sum_cols, first = _record_into(engine, out, totals)
    ip, fp, seen_off, seen_mem, scratch = engine._record_fixed
    lazy.call(_books().record, (
        ip, fp, seen_off, seen_mem, state.inventory, flows.backlog, flows.incoming, flows.order, flows.shipped,
        flows.received, flows.cost, state.raw, flows.produced, flows.on_time, flows.lost, flows.revenue,
        flows.purchases, flows.cost if flows.interest is None else flows.interest, state.cash, state.capacity,
        state.backlog, state.mail, state.transit, state.wip, _NO_FLOATS if state.parts is None else state.parts,
        _NO_RING if state.payments is None else state.payments,
        _NO_FLAGS if state.insolvent is None else state.insolvent, flows.demand, block, week, cols, sums, sum_cols,
        first, scratch))
    return _recorded(out, totals, block, week, cols)


def _record_into(engine: Engine, out, totals) -> tuple:
    """Where :func:`record` writes: (block, its week's row, its columns, the sums, their columns, first week's sums).

    Keeps the network's tables and the record's scratch rows on the engine (``_record_fixed``).
    """
    F, R = engine.state.inventory.shape
    week = 0
    if isinstance(out, Rows):
        block, cols, week = out.block, out.index, out.week
    elif out is None and totals is None:
        block, cols = np.empty((len(COLUMNS), 1, F, R)), _ALL
    elif not out:
        block, cols = _NO_WEEKS, _NONE
    else:
        cols = np.array([COLUMN_INDEX[c] for c in out], dtype=np.int64)
        block = np.empty((len(cols), 1, F, R))
    if totals is None:
        sums, sum_cols, first = _NO_BLOCK, _NONE, False
    else:
        sums, sum_cols, first = totals.block, totals.index, totals.weeks == 0
    fixed = engine._record_fixed
    if fixed is None or fixed[-1].shape[1] != R:  # the network's tables and the scratch rows, kept
        net = engine.net
        engine._record_fixed = (*tables(net), *net.seen_tables, np.empty((5 * F + 2 * net.n_links + 1, R)))
    return block, week, cols, sums, sum_cols, first


def _recorded(out, totals, block: np.ndarray, week: int, cols: np.ndarray) -> dict[str, np.ndarray]:
    """:func:`record`'s result once the week is written: the columns asked for, (F, R) each."""
    if totals is not None:
        totals.weeks += 1
    if isinstance(out, dict) and out:
        for c, column in zip(out, block):
            out[c][...] = column[0]
        return out
    if cols is _ALL:
        return dict(zip(COLUMNS, block[:, week]))
    return {COLUMNS[i]: column[week] for i, column in zip(cols, block)}


def tables(net: Network) -> tuple[np.ndarray, np.ndarray]:
    """The network packed for the compiled week (:func:`chaingame.kernel.tables`): the int and float tables."""
    return net.kernel_tables[:2]
