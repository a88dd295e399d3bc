"""The worst hostile inputs of the page tests (tests/ui/test_hostile_*.py) once more in Chromium, on a phone.

A browser's storage holding ``[[[[...`` where the host keys or the seat token belong (a traceback on
four routes before), a deeply nested custom bot rule typed into the create form (a RecursionError),
and long unbroken values typed into the join and order fields: at 375 × 812 each page shows one line
naming the field (or its normal form), no traceback, and no sideways scrolling.
"""

from __future__ import annotations

import pytest

from chaingame.classroom.inputs import MAX_TYPED

from .test_class_game import WAIT

PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
DEEP = "[" * 100_000  # json.loads raises RecursionError on it


@pytest.fixture
def phone(browser):
    context = browser.new_context(**PHONE)
    yield context
    context.close()


def fits(page) -> None:
    """No traceback on the page, and nothing wider than the phone's screen."""
    body = page.locator("body").inner_text()
    assert "Traceback" not in body and "Error in" not in body, body[:500]
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["viewport"]["width"], f"{page.url}: the page is {width} px wide"


def error_line(page, field: str) -> str:
    error = page.get_by_test_id("error")
    error.filter(has_text=f"{field}: ").wait_for(timeout=WAIT)
    assert error.count() == 1
    line = error.inner_text()
    assert "\n" not in line.strip()
    return line


def created(browser, server, weeks: int = 3) -> str:
    """A session created on the host's laptop; its join code."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{server.url}/host")
    page.get_by_label("Weeks (empty: the scenario's)").fill(str(weeks))
    page.get_by_role("button", name="Create session").click()
    code = page.get_by_test_id("join-code").inner_text(timeout=WAIT).strip()
    context.close()
    return code


def test_deep_json_in_storage_breaks_no_page_on_a_phone(server, browser, phone):
    code = created(browser, server)
    phone.add_init_script(f"""for (const s of [window.localStorage, window.sessionStorage]) {{
        s.setItem("chaingame.host", "{DEEP}"); s.setItem("chaingame.seat", "{DEEP}"); }}""")
    page = phone.new_page()
    page.goto(f"{server.url}/host")
    page.get_by_role("button", name="Create session").wait_for(timeout=WAIT)  # no keys: the create form
    fits(page)
    page.goto(f"{server.url}/host?code={code}")
    page.get_by_label("Host key").wait_for(timeout=WAIT)  # no key for this session: asked for
    fits(page)
    for route in ("debrief", "class"):
        page.goto(f"{server.url}/{route}?code={code}")
        assert "has not ended" in error_line(page, "session")  # as to any player without the key
        fits(page)
    page.goto(f"{server.url}/?code={code}")
    error_line(page, "token")
    fits(page)
    page.get_by_role("button", name="Join again").click()
    page.get_by_label("Your name").fill("Ann")
    page.get_by_role("button", name="Join", exact=True).click()
    page.get_by_test_id("seat").wait_for(timeout=WAIT)  # the page works: a seat, its token stored anew
    fits(page)


def test_a_nested_bot_rule_and_long_typed_values_get_one_line_on_a_phone(server, browser, phone):
    page = phone.new_page()
    page.goto(f"{server.url}/host")
    page.locator(".v-select", has=page.get_by_label("Bots play by")).click()
    page.get_by_role("option", name="custom (TOML table below)").click()
    page.get_by_label("Bot rule (TOML inline table)").fill("[" * 5000)
    page.get_by_role("button", name="Create session").click()
    assert "nests too deeply" in error_line(page, "bot_rule")
    fits(page)
    page.get_by_label("Bot rule (TOML inline table)").fill("{rule = 'sterman', theta = 0.5}")
    page.get_by_label("Weeks (empty: the scenario's)").fill("١٢")
    page.get_by_role("button", name="Create session").click()
    assert '"١٢" is not a whole number' in error_line(page, "weeks")
    page.get_by_label("Weeks (empty: the scenario's)").fill("3")
    page.get_by_role("button", name="Create session").click()
    code = page.get_by_test_id("join-code").inner_text(timeout=WAIT).strip()

    player = phone.new_page()
    player.goto(f"{server.url}/")
    player.get_by_label("Session code").fill("W" * 10_000)
    player.get_by_label("Your name").fill("Ann")
    player.get_by_role("button", name="Join", exact=True).click()
    error_line(player, "code")
    fits(player)
    player.get_by_label("Session code").fill(code)
    player.get_by_label("Your name").fill("N" * 10_000)
    player.get_by_role("button", name="Join", exact=True).click()
    assert "has 10000 characters" in error_line(player, "name")
    player.get_by_label("Your name").fill("Ann")
    player.get_by_role("button", name="Join", exact=True).click()
    player.get_by_test_id("seat").wait_for(timeout=WAIT)
    page.get_by_role("button", name="Start").click()  # bots play the three other seats
    field = player.get_by_label("Order (units)")
    field.wait_for(timeout=WAIT)
    for typed in ("W" * 10_000, "１２", "9" * 5000, "1e400"):
        field.fill(typed)
        player.get_by_role("button", name="Submit order").click()
        long = len(typed) > MAX_TYPED  # no number is typed this long: refused by its length, before it is read
        said = f"has {len(typed)} characters" if long else typed[:20]
        player.get_by_test_id("error").filter(has_text=said).wait_for(timeout=WAIT)
        assert "not a" in error_line(player, "order")  # a number, or a finite one
        fits(player)
    field.fill("4")
    player.get_by_role("button", name="Submit order").click()
    player.get_by_test_id("week").filter(has_text="week 2 of 3").wait_for(timeout=WAIT)
