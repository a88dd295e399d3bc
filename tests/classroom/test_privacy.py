"""A seat sees its own firm only, plus what the information mode adds (style point 12).

The seat view is inspected recursively, every field of every nested dataclass, so a field added
later cannot slip another firm's numbers onto a page unnoticed.
"""

import dataclasses

import numpy as np
import pytest

from chaingame.classroom import ChainRow, SeatObservation, SeatView, SeatWeek

from .conftest import order, seat_all

OWN_FIELDS = {  # every field a silo page may reach, by dataclass
    SeatView: {f.name for f in dataclasses.fields(SeatView)},
    SeatObservation: {f.name for f in dataclasses.fields(SeatObservation)},
    SeatWeek: {f.name for f in dataclasses.fields(SeatWeek)},
}


def walk(value, path="view"):
    """Every (path, leaf value) reachable from a dataclass, through tuples."""
    if dataclasses.is_dataclass(value):
        for f in dataclasses.fields(value):
            yield from walk(getattr(value, f.name), f"{path}.{f.name}")
    elif isinstance(value, tuple | list):
        for i, v in enumerate(value):
            yield from walk(v, f"{path}[{i}]")
    else:
        yield path, value


def classes(value):
    if dataclasses.is_dataclass(value):
        yield type(value)
        for f in dataclasses.fields(value):
            yield from classes(getattr(value, f.name))
    elif isinstance(value, tuple | list):
        for v in value:
            yield from classes(v)


def played(room, information, weeks=12):
    """A network game (two retailers, a distributor, a factory) after ``weeks`` weeks; the distributor's view."""
    host = room.create_session("network", information=information)
    seats = seat_all(room, host.code, firms=("north", "south", "distributor", "factory"))
    room.start(host.code, host.host_key)
    for _ in range(weeks):
        for firm, t in seats.items():
            v = room.seat_view(t.token)
            room.submit(t.token, v.week, order(v, 3 + v.week % 5 + len(firm)))
    room.submit(seats["north"].token, weeks + 1, 6)  # a teammate's pending order must not show either
    return host, seats, room.seat_view(seats["distributor"].token)


def test_a_silo_seat_sees_nothing_of_another_firm(room):
    host, seats, view = played(room, "silo")
    # the chain's rules name the other firms (the board is public) but hold no firm's state: they are
    # the same in the lobby, before any week was played, as after 12 weeks
    lobby = room.create_session("network", information="silo")
    fresh = room.join(lobby.code, "Late", team=1, firm="distributor")
    assert view.rules == room.seat_view(fresh.token).rules
    assert view.rules.you == "distributor" and [f for t in view.rules.tiers for f in t] == [
        "north", "south", "distributor", "factory"]
    view = dataclasses.replace(view, rules=None)
    assert set(classes(view)) <= {SeatView, SeatObservation, SeatWeek}  # no ChainRow, nothing else
    leaves = list(walk(view))
    others = {"north", "south", "factory", "P-1-north", "P-1-south", "P-1-factory"}
    assert not [(p, v) for p, v in leaves if isinstance(v, str) and v in others]
    assert view.observation.demand is None and view.observation.chain is None
    assert all(w.demand is None for w in view.history)
    assert view.decision is None and view.waiting == 3  # who has decided is not shown, only how many wait
    # every number is the distributor's own: it matches the distributor's rows of the host's record
    h = room.debrief(host.code, host.host_key).history
    own = h[h.firm == "distributor"].reset_index(drop=True)
    for i, w in enumerate(view.history):
        assert (w.inventory, w.backlog, w.incoming, w.order, w.cost, w.cash) == tuple(
            own.loc[i, ["inventory", "backlog", "incoming_order", "order_placed", "cost", "cash"]])


def test_pos_adds_only_end_customer_demand(room):
    _, _, silo = played(room, "silo")
    host, _, pos = played(room, "pos")
    silo_leaves, pos_leaves = dict(walk(silo)), dict(walk(pos))
    assert silo_leaves.keys() == pos_leaves.keys()
    changed = {p for p in silo_leaves if silo_leaves[p] != pos_leaves[p] and p not in ("view.code", "view.information")
               and not p.endswith(("submitted_at", "deadline"))}
    assert changed and all(p.endswith(".demand") for p in changed)
    h = room.debrief(host.code, host.host_key).history
    market = h[h.role == "retailer"].groupby("week").customer_demand.sum().to_numpy()
    assert np.array_equal([w.demand for w in pos.history], market)  # both retailers' end customers


def test_full_information_shows_every_firms_books(room):
    host, seats, view = played(room, "full")
    chain = view.observation.chain
    assert [r.firm for r in chain] == ["north", "south", "distributor", "factory"]
    assert all(isinstance(r, ChainRow) for r in chain)


@pytest.mark.parametrize("information", ["silo", "pos"])
def test_a_seat_view_does_not_change_when_other_seats_decide(room, information):
    """Within a week, another seat's decision changes nothing on this seat's page but the count of waiting seats."""
    host = room.create_session("classic", information=information)
    seats = seat_all(room, host.code)
    room.start(host.code, host.host_key)
    before = room.seat_view(seats["wholesaler"].token)
    room.submit(seats["factory"].token, 1, 4)
    room.submit(seats["retailer"].token, 1, 4)
    after = room.seat_view(seats["wholesaler"].token)
    assert dataclasses.replace(after, waiting=before.waiting) == before
