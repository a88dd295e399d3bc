"""Reviewer's cases for issue 13, item 1, beyond tests/browser/test_phone.py: a priced seat (`cash`) under a
hidden horizon, an order refused, a week the timer closed with the bot's order notice, and the seat that decides
capacity (`capacity`), on real phones' screens: no wider than the screen, fields and button in view, targets
44 px, zoom allowed."""

from __future__ import annotations

import re

import pytest

from .test_class_game import WAIT
from .test_phone import Screen, shared_server  # noqa: F401  (the module's server fixture)

TIMER = 5  # s: the shortest week timer a session may have


def create(host, url, scenario: str, title: str, weeks: int, timer: int | None = None, hide: bool = False) -> str:
    host.goto(f"{url}/host")
    host.locator(".v-select", has=host.get_by_label("Scenario")).click()
    host.get_by_role("option", name=scenario, exact=True).click()
    host.get_by_label("Title (shown to players)").fill(title)
    host.get_by_label("Weeks (empty: the scenario's)").fill(str(weeks))
    if timer:
        host.get_by_label("Timer, seconds per week (empty: none)").fill(str(timer))
    if hide:
        host.get_by_label(re.compile("Hide the number of weeks")).check()
    host.get_by_role("button", name="Create session").click()
    return host.get_by_test_id("join-code").inner_text(timeout=WAIT).strip()


def join(screen, url, code, name, role=None):
    page = screen.page
    page.goto(f"{url}/?code={code}")
    page.get_by_label("Your name").fill(name)
    if role:
        page.locator(".v-select", has=page.get_by_label("Role")).click()
        page.get_by_role("option", name=role, exact=True).click()
    page.get_by_role("button", name="Join", exact=True).click()
    page.get_by_test_id("seat").wait_for(timeout=WAIT)


@pytest.mark.parametrize(("width", "height"), [(360, 640), (375, 812)], ids=["360x640", "375x812"])
def test_priced_timed_capacity_and_refused_states_fit_a_phone(shared_server, browser, width, height):  # noqa: F811
    url = shared_server.url
    laptop = browser.new_context(viewport={"width": 1280, "height": 900})
    host = laptop.new_page()
    ann = Screen(browser, width, height, True, "ann")
    try:
        code = create(host, url, "cash", f"Cash {width}", weeks=8, timer=TIMER, hide=True)
        join(ann, url, code, "Ann")
        host.get_by_role("button", name="Start").click()
        page = ann.page
        page.get_by_label("Order (units)").wait_for(timeout=WAIT)
        ann.check("priced-week-open", week_open=True)
        assert page.get_by_test_id("week").inner_text().strip() == "week 1"  # not "of 8"
        assert "Your money" in page.inner_text("body")  # the priced seat's cash, revenue and profit
        page.get_by_label("Order (units)").fill("1000000")
        page.get_by_role("button", name="Submit order").click()
        page.get_by_text("order: 1000000 is above 1000 (allowed: whole numbers 0 to 1000)").wait_for(timeout=WAIT)
        ann.check("order-refused", week_open=True)
        page.get_by_label("Order (units)").fill("")
        page.get_by_text("Week 1: the bot ordered 4 for you (time ran out)").wait_for(timeout=WAIT)
        ann.check("timer-closed-bot-notice", week_open=True)
        assert not re.search(r"\bof 8\b", page.content())  # the hidden horizon, nowhere in the page
        ann.context.close()

        ann = Screen(browser, width, height, True, "cap")
        code = create(host, url, "capacity", f"Capacity {width}", weeks=4)
        join(ann, url, code, "Cap", role="manufacturer")
        host.get_by_role("button", name="Start").click()
        page = ann.page
        fields = ("Order (units)", "Capacity target (units/week)")
        page.get_by_label(fields[1]).wait_for(timeout=WAIT)
        ann.check("capacity-week-open", week_open=True)
        for label in fields:  # the order field is checked by Screen.check; the capacity field too
            box = page.get_by_label(label).bounding_box()
            assert box and box["y"] + box["height"] <= height and box["x"] + box["width"] <= width, (label, box)
        page.get_by_label(fields[0]).fill("5")
        page.get_by_label(fields[1]).fill("7")
        page.get_by_role("button", name="Submit order").click()
        page.get_by_test_id("week").filter(has_text="week 2").wait_for(timeout=WAIT)
        ann.check("capacity-history", week_open=True)
        history = page.get_by_test_id("history").inner_text()
        assert "tgt" in history and "cap" in history, history
        assert not ann.problems, "\n".join(ann.problems)
    finally:
        ann.close()
        laptop.close()
