"""The seat page's connection guard without a browser: what the page does with the order the browser
reports it kept (:mod:`chaingame.ui.connection`), checked on the service's SQLite file.

The browser half (the banner, the storage, the reload on a restarted server) runs in
tests/browser/test_connection.py; here a tab's guard widget gets what a browser would report.
"""

from __future__ import annotations

import itertools
import json

import pytest

from chaingame.ui.connection import ConnectionGuard, Kept, decided_week, parse_kept, storage_key

from .test_pages import decisions, field, join, order

_reports = itertools.count()


def guard(tab) -> ConnectionGuard:
    with tab.context:
        return tab.rc.find(ConnectionGuard).widget


def report(tab, week: int, order: str, queued: bool, capacity: str = ""):
    """What the browser does when the page is mounted or its connection is back: report the order it keeps."""
    at = next(_reports)  # a new submit each time (the browser's clock, ms)
    with tab.context:
        guard(tab).pending = json.dumps({"week": week, "order": order, "capacity": capacity, "queued": queued,
                                         "at": at, "reported": at})
    return at


def seated(classroom, tabs):
    """Ann's page at week 1 of a classic game (orders fixed at 4 in weeks 1-4), and the session's host ticket;
    bots hold the other seats."""
    t = classroom.create_session("classic", teams=1, weeks=8)
    ann = join(tabs, t.code, "Ann")
    classroom.start(t.code, t.host_key)
    ann.wait(lambda: "Submit order" in ann.buttons(), "the order form")
    return ann, t


def test_a_kept_submitted_order_is_sent_once_and_its_repeat_is_harmless(classroom, tabs):
    ann, _ = seated(classroom, tabs)
    report(ann, 1, "4", queued=True)
    ann.wait_text("resent", "Your order of 4 for week 1 is recorded.")
    ann.wait_text("week", "week 2 of 8")
    assert decisions(classroom, "retailer") == [(1, 4.0, None, "human")]
    report(ann, 1, "4", queued=True)  # reported again on a reconnect
    again = tabs("/", stored=ann.stored())  # the page reloaded on a new kernel, its browser still holding it
    again.wait(lambda: again.has("seat"), "the seat after a reload")
    report(again, 1, "4", queued=True)
    again.wait_text("resent", "Your order of 4 for week 1 is recorded.")
    assert decisions(classroom, "retailer") == [(1, 4.0, None, "human")]


def test_a_kept_order_the_service_refuses_is_shown_as_not_sent(classroom, tabs):
    ann, _ = seated(classroom, tabs)
    at = report(ann, 1, "5", queued=True)  # week 1 fixes the order at 4
    ann.wait_text("resent", "Your order of 5 for week 1 was not sent: order: ")
    assert guard(ann).handled == at  # the browser is told: it no longer marks this one to send
    assert ann.testid("resent")[0].attributes["class"] == "cg-error"
    assert field(ann).v_model == "5"  # back in the field, to correct
    assert decisions(classroom, "retailer") == []
    order(ann, "4")
    ann.wait_text("week", "week 2 of 8")
    report(ann, 1, "6", queued=True)  # a different order for a week already recorded
    ann.wait_text("resent", "Your order of 6 for week 1 was not sent: week: 1 is already played by team 1")
    assert decisions(classroom, "retailer") == [(1, 4.0, None, "human")]


def test_a_kept_typed_order_goes_back_in_the_field_marked_not_sent(classroom, tabs):
    ann, _ = seated(classroom, tabs)
    report(ann, 3, "7", queued=False)  # another week's: not this week's field
    report(ann, 1, "4", queued=False)
    ann.wait(lambda: field(ann).v_model == "4", "the kept order in the field")
    assert "Your order of 4 for week 1 is not sent yet" in ann.text("unsent")
    assert decisions(classroom, "retailer") == []
    ann.click("Submit order")
    ann.wait_text("week", "week 2 of 8")
    assert not ann.has("unsent")  # recorded: no longer said to be unsent
    assert decisions(classroom, "retailer") == [(1, 4.0, None, "human")]


def test_a_kept_order_after_the_bot_decided_the_week_says_what_the_bot_ordered(classroom, tabs):
    ann, t = seated(classroom, tabs)
    classroom.advance(t.code, t.host_key, 1)  # the host's button: the bot decides for Ann, late (4: the fixed order)
    ann.wait_text("week", "week 2 of 8")
    report(ann, 1, "4", queued=True)  # the same number, but not Ann's decision
    ann.wait_text("resent", "Your order of 4 for week 1 was not sent: the bot had decided week 1. "
                            "Recorded for week 1: 4 (decided by the bot).")
    report(ann, 2, "9", queued=True)
    ann.wait_text("resent", "Your order of 9 for week 2 was not sent: order: 9 is not this week")
    assert decisions(classroom, "retailer") == [(1, 4.0, None, "bot")]


def test_the_guard_is_told_the_week_and_the_last_week_recorded(classroom, tabs):
    ann, _ = seated(classroom, tabs)
    token = ann.stored()
    g = guard(ann)
    assert (g.week, g.decided) == (1, 0)
    assert g.storage_key == storage_key(token) and token not in g.storage_key
    order(ann, "4")
    ann.wait(lambda: (guard(ann).week, guard(ann).decided) == (2, 1), "week 2 open, week 1 recorded")
    assert decided_week(classroom.seat_view(token)) == 1


@pytest.mark.parametrize("text", [
    None, "", "not json", "[]", "3", "null", '"text"',
    '{"order": "4", "capacity": "", "queued": true}',  # no week
    '{"week": 0, "order": "4", "capacity": "", "queued": true}',
    '{"week": 1.5, "order": "4", "capacity": "", "queued": true}',
    '{"week": true, "order": "4", "capacity": "", "queued": true}',
    '{"week": 10000000, "order": "4", "capacity": "", "queued": true}',
    '{"week": 1, "order": 4, "capacity": "", "queued": true}',
    '{"week": 1, "order": "4", "capacity": null, "queued": true}',
    '{"week": 1, "order": "4", "capacity": "", "queued": "yes"}',
    '{"week": 1, "order": "4", "capacity": "", "queued": true, "at": "now"}',
    '{"week": 1, "order": "4", "capacity": "", "queued": true, "at": -1}',
    '{"week": 1, "order": "\\ud800", "capacity": "", "queued": true}',  # a lone surrogate
    json.dumps({"week": 1, "order": "9" * 101, "capacity": "", "queued": True}),
    "{" * 5000, "[" * 999,
])
def test_what_a_browser_reports_is_untrusted_and_anything_odd_is_ignored(text):
    assert parse_kept(text) is None


def test_a_well_formed_report_is_read():
    text = '{"week": 3, "order": "12", "capacity": "", "queued": true, "at": 5, "reported": 6}'
    assert parse_kept(text) == Kept(3, "12", "", True, 5.0)
    assert parse_kept('{"week": 3, "order": "12", "queued": false}') == Kept(3, "12", "", False, 0.0)


def test_an_odd_report_changes_nothing_on_the_page(classroom, tabs):
    ann, _ = seated(classroom, tabs)
    with ann.context:
        guard(ann).pending = '{"week": 1, "order": "\\ud800", "capacity": "", "queued": true}'
        guard(ann).pending = "{" * 5000
    ann.click("Submit order")  # the page still works; nothing was sent before this
    ann.wait_text("week", "week 2 of 8")
    assert not ann.has("resent") and decisions(classroom, "retailer") == [(1, 4.0, None, "human")]
