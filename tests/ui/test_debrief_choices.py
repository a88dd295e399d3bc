"""The debrief's team choice (labelled, opening on a team people played) and the bots' chart over the weeks played."""

from __future__ import annotations

import ipyvuetify as v

from chaingame import figures
from chaingame.ui import debrief

from .conftest import host_storage


def play(classroom, ticket, weeks: int, wanted: int = 20):
    """The seat orders ``wanted`` (the scenario's fixed order in the weeks it fixes) for ``weeks`` weeks."""
    for _ in range(weeks):
        view = classroom.seat_view(ticket.token)
        classroom.submit(ticket.token, view.week, view.fixed_order if view.fixed_order is not None else wanted)


def toggle(tab):
    """The team choice: (its label, the team chosen, the teams offered)."""
    with tab.context:
        widget = tab.rc.find(v.BtnToggle).widget
        offered = [b.children[0] for b in widget.children]
        return tab.text("team-choice-label"), str(widget.v_model), offered  # Vuetify 3: the model is the value


def test_the_team_choice_is_labelled_and_opens_on_the_team_a_person_played(classroom, tabs):
    t = classroom.create_session("classic", teams=3, weeks=8)
    ann = classroom.join(t.code, "Ann", team=2, firm="retailer")
    classroom.start(t.code, t.host_key)  # teams 1 and 3: bots alone, played through at once
    play(classroom, ann, 8)  # Ann over-orders: her team costs most, the leaderboard opens on a bot team
    data = classroom.debrief(t.code)
    assert int(data.teams["team"].iloc[0]) != 2 and int(data.teams["team"].iloc[-1]) == 2
    page = tabs(f"/debrief?code={t.code}")
    page.wait(lambda: page.has("chart-orders"), "the debrief's charts")
    label, chosen, offered = toggle(page)
    assert label == "Team shown in the charts below:"
    assert (chosen, offered) == ("2", ["1", "2", "3"])
    assert debrief.first_human_team(data) == 2


def test_an_all_bot_class_opens_on_team_1(classroom, tabs):
    t = classroom.create_session("classic", teams=2, weeks=6)
    classroom.start(t.code, t.host_key)
    page = tabs(f"/debrief?code={t.code}")
    page.wait(lambda: page.has("chart-orders"), "the debrief's charts")
    assert toggle(page)[1] == "1"


def test_the_bots_chart_covers_the_weeks_the_team_played(classroom, tabs):
    t = classroom.create_session("classic", teams=1, weeks=12)
    ann = classroom.join(t.code, "Ann")
    classroom.start(t.code, t.host_key)
    play(classroom, ann, 5)
    classroom.end(t.code, t.host_key)  # the host ends the game after 5 of 12 weeks
    data = classroom.debrief(t.code)
    assert set(data.bot_history["week"]) == set(range(1, 13))  # the bots played all 12 weeks
    panels = debrief.orders_panels(data, 1)
    team_weeks, bot_weeks = (set(h["week"]) for h in panels.values())
    assert team_weeks == bot_weeks == set(range(1, 6))
    fig = figures.orders_figure(panels, horizon=data.weeks)
    last = [max(max(line.get_xdata()) for line in ax.get_lines()) for ax in fig.axes]
    assert last == [5, 5]
    page = tabs(f"/debrief?code={t.code}", stored=host_storage(t))
    page.wait(lambda: page.has("chart-orders"), "the debrief's charts")
    assert not page.has("team-choice-label")  # one team: nothing to choose
