"""Validation at the boundary: every bad value names its field, the value and what is allowed.

One error type, :class:`ScenarioError`, is raised for scenario files, Python arguments and
CLI flags alike, with a one-line message such as
``firms.factory.policy.alpha_s: -0.2 is below 0 (allowed: 0 to 1)``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any


class ScenarioError(ValueError):
    """A value that a scenario, an argument or a flag may not take."""

    def __init__(self, path: str, message: str):
        self.path = path
        super().__init__(f"{path}: {message}" if path else message)


def show(value: Any) -> str:
    """A value as a user wrote it (TOML-ish, short)."""
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _span(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"{low:g} to {high:g}"
    if low is not None:
        return f"a number >= {low:g}"
    if high is not None:
        return f"a number <= {high:g}"
    return "a number"


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
    kind = "a whole number" if integer else "a number"
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScenarioError(path, f"{show(value)} is not {kind}")
    if math.isnan(value):
        raise ScenarioError(path, f"nan is not {kind}")
    if math.isinf(value) and not (allow_inf and value > 0):
        raise ScenarioError(path, f"{show(value)} is not allowed (allowed: a finite number)")
    if integer and not math.isinf(value):
        if value != int(value):
            raise ScenarioError(path, f"{show(value)} is not {kind}")
        value = int(value)
    allowed = _span(low if above is None else above, high)
    if above is not None and not value > above:
        raise ScenarioError(path, f"{show(value)} is not above {above:g} (allowed: a number > {above:g})")
    if low is not None and value < low:
        raise ScenarioError(path, f"{show(value)} is below {low:g} (allowed: {allowed})")
    if high is not None and value > high:
        raise ScenarioError(path, f"{show(value)} is above {high:g} (allowed: {allowed})")
    return value


def choice(value: Any, path: str, options: Sequence[str]) -> str:
    """Check that a value is one of a few strings."""
    if value not in options:
        listed = ", ".join(f'"{o}"' for o in options)
        raise ScenarioError(path, f"{show(value)} is not one of {listed}")
    return value


def boolean(value: Any, path: str) -> bool:
    """Check a true/false value."""
    if not isinstance(value, bool):
        raise ScenarioError(path, f"{show(value)} is not true or false")
    return value


def text(value: Any, path: str) -> str:
    """Check a string."""
    if not isinstance(value, str):
        raise ScenarioError(path, f"{show(value)} is not a string")
    return value


def table(value: Any, path: str, allowed: Sequence[str], required: Sequence[str] = ()) -> Mapping:
    """Check a table (dict): no unknown keys, the required ones present."""
    if not isinstance(value, Mapping):
        raise ScenarioError(path, f"{show(value)} is not a table")
    for key in value:
        if key not in allowed:
            where = f"{path}.{key}" if path else str(key)
            raise ScenarioError(where, f"unknown field (allowed: {', '.join(allowed)})")
    for key in required:
        if key not in value:
            where = f"{path}.{key}" if path else key
            raise ScenarioError(where, "is missing (required)")
    return value


def numbers(
    value: Any, path: str, *, length: int | None = None, min_length: int = 0, **bounds: Any
) -> tuple[float, ...]:
    """Check a list of numbers (a scalar stands for a list of ``length`` equal values)."""
    if isinstance(value, int | float) and not isinstance(value, bool) and length is not None:
        number(value, path, **bounds)
        return (float(value),) * length
    if not isinstance(value, list | tuple):
        raise ScenarioError(path, f"{show(value)} is not a list of numbers")
    if length is not None and len(value) != length:
        raise ScenarioError(
            path, f"{show(list(value))} has {len(value)} values (allowed: exactly {length}, one per week of delay)"
        )
    if len(value) < min_length:
        raise ScenarioError(path, f"{show(list(value))} has {len(value)} values (allowed: at least {min_length})")
    return tuple(float(number(v, f"{path}[{i}]", **bounds)) for i, v in enumerate(value))
