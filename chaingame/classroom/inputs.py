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
from ..checks import ScenarioError, check_seed, choice, number, show, text
from ..information import MODES
from ..scenario import Scenario, bundled, from_table, load_scenario
from .errors import InputError, NotFound

MAX_TEAMS = 100  # teams in one session (each is one whole chain)
MAX_WEEKS = 520  # a classroom game's horizon (ten years of weeks)
MAX_TEAM_WEEKS = 5_200  # teams × weeks of one session (50 teams for two years): an all-bot start costs ~20 s of CPU
MAX_NESTING = 50  # levels of lists and tables in an uploaded scenario (a scenario file needs fewer than 10)
MIN_TIMER, MAX_TIMER = 5.0, 86_400.0  # seconds a week may wait for its players
MAX_TOML = 200_000  # characters of an uploaded scenario
MAX_NAME = 40  # characters of a player's name
MAX_TITLE = 120  # characters of a session's title
MAX_MESSAGE = 300  # characters of the host's message to every player
PACINGS = ("orders", "timer", "teacher", "in_step")  # when a team's week closes: see docs/classroom.md, Pacing
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: easy to read aloud and type
CODE_LENGTH = 6  # 32^6 ≈ 1.07e9 codes
MAX_PATH = 200  # characters of one dotted path of a round's changes (the scenario's longest is under 40)
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
    encodable(text(scenario, "scenario"), "scenario", ScenarioError)
    if scenario_toml is None:
        names = bundled()
        if scenario not in names:
            raise ScenarioError("scenario", f"{show(scenario)} is not a bundled scenario "
                                            f"(allowed: {', '.join(names)}, or upload a TOML file)")
        sc = load_scenario(scenario)
    else:
        text(scenario_toml, "scenario_toml")
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
    if timer_seconds is not None:
        timer_seconds = float(number(timer_seconds, "timer_seconds", low=MIN_TIMER, high=MAX_TIMER))
    if bot_rule is not None:
        if not isinstance(bot_rule, Mapping):
            raise ScenarioError("bot_rule", f"{show(bot_rule)} is not a table (allowed: e.g. "
                                            "{\"rule\": \"sterman\", \"theta\": 0.36})")
        bot_rule = dict(bot_rule)
        try:
            json.dumps(bot_rule)
        except (TypeError, ValueError, RecursionError):
            raise ScenarioError("bot_rule", "holds a value that cannot be stored (allowed: numbers and strings)") \
                from None
        bot_rule = bot_rule_in(sc, bot_rule)  # stored with the session's defaults written out
        bot_policies(sc, bot_rule)
    max_order = default_max_order(sc) if max_order is None else float(number(max_order, "max_order", above=0,
                                                                              high=1e9))
    if pacing == "timer" and timer_seconds is None:
        raise ScenarioError("pacing", f"'timer' closes each week when its timer runs out, but timer_seconds is "
                                      f"empty (allowed: a timer of {MIN_TIMER:g} to {MAX_TIMER:g} s, or pacing "
                                      f"{', '.join(repr(p) for p in PACINGS if p != 'timer')})")
    return Settings(teams, timer_seconds, bot_rule, max_order, hide_horizon, pacing)


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


def default_max_order(sc: Scenario) -> float:
    """50 weeks of the chain's mean customer demand, up to a power of ten, at least 1000 units."""
    mean = sum(d.average for d in sc.demand_processes())
    bound = 50 * mean if math.isfinite(mean) and mean > 0 else 0.0
    return float(max(1000, 10 ** math.ceil(math.log10(bound)) if bound > 0 else 0))


def allowed(whole: bool, low: float, high: float) -> str:
    """What :func:`quantity` accepts, as its errors and the order field's hint say it: "whole numbers 0 to 1000".

    The bounds are written as a player may type them (no thousands separators: "1,000" is not a number).
    """
    return f"{'whole numbers ' if whole else ''}{_num(low)} to {_num(high)}"


def quantity(value: Any, field: str, *, whole: bool, low: float, high: float) -> float:
    """A number a player typed (a number, or its text): not empty, finite, within bounds, whole if asked."""
    bounds = f"allowed: {allowed(whole, low, high)}"
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InputError(field, f"is empty ({bounds})")
    if isinstance(value, str):
        if not _NUMBER.fullmatch(value.strip()):
            raise InputError(field, f"{show(value.strip()[:30])} is not a number ({bounds})")
        x = float(value.strip())
        if not math.isfinite(x):  # '1e400' or 400 digits: say what was typed, not "inf"
            raise InputError(field, f"{show(value.strip()[:30])} is not a finite number ({bounds})")
    elif isinstance(value, numbers.Real) and not isinstance(value, bool):
        try:
            x = float(value)
        except (OverflowError, ValueError):  # e.g. 10**400: beyond any float
            raise InputError(field, f"{show(value)} is too large ({bounds})") from None
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

    '²' is a digit to ``str.isdigit`` but not to ``int``.
    """
    if isinstance(value, str) and ascii_digits(value.strip()):
        value = int(value.strip())
    whole = (isinstance(value, numbers.Integral) or isinstance(value, float) and math.isfinite(value)
             and value.is_integer())
    if isinstance(value, bool) or not whole:
        raise InputError("week", f"{show(value)} is not a week number (allowed: a whole number)")
    return int(value)


def ascii_digits(value: str) -> bool:
    """True for a non-empty run of 0-9 (no other Unicode digits, no sign), short enough to read."""
    return 0 < len(value) <= 30 and value.isascii() and value.isdigit()


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


def player_name(value: Any) -> str:
    """A player's name, runs of white space made one space; InputError naming ``name`` otherwise.

    Allowed: 1 to :data:`MAX_NAME` printable characters.
    """
    if not isinstance(value, str):
        raise InputError("name", f"{show(value)} is not a name (allowed: text of 1 to {MAX_NAME} characters)")
    name = " ".join(encodable(value, "name").split())
    if not name:
        raise InputError("name", f"is empty (allowed: text of 1 to {MAX_NAME} characters)")
    if len(name) > MAX_NAME:
        raise InputError("name", f"has {len(name)} characters (allowed: 1 to {MAX_NAME})")
    if not name.isprintable():
        raise InputError("name", "holds control characters (allowed: printable text)")
    return name


def session_title(value: Any, sc: Scenario) -> str:
    """The session title, white space collapsed, at most :data:`MAX_TITLE` characters (default: the scenario name)."""
    title = " ".join(encodable(text(value, "title"), "title", ScenarioError).split())
    if len(title) > MAX_TITLE:
        raise ScenarioError("title", f"has {len(title)} characters (allowed: at most {MAX_TITLE})")
    if not title.isprintable():  # as a player's name: the title is shown on every player's page
        raise ScenarioError("title", f"{show(title)} holds control characters (allowed: printable text)")
    return title or sc.name


def host_message(value: Any) -> str:
    """The host's message to every player: one line of at most :data:`MAX_MESSAGE` characters ("" clears it)."""
    if not isinstance(value, str):
        raise InputError("message", f"{show(value)} is not text (allowed: text of at most {MAX_MESSAGE} characters)")
    message = " ".join(encodable(value, "message").split())
    if len(message) > MAX_MESSAGE:
        raise InputError("message", f"has {len(message)} characters (allowed: at most {MAX_MESSAGE})")
    if not message.isprintable():
        raise InputError("message", "holds control characters (allowed: printable text)")
    return message


def round_changes(changes: Any) -> dict:
    """A round's changes: a table of dotted paths (each at most :data:`MAX_PATH` characters) to values."""
    if changes is None:
        return {}
    if not isinstance(changes, Mapping) or not all(isinstance(k, str) for k in changes):
        raise ScenarioError("changes", f"{show(changes)} is not a table of dotted paths (e.g. "
                                       '{"links.*.shipping_delay": 1})')
    for path in changes:
        if not path.strip():
            raise ScenarioError("changes", f"{show(path)} is not a dotted path (allowed: e.g. links.*.shipping_delay)")
        if len(path) > MAX_PATH:
            raise ScenarioError("changes", f"{show(path)} is a path of {len(path)} characters (allowed: at most "
                                           f"{MAX_PATH}, e.g. links.*.shipping_delay)")
    return dict(changes)


def more_weeks(value: Any, weeks: int, teams: int) -> int:
    """Weeks to add to a session of ``weeks`` weeks and ``teams`` teams: 0 or more, within the session bounds."""
    if isinstance(value, str) and ascii_digits(value.strip()):
        value = int(value.strip())
    most = max(0, min(MAX_WEEKS, MAX_TEAM_WEEKS // teams) - weeks)
    allowed = f"allowed: whole numbers 0 to {most}: at most {MAX_WEEKS} weeks and {MAX_TEAM_WEEKS} team-weeks"
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InputError("more_weeks", f"{show(value)} is not a whole number ({allowed})")
    if not 0 <= value <= most:
        raise InputError("more_weeks", f"{value} is {'below 0' if value < 0 else f'above {most}'} ({allowed})")
    return int(value)


def new_code(taken) -> str:
    """A new random join code, not one of ``taken``: :data:`CODE_LENGTH` characters of :data:`CODE_ALPHABET`."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if code not in taken:
            return code


def join_code(value: Any) -> str:
    """A join code as typed: case, spaces and dashes do not matter."""
    if not isinstance(value, str):
        raise NotFound("code", f"{show(value)} is not a session code")
    return encodable(value, "code", NotFound).replace(" ", "").replace("-", "").upper()


def guesses(value: Any, high: float, most: int) -> tuple[float, ...]:
    """The demand levels a player guessed: a list of numbers or text such as ``"4, 8"`` (may be empty)."""
    if value is None:
        return ()
    if isinstance(value, str):
        value = [v for v in value.replace(";", ",").replace(" ", ",").split(",") if v.strip()]
    if not isinstance(value, (list, tuple)):
        raise InputError("numbers", f"{show(value)} is not a list of numbers (allowed: e.g. \"4, 8\")")
    if len(value) > most:
        raise InputError("numbers", f"has {len(value)} numbers (allowed: at most {most})")
    return tuple(quantity(v, "numbers", whole=False, low=0.0, high=high) for v in value)
