"""The host page in a real browser: labels that show whole, a drop zone one can click, the confirmation
before the end, and a class of 30 teams as one line per team."""

from __future__ import annotations

from chaingame.scenario import bundled

WAIT = 30_000  # ms
TRUNCATED = """() => [...document.querySelectorAll('.v-input .v-label')]
    .filter(l => l.offsetParent !== null && l.scrollWidth > l.clientWidth + 1).map(l => l.textContent.trim())"""


def test_the_host_creates_uploads_confirms_and_sees_a_large_class_compactly(server, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{server.url}/host")
    page.get_by_role("button", name="Create session").wait_for(timeout=WAIT)
    assert page.evaluate(TRUNCATED) == []  # e.g. "Weeks (empty: the scenario's)" shows whole
    assert "silo:" in page.get_by_test_id("information-help").inner_text()

    # the drop zone opens the file picker when clicked
    scenario = tmp_path / "seven.toml"
    scenario.write_text(bundled()["classic"].read_text().replace("weeks = 36", "weeks = 7", 1))
    with page.expect_file_chooser(timeout=WAIT) as chooser:
        page.get_by_test_id("scenario-drop").click()
    chooser.value.set_files(str(scenario))
    page.get_by_text("using seven.toml").wait_for(timeout=WAIT)
    page.get_by_label("Teams").fill("30")
    page.get_by_role("button", name="Create session").click()
    page.get_by_test_id("join-code").wait_for(timeout=WAIT)
    assert "seven · 7 weeks" in page.get_by_text("created ").first.inner_text()

    # 30 teams: one line each, and the page stays short
    page.locator("tr[data-team='30']").wait_for(state="attached", timeout=WAIT)
    assert page.locator("[data-testid=teams-table] tbody tr").count() == 30
    assert page.locator(".cg-team-1").count() == 0
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 2_500, f"the dashboard of 30 teams is {height} px high"

    # free seats wait for players, so the game runs until the host ends it; one click does not end it
    page.locator(".v-select", has_text="At start, free seats:").click()
    page.get_by_role("option", name="free seats wait for players (or the timer, or you)").click()
    page.get_by_role("button", name="Start").click()
    page.get_by_test_id("status").filter(has_text="running").wait_for(timeout=WAIT)
    page.get_by_role("button", name="End game").click()
    page.get_by_test_id("confirm").wait_for(timeout=WAIT)
    page.get_by_role("button", name="Cancel").click()
    page.get_by_role("button", name="End game").wait_for(timeout=WAIT)
    assert "running" in page.get_by_test_id("status").inner_text()
    page.get_by_role("button", name="End game").click()
    page.get_by_role("button", name="Yes, end the game").click()
    page.get_by_test_id("status").filter(has_text="ended").wait_for(timeout=WAIT)
    page.close()
