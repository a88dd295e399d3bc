"""The player's page, the join form and the debrief on phones (issue 13, "phones first").

One real server; for each screen size a session played by two phones of team 1 (the other two
seats are bots) and a host page on a laptop, driven by clicks on the real pages. On every state a
player's page goes through (join form, lobby, week open, waiting for a teammate, a week the bot
decided, paused, team done, game over with the reveal form, the debrief) the page must be no
wider than the screen, the order field and its button must be in view without scrolling while a
week is open, every visible button and field must be at least 44 px tall (a finger's width: Apple's
Human Interface Guidelines and WCAG 2.2's 2.5.5 ask for 44 × 44 CSS px), and pinch-zoom must stay
allowed. The laptop width checks that the phone layout did not spoil the desktop one.

``CHAINGAME_SCREENSHOTS=DIR`` also saves a screenshot of each state there (to look at them).
"""

from __future__ import annotations

import os
import re
import urllib.request
from pathlib import Path

import pytest

from .conftest import PORT_ATTEMPTS, Server
from .test_class_game import WAIT

WEEKS = 3
SCREENS = [(360, 640, True), (375, 812, True), (1280, 800, False)]  # (width, height, a phone?)
TOUCH = 44  # px: the smallest touch target (Apple HIG; WCAG 2.2 success criterion 2.5.5)
SHOTS = os.environ.get("CHAINGAME_SCREENSHOTS")

WIDEST = """w => [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > w + 0.5
                 && ![...e.children].some(c => c.getBoundingClientRect().right > w + 0.5))
    .slice(0, 6).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""
# the innermost elements reaching past the screen's right edge (what to fix when the page scrolls sideways)
SMALL = """min => [...document.querySelectorAll('button, input, select, textarea, [role=button], a.v-btn, .cg-main a')]
    .map(e => e.closest('.v-field') || e)
    .filter(e => { const r = e.getBoundingClientRect(), s = getComputedStyle(e);
                   return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.opacity !== '0'
                          && e.type !== 'hidden'; })
    .map(e => [e.tagName, (e.innerText || e.value || '').trim().slice(0, 30),
               Math.round(e.getBoundingClientRect().height)])
    .filter(([, , h]) => h < min)"""
# visible buttons, fields and links of the page shorter than ``min`` px: [tag, text, height]; a field's target
# is its whole box (Vuetify's .v-field: a tap anywhere in it focuses the input), not the line of text inside
VIEWPORTS = "() => [...document.querySelectorAll('meta[name=viewport]')].map(m => m.content)"


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("phone")
    s = Server(folder / "classroom.sqlite3", folder / "server.log")
    s.start(attempts=PORT_ATTEMPTS)
    yield s
    s.stop()


def test_the_served_page_lets_a_phone_zoom(shared_server):
    """The viewport of the page shell as served (chaingame/templates/index.html.j2 over Solara's own)."""
    for path in ("/", "/debrief"):
        with urllib.request.urlopen(f"{shared_server.url}{path}", timeout=30) as r:
            page = r.read().decode()
        metas = re.findall(r'<meta name="viewport" content="([^"]*)"', page)
        assert metas == ["width=device-width, initial-scale=1"], (path, metas)


class Screen:
    """One player's device of a given size, and the checks each state of its page must pass."""

    def __init__(self, browser, width: int, height: int, phone: bool, name: str):
        self.width, self.height, self.phone, self.name = width, height, phone, name
        extra = {"is_mobile": True, "has_touch": True, "device_scale_factor": 2} if phone else {}
        self.context = browser.new_context(viewport={"width": width, "height": height}, **extra)
        self.page = self.context.new_page()
        self.problems: list[str] = []

    def check(self, state: str, week_open: bool = False) -> list[str]:
        """What is wrong with the page in ``state`` as the player first sees it (nothing: ``[]``)."""
        page, w, h = self.page, self.width, self.height
        page.evaluate("window.scrollTo(0, 0)")  # what the player sees first, before any scrolling
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(SHOTS) / f"{w}-{self.name}-{state}.png"), full_page=True)
        wrong = []
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > w:
            wrong.append(f"the page is {width} px wide ({page.evaluate(WIDEST, w)})")
        viewports = page.evaluate(VIEWPORTS)
        if viewports != ["width=device-width, initial-scale=1"]:
            wrong.append(f"viewport meta {viewports} (pinch-zoom must be allowed)")
        if self.phone and (small := page.evaluate(SMALL, TOUCH)):
            wrong.append(f"touch targets under {TOUCH} px tall: {small}")
        if week_open:
            for what in ("order field", "submit button"):
                target = (page.get_by_label("Order (units)") if what == "order field"
                          else page.get_by_role("button", name="Submit order"))
                box = target.bounding_box()
                if not (box and box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= w
                        and box["y"] + box["height"] <= h):
                    wrong.append(f"the {what} is not in view without scrolling: {box}")
        self.problems += [f"{state} at {w}×{h}: {x}" for x in wrong]
        return wrong

    def close(self):
        self.context.close()


def week_is(page, week: int):
    page.get_by_test_id("week").filter(has_text=f"week {week} of {WEEKS}").wait_for(timeout=WAIT)


def order(page, qty: int = 4):
    page.get_by_label("Order (units)").fill(str(qty))
    page.get_by_role("button", name="Submit order").click()


@pytest.mark.parametrize(("width", "height", "phone"), SCREENS, ids=[f"{w}x{h}" for w, h, _ in SCREENS])
def test_every_state_of_the_players_page_fits_the_screen(shared_server, browser, width, height, phone):
    url = shared_server.url
    laptop = browser.new_context(viewport={"width": 1280, "height": 900})
    host = laptop.new_page()
    host.goto(f"{url}/host")
    host.get_by_label("Weeks (empty: the scenario's)").fill(str(WEEKS))
    host.get_by_label("Title (shown to players)").fill("Phone class")
    host.get_by_label("Teams").fill("2")  # team 2 plays on after team 1 is done (a team's "done" state)
    host.get_by_role("button", name="Create session").click()
    code = host.get_by_test_id("join-code").inner_text(timeout=WAIT).strip()
    ann, bob = (Screen(browser, width, height, phone, name) for name in ("ann", "bob"))
    try:
        for screen, name, role in ((ann, "Ann", "retailer"), (bob, "Bob", "wholesaler")):
            page = screen.page
            page.goto(f"{url}/?code={code}")
            page.get_by_label("Your name").fill(name)
            page.get_by_text("Phone class — classic").wait_for(timeout=WAIT)  # the session found: teams and roles
            if screen is ann:
                ann.check("join")
            page.get_by_role("button", name="Join", exact=True).click()
            page.get_by_test_id("seat").filter(has_text=f"Team 1 · {role}").wait_for(timeout=WAIT)
        ann.check("lobby")
        cy = laptop.new_page()  # team 2's one player, who keeps the game going once team 1 is done
        cy.goto(f"{url}/?code={code}")
        cy.get_by_label("Your name").fill("Cy")
        cy.locator(".v-select", has=cy.get_by_label("Team")).click()
        cy.get_by_role("option", name="team 2").click()
        cy.get_by_role("button", name="Join", exact=True).click()
        cy.get_by_test_id("seat").filter(has_text="Team 2 · retailer").wait_for(timeout=WAIT)

        host.get_by_test_id("status").filter(has_text="3 players joined").wait_for(timeout=WAIT)
        host.get_by_role("button", name="Start").click()
        for screen in (ann, bob):
            week_is(screen.page, 1)
            screen.page.get_by_label("Order (units)").wait_for(timeout=WAIT)
        ann.check("week-open", week_open=True)
        order(ann.page)
        ann.page.get_by_test_id("state").filter(has_text="Waiting for 1 other player").wait_for(timeout=WAIT)
        ann.check("waiting")

        advance = host.locator(".cg-team-1").get_by_role("button", name="Advance (bots decide for late seats)")
        advance.click()  # the bot orders for Bob
        week_is(bob.page, 2)
        bob.page.get_by_test_id("history").filter(has_text="(bot)").wait_for(timeout=WAIT)
        bob.check("bot-decided", week_open=True)

        host.get_by_role("button", name="Pause").click()
        ann.page.get_by_test_id("state").filter(has_text="paused").wait_for(timeout=WAIT)
        ann.check("paused")
        host.get_by_role("button", name="Resume").click()

        for week in range(2, WEEKS + 1):
            for screen in (ann, bob):
                week_is(screen.page, week)
                order(screen.page)  # the classic board fixes weeks 1-4 at 4
        ann.page.get_by_test_id("state").filter(has_text=f"played all {WEEKS} weeks").wait_for(timeout=WAIT)
        ann.page.get_by_role("button", name="Send my guess").wait_for(timeout=WAIT)
        ann.check("team-done")

        host.get_by_role("button", name="End game").click()
        host.get_by_role("button", name="Yes, end the game").click()  # what cannot be undone is confirmed
        ann.page.get_by_test_id("state").filter(has_text="The game is over").wait_for(timeout=WAIT)
        ann.page.get_by_role("button", name="Send my guess").wait_for(timeout=WAIT)
        ann.check("ended")
        ann.page.get_by_role("button", name="step up", exact=True).click()
        ann.page.get_by_role("button", name="Send my guess").click()
        ann.page.get_by_test_id("reveal-done").wait_for(timeout=WAIT)
        ann.check("guessed")

        ann.page.get_by_role("link", name="Open the debrief").click()
        for chart in ("costs", "orders", "stock"):
            img = ann.page.locator(f"[data-testid=chart-{chart}] img")
            img.wait_for(timeout=WAIT)
            ann.page.wait_for_function("img => img.complete && img.naturalWidth > 300", arg=img.element_handle(),
                                       timeout=WAIT)
        ann.page.get_by_test_id("leaderboard").filter(has_text="Ann").wait_for(timeout=WAIT)
        ann.check("debrief")
        ann.page.goto(f"{url}/debrief")  # the debrief's own form, asking for a code
        ann.page.get_by_label("Session code").wait_for(timeout=WAIT)
        ann.check("debrief-form")
        problems = ann.problems + bob.problems
        assert not problems, "\n".join(problems)
    finally:
        ann.close()
        bob.close()
        laptop.close()
