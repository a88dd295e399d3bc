"""One team's game: the engine fed with the team's decision log, one week at a time.

A team plays one whole chain. Its state is never stored: it is rebuilt by replaying the log,
``Engine(scenario, replications=1, seed=session seed)`` then, for each week, ``begin_week()`` and
``end_week(orders, capacity)`` with the logged decisions. Live play and replay run the very same
methods (:meth:`TeamGame.open`, :meth:`TeamGame.add`, :meth:`TeamGame.close`), so a replayed team
is the team that was played.

Bots come in through the players' door: when a week opens, the session's bot rule decides for
every firm from the same :class:`~chaingame.observe.Observation` a player's page is built from
(``Engine.decide``, so a rule's memory follows the whole game whoever plays the seat). That
decision is used, and logged like a human's with ``decided_by = "bot"``, only for seats played by
a bot, or late when the timer runs out or the host advances the team.

This module knows nothing of the database, the clock or the lock.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, fields

import numpy as np

from ..chain import accepted_order
from ..engine import COLUMNS, Engine
from ..information import Information, covers
from ..observe import Observation
from ..scenario import Scenario
from .inputs import _num
from .seatinfo import SeatRules, seat_rules
from .views import ChainRow, SeatObservation, SeatWeek


@dataclass(frozen=True)
class Decision:
    """A seat's accepted decision for one week, as logged."""

    firm: str
    order: float  # units, as placed (chain.accepted_order: fixed orders, whole units, >= 0 unless returns)
    capacity: float | None  # capacity target (producers), None otherwise
    decided_by: str  # "human" or "bot"
    reason: str  # "player", "bot_seat", "timer" or "host"
    player: str | None  # the seat's player at the time
    submitted_at: float


_FIELDS = tuple(f.name for f in fields(Decision))


class Weeks(Sequence):
    """The decisions of the closed weeks, ``weeks[i]`` a dict firm -> :class:`Decision`, stored as plain tuples.

    Tuples of numbers and text are not tracked by Python's garbage collector, whose full collections
    pause every thread for a time that grows with the objects it tracks; 4 Decision objects and a dict
    per team-week, held for a server's every session, would grow that pause with the weeks it holds.
    """

    def __init__(self):
        self._weeks: list[tuple[tuple, ...]] = []

    def append(self, week: dict[str, Decision]) -> None:
        """Keep a closed week's decisions."""
        self._weeks.append(tuple(tuple(getattr(d, n) for n in _FIELDS) for d in week.values()))

    def __len__(self) -> int:
        return len(self._weeks)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self._read(w) for w in self._weeks[i]]
        return self._read(self._weeks[i])

    @staticmethod
    def _read(week: tuple[tuple, ...]) -> dict[str, Decision]:
        return {d[0]: Decision(*d) for d in week}


class TeamGame:
    """A team's chain and the log of its decisions.

    Args:
        scenario: the session's scenario.
        seed: the session's seed (every team the same: same customer demand).
        bot_policies: the bots' order rules by firm id (None: the scenario's rules).
        team: the team number (1, 2, ...).
    """

    def __init__(self, scenario: Scenario, seed: int, bot_policies: dict | None, team: int):
        self.team = team
        self.scenario = scenario
        self.engine = Engine(scenario, replications=1, seed=seed, policies=bot_policies)
        self.firms = scenario.firm_ids
        # vendor-managed firms: their supplier's VMI rule orders for them (vmi links)
        self.vendor_managed = frozenset(k.customer for k in scenario.links if k.vmi is not None)
        self._firm = {f.id: f for f in scenario.firms}
        self.records: list[dict[str, np.ndarray]] = []  # closed weeks: column -> (F,) values
        self.log = Weeks()  # closed weeks: firm -> decision
        self.opened: list[float | None] = []  # closed weeks: when each was put to the players
        self.pending: dict[str, Decision] = {}  # the open week's decisions so far
        self.observations: dict[str, SeatObservation] = {}
        self.bot: dict[str, tuple[float, float | None]] = {}  # the bot rule's decision this week, per firm
        self.capacity_target = {f.id: f.production.capacity for f in scenario.firms if f.production}
        self.current: int | None = None  # the week being decided; None once every week is played
        self.opened_at: float | None = None
        self.deadline: float | None = None
        self._histories: dict[str, tuple[SeatWeek, ...]] = {}  # seat_history per firm, as of the last close()
        self._rules: dict[str, SeatRules] = {}  # seat_rules per firm: the same all game long
        self.open()

    # the week's cycle ------------------------------------------------------------------------------
    def open(self) -> None:
        """Play the next week up to the decisions; the bot rule decides for every firm (shadow)."""
        self.pending = {}
        self.opened_at = self.deadline = None
        if self.engine.done:
            self.current, self.observations, self.bot = None, {}, {}
            return
        obs = self.engine.begin_week()
        self.current = self.engine.week
        mode = self.scenario.information
        self.observations = {o.firm: snapshot(o, mode, o.firm in self.capacity_target) for o in obs}
        orders, capacity = self.engine.decide(obs)
        self.bot = {f: (self.effective_order(f, float(orders[i, 0])), self._bot_capacity(f, float(capacity[i, 0])))
                    for i, f in enumerate(self.firms)}

    def add(self, decision: Decision) -> bool:
        """Record a decision of the open week; True when every firm has decided."""
        self.pending[decision.firm] = decision
        return self.complete

    @property
    def complete(self) -> bool:
        """Whether every firm has decided the open week."""
        return self.current is not None and len(self.pending) == len(self.firms)

    def close(self) -> None:
        """Place every firm's decision (the engine's ``end_week``), keep the week's books, open the next."""
        orders = np.array([[self.pending[f].order] for f in self.firms], float)
        capacity = np.array([[self._capacity_or_zero(self.pending[f].capacity)] for f in self.firms], float)
        books = self.engine.end_week(orders, capacity)
        self.records.append({c: np.array(books[c][:, 0], float) for c in COLUMNS})
        self.log.append(self.pending)
        self.opened.append(self.opened_at)
        for f, d in self.pending.items():
            if d.capacity is not None and f in self.capacity_target:
                self.capacity_target[f] = d.capacity
        self.open()

    # rules of a decision ----------------------------------------------------------------------------
    def fixed_order(self, firm: str, week: int | None = None) -> float | None:
        """The order the scenario imposes on ``firm`` in ``week`` (default: the open week), or None.

        As in weeks 1-4 of Sterman's game.
        """
        week = self.current if week is None else week
        fixed = self.engine.net.fixed_orders
        if week is None or not 1 <= week <= fixed.shape[1]:
            return None
        order = fixed[self.firms.index(firm), week - 1]
        return None if np.isnan(order) else float(order)

    def decides_capacity(self, firm: str) -> bool:
        """Players choose capacity for producers whose capacity is finite (a real constraint)."""
        p = self._firm[firm].production
        return p is not None and math.isfinite(p.capacity)

    def allows_returns(self, firm: str) -> bool:
        """Whether ``firm`` may order a negative quantity (return goods to its suppliers)."""
        return bool(self.engine.net.returns[self.firms.index(firm)])

    def effective_order(self, firm: str, order: float, week: int | None = None) -> float:
        """An order as the physics will place it at the end of ``week`` (default: the open week).

        See :func:`chaingame.chain.accepted_order`.
        """
        week = self.current if week is None else week
        return accepted_order(self.engine.net, week, self.firms.index(firm), order)

    def order_terms(self, firm: str, week: int | None = None) -> str:
        """What becomes of a typed order in ``week`` (default: the open week), for the order field's hint.

        "" where it is placed as typed; else the batching rules of :func:`chaingame.chain._batched`
        (Lee, Padmanabhan & Whang 1997): no order outside a review week, a minimum order, whole packs.
        """
        week = self.current if week is None else week
        if week is None or self.fixed_order(firm, week) is not None:
            return ""
        net, i = self.engine.net, self.firms.index(firm)
        period, phase = int(net.review_period[i]), int(net.review_phase[i])
        if (week - 1 - phase) % period:
            nxt = week + period - (week - 1 - phase) % period
            return f"not a review week: nothing is ordered this week (next review: week {nxt})"
        low, pack = float(net.min_order[i]), float(net.pack[i])
        terms = ([f"raised to at least {_num(low)}"] if low > 0 else []) + (
            [f"rounded up to packs of {_num(pack)}"] if pack > 0 else [])
        return f"a positive order is {' and '.join(terms)}" if terms else ""

    def human_capacity(self, firm: str, capacity: float | None) -> float | None:
        """A player's capacity target as it will apply.

        Theirs; None keeps their last target; the bot's where players do not decide capacity; None for a firm
        that does not produce.
        """
        if firm not in self.capacity_target:
            return None
        if not self.decides_capacity(firm):
            return self.bot[firm][1]
        return self.capacity_target[firm] if capacity is None else float(capacity)

    def _bot_capacity(self, firm: str, capacity: float) -> float | None:
        return capacity if firm in self.capacity_target else None

    @staticmethod
    def _capacity_or_zero(capacity: float | None) -> float:
        return 0.0 if capacity is None else capacity

    # what pages see ---------------------------------------------------------------------------------
    @property
    def week(self) -> int:
        """The week on the pages: the one being decided, or the last one played."""
        return self.current if self.current is not None else len(self.records)

    @property
    def done(self) -> bool:
        """Whether every week of the horizon has been played."""
        return self.current is None

    def firm_cost(self, firm: str) -> float:
        """The firm's cost so far, summed over the closed weeks ($)."""
        i = self.firms.index(firm)
        return float(sum(r["cost"][i] for r in self.records))

    def cost(self) -> float:
        """The team's cost so far, every firm over the closed weeks ($)."""
        return float(sum(r["cost"].sum() for r in self.records))

    def seat_rules(self, firm: str) -> SeatRules:
        """The chain and ``firm``'s rules, as its page shows them (:func:`~chaingame.classroom.seatinfo.seat_rules`)."""
        if firm not in self._rules:
            self._rules[firm] = seat_rules(self.scenario, firm, self.engine.net.money)
        return self._rules[firm]

    def seat_history(self, firm: str) -> tuple[SeatWeek, ...]:
        """The firm's own past weeks: its decisions and its own books (end-customer demand only if seen).

        Kept, and extended by the weeks closed since it was last read (every page of the session reads
        it after each change; closed weeks never change).
        """
        known = self._histories.get(firm, ())
        if len(known) < len(self.records):
            known = self._histories[firm] = known + self._seat_history(firm, len(known))
        return known

    def _seat_history(self, firm: str, start: int) -> tuple[SeatWeek, ...]:
        """``firm``'s weeks from ``start`` + 1 (1-based) to the last closed one."""
        i = self.firms.index(firm)
        sees_demand = covers(self.scenario.information, Information.POS)
        producer = firm in self.capacity_target
        rows = []
        for week, (rec, decided) in enumerate(zip(self.records[start:], self.log[start:]), start=start + 1):
            d = decided[firm]
            v = {c: float(rec[c][i]) for c in COLUMNS}
            rows.append(SeatWeek(
                week=week, order=v["order_placed"], capacity_target=d.capacity, decided_by=d.decided_by,
                incoming=v["incoming_order"], received=v["received"], shipped=v["shipped"],
                inventory=v["inventory"], backlog=v["backlog"], on_order=v["on_order"], raw=v["raw"], wip=v["wip"],
                lost=v["lost"], capacity=v["capacity"] if producer else None, cost=v["cost"], revenue=v["revenue"],
                purchases=v["purchases"], profit=v["profit"], cash=v["cash"],
                demand=v["customer_demand"] if sees_demand else None,
                reason=d.reason, player=d.player, decided=d.order, receivables=v["receivables"],
                payables=v["payables"], interest=v["interest"], insolvent=bool(v["insolvent"]),
                working_capital=v["working_capital"],
            ))
        return tuple(rows)


def snapshot(obs: Observation, mode: str, producer: bool) -> SeatObservation:
    """A page's copy of an observation: plain floats, taken at once (the engine's arrays change later)."""
    chain = None
    if covers(mode, Information.FULL) and obs.chain is not None:
        c = obs.chain
        chain = tuple(ChainRow(f, float(c.inventory[i, 0]), float(c.backlog[i, 0]), float(c.on_order[i, 0]),
                               float(c.incoming[i, 0]), float(c.order[i, 0])) for i, f in enumerate(c.firms))
    return SeatObservation(
        inventory=float(obs.inventory[0]),
        backlog=float(obs.backlog[0]),
        raw=float(obs.raw[0]),
        wip=float(obs.wip[0]),
        on_order=float(obs.on_order[0]),
        position=float(obs.position[0]),
        incoming=float(obs.incoming[0]),
        received=float(obs.received[0]),
        shipped=float(obs.shipped[0]),
        last_order=float(obs.last_order[0]),
        capacity=float(obs.capacity[0]) if producer else None,
        cost=float(obs.cost[0]),
        cash=float(obs.cash[0]),
        demand=float(obs.demand[0]) if covers(mode, Information.POS) and obs.demand is not None else None,
        chain=chain,
        price=float(obs.price[0]),
        **{k: None if getattr(obs, k) is None else float(getattr(obs, k)[0])
           for k in ("receivables", "payables", "committed", "can_pay")},
    )
