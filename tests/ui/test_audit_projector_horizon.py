"""Issue 13 audit, items 3 and 5: under a hidden horizon the projector does not tell the class how long the game is.

Teams play at their own pace; the projector showed a team at "week 6", then "done" and "1 of 2
team(s) done": every slower team then knew that the game has 6 weeks. What the projected screen
shows is checked as rendered (``status_line`` and ``team_html``, the HTML the page is made of)
from the service's :class:`ProjectorView`.
"""

from __future__ import annotations

import pytest

from chaingame.classroom import Classroom
from chaingame.ui.projector import hidden, status_line, team_html

WEEKS = 6


@pytest.fixture
def room(tmp_path):
    r = Classroom(tmp_path / "classroom.sqlite3")
    yield r
    r.close()


def screen(room, code: str) -> str:
    v = room.projector_view(code)
    return status_line(v) + "".join(team_html(t, v.weeks, True, hidden(v)) for t in v.teams)


def play(room, ticket, weeks: int):
    for _ in range(weeks):
        v = room.seat_view(ticket.token)
        room.submit(ticket.token, v.week, v.fixed_order or 4)


def test_a_team_that_finishes_first_looks_as_it_did_in_its_last_week(room):
    host = room.create_session("classic", teams=3, weeks=WEEKS, hide_horizon=True)
    fast, slow = room.join(host.code, "A", team=1), room.join(host.code, "B", team=2)
    room.start(host.code, host.host_key)  # team 3: no player, its bots play the whole game at once
    play(room, fast, WEEKS - 1)
    play(room, slow, 2)
    before = screen(room, host.code)
    play(room, fast, 1)  # team 1 has played every week
    assert room.projector_view(host.code).teams[0].done
    after = screen(room, host.code)
    assert after == before, (before, after)
    assert "done" not in after and f"of {WEEKS}" not in after
    assert "Team 3</b> · played by bots" in after  # not "week 6": the bots' team finished at the start
    play(room, slow, WEEKS - 2)  # every team has played every week: the session ends by itself
    assert room.projector_view(host.code).status == "ended"
    assert "3 of 3 teams done" in screen(room, host.code)  # now the screen may say so


def test_with_the_horizon_shown_a_finished_team_is_done(room):
    host = room.create_session("classic", teams=2, weeks=WEEKS)
    fast = room.join(host.code, "A", team=1)
    room.join(host.code, "B", team=2)
    room.start(host.code, host.host_key)
    play(room, fast, WEEKS)
    shown = screen(room, host.code)
    assert "Team 1</b> · done" in shown and "1 of 2 teams done" in shown and f"week 1 of {WEEKS}" in shown
