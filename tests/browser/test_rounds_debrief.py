"""Two rounds in a real browser (silo, then POS) with four players, and the debrief that explains them.

After round 1 each player gives a guess of customer demand on their page; the host starts round 2
with POS sharing from its page; after round 2 the debrief shows each player's fitted rule in
words, the externality matrix, the guesses against the truth and the rounds side by side, and a
phone-width viewport shows all of it without sideways scrolling.
"""

from __future__ import annotations

import math

from .test_class_game import NAMES, ROLES, WAIT, Offline, new_page

WEEKS = 16  # the classic board fixes weeks 1-4: 12 weeks of decisions to read a rule from
WIDEST = """() => [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > 376
                 && ![...e.children].some(c => c.getBoundingClientRect().right > 376))
    .slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""
# the innermost elements wider than a phone (what to fix when the page scrolls sideways)
GUESSES = ("step up", "random", "rising", "step up")


RULES = {1: ((0.4, 0.3, 0.2, 17), (0.3, 0.25, 0.45, 17), (0.5, 0.35, 0.3, 20), (0.35, 0.2, 0.6, 15)),
         2: ((0.3, 0.3, 0.7, 20), (0.4, 0.3, 0.8, 22), (0.3, 0.4, 0.6, 20), (0.4, 0.25, 0.9, 18))}
# (θ, α_S, β, S') of each seat: Sterman's (1989) rule, counting more of the supply line in round 2


class Player:
    """A player who orders by Sterman's rule from the books their page shows."""

    def __init__(self, page, theta, alpha_s, beta, s_prime):
        self.page, self.theta, self.alpha_s, self.beta, self.s_prime = page, theta, alpha_s, beta, s_prime
        self.expected = None

    def book(self, name: str) -> float:
        text = self.page.get_by_test_id(f"book-{name}").locator(".v").inner_text(timeout=WAIT)
        return float(text.replace(",", ""))

    def order(self, week: int) -> int:
        incoming = self.book("incoming")
        self.expected = incoming if self.expected is None else self.theta * incoming + (1 - self.theta) * self.expected
        if week <= 4:  # the scenario fixes these orders
            return 4
        gap = self.s_prime - (self.book("inventory") - self.book("backlog")) - self.beta * self.book("on_order")
        return max(0, math.floor(self.expected + self.alpha_s * gap + 0.5))  # whole cases, half up as the game


def week_is(page, week: int):
    page.get_by_test_id("week").filter(has_text=f"week {week} of {WEEKS}").wait_for(timeout=WAIT)


def play_round(pages, round_: int):
    players = [Player(page, *rule) for page, rule in zip(pages, RULES[round_], strict=True)]
    for week in range(1, WEEKS + 1):
        for i, p in enumerate(players):
            week_is(p.page, week)
            qty = p.order(week)
            field = p.page.get_by_label("Order (units)")
            field.fill(str(qty))
            field.press("Enter")
            if i < len(players) - 1:  # the last order closes the week: the next one opens at once
                p.page.get_by_test_id("state").filter(has_text=f"You ordered {qty} for week {week}").wait_for(
                    timeout=WAIT)
    for page in pages:
        page.get_by_test_id("state").filter(has_text="The game is over").wait_for(timeout=WAIT)


def test_two_rounds_and_the_debrief_that_explains_them(server, browser):
    offline = Offline()
    host = new_page(browser, offline)
    host.goto(f"{server.url}/host")
    host.get_by_label("Weeks (empty: the scenario's)").fill(str(WEEKS))
    host.get_by_role("button", name="Create session").click()
    code = host.get_by_test_id("join-code").inner_text(timeout=WAIT).strip()
    players = []
    for name, role in zip(NAMES, ROLES, strict=True):
        page = new_page(browser, offline)
        page.goto(f"{server.url}/?code={code}")
        page.get_by_label("Your name").fill(name)
        page.get_by_role("button", name="Join", exact=True).click()
        page.get_by_test_id("seat").filter(has_text=f"Team 1 · {role}").wait_for(timeout=WAIT)
        players.append(page)
    host.get_by_test_id("status").filter(has_text="4 players joined").wait_for(timeout=WAIT)
    host.get_by_role("button", name="Start", exact=True).click()
    host.get_by_test_id("status").filter(has_text="running").wait_for(timeout=WAIT)
    play_round(players, 1)

    for page, guess in zip(players, GUESSES, strict=True):  # the demand reveal, on each player's page
        page.get_by_role("button", name=guess, exact=True).click()
        page.get_by_label("The levels you think it took, cases a week (optional, e.g. 4, 8)").fill("4, 12")
        page.get_by_role("button", name="Send my guess").click()
        page.get_by_test_id("reveal-done").filter(has_text=f"{guess} (4, 12 a week)").wait_for(timeout=WAIT)

    host.get_by_test_id("status").filter(has_text="ended").wait_for(timeout=WAIT)
    host.get_by_role("button", name="pos", exact=True).click()
    host.get_by_role("button", name="Start round 2").click()
    host.get_by_test_id("status").filter(has_text="lobby").wait_for(timeout=WAIT)
    host.get_by_role("button", name="Start round 2").wait_for(state="detached", timeout=WAIT)  # the lobby's row drawn
    host.get_by_role("button", name="Start", exact=True).click()
    host.get_by_test_id("status").filter(has_text="running").wait_for(timeout=WAIT)
    for page in players:
        page.get_by_test_id("book-demand").wait_for(timeout=WAIT)  # POS: each seat now sees customer demand
    play_round(players, 2)

    players[0].get_by_role("link", name="Open the debrief").click()
    debrief = players[0]
    check_debrief(debrief)

    phone = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True, device_scale_factor=2)
    offline.watch(phone)
    small = phone.new_page()
    small.goto(f"{server.url}/debrief?code={code}")
    check_debrief(small)
    small.get_by_test_id("chart-orders").locator("img").wait_for(timeout=WAIT)
    width = small.evaluate("document.documentElement.scrollWidth")
    wide = small.evaluate(WIDEST)
    assert width <= 375, f"the debrief scrolls sideways on a phone: {width} px wide ({wide})"
    for name in ("rule-2-1-retailer", "externalities-1-1", "reveals", "rounds", "truth"):
        box = small.get_by_test_id(name).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375 + 0.5, (name, box)


def check_debrief(page):
    for r in (1, 2):
        for name, role in zip(NAMES, ROLES, strict=True):
            words = page.get_by_test_id(f"rule-{r}-1-{role}").inner_text(timeout=WAIT)
            assert f"({name})" in words
            assert "of your supply line (Sterman's subjects: 34%" in words or "do not pin down" in words, words
    read = [r for r in (1, 2) for role in ROLES if "of your supply line" in page.get_by_test_id(
        f"rule-{r}-1-{role}").inner_text()]
    assert len(read) >= 6, f"only {len(read)} of 8 seats' rules read"
    matrix = page.get_by_test_id("externalities-1-1").inner_text()
    assert "seat replaced" in matrix and all(role in matrix for role in ROLES) and "team" in matrix
    assert "on this very demand" in page.get_by_test_id("best-1-1").inner_text()
    truth = page.get_by_test_id("truth").inner_text()
    assert "step up" in truth and "4 a week in weeks 1-4, then 8" in truth
    reveals = page.get_by_test_id("reveals").inner_text()
    assert all(name in reveals for name in NAMES) and "rising" in reveals
    rounds = page.get_by_test_id("rounds").inner_text()
    assert "information = pos" in rounds and "no change" in rounds
