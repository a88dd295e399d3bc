"""A classroom session rebuilt from its SQLite log is a Record whose replay is the team's history."""

import numpy as np
import pytest

from chaingame.classroom import Classroom
from chaingame.classroom.records import export_record, session_record
from chaingame.engine import COLUMNS
from chaingame.insight import replay

from .conftest import play, seat_all


def played_session(db, weeks=12, teams=2):
    room = Classroom(db)
    t = room.create_session("classic", teams=teams, weeks=weeks)
    tickets = {**seat_all(room, t.code, 1), **{f"2{f}": v for f, v in seat_all(room, t.code, 2).items()}} \
        if teams == 2 else seat_all(room, t.code, 1)
    room.start(t.code, t.host_key)
    play(room, tickets, weeks)
    room.end(t.code, t.host_key)
    debrief = room.debrief(t.code, t.host_key)
    room.close()
    return t, debrief


@pytest.mark.parametrize("team", [1, 2])
def test_record_from_the_log_replays_the_team_history(db, team):
    ticket, debrief = played_session(db)
    rec = session_record(db, ticket.code, team)
    assert rec.weeks == 12
    played = debrief.history[debrief.history["team"] == team].reset_index(drop=True)
    again = replay(rec)
    for c in COLUMNS:
        np.testing.assert_array_equal(again[c].to_numpy(), played[c].to_numpy(), err_msg=c)
    assert list(again["firm"]) == list(played["firm"])


def test_record_from_the_export_equals_the_record_from_the_log(db):
    ticket, debrief = played_session(db)
    from_export = export_record(debrief.history, "classic", team=2)
    from_log = session_record(db, ticket.code, 2)
    np.testing.assert_array_equal(from_export.orders, from_log.orders)
    np.testing.assert_array_equal(from_export.demand, from_log.demand)


def test_bad_session_and_team_name_the_field(db):
    ticket, _ = played_session(db, weeks=3, teams=1)
    with pytest.raises(ValueError, match=r"^session: \"NOPE\" is not a session"):
        session_record(db, "nope")
    with pytest.raises(ValueError, match=r"^team: 3 is not a team of session"):
        session_record(db, ticket.code, 3)
