"""TOML text of a table: :func:`dumps`, the inverse of :func:`tomllib.loads` for scenario and sweep tables.

A run's folder and a sweep's table record the scenario they ran as TOML text, so that the file can
be read, copied and rerun. Floats are written with ``repr`` (the shortest text that reads back as
the same double), so ``tomllib.loads(dumps(t)) == t`` bit for bit; infinities and NaN are TOML's
``inf`` and ``nan``; tuples are written as arrays.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from numbers import Integral, Real
from typing import Any

_BARE = re.compile(r"^[A-Za-z0-9_-]+$")


def dumps(table: Mapping[str, Any]) -> str:
    """The TOML document of ``table``: scalars and arrays first, then ``[tables]`` and ``[[arrays of tables]]``."""
    lines: list[str] = []
    _table(table, (), lines)
    return "\n".join(lines).lstrip("\n") + "\n"


def _table(table: Mapping[str, Any], where: tuple[str, ...], lines: list[str]) -> None:
    subtables, arrays = [], []
    for k, v in table.items():
        if isinstance(v, Mapping):
            subtables.append((k, v))
        elif _array_of_tables(v):
            arrays.append((k, v))
        else:
            lines.append(f"{_key(k)} = {_value(v)}")
    for k, v in subtables:
        path = (*where, k)
        if any(not isinstance(x, Mapping) and not _array_of_tables(x) for x in v.values()) or not v:
            lines += ["", f"[{'.'.join(map(_key, path))}]"]
        _table(v, path, lines)
    for k, v in arrays:
        path = (*where, k)
        for item in v:
            lines += ["", f"[[{'.'.join(map(_key, path))}]]"]
            _table(item, path, lines)


def _array_of_tables(v: Any) -> bool:
    return isinstance(v, Sequence) and not isinstance(v, str) and len(v) > 0 and all(isinstance(x, Mapping) for x in v)


def _key(k: str) -> str:
    return k if _BARE.match(k) else _string(k)


def _string(s: str, multiline: bool = False) -> str:
    """A basic string; with ``multiline``, text with line breaks as a ``\"\"\"`` string that keeps them."""
    keep = "\n" if multiline and "\n" in s else ""
    out = s.replace("\\", "\\\\").replace('"', '\\"')
    out = "".join(c if (c >= " " and c != "\x7f") or c in keep else f"\\u{ord(c):04x}" for c in out)
    return f'"""\n{out}"""' if keep else f'"{out}"'


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, Integral):
        return str(int(v))
    if isinstance(v, Real):
        x = float(v)
        if math.isnan(x):
            return "nan"
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        return repr(x)
    if isinstance(v, str):
        return _string(v, multiline=True)
    if isinstance(v, Mapping):
        return "{" + ", ".join(f"{_key(k)} = {_value(x)}" for k, x in v.items()) + "}"
    if isinstance(v, Sequence):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    raise TypeError(f"{v!r} ({type(v).__name__}) has no TOML form (allowed: tables, arrays, strings, numbers, "
                    "booleans)")
