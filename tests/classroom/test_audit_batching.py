"""Issue 13 audit: a seat under order batching is told what becomes of its order (the batching scenario).

In the bundled ``batching`` scenario each retailer orders only every 4 weeks; the audit found that a
player's order in any other week was accepted and recorded as 0 without a word, and that an order
raised to a minimum or rounded up to packs was recorded as more than typed, also without a word.
``SeatView.order_note`` now says so each week; these tests check that what it says is what the
service records (the two paths agree), on the scenario as bundled and with a minimum and packs.
"""

from __future__ import annotations

import math
import re

import pytest

from chaingame.scenario import bundled

from .conftest import seat_all

FIRMS = ("r1", "r2", "r3", "r4", "distributor")
PACKED = {"r1": (10, 700), "r2": (25, None), "r3": (None, 6)}  # firm: (min_order, pack)


def batching_toml(extra: bool) -> str:
    text = bundled()["batching"].read_text()
    if extra:
        for firm, (least, pack) in PACKED.items():
            head = f'[firms.{firm}]\nrole = "retailer"\n'
            assert head in text
            lines = (f"min_order = {least}\n" if least else "") + (f"pack = {pack}\n" if pack else "")
            text = text.replace(head, head + lines)
        text = text.replace('review_phases = "synchronized"', 'review_phases = "staggered"')
    return text


def expected(note: str, typed: int) -> int:
    """What the note says becomes of an order of ``typed``."""
    if "nothing is ordered this week" in note:
        return 0
    least = re.search(r"raised to at least (\d+)", note)
    pack = re.search(r"whole packs of (\d+)", note)
    q = max(typed, int(least.group(1))) if least else typed
    return math.ceil(q / int(pack.group(1))) * int(pack.group(1)) if pack else q  # typed > 0 here


@pytest.mark.parametrize("extra", [False, True], ids=["as bundled", "minimum orders, packs, staggered"])
def test_the_order_note_says_what_the_service_records(room, extra):
    host = room.create_session("batching", scenario_toml=batching_toml(extra), weeks=12)
    tickets = seat_all(room, host.code, firms=FIRMS)
    room.start(host.code, host.host_key)
    notes = {}
    for week in range(1, 13):
        for firm, ticket in tickets.items():
            view = room.seat_view(ticket.token)
            assert view.week == week
            typed = 3 + (week * 7 + len(notes)) % 11
            notes[(firm, week)] = view.order_note, typed
            room.submit(ticket.token, week, typed)
    history = room.debrief(host.code, host.host_key).history
    said = {"off": 0, "changed": 0}
    for (firm, week), (note, typed) in notes.items():
        row = history[(history.firm == firm) & (history.week == week)]
        assert list(row.order) == [expected(note, typed)], (firm, week, note, typed)
        said["off"] += "nothing is ordered" in note
        said["changed"] += "A positive order is" in note
    assert notes[("distributor", 2)][0] == ""  # a weekly firm without minimum or packs: nothing to say
    assert said["off"] == 4 * 9  # 4 retailers, 9 of 12 weeks off their review
    assert said["changed"] == (0 if not extra else 3 * 3)  # r1-r3 in their 3 review weeks


def test_no_note_for_a_fixed_week_or_the_classic_board(room):
    text = batching_toml(False).replace('[firms.r1]\nrole = "retailer"\n',
                                        '[firms.r1]\nrole = "retailer"\nfixed_orders = [4, 4, 4]\n')
    host = room.create_session("batching", scenario_toml=text)
    r1 = room.join(host.code, "Ann", firm="r1")
    classic = room.create_session("classic")
    ann = room.join(classic.code, "Ann")
    room.start(host.code, host.host_key)
    room.start(classic.code, classic.host_key)
    for week in (1, 2, 3):
        view = room.seat_view(r1.token)
        assert (view.week, view.fixed_order, view.order_note) == (week, 4.0, "")  # placed as written
        room.submit(r1.token, week, 4)
    assert "nothing is ordered this week" in room.seat_view(r1.token).order_note  # week 4: off its review
    assert room.seat_view(ann.token).order_note == ""
    room.end(host.code, host.host_key)
    assert room.seat_view(r1.token).order_note == ""  # nothing to order once ended
