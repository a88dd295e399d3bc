"""An adversary's sweep of the classroom service: every public verb, every argument, hostile values.

Each call puts one hostile value (tests/classroom/hostile.py: NaN, 10**5000, '²', lone surrogates, NUL,
10 MB text, 10,000-deep lists, objects whose ``==`` or ``repr`` raise, numpy arrays, ...) at one argument
of one verb, with valid values elsewhere, on a live classroom: running, lobby, paused, teacher-paced and
ended sessions. The contract (issue 13, item 8):

* a refused call raises the service's own error (``ClassroomError`` or, for settings, ``ScenarioError``),
  never another exception;
* its message is one printable line, starting with the field given the hostile value;
* the SQLite file (every table) and what every seat and host sees are unchanged by it;
* no call takes long (refused before any work);
* a value no field can hold (a lone surrogate, a control character, bytes, a deep list...) is refused.

Every escape is reported at once; the seed fixes the sample.
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections import Counter
from collections.abc import Mapping

from chaingame.checks import ScenarioError
from chaingame.classroom import Classroom, ClassroomError
from chaingame.scenario import bundled

from .conftest import order
from .hostile import draw

PASSWORD = "staff room"  # the teacher password of the fuzzed server: create_session and duplicate check it
UPLOADED = bundled()["classic"].read_text().replace('name = "classic"', "")  # an upload names itself
SEED = 13
EXTRA = 12  # hostile values per argument beyond one of each kind
SLOW = 1.0  # seconds: a refused call taking longer is an escape (the checks come before any work)
SLOWEST: Counter = Counter()  # verb -> the longest refusal seen (s), printed with the count
NEVER_VALID = {"surrogate", "big text", "bytes", "deep", "raising", "other"}  # kinds no argument may hold

FIELD = {"text": ("message",), "theta": ("bot_rule.theta",), "number": ("numbers",),  # argument -> the fields
         "weeks": ("weeks", "changes.weeks")}  # its errors may name, where they differ from its name
ANY_FIELD = {"changes", "scenario_toml", "path"}  # an uploaded table's errors name the path inside it
MAYBE_VALID = {"small int", "text", "subclass"}  # kinds whose value may be valid: another field may be refused


def world(room: Classroom) -> dict:
    """Live sessions in every state, with a seated player each."""
    w = {}
    run = w["run"] = room.create_session("capacity", teams=2, timer_seconds=600, password=PASSWORD)  # tick reads it
    w["alice"] = room.join(run.code, "Alice", team=1, firm="manufacturer")  # decides a capacity
    w["bob"] = room.join(run.code, "Bob", team=2, firm="retailer")
    room.start(run.code, run.host_key)
    view = room.seat_view(w["alice"].token)
    room.submit(w["alice"].token, view.week, order(view, 4))  # week 1 is closed: the repeat path
    w["lobby"] = room.create_session("classic", teams=2, password=PASSWORD)
    paused = w["paused"] = room.create_session("classic", password=PASSWORD)
    room.join(paused.code, "Erin")  # a human seat keeps the game at week 1
    room.start(paused.code, paused.host_key)
    room.pause(paused.code, paused.host_key)
    teacher = w["teacher"] = room.create_session("classic", pacing="teacher", password=PASSWORD)
    room.join(teacher.code, "Fay")
    room.start(teacher.code, teacher.host_key)
    ended = w["ended"] = room.create_session("classic", weeks=2, password=PASSWORD)
    w["dave"] = room.join(ended.code, "Dave")
    room.start(ended.code, ended.host_key)
    for _ in range(2):
        view = room.seat_view(w["dave"].token)
        room.submit(w["dave"].token, view.week, order(view, 4))  # the team is done: the session ends
    return w


class Live:
    """A valid value read from the world at call time (a session's code, a seat's token, its current week)."""

    def __init__(self, read):
        self.read = read


def code(k):
    return Live(lambda r, w: w[k].code)


def key(k):
    return Live(lambda r, w: w[k].host_key)


def token(k):
    return Live(lambda r, w: w[k].token)


def host(k):
    return {"code": code(k), "host_key": key(k)}


CURRENT_WEEK = Live(lambda r, w: r.seat_view(w["alice"].token).week)
NOOP = lambda: None  # noqa: E731 - a subscriber

# verb -> (call, {argument: its valid value}); every argument is given by keyword
VERBS = {
    "create_session": (Classroom.create_session, {
        "scenario": "classic", "teams": 1, "information": None, "weeks": None, "timer_seconds": None,
        "bot_rule": None, "title": "", "scenario_toml": None, "seed": None, "max_order": None, "password": PASSWORD,
        "hide_horizon": False, "pacing": "orders"}),
    "upload": (Classroom.create_session, {"scenario": "my beer game", "scenario_toml": UPLOADED, "title": "",
                                          "password": PASSWORD}),
    "join": (Classroom.join, {"code": code("lobby"), "name": "Carol", "team": None, "firm": None}),
    "resume": (Classroom.resume, {"token": token("alice")}),
    "join_view": (Classroom.join_view, {"code": code("lobby")}),
    "seat_view": (Classroom.seat_view, {"token": token("alice")}),
    "submit": (Classroom.submit, {"token": token("alice"), "week": CURRENT_WEEK, "order": 4, "capacity": None}),
    "host_view": (Classroom.host_view, host("run")),
    "start": (Classroom.start, {**host("lobby"), "fill_with_bots": True, "latecomers": False}),
    "pause": (Classroom.pause, host("run")),
    "resume_session": (Classroom.resume_session, host("paused")),
    "end": (Classroom.end, host("run")),
    "advance": (Classroom.advance, {**host("run"), "team": 1}),
    "set_seat": (Classroom.set_seat, {**host("run"), "team": 2, "firm": "distributor", "mode": "human"}),
    "release_seat": (Classroom.release_seat, {**host("run"), "team": 2, "firm": "retailer"}),
    "tick": (Classroom.tick, {"now": None}),
    "start_ticker": (Classroom.start_ticker, {"interval": 1.0}),
    "start_round": (Classroom.start_round, {**host("ended"), "changes": None, "information": None,
                                            "bot_rule": "keep", "seed": None}),
    "reveal": (Classroom.reveal, {"token": token("dave"), "shape": "flat", "numbers": ()}),
    "reveal_view": (Classroom.reveal_view, {"token": token("dave")}),
    "projector_view": (Classroom.projector_view, {"code": code("run")}),
    "progress": (Classroom.progress, {"code": code("run")}),
    "team_turn": (Classroom.team_turn, {"code": code("run"), "team": 1}),
    "debrief": (Classroom.debrief, {"code": code("ended"), "host_key": None}),
    "export": (Classroom.export, {**host("run"), "fmt": "csv"}),
    "subscribe": (Classroom.subscribe, {"code": code("run"), "callback": NOOP, "team": None}),
    "message": (Classroom.message, {**host("run"), "text": "Two minutes left"}),
    "next_week": (Classroom.next_week, host("teacher")),
    "reopen": (Classroom.reopen, {**host("ended"), "more_weeks": 2}),
    "duplicate": (Classroom.duplicate, {**host("run"), "title": None, "password": PASSWORD}),
    "sessions_of": (Classroom.sessions_of, {"keys": Live(lambda r, w: {w["run"].code: w["run"].host_key})}),
    # inside the tables and lists a verb takes
    "bot_rule.theta": (lambda r, theta: r.create_session("classic", password=PASSWORD, bot_rule={
        "rule": "sterman", "theta": theta}), {"theta": 0.36}),
    "changes.weeks": (lambda r, weeks, code, host_key: r.start_round(code, host_key, {"weeks": weeks}),
                      {"weeks": 3, **host("ended")}),
    "changes.path": (lambda r, path, code, host_key: r.start_round(code, host_key, {path: 1}),
                     {"path": "links.*.shipping_delay", **host("ended")}),
    "numbers[1]": (lambda r, number, token: r.reveal(token, "flat", [4, number]),
                   {"number": 8, "token": token("dave")}),
    "keys.key": (lambda r, key_, code: r.sessions_of({code: key_}), {"key_": key("run"), "code": code("run")}),
}
READS = {"resume", "join_view", "seat_view", "host_view", "reveal_view", "projector_view", "progress", "team_turn",
         "debrief", "export", "sessions_of", "subscribe", "keys.key"}  # accepted, these change nothing stored


def snapshot(room: Classroom, db, w: dict) -> tuple:
    """Every table of the database, and what every seat and every host of the world sees."""
    with sqlite3.connect(db) as con:
        names = [n for (n,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        tables = {n: con.execute(f"SELECT * FROM {n} ORDER BY rowid").fetchall() for n in names}  # noqa: S608
    seats = [repr(room.seat_view(t.token)) for t in (w["alice"], w["bob"], w["dave"])]
    hosts = [repr(room.host_view(h.code, h.host_key)) for h in (w[k] for k in ("run", "lobby", "paused", "teacher",
                                                                               "ended"))]
    return tables, seats, hosts


def never_valid(verb: str, arg: str, kind: str, value) -> bool:
    """A value no argument may hold (control characters other than white space included)."""
    if arg == "callback":
        return not callable(value)
    if arg in ("code", "key_") and verb == "keys.key" or arg == "keys" and isinstance(value, Mapping):
        return False  # a browser's stored list of sessions: an entry that is not one is left out
    if kind in NEVER_VALID:
        return True
    return kind == "control" and not all(c.isprintable() or c.isspace() for c in value)


KEYS = {("changes.path", "path"), ("keys.key", "code")}  # arguments a table's key: a value must hash to be one


def hashable(value) -> bool:
    try:
        hash(value)
    except Exception:  # noqa: BLE001 - a hostile __hash__ too
        return False
    return True


def cases(rng: random.Random):
    """(verb, argument, kind, value): each argument of each verb gets one value of every kind and some more."""
    for verb, (_, valid) in VERBS.items():
        for arg in valid:
            for kind, value in draw(rng, EXTRA):
                if (verb, arg) not in KEYS or hashable(value):
                    yield verb, arg, kind, value


def check(room, db, w, before, verb, arg, kind, value) -> tuple[str | None, bool, tuple | None]:
    """Run one case on the world whose snapshot is ``before``: (what escaped or None, accepted, the snapshot after).

    The snapshot after is None where an accepted call changed the world (the next case gets a new one).
    """
    call, valid = VERBS[verb]
    kwargs = {a: value if a == arg else v.read(room, w) if isinstance(v, Live) else v for a, v in valid.items()}
    t0 = time.perf_counter()
    try:
        call(room, **kwargs)
    except (ClassroomError, ScenarioError) as e:
        took = time.perf_counter() - t0
        SLOWEST[verb] = max(SLOWEST[verb], took)
        after = snapshot(room, db, w)
        return refusal(e, verb, arg, kind, took) or (
            f"state changed by a refused call: {str(e)[:100]}" if after != before else None), False, after
    except Exception as e:  # noqa: BLE001 - what escapes is the finding
        return f"{type(e).__name__}: {str(e)[:100]!r}", False, None
    took = time.perf_counter() - t0
    after = snapshot(room, db, w) if verb in READS else None
    if never_valid(verb, arg, kind, value):
        return "accepted", True, after
    if took > SLOW:
        return f"slow: accepted after {took:.1f} s", True, after
    if verb in READS and after != before:
        return "state changed by a read", True, after
    return None, True, after


def refusal(e: ValueError, verb: str, arg: str, kind: str, took: float) -> str | None:
    """What is wrong with a refusal: its message, the field it names, or its time (None: nothing)."""
    text = str(e)
    field = getattr(e, "field", None) or getattr(e, "path", "")
    wanted = FIELD.get(arg, (arg,))
    if "\n" in text or "\r" in text or not text.isprintable() or len(text) > 400:
        return f"message: {text[:120]!r}"
    named = field in wanted or field.startswith(tuple(w + c for w in wanted for c in ".["))
    if not named and arg not in ANY_FIELD and kind not in MAYBE_VALID:
        return f"field {field!r} not {wanted!r}: {text[:100]}"
    if took > SLOW:
        return f"slow: refused after {took:.1f} s"
    return None


def test_hostile_values_at_every_argument_of_every_verb_are_refused_in_one_line_and_change_nothing(tmp_path):
    rng = random.Random(SEED)  # seeded: the same calls every run
    n = 0
    escaped: list[str] = []
    by, why = Counter(), Counter()  # escapes by (verb, kind of value), and by what escaped
    room = w = db = state = None
    for verb, arg, kind, value in cases(rng):
        if state is None:  # a new classroom after an accepted change, so each call meets the world as built
            if room is not None:
                room.close()
            db = tmp_path / f"c{n}.db"
            room = Classroom(db, teacher_password=PASSWORD)
            w = world(room)
            state = snapshot(room, db, w)
        n += 1
        what, accepted, state = check(room, db, w, state, verb, arg, kind, value)
        if what is not None:
            by[(verb, kind)] += 1
            why[what.split(":")[0].split(" ")[0]] += 1
            escaped.append(f"{verb}({arg}={_short(value)}) [{kind}]: {what}")
    room.close()
    slowest = ", ".join(f"{v} {t * 1000:.0f} ms" for v, t in SLOWEST.most_common(3))
    print(f"fuzz-api: {n} calls, {len(escaped)} escaped; slowest refusals: {slowest}")
    assert n > 1000
    summary = ", ".join(f"{what} {k}" for what, k in why.most_common()) + "; " + ", ".join(
        f"{verb} [{kind}] {k}" for (verb, kind), k in sorted(by.items()))
    assert not escaped, f"{len(escaped)} of {n} calls escaped ({summary}):\n" + "\n".join(escaped)


def _short(value) -> str:
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 - a hostile repr
        return f"<{type(value).__name__}>"
    return text if len(text) <= 40 else text[:37] + "..."
