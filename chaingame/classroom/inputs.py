"""Validation at the classroom's boundary: a session's settings and a player's input.

Settings are checked like a scenario file (:class:`~chaingame.checks.ScenarioError` naming the
field); a player's input raises :class:`~chaingame.classroom.errors.InputError`, one line that
names the field, the value and what is allowed, e.g. ``order: -3 is below 0 (allowed: a whole
number from 0 to 1000)``.
"""

from __future__ import annotations

import json
import math
import numbers
import re
import secrets
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from .. import policies as pol
from ..checks import ScenarioError, check_seed, choice, key, number, show, text
from ..information import MODES
from ..scenario import Scenario, bundled, from_table, load_scenario
from .errors import InputError, NotFound

MAX_TEAMS = 100  # teams in one session (each is one whole chain)
MAX_WEEKS = 520  # a classroom game's horizon (ten years of weeks)
MAX_TEAM_WEEKS = 5_200  # teams × weeks of one session (50 teams for two years): an all-bot start costs ~20 s of CPU
MAX_SEAT_WEEKS = 6 * MAX_TEAM_WEEKS  # teams × firms × weeks: the largest bundled chain (6 firms) at MAX_TEAM_WEEKS;
#   an uploaded chain of 400 firms, 1 team, 52 weeks (20,800 seat-weeks) started in 5.6 s and 180 MB
MAX_NESTING = 50  # levels of lists and tables in an uploaded scenario (a scenario file needs fewer than 10)
MIN_TIMER, MAX_TIMER = 5.0, 86_400.0  # seconds a week may wait for its players
MIN_TICK, MAX_TICK = 0.01, 60.0  # seconds between two ticks of the timer thread (week timers resolve to it)
MAX_TOML = 200_000  # characters of an uploaded scenario
MAX_NAME = 40  # characters of a player's name
MAX_TITLE = 120  # characters of a session's title
MAX_MESSAGE = 300  # characters of the host's message to every player
MAX_TYPED = 100  # characters of a typed number or join code (a longer one is refused before it is read)
SPACE = 4  # a text may be this many times its limit before runs of white space are made one (then checked again)
MAX_HOSTED = 1_000  # sessions a host's browser may list at once (sessions_of)
MAX_ENTRIES = 100  # entries of a bot rule or of a round's changes (a rule has fewer than 10)
MAX_PATH = 200  # characters of a dotted path in a round's changes
PACINGS = ("orders", "timer", "teacher", "in_step")  # when a team's week closes: see docs/classroom.md, Pacing
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: easy to read aloud and type
CODE_LENGTH = 6  # 32^6 ≈ 1.07e9 codes
# a number as a person types it, in ASCII digits: not '١٢' or '１２' (Python's float reads them), '1_000' or '0x10'
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", re.ASCII)
_WHOLE = re.compile(r"[+-]?\d+", re.ASCII)


@dataclass(frozen=True)
class Settings:
    """A session's validated settings (stored as JSON beside the scenario table)."""

    teams: int
    timer_seconds: float | None
    bot_rule: dict | None  # an order-rule table, e.g. {"rule": "sterman", "theta": 0.36, ...}; None: the scenario's
    max_order: float  # largest order or capacity a player may enter
    hide_horizon: bool = False  # players see "week 12", not "of 36" (no end-of-game effects)
    pacing: str = "orders"  # one of PACINGS: when a team's week closes

    def as_json(self) -> dict:
        """The settings as stored (a JSON object)."""
        return {"teams": self.teams, "timer_seconds": self.timer_seconds, "bot_rule": self.bot_rule,
                "max_order": self.max_order, "hide_horizon": self.hide_horizon, "pacing": self.pacing}

    @classmethod
    def from_json(cls, raw: Mapping) -> Settings:
        """Settings as stored (a session stored before ``hide_horizon`` or ``pacing`` existed gets the defaults)."""
        return cls(raw["teams"], raw["timer_seconds"], raw["bot_rule"], raw["max_order"],
                   bool(raw.get("hide_horizon", False)), raw.get("pacing", "orders"))


def scenario_for_session(scenario: str, scenario_toml: str | None, information: str | None,
                         weeks: int | None, seed: int | None) -> tuple[Scenario, int]:
    """The session's scenario (a bundled name, or uploaded TOML text) with its overrides, and its seed."""
    scenario = encodable(str.__str__(text(scenario, "scenario")), "scenario", ScenarioError)  # plain text
    if scenario_toml is None:
        names = bundled()
        if scenario not in names:
            raise ScenarioError("scenario", f"{show(scenario)} is not a bundled scenario "
                                            f"(allowed: {', '.join(names)}, or upload a TOML file)")
        sc = load_scenario(scenario)
    else:
        text(scenario_toml, "scenario_toml")
        scenario = one_line(scenario, "scenario", MAX_TITLE, ScenarioError)  # the upload's name: its title
        if len(scenario_toml) > MAX_TOML:
            raise ScenarioError("scenario_toml", f"has {len(scenario_toml)} characters (allowed: at most {MAX_TOML})")
        encodable(scenario_toml, "scenario_toml", ScenarioError)
        depth = nesting(scenario_toml)
        if depth > MAX_NESTING:
            raise ScenarioError("scenario_toml", f"nests lists or tables {depth} levels deep "
                                                 f"(allowed: at most {MAX_NESTING})")
        try:
            raw = tomllib.loads(scenario_toml)
        except tomllib.TOMLDecodeError as e:
            raise ScenarioError("scenario_toml", f"is not valid TOML ({e})") from None
        except RecursionError:  # nesting() counts brackets only; a parser's own limit still ends in one line
            raise ScenarioError("scenario_toml", f"nests too deeply (allowed: at most {MAX_NESTING} levels)") from None
        raw.setdefault("name", scenario or "uploaded")
        try:
            sc = from_table(raw)
        except RecursionError:
            raise ScenarioError("scenario_toml", f"nests too deeply (allowed: at most {MAX_NESTING} levels)") from None
        one_line(sc.name, "scenario_toml.name", MAX_TITLE, ScenarioError)
    values: dict[str, Any] = {}
    if information is not None:
        values["information"] = choice(information, "information", MODES)
    if weeks is not None:
        values["weeks"] = number(weeks, "weeks", low=1, high=MAX_WEEKS, integer=True)
    if values:
        sc = sc.with_values(values)
    if sc.weeks > MAX_WEEKS:
        raise ScenarioError("weeks", f"{sc.weeks} is above {MAX_WEEKS} (allowed: 1 to {MAX_WEEKS} in a classroom)")
    try:
        stored = json.loads(json.dumps(sc.table))
    except (TypeError, ValueError):
        raise ScenarioError("scenario_toml", "holds a value that cannot be stored, such as a date (allowed: "
                                             "numbers, strings, true/false, lists and tables)") from None
    sc = from_table(stored)  # what a restart will read back
    seed = sc.seed if seed is None else check_seed(seed)
    return sc, seed


def settings_for_session(sc: Scenario, teams: int, timer_seconds: float | None, bot_rule: Mapping | None,
                         max_order: float | None, hide_horizon: bool = False, pacing: str = "orders") -> Settings:
    """Check the host's settings for a session on scenario ``sc``; raise naming the field that is out of bounds.

    Args:
        sc: the session's scenario.
        teams: teams playing it (1 to :data:`MAX_TEAMS`).
        timer_seconds: seconds a week stays open before bots decide for the late seats (None: no timer).
        bot_rule: an order-rule table for the bots (None: the scenario's rules), stored with the session's
            defaults written out (:func:`bot_rule_in`).
        max_order: the largest order or capacity a player may enter (default: :func:`default_max_order`).
        hide_horizon: players see "week 12", not "of 36" (no end-of-game effects).
        pacing: when a team's week closes, one of :data:`PACINGS` (``timer`` needs ``timer_seconds``).
    """
    pacing = choice(pacing, "pacing", PACINGS)
    if not isinstance(hide_horizon, bool):
        raise ScenarioError("hide_horizon", f"{show(hide_horizon)} is not true or false (allowed: true, false)")
    teams = int(number(teams, "teams", low=1, high=MAX_TEAMS, integer=True))
    if teams * sc.weeks > MAX_TEAM_WEEKS:
        raise ScenarioError("teams", f"{teams} teams × {sc.weeks} weeks = {teams * sc.weeks} team-weeks is above "
                                     f"{MAX_TEAM_WEEKS} (allowed: teams × weeks at most {MAX_TEAM_WEEKS}, e.g. "
                                     f"{MAX_TEAM_WEEKS // sc.weeks} teams for {sc.weeks} weeks)")
    firms = len(sc.firms)
    if teams * firms * sc.weeks > MAX_SEAT_WEEKS:
        raise ScenarioError("teams", f"{teams} teams × {firms} firms × {sc.weeks} weeks = {teams * firms * sc.weeks} "
                                     f"seat-weeks is above {MAX_SEAT_WEEKS} (allowed: teams × firms × weeks at most "
                                     f"{MAX_SEAT_WEEKS}, e.g. {max(1, MAX_SEAT_WEEKS // (firms * sc.weeks))} teams of "
                                     f"{firms} firms for {sc.weeks} weeks, if any fit)")
    if timer_seconds is not None:
        timer_seconds = float(number(timer_seconds, "timer_seconds", low=MIN_TIMER, high=MAX_TIMER))
    if bot_rule is not None:
        if not isinstance(bot_rule, Mapping):
            raise ScenarioError("bot_rule", f"{show(bot_rule)} is not a table (allowed: e.g. "
                                            "{\"rule\": \"sterman\", \"theta\": 0.36})")
        bot_rule = stored_table(bot_rule, "bot_rule")
        bot_rule = bot_rule_in(sc, bot_rule)  # stored with the session's defaults written out
        bot_policies(sc, bot_rule)
    fixed = largest_fixed_order(sc)
    if max_order is None:
        max_order = default_max_order(sc, fixed)  # at least the largest fixed order
    else:
        max_order = float(number(max_order, "max_order", above=0, high=1e9))
    if fixed is not None and max_order < fixed[0]:  # the fixed week could never be submitted: the game would stall
        most, firm, week = fixed
        raise ScenarioError("max_order", f"{_num(max_order)} is below the order of {_num(most)} the scenario fixes "
                                         f"for {firm} in week {week} (allowed: a number from {_num(most)} to 1e9)")
    if pacing == "timer" and timer_seconds is None:
        raise ScenarioError("pacing", f"'timer' closes each week when its timer runs out, but timer_seconds is "
                                      f"empty (allowed: a timer of {MIN_TIMER:g} to {MAX_TIMER:g} s, or pacing "
                                      f"{', '.join(repr(p) for p in PACINGS if p != 'timer')})")
    return Settings(teams, timer_seconds, bot_rule, max_order, hide_horizon, pacing)


def stored_table(value: Mapping, field: str, most: int = MAX_ENTRIES) -> dict:
    """A plain copy of a table the session stores as JSON, of at most ``most`` entries; one line otherwise."""
    try:
        size = len(value)
        out = dict(value) if size <= most else None
    except Exception:  # a mapping whose items cannot be read
        raise ScenarioError(field, f"{show(value)} cannot be read as a table (allowed: a table of numbers and "
                                   "strings)") from None
    if out is None:
        raise ScenarioError(field, f"has {size} entries (allowed: at most {most})")
    found = unstorable(out, field)
    if found is not None:
        raise ScenarioError(*found)
    return out


def unstorable(value: Any, path: str, depth: int = 0, top: str = "") -> tuple[str, str] | None:
    """(path, what is wrong) of the first part of ``value`` that JSON cannot hold as it is; None if none.

    A table nested too deep is named by its entry at the top (``top``), not by a path 50 levels long.
    """
    if depth > MAX_NESTING:
        return top, f"nests more than {MAX_NESTING} levels deep (allowed: at most {MAX_NESTING})"
    if value is None or type(value) in (str, int, float, bool):  # exact types: a subclass's own methods stay unused
        return None
    if type(value) in (list, tuple):
        parts = ((f"{path}[{i}]", v) for i, v in enumerate(value))
    elif type(value) is dict and all(type(k) is str for k in value):
        parts = ((f"{path}.{key(k)}", v) for k, v in value.items())
    else:
        return path, f"{show(value)} cannot be stored (allowed: numbers, strings, true/false, lists and tables)"
    for where, v in parts:
        found = unstorable(v, where, depth + 1, top or where)
        if found is not None:
            return found
    return None


def round_changes(changes: Any) -> dict:
    """A round's changes: a table of dotted paths (each printable, at most :data:`MAX_PATH` characters) -> values."""
    example = '(e.g. {"links.*.shipping_delay": 1})'
    if changes is None:
        return {}
    if not isinstance(changes, Mapping):
        raise ScenarioError("changes", f"{show(changes)} is not a table of dotted paths {example}")
    changes = stored_table(changes, "changes")
    for path in changes:
        if len(path) > MAX_PATH or not path.isprintable() or not path.strip():
            raise ScenarioError("changes", f"{show(path)} is not a dotted path {example}")
    return changes


def blank(value: Any) -> bool:
    """Whether a typed field is left empty: text of white space only (short enough to read)."""
    return isinstance(value, str) and len(value) <= MAX_TYPED and not value.strip()


def bot_rule_in(sc: Scenario, bot_rule: Mapping) -> dict:
    """The host's bot rule with the session's defaults.

    Where the session shows end-customer demand (``pos`` or ``full``), a rule that can forecast from it does
    (``signal = "demand"``) unless the host names a signal, as a player there sees that demand.
    """
    bot_rule = dict(bot_rule)
    if sc.information == "silo" or "signal" in bot_rule:
        return bot_rule
    cls = pol.ORDER_RULES.get(bot_rule.get("rule")) if isinstance(bot_rule.get("rule"), str) else None
    if cls is pol.Gaming:  # the base rule's parameters sit in the same table
        base = bot_rule.get("base", pol.Sterman.name)
        cls = pol.ORDER_RULES.get(base) if isinstance(base, str) else None
    if cls is not None and "signal" in {f.name for f in fields(cls)}:
        bot_rule["signal"] = "demand"
    return bot_rule


def bot_policies(sc: Scenario, bot_rule: Mapping | None) -> dict[str, pol.Policy] | None:
    """The bots' order rule for every firm (None: each firm's scenario rule, as written).

    A rule's lead time defaults to the firm's own (order-up-to rules), so one table serves the chain;
    its signal defaults to what the session shows (:func:`bot_rule_in`).
    """
    if bot_rule is None:
        return None
    bot_rule = bot_rule_in(sc, bot_rule)
    out = {}
    for f in sc.firms:
        rule = pol.from_table(dict(bot_rule), "bot_rule", pol.ORDER_RULES, lead_time=sc.lead_time(f.id))
        rule.check_information(sc.information, "bot_rule")
        out[f.id] = rule
    return out


def describe_rule(bot_rule: Mapping | None) -> str:
    """The bot rule in one line, e.g. ``sterman(theta=0.36)`` ("scenario rules" for None)."""
    if bot_rule is None:
        return "scenario rules"
    params = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in bot_rule.items() if k != "rule")
    return f"{bot_rule.get('rule')}({params})"


def default_max_order(sc: Scenario, fixed: tuple[float, str, int] | None = None) -> float:
    """50 weeks of the chain's mean customer demand, or the largest fixed order, up to a power of ten; at least 1000.

    ``fixed``: :func:`largest_fixed_order` of ``sc`` when the caller has it already.
    """
    mean = sum(d.average for d in sc.demand_processes())
    fixed = largest_fixed_order(sc) if fixed is None else fixed
    bound = max(50 * mean if math.isfinite(mean) and mean > 0 else 0.0, fixed[0] if fixed else 0.0)
    return float(max(1000, 10 ** math.ceil(math.log10(bound)) if bound > 0 else 0))


def largest_fixed_order(sc: Scenario) -> tuple[float, str, int] | None:
    """The largest order the scenario fixes within its horizon, with its firm and week; None if none is fixed."""
    fixed = [(order, f.id, week) for f in sc.firms for week, order in enumerate(f.fixed_orders[:sc.weeks], 1)]
    return max(fixed, key=lambda x: x[0]) if fixed else None


def allowed(whole: bool, low: float, high: float) -> str:
    """What :func:`quantity` accepts, as its errors and the order field's hint say it: "whole numbers 0 to 1000".

    The bounds are written as a player may type them (no thousands separators: "1,000" is not a number).
    """
    return f"{'whole numbers ' if whole else ''}{_num(low)} to {_num(high)}"


def quantity(value: Any, field: str, *, whole: bool, low: float, high: float) -> float:
    """A number a player typed (a number, or its text): not empty, finite, within bounds, whole if asked."""
    bounds = f"allowed: {allowed(whole, low, high)}"
    if isinstance(value, str):
        if len(value) > MAX_TYPED:  # no number is typed this long: not read further
            raise InputError(field, f"has {len(value)} characters, not a number ({bounds})")
        value = str.__str__(value).strip()
    if value is None or isinstance(value, str) and not value:
        raise InputError(field, f"is empty ({bounds})")
    if isinstance(value, str):
        if not _NUMBER.fullmatch(value):  # stripped above
            raise InputError(field, f"{show(value[:30])} is not a number ({bounds})")
        x = float(value)
        if not math.isfinite(x):  # '1e400' or 400 digits: say what was typed, not "inf"
            raise InputError(field, f"{show(value[:30])} is not a finite number ({bounds})")
    elif isinstance(value, numbers.Real) and not isinstance(value, bool):
        try:
            x = float(value)
        except OverflowError:  # e.g. 10**400: beyond any float
            raise InputError(field, f"{show(value)} is too large ({bounds})") from None
        except Exception:  # a number type that cannot say its value
            raise InputError(field, f"{show(value)} is not a number ({bounds})") from None
    else:
        raise InputError(field, f"{show(value)} is not a number ({bounds})")
    if not math.isfinite(x):
        raise InputError(field, f"{x} is not a finite number ({bounds})")
    if x < low:
        raise InputError(field, f"{_num(x)} is below {_num(low)} ({bounds})")
    if x > high:
        raise InputError(field, f"{_num(x)} is above {_num(high)} ({bounds})")
    if whole and x != math.floor(x):
        raise InputError(field, f"{_num(x)} is not a whole number ({bounds})")
    return x + 0.0  # -0.0 is 0


def typed_number(value: Any) -> Any:
    """What a form's number field holds, for the field's check: None if empty, else the number it spells.

    Only a number as :func:`quantity` reads it (ASCII digits, a point, an exponent) is converted: a whole
    number to an ``int`` (exact, for seeds; "4." and "1e3" too), others to a ``float``. Any other text, or
    a value that is not text (what a tampered page may send), is returned as it is, for the check to refuse
    by name.
    """
    if not isinstance(value, str):
        return value
    text = value.strip()
    if not text:
        return None
    if not _NUMBER.fullmatch(text):
        return value
    if _WHOLE.fullmatch(text) and len(text) <= 30:
        return int(text)
    x = float(text)
    return int(x) if x.is_integer() else x  # inf and nan stay floats


def _num(x: float) -> str:
    """A number as a person would write it: 12, 2.5, 1000000."""
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e16 else f"{x:g}"


def week_number(value: Any) -> int:
    """A week as a page sends it: a whole number, or its text in ASCII digits.

    '²' is a digit to ``str.isdigit`` but not to ``int``. A week beyond :data:`MAX_WEEKS` is no game's.
    """
    if isinstance(value, str) and ascii_digits(value.strip()):
        value = int(value.strip())
    whole = (isinstance(value, numbers.Integral) or isinstance(value, float) and math.isfinite(value)
             and value.is_integer())
    if isinstance(value, bool) or not whole:
        raise InputError("week", f"{show(value)} is not a week number (allowed: a whole number)")
    week = int(value)
    if abs(week) > MAX_WEEKS + 1:
        raise InputError("week", f"{show(value)} is not a week of any game (allowed: whole numbers 1 to {MAX_WEEKS})")
    return week


def ascii_digits(value: str) -> bool:
    """True for a non-empty run of 0-9 (no other Unicode digits, no sign), short enough to read."""
    return 0 < len(value) <= 30 and str.isascii(value) and str.isdigit(value)


def encodable(value: str, field: str, error: type[ValueError] = InputError) -> str:
    r"""``value`` if it can be written as UTF-8 (stored, shown, sent); a lone surrogate such as '\ud800' cannot."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as e:
        raise error(field, f"{show(value)} holds {show(value[e.start:e.end])}, which is not a character "
                           "(allowed: text of Unicode characters)") from None
    return value


def nesting(toml_text: str) -> int:
    """The deepest nesting of ``[`` and ``{`` in ``toml_text`` (an upper bound: brackets inside strings count)."""
    depth = deepest = 0
    for ch in toml_text:
        if ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth = max(0, depth - 1)
    return deepest


def one_line(value: Any, field: str, most: int, error: type[ValueError] = InputError) -> str:
    """Text as typed, runs of white space made one space: at most ``most`` printable characters (may be empty).

    A text far beyond ``most`` is refused before it is read; a ``str`` subclass is read as plain text.
    """
    if not isinstance(value, str):
        raise error(field, f"{show(value)} is not text (allowed: text of at most {most} characters)")
    if len(value) > SPACE * most:
        raise error(field, f"has {len(value)} characters (allowed: at most {most})")
    text = " ".join(str.split(encodable(str.__str__(value), field, error)))
    if len(text) > most:
        raise error(field, f"has {len(text)} characters (allowed: at most {most})")
    if not text.isprintable():
        raise error(field, f"{show(text)} holds control characters (allowed: printable text)")
    return text


def player_name(value: Any) -> str:
    """A player's name, runs of white space made one space; InputError naming ``name`` otherwise.

    Allowed: 1 to :data:`MAX_NAME` printable characters.
    """
    if not isinstance(value, str):
        raise InputError("name", f"{show(value)} is not a name (allowed: text of 1 to {MAX_NAME} characters)")
    name = one_line(value, "name", MAX_NAME)
    if not name:
        raise InputError("name", f"is empty (allowed: text of 1 to {MAX_NAME} characters)")
    return name


def session_title(value: Any, sc: Scenario) -> str:
    """The session title, white space collapsed, at most :data:`MAX_TITLE` characters (default: the scenario name)."""
    text(value, "title")
    return one_line(value, "title", MAX_TITLE, ScenarioError) or sc.name


def host_message(value: Any) -> str:
    """The host's message to every player: one line of at most :data:`MAX_MESSAGE` characters ("" clears it)."""
    return one_line(value, "message", MAX_MESSAGE)


def more_weeks(value: Any, weeks: int, teams: int, firms: int = 1) -> int:
    """Weeks to add to a session of ``weeks`` weeks, ``teams`` teams of ``firms`` firms, within the session bounds."""
    if isinstance(value, str) and ascii_digits(value.strip()):
        value = int(value.strip())
    most = max(0, min(MAX_WEEKS, MAX_TEAM_WEEKS // teams, MAX_SEAT_WEEKS // (teams * firms)) - weeks)
    allowed = (f"allowed: whole numbers 0 to {most}: at most {MAX_WEEKS} weeks, {MAX_TEAM_WEEKS} team-weeks and "
               f"{MAX_SEAT_WEEKS} seat-weeks")
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InputError("more_weeks", f"{show(value)} is not a whole number ({allowed})")
    value = int(value)
    if not 0 <= value <= most:
        raise InputError("more_weeks", f"{show(value)} is {'below 0' if value < 0 else f'above {most}'} ({allowed})")
    return value


def clock(value: Any) -> float:
    """A time given to ``tick(now=...)``: seconds since the epoch, a finite number."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InputError("now", f"{show(value)} is not a time (allowed: seconds since 1970, a number)")
    try:
        now = float(value)
    except Exception:  # e.g. 10**400
        now = math.nan
    if not math.isfinite(now):
        raise InputError("now", f"{show(value)} is not a finite time (allowed: seconds since 1970, a number)")
    return now


def tick_interval(value: Any) -> float:
    """Seconds between two ticks of the timer thread: :data:`MIN_TICK` to :data:`MAX_TICK`."""
    allowed = f"allowed: {MIN_TICK:g} to {MAX_TICK:g} seconds"
    try:
        ok = not isinstance(value, bool) and isinstance(value, numbers.Real) and MIN_TICK <= float(value) <= MAX_TICK
    except Exception:  # e.g. 10**400
        ok = False
    if not ok:
        raise InputError("interval", f"{show(value)} is not a tick interval ({allowed})")
    return float(value)


def new_code(taken) -> str:
    """A new random join code, not one of ``taken``: :data:`CODE_LENGTH` characters of :data:`CODE_ALPHABET`."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if code not in taken:
            return code


def join_code(value: Any) -> str:
    """A join code as typed: case, spaces and dashes do not matter."""
    if not isinstance(value, str) or len(value) > MAX_TYPED:
        raise NotFound("code", f"{show(value)} is not a session code")
    return encodable(str.__str__(value), "code", NotFound).replace(" ", "").replace("-", "").upper()


def guesses(value: Any, high: float, most: int) -> tuple[float, ...]:
    """The demand levels a player guessed: a list of numbers or text such as ``"4, 8"`` (may be empty)."""
    if value is None:
        return ()
    if isinstance(value, str):
        if len(value) > most * (MAX_TYPED + 1):
            raise InputError("numbers", f"has {len(value)} characters (allowed: at most {most} numbers)")
        value = [v for v in str.__str__(value).replace(";", ",").replace(" ", ",").split(",") if v.strip()]
    if not isinstance(value, (list, tuple)):
        raise InputError("numbers", f"{show(value)} is not a list of numbers (allowed: e.g. \"4, 8\")")
    if len(value) > most:
        raise InputError("numbers", f"has {len(value)} numbers (allowed: at most {most})")
    return tuple(quantity(v, "numbers", whole=False, low=0.0, high=high) for v in value)
