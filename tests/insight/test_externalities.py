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
