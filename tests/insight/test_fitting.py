"""Fitting Sterman's (1989) anchoring-and-adjustment rule (eqs. 10-15) to a firm's orders."""

import numpy as np
import pytest

import chaingame as cg
from chaingame.checks import ScenarioError
from chaingame.insight import Record, fit_sterman, replay
from chaingame.insight.fitting import books, predict
from chaingame.policies import Sterman

FIRMS = ["retailer", "wholesaler", "distributor", "factory"]
RULES = {  # a different rule at every seat, producer included
    "retailer": Sterman(theta=0.2, alpha_s=0.4, beta=0.3, s_prime=15),
    "wholesaler": Sterman(theta=0.5, alpha_s=0.3, beta=0.6, s_prime=20),
    "distributor": Sterman(theta=0.8, alpha_s=0.15, beta=0.9, s_prime=25),
    "factory": Sterman(theta=0.36, alpha_s=0.26, beta=0.34, s_prime=17),
}


@pytest.mark.parametrize("name", ["classic", "stochastic"])
def test_the_rule_fed_the_firms_own_books_gives_its_orders_exactly(name):
    """The week's observation is the end-of-week books before ordering: the history's supply line
    less the week's order. Fed those, the rule with the true parameters, rounded as the game
    rounds, places every order the firm placed after the fixed weeks."""
    history = cg.ChainModel(name, policies=RULES).run().history()
    for firm, rule in RULES.items():
        b = books(history, firm)
        orders = predict([rule.theta, rule.alpha_s, rule.beta, rule.s_prime], b, b.incoming[0], rounded=True)
        assert np.array_equal(orders[4:], b.orders[4:]), firm


def test_a_fit_to_the_rule_recovers_it_and_says_so_in_words():
    model = cg.ChainModel("classic", policies=RULES).run()
    fit = fit_sterman(model, "wholesaler")
    true = RULES["wholesaler"]
    print(fit)
    assert fit.identified and fit.reasons == ()
    assert fit.weeks == tuple(range(5, 37))  # the scenario's fixed weeks 1-4 carry no decision
    assert fit.r2 > 0.99 and fit.rmse < 0.4 and fit.exact > 0.85  # rounding is the only misfit
    assert fit.theta == pytest.approx(true.theta, abs=0.1)
    assert fit.alpha_s == pytest.approx(true.alpha_s, abs=0.05)
    assert fit.beta == pytest.approx(true.beta, abs=0.05)
    assert fit.s_prime == pytest.approx(true.s_prime, abs=2)
    for name, (low, high) in fit.intervals.items():
        assert low <= getattr(fit, name) <= high
    assert fit.describe().startswith(f"You counted {fit.beta:.0%} of your supply line (Sterman's subjects: 34%; "
                                     "the benchmark counts all of it).")
    assert fit.policy(beta=1) == Sterman(fit.theta, fit.alpha_s, 1.0, fit.s_prime, expected=fit.expected)


def test_intervals_are_reproducible_from_the_seed():
    history = cg.ChainModel("stochastic", policies=RULES).run().history()
    a = fit_sterman(history, "distributor", scenario="stochastic", seed=3, resamples=50)
    b = fit_sterman(history, "distributor", scenario="stochastic", seed=3, resamples=50)
    c = fit_sterman(history, "distributor", scenario="stochastic", seed=4, resamples=50)
    assert a.intervals == b.intervals and a.intervals != c.intervals
    wald = fit_sterman(history, "distributor", scenario="stochastic", method="jacobian")
    assert wald.method == "jacobian" and wald.theta == a.theta
    one_firm = history[history.firm == "distributor"]  # one firm's rows suffice
    assert fit_sterman(one_firm, "distributor", scenario="stochastic", seed=3, resamples=50).intervals == a.intervals


def test_constant_orders_are_not_identified():
    """A team that ordered 4 every week whatever happened: no rule can be read from that."""
    log = Record.from_orders("classic", {f: [4] * 36 for f in FIRMS})
    fit = fit_sterman(replay(log), "wholesaler", scenario="classic")
    assert not fit.identified
    assert fit.reasons == ("constant orders (always 4)",)
    assert np.isnan(fit.beta) and np.isnan(fit.intervals["beta"][0])
    assert fit.describe() == ("Your orders do not pin down an ordering rule (constant orders (always 4)), so no "
                              "rule is read from them.")


def test_too_few_weeks_and_orders_without_a_stock_rule_are_not_identified():
    short = cg.ChainModel("classic", weeks=10).run()
    assert fit_sterman(short, "retailer").reasons == ("too few weeks (6 fitted; at least 8 needed)",)
    # Orders that smooth the incoming orders (α_S = 0, θ = 0.5) are exactly those of α_S = 0.5,
    # β = 1, θ = 0: the inventory position S + SL moves by the order less the incoming order, so
    # O_t = a L_t + (1 − a) O_{t−1} either way (up to rounding). The fit must say so.
    smoothing = Sterman(theta=0.5, alpha_s=0, beta=0.5, s_prime=20)
    fit = fit_sterman(cg.ChainModel("stochastic", policies={"wholesaler": smoothing}).run(), "wholesaler")
    assert not fit.identified
    assert len(fit.reasons) == 1 and fit.reasons[0].startswith("two rules give nearly the same orders"), fit.reasons
    assert "θ 0.00, α_S 0.50, β 1.00" in fit.reasons[0] and "θ 0.50, α_S 0.01" in fit.reasons[0]


def test_bad_input_is_named():
    history = cg.ChainModel("classic", weeks=12).run().history()
    with pytest.raises(ScenarioError, match=r'^firm: "shop" has no rows'):
        fit_sterman(history, "shop")
    with pytest.raises(ScenarioError, match=r"^method: "):
        fit_sterman(history, "retailer", method="magic")
    with pytest.raises(ScenarioError, match=r"^level: 1.5 is above"):
        fit_sterman(history, "retailer", level=1.5)
