"""The classroom service: live games in memory, every accepted input in SQLite, no UI.

:class:`Classroom` is the one process-wide object a web server holds. Pages call its verbs
(``join``, ``submit``, ``start``...) and render the frozen snapshots it returns (``SeatView``,
``HostView``, ``Debrief``); they never touch a game. Each session has its own lock, so a long start
(bots playing a big session forward) or a replay holds up that session only; one short-held lock
guards the table of sessions. Every accepted input is committed to the database before memory
changes; subscribers are called after the locks are released. Ended sessions leave memory and are
read back from the database when asked for. See ``docs/classroom.md``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import numbers
import secrets
import threading
import time
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from ..chain import counted
from ..checks import ScenarioError, check_seed, choice, show
from ..information import MODES as INFORMATION_MODES
from ..scenario import Scenario, from_table
from . import inputs, report, seatinfo
from .errors import AlreadySubmitted, Forbidden, InputError, NotFound, SeatTaken, WrongWeek
from .game import Decision, TeamGame
from .store import DecisionRow, RevealRow, RoundRow, Store
from .teacher import TeacherVerbs
from .ticker import TICK_SECONDS, Ticker
from .views import (
    MODES,
    SHAPES,
    Debrief,
    HostTicket,
    HostView,
    JoinView,
    ProjectorView,
    RevealView,
    SeatDecision,
    SeatStatus,
    SeatTicket,
    SeatView,
    Status,
    TeamProgress,
    TeamStatus,
)

log = logging.getLogger(__name__)

RESTART_GRACE = 30.0  # seconds: after a restart, an overdue week timer gets at most this long (or its timer)
ENDED_IN_MEMORY = 8  # ended sessions kept after their last use (debrief, export); others are read back
HEAVY_AT_ONCE = 1  # debriefs and exports computed at once in the process; more would share the GIL with play
_HEAVY = threading.BoundedSemaphore(HEAVY_AT_ONCE)


def _labels(players: Iterable[_Player]) -> dict[str, str]:
    """Each seated player's name, numbered by joining order where several share it ("Ana #1", "Ana #2")."""
    by_name = defaultdict(list)
    for p in sorted(players, key=lambda p: p.joined_at):
        by_name[p.name.casefold()].append(p)
    return {p.token_hash: f"{p.name} #{i}" if len(same) > 1 else p.name
            for same in by_name.values() for i, p in enumerate(same, start=1)}


def _told_apart(players: Iterable[_Player]) -> dict[tuple[int, str, str], str]:
    """(team, firm, name) -> the name as :func:`_labels` tells it apart, for the names some players share.

    A decision records its player's name; the seat it was made at tells same-named players apart.
    """
    players = list(players)
    labels = _labels(players)
    return {(p.team, p.firm, p.name): labels[p.token_hash] for p in players if labels[p.token_hash] != p.name}


def _relabelled(history: pd.DataFrame, names: dict[tuple[int, str, str], str]) -> pd.DataFrame:
    """``history`` with each shared name in its ``player`` column told apart (:func:`_told_apart`)."""
    if not names or history.empty:
        return history
    history = history.copy()
    history["player"] = [names.get((int(t), f, n), n) for t, f, n in
                         zip(history["team"], history["firm"], history["player"], strict=True)]
    return history


def _hash(secret: str) -> str:
    # surrogatepass: a token holding a lone surrogate hashes (and then matches nothing) instead of raising
    return hashlib.sha256(str.encode(secret, "utf-8", "surrogatepass")).hexdigest()  # a str subclass as plain text


@dataclass
class _Player:
    token_hash: str
    code: str
    team: int
    firm: str
    name: str
    joined_at: float
    released_at: float | None = None
    released_by: str | None = None  # "released" (by the host) or "bot" (seat handed to a bot)


@dataclass
class _Round:
    """A round that is over: what it was played on, and its teams' games."""

    scenario: Scenario
    seed: int
    settings: inputs.Settings
    bot_policies: dict | None
    teams: dict[int, TeamGame]
    changes: dict


@dataclass(frozen=True)
class _DebriefParts:
    """What a debrief reads of a session under its lock; the rest is computed from it off the lock."""

    code: str
    every: list[pd.DataFrame]  # each round's tidy history, the current one last
    played: dict[int, int]  # team -> weeks played this round
    over: list[tuple]  # (round, team, scenario, seed, orders, players) of each game over
    changes: dict[int, str]  # round -> what it changed, in words
    truths: dict[int, tuple[Scenario, int]]  # round -> (scenario, seed)
    scenario: Scenario
    seed: int
    policies: dict | None  # the bots' rules
    status: Status
    title: str
    round: int  # the current round


KEEP = "keep"  # start_round(bot_rule=KEEP): the bots keep the round before's rule
MAX_GUESSES = 12  # demand levels a player may give in the reveal


@dataclass
class _Session:
    code: str
    created_at: float
    title: str
    scenario_name: str
    scenario: Scenario
    seed: int
    settings: inputs.Settings
    host_hash: str
    status: Status
    paused_at: float | None
    bot_policies: dict | None
    teams: dict[int, TeamGame] = field(default_factory=dict)
    modes: dict[tuple[int, str], str] = field(default_factory=dict)
    occupant: dict[tuple[int, str], _Player] = field(default_factory=dict)
    players: dict[str, _Player] = field(default_factory=dict)  # everyone ever seated, by token hash
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)
    round: int = 1  # the round being played (or last played); earlier ones are in ``past``
    changes: dict = field(default_factory=dict)  # what this round changed from the one before
    past: dict[int, _Round] = field(default_factory=dict)
    reveals: dict[tuple[int, int, str], RevealRow] = field(default_factory=dict)  # (round, team, firm)
    message: str = ""  # the host's message to every player
    released: set[int] = field(default_factory=set)  # pacing "teacher": teams whose week the host let close
    added: dict[int, int] = field(default_factory=dict)  # round -> weeks added to it by reopen(more_weeks=)
    debrief_lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    debrief_cache: tuple | None = field(default=None, repr=False, compare=False)  # (its key, the Debrief)

    def rounds(self) -> list[tuple[int, _Round]]:
        """Every round, the current one last."""
        now = _Round(self.scenario, self.seed, self.settings, self.bot_policies, self.teams, self.changes)
        return [*sorted(self.past.items()), (self.round, now)]

    def seats(self) -> Iterable[tuple[int, str]]:
        for t in sorted(self.teams):
            for f in self.scenario.firm_ids:
                yield t, f


class Classroom(TeacherVerbs):
    """The process-wide registry of live games, backed by one SQLite file.

    Args:
        db_path: the database file; created with its schema on first use. Every session stored in
            it that has not ended is loaded (replayed) on start, and play continues where it stopped;
            an ended one is read back when its debrief, export or a player's page asks for it.
        teacher_password: when set, :meth:`create_session` needs it (``password=``); None leaves
            creating sessions open to whoever reaches the host page (``chaingame play`` then listens
            on this machine only, unless a password is given).

    Thread-safe: a verb takes its session's lock (and the table's lock for a lookup only), so
    sessions never wait for one another. Callbacks given to :meth:`subscribe` are called after the
    locks are released, in the thread that made the change.
    """

    def __init__(self, db_path: str | Path, teacher_password: str | None = None):
        self._lock = threading.RLock()  # the tables below; held for lookups, never for a game's work
        self._store = Store(db_path)
        self._password_hash = None if teacher_password is None else _hash(teacher_password)
        self._sessions: dict[str, _Session] = {}  # sessions not ended
        self._ended: OrderedDict[str, _Session] = OrderedDict()  # recently used ended sessions, oldest first
        self._tokens: dict[str, _Player] = {}  # players of the sessions not ended, by token hash
        self._broken: dict[str, str] = {}
        self._subscribers: dict[str, list[tuple[int | None, Callable[[], None]]]] = defaultdict(list)
        self.ticker: Ticker | None = None  # the thread calling tick(), once start_ticker() has run
        self._loading: dict[str, threading.Lock] = {}  # code -> held while that session is replayed
        self._loaded = threading.Event()  # set once every session not ended at start is replayed
        self._closing = threading.Event()
        self._loader = threading.Thread(target=self._load, args=([r["code"] for r in self._store.sessions(live=True)],),
                                        name="chaingame-load", daemon=True)
        self._loader.start()  # in the background: a page asking for a session replays it at once (_session)

    @property
    def needs_password(self) -> bool:
        """True when creating a session needs the teacher password."""
        return self._password_hash is not None

    def start_ticker(self, interval: float = TICK_SECONDS) -> Ticker:
        """Start a thread that calls :meth:`tick` every ``interval`` seconds until :meth:`close`."""
        interval = inputs.tick_interval(interval)
        with self._lock:
            if self.ticker is None:
                self.ticker = Ticker(self, interval)
                self.ticker.start()
            return self.ticker

    def close(self) -> None:
        """Stop the loader and the ticker, and close the database (the object is unusable afterwards)."""
        self._closing.set()
        self._loader.join()  # it ends after the session it is replaying
        if self.ticker is not None:
            self.ticker.stop()
            self.ticker.join(timeout=5)
        self._store.close()  # under the store's lock: a write under way finishes first

    # sessions -----------------------------------------------------------------------------------------
    def create_session(self, scenario: str, *, teams: int = 1, information: str | None = None,
                       weeks: int | None = None, timer_seconds: float | None = None, bot_rule: dict | None = None,
                       title: str = "", scenario_toml: str | None = None, seed: int | None = None,
                       max_order: float | None = None, password: str | None = None,
                       hide_horizon: bool = False, pacing: str = "orders") -> HostTicket:
        """A new session in the lobby, every seat a free human seat. Raises ScenarioError naming a bad field.

        Args:
            scenario: a bundled scenario's name; with ``scenario_toml``, the name given to the uploaded one.
            teams: how many chains play side by side (each team is one whole chain).
            information: ``silo``, ``pos`` or ``full`` (default: the scenario's).
            weeks: horizon (default: the scenario's).
            timer_seconds: a week's time limit; late seats are decided by the bot rule (None: no timer).
            bot_rule: an order-rule table for bots, e.g. ``{"rule": "sterman", "theta": 0.36, "alpha_s": 0.26,
                "beta": 0.34, "s_prime": 17}`` (None: each firm's rule from the scenario).
            title: shown to players (default: the scenario's name).
            scenario_toml: the text of an uploaded scenario file.
            seed: the demand seed shared by every team (default: the scenario's).
            max_order: the largest order or capacity a player may enter (default: 50 weeks of mean demand,
                up to a power of ten, at least 1000).
            password: the teacher password, where the server has one (:attr:`needs_password`).
            hide_horizon: players see the week, not how many weeks the game has (``SeatView.weeks`` is
                None until the session ends); the host still sees it.
            pacing: when a team's week closes: ``orders`` (every seat has decided), ``timer`` (its timer ran
                out), ``teacher`` (the host's :meth:`next_week`), ``in_step`` (every team has decided it).

        Teams × weeks is at most :data:`~chaingame.classroom.inputs.MAX_TEAM_WEEKS` and teams × firms × weeks
        at most :data:`~chaingame.classroom.inputs.MAX_SEAT_WEEKS`, checked before any work.

        Returns:
            The join code and the host key. The key is shown once; only its hash is stored.
        """
        self._check_password(password)
        sc, seed = inputs.scenario_for_session(scenario, scenario_toml, information, weeks, seed)
        settings = inputs.settings_for_session(sc, teams, timer_seconds, bot_rule, max_order, hide_horizon, pacing)
        return self._new_session(inputs.session_title(title, sc), sc, seed, settings)

    def _check_password(self, password) -> None:
        if self._password_hash is not None and not (
                isinstance(password, str) and hmac.compare_digest(_hash(password), self._password_hash)):
            raise Forbidden("password", "is not the teacher password (allowed: the password the server was "
                                        "started with, chaingame play --password)")

    def _new_session(self, title: str, sc: Scenario, seed: int, settings: inputs.Settings) -> HostTicket:
        """Store a new session in the lobby from validated parts; its join code and host key."""
        policies = inputs.bot_policies(sc, settings.bot_rule)
        host_key = secrets.token_urlsafe(16)
        s = _Session("", 0.0, title, sc.name, sc, seed, settings, _hash(host_key), Status.LOBBY, None, policies)
        s.teams = {t: TeamGame(sc, seed, policies, t) for t in range(1, settings.teams + 1)}  # outside the lock
        s.modes = {seat: "human" for seat in s.seats()}
        with self._lock:
            s.created_at = time.time()
            s.code = inputs.new_code(self._store.codes() | set(self._sessions))
            self._store.add_session(s.code, s.created_at, title, sc.name, dict(sc.table), seed, settings.as_json(),
                                    s.host_hash, list(sc.firm_ids))
            self._sessions[s.code] = s
        return HostTicket(s.code, host_key)

    def join(self, code: str, name: str, team: int | None = None, firm: str | None = None) -> SeatTicket:
        """Take a free human seat: the one asked for, or the first free one (team by team, in chain order).

        Raises SeatTaken for an occupied or bot seat (the host frees seats) or when none is free.
        """
        with self._using(code) as s:
            if s.status == Status.ENDED:
                raise Forbidden("code", f"session {s.code} has ended (the debrief is open)")
            name = inputs.player_name(name)
            team = None if team is None else self._team_number(s, team)
            firm = None if firm is None else self._firm_id(s, firm)
            if team is not None and firm is not None:
                self._check_free(s, team, firm)
            free = [seat for seat in s.seats() if self._free(s, seat)
                    and (team is None or seat[0] == team) and (firm is None or seat[1] == firm)]
            if not free:
                what = f"no free {firm + ' ' if firm else ''}seat{f' in team {team}' if team else ''}"
                raise SeatTaken("seat", f"{what} of session {s.code} (ask the host to free one)")
            team, firm = free[0]
            token = secrets.token_urlsafe(16)
            p = _Player(_hash(token), s.code, team, firm, name, time.time())
            late = s.modes[(team, firm)] == "open"  # a latecomer takes over a bot-held seat: one commit
            self._store.add_player(p.token_hash, s.code, team, firm, name, p.joined_at, mode="human" if late else None)
            if late:
                s.modes[(team, firm)] = "human"
            s.players[p.token_hash] = p
            s.occupant[(team, firm)] = p
            with self._lock:
                self._tokens[p.token_hash] = p
        self._notify(s.code, team)
        return SeatTicket(s.code, team, firm, token)

    def resume(self, token: str) -> SeatTicket:
        """The seat of a token (a refreshed page keeps its seat)."""
        with self._seat(token) as (_, p):
            return SeatTicket(p.code, p.team, p.firm, token)

    def join_view(self, code: str) -> JoinView:
        """What a join page may show: the session's title, its firms and its free seats."""
        with self._using(code) as s:
            return JoinView(s.code, s.title, s.scenario_name, s.status, len(s.teams),
                            tuple((f.id, f.role) for f in s.scenario.firms),
                            tuple(seat for seat in s.seats() if self._free(s, seat)))

    # playing ------------------------------------------------------------------------------------------
    def seat_view(self, token: str) -> SeatView:
        """The seat's page: its own observation and history, and the pace of its team."""
        with self._seat(token) as (s, p):
            return self._seat_view(s, p)

    def submit(self, token: str, week: int, order, capacity=None) -> SeatView:
        """Accept a seat's order (and capacity target, producers) for its team's current week.

        The order must be a number (text is read), not empty, within 0 and ``max_order`` (negative
        only where the firm may return goods), whole where the scenario counts whole units, and equal
        to the fixed order in weeks the scenario fixes. ``capacity`` None keeps the last target.
        Repeating an accepted decision is harmless; changing it is refused (AlreadySubmitted).
        The week closes as soon as every seat of the team has decided (bot seats decide at once).
        """
        with self._seat(token) as (s, p):
            now = time.time()  # taken under the session's lock, so times follow the order of its events
            game = s.teams[p.team]
            week = inputs.week_number(week)
            if not game.done and week < game.week or game.done and week <= game.week:
                return self._repeat_of_closed_week(s, p, game, week, order, capacity)
            self._check_running(s)
            if game.done:
                raise WrongWeek("week", f"{week}: team {p.team} has played all {s.scenario.weeks} weeks")
            if week != game.current:
                raise WrongWeek("week", f"{week} is not the current week of team {p.team} (current: {game.current})")
            done = game.pending.get(p.firm)
            if done is not None:
                try:
                    same = self._checked_input(s, game, p.firm, order, capacity) == (done.order, done.capacity)
                except InputError:
                    same = False
                if same:
                    return self._seat_view(s, p)
                raise AlreadySubmitted("order", f"week {week} is already decided ({inputs._num(done.order)}"
                                                f"{', by a bot' if done.decided_by == 'bot' else ''}); "
                                                "a decision cannot change")
            order, capacity = self._checked_input(s, game, p.firm, order, capacity)
            self._decide(s, game, p.firm, order, capacity, "human", "player", p.name, now)
            scope = self._settle(s, game, now)
            view = self._seat_view(s, p)
        self._notify(s.code, scope)
        return view

    # the host -----------------------------------------------------------------------------------------
    def host_view(self, code: str, host_key: str) -> HostView:
        """Every team: its week, who has decided, who is awaited, the cost so far."""
        with self._hosting(code, host_key) as s:
            teams = []
            labels = _labels(s.occupant.values())
            for t, game in sorted(s.teams.items()):
                seats = []
                for f in s.scenario.firms:
                    d = game.pending.get(f.id)
                    occupant = s.occupant.get((t, f.id))
                    seats.append(SeatStatus(f.id, f.role, s.modes[(t, f.id)], occupant.name if occupant else None,
                                            d is not None, d.decided_by if d else None, game.firm_cost(f.id),
                                            labels.get(occupant.token_hash) if occupant else None))
                waiting = tuple(f for f in game.firms if f not in game.pending) if not game.done else ()
                teams.append(TeamStatus(t, game.week, game.done, game.cost(), tuple(seats), waiting,
                                        game.deadline if s.status == Status.RUNNING else None))
            return HostView(s.code, s.title, s.scenario_name, s.status, s.scenario.information, s.scenario.weeks,
                            s.seed, s.settings.timer_seconds, inputs.describe_rule(s.settings.bot_rule),
                            s.created_at, tuple(teams), sum(self._free(s, seat) for seat in s.seats()),
                            len(s.occupant), round=s.round, changes=report.describe_changes(s.changes),
                            horizon_hidden=s.settings.hide_horizon, pacing=s.settings.pacing, message=s.message)

    def start(self, code: str, host_key: str, fill_with_bots: bool = True, latecomers: bool = False) -> None:
        """Open week 1 to every team.

        Free human seats become bot seats unless ``fill_with_bots`` is False (then they wait for a player,
        the timer or the host). With ``latecomers``, they become *open* seats instead: a bot decides for the
        seat until a late player joins it, who then plays from the week the bot has not decided.
        """
        for value, name in ((fill_with_bots, "fill_with_bots"), (latecomers, "latecomers")):
            if not isinstance(value, bool):
                raise InputError(name, f"{show(value)} is not true or false (allowed: true, false)")
        with self._hosting(code, host_key) as s:
            now = time.time()
            if s.status != Status.LOBBY:
                raise Forbidden("session", f"{s.code} has already started (status: {s.status})")
            if fill_with_bots or latecomers:
                mode = "open" if latecomers else "bot"
                free = [seat for seat in s.seats() if self._free(s, seat)]
                self._store.set_modes(s.code, free, mode, now)  # one transaction
                for seat in free:
                    s.modes[seat] = mode
            self._set_status(s, Status.RUNNING, None, now, "start")
            for game in s.teams.values():
                self._settle(s, game, now)
        self._notify(s.code)

    def pause(self, code: str, host_key: str) -> None:
        """Stop the clock: no orders are accepted and timers wait until :meth:`resume_session`."""
        with self._hosting(code, host_key) as s:
            now = time.time()
            if s.status != Status.RUNNING:
                raise Forbidden("session", f"{s.code} is not running (status: {s.status})")
            self._set_status(s, Status.PAUSED, now, now, "pause")
        self._notify(s.code)

    def resume_session(self, code: str, host_key: str) -> None:
        """Continue a paused session; week timers get back the time they had left."""
        with self._hosting(code, host_key) as s:
            now = time.time()
            if s.status != Status.PAUSED:
                raise Forbidden("session", f"{s.code} is not paused (status: {s.status})")
            shift = now - (s.paused_at or now)
            for t, game in s.teams.items():
                if game.deadline is not None:
                    game.deadline += shift
                    self._store.set_deadline(s.code, t, game.current, game.deadline, s.round)
            self._set_status(s, Status.RUNNING, None, now, "resume")
            for game in s.teams.values():
                self._settle(s, game, now)
        self._notify(s.code)

    def end(self, code: str, host_key: str) -> None:
        """End the game now (teams stop where they are); the debrief opens to players."""
        with self._hosting(code, host_key) as s:
            now = time.time()
            if s.status == Status.ENDED:
                return
            self._set_status(s, Status.ENDED, None, now, "end")
        self._notify(s.code)

    def advance(self, code: str, host_key: str, team: int) -> None:
        """Bots decide, by the session's bot rule, for every seat of ``team`` still to decide this week."""
        with self._hosting(code, host_key) as s:
            now = time.time()
            self._check_running(s)
            game = s.teams[self._team_number(s, team)]
            self._late_seats_to_bots(s, game, "host", now)
            scope = game.team if s.status == Status.RUNNING else None
        self._notify(s.code, scope)

    def set_seat(self, code: str, host_key: str, team: int, firm: str, mode: str) -> None:
        """Hand a seat to a bot (its player, if any, is released) or back to humans (a free seat to join)."""
        with self._hosting(code, host_key) as s:
            now = time.time()
            if s.status == Status.ENDED:
                raise Forbidden("session", f"{s.code} has ended")
            seat = (self._team_number(s, team), self._firm_id(s, firm))
            if not isinstance(mode, str) or str.__str__(mode) not in MODES:
                raise InputError("mode", f"{show(mode)} is not a seat mode (allowed: \"human\", \"bot\", \"open\")")
            mode = str.__str__(mode)
            if s.modes[seat] == mode:
                return
            p = s.occupant.get(seat) if mode != "human" else None
            self._store.set_modes(s.code, [seat], mode, now, release=p.token_hash if p else None)  # one commit
            if p is not None:
                del s.occupant[seat]
                p.released_at, p.released_by = now, "bot"
            s.modes[seat] = mode
            scope = self._settle(s, s.teams[seat[0]], now)
        self._notify(s.code, scope)

    def release_seat(self, code: str, host_key: str, team: int, firm: str) -> None:
        """Free a human seat: its player's token stops working; a new player may join it."""
        with self._hosting(code, host_key) as s:
            now = time.time()
            seat = (self._team_number(s, team), self._firm_id(s, firm))
            if seat not in s.occupant:
                raise InputError("seat", f"team {seat[0]} {seat[1]} has no player to release")
            self._release(s, seat, "released", now)
        self._notify(s.code, seat[0])

    def tick(self, now: float | None = None) -> int:
        """Timers: in every running session, bots decide for the late seats of a team whose week is overdue.

        Call it about once a second. Returns how many decisions bots made.
        """
        now = time.time() if now is None else inputs.clock(now)  # checked before waiting
        self._loaded.wait()  # after a restart, timers run once every session is back in memory
        changed, made = [], 0  # (code, team or None) to notify
        with self._lock:
            live = list(self._sessions.values())
        for s in live:
            if not s.lock.acquire(blocking=False):  # busy (e.g. a long start): the next tick comes soon
                continue
            try:
                if s.status != Status.RUNNING or s.settings.timer_seconds is None:
                    continue
                timed_out = [g for g in s.teams.values()  # a complete week waits for the timer (pacing timer) only
                             if not g.done and g.deadline is not None and now >= g.deadline
                             and (not g.complete or s.settings.pacing == "timer")]
                for game in timed_out:
                    made += self._late_seats_to_bots(s, game, "timer", now)
                if timed_out:  # the teams it timed out, or everyone if that ended the session
                    changed += [(s.code, g.team) for g in timed_out] if s.status == Status.RUNNING else [(s.code, None)]
            finally:
                s.lock.release()
        for code, team in changed:
            self._notify(code, team)
        return made

    # rounds and the demand reveal -----------------------------------------------------------------------
    def start_round(self, code: str, host_key: str, changes: Mapping[str, Any] | None = None, *,
                    information: str | None = None, bot_rule: Mapping | str | None = KEEP,
                    seed: int | None = None) -> int:
        """Open the next round with the same teams, seats and players, once the host has ended this one.

        Args:
            code: the session's join code.
            host_key: its host key.
            changes: dotted-path changes of the round before's scenario (``Scenario.with_values``),
                e.g. ``{"links.*.shipping_delay": 1}`` or ``{"allocation": "proportional"}``.
            information: ``silo``, ``pos`` or ``full`` (default: as before).
            bot_rule: the bots' order-rule table, None for each firm's scenario rule (default: as before).
            seed: the demand seed (default: the round before's: the same customer demand).

        Returns:
            The new round's number. The session is back in the lobby: the host starts the round.
        """
        values = dict(inputs.round_changes(changes))
        if information is not None:
            values["information"] = choice(information, "information", tuple(m.value for m in INFORMATION_MODES))
        with self._hosting(code, host_key) as s:  # an ended session is read back from the database
            now = time.time()
            if s.status != Status.ENDED:
                raise Forbidden("session", f"{s.code} is still playing round {s.round} (status: {s.status}; end it "
                                           "before starting the next)")
            sc = s.scenario.with_values(values) if values else s.scenario
            if sc.firm_ids != s.scenario.firm_ids:
                raise ScenarioError("changes", f"change the firms ({', '.join(sc.firm_ids)}; allowed: the same "
                                               f"firms, {', '.join(s.scenario.firm_ids)}: the teams keep their seats)")
            if sc.weeks > inputs.MAX_WEEKS:
                raise ScenarioError("weeks", f"{sc.weeks} is above {inputs.MAX_WEEKS} (allowed: 1 to "
                                             f"{inputs.MAX_WEEKS} in a classroom)")
            sc = from_table(json.loads(json.dumps(sc.table)))  # what a restart will read back
            rule = s.settings.bot_rule if isinstance(bot_rule, str) and str.__str__(bot_rule) == KEEP else bot_rule
            settings = inputs.settings_for_session(sc, len(s.teams), s.settings.timer_seconds, rule,
                                                   s.settings.max_order, s.settings.hide_horizon, s.settings.pacing)
            policies = inputs.bot_policies(sc, settings.bot_rule)
            seed = s.seed if seed is None else check_seed(seed)
            stored = {**values, **({"seed": seed} if seed != s.seed else {}),
                      **({"bot_rule": settings.bot_rule} if settings.bot_rule != s.settings.bot_rule else {})}
            r = s.round + 1
            self._store.add_round(s.code, RoundRow(r, now, dict(sc.table), seed, settings.bot_rule, stored))
            s.past[s.round] = _Round(s.scenario, s.seed, s.settings, s.bot_policies, s.teams, s.changes)
            s.round, s.scenario, s.seed, s.settings, s.bot_policies, s.changes = r, sc, seed, settings, policies, stored
            s.teams = {t: TeamGame(sc, seed, policies, t) for t in s.teams}
            s.status, s.paused_at = Status.LOBBY, None
            s.message = ""  # the round before's message stays in the log, not on the pages
            with self._lock:  # back among the live sessions, its players' tokens with it
                self._make_live(s)
        self._notify(s.code)
        return r

    def reveal(self, token: str, shape: str, numbers: Any = ()) -> RevealView:
        """A player's guess of what end-customer demand was, once their team's game is over.

        Args:
            token: the seat's token.
            shape: one of :data:`~chaingame.classroom.views.SHAPES` (flat, step up, ...).
            numbers: the demand levels guessed, cases a week (a list, or text such as ``"4, 8"``); may be empty.

        A guess is given once; repeating it is harmless, changing it is refused (AlreadySubmitted).
        """
        shape = choice(shape, "shape", SHAPES)
        with self._seat(token) as (s, p):
            now = time.time()
            guesses = inputs.guesses(numbers, s.settings.max_order, MAX_GUESSES)
            if not (s.teams[p.team].done or s.status == Status.ENDED):
                raise Forbidden("shape", "the demand reveal opens when your team's game is over")
            key = (s.round, p.team, p.firm)
            done = s.reveals.get(key)
            if done is not None:
                if (done.shape, done.numbers) != (shape, guesses):
                    raise AlreadySubmitted("shape", f"your guess is in ({done.shape}); a guess cannot change")
            else:
                row = RevealRow(s.round, p.team, p.firm, p.name, shape, guesses, now)
                self._store.add_reveal(s.code, row)
                s.reveals[key] = row
            view = self._reveal_view(s, p)
        self._notify(s.code)
        return view

    def reveal_view(self, token: str) -> RevealView:
        """Whether the seat may give its demand guess now, and the guess it gave."""
        with self._seat(token) as (s, p):
            return self._reveal_view(s, p)

    def projector_view(self, code: str) -> ProjectorView:
        """What the projected screen shows, to anyone with the code: each team's week and seats taken."""
        with self._using(code) as s:
            teams = []
            for t, game in sorted(s.teams.items()):
                seats = [(t, f) for f in s.scenario.firm_ids]
                bots = sum(s.modes[seat] == "bot" for seat in seats)
                joined = sum(seat in s.occupant for seat in seats)
                teams.append(TeamProgress(t, game.week, game.done, joined, len(seats) - bots - joined, bots))
            return ProjectorView(s.code, s.title, s.status, s.round,
                                 None if s.settings.hide_horizon else s.scenario.weeks, tuple(teams))

    def team_turn(self, code: str, team: int) -> tuple[int, Status, int, bool]:
        """What turns a seat page of ``team`` at once: the round, the status, the team's week and whether it is done.

        Cheaper than :meth:`seat_view` (no view is built): a page reads it on every change of its team and
        reads its whole view at once only when this differs (:func:`chaingame.ui.live.use_live`'s ``turn``).
        Read without the session's lock, which a class submitting at once contends for: each value is read
        whole, and a change read half-done is followed by its own notification, which reads it again.
        """
        s = self._session(code)
        game = s.teams[self._team_number(s, team)]
        return s.round, s.status, game.week, game.done

    def progress(self, code: str) -> tuple[int, Status, int]:
        """What changes a debrief beside the weeks: the round, the status and the guesses given."""
        with self._using(code) as s:
            return s.round, s.status, len(s.reveals)

    @staticmethod
    def _players_of(s: _Session, round: int, team: int, game: TeamGame,
                    labels: dict[tuple[int, str, str], str] | None = None) -> dict[str, str]:
        """Who played each seat of a team in a round: the humans who decided ("" for a bot seat).

        ``labels`` tells same-named players apart (:func:`_told_apart`).
        """
        labels = labels or {}
        out = {}
        for f in game.firms:
            names = dict.fromkeys(labels.get((team, f, w[f].player), w[f].player) for w in game.log
                                  if w[f].decided_by == "human" and w[f].player)
            out[f] = ", ".join(names)
        return out

    def _reveal_view(self, s: _Session, p: _Player) -> RevealView:
        done = s.reveals.get((s.round, p.team, p.firm))
        return RevealView(round=s.round, open=s.teams[p.team].done or s.status == Status.ENDED,
                          shape=done.shape if done else None, numbers=done.numbers if done else (), shapes=SHAPES)

    # results ------------------------------------------------------------------------------------------
    def debrief(self, code: str, host_key: str | None = None) -> Debrief:
        """Histories, costs, ranks, leaderboard and the bots' game on the same demand.

        Open to anyone with the code once the session has ended; to the host (with ``host_key``) at any time.
        Computed once per state of the session (its round, status and weeks played) and shared by every page
        that asks; a crowd asking at once waits for the one computation (only the guesses are added per call).
        """
        with self._hosting(code, host_key) if host_key is not None else self._using(code) as s:
            if host_key is None and s.status != Status.ENDED:
                raise Forbidden("session", f"{s.code} has not ended (the debrief opens when the host ends the game)")
        with s.debrief_lock:  # one computation per session at a time; who comes meanwhile reads its result
            with s.lock:
                key = self._debrief_key(s)
                cached = s.debrief_cache if s.debrief_cache and s.debrief_cache[0] == key else None
                parts = None if cached else self._debrief_parts(s)
                reveals = list(s.reveals.values())
            if cached is None:
                with _HEAVY:  # off the lock, and one such computation in the process at a time
                    cached = s.debrief_cache = (key, self._debrief_of(parts))
        base = cached[1]
        return replace(base, reveals=report.reveal_table(reveals, {d.round: d for d in base.demand}))

    @staticmethod
    def _debrief_key(s: _Session) -> tuple:
        """What a debrief depends on beside the guesses (earlier rounds never change)."""
        return s.round, s.status, s.scenario.weeks, tuple((t, len(g.records)) for t, g in sorted(s.teams.items()))

    def _debrief_parts(self, s: _Session) -> _DebriefParts:
        """Under the session's lock: what a debrief reads of the session (the tidy histories, the games over)."""
        rounds = s.rounds()
        names = _told_apart(s.players.values())
        every = [_relabelled(report.history(s.code, r.scenario, r.teams, n), names) for n, r in rounds]
        played = {t: len(g.records) for t, g in s.teams.items()}
        over = [(n, t, r.scenario, r.seed, report.orders_of(g), self._players_of(s, n, t, g, names))
                for n, r in rounds for t, g in sorted(r.teams.items())
                if g.records and (g.done or n < s.round or s.status == Status.ENDED)]
        changes = {n: report.describe_changes(r.changes) for n, r in rounds}
        truths = {n: (r.scenario, r.seed) for n, r in rounds}
        return _DebriefParts(s.code, every, played, over, changes, truths, s.scenario, s.seed, s.bot_policies,
                             s.status, s.title, s.round)

    @staticmethod
    def _debrief_of(p: _DebriefParts) -> Debrief:
        """The debrief from what :meth:`_debrief_parts` read (each team game's insight is cached by report)."""
        h, sc = p.every[-1], p.scenario
        compared = min(p.played.values()) if p.played else 0
        bots = report.bot_game(sc, p.seed, p.policies)
        firms, teams, bot_table = report.tables(h, bots, sc, compared, p.played)
        insights = tuple(report.team_insight(p.code, *game) for game in p.over)
        all_history = pd.concat(p.every, ignore_index=True)
        demand = {n: report.round_demand(n, scn, sd) for n, (scn, sd) in p.truths.items()}
        return Debrief(code=p.code, title=p.title, status=p.status, weeks=sc.weeks, weeks_compared=compared,
                       history=h, firms=firms, teams=teams, bots=bot_table, bot_history=bots, round=p.round,
                       all_history=all_history, rounds=report.round_table(all_history, insights, p.changes),
                       insight=insights, reveals=report.reveal_table([], demand),
                       demand=tuple(demand.values()),
                       cash=report.cash_table(h, bots, compared) if seatinfo.priced(sc) else None)

    def export(self, code: str, host_key: str, fmt: str = "csv") -> bytes:
        """The tidy history of every team (docs/classroom-data.md) as ``csv`` or ``parquet`` bytes."""
        if not isinstance(fmt, str) or str.__str__(fmt) not in ("csv", "parquet"):
            raise InputError("fmt", f"{show(fmt)} is not an export format (allowed: \"csv\", \"parquet\")")
        fmt = str.__str__(fmt)
        with self._hosting(code, host_key) as s:
            every = [report.history(s.code, r.scenario, r.teams, n) for n, r in s.rounds()]
        with _HEAVY:  # off the lock, one at a time in the process
            return report.export_bytes(pd.concat(every, ignore_index=True), fmt)

    def subscribe(self, code: str, callback: Callable[[], None], team: int | None = None) -> Callable[[], None]:
        """Call ``callback()`` after every change to the session; return the function that unsubscribes.

        With ``team``, only after a change to that team or to the whole session (start, pause, end...).

        A seat's page follows its own team: another team's orders cost it nothing.
        """
        if not callable(callback):
            raise InputError("callback", f"{show(callback)} is not a function (allowed: a function of no arguments)")
        s = self._session(code)
        entry = (None if team is None else self._team_number(s, team), callback)
        with self._lock:
            self._subscribers[s.code].append(entry)

        def unsubscribe() -> None:
            with self._lock:
                entries = self._subscribers.get(s.code, [])
                if entry in entries:
                    entries.remove(entry)

        return unsubscribe

    # internals: decisions ---------------------------------------------------------------------------
    def _checked_input(self, s: _Session, game: TeamGame, firm: str, order, capacity) -> tuple[float, float | None]:
        """A player's typed decision, checked (bounds, whole units, the fixed order).

        Returns the order as the physics will place it (``game.effective_order``) and the capacity target as it
        will apply.
        """
        high = s.settings.max_order
        whole = s.scenario.whole_units
        x = inputs.quantity(order, "order", whole=whole, low=-high if game.allows_returns(firm) else 0.0, high=high)
        fixed = game.fixed_order(firm)
        if fixed is not None and x != fixed:
            raise InputError("order", f"{inputs._num(x)} is not this week's order, fixed at {inputs._num(fixed)} "
                                      f"by the scenario (allowed: {inputs._num(fixed)})")
        if inputs.blank(capacity):
            capacity = None
        if capacity is not None:
            if not game.decides_capacity(firm):
                raise InputError("capacity", f"{show(capacity)} given, but {firm} does not decide a capacity "
                                             "(allowed: leave it empty)")
            # a rate, so it may be fractional (production starts whole units)
            capacity = inputs.quantity(capacity, "capacity", whole=False, low=0.0, high=high)
        return game.effective_order(firm, x), game.human_capacity(firm, capacity)

    def _repeat_of_closed_week(self, s, p, game, week, order, capacity) -> SeatView:
        """A double click that arrives after its week closed: fine if it repeats what was logged."""
        if week < 1:  # the horizon only where players may see it
            last = "the current week" if s.settings.hide_horizon else s.scenario.weeks
            raise WrongWeek("week", f"{week} is not a week of the game (allowed: 1 to {last})")
        logged = game.log[week - 1][p.firm]
        try:
            typed = inputs.quantity(order, "order", whole=False, low=-1e300, high=1e300)
            same = counted(typed) == logged.order and (  # an accepted order is logged as counted
                capacity is None or inputs.blank(capacity)
                or logged.capacity is not None
                and inputs.quantity(capacity, "capacity", whole=False, low=-1e300, high=1e300) == logged.capacity)
        except InputError:
            same = False
        if not same:
            current = "it has played every week" if game.done else f"current: {game.current}"
            raise WrongWeek("week", f"{week} is already played by team {p.team} ({current})")
        return self._seat_view(s, p)

    def _decide(self, s: _Session, game: TeamGame, firm: str, order: float, capacity: float | None,
                by: str, reason: str, player: str | None, now: float) -> None:
        """Log a decision (committed first), then give it to the team's game."""
        row = DecisionRow(game.team, game.current, firm, by, reason, player, order, capacity, now, s.round)
        self._store.add_decision(s.code, row)
        game.add(Decision(firm, order, capacity, by, reason, player, now))

    def _bot_decides(self, s: _Session, game: TeamGame, firm: str, reason: str, now: float) -> None:
        order, capacity = game.bot[firm]
        occupant = s.occupant.get((game.team, firm))
        self._decide(s, game, firm, order, capacity, "bot", reason, occupant.name if occupant else None, now)

    def _late_seats_to_bots(self, s: _Session, game: TeamGame, reason: str, now: float) -> int:
        if game.done:
            return 0
        late = [f for f in game.firms if f not in game.pending]
        for f in late:
            self._bot_decides(s, game, f, reason, now)
        self._settle(s, game, now)
        return len(late)

    def _settle(self, s: _Session, game: TeamGame, now: float) -> int | None:
        """Play on while the session runs: stamp the open week, let bot seats decide, close weeks the pacing lets.

        Returns who to notify: the team, or None (everyone) when this ended the session or moved the class on.
        """
        closed = self._play_on(s, game, now)
        if closed and s.settings.pacing == "in_step":  # the teams that waited for this one go on
            while any([self._play_on(s, g, now) for g in s.teams.values()]):
                pass
        if s.status == Status.RUNNING and all(g.done for g in s.teams.values()):
            self._set_status(s, Status.ENDED, None, now, "end")
            return None
        return None if closed and s.settings.pacing == "in_step" else game.team

    def _play_on(self, s: _Session, game: TeamGame, now: float) -> bool:
        """One team: stamp its open week, let bot seats decide, close its weeks while the pacing lets; True if any."""
        closed = False
        while s.status == Status.RUNNING and not game.done:
            if game.opened_at is None:
                game.opened_at = now
                game.deadline = now + s.settings.timer_seconds if s.settings.timer_seconds else None
                self._store.open_week(s.code, game.team, game.current, game.opened_at, game.deadline, s.round)
            modes = [s.modes[(game.team, f)] for f in game.firms]
            humans_left = any(m == "human" and f not in game.pending for f, m in zip(game.firms, modes))
            for f, m in zip(game.firms, modes):  # a vendor-managed seat is decided by its supplier's VMI rule;
                bot = m == "bot" or f in game.vendor_managed or m == "open" and not humans_left  # open: humans first
                if f not in game.pending and bot:
                    self._bot_decides(s, game, f, "bot_seat", now)
            if not game.complete or not self._may_close(s, game, now):
                return closed
            game.close()
            closed = True
            s.released.discard(game.team)
            if game.done and s.settings.pacing != "orders":  # replay: this last week did close
                self._store.open_week(s.code, game.team, s.scenario.weeks + 1, now, None, s.round)
        return closed

    @staticmethod
    def _may_close(s: _Session, game: TeamGame, now: float) -> bool:
        """Whether the session's pacing lets a complete week close now (docs/classroom.md, Pacing)."""
        pacing = s.settings.pacing
        if pacing == "timer":
            return game.deadline is not None and now >= game.deadline
        if pacing == "teacher":
            return game.team in s.released
        if pacing == "in_step":
            low = min(g.current for g in s.teams.values() if not g.done)
            return game.current == low and all(g.complete for g in s.teams.values() if g.current == low)
        return True

    # internals: sessions, seats, players ------------------------------------------------------------
    @contextmanager
    def _using(self, code) -> Iterator[_Session]:
        """``with self._using(code) as s:`` the session, under its own lock."""
        s = self._session(code)
        with s.lock:
            yield s

    @contextmanager
    def _hosting(self, code, host_key) -> Iterator[_Session]:
        """The session under its lock, for the holder of its host key only."""
        s = self._host(code, host_key)
        with s.lock:
            yield s

    @staticmethod
    def _key_matches(key, stored_hash: str) -> bool:
        """Whether a secret (a host key) is the one whose hash is stored, compared in constant time."""
        return isinstance(key, str) and len(key) <= inputs.MAX_TYPED and hmac.compare_digest(_hash(key), stored_hash)

    def _host(self, code, host_key) -> _Session:
        """The session, for the holder of its host key only (a verb then takes ``s.lock``: :meth:`_hosting`)."""
        s = self._session(code)
        if not self._key_matches(host_key, s.host_hash):
            raise Forbidden("host_key", f"is not the host key of session {s.code}")
        return s

    @contextmanager
    def _seat(self, token) -> Iterator[tuple[_Session, _Player]]:
        """The session and player of a seat token, under the session's lock (the seat still held)."""
        p = self._player(token)
        s = self._session(p.code)
        with s.lock:
            self._check_seated(p)  # the host may have freed the seat meanwhile
            yield s, p

    def _session(self, code) -> _Session:
        """A session in memory, or read back from the database (:meth:`_read_back`) outside every lock."""
        key = inputs.join_code(code)
        with self._lock:
            s = self._known(key)
            if s is not None:
                return s
            gate = self._loading.setdefault(key, threading.Lock())
        with gate:  # one replay of a session at a time; who waits finds it loaded
            with self._lock:
                s = self._known(key)
            if s is None:
                s = self._read_back(key, code, time.time())
            with self._lock:
                self._loading.pop(key, None)
            return s

    def _known(self, key: str) -> _Session | None:
        """Under the table's lock: the session of ``key`` if in memory (None), NotFound if it could not be loaded."""
        if key in self._broken:
            raise NotFound("code", f"session {key} could not be loaded ({self._broken[key]})")
        s = self._sessions.get(key) or self._ended.get(key)
        if s is not None and key in self._ended:
            self._ended.move_to_end(key)
        return s

    def _read_back(self, key: str, code, now: float) -> _Session:
        """Replay a stored session; one not ended joins the live ones with its timers given their grace."""
        rows = self._store.sessions(code=key)
        if not rows:
            raise NotFound("code", f"{show(code)} is not a session code")
        try:
            s = self._replay(rows[0])
            if s.status == Status.ENDED:
                with self._lock:
                    self._keep_ended(s)
                return s
            with s.lock:  # live from here, but who finds it waits until its timers and bot seats are settled
                with self._lock:
                    self._make_live(s)
                self._resume(s, now)
            return s
        except Exception as e:  # keep serving the other sessions; the stored log is untouched
            log.exception("classroom session %s could not be loaded", key)
            with self._lock:
                self._broken[key] = f"{type(e).__name__}: {e}"
            raise NotFound("code", f"session {key} could not be loaded ({self._broken[key]})") from None

    def _make_live(self, s: _Session) -> None:
        """Under the table's lock: ``s`` joins the live sessions (at start, or an ended one played again)."""
        self._ended.pop(s.code, None)
        self._sessions[s.code] = s
        self._tokens.update(s.players)

    def _keep_ended(self, s: _Session) -> None:
        """Under the table's lock: keep ``s`` among the recently used ended sessions, forget the oldest."""
        self._ended[s.code] = s
        self._ended.move_to_end(s.code)
        while len(self._ended) > ENDED_IN_MEMORY:
            self._ended.popitem(last=False)

    def _player(self, token) -> _Player:
        h = _hash(token) if isinstance(token, str) and len(token) <= inputs.MAX_TYPED else None  # tokens: 22 characters
        with self._lock:
            p = self._tokens.get(h)
        if p is None and h is not None:  # a player of an ended session (not in memory)
            code = self._store.player_code(h)
            p = None if code is None else self._session(code).players.get(h)
        if p is None:
            raise NotFound("token", "is not a seat of any session (join with the session code)")
        self._check_seated(p)
        return p

    @staticmethod
    def _check_seated(p: _Player) -> None:
        if p.released_at is not None:
            what = "handed this seat to a bot" if p.released_by == "bot" else "released this seat"
            raise Forbidden("token", f"the host {what} (join session {p.code} again)")

    def _release(self, s: _Session, seat: tuple[int, str], by: str, now: float) -> None:
        p = s.occupant.pop(seat)
        self._store.release_player(p.token_hash, s.code, now, by)
        p.released_at, p.released_by = now, by

    def _set_status(self, s: _Session, status: Status, paused_at: float | None, now: float, kind: str) -> None:
        self._store.set_status(s.code, status, paused_at, now, kind)
        s.status, s.paused_at = status, paused_at
        if status == Status.ENDED:  # it leaves the live table; its debrief reads it from here or the database
            with self._lock:
                if self._sessions.pop(s.code, None) is s:
                    for h in s.players:
                        self._tokens.pop(h, None)
                    self._keep_ended(s)

    @staticmethod
    def _check_running(s: _Session) -> None:
        if s.status != Status.RUNNING:
            why = {Status.LOBBY: "has not started yet", Status.PAUSED: "is paused by the host",
                   Status.ENDED: "has ended"}
            raise Forbidden("session", f"{s.code} {why[s.status]} (orders are accepted while it runs)")

    @staticmethod
    def _free(s: _Session, seat: tuple[int, str]) -> bool:
        """A seat a player may join: a human seat nobody holds, or an open seat of a team still playing."""
        mode = s.modes[seat]
        return seat not in s.occupant and (mode == "human" or mode == "open" and not s.teams[seat[0]].done)

    def _check_free(self, s: _Session, team: int, firm: str) -> None:
        if s.modes[(team, firm)] == "bot":
            raise SeatTaken("seat", f"team {team} {firm} is played by a bot (ask the host to open it to players)")
        taken = s.occupant.get((team, firm))
        if taken is not None:
            raise SeatTaken("seat", f"team {team} {firm} is taken by {taken.name} (ask the host to release it)")

    @staticmethod
    def _team_number(s: _Session, team) -> int:
        if isinstance(team, str) and inputs.ascii_digits(team.strip()):
            team = int(team)
        if isinstance(team, numbers.Integral) and not isinstance(team, bool):
            team = int(team)
        if not isinstance(team, int) or isinstance(team, bool) or team not in s.teams:
            raise InputError("team", f"{show(team)} is not a team of session {s.code} (allowed: 1 to {len(s.teams)})")
        return team

    @staticmethod
    def _firm_id(s: _Session, firm) -> str:
        if not isinstance(firm, str) or str.__str__(firm) not in s.scenario.firm_ids:  # no subclass's own ==
            raise InputError("firm", f"{show(firm)} is not a firm of this game "
                                     f"(allowed: {', '.join(s.scenario.firm_ids)})")
        return str.__str__(firm)

    def _seat_view(self, s: _Session, p: _Player) -> SeatView:
        game, firm = s.teams[p.team], p.firm
        d = game.pending.get(firm)
        history = game.seat_history(firm)
        running = s.status == Status.RUNNING and not game.done
        return SeatView(
            code=s.code, title=s.title, team=p.team, firm=firm, role=s.scenario.firm(firm).role, player=p.name,
            status=s.status, week=game.week, information=s.scenario.information,
            weeks=None if s.settings.hide_horizon and s.status != Status.ENDED else s.scenario.weeks,
            observation=game.observations.get(firm), history=history,
            decision=SeatDecision(d.order, d.capacity, d.decided_by, d.submitted_at) if d else None,
            can_submit=running and d is None, waiting=0 if game.done else sum(  # open seats decide with the last human
                f not in game.pending and s.modes[(p.team, f)] != "open" for f in game.firms),
            fixed_order=game.fixed_order(firm), decides_capacity=game.decides_capacity(firm),
            whole_units=s.scenario.whole_units, allows_returns=game.allows_returns(firm),
            max_order=s.settings.max_order, deadline=game.deadline if running else None, done=game.done,
            total_cost=game.firm_cost(firm), debrief_ready=s.status == Status.ENDED,
            rules=game.seat_rules(firm),
            notice=seatinfo.bot_notice(history, p.name), order_hint=self._order_hint(s, game, firm),
            message=s.message, pacing=s.settings.pacing,
            order_note=seatinfo.order_note(s.scenario, firm, game.week, game.fixed_order(firm)) if running else "",
        )

    @staticmethod
    def _order_hint(s: _Session, game: TeamGame, firm: str) -> str:
        """What the order field accepts this week, worded as :meth:`_checked_input` refuses.

        What batching then makes of the order is the seat's ``order_note`` (:func:`seatinfo.order_note`).
        """
        fixed = game.fixed_order(firm)
        if fixed is not None:
            return f"only {inputs._num(fixed)} this week (the scenario fixes it)"
        high = s.settings.max_order
        return inputs.allowed(s.scenario.whole_units, -high if game.allows_returns(firm) else 0.0, high)

    # internals: subscribers and loading ------------------------------------------------------------
    def _notify(self, code: str, team: int | None = None) -> None:
        """Call the session's subscribers: all of them, or those of ``team`` and of the whole session."""
        with self._lock:
            callbacks = [cb for t, cb in self._subscribers.get(code, ()) if team is None or t is None or t == team]
        for cb in callbacks:
            try:
                cb()
            except Exception:  # a broken page must not break the game
                log.exception("classroom subscriber of session %s failed", code)

    def _load(self, codes: list[str]) -> None:
        """The loader thread, from start: replay the sessions not ended, one by one (ended ones when asked for).

        Until it is done a session is replayed when first asked for, so no page waits for the others; the
        ticker waits for it (:meth:`tick`).
        """
        try:
            for code in codes:
                if self._closing.is_set():
                    break
                try:
                    self._session(code)
                except NotFound:  # logged and kept in _broken
                    pass
        finally:
            self._loaded.set()

    def wait_loaded(self, timeout: float | None = None) -> bool:
        """Wait until every session not ended at start is in memory; True if it is."""
        return self._loaded.wait(timeout)

    def _resume(self, s: _Session, now: float) -> None:
        """Under ``s.lock``, a session just read back: overdue timers get their grace, bot seats decide."""
        code = s.code
        if s.status == Status.RUNNING:
            for t, game in s.teams.items():
                if game.deadline is not None and game.deadline < now + RESTART_GRACE:
                    grace = min(RESTART_GRACE, s.settings.timer_seconds or RESTART_GRACE)
                    game.deadline = max(game.deadline, now + grace)
                    self._store.set_deadline(code, t, game.current, game.deadline, s.round)
                self._settle(s, game, now)

    def _replay(self, row: dict) -> _Session:
        """A stored session rebuilt from its log (reads only)."""
        code = row["code"]
        sc = from_table(row["scenario_table"])
        raw = row["settings"]
        settings = inputs.Settings.from_json(raw)
        policies = inputs.bot_policies(sc, settings.bot_rule)
        s = _Session(code, row["created_at"], row["title"], row["scenario"], sc, row["seed"], settings,
                     row["host_hash"], Status(row["status"]), row["paused_at"], policies)
        s.modes = {(t, f): m for (t, f), m in self._store.seats(code).items()}
        for token_hash, team, firm, name, joined_at, released_at, released_by in self._store.players(code):
            p = _Player(token_hash, code, team, firm, name, joined_at, released_at, released_by)
            s.players[token_hash] = p
            if released_at is None:
                s.occupant[(team, firm)] = p
        logged = defaultdict(list)
        for d in self._store.decisions(code):
            logged[(d.round, d.team, d.week)].append(d)
        gated = settings.pacing != "orders"
        s.message = self._store.last_message(code)
        s.added = self._store.weeks_added(code)
        s.teams = self._replay_round(code, 1, sc, row["seed"], policies, settings.teams, logged, gated)
        for r in self._store.rounds(code):  # later rounds: each on its own scenario, seed and bots
            s.past[s.round] = _Round(s.scenario, s.seed, s.settings, s.bot_policies, s.teams, s.changes)
            sc = from_table(r.scenario_table)
            s.settings = replace(s.settings, bot_rule=r.bot_rule)
            s.bot_policies = inputs.bot_policies(sc, r.bot_rule)
            s.round, s.scenario, s.seed, s.changes = r.round, sc, r.seed, r.changes
            s.teams = self._replay_round(code, r.round, sc, r.seed, s.bot_policies, settings.teams, logged, gated)
        for rv in self._store.reveals(code):
            s.reveals[(rv.round, rv.team, rv.firm)] = rv
        return s

    def _replay_round(self, code: str, round: int, sc: Scenario, seed: int, policies: dict | None, teams: int,
                      logged: Mapping[tuple[int, int, int], list[DecisionRow]],
                      gated: bool = False) -> dict[int, TeamGame]:
        """Every team of one round rebuilt from its logged decisions (through the same methods as play).

        Where the pacing holds complete weeks open (``gated``), a week closed only if its next one opened.
        """
        weeks = self._store.weeks(code, round)
        out = {}
        for t in range(1, teams + 1):
            game = out[t] = TeamGame(sc, seed, policies, t)
            while not game.done:
                game.opened_at, game.deadline = weeks.get((t, game.current), (None, None))
                for d in logged.get((round, t, game.current), ()):
                    game.add(Decision(d.firm, d.order, d.capacity, d.decided_by, d.reason, d.player, d.submitted_at))
                if not game.complete or gated and (t, game.current + 1) not in weeks:
                    break
                game.close()
        return out
