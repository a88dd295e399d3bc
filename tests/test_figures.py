"""The figures (chaingame.figures): each draws the lines of the history it is given, without pyplot."""

import subprocess
import sys

import numpy as np
import pytest
from matplotlib.figure import Figure

import chaingame as cg
from chaingame import figures, metrics

# Two chains that share nothing: east and west each have their own factory. No firm serves both
# markets, so the chain's end-customer demand is the sum of the two streams (not any firm's).
TWO_CHAINS = """
weeks = 12
[defaults]
inventory = 12
policy = { rule = "sterman", theta = 0.36, alpha_s = 0.26, beta = 0.34, s_prime = 17 }
[firms.east]
role = "retailer"
demand = { process = "constant", level = 3 }
[firms.west]
role = "retailer"
demand = { process = "step", initial = 4, final = 9, week = 6 }
[firms.east_factory]
role = "manufacturer"
[firms.west_factory]
role = "manufacturer"
[[links]]
supplier = "east_factory"
customer = "east"
[[links]]
supplier = "west_factory"
customer = "west"
[[links]]
supplier = "source"
customer = "east_factory"
[[links]]
supplier = "source"
customer = "west_factory"
"""


def lines(ax) -> dict[str, np.ndarray]:
    """Each line's y values by its legend label."""
    return {line.get_label(): np.asarray(line.get_ydata(), float) for line in ax.get_lines()}


def test_orders_figure_draws_the_summed_customer_demand_and_one_line_per_firm():
    m = cg.ChainModel("network")
    h = m.run().history()
    fig = figures.orders_figure(h, horizon=m.spec.weeks)
    assert isinstance(fig, Figure)
    drawn = lines(fig.axes[0])
    assert len(drawn) == 1 + 4  # the demand, then north, south, distributor, factory
    by_firm = h.pivot(index="week", columns="firm", values="customer_demand")
    summed = by_firm["north"] + by_firm["south"]
    assert (by_firm["north"] != summed).any()  # south's surge: the two retailers' demands differ
    np.testing.assert_array_equal(drawn["end-customer demand"], summed)
    np.testing.assert_array_equal(drawn["end-customer demand"], by_firm["factory"])  # it serves both markets
    ratio = metrics.summary(h).set_index("firm")["bullwhip"]
    for firm in ("north", "south", "distributor", "factory"):
        (label,) = [k for k in drawn if k.startswith(f"{firm} ")]
        assert label == f"{firm} (bullwhip {ratio[firm]:.1f})"
        np.testing.assert_array_equal(drawn[label], h[h.firm == firm].order_placed)
    assert fig.axes[0].get_xlim() == (0.5, m.spec.weeks + 0.5)


def test_demand_line_of_two_separate_chains_is_their_sum(tmp_path):
    path = tmp_path / "two_chains.toml"
    path.write_text(TWO_CHAINS, encoding="utf-8")
    h = cg.ChainModel(str(path)).run().history()
    weeks = np.arange(1, 13)
    expected = 3 + np.where(weeks >= 6, 9, 4)  # east's constant 3 plus west's step 4 -> 9 in week 6
    np.testing.assert_array_equal(figures.end_customer_demand(h), expected)
    assert h.groupby("week").customer_demand.max().to_numpy().tolist() != expected.tolist()  # the max would miss
    drawn = lines(figures.orders_figure(h).axes[0])
    np.testing.assert_array_equal(drawn["end-customer demand"], expected)


def test_stock_run_and_cost_figures_show_every_firm():
    h = cg.ChainModel("classic").run().history()
    firms = list(dict.fromkeys(h.firm))
    wide = {c: h.pivot(index="week", columns="firm", values=c) for c in ("inventory", "backlog", "order_placed")}
    top, bottom = figures.stock_figure(h).axes
    for ax, column in ((top, "inventory"), (bottom, "backlog")):
        drawn = lines(ax)
        assert list(drawn) == firms
        for f in firms:
            np.testing.assert_array_equal(drawn[f], wide[column][f])
    orders, inventory, backlog = figures.run_figure(h).axes
    assert len(orders.get_lines()) == 1 + len(firms)
    assert [list(lines(ax)) for ax in (inventory, backlog)] == [firms, firms]
    np.testing.assert_array_equal(lines(backlog)["factory"], wide["backlog"]["factory"])
    bars = figures.cost_figure(h).axes[0].patches
    np.testing.assert_allclose([b.get_height() for b in bars], h.groupby("firm", sort=False).cost.sum())


def test_several_chains_side_by_side_and_stacked():
    a = cg.ChainModel("classic").run().history()
    b = cg.ChainModel("classic", policies={"retailer": cg.policies.BaseStock(level=20)}).run().history()
    short = a[a.week <= 10]
    fig = figures.orders_figure({"team 1": short, "bots": b}, horizon=36)
    left, right = fig.axes
    assert (left.get_title(), right.get_title()) == ("team 1", "bots")
    assert [len(ax.get_lines()) for ax in (left, right)] == [5, 5]
    assert left.get_ylim() == right.get_ylim() and left.get_xlim() == right.get_xlim() == (0.5, 36.5)
    fig = figures.cost_figure({"team 1": short, "team 2": short.iloc[:0], "bots": b})
    bars = fig.axes[0].patches  # firm by firm, each a bar per chain
    heights = np.array([p.get_height() for p in bars]).reshape(4, 3)
    np.testing.assert_allclose(heights[:, 0], short.groupby("firm", sort=False).cost.sum())
    np.testing.assert_allclose(heights[:, 1], 0.0)  # a team that has not played yet
    np.testing.assert_allclose(heights[:, 2], b.groupby("firm", sort=False).cost.sum())


def test_an_empty_history_draws_a_note():
    h = cg.ChainModel("classic").history()
    for build in (figures.orders_figure, figures.stock_figure, figures.cost_figure, figures.run_figure,
                  figures.cash_figure):
        fig = build(h)
        assert "no weeks played yet" in [t.get_text() for ax in fig.axes for t in ax.texts]
        assert not any(ax.get_lines() for ax in fig.axes)


def test_a_history_of_several_chains_is_refused():
    h = cg.simulate("classic", replications=2, history=True).history  # two replications: two chains
    with pytest.raises(cg.ScenarioError, match=r"^history: has several rows for week 1 of retailer"):
        figures.orders_figure(h)


def test_figures_turn_into_png_and_svg():
    h = cg.ChainModel("classic").run().history()
    fig = figures.orders_figure(h)
    png = figures.png_bytes(fig, dpi=50)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(png[16:20], "big")
    assert width == round(figures.PANEL[0] * 50)
    svg = figures.svg_text(fig)
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg and "end-customer demand" in svg


def test_importing_and_drawing_never_load_pyplot():
    """The module loads no matplotlib at import; drawing and saving every figure uses no pyplot."""
    code = ("import sys, chaingame.figures as F, chaingame as cg; "
            "print('matplotlib' in sys.modules, end=' '); "
            "h = cg.ChainModel('classic').run().history(); "
            "[F.png_bytes(b(h)) for b in (F.orders_figure, F.stock_figure, F.cost_figure, F.run_figure)]; "
            "F.svg_text(F.orders_figure(h)); "
            "print('matplotlib.pyplot' in sys.modules, 'matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False", "True"]
