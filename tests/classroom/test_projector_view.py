"""The projector's snapshot: each team's seats taken and week, for anyone with the code, nothing secret."""

import dataclasses

import pytest

from chaingame.classroom import NotFound, ProjectorView, Status

from .conftest import play, seat_all


def test_seats_taken_and_weeks_follow_the_class(room):
    t = room.create_session("classic", teams=3, weeks=8)
    ann = room.join(t.code, "Ann", team=1, firm="retailer")
    room.join(t.code, "Bob", team=2, firm="factory")
    room.set_seat(t.code, t.host_key, 3, "factory", "bot")
    v = room.projector_view(t.code.lower())  # a code typed in lower case is the same session
    assert (v.code, v.status, v.weeks, v.round) == (t.code, Status.LOBBY, 8, 1)
    assert [(x.team, x.joined, x.open, x.bots) for x in v.teams] == [(1, 1, 3, 0), (2, 1, 3, 0), (3, 0, 3, 1)]
    assert (v.joined, v.open) == (2, 9)
    tickets = seat_all(room, t.code, team=1, firms=("wholesaler", "distributor", "factory"))
    room.start(t.code, t.host_key)  # free seats of teams 2 and 3 go to bots
    v = room.projector_view(t.code)
    assert v.status == Status.RUNNING
    assert [(x.joined, x.open, x.bots) for x in v.teams] == [(4, 0, 0), (1, 0, 3), (0, 0, 4)]
    assert [(x.week, x.done) for x in v.teams] == [(1, False), (1, False), (8, True)]  # team 3: bots alone
    play(room, {**tickets, "retailer": ann}, 1)  # team 1 has ordered; team 2 waits for Bob
    assert [x.week for x in room.projector_view(t.code).teams][:2] == [2, 1]


def test_weeks_advance_and_the_horizon_stays_hidden_when_asked(room):
    t = room.create_session("classic", teams=1, weeks=6, hide_horizon=True)
    tickets = seat_all(room, t.code)
    room.start(t.code, t.host_key)
    play(room, tickets, 2)
    v = room.projector_view(t.code)
    assert v.weeks is None and v.teams[0].week == 3 and not v.teams[0].done
    play(room, tickets, 4)
    v = room.projector_view(t.code)
    assert v.teams[0].done and v.status == Status.ENDED


def test_the_snapshot_holds_no_name_no_key_no_cost(room):
    t = room.create_session("classic", teams=2, title="Tuesday")
    room.join(t.code, "Zelda-the-student", team=1)
    v = room.projector_view(t.code)
    text = repr(v)
    assert t.host_key not in text and "Zelda" not in text
    fields = {f.name for f in dataclasses.fields(ProjectorView)} | {f.name for f in dataclasses.fields(v.teams[0])}
    assert not fields & {"cost", "players", "seed", "host_key", "token", "name"}


def test_an_unknown_code_is_a_one_line_error_naming_it(room):
    with pytest.raises(NotFound, match=r"^code: .*NOPE.* is not a session code$"):
        room.projector_view("NOPE42")
