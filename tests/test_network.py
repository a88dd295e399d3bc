"""What a Network keeps of itself (chaingame.chain): made once, by the class, and right for every R asked for."""

import pickle

import numpy as np

import chaingame as cg


def test_the_price_views_are_the_networks_prices_kept_for_the_last_r_and_read_only():
    net = cg.load_scenario("promotions").network()
    assert net.firm_price is not None  # a price schedule: the prices change by week
    three = net.price_views(3)
    assert net.price_views(3) is three  # kept
    five = net.price_views(5)
    assert five is not three and net.price_views(5) is five  # another R: made again, then kept
    F, W = net.firm_price.shape
    regular, by_week = five
    assert regular.shape == (F, 5) and by_week.shape == (F, W, 5)
    assert all(np.array_equal(regular[:, r], net.regular_price) for r in range(5))
    assert all(np.array_equal(by_week[:, :, r], net.firm_price) for r in range(5))
    assert not regular.flags.writeable and not by_week.flags.writeable
    regular, by_week = cg.load_scenario("classic").network().price_views(2)
    assert by_week is None and regular.shape == (4, 2)


def test_the_seen_tables_add_what_seen_demand_adds():
    net = cg.load_scenario("network").network()
    offsets, members = net.seen_tables
    assert offsets.dtype == members.dtype == np.int64 and len(offsets) == net.n_firms + 1
    demand = np.random.default_rng(1).uniform(0, 10, (len(net.market_links), 3))
    seen = net.seen_demand(demand)
    for f in range(net.n_firms):
        assert np.array_equal(demand[members[offsets[f]:offsets[f + 1]]].sum(axis=0), seen[f]), f
    assert net.seen_tables is net.seen_tables


def test_some_vmi_says_whether_a_link_is_vendor_managed_and_survives_a_pickle():
    vmi, classic = cg.load_scenario("vmi").network(), cg.load_scenario("classic").network()
    assert vmi.some_vmi is True and classic.some_vmi is False
    again = pickle.loads(pickle.dumps(vmi))  # a sweep worker receives its network pickled, kept values and all
    assert again.some_vmi is True and np.array_equal(again.price_views(2)[0], vmi.price_views(2)[0])
