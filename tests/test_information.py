"""Information modes: their order, which rule each admits, and the one-line descriptions the docs show."""

import re
from pathlib import Path

import pytest

import chaingame as cg
from chaingame import policies as pol
from chaingame.checks import show
from chaingame.classroom.inputs import bot_policies
from chaingame.information import MODES, SHOWS, Information, covering, covers
from chaingame.scenario import load_scenario

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_modes_are_ordered_by_what_they_reveal():
    assert MODES == (Information.SILO, Information.POS, Information.FULL) == ("silo", "pos", "full")
    assert [covers(m, n) for m in MODES for n in MODES] == [True, False, False, True, True, False, True, True, True]
    assert covering("silo") == MODES and covering(Information.POS) == ("pos", "full") and covering("full") == ("full",)


def test_a_mode_is_its_text():
    """Scenario files, stored sessions and exports hold the mode's text, whatever the code compares."""
    sc = load_scenario("classic").with_values({"information": "pos"})
    assert sc.information is Information.POS and f"{sc.information}" == "pos"
    assert show(sc.information) == '"pos"'


def test_an_unknown_mode_is_not_covered_but_refused():
    with pytest.raises(ValueError, match="'gossip' is not a valid Information"):
        covers("gossip", "silo")


def test_the_model_docs_list_each_mode_with_its_description():
    section = (DOCS / "model.md").read_text().split("\n## Information modes\n")[1].split("\n## ")[0]
    table = re.findall(r"^\| `(\w+)` \| (.+) \|$", section, flags=re.M)
    assert table == [(m.value, m.shows) for m in MODES] == [(m.value, SHOWS[m]) for m in MODES]


def test_rules_state_the_mode_they_need():
    assert pol.Sterman().needs is Information.SILO
    assert pol.MovingAverageOrderUpTo(signal="orders").needs is Information.SILO
    for rule in (pol.MovingAverageOrderUpTo(signal="demand"), pol.SmoothingOrderUpTo(signal="demand")):
        assert rule.needs is Information.POS and rule.needs == "pos"


class Peeker(pol.Policy):
    """A rule of one's own that reads the chain view: it needs full information (a plain string will do)."""

    needs = "full"

    def decide(self, obs, memory):
        return obs.chain.incoming[0]


@pytest.mark.parametrize("mode", ["silo", "pos"])
def test_a_rule_of_ones_own_is_refused_in_a_mode_that_hides_what_it_reads(mode):
    sc = load_scenario("classic").with_values({"information": mode})
    with pytest.raises(cg.ScenarioError, match=rf'^policies\.retailer: Peeker needs more information than "{mode}" '
                                               r'\(allowed: "full"\)$'):
        cg.Engine(sc, policies={"retailer": Peeker()})


def test_every_door_refuses_pos_rules_in_silo_with_the_same_message():
    """A scenario's rule, a rule given to the engine, a session's bot rule: one check, one message."""
    sc = load_scenario("classic")
    assert sc.information == "silo"
    demand = r' needs more information than "silo" \(allowed: "pos" or "full"\)$'
    with pytest.raises(cg.ScenarioError, match=r'^firms\.retailer\.policy\.signal: "demand"' + demand):
        sc.with_values({"firms.retailer.policy": {"rule": "moving_average", "signal": "demand"}})
    with pytest.raises(cg.ScenarioError, match=r'^bot_rule\.signal: "demand"' + demand):
        bot_policies(sc, {"rule": "smoothing", "signal": "demand"})
    with pytest.raises(cg.ScenarioError, match=r'^policies\.factory\.signal: "demand"' + demand):
        cg.Engine(sc, policies={"factory": pol.MovingAverageOrderUpTo(signal="demand")})


def test_a_mode_that_shows_enough_admits_the_rule():
    full = load_scenario("classic").with_values({"information": "full"})
    engine = cg.Engine(full, policies={"retailer": Peeker()})
    engine.step()
    assert engine.week == 1
    pos = full.with_values({"information": "pos"})
    assert set(bot_policies(pos, {"rule": "smoothing", "signal": "demand"})) == set(pos.firm_ids)
