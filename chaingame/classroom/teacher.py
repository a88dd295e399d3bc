"""The teacher's verbs beyond start, pause and end.

A message to the class, the pacing button, reopening an ended session for more weeks, duplicating a
session (and what the copy will be), and the list of one's sessions.

A mixin of :class:`~chaingame.classroom.service.Classroom` (it uses the service's locks and store); like
every verb, each is checked at the boundary with a one-line error and does its long work (replaying a
game on a longer horizon) off the session's lock. See ``docs/classroom.md``, *The teacher in control*.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping

import numpy as np

from ..checks import show
from ..engine import COLUMNS
from ..scenario import Scenario, from_table
from . import inputs
from .errors import Forbidden, InputError
from .game import TeamGame
from .views import CopyPlan, HostSession, HostTicket, Status


class TeacherVerbs:
    """The host's verbs of :class:`~chaingame.classroom.service.Classroom` that shape a class's session."""

    def message(self, code: str, host_key: str, text: str) -> None:
        """Show ``text`` on every player's page (one line, at most ``MAX_MESSAGE`` characters; "" clears it)."""
        text = inputs.host_message(text)
        with self._hosting(code, host_key) as s:
            self._store.add_message(s.code, time.time(), text)
            s.message = text
        self._notify(s.code)

    def next_week(self, code: str, host_key: str) -> int:
        """Pacing ``teacher``: every team's week closes; bots decide, by the bot rule, for seats still to decide.

        Returns how many decisions the bots made for late seats (``reason = "host"``).
        """
        with self._hosting(code, host_key) as s:
            now = time.time()
            self._check_running(s)
            if s.settings.pacing != "teacher":
                raise Forbidden("pacing", f"session {s.code} paces weeks by {s.settings.pacing!r}, not by the "
                                          "host's button (allowed: next_week in a session created with pacing "
                                          "'teacher')")
            made = 0
            for game in s.teams.values():
                if not game.done:
                    s.released.add(game.team)
                    made += self._late_seats_to_bots(s, game, "host", now)
        self._notify(s.code)
        return made

    def reopen(self, code: str, host_key: str, more_weeks: int = 0) -> int:
        """Play an ended session on: teams stopped by the host go on where they stopped; ``more_weeks`` adds weeks.

        With more weeks, each team's game is replayed on the longer horizon, off the session's lock, and must
        give back the weeks already played exactly (a scenario whose demand or rules depend on the horizon
        cannot be extended). Returns the session's horizon.
        """
        s = self._host(code, host_key)
        with s.lock:
            if s.status != Status.ENDED:
                raise Forbidden("session", f"{s.code} has not ended (status: {s.status}; allowed: reopen an "
                                           "ended session)")
            more = inputs.more_weeks(more_weeks, s.scenario.weeks, len(s.teams), len(s.scenario.firms))
            if more == 0 and all(g.done for g in s.teams.values()):
                raise InputError("more_weeks", f"0: every team has played all {s.scenario.weeks} weeks (allowed: "
                                               f"1 or more weeks to add)")
            sc, seed, rule, before = s.scenario, s.seed, s.settings.bot_rule, dict(s.teams)
        games = None
        if more:  # off the lock: the long part
            longer = from_table(json.loads(json.dumps(sc.with_values({"weeks": sc.weeks + more}).table)))
            policies = inputs.bot_policies(longer, rule)
            games = {t: _replayed(longer, seed, policies, g) for t, g in before.items()}
            if not all(_same_weeks(games[t], g) for t, g in before.items()):
                raise InputError("more_weeks", f"{more}: the weeks already played of scenario {sc.name} would "
                                               "change on a longer horizon (its demand or rules depend on it; "
                                               "allowed: 0)")
        with s.lock:
            now = time.time()
            if s.status != Status.ENDED or s.scenario is not sc or s.teams != before:
                raise Forbidden("session", f"{s.code} changed meanwhile (allowed: try again)")
            self._store.reopen(s.code, s.round, dict(longer.table) if games else None, now, more)
            if games:
                s.scenario, s.teams, s.bot_policies = longer, games, policies
                s.added[s.round] = s.added.get(s.round, 0) + more
            s.status, s.paused_at = Status.RUNNING, None
            with self._lock:
                self._make_live(s)
            for game in s.teams.values():
                game.opened_at = game.deadline = None  # the open week's clock starts again now
                self._settle(s, game, now)
            weeks = s.scenario.weeks
        self._notify(s.code)
        return weeks

    def duplicate(self, code: str, host_key: str, title: str | None = None,
                  password: str | None = None) -> HostTicket:
        """A new session in the lobby with this one's first-round scenario, seed and settings, and a new code.

        The first round as configured now: weeks added by reopening it are kept (what the class played;
        :meth:`copy_plan` says so before). ``title`` defaults to this session's (not marked: players see
        it, and with a hidden horizon it must not tell them the weeks); ``password`` is the teacher password
        where the server has one.
        """
        self._check_password(password)
        with self._hosting(code, host_key) as s:
            sc, seed, settings = self._first_round(s)
            same = s.title
        return self._new_session(inputs.session_title(same if title is None else title, sc), sc, seed, settings)

    def copy_plan(self, code: str, host_key: str) -> CopyPlan:
        """What :meth:`duplicate` would make of this session now: title, scenario, weeks (and how many were added)."""
        with self._hosting(code, host_key) as s:
            sc, _, settings = self._first_round(s)
            return CopyPlan(s.title, s.scenario_name, sc.weeks, s.added.get(1, 0), settings.teams)

    @staticmethod
    def _first_round(s) -> tuple[Scenario, int, inputs.Settings]:
        """A session's first round as configured now: its scenario (reopened weeks included), seed and settings."""
        first = s.past.get(1)
        return (first.scenario, first.seed, first.settings) if first else (s.scenario, s.seed, s.settings)

    def sessions_of(self, keys: Mapping[str, str]) -> tuple[HostSession, ...]:
        """The sessions whose host key is given (code -> key), named and dated, newest first (read, not replayed).

        One read of the database for all of them (the host page asks again every few seconds).

        A code that is not a session, or whose key does not match, is left out.
        """
        if not isinstance(keys, Mapping):
            raise InputError("keys", f"{show(keys)} is not a table of code -> host key")
        try:
            size = len(keys)
            entries = list(dict(keys).items()) if size <= inputs.MAX_HOSTED else None
        except Exception:  # a mapping that cannot be read
            raise InputError("keys", f"{show(keys)} cannot be read as a table of code -> host key") from None
        if entries is None:
            raise InputError("keys", f"has {size} sessions (allowed: at most {inputs.MAX_HOSTED})")
        wanted: dict[str, list] = {}  # join code -> the keys held for it ("abc" and "ABC" are one session)
        for code, key in entries:
            try:
                wanted.setdefault(inputs.join_code(code), []).append(key)
            except Exception:  # a stored code the browser holds may be any text
                continue
        out = [HostSession(r["code"], r["title"], r["scenario"], r["created_at"], Status(r["status"]), r["players"])
               for r in self._store.listing(list(wanted))
               if any(self._key_matches(key, r["host_hash"]) for key in wanted[r["code"]])]
        return tuple(sorted(out, key=lambda h: -h.created_at))


def _replayed(sc: Scenario, seed: int, policies: dict | None, game: TeamGame) -> TeamGame:
    """``game``'s decisions (closed weeks, then the open one's so far) replayed on scenario ``sc``."""
    new = TeamGame(sc, seed, policies, game.team)
    for opened, week in zip(game.opened, game.log):
        new.opened_at = opened
        for d in week.values():
            new.add(d)
        new.close()
    for d in game.pending.values():
        new.add(d)
    return new


def _same_weeks(new: TeamGame, old: TeamGame) -> bool:
    """Whether ``new`` played the closed weeks of ``old`` to the same books."""
    return len(new.records) == len(old.records) and all(
        np.array_equal(a[c], b[c], equal_nan=True) for a, b in zip(new.records, old.records) for c in COLUMNS)
