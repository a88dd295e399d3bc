"""Hostile values for the fuzz of the classroom service: an adversary's inputs, by kind.

``draw(rng, extra)`` draws a seeded sample; :data:`KINDS` names each value's kind for the report. The values
are built once (a 10 MB string, a list 10,000 deep) and shared: no verb may change what it is given.
"""

from __future__ import annotations

import math
import random
from decimal import Decimal
from fractions import Fraction

import numpy as np

MB = 1_000_000


class _Raises:
    """An object whose every dunder a service might call raises."""

    def __repr__(self):
        raise RuntimeError("repr refused")

    __str__ = __format__ = __repr__

    def __eq__(self, other):
        raise RuntimeError("eq refused")

    def __hash__(self):
        raise RuntimeError("hash refused")

    def __bool__(self):
        raise RuntimeError("bool refused")

    def __float__(self):
        raise RuntimeError("float refused")

    def __index__(self):
        raise RuntimeError("index refused")

    def __len__(self):
        raise RuntimeError("len refused")


class _RefusingDunders:
    """The dunders a service might call on a plain value (``==``, hash, ``str()``, ``repr()``), each raising."""

    def __eq__(self, other):
        raise RuntimeError("eq refused")

    def __hash__(self):
        raise RuntimeError("hash refused")

    def __str__(self):
        raise RuntimeError("str refused")

    __repr__ = __str__


class RaisingStr(_RefusingDunders, str):
    """Text that passes ``isinstance(v, str)`` but whose ``==``, hash and ``str()`` raise."""


class RaisingInt(_RefusingDunders, int):
    """A whole number whose ``==``, hash and ``str()`` raise."""


class RaisingDict(dict):
    """A table that raises when read (its items, keys, length)."""

    def _refuse(self, *args):
        raise RuntimeError("read refused")

    items = keys = values = get = __iter__ = __len__ = __getitem__ = __contains__ = _refuse


class HugeRepr:
    """An object whose repr is 10 MB."""

    def __repr__(self):
        return "r" * (10 * MB)


def _deep(depth: int, make):
    out = make()
    for _ in range(depth):
        out = make(out)
    return out


DEEP_LIST = _deep(10_000, lambda *x: list(x))
DEEP_DICT = _deep(10_000, lambda *x: {"rule": x[0]} if x else {})
DEEP_TUPLE = _deep(10_000, lambda *x: tuple(x))

KINDS: dict[str, list] = {
    "float": [math.nan, math.inf, -math.inf, -0.0, 1e308, 5e-324, -1e-300, 2.5, -2.5, 0.1],
    "float text": ["nan", "NaN", "inf", "-inf", "Infinity", "-0.0", "-0", "+0", "1e400", "-1e400", "1e-400",
                   "0x10", "1_000", "1,000", " 4 ", "4.", ".5", "4e0", "1e3", "--4"],
    "huge int": [10**400, -10**400, 2**63, 2**64, -(2**63) - 1, 10**5000, -(10**5000), 10**9, 10**18],
    "small int": [-1, 0, 1, 2, 3, -(10**9)],
    "unicode digits": ["²", "₃", "４", "٣", "١٠", "𝟓", "Ⅳ", "½", "৪", "४", "1²", "²1", "9" * 400, "9" * 5000],
    "surrogate": ["\ud800", "a\udfffb", "\udc80" * 10],
    "control": ["\x00", "4\x00", "\x1b[31m", "\n", "\r\n", "4\n", "\u2028", "\u202e4", "\t", "\x7f", "\ufeff4"],
    "big text": ["x" * MB, "9" * MB, " " * MB, "\n" * MB, "x" * (10 * MB), "[" * MB],
    "text": ["", " ", "abc", "nope", "Retailer", " retailer", "retailer ", "RETAILER", "human ", "csv ", "CSV",
             "keep", "Keep", "flat ", "orders ", "timer", "silo ", "Silo", "classic ", "Classic"],
    "bytes": [b"4", b"classic", bytearray(b"4"), memoryview(b"4"), b"\xff"],
    "bool": [True, False, np.bool_(True), np.bool_(False)],
    "none": [None],
    "container": [[], [4], [4, 8], (), (4,), {}, {"a": 1}, {"rule": "sterman"}, set(), {4}, frozenset({4}),
                  [None], ["4"], {4: 4}, {None: 1}, [math.nan], list(range(100_000)),
                  {f"links.{i}.shipping_delay": 1 for i in range(100_000)}, {"rule": "sterman", "theta": object()}],
    "deep": [DEEP_LIST, DEEP_DICT, DEEP_TUPLE],
    "raising": [_Raises(), RaisingDict(rule="sterman"), HugeRepr()],
    "subclass": [RaisingStr("retailer"), RaisingStr("x"), RaisingStr("csv"), RaisingStr("keep"), RaisingInt(1),
                 RaisingInt(2)],  # a str or int, read as plain text or number
    "numpy": [np.float64(math.nan), np.float64(math.inf), np.float64(4.0), np.float32(1e38), np.int64(4),
              np.int64(-1), np.int64(2**62), np.uint64(2**64 - 1), np.int8(4), np.array(4), np.array([4]),
              np.array([]), np.array([[4, 8]]), np.str_("retailer"), np.str_("4"), np.arange(10**6)],
    "decimal/fraction": [Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity"), Decimal("1e400"), Decimal("4"),
                         Decimal("4.5"), Decimal("-1"), Fraction(1, 3), Fraction(10**400), Fraction(-10**400, 3),
                         Fraction(8, 2)],
    "other": [3 + 4j, complex(math.nan, 0), Ellipsis, NotImplemented, int, object(), lambda: 4, range(4),
              iter([4]), slice(4)],
}


def draw(rng: random.Random, extra: int) -> list[tuple[str, object]]:
    """One (kind, value) of every kind, then ``extra`` more of any kind, drawn with ``rng``."""
    out = [(kind, rng.choice(values)) for kind, values in KINDS.items()]
    every = [(kind, v) for kind, values in KINDS.items() for v in values]
    return out + [rng.choice(every) for _ in range(extra)]
