"""Validation at the boundary: every bad value names its field, the value and what is allowed.

One error type, :class:`ScenarioError`, is raised for scenario files, Python arguments and
CLI flags alike, with a one-line message such as
``firms.factory.policy.alpha_s: -0.2 is below 0 (allowed: 0 to 1)``.
"""

from __future__ import annotations

import json
import math
import numbers as _numbers
import tomllib
from collections.abc import Mapping, Sequence
from typing import Any

# Seeds are whole numbers 0..2^63 - 1: they are stored as signed 64-bit integers (the sweep tables'
# int64 seed column, the classroom's SQLite INTEGER), and NumPy's SeedSequence takes any of them.
MAX_SEED = 2**63 - 1
_HUGE = 2**63  # whole numbers beyond ±2^63 are refused before they reach float or int64 arithmetic


class ScenarioError(ValueError):
    """A value that a scenario, an argument or a flag may not take."""

    def __init__(self, path: str, message: str):
        self.path = path
        super().__init__(f"{path}: {message}" if path else message)


def show(value: Any) -> str:
    r"""A value as a user wrote it (TOML-ish, short, one printable line), whatever the value.

    Nested lists show three levels, a whole number of more than 60 digits its size, and anything whose
    ``repr`` fails or that is not printable (a lone surrogate, NUL, U+2028) its escapes (``\ud800``).
    """
    try:
        text = _show(value, 3)
    except Exception:  # a hostile __repr__ or __eq__: the type is all that can be shown
        text = f"<{type(value).__name__}>"
    if not text.isprintable():
        text = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)
    return text if len(text) <= 60 else text[:57] + "..."


def _show(value: Any, depth: int) -> str:
    if isinstance(value, list | tuple):
        if depth == 0:
            return "[...]"
        return "[" + ", ".join(_show(v, depth - 1) for v in value[:12]) + (", ..." if len(value) > 12 else "") + "]"
    if isinstance(value, str):
        return json.dumps(str.__str__(value[:80]), ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        if value.bit_length() > 200:  # str() of an int beyond 4,300 digits raises; 60 characters are shown anyway
            digits = int(value.bit_length() * math.log10(2)) + 1
            return f"a {'negative ' if value < 0 else ''}whole number of {digits} digits"
        return int.__repr__(int(value))
    if isinstance(value, float):
        value = float(value)
        return "nan" if value != value else "inf" if value == math.inf else "-inf" if value == -math.inf \
            else repr(value)
    text = repr(value)
    return text if len(text) <= 200 else text[:200]


def show_path(path: Any) -> str:
    """A file path as a user wrote it, quoted on one line; a long one keeps its end (the file's name)."""
    text = json.dumps(str(path), ensure_ascii=False)  # one line: json escapes line breaks
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text if len(text) <= 120 else '"...' + text[-116:]


def read_toml(path, what: str) -> dict:
    """The table of the TOML file ``path``.

    A file that cannot be read or parsed is a one-line :class:`ScenarioError` naming the file
    (``what``: the kind of file allowed, e.g. "a TOML scenario").
    """
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ScenarioError(str(path), f"is not a text file (allowed: {what})") from None
    except tomllib.TOMLDecodeError as e:
        raise ScenarioError(str(path), f"is not valid TOML ({e})") from None
    except (ValueError, RecursionError) as e:
        raise ScenarioError(str(path), f"is not readable TOML ({type(e).__name__}: {str(e)[:80]})") from None
    except OSError as e:
        raise ScenarioError(str(path), f"cannot be read ({e.strerror or e})") from None


def key(name: Any) -> str:
    """A field name as it may stand in a path: control characters escaped, at most 60 characters."""
    text = str.__str__(name[:80]) if isinstance(name, str) else show(name)
    text = text if text.isprintable() else text.encode("unicode_escape").decode("ascii")
    return text if len(text) <= 60 else text[:57] + "..."


def _num(x: float) -> str:
    if isinstance(x, int):
        return str(x)
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e16 else f"{x:g}"


def _span(low: float | None, high: float | None, integer: bool = False, strict_low: bool = False,
          allow_inf: bool = False) -> str:
    kind = "a whole number" if integer else "a number"
    if low is not None and high is not None and not strict_low:
        text = f"{_num(low)} to {_num(high)}" if not integer else f"whole numbers {_num(low)} to {_num(high)}"
    elif low is not None:
        text = f"{kind} {'>' if strict_low else '>='} {_num(low)}"
        text += f" and <= {_num(high)}" if high is not None else ""
    elif high is not None:
        text = f"{kind} <= {_num(high)}"
    else:
        text = kind
    return text + (", or inf" if allow_inf else "")


def number(
    value: Any,
    path: str,
    *,
    low: float | None = None,
    high: float | None = None,
    above: float | None = None,
    integer: bool = False,
    allow_inf: bool = False,
) -> float | int:
    """Check a number: type, finiteness and bounds (``above`` is a strict lower bound)."""
    if isinstance(value, bool) or not isinstance(value, _numbers.Real):
        raise _refused(value, path, "is not", low, high, above, integer, allow_inf)
    given = value
    try:
        value = int(value) if isinstance(value, _numbers.Integral) else float(value)
    except (OverflowError, ValueError):
        raise _refused(given, path, "huge", low, high, above, integer, allow_inf) from None
    if isinstance(value, int) and abs(value) > _HUGE:
        raise _refused(given, path, "huge", low, high, above, integer, allow_inf)
    if math.isnan(value):
        raise _refused(value, path, "is not", low, high, above, integer, allow_inf)
    if math.isinf(value) and not (allow_inf and value > 0):
        raise _refused(value, path, "infinite", low, high, above, integer, allow_inf)
    if integer and not math.isinf(value):
        if value != int(value):
            raise _refused(value, path, "is not", low, high, above, integer, allow_inf)
        value = int(value)
    if above is not None and not value > above:
        raise _refused(value, path, "above", low, high, above, integer, allow_inf)
    if low is not None and value < low:
        raise _refused(value, path, "low", low, high, above, integer, allow_inf)
    if high is not None and value > high:
        raise _refused(value, path, "high", low, high, above, integer, allow_inf)
    return value


def _refused(value, path, why, low, high, above, integer, allow_inf) -> ScenarioError:
    """:func:`number`'s one-line error (built only when a value is refused: checks of valid values cost no text)."""
    kind = "a whole number" if integer else "a number"
    allowed = _span(low if above is None else above, high, integer, above is not None, allow_inf)
    if why == "huge":
        text = f"{show(value)} is too large (allowed: {allowed}{'' if high is not None else ', within ±2^63'})"
    elif why == "infinite":
        text = f"{show(value)} is not allowed (allowed: {allowed}{'' if allow_inf else ', finite'})"
    elif why == "above":
        text = f"{show(value)} is not above {_num(above)} (allowed: {allowed})"
    elif why == "low":
        text = f"{show(value)} is below {_num(low)} (allowed: {allowed})"
    elif why == "high":
        text = f"{show(value)} is above {_num(high)} (allowed: {allowed})"
    elif isinstance(value, float) and math.isnan(value):
        text = f"nan is not {kind} (allowed: {allowed})"
    else:
        text = f"{show(value)} is not {kind} (allowed: {allowed})"
    return ScenarioError(path, text)


def check_seed(value: Any, path: str = "seed") -> int:
    """Check a random seed: a whole number 0 to :data:`MAX_SEED`."""
    return int(number(value, path, low=0, high=MAX_SEED, integer=True))


def choice(value: Any, path: str, options: Sequence[str]) -> str:
    """Check that a value is one of a few strings."""
    if not isinstance(value, str) or str.__str__(value) not in options:  # a str subclass's own == is not called
        listed = ", ".join(f'"{o}"' for o in options)
        raise ScenarioError(path, f"{show(value)} is not allowed (allowed: {listed})")
    return str.__str__(value)


def boolean(value: Any, path: str) -> bool:
    """Check a true/false value."""
    if not isinstance(value, bool):
        raise ScenarioError(path, f"{show(value)} is not true or false (allowed: true, false)")
    return value


def text(value: Any, path: str) -> str:
    """Check a string."""
    if not isinstance(value, str):
        raise ScenarioError(path, f"{show(value)} is not a string (allowed: text in quotes)")
    return value


def table(value: Any, path: str, allowed: Sequence[str], required: Sequence[str] = ()) -> Mapping:
    """Check a table (dict): no unknown keys, the required ones present."""
    if not isinstance(value, Mapping):
        fields = f" with fields {', '.join(allowed)}" if allowed else ""
        raise ScenarioError(path, f"{show(value)} is not a table (allowed: a table{fields})")
    for name in value:
        if name not in allowed:
            where = f"{path}.{key(name)}" if path else key(name)
            raise ScenarioError(where, f"unknown field (allowed: {', '.join(allowed)})")
    for name in required:
        if name not in value:
            where = f"{path}.{name}" if path else name
            raise ScenarioError(where, "is missing (required)")
    return value


def numbers(
    value: Any, path: str, *, length: int | None = None, min_length: int = 0, **bounds: Any
) -> tuple[float, ...]:
    """Check a list of numbers (a scalar stands for a list of ``length`` equal values)."""
    if isinstance(value, _numbers.Real) and not isinstance(value, bool) and length is not None:
        return (float(number(value, path, **bounds)),) * length
    if not isinstance(value, list | tuple):
        want = f"a number or a list of {length} numbers" if length is not None else "a list of numbers"
        raise ScenarioError(path, f"{show(value)} is not a list of numbers (allowed: {want})")
    if length is not None and len(value) != length:
        raise ScenarioError(
            path, f"{show(list(value))} has {len(value)} values (allowed: exactly {length}, one per week of delay)"
        )
    if len(value) < min_length:
        raise ScenarioError(path, f"{show(list(value))} has {len(value)} values (allowed: at least {min_length})")
    return tuple(float(number(v, f"{path}[{i}]", **bounds)) for i, v in enumerate(value))
