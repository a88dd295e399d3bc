"""The pages of issue 12 in Solara kernels: the reveal on a seat page, the next round on the host
page, the debrief's insight and the class view."""

from __future__ import annotations

import ipyvuetify as v

from ..classroom.conftest import play, seat_all
from .conftest import host_storage

WEEKS = 16


def ended_session(classroom):
    t = classroom.create_session("classic", weeks=WEEKS)
    tickets = seat_all(classroom, t.code)
    classroom.start(t.code, t.host_key)
    play(classroom, tickets, WEEKS)
    return t, tickets


def test_a_player_gives_a_guess_and_the_debrief_shows_it_beside_the_truth(classroom, tabs):
    t, tickets = ended_session(classroom)
    seat = tabs("/", stored=tickets["distributor"].token)
    seat.wait(lambda: "Send my guess" in seat.buttons(disabled=True), "the reveal form")
    with seat:
        seat.rc.find(v.BtnToggle).widget.v_model = "random"  # what clicking the button sends
    seat.fill("The levels you think it took, cases a week (optional, e.g. 4, 8)", "3, 15")
    seat.click("Send my guess")
    seat.wait_text("reveal-done", "random (3, 15 a week)")
    debrief = tabs(f"/debrief?code={t.code}")
    debrief.wait(lambda: debrief.has("reveals"), "the guesses")
    assert "P-1-distributor" in debrief.text("reveals") and "step up" in debrief.text("reveals")
    assert "4 a week in weeks 1-4, then 8" in debrief.text("truth")


def test_the_debrief_reads_each_seats_rule_and_who_hurt_whom(classroom, tabs):
    t, _ = ended_session(classroom)
    debrief = tabs(f"/debrief?code={t.code}")
    debrief.wait(lambda: debrief.has("rule-1-1-retailer"), "the fitted rules")
    for firm in ("retailer", "wholesaler", "distributor", "factory"):
        words = debrief.text(f"rule-1-1-{firm}")
        assert f"P-1-{firm}" in words
        assert "supply line" in words or "do not pin down" in words
    matrix = debrief.text("externalities-1-1")
    assert "seat replaced" in matrix and matrix.count("<tr>") == 5
    assert "on this very demand" in debrief.text("best-1-1")


def test_the_host_starts_round_two_and_the_class_view_compares_rounds(classroom, tabs):
    t, tickets = ended_session(classroom)
    host = tabs(f"/host?code={t.code}", stored=host_storage(t))
    host.wait(lambda: "Start round 2" in host.buttons(), "the next round's control")
    with host:
        host.rc.find(v.BtnToggle, class_="cg-next-information").widget.v_model = "pos"  # a click on "pos"
    host.click("Start round 2")
    host.wait_text("status", "lobby")
    view = classroom.host_view(t.code, t.host_key)
    assert view.round == 2 and view.information == "pos"
    classroom.start(t.code, t.host_key)
    play(classroom, tickets, WEEKS, rule=lambda team, firm, week: 4 + week % 2)
    assert classroom.host_view(t.code, t.host_key).status == "ended"
    debrief = tabs(f"/debrief?code={t.code}")
    debrief.wait(lambda: debrief.has("rounds"), "the round comparison")
    assert "information = pos" in debrief.text("rounds")
    assert debrief.has("rule-2-1-factory") and debrief.has("rule-1-1-factory")
    board = tabs(f"/class?code={t.code}")
    board.wait(lambda: board.has("chart-class-orders"), "the class view")
    for name in ("chart-class-orders", "chart-class-beta", "chart-class-costs"):
        assert "base64," in board.text(name)
    assert "information = pos" in board.text("class-rounds")
