"""A scenario's table, read-only at every depth: :func:`freeze`.

A bundled scenario is read once per file version and shared by every caller in the process
(``scenario._load_bundled``), so a write into ``sc.table`` would change it for the next caller (the
classroom's next session) while the Scenario's fields stay as they were. Every table and list inside
``Scenario.table`` is therefore a :class:`ReadOnlyDict` or :class:`ReadOnlyList` whose writes raise a
one-line TypeError naming the scenario, the field and the value.

They are ``dict`` and ``list`` subclasses rather than :class:`types.MappingProxyType` and tuples, which
``json.dumps`` refuses or writes otherwise and which the scenario checks (``isinstance(x, list)``) do
not take, so every reader sees plain data: ``json.dumps`` and :func:`chaingame.tomltext.dumps` write the
same text, ``==`` a plain dict or list holds, and order, ``dict(t)``, ``{**t}``, slices and ``+`` (plain
results) work as before. ``copy.deepcopy`` gives plain, writable dicts and lists (what
:meth:`Scenario.with_values` edits); pickling keeps them read-only (a scenario sent to a sweep worker).
"""

from __future__ import annotations

import copy
import reprlib
from collections.abc import Mapping
from typing import Any, NoReturn

_ATOMS = frozenset({str, int, float, bool, type(None)})  # immutable: kept as they are
_SHORT = reprlib.Repr(maxstring=40, maxother=40, maxlist=4, maxdict=4, maxlevel=2)  # values in the message


def freeze(value: Any, scenario: str, path: str = "") -> Any:
    """A read-only deep copy of ``value``: tables become ReadOnlyDict, lists ReadOnlyList, tuples stay tuples.

    Args:
        value: a scenario table (or any value inside one).
        scenario: the scenario's name, for the error messages.
        path: the dotted field path of ``value`` in the table ("" for the table itself).
    """
    if type(value) in _ATOMS:
        return value
    if isinstance(value, Mapping):
        return ReadOnlyDict({k: v if type(v) in _ATOMS else freeze(v, scenario, _join(path, k))
                             for k, v in value.items()}, scenario, path)
    if isinstance(value, list):
        return ReadOnlyList([v if type(v) in _ATOMS else freeze(v, scenario, _join(path, i))
                             for i, v in enumerate(value)], scenario, path)
    if type(value) is tuple:
        return tuple(freeze(v, scenario, _join(path, i)) for i, v in enumerate(value))
    return copy.deepcopy(value)


def _join(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)


class _ReadOnly:
    """What both read-only containers share: where they sit, and the refusal."""

    __slots__ = ()
    _plain: type  # the plain container it reads as
    _scenario: str
    _path: str

    def _refuse(self, key: Any = None, value: Any = ..., how: str = "") -> NoReturn:
        field = _join(self._path, key) if key is not None else self._path or "table"
        if how:
            action = f"{field}.{how}"
        elif value is ...:
            action = f"del {field}"
        else:
            action = f"{field} = {_SHORT.repr(value)}"
        other = f'Scenario.with_values({{"{field}": ...}}), or ' if field != "table" else ""
        raise TypeError(f"the table of scenario {self._scenario!r} is read-only: {action} refused (allowed: "
                        f"{other}edit a copy: copy.deepcopy(scenario.table))")

    def __reduce__(self):  # pickled as the plain container and rebuilt read-only
        return type(self), (self._plain(self), self._scenario, self._path)


class ReadOnlyDict(_ReadOnly, dict):
    """A table of a scenario's table: reads as a dict, refuses writes."""

    __slots__ = ("_scenario", "_path")
    _plain = dict

    def __init__(self, items: Mapping = (), scenario: str = "", path: str = ""):
        """Hold ``items`` (already read-only inside) as the table at ``path`` of scenario ``scenario``."""
        dict.__init__(self, items)
        self._scenario, self._path = scenario, path

    def __setitem__(self, key, value):
        self._refuse(key, value)

    def __delitem__(self, key):
        self._refuse(key)

    def __ior__(self, other):
        self._refuse(how=f"update({_SHORT.repr(other)})")

    def setdefault(self, key, default=None):
        """The value at ``key`` (a read); refused where it would add ``key``."""
        if key in self:
            return self[key]
        self._refuse(key, default)

    def update(self, *args, **kwargs):
        """Refused."""
        self._refuse(how=f"update({_SHORT.repr(args[0] if args else kwargs)})")

    def pop(self, key, *default):
        """Refused."""
        self._refuse(key)

    def popitem(self):
        """Refused."""
        self._refuse(how="popitem()")

    def clear(self):
        """Refused."""
        self._refuse(how="clear()")

    def __copy__(self) -> dict:
        return dict(self)  # as dict.copy(): a plain table holding the same values

    def __deepcopy__(self, memo: dict) -> dict:
        out: dict = {}
        memo[id(self)] = out
        for k, v in self.items():
            out[copy.deepcopy(k, memo)] = copy.deepcopy(v, memo)
        return out


class ReadOnlyList(_ReadOnly, list):
    """A list of a scenario's table: reads as a list, refuses writes."""

    __slots__ = ("_scenario", "_path")
    _plain = list

    def __init__(self, items: Any = (), scenario: str = "", path: str = ""):
        """Hold ``items`` (already read-only inside) as the list at ``path`` of scenario ``scenario``."""
        list.__init__(self, items)
        self._scenario, self._path = scenario, path

    def __setitem__(self, index, value):
        self._refuse(index if isinstance(index, int) else None, value)

    def __delitem__(self, index):
        self._refuse(index if isinstance(index, int) else None)

    def __iadd__(self, other):
        self._refuse(how=f"extend({_SHORT.repr(other)})")

    def __imul__(self, n):
        self._refuse(how=f"__imul__({n!r})")

    def append(self, value):
        """Refused."""
        self._refuse(how=f"append({_SHORT.repr(value)})")

    def extend(self, values):
        """Refused."""
        self._refuse(how=f"extend({_SHORT.repr(values)})")

    def insert(self, index, value):
        """Refused."""
        self._refuse(how=f"insert({index!r}, {_SHORT.repr(value)})")

    def pop(self, index=-1):
        """Refused."""
        self._refuse(how=f"pop({index!r})")

    def remove(self, value):
        """Refused."""
        self._refuse(how=f"remove({_SHORT.repr(value)})")

    def clear(self):
        """Refused."""
        self._refuse(how="clear()")

    def sort(self, *args, **kwargs):
        """Refused."""
        self._refuse(how="sort()")

    def reverse(self):
        """Refused."""
        self._refuse(how="reverse()")

    def __copy__(self) -> list:
        return list(self)  # as list.copy(): a plain list holding the same values

    def __deepcopy__(self, memo: dict) -> list:
        out: list = []
        memo[id(self)] = out
        out.extend(copy.deepcopy(v, memo) for v in self)
        return out
