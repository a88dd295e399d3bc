"""Issue 13 item 4 audited from outside through the service API: pacing modes combined with latecomers,
pauses and reopening, in cases tests/classroom/test_teacher.py does not try."""

from __future__ import annotations

import time

import pytest

from chaingame.classroom import Forbidden, InputError, Status


def weeks(room, host):
    return [t.week for t in room.host_view(host.code, host.host_key).teams]


def submit(room, ticket, wanted=4):
    v = room.seat_view(ticket.token)
    return room.submit(ticket.token, v.week, v.fixed_order or wanted)


def decided_by(room, host, team: int, firm: str) -> list[tuple[int, str]]:
    h = room.debrief(host.code, host.host_key).history
    rows = h[(h.team == team) & (h.firm == firm)]
    return list(zip(rows.week, rows.decided_by))


def test_in_step_with_latecomer_seats_holds_every_team_and_a_latecomer_joins_the_held_week(room):
    host = room.create_session("classic", teams=3, weeks=5, pacing="in_step")
    ann = room.join(host.code, "Ann", team=1, firm="retailer")
    room.start(host.code, host.host_key, latecomers=True)  # teams 2 and 3: nobody, bots until someone joins
    assert weeks(room, host) == [1, 1, 1]
    submit(room, ann)
    assert weeks(room, host) == [2, 2, 2]  # the teams nobody joined did not run ahead
    bob = room.join(host.code, "Bob", team=2, firm="wholesaler")
    bob_view = room.seat_view(bob.token)
    assert bob_view.week == 2 and not bob_view.can_submit  # its bot had decided week 2 before he came
    submit(room, ann)
    assert weeks(room, host) == [3, 3, 3]
    assert room.seat_view(bob.token).can_submit
    submit(room, bob)
    assert weeks(room, host) == [3, 3, 3]  # team 2 now waits for Bob every week, and the class for team 1
    submit(room, ann)
    assert weeks(room, host) == [4, 4, 4]
    assert decided_by(room, host, 2, "wholesaler") == [(1, "bot"), (2, "bot"), (3, "human")]


def test_teacher_pacing_with_a_timer_the_bot_decides_at_the_deadline_and_the_week_waits_for_the_host(room):
    host = room.create_session("classic", weeks=5, pacing="teacher", timer_seconds=10)
    ann = room.join(host.code, "Ann")
    room.start(host.code, host.host_key, latecomers=True)
    room.tick(time.time() + 11)
    view = room.seat_view(ann.token)
    assert (view.week, view.decision.decided_by) == (1, "bot")  # time ran out: the bot ordered for her
    late = room.join(host.code, "Lee")  # joins the held week: its open seat's bot has decided it
    assert room.seat_view(late.token).decision is not None
    assert room.next_week(host.code, host.host_key) == 0  # nobody left to decide for
    assert weeks(room, host) == [2]
    assert room.seat_view(late.token).can_submit


def test_timer_pacing_keeps_the_time_left_over_a_pause(room):
    host = room.create_session("classic", weeks=5, pacing="timer", timer_seconds=20)
    ann = room.join(host.code, "Ann")
    room.start(host.code, host.host_key)
    submit(room, ann)
    room.pause(host.code, host.host_key)
    room.tick(time.time() + 25)
    assert weeks(room, host) == [1]  # paused: the timer does not run
    with pytest.raises(Forbidden, match=r"is paused by the host"):
        submit(room, ann)
    room.resume_session(host.code, host.host_key)
    room.tick(time.time() + 5)
    assert weeks(room, host) == [1]
    room.tick(time.time() + 21)
    assert weeks(room, host) == [2]


def test_the_hosts_button_does_nothing_while_paused_and_says_why(room):
    host = room.create_session("classic", weeks=5, pacing="teacher")
    room.join(host.code, "Ann")
    room.start(host.code, host.host_key)
    room.pause(host.code, host.host_key)
    with pytest.raises(Forbidden, match=r"^session: \w+ is paused by the host"):
        room.next_week(host.code, host.host_key)
    assert weeks(room, host) == [1]


def test_an_in_step_class_reopened_for_more_weeks_stays_in_step(room):
    host = room.create_session("classic", teams=2, weeks=3, pacing="in_step")
    ann = room.join(host.code, "Ann", team=1)
    room.start(host.code, host.host_key)
    for _ in range(3):
        submit(room, ann)
    assert room.host_view(host.code, host.host_key).status == Status.ENDED
    assert room.reopen(host.code, host.host_key, more_weeks=2) == 5
    assert weeks(room, host) == [4, 4]  # the bots' team waits for team 1 again
    submit(room, ann)
    assert weeks(room, host) == [5, 5]


def test_the_list_of_sessions_needs_each_ones_key_and_reopen_needs_an_ended_session(room):
    one = room.create_session("classic", title="Monday")
    two = room.create_session("classic", title="Tuesday")
    assert [s.title for s in room.sessions_of({one.code: one.host_key, two.code: two.host_key})] == ["Tuesday",
                                                                                                    "Monday"]
    assert room.sessions_of({one.code: two.host_key, two.code: "x" * 22}) == ()  # nothing without its own key
    with pytest.raises(Forbidden, match=r"has not ended"):
        room.reopen(one.code, one.host_key)
    room.start(one.code, one.host_key)  # every seat a bot: the game plays to its end at once
    with pytest.raises(InputError, match=r"^more_weeks: 0: every team has played all 36 weeks"):
        room.reopen(one.code, one.host_key)
