"""Who pays for whose bullwhip: each seat replaced alone by the benchmark rule."""

import pandas as pd
import pytest

import chaingame as cg
from chaingame.checks import ScenarioError
from chaingame.insight import costs, externalities, replay
from chaingame.policies import Sterman

FIRMS = ["retailer", "wholesaler", "distributor", "factory"]
SUBJECTS = Sterman(theta=0.36, alpha_s=0.26, beta=0.34, s_prime=17)  # Sterman's (1989) subjects' means


@pytest.fixture(scope="module")
def played():
    return cg.ChainModel("classic", policies=dict.fromkeys(FIRMS, SUBJECTS)).run()


def test_replacing_the_retailer_saves_the_team_more_than_replacing_the_factory(played):
    """Moritz, Narayanan & Parker (2022): the behavioural retailer imposes the larger cost on the
    chain. The other seats keep their recorded orders."""
    matrix = externalities(played)
    print("\n" + matrix.to_string())
    assert list(matrix.index) == FIRMS and list(matrix.columns) == [*FIRMS, "team"]
    assert matrix.loc["retailer", "team"] < matrix.loc["factory", "team"] < 0
    assert (matrix[FIRMS].sum(axis=1) == matrix["team"]).all()


def test_each_cell_is_a_replay_minus_the_record(played):
    matrix = externalities(played)
    bench = Sterman(theta=0, alpha_s=1, beta=1, s_prime=28)
    change = costs(replay(played, {"wholesaler": bench})) - costs(played.history())
    pd.testing.assert_series_equal(matrix.loc["wholesaler", FIRMS], change, check_names=False)
    assert matrix.loc["retailer", ["distributor", "factory"]].tolist() == [0.0, 0.0]  # they see no change in orders


def test_the_seats_own_rule_counting_the_supply_line(played):
    matrix = externalities(played, rule="fitted")
    print("\n" + matrix.to_string())
    assert list(matrix.index) == FIRMS and matrix.notna().all().all()


def test_bad_rule_is_named(played):
    with pytest.raises(ScenarioError, match=r'^rule: "best" is not allowed'):
        externalities(played, rule="best")


def test_with_the_other_seats_reacting_the_retailer_hurts_the_chain_most(played):
    """The other seats decide by their rules and react (Edali & Yasarcan 2014: one rational seat
    among behavioural ones): the benchmark retailer saves the team more than the benchmark factory,
    and upstream seats gain most from it."""
    matrix = externalities(played, others="rules")
    print("\n" + matrix.to_string())
    assert matrix.loc["retailer", "team"] < matrix.loc["factory", "team"]
    assert (matrix.loc["retailer", ["wholesaler", "distributor", "factory"]] < 0).all()


def test_a_seat_replaced_by_its_own_rule_changes_nothing(played):
    matrix = externalities(played, rule=dict.fromkeys(FIRMS, SUBJECTS), others="rules")
    assert (matrix == 0).all().all()
