"""Snapshots the classroom service hands to pages: frozen dataclasses of plain values.

A page renders these and calls the service back; it never holds the game. A :class:`SeatView` is
built on the server from the seat's own :class:`~chaingame.observe.Observation` and its own past
weeks, so it carries nothing of another firm beyond what the information mode shows (``pos``:
end-customer demand; ``full``: every firm's books in :attr:`SeatObservation.chain`).

Times are ``time.time()`` seconds; quantities are units (cases) and money is $.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from .seatinfo import SeatRules

MODES = ("human", "bot", "open")  # who plays a seat; "open": a bot until a late player joins it
SHAPES = ("flat", "step up", "step down", "rising", "falling", "seasonal", "random")  # demand as a player may guess it


class Status(StrEnum):
    """A session's life: created, started, paused, over. A str: the database and exports hold its text."""

    LOBBY = "lobby"  # created: players join, nothing is played yet
    RUNNING = "running"  # started: orders are accepted
    PAUSED = "paused"  # paused by the host: no orders are accepted, week timers wait
    ENDED = "ended"  # over: the debrief is open to players


@dataclass(frozen=True)
class HostTicket:
    """What the host gets once, on creating a session. Only a hash of ``host_key`` is stored."""

    code: str
    host_key: str


@dataclass(frozen=True)
class SeatTicket:
    """A player's seat. Keep ``token`` (e.g. in the page URL or local storage) to come back after a refresh."""

    code: str
    team: int
    firm: str
    token: str


@dataclass(frozen=True)
class ChainRow:
    """One firm's public books (``full`` information only)."""

    firm: str
    inventory: float
    backlog: float
    on_order: float
    incoming: float
    last_order: float


@dataclass(frozen=True)
class SeatObservation:
    """The firm's books at the end of the week being decided, before it orders (see observe.py).

    Attributes:
        inventory: finished goods on hand. backlog: owed to its customers.
        raw: raw materials on hand (producers). wip: production under way (producers).
        on_order: supply line, ordered and not yet in finished stock. position: on hand - backlog + supply line.
        incoming: orders (or customer demand) received this week. received: goods that arrived.
        shipped: goods sent this week. last_order: the order placed last week.
        capacity: production capacity in force (producers; None otherwise).
        cost: this week's operating cost so far (the ordering cost is added when the order is placed).
        cash: money on hand.
        demand: end-customer demand this week (``pos`` and ``full``; None in ``silo``).
        chain: every firm's books (``full``; None otherwise).
        price: $/unit an order placed now is bought at.
        receivables, payables, committed, can_pay: the firm's own money books ($; see
            :class:`~chaingame.observe.Observation`); None without money rules. can_pay is inf with
            unlimited credit.
    """

    inventory: float
    backlog: float
    raw: float
    wip: float
    on_order: float
    position: float
    incoming: float
    received: float
    shipped: float
    last_order: float
    capacity: float | None
    cost: float
    cash: float
    demand: float | None = None
    chain: tuple[ChainRow, ...] | None = None
    price: float = 0.0
    receivables: float | None = None
    payables: float | None = None
    committed: float | None = None
    can_pay: float | None = None


@dataclass(frozen=True)
class SeatWeek:
    """One past week of the seat's own firm: its decision and its end-of-week books."""

    week: int
    order: float  # units ordered at the end of the week (the firm's order_placed)
    capacity_target: float | None  # capacity decided (producers)
    decided_by: str  # "human" or "bot"
    incoming: float
    received: float
    shipped: float
    inventory: float
    backlog: float
    on_order: float
    raw: float
    wip: float
    lost: float
    capacity: float | None  # capacity in force that week (producers)
    cost: float  # $ that week, ordering cost included
    revenue: float
    purchases: float
    profit: float
    cash: float
    demand: float | None  # end-customer demand (pos and full only)
    reason: str = ""  # why it was decided so: "player", "bot_seat", "timer" or "host" (Decision.reason)
    player: str | None = None  # the seat's player when it was decided
    decided: float | None = None  # the order as decided, before the insolvency rule capped it (``order``)
    receivables: float = 0.0  # $ its customers owe it (money rules; 0 otherwise)
    payables: float = 0.0  # $ it owes its suppliers
    interest: float = 0.0  # $ net interest paid that week
    insolvent: bool = False  # cash + credit could not cover what it owes (chaingame.money)
    working_capital: float = 0.0  # $ stock at its purchase price + receivables - payables


@dataclass(frozen=True)
class SeatDecision:
    """A decision made for a seat in the current week."""

    order: float
    capacity_target: float | None
    decided_by: str  # "human" or "bot"
    submitted_at: float


@dataclass(frozen=True)
class SeatView:
    """Everything a player's page may show: the seat's own observation and history, and the game's pace.

    Attributes:
        week: the week on the page, whose order is to be decided (the last week played once the team is done).
        weeks: the game's horizon; None while the host hides it (players see "week 12", not "of 36").
        status: the session's status (lobby, running, paused, ended).
        observation: this week's books (None once the team has played every week).
        history: the firm's past weeks, oldest first.
        decision: this seat's decision for ``week`` if made (None while it is still to decide).
        can_submit: the page may send an order now.
        waiting: seats of the team (this one included) still to decide this week.
        fixed_order: the order the scenario imposes this week (submit exactly this), or None.
        decides_capacity: the firm also decides a production capacity target (producers with finite capacity).
        max_order: the largest order (and capacity) accepted. allows_returns: negative orders allowed.
        deadline: when bots decide for late seats (None without a timer, or while not running).
        total_cost: the firm's cost over the weeks played ($).
        debrief_ready: the session has ended and :meth:`Classroom.debrief` is open to players.
        rules: the chain and the seat's rules (the diagram, cost rates, prices): no firm's state.
        notice: what a bot ordered in the seat's place last week, and why (None if the player decided).
        order_hint: what the order field accepts, as the service's check words it.
        order_note: what order batching does to this week's order (no order this week, packs), or "".
        message: the host's message to every player ("" for none).
        pacing: when the team's week closes (``orders``, ``timer``, ``teacher``, ``in_step``).
    """

    code: str
    title: str
    team: int
    firm: str
    role: str
    player: str
    status: Status
    week: int
    weeks: int | None
    information: str
    observation: SeatObservation | None
    history: tuple[SeatWeek, ...]
    decision: SeatDecision | None
    can_submit: bool
    waiting: int
    fixed_order: float | None
    decides_capacity: bool
    whole_units: bool
    allows_returns: bool
    max_order: float
    deadline: float | None
    done: bool
    total_cost: float
    debrief_ready: bool
    rules: SeatRules | None = None
    notice: str | None = None
    order_hint: str = ""
    message: str = ""
    pacing: str = "orders"
    order_note: str = ""


@dataclass(frozen=True)
class SeatStatus:
    """A seat as the host sees it."""

    firm: str
    role: str
    mode: str  # "human", "bot" or "open" (a bot until a late player joins)
    player: str | None  # None: a free human seat, or a bot seat
    submitted: bool  # decided for the team's current week
    decided_by: str | None  # "human" or "bot" once decided
    cost: float  # $ over the weeks played
    label: str | None = None  # the player's name, told apart from same-named players ("Ana #2")


@dataclass(frozen=True)
class TeamStatus:
    """A team (one whole chain) as the host sees it."""

    team: int
    week: int  # the week being decided (the last week played once done)
    done: bool
    cost: float  # $ over the weeks played, every firm
    seats: tuple[SeatStatus, ...]
    waiting: tuple[str, ...]  # firms still to decide this week
    deadline: float | None


@dataclass(frozen=True)
class HostView:
    """The host's dashboard: every team's week, who has submitted, who is awaited, cost so far."""

    code: str
    title: str
    scenario: str
    status: Status
    information: str
    weeks: int
    seed: int
    timer_seconds: float | None
    bot_rule: str  # e.g. "sterman(theta=0.36, ...)" or "scenario rules"
    created_at: float
    teams: tuple[TeamStatus, ...]
    free_seats: int
    players: int
    round: int = 1  # the round being played (2 on: started with the same teams and seats)
    changes: str = ""  # what this round changed from the one before, in words
    horizon_hidden: bool = False  # players do not see ``weeks``
    pacing: str = "orders"  # when a team's week closes (docs/classroom.md, Pacing)
    message: str = ""  # the host's message shown to every player


@dataclass(frozen=True)
class HostSession:
    """A session as the host's list shows it: named and dated, its status and the players seated now."""

    code: str
    title: str
    scenario: str
    created_at: float
    status: Status
    players: int = 0


@dataclass(frozen=True)
class CopyPlan:
    """What :meth:`~chaingame.classroom.service.Classroom.duplicate` of a session makes, for the host to confirm.

    The copy is the session's first round as configured now: ``weeks`` includes the ``weeks_added`` by
    reopening it for more weeks (what the class played).
    """

    title: str
    scenario: str
    weeks: int
    weeks_added: int
    teams: int


@dataclass(frozen=True)
class JoinView:
    """What a join page may show before a player has a seat: the session and its free seats."""

    code: str
    title: str
    scenario: str
    status: Status
    teams: int
    firms: tuple[tuple[str, str], ...]  # (firm id, role) in chain order
    free: tuple[tuple[int, str], ...]  # (team, firm) of every free human seat


@dataclass(frozen=True)
class TeamProgress:
    """One team as the projector shows it: its week and how many of its seats are taken (no names, no costs)."""

    team: int
    week: int  # the week being decided (the last week played once done)
    done: bool
    joined: int  # human seats a player holds
    open: int  # human seats still free
    bots: int  # seats a bot plays


@dataclass(frozen=True)
class ProjectorView:
    """What anyone with the join code may see of a session: for the projected screen, nothing secret."""

    code: str
    title: str
    status: Status
    round: int
    weeks: int | None  # None: the horizon is hidden from players
    teams: tuple[TeamProgress, ...]

    @property
    def joined(self) -> int:
        """Players seated, every team."""
        return sum(t.joined for t in self.teams)

    @property
    def open(self) -> int:
        """Free human seats, every team."""
        return sum(t.open for t in self.teams)


@dataclass(frozen=True)
class Debrief:
    """The game after (or, for the host, during) play.

    Costs are compared over ``weeks_compared``, the weeks every team has played, so teams at different weeks are
    compared fairly.

    Attributes:
        history: tidy, one row per (team, week, firm): the export schema (docs/classroom-data.md).
        firms: one row per (team, firm): player(s), cost, profit, bullwhip, fill rate, peak order, and
            ``rank_in_role`` among the same firm (same role, same place in the chain) of every team.
        teams: the leaderboard, one row per team: rank, cost, ``cost_vs_bots``, weeks played, cost over all its weeks.
        bots: the same chain played by the session's bots on the same demand (same seed): one row per firm
            plus a ``chain`` row, over ``weeks_compared``.
        bot_history: the bots' game, tidy (week, firm, role, engine columns), whole horizon.
        round: the round shown (the current one); the tables above are of this round.
        all_history: every round's history (the export: a ``round`` column).
        rounds: one row per (round, team, firm and ``team``): what the round changed, cost, bullwhip and
            the fitted β, to compare rounds side by side.
        insight: per (round, team) whose game is over: fitted rules, externalities, the best possible.
        reveals: one row per guess: round, team, firm, player, shape, numbers, and the truth beside.
        demand: each round's end-customer demand.
        cash: where the scenario has prices, the cash figures per (team, firm) and of the bots' chain
            (``team`` 0): peak working capital, cash-to-cash cycle, interest, insolvent weeks; None otherwise.
    """

    code: str
    title: str
    status: Status
    weeks: int
    weeks_compared: int
    history: pd.DataFrame
    firms: pd.DataFrame
    teams: pd.DataFrame
    bots: pd.DataFrame
    bot_history: pd.DataFrame
    round: int = 1
    all_history: pd.DataFrame | None = None
    rounds: pd.DataFrame | None = None
    insight: tuple[TeamInsight, ...] = ()
    reveals: pd.DataFrame | None = None
    demand: tuple[RoundDemand, ...] = ()
    cash: pd.DataFrame | None = None


@dataclass(frozen=True)
class RevealView:
    """The demand reveal of a seat: open once its team's game is over; the guess given, if any."""

    round: int
    open: bool
    shape: str | None
    numbers: tuple[float, ...]
    shapes: tuple[str, ...]


@dataclass(frozen=True)
class SeatRule:
    """The ordering rule read from one seat's orders (Sterman 1989), and in words."""

    team: int
    firm: str
    role: str
    players: str  # who played the seat ("" for a bot seat)
    identified: bool
    theta: float
    alpha_s: float
    beta: float
    s_prime: float
    r2: float
    words: str


@dataclass(frozen=True)
class TeamInsight:
    """Why a team's seats ordered as they did, who paid for whose bullwhip, and the best possible.

    Attributes:
        externalities: rows: the seat replaced alone by Sterman's benchmark rule; columns: the cost
            change at every firm and ``team`` ($; negative: the benchmark saves).
        best: what the best found costs on this demand, in words; best_cost and recorded_cost in $.
    """

    round: int
    team: int
    weeks: int
    rules: tuple[SeatRule, ...]
    externalities: pd.DataFrame
    best: str
    best_cost: float
    recorded_cost: float


@dataclass(frozen=True)
class RoundDemand:
    """The end-customer demand of a round, as the reveal compares guesses with it."""

    round: int
    weeks: tuple[float, ...]  # the first retailer's demand, week by week
    shape: str  # one of SHAPES
    words: str  # e.g. "4 a week in weeks 1-4, then 8"
