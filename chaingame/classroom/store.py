"""The durable log of the classroom: one SQLite file (stdlib ``sqlite3``, WAL journal).

What is stored is what cannot be recomputed: each session's scenario table, seed and settings,
its seats and players, when each week opened, and every accepted decision. The chain's state is
never stored; it is the replay of the decisions through the engine (see :mod:`.game`).

``decisions`` and ``events`` are append-only (triggers refuse UPDATE and DELETE). Each write is its
own transaction, committed before the service changes its memory, so what a caller was told is
accepted survives a crash of the process.

The store is thread-safe: one connection, and one lock held for each call (a grouped write holds
it until its commit), so the service's sessions, each under its own lock, may write at once.
"""

from __future__ import annotations

import functools
import json
import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import InputError
from .views import Status

SCHEMA_VERSION = 2  # 2: rounds (decisions and weeks carry their round), demand reveals

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    code TEXT PRIMARY KEY,
    created_at REAL NOT NULL,
    title TEXT NOT NULL,
    scenario TEXT NOT NULL,          -- the scenario's name
    scenario_table TEXT NOT NULL,    -- JSON: the scenario table, overrides applied (chaingame.scenario.from_table)
    seed INTEGER NOT NULL,           -- demand seed, shared by every team
    settings TEXT NOT NULL,          -- JSON: teams, timer_seconds, bot_rule, max_order
    host_hash TEXT NOT NULL,         -- sha256 of the host key
    status TEXT NOT NULL,            -- lobby, running, paused, ended
    paused_at REAL                   -- when the current pause began
);
CREATE TABLE IF NOT EXISTS seats (
    code TEXT NOT NULL REFERENCES sessions(code),
    team INTEGER NOT NULL,
    firm TEXT NOT NULL,
    mode TEXT NOT NULL,              -- human or bot
    PRIMARY KEY (code, team, firm)
);
CREATE TABLE IF NOT EXISTS players (
    token_hash TEXT PRIMARY KEY,     -- sha256 of the seat token
    code TEXT NOT NULL REFERENCES sessions(code),
    team INTEGER NOT NULL,
    firm TEXT NOT NULL,
    name TEXT NOT NULL,
    joined_at REAL NOT NULL,
    released_at REAL,                -- set when the host frees the seat or hands it to a bot
    released_by TEXT
);
CREATE TABLE IF NOT EXISTS weeks (
    code TEXT NOT NULL REFERENCES sessions(code),
    team INTEGER NOT NULL,
    week INTEGER NOT NULL,
    opened_at REAL NOT NULL,         -- when the week was put to the players
    deadline REAL,                   -- when bots decide for late seats (timer), moved by pauses
    round INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (code, round, team, week)
);
CREATE TABLE IF NOT EXISTS decisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL REFERENCES sessions(code),
    team INTEGER NOT NULL,
    week INTEGER NOT NULL,
    firm TEXT NOT NULL,
    decided_by TEXT NOT NULL,        -- human or bot
    reason TEXT NOT NULL,            -- player, bot_seat, timer, host
    player TEXT,                     -- the seat's player at the time (None for a bot seat)
    order_qty REAL NOT NULL,
    capacity REAL,                   -- capacity target (producers)
    submitted_at REAL NOT NULL,
    round INTEGER NOT NULL DEFAULT 1,
    UNIQUE (code, round, team, week, firm)
);
CREATE TABLE IF NOT EXISTS rounds (  -- round 2 on; round 1 is the session's own row
    code TEXT NOT NULL REFERENCES sessions(code),
    round INTEGER NOT NULL,
    started_at REAL NOT NULL,
    scenario_table TEXT NOT NULL,    -- JSON: the round's scenario table, its changes applied
    seed INTEGER NOT NULL,           -- the round's demand seed (the session's unless asked otherwise)
    bot_rule TEXT,                   -- JSON: the round's bot rule (NULL: each firm's scenario rule)
    changes TEXT NOT NULL,           -- JSON: what the host changed from the round before
    PRIMARY KEY (code, round)
);
CREATE TABLE IF NOT EXISTS reveals (  -- what a player thinks end-customer demand was, asked once the game is over
    code TEXT NOT NULL REFERENCES sessions(code),
    round INTEGER NOT NULL,
    team INTEGER NOT NULL,
    firm TEXT NOT NULL,
    player TEXT NOT NULL,
    shape TEXT NOT NULL,             -- one of views.SHAPES
    numbers TEXT NOT NULL,           -- JSON list: demand levels guessed (cases a week), possibly empty
    at REAL NOT NULL,
    PRIMARY KEY (code, round, team, firm)
);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL,
    at REAL NOT NULL,
    kind TEXT NOT NULL,              -- created, start, pause, resume, end, seat, release, join, message, reopen, round
    detail TEXT NOT NULL             -- JSON
);
CREATE TRIGGER IF NOT EXISTS decisions_no_update BEFORE UPDATE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
CREATE TRIGGER IF NOT EXISTS decisions_no_delete BEFORE DELETE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
CREATE TRIGGER IF NOT EXISTS reveals_no_update BEFORE UPDATE ON reveals
BEGIN SELECT RAISE(ABORT, 'reveals are append-only'); END;
CREATE TRIGGER IF NOT EXISTS reveals_no_delete BEFORE DELETE ON reveals
BEGIN SELECT RAISE(ABORT, 'reveals are append-only'); END;
CREATE TRIGGER IF NOT EXISTS events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER IF NOT EXISTS events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
"""

# schema 1 -> 2: decisions and weeks gain their round (every old row is round 1; the unique keys
# include it), done by copying each table into its new shape (SQLite cannot change a key in place)
MIGRATE_1_TO_2 = """
BEGIN IMMEDIATE;
DROP TRIGGER IF EXISTS decisions_no_update;
DROP TRIGGER IF EXISTS decisions_no_delete;
ALTER TABLE decisions RENAME TO decisions_v1;
ALTER TABLE weeks RENAME TO weeks_v1;
""" + SCHEMA + """
INSERT INTO decisions (id, code, team, week, firm, decided_by, reason, player, order_qty, capacity,
                       submitted_at, round)
    SELECT id, code, team, week, firm, decided_by, reason, player, order_qty, capacity, submitted_at, 1
    FROM decisions_v1;
INSERT INTO weeks (code, team, week, opened_at, deadline, round)
    SELECT code, team, week, opened_at, deadline, 1 FROM weeks_v1;
DROP TABLE decisions_v1;
DROP TABLE weeks_v1;
UPDATE meta SET value = '2' WHERE key = 'schema';
COMMIT;
"""


@dataclass(frozen=True)
class DecisionRow:
    """A stored decision."""

    team: int
    week: int
    firm: str
    decided_by: str
    reason: str
    player: str | None
    order: float
    capacity: float | None
    submitted_at: float
    round: int = 1


@dataclass(frozen=True)
class RoundRow:
    """A stored round after the first: its scenario table, seed, bot rule and the changes asked for."""

    round: int
    started_at: float
    scenario_table: dict
    seed: int
    bot_rule: dict | None
    changes: dict


@dataclass(frozen=True)
class RevealRow:
    """A player's guess of end-customer demand."""

    round: int
    team: int
    firm: str
    player: str
    shape: str
    numbers: tuple[float, ...]
    at: float


def _locked(method):
    """Run a :class:`Store` method under the store's lock (one statement or transaction at a time)."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with self._lock:
            return method(self, *args, **kwargs)

    return wrapper


class Store:
    """The SQLite file: schema on first use, then small writes, and reads of one session at a time."""

    def __init__(self, path: str | Path):
        self._lock = threading.RLock()
        self.path = Path(path)
        where = f'"{self.path}"'  # in full: a long folder must not hide which file
        if self.path.is_dir():
            raise InputError("db", f"{where} is a folder (allowed: a classroom database file, created if missing)")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # autocommit (isolation_level=None): every statement is its own transaction unless grouped
            self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
            found = self._schema()  # read only: a file that is not ours is left as it was
        except sqlite3.Error as e:  # not SQLite, damaged, or unreadable
            raise InputError("db", f"{where} cannot be used as the classroom database ({e}; allowed: a file "
                                   "chaingame created, or a new name)") from None
        if found not in (None, 1, SCHEMA_VERSION):
            self.db.close()
            what = f"holds classroom schema {found}" if isinstance(found, int) else "is another program's database"
            raise InputError("db", f"{where} {what} (allowed: schema 1 or {SCHEMA_VERSION}, which this version "
                                   "reads, or a new name)")
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable across a crash of the process
        self.db.execute("PRAGMA foreign_keys=ON")
        if found == 1:
            self.db.executescript(MIGRATE_1_TO_2)
        self.db.executescript(SCHEMA)
        if found is None:
            self.db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))

    def _schema(self) -> int | str | None:
        """The file's classroom schema version; None for an empty (new) file; "foreign" for other tables."""
        tables = {r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not tables:
            return None
        if "meta" not in tables:
            return "foreign"
        row = self.db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        try:
            return int(row[0]) if row else "foreign"
        except ValueError:
            return "foreign"

    @_locked
    def close(self) -> None:
        """Close the database connection."""
        self.db.close()

    # writes -------------------------------------------------------------------------------------------
    @_locked
    def add_session(self, code: str, created_at: float, title: str, scenario: str, table: dict, seed: int,
                    settings: dict, host_hash: str, firms: list[str]) -> None:
        """Record a new session in the lobby with a human seat per team and firm, and its "created" event.

        Args:
            code: the session's join code.
            created_at: when it was created (seconds since the epoch).
            title: shown to the players.
            scenario: the scenario's name.
            table: the scenario as a TOML-style table (what replay rebuilds it from).
            seed: the session's random seed.
            settings: the session settings; ``settings["teams"]`` is the number of teams.
            host_hash: the hash of the host's token.
            firms: the firm names, one seat each per team.
        """
        with self._transaction():
            self.db.execute("INSERT INTO sessions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                            (code, created_at, title, scenario, json.dumps(table), seed,
                             json.dumps(settings), host_hash, Status.LOBBY.value))
            self.db.executemany("INSERT INTO seats VALUES (?, ?, ?, 'human')",
                                [(code, t, f) for t in range(1, settings["teams"] + 1) for f in firms])
            self._event(code, created_at, "created", {"scenario": scenario, "teams": settings["teams"]})

    @_locked
    def set_status(self, code: str, status: Status, paused_at: float | None, at: float, kind: str) -> None:
        """Set a session's status and pause time, logging a ``kind`` event (times in seconds since the epoch)."""
        with self._transaction():
            self.db.execute("UPDATE sessions SET status=?, paused_at=? WHERE code=?", (status.value, paused_at, code))
            self._event(code, at, kind, {"status": status.value})

    @_locked
    def set_modes(self, code: str, seats: list[tuple[int, str]], mode: str, at: float,
                  release: str | None = None) -> None:
        """Set the mode of ``seats``, and release the player of token hash ``release``, in one transaction.

        ``release`` is given when a seat is handed to a bot.
        """
        with self._transaction():
            if release is not None:
                self.db.execute("UPDATE players SET released_at=?, released_by='bot' WHERE token_hash=?",
                                (at, release))
                self._event(code, at, "release", {"by": "bot"})
            for team, firm in seats:
                self.db.execute("UPDATE seats SET mode=? WHERE code=? AND team=? AND firm=?", (mode, code, team, firm))
                self._event(code, at, "seat", {"team": team, "firm": firm, "mode": mode})

    @_locked
    def add_player(self, token_hash: str, code: str, team: int, firm: str, name: str, at: float,
                   mode: str | None = None) -> None:
        """Record a player taking a seat and log a "join" event; with ``mode``, set the seat's mode in one commit."""
        with self._transaction():
            self.db.execute("INSERT INTO players VALUES (?, ?, ?, ?, ?, ?, NULL, NULL)",
                            (token_hash, code, team, firm, name, at))
            if mode is not None:  # a latecomer takes over an open (bot-held) seat
                self.db.execute("UPDATE seats SET mode=? WHERE code=? AND team=? AND firm=?", (mode, code, team, firm))
            self._event(code, at, "join", {"team": team, "firm": firm, "name": name})

    @_locked
    def add_message(self, code: str, at: float, text: str) -> None:
        """Log the host's message to every player (an empty text clears it)."""
        self._event(code, at, "message", {"text": text})

    @_locked
    def last_message(self, code: str) -> str:
        """The host's latest message of the session's current round ("" for none).

        A message sent before the latest "round" event belonged to an earlier round: it stays in the log, unshown.
        """
        row = self.db.execute("SELECT detail FROM events WHERE code=? AND kind='message' AND id > (SELECT "
                              "COALESCE(MAX(id), 0) FROM events WHERE code=? AND kind='round') ORDER BY id DESC "
                              "LIMIT 1", (code, code)).fetchone()
        return json.loads(row[0])["text"] if row else ""

    @_locked
    def reopen(self, code: str, round: int, table: dict | None, at: float, more_weeks: int) -> None:
        """An ended session running again, its round's scenario table replaced by ``table`` (None: unchanged)."""
        with self._transaction():
            if table is not None:
                if round == 1:
                    self.db.execute("UPDATE sessions SET scenario_table=? WHERE code=?", (json.dumps(table), code))
                else:
                    self.db.execute("UPDATE rounds SET scenario_table=? WHERE code=? AND round=?",
                                    (json.dumps(table), code, round))
            self.db.execute("UPDATE sessions SET status=?, paused_at=NULL WHERE code=?", (Status.RUNNING.value, code))
            self._event(code, at, "reopen", {"round": round, "more_weeks": more_weeks})

    @_locked
    def release_player(self, token_hash: str, code: str, at: float, by: str) -> None:
        """Mark a player's token released (``by`` whom) at time ``at`` and log a "release" event."""
        with self._transaction():
            self.db.execute("UPDATE players SET released_at=?, released_by=? WHERE token_hash=?", (at, by, token_hash))
            self._event(code, at, "release", {"by": by})

    @_locked
    def open_week(self, code: str, team: int, week: int, opened_at: float, deadline: float | None,
                  round: int = 1) -> None:
        """Record when a team's week of a round opened and its deadline (None: no timer), replacing an earlier row."""
        self.db.execute("INSERT OR REPLACE INTO weeks (code, team, week, opened_at, deadline, round) "
                        "VALUES (?, ?, ?, ?, ?, ?)", (code, team, week, opened_at, deadline, round))

    @_locked
    def set_deadline(self, code: str, team: int, week: int, deadline: float | None, round: int = 1) -> None:
        """Move a team's week deadline in a round (None: no timer)."""
        self.db.execute("UPDATE weeks SET deadline=? WHERE code=? AND team=? AND week=? AND round=?",
                        (deadline, code, team, week, round))

    @_locked
    def add_round(self, code: str, r: RoundRow) -> None:
        """A new round: its row, and the session back in the lobby (same teams, seats and players)."""
        with self._transaction():
            self.db.execute("INSERT INTO rounds VALUES (?, ?, ?, ?, ?, ?, ?)",
                            (code, r.round, r.started_at, json.dumps(r.scenario_table), r.seed,
                             None if r.bot_rule is None else json.dumps(r.bot_rule), json.dumps(r.changes)))
            self.db.execute("UPDATE sessions SET status=?, paused_at=NULL WHERE code=?", (Status.LOBBY.value, code))
            self._event(code, r.started_at, "round", {"round": r.round, "changes": r.changes})

    @_locked
    def add_reveal(self, code: str, r: RevealRow) -> None:
        """Store a player's demand guess of a round."""
        self.db.execute("INSERT INTO reveals VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (code, r.round, r.team, r.firm, r.player, r.shape, json.dumps(list(r.numbers)), r.at))

    @_locked
    def add_decision(self, code: str, d: DecisionRow) -> None:
        """Append an accepted decision to the session's decision log."""
        self.db.execute(
            "INSERT INTO decisions (code, team, week, firm, decided_by, reason, player, order_qty, capacity, "
            "submitted_at, round) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (code, d.team, d.week, d.firm, d.decided_by, d.reason, d.player, d.order, d.capacity, d.submitted_at,
             d.round))

    def _event(self, code: str, at: float, kind: str, detail: dict) -> None:
        self.db.execute("INSERT INTO events (code, at, kind, detail) VALUES (?, ?, ?, ?)",
                        (code, at, kind, json.dumps(detail)))

    def _transaction(self):
        return _Transaction(self.db)

    # reads --------------------------------------------------------------------------------------------
    @_locked
    def codes(self) -> set[str]:
        """The join codes of all stored sessions."""
        return {r[0] for r in self.db.execute("SELECT code FROM sessions")}

    @_locked
    def sessions(self, live: bool = False, code: str | None = None) -> list[dict[str, Any]]:
        """Stored sessions, oldest first: all, those not ended (``live``), or the one of ``code``."""
        cols = ("code", "created_at", "title", "scenario", "scenario_table", "seed", "settings", "host_hash",
                "status", "paused_at")
        where, args = ("WHERE status != ?", (Status.ENDED.value,)) if live else ("", ())
        if code is not None:
            where, args = "WHERE code = ?", (code,)
        rows = self.db.execute(f"SELECT {', '.join(cols)} FROM sessions {where} ORDER BY created_at, code",
                               args).fetchall()
        out = []
        for r in rows:
            s = dict(zip(cols, r))
            s["scenario_table"] = json.loads(s["scenario_table"])
            s["settings"] = json.loads(s["settings"])
            out.append(s)
        return out

    @_locked
    def weeks_added(self, code: str) -> dict[int, int]:
        """Weeks added to each round by reopening it (round -> weeks; rounds never extended are left out)."""
        added: dict[int, int] = {}
        for (detail,) in self.db.execute("SELECT detail FROM events WHERE code=? AND kind='reopen' ORDER BY id",
                                         (code,)):
            d = json.loads(detail)
            if d.get("more_weeks"):
                added[d["round"]] = added.get(d["round"], 0) + d["more_weeks"]
        return added

    @_locked
    def listing(self, codes: Sequence[str]) -> list[dict[str, Any]]:
        """The host's list of sessions ``codes`` (those stored): names, dates, status, host hash, players seated.

        Two queries, no scenario read: a host page asks again every few seconds.
        """
        codes = list(dict.fromkeys(codes))  # at most inputs.MAX_HOSTED: within SQLite's 32,766 parameters
        marks = ", ".join("?" * len(codes))
        cols = ("code", "created_at", "title", "scenario", "host_hash", "status")
        rows = [dict(zip(cols, r)) for r in self.db.execute(
            f"SELECT {', '.join(cols)} FROM sessions WHERE code IN ({marks})", codes)]
        seated = dict(self.db.execute(f"SELECT code, COUNT(*) FROM players WHERE released_at IS NULL AND code IN "
                                      f"({marks}) GROUP BY code", codes))
        for r in rows:
            r["players"] = seated.get(r["code"], 0)
        return rows

    @_locked
    def player_code(self, token_hash: str) -> str | None:
        """The session of a seat token (by its hash), or None."""
        row = self.db.execute("SELECT code FROM players WHERE token_hash=?", (token_hash,)).fetchone()
        return row[0] if row else None

    @_locked
    def seats(self, code: str) -> dict[tuple[int, str], str]:
        """Each seat's mode ("human" or "bot") by (team, firm)."""
        return {(t, f): m for t, f, m in self.db.execute("SELECT team, firm, mode FROM seats WHERE code=?", (code,))}

    @_locked
    def players(self, code: str) -> list[tuple]:
        """(token_hash, team, firm, name, joined_at, released_at, released_by), oldest first."""
        return self.db.execute("SELECT token_hash, team, firm, name, joined_at, released_at, released_by "
                               "FROM players WHERE code=? ORDER BY joined_at, rowid", (code,)).fetchall()

    @_locked
    def weeks(self, code: str, round: int = 1) -> dict[tuple[int, int], tuple[float, float | None]]:
        """(opened_at, deadline) of every opened week of a round by (team, week)."""
        return {(t, w): (o, d) for t, w, o, d in self.db.execute(
            "SELECT team, week, opened_at, deadline FROM weeks WHERE code=? AND round=?", (code, round))}

    @_locked
    def decisions(self, code: str) -> list[DecisionRow]:
        """Every decision of the session, every round, in the order they were accepted."""
        return [DecisionRow(*r) for r in self.db.execute(
            "SELECT team, week, firm, decided_by, reason, player, order_qty, capacity, submitted_at, round "
            "FROM decisions WHERE code=? ORDER BY id", (code,))]

    @_locked
    def rounds(self, code: str) -> list[RoundRow]:
        """The session's rounds after the first, in order."""
        return [RoundRow(r, at, json.loads(table), seed, None if rule is None else json.loads(rule), json.loads(ch))
                for r, at, table, seed, rule, ch in self.db.execute(
                    "SELECT round, started_at, scenario_table, seed, bot_rule, changes FROM rounds WHERE code=? "
                    "ORDER BY round", (code,))]

    @_locked
    def reveals(self, code: str) -> list[RevealRow]:
        """The session's demand guesses, every round, in the order they were given."""
        return [RevealRow(r, t, f, p, shape, tuple(json.loads(nums)), at) for r, t, f, p, shape, nums, at in
                self.db.execute("SELECT round, team, firm, player, shape, numbers, at FROM reveals WHERE code=? "
                                "ORDER BY at", (code,))]


class _Transaction:
    """``with store._transaction():`` groups statements into one transaction (autocommit otherwise)."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind, value, tb):
        self.db.execute("COMMIT" if kind is None else "ROLLBACK")
        return False
