"""Shared set-up: a real SQLite file in a temporary folder, and helpers that play weeks."""

import pytest

from chaingame.classroom import Classroom


@pytest.fixture
def db(tmp_path):
    return tmp_path / "classroom.db"


@pytest.fixture
def room(db):
    r = Classroom(db)
    yield r
    r.close()


def order(view, wanted):
    """What a player types: the fixed order in the weeks the scenario fixes, else ``wanted``."""
    return view.fixed_order if view.fixed_order is not None else wanted


def seat_all(room, code, team=1, firms=("retailer", "wholesaler", "distributor", "factory")):
    """One player per firm of a team; returns firm -> SeatTicket."""
    return {f: room.join(code, f"P-{team}-{f}", team=team, firm=f) for f in firms}


def play(room, tickets, weeks, rule=lambda team, firm, week: 4 + (week * 3 + len(firm)) % 7):
    """Every seat of ``tickets`` submits ``rule(team, firm, week)`` for ``weeks`` weeks (round robin)."""
    for _ in range(weeks):
        for t in tickets.values():
            v = room.seat_view(t.token)
            if v.can_submit:
                room.submit(t.token, v.week, order(v, rule(t.team, t.firm, v.week)))


def state_columns(history):
    """The history without the wall-clock columns (which differ between runs)."""
    return history.drop(columns=["opened_at", "submitted_at", "response_seconds"]).reset_index(drop=True)
