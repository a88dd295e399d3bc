"""Reviewer's cases for issue 13, item 5: a hidden horizon reaches no player through any view or error."""

import re

import pytest

from chaingame.classroom import ClassroomError

WEEKS = 23  # a horizon no other figure of the classic board's first weeks equals
HORIZON = re.compile(rf"(?<![\d.]){WEEKS}(?![\d.])")


@pytest.fixture
def hidden(room):
    host = room.create_session("classic", weeks=WEEKS, hide_horizon=True, teams=2, timer_seconds=60)
    alice = room.join(host.code, "Alice")
    return host, alice


def leaks(what) -> list[str]:
    return [m.string[max(0, m.start() - 40):m.end() + 10] for m in HORIZON.finditer(repr(what))]


def refusal(call) -> str:
    with pytest.raises(ClassroomError) as e:
        call()
    return str(e.value)


def test_no_player_view_holds_the_hidden_horizon(room, hidden):
    host, alice = hidden
    seen = [room.join_view(host.code), room.seat_view(alice.token), room.projector_view(host.code)]
    room.start(host.code, host.host_key)  # team 2, all bots, plays its 23 weeks at once
    projector = room.projector_view(host.code)
    assert projector.weeks is None and [t.done for t in projector.teams] == [False, True]
    seen += [room.seat_view(alice.token), room.reveal_view(alice.token),  # a done team's tile says "done"
             [t for t in projector.teams if not t.done]]
    assert not [x for view in seen for x in leaks(view)]
    assert room.host_view(host.code, host.host_key).weeks == WEEKS  # the host still sees it


@pytest.mark.parametrize("week", [0, -1, -(10**6), 24, 99, "0"])
def test_no_refused_week_tells_the_player_the_hidden_horizon(room, hidden, week):
    host, alice = hidden
    room.start(host.code, host.host_key)
    message = refusal(lambda: room.submit(alice.token, week, 4))
    assert message.startswith("week: ") and "allowed" in message or "current" in message, message
    assert not leaks(message), message


def test_the_debrief_refused_before_the_end_does_not_tell_the_horizon(room, hidden):
    host, _ = hidden
    room.start(host.code, host.host_key)
    message = refusal(lambda: room.debrief(host.code))
    assert message.startswith("session: ") and not leaks(message), message
