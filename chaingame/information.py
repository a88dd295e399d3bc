"""Information modes: what a firm sees beyond its own books, and which mode a rule needs.

The modes are ordered by what they reveal; each shows everything the one before it shows
(Lee et al. 1997; Chen et al. 2000; Croson & Donohue 2006):

- ``silo``: the firm's own books only;
- ``pos``: plus the end-customer demand (point-of-sale data) of the retailers it serves;
- ``full``: plus every firm's inventory, backlog, supply line, incoming and placed orders.

A mode is a :class:`str` (``Information.POS == "pos"``), so scenario files, stored sessions and
exports hold the same text. A rule states the least mode it reads in its ``needs`` attribute;
:func:`covers` says whether a scenario's mode shows it.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache


class Information(StrEnum):
    """An information mode, in the order of what it reveals (``silo`` < ``pos`` < ``full``)."""

    SILO = "silo"
    POS = "pos"
    FULL = "full"

    @property
    def shows(self) -> str:
        """One line: what an observation holds in this mode (the host form and docs/model.md use it)."""
        return SHOWS[self]


MODES = tuple(Information)  # least revealing first

SHOWS = {
    Information.SILO: "its own books: inventory, backlog, raw, wip, supply line, incoming orders, goods received "
                      "and shipped, its last order, capacity, cost, cash (with money rules also `receivables`, "
                      "`payables`, `committed` and `can_pay`); what its suppliers owed it (`due`) and "
                      "shipped it (`supplied`) this week; its purchase `price` this week and `regular_price`, and "
                      "`price_ahead`, the announced prices of the next 13 weeks where a schedule changes its price",
    Information.POS: "plus `demand`: this week's end-customer demand at the retailers it serves",
    Information.FULL: "plus `chain`: every firm's inventory, backlog, supply line, incoming and placed orders",
}


@cache  # asked each week a firm is observed; a mode and its text are the same key (``Information.POS == "pos"``)
def covers(mode: str, needed: str) -> bool:
    """Whether mode ``mode`` shows everything mode ``needed`` shows (both are mode names).

    Raises:
        ValueError: if either is not a mode name.
    """
    return MODES.index(Information(mode)) >= MODES.index(Information(needed))


def covering(needed: str) -> tuple[Information, ...]:
    """The modes that show what ``needed`` shows, least revealing first."""
    return tuple(m for m in MODES if covers(m, needed))
