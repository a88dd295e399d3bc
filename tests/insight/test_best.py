"""The best possible on this demand: Sterman's family searched on classic, and the optimal
echelon base-stock levels on a stochastic serial board."""

import pytest

import chaingame as cg
from chaingame.checks import ScenarioError
from chaingame.insight import best_base_stock, best_sterman, replay
from tests.reference.test_base_stock import controlled, simulate

UPSTREAM = ["wholesaler", "distributor", "factory"]


def test_the_search_on_classic_beats_sterman_benchmark():
    """Sterman's benchmark costs $204 (tests/reference/test_sterman1989.py); the search starts there
    and finds lower, and the rules it returns cost exactly that in the Mesa model."""
    best = best_sterman("classic", generations=40)
    print(f"\nbest team cost {best.cost} (benchmark {best.benchmark_cost}) after {best.evaluated} rule sets")
    print(best.policies)
    assert best.benchmark_cost == 204.0
    assert best.cost < 204.0
    assert cg.ChainModel("classic", policies=best.policies).run().history().cost.sum() == best.cost


@pytest.fixture(scope="module")
def clark_scarf():
    """The stochastic board (uniform 0..8 demand) with backlog charged at the retailer only, as
    Clark & Scarf's model charges it."""
    return cg.load_scenario("stochastic").with_values({f"firms.{f}.backlog_cost": 0 for f in UPSTREAM})


def test_base_stock_on_the_demand_the_team_met(clark_scarf):
    game = cg.ChainModel(clark_scarf, seed=12).run()
    best = best_base_stock(game)
    assert best.recorded_cost == game.history().cost.sum()
    assert best.cost == replay(game, best.policies).cost.sum()
    direct = cg.ChainModel(clark_scarf, seed=12, policies=best.policies).run().history()
    assert best.cost == direct.cost.sum()  # the same demand as the seed draws
    assert best.weeks == 48 and best.expected_cost == best.solution.beer_game_cost * 48


def test_optimal_levels_long_run_cost_is_basestocks_expected_cost(clark_scarf):
    """The levels' simulated long-run cost per week (1,000 weeks after a 30-week warm-up, 400
    replications, the realized mean demand as control variate) is within 2% of Chen & Zheng's
    expected cost (and within 4 standard errors)."""
    game = cg.ChainModel(clark_scarf, seed=12).run()
    best = best_base_stock(game)
    long_run = clark_scarf.with_values({"weeks": 1030})
    cost, demand = simulate(long_run, warmup=30, replications=400, seed=3, policies=best.policies)
    mean, se = controlled(cost, demand, 4.0)
    expected = best.solution.beer_game_cost
    print(f"\nlevels {best.solution.local_levels}: simulated {mean:.4f} ± {se:.4f} $/week, expected {expected:.4f}")
    assert abs(mean - expected) < 0.02 * expected
    assert abs(mean - expected) < 4 * se


def test_boards_outside_the_model_are_named():
    with pytest.raises(ScenarioError, match=r"^demand\.process: is deterministic"):
        best_base_stock(cg.ChainModel("classic", weeks=8).run())
    with pytest.raises(ScenarioError, match=r"^firms\.wholesaler\.backlog_cost: 1 above the retailer"):
        best_base_stock(cg.ChainModel("stochastic", weeks=8).run())
