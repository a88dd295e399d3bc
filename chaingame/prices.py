"""Price schedules of links: promotion weeks at a discount (hi-lo pricing) against everyday-low prices.

A link's ``price_schedule`` lists the weeks in which an order on the link is bought at another
price than the link's regular ``price``::

    [[links]]
    supplier = "distributor"
    customer = "retailer"
    price = 1.0                                                    # $/case, the regular price
    price_schedule = [{weeks = [4, 8, 12], price = 0.8}]           # promotion weeks at 20% off

An order is bought at the price of the week it is **placed** (a forward buyer buys ahead at the
promoted price) and paid when it is shipped, as every shipment is (see docs/model.md). Weeks past
the horizon never come, as with ``fixed_orders``.

This module checks the field and compiles the schedules into one table of prices by week of
ordering; it imports numpy and the checks only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .checks import ScenarioError, number, show, table

ENTRY_FIELDS = ["weeks", "price"]
MAX_WEEK = 100_000  # the longest horizon a scenario may have (scenario.weeks)
ANNOUNCED = 13  # weeks of coming prices a firm sees ahead in its observation (a quarter)


@dataclass(frozen=True)
class PriceChange:
    """Weeks (of ordering) in which a link's price is ``price`` instead of its regular price."""

    weeks: tuple[int, ...]
    price: float  # $/unit


def schedule(raw: Any, path: str) -> tuple[PriceChange, ...]:
    """Check a ``price_schedule``: a list of ``{weeks = [...], price = ...}`` tables, each week in one entry."""
    if not isinstance(raw, list | tuple):
        raise ScenarioError(path, f"{show(raw)} is not a list of price entries "
                                  "(allowed: [{weeks = [4, 8], price = 0.8}, ...])")
    seen: dict[int, int] = {}
    out = []
    for i, entry in enumerate(raw):
        here = f"{path}.{i}"
        table(entry, here, ENTRY_FIELDS, required=ENTRY_FIELDS)
        weeks = entry["weeks"]
        if not isinstance(weeks, list | tuple) or not weeks:
            raise ScenarioError(f"{here}.weeks", f"{show(weeks)} is not a list of weeks "
                                                 f"(allowed: a non-empty list of whole numbers 1 to {MAX_WEEK})")
        checked = []
        for j, w in enumerate(weeks):
            w = number(w, f"{here}.weeks[{j}]", low=1, high=MAX_WEEK, integer=True)
            if w in seen:
                other = f"{path}.{seen[w]}" if seen[w] != i else f"{here}.weeks"
                raise ScenarioError(f"{here}.weeks[{j}]", f"{w} is also in {other} "
                                                          "(allowed: each week in one entry, once)")
            seen[w] = i
            checked.append(w)
        price = number(entry["price"], f"{here}.price", low=0)
        out.append(PriceChange(tuple(checked), float(price)))
    return tuple(out)


def order_prices(regular: Sequence[float], schedules: Sequence[Sequence[PriceChange]], weeks: int) -> np.ndarray | None:
    """Price of an order placed at the end of week w on each link, (K, weeks + 1 + ANNOUNCED).

    Column 0 is before the game (orders in the mail at the start) and columns past the horizon
    are the coming weeks a firm sees announced in the last weeks; every week not in a schedule
    has the link's regular price. None when no link has a schedule: prices are then constant.
    """
    if not any(schedules):
        return None
    width = weeks + 1 + ANNOUNCED
    out = np.repeat(np.asarray(regular, float)[:, None], width, axis=1)
    for k, changes in enumerate(schedules):
        for change in changes:
            cols = [w for w in change.weeks if w < width]
            out[k, cols] = change.price
    return out

