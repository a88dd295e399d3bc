"""Issue 13 audit: the seat page shows what order batching does to this week's order (a Solara page in a
virtual kernel against a real classroom; the service's side: tests/classroom/test_audit_batching.py)."""

from __future__ import annotations

from chaingame.scenario import bundled


def test_the_order_card_says_when_nothing_is_ordered_and_when_packs_round_up(classroom, tabs):
    text = bundled()["batching"].read_text().replace('[firms.r1]\nrole = "retailer"\n',
                                                     '[firms.r1]\nrole = "retailer"\npack = 700\n')
    t = classroom.create_session("batching", scenario_toml=text)
    tab = tabs(f"/?code={t.code}")
    tab.fill("Your name", "Ann")
    tab.select("Role", "r1 (retailer)")
    tab.click("Join")
    tab.wait(lambda: tab.has("seat"), "Ann's seat")
    classroom.start(t.code, t.host_key)  # the other seats: bots
    tab.wait(lambda: "rounded up to whole packs of 700" in tab.text("order-note"), "the note of a review week")
    tab.fill("Order (units)", "5")
    tab.click("Submit order")
    tab.wait(lambda: "nothing is ordered this week" in tab.text("order-note"), "the note of week 2")
    assert "You order every 4 weeks (next: week 5)" in tab.text("order-note")
