"""Fitting recovers known parameters: simulated players with random rules and ordering noise on
the real engine (Mesa model), fitted back. Measured coverage is reported in docs/insight.md
(``python examples/fit_recovery.py``)."""

import pytest

from chaingame.insight import recovery

DRAWS = 40  # players per board
NOMINAL = 0.9  # the intervals' level
FLOOR = 0.8  # required share of identified draws whose interval covers the truth, for α_S and β


@pytest.mark.parametrize("board", ["classic", "stochastic"])
def test_alpha_and_beta_fall_in_their_intervals_at_about_the_nominal_rate(board):
    """40 players at the wholesaler, θ, α_S, β, S' uniform in recovery.RANGES, noise N(0, 1) cases.

    Wald intervals from the Jacobian (the bootstrap's coverage is the same within a draw or two,
    docs/insight.md, at ten times the time). Of the draws the fit calls identified (at least 3 in
    4), the 90% intervals of α_S and β cover the truth in at least 80%: small samples (32 or 44
    weeks) and players who count most of their supply line, for whom smoothing incoming orders
    (θ) and closing the stock gap (α_S) order alike, keep coverage a little below nominal.
    """
    d = recovery(board, DRAWS, level=NOMINAL, method="jacobian")
    ident = d[d.identified]
    shares = {p: ident[f"covered_{p}"].mean() for p in ("theta", "alpha_s", "beta", "s_prime")}
    print(f"\n{board}: identified {len(ident)}/{DRAWS}; coverage of the identified: "
          + ", ".join(f"{p} {v:.0%}" for p, v in shares.items()))
    assert len(ident) >= 0.75 * DRAWS
    assert shares["alpha_s"] >= FLOOR and shares["beta"] >= FLOOR


def test_the_bootstrap_is_seeded_and_covers_like_the_jacobian():
    """A few bootstrap fits: the same seed, the same table; the intervals cover the truth about as often."""
    a = recovery("stochastic", 8, method="bootstrap")
    b = recovery("stochastic", 8, method="bootstrap")
    assert a.equals(b)
    assert a.covered_beta.mean() >= 0.75 and a.covered_alpha_s.mean() >= 0.75
