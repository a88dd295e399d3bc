"""Issue 13 item 10 tried from outside, as a new teacher would, in a real Chromium against `chaingame play`.

The create form at a phone's and a laptop's width (every label and every chosen option shown whole, the
scenario's description, what silo / pos / full mean, a drop zone one can click); same-named players told
apart on the dashboard and the debrief (the projector shows no name at all); the debrief's team choice
labelled and opening on a team people played; the order hint in a fixed week and after it.
"""

from __future__ import annotations

import pytest

from chaingame.classroom import Classroom
from chaingame.scenario import bundled, load_scenario
from chaingame.ui.host import BOT_RULES, INFORMATION, PACING

from .conftest import PORT_ATTEMPTS, Server
from .test_class_game import WAIT

SHOWN = "label, .v-label, .v-field-label, .v-select__selection-text, .v-messages__message"  # texts that may be cut
CUT = f"""() => [...document.querySelectorAll('{SHOWN}')]
  .filter(l => l.offsetParent !== null && l.scrollWidth > l.clientWidth + 1)
  .map(l => `${{l.textContent.trim()}} (${{l.scrollWidth}} > ${{l.clientWidth}} px)`)"""
CHOICES = {"Scenario": list(bundled()), "Information": list(INFORMATION), "A week closes": list(PACING),
           "Bots play by": list(BOT_RULES)}


@pytest.mark.parametrize(("width", "height"), [(360, 640), (1280, 900)], ids=["360x640", "1280x900"])
def test_the_create_form_shows_every_label_and_choice_whole_and_explains_them(server, browser, tmp_path, width,
                                                                              height):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(f"{server.url}/host")
    page.get_by_role("button", name="Create session").wait_for(timeout=WAIT)
    cut = page.evaluate(CUT)
    for field, choices in CHOICES.items():  # each choice of each select, chosen in turn
        select = page.locator(".v-select", has=page.get_by_label(field))
        for choice in choices:
            select.click()
            page.get_by_role("option", name=choice, exact=True).click()
            page.locator(".v-select__selection-text", has_text=choice).first.wait_for(timeout=WAIT)
            if field == "Scenario":  # the scenario's own description, under it
                page.get_by_text(load_scenario(choice).title).first.wait_for(timeout=WAIT)
            cut += [f"{field} = {choice}: {c}" for c in page.evaluate(CUT)]
    assert cut == [], cut
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    help_text = page.get_by_test_id("information-help").inner_text()
    assert all(f"{m}: " in help_text for m in ("silo", "pos", "full")), help_text

    scenario = tmp_path / "five.toml"  # the drop zone opens the file picker when tapped
    scenario.write_text(bundled()["classic"].read_text().replace("weeks = 36", "weeks = 5", 1))
    with page.expect_file_chooser(timeout=WAIT) as chooser:
        page.get_by_test_id("scenario-drop").click()
    chooser.value.set_files(str(scenario))
    page.get_by_text("using five.toml").wait_for(timeout=WAIT)
    page.close()


def seat_page(browser, url: str, code: str, token: str, width: int = 360, height: int = 640):
    context = browser.new_context(viewport={"width": width, "height": height})
    context.add_init_script(f"window.localStorage.setItem('chaingame.seat', {token!r})")  # the player's phone
    page = context.new_page()
    page.goto(f"{url}/?code={code}")
    page.get_by_test_id("seat").wait_for(timeout=WAIT)
    return page


def test_same_names_told_apart_the_debrief_opens_on_a_played_team_and_the_hint_is_what_is_accepted(tmp_path,
                                                                                                     browser):
    db = tmp_path / "classroom.sqlite3"
    room = Classroom(db)  # joined through the service, on the file the server then opens
    t = room.create_session("classic", teams=3, weeks=6, max_order=1000)
    ann1 = room.join(t.code, "Ann", team=2, firm="retailer")
    ann2 = room.join(t.code, "Ann", team=2, firm="wholesaler")
    ann3 = room.join(t.code, "Ann", team=3, firm="retailer")
    room.start(t.code, t.host_key)  # team 1: bots alone, played through at once; it ranks first
    room.close()
    server = Server(db, tmp_path / "server.log")
    server.start(attempts=PORT_ATTEMPTS)
    try:
        laptop = browser.new_context(viewport={"width": 1280, "height": 900})
        host = laptop.new_page()
        host.goto(f"{server.url}/host?code={t.code}#key={t.host_key}")
        team2 = host.locator(".cg-team-2")
        team2.get_by_role("cell", name="Ann #2").wait_for(timeout=WAIT)
        assert "Ann #1" in team2.inner_text() and "Ann #3" in host.locator(".cg-team-3").inner_text()
        projector = laptop.new_page()
        projector.goto(f"{server.url}/projector?code={t.code}")
        projector.get_by_text("3 players joined").wait_for(timeout=WAIT)
        assert "Ann" not in projector.inner_text("body")  # no name on the projected screen

        pages = [seat_page(browser, server.url, t.code, a.token) for a in (ann1, ann2, ann3)]
        for week in range(1, 7):
            for page in pages:
                page.get_by_test_id("week").filter(has_text=f"week {week} of 6").wait_for(timeout=WAIT)
                hint = "only 4 this week (the scenario fixes it)" if week <= 4 else "whole numbers 0 to 1000"
                page.locator(".cg-order .v-messages__message").filter(has_text=hint).wait_for(timeout=WAIT)
                assert page.evaluate(CUT) == [], page.evaluate(CUT)  # at 360 px
                field = page.get_by_label("Order (units)")
                if week <= 4:  # the scenario fixes the order at 4: the hint says so, and 1000 is refused
                    field.fill("1000")
                    page.get_by_role("button", name="Submit order").click()
                    page.get_by_text("(allowed: 4)").wait_for(timeout=WAIT)
                    field.fill("4")
                else:  # the hint's bounds, as written, are accepted
                    field.fill("1000" if page is pages[0] else "0")
                page.get_by_role("button", name="Submit order").click()  # the next week's label is awaited above

        for page in pages:  # every team has played all weeks: the session ends, the debrief opens to all
            page.get_by_role("link", name="Open the debrief").wait_for(timeout=WAIT)
        debrief = laptop.new_page()
        debrief.goto(f"{server.url}/debrief?code={t.code}")
        debrief.get_by_test_id("chart-orders").wait_for(timeout=WAIT)
        board = debrief.get_by_test_id("leaderboard").inner_text()
        assert "Ann #1, Ann #2" in board and "Ann #3" in board, board
        roles = debrief.get_by_test_id("roles").inner_text()
        assert "Ann #1" in roles and "Ann #2" in roles and "Ann #3" in roles, roles
        assert debrief.get_by_test_id("team-choice-label").inner_text().strip() == "Team shown in the charts below:"
        chosen = debrief.locator(".v-btn-group .v-btn--active, .v-btn-toggle .v-btn--active").inner_text()
        assert board.splitlines()[1].split("\t")[1] == "1"  # the all-bot team ranks first...
        assert chosen.strip() == "2"  # ...but the charts open on the first team people played
        phone = pages[0]  # the debrief on a phone: nothing cut short either
        phone.get_by_role("link", name="Open the debrief").click()
        phone.get_by_test_id("chart-orders").wait_for(timeout=WAIT)
        assert phone.evaluate(CUT) == [] and phone.evaluate("document.documentElement.scrollWidth") <= 360
        laptop.close()
        for page in pages:
            page.context.close()
    finally:
        server.stop()
