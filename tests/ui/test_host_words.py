"""The host's words for counts and for where each team is: "1 player", not "1 player(s)"; an ended
session waits for nobody, it says where each team stopped (issue 13 items 4 and 10)."""

from __future__ import annotations

import re
from pathlib import Path

import ipyvuetify as v
import pytest

from chaingame.classroom import Status
from chaingame.ui.components import plural
from chaingame.ui.host import awaited, seat_week, team_line, team_place, team_table
from chaingame.ui.projector import hidden, status_line, team_html

from .conftest import host_storage

UI = Path(__file__).resolve().parents[2] / "chaingame" / "ui"


@pytest.mark.parametrize(("n", "word", "many", "said"), [
    (0, "player", None, "0 players"), (1, "player", None, "1 player"), (2, "free seat", None, "2 free seats"),
    (1, "free seat", None, "1 free seat"), (1500, "week", None, "1,500 weeks"), (2, "box", "boxes", "2 boxes"),
    (1, "box", "boxes", "1 box")])
def test_plural_says_one_thing_or_many(n, word, many, said):
    assert plural(n, word, many) == said


def test_no_page_writes_a_count_as_word_s():
    found = [f"{p.name}:{i}" for p in sorted(UI.glob("*.py")) for i, line in enumerate(p.read_text().splitlines(), 1)
             if re.search(r"\w\(s\)", line) and "http(s)" not in line]
    assert found == [], found


def test_an_ended_team_says_where_it_stopped_and_waits_for_nobody(classroom):
    t = classroom.create_session("classic", teams=2, weeks=5)
    ann = classroom.join(t.code, "Ann", team=1, firm="retailer")
    lobby = classroom.host_view(t.code, t.host_key)
    assert [team_place(team, lobby.status, lobby.weeks) for team in lobby.teams] == ["not started"] * 2
    assert team_line(lobby.teams[0], lobby.status) == "" and awaited(lobby.teams[0], lobby.status) == ()
    assert {seat_week(s, lobby.teams[0], lobby.status) for s in lobby.teams[0].seats} == {"-"}

    classroom.start(t.code, t.host_key)  # team 2: bots only, played through at once; team 1 waits for Ann
    running = classroom.host_view(t.code, t.host_key)
    one, two = running.teams
    assert (team_place(one, running.status, 5), team_line(one, running.status)) == (
        "week 1", "cost so far $0.00 · waiting for: retailer")
    assert seat_week(one.seats[0], one, running.status) == "waiting…"
    assert (team_place(two, running.status, 5), team_line(two, running.status)) == (
        "done", f"cost ${two.cost:,.2f}")  # a finished team: no "waiting for: nobody"

    classroom.end(t.code, t.host_key)
    ended = classroom.host_view(t.code, t.host_key)
    one, two = ended.teams
    assert ended.status == Status.ENDED and one.waiting == ("retailer",)  # the service still knows who never ordered
    assert team_place(one, ended.status, ended.weeks) == "ended at week 1 of 5"
    assert team_line(one, ended.status) == "cost $0.00"
    assert [seat_week(s, one, ended.status) for s in one.seats] == ["no order", "✓ bot", "✓ bot", "✓ bot"]
    assert team_place(two, ended.status, ended.weeks) == "done"
    line = re.search(r'<tr data-team="1">(.*?)</tr>', team_table(ended.teams, "team", ended.status, ended.weeks))[1]
    assert re.findall(r"<td[^>]*>(.*?)</td>", line) == ["Team 1", "ended at week 1 of 5", "4", "-", "$0.00"]  # lag 4
    assert classroom.seat_view(ann.token).status == Status.ENDED


def test_the_ended_dashboard_names_no_one_awaited(classroom, tabs):
    t = classroom.create_session("classic", teams=2, weeks=5)
    classroom.join(t.code, "Ann", team=1, firm="retailer")
    classroom.start(t.code, t.host_key)
    classroom.end(t.code, t.host_key)
    classroom.reopen(t.code, t.host_key, more_weeks=3)
    classroom.end(t.code, t.host_key)
    host = tabs(f"/host?code={t.code}", stored=host_storage(t))
    host.wait(lambda: host.has("team-1-week"), "the team cards")
    assert host.text("team-1-week") == "ended at week 1 of 8"
    assert host.text("team-2-week") == "done"
    assert "no order" in host.text("team-1-seats") and "waiting" not in host.text("team-1-seats")
    assert "waiting" not in host.page_state() and "nobody" not in host.page_state()
    assert "1 player joined · 0 free seats" in host.text("status")


def test_the_class_view_names_its_rounds(classroom, tabs):
    t = classroom.create_session("classic", teams=1, weeks=3)  # bots alone: each round plays through at once
    classroom.start(t.code, t.host_key)
    classroom.end(t.code, t.host_key)
    classroom.start_round(t.code, t.host_key, information="pos")
    classroom.start(t.code, t.host_key)
    board = tabs(f"/class?code={t.code}", stored=host_storage(t))
    board.wait(lambda: board.has("chart-class-orders"), "the class view")
    with board.context:
        toggle = board.rc.find(v.BtnToggle, class_="cg-rounds").widget
        assert [b.children[0] for b in toggle.children] == ["round 1", "round 2"]
        assert toggle.v_model == "round 2"  # the latest round first
        before = board.text("chart-class-orders")
        toggle.v_model = "round 1"  # what clicking "round 1" sends
    board.wait(lambda: board.text("chart-class-orders") != before, "round 1's orders")


def test_the_projector_says_where_an_ended_class_stopped(classroom):
    t = classroom.create_session("classic", teams=2, weeks=5)
    classroom.join(t.code, "Ann", team=1, firm="retailer")
    classroom.start(t.code, t.host_key)
    running = classroom.projector_view(t.code)
    assert status_line(running) == "1 player joined · 0 seats open · running · week 1 of 5 · 1 of 2 teams done"
    classroom.end(t.code, t.host_key)
    ended = classroom.projector_view(t.code)
    assert status_line(ended) == "1 player joined · ended at week 1 of 5 · 1 of 2 teams done"
    one, two = (team_html(team, ended.weeks, True, hidden(ended), True) for team in ended.teams)
    assert "· ended at week 1 of 5<br>1 of 1 seat taken · 3 bots<" in one
    assert "· done<br>4 bots<" in two
