"""What a seat knows besides its books (issue 13 item 6, issue 11 item 8): the chain's rules, the bot's
order in its place, the money where the scenario has prices, and an order hint the check agrees with."""

import math

import pytest

from chaingame import metrics
from chaingame.classroom import InputError
from chaingame.engine import COLUMNS
from chaingame.scenario import bundled, load_scenario

from .conftest import order, seat_all


def test_the_rules_are_the_scenarios_board(room):
    host = room.create_session("cash")
    t = room.join(host.code, "Ann", team=1, firm="wholesaler")
    r = room.seat_view(t.token).rules
    sc = load_scenario("cash")
    assert r.tiers == (("retailer",), ("wholesaler",), ("distributor",), ("factory",)) and r.you == "wholesaler"
    market, *links = r.links
    assert (market.supplier, market.customer, market.price) == ("retailer", "end customers", 10.0)
    assert [(k.supplier, k.customer, k.order_delay, k.shipping_delay, k.price, k.payment_delay) for k in links] == [
        (k.supplier, k.customer, k.order_delay, k.shipping_delay, k.price, k.payment_delay) for k in sc.links]
    assert (r.holding_cost, r.backlog_cost, r.cost_counts) == (0.5, 1.0, "holding and backlog")
    assert (r.priced, r.money_rules, r.credit_limit, r.interest_rate, r.insolvency) == (True, True, 400, 0.002, "cap")
    assert r.production == (("factory", 2, False),)
    assert room.seat_view(room.join(room.create_session("capacity").code, "Bo", team=1).token).rules.production == (
        ("manufacturer", 2, True), ("supplier", 1, False))  # capacity.toml: 10 cases/week; the supplier's unlimited


def test_the_cost_label_names_every_charge_of_the_firm(room):
    """capacity.toml charges ordering, capacity and production too: the label says so, per firm."""
    host = room.create_session("capacity")
    maker = room.seat_view(room.join(host.code, "Mo", team=1, firm="manufacturer").token).rules
    shop = room.seat_view(room.join(host.code, "Ri", team=1, firm="retailer").token).rules
    assert maker.cost_counts == "holding, backlog, capacity, production and ordering"
    assert shop.cost_counts == "holding, backlog and ordering"
    assert "capacity $0.40 per unit of capacity per week" in maker.charges
    assert (maker.priced, maker.money_rules) == (True, False)  # prices, but every shipment paid at once


def test_network_tiers_put_both_retailers_first(room):
    host = room.create_session("network")
    r = room.seat_view(room.join(host.code, "Di", team=1, firm="distributor").token).rules
    assert r.tiers == (("north", "south"), ("distributor",), ("factory",))
    assert [k.supplier for k in r.links[:2]] == ["north", "south"]


def test_cash_money_matches_the_engines_history(room):
    host = room.create_session("cash")
    seats = seat_all(room, host.code)
    room.start(host.code, host.host_key)
    for _ in range(14):  # the wholesaler orders far more than its credit allows
        for firm, t in seats.items():
            v = room.seat_view(t.token)
            room.submit(t.token, v.week, order(v, 40 if firm == "wholesaler" else 6))
    view = room.seat_view(seats["wholesaler"].token)
    h = room.debrief(host.code, host.host_key).history
    own = h[h.firm == "wholesaler"].reset_index(drop=True)
    for i, w in enumerate(view.history):
        for c in ("cash", "revenue", "purchases", "profit", "receivables", "payables", "interest", "working_capital"):
            assert getattr(w, c) == own.loc[i, c], (w.week, c)
        assert w.insolvent == bool(own.loc[i, "insolvent"])
        assert (w.decided, w.order) == (own.loc[i, "order"], own.loc[i, "order_placed"])  # typed vs placed
    capped = [w for w in view.history if w.order < w.decided]
    print(f"capped weeks: {[(w.week, w.decided, w.order) for w in capped]}")
    assert capped, "the cash cap never cut an order of 40"
    o = view.observation
    assert math.isclose(o.can_pay, o.cash + 400 - o.payables - o.committed)
    assert o.price == 6.0  # the distributor's price


def test_classic_has_no_money(room):
    host = room.create_session("classic")
    seats = seat_all(room, host.code)
    room.start(host.code, host.host_key)
    for _ in range(5):
        for t in seats.values():
            v = room.seat_view(t.token)
            room.submit(t.token, v.week, order(v, 5))
    view = room.seat_view(seats["distributor"].token)
    assert (view.rules.priced, view.rules.money_rules) == (False, False)
    assert all(getattr(view.observation, k) is None for k in ("receivables", "payables", "committed", "can_pay"))
    assert all(w.decided == w.order for w in view.history)
    room.end(host.code, host.host_key)
    assert room.debrief(host.code).cash is None


def test_a_timed_out_week_tells_the_player_what_the_bot_ordered(room):
    host = room.create_session("classic", timer_seconds=30)
    seats = seat_all(room, host.code)
    room.start(host.code, host.host_key)
    for t in list(seats.values())[:3]:
        room.submit(t.token, 1, 4)
    factory = seats["factory"]
    assert room.seat_view(factory.token).notice is None
    room.tick(now=room.seat_view(factory.token).deadline + 1)
    v = room.seat_view(factory.token)
    assert v.week == 2 and v.history[-1].decided_by == "bot" and v.history[-1].reason == "timer"
    assert v.notice == f"Week 1: the bot ordered {int(v.history[-1].decided)} for you (time ran out)"
    assert room.seat_view(seats["retailer"].token).notice is None  # who decided for themselves has no notice
    for t in seats.values():  # the host moves the team on for the factory in week 2
        if t is not factory:
            room.submit(t.token, 2, 4)
    room.advance(host.code, host.host_key, 1)
    v = room.seat_view(factory.token)
    assert v.notice == f"Week 2: the bot ordered {int(v.history[-1].decided)} for you (the host moved your team on)"
    room.submit(factory.token, 3, 4)  # the player's own order: no notice on the next week
    for t in seats.values():
        if t is not factory:
            room.submit(t.token, 3, 4)
    assert room.seat_view(factory.token).notice is None


def test_a_seat_joined_after_a_bot_played_it_says_so(room):
    host = room.create_session("classic")
    seats = seat_all(room, host.code, firms=("retailer", "wholesaler", "distributor"))
    room.start(host.code, host.host_key)  # the factory is a bot seat
    for t in seats.values():
        room.submit(t.token, 1, 4)
    room.set_seat(host.code, host.host_key, 1, "factory", "human")
    late = room.join(host.code, "Late", team=1, firm="factory")
    notice = room.seat_view(late.token).notice
    assert notice.startswith("Week 1: the bot ordered ") and notice.endswith(
        "for this seat (a bot played this seat before you joined)")


def test_the_order_hint_is_what_the_check_allows(room):
    host = room.create_session("classic", max_order=1000)
    t = seat_all(room, host.code)
    room.start(host.code, host.host_key)
    for w in range(1, 6):
        for s in t.values():
            room.submit(s.token, w, 4)
    v = room.seat_view(t["retailer"].token)
    assert v.fixed_order is None and v.order_hint == "whole numbers 0 to 1000"
    high = v.order_hint.split(" to ")[-1]
    with pytest.raises(InputError) as refused:
        room.submit(t["retailer"].token, v.week, str(int(high) + 1))
    assert f"(allowed: {v.order_hint})" in str(refused.value)
    assert room.submit(t["retailer"].token, v.week, high).decision.order == 1000  # the hint's bound is accepted


def test_debrief_cash_figures_agree_with_the_metrics(room):
    host = room.create_session("cash")
    seats = seat_all(room, host.code)
    room.start(host.code, host.host_key)
    for _ in range(12):
        for firm, t in seats.items():
            v = room.seat_view(t.token)
            room.submit(t.token, v.week, order(v, 12 if firm == "distributor" else 5))
    room.end(host.code, host.host_key)
    d = room.debrief(host.code)
    cash = d.cash.set_index(["chain", "firm"])
    assert set(cash.index) == {(c, f) for c in ("team 1", "bots") for f in ("retailer", "wholesaler", "distributor",
                                                                            "factory")}
    for chain, h in (("team 1", d.history), ("bots", d.bot_history[d.bot_history.week <= d.weeks_compared])):
        s = metrics.summary(h[["week", "firm", "role", *COLUMNS]].reset_index(drop=True)).set_index("firm")
        for firm in s.index:
            row = cash.loc[(chain, firm)]
            assert row.peak_working_capital == s.loc[firm, "peak_working_capital"]
            assert row.cash_to_cash == pytest.approx(s.loc[firm, "cash_to_cash"], nan_ok=True)
            assert row.interest == pytest.approx(s.loc[firm, "interest"])
            assert row.lowest_cash == h[h.firm == firm]["cash"].min()
    print(d.cash.to_string())


def test_the_order_hint_in_a_fixed_week_names_the_only_order_accepted(room):
    host = room.create_session("classic", max_order=1000)
    ann = room.join(host.code, "Ann", team=1, firm="retailer")
    room.start(host.code, host.host_key)
    v = room.seat_view(ann.token)
    assert v.fixed_order == 4 and v.order_hint == "only 4 this week (the scenario fixes it)"
    with pytest.raises(InputError, match=r"\(allowed: 4\)$"):  # what the hint says, the check says
        room.submit(ann.token, 1, 1000)
    assert room.submit(ann.token, 1, "4").history[-1].order == 4


def test_the_order_note_says_what_review_weeks_minimum_orders_and_packs_make_of_an_order(room):
    batching = room.create_session("batching", max_order=1000)
    r1 = room.join(batching.code, "Ann", team=1, firm="r1")  # reviews at the end of weeks 1, 5, 9, ...
    room.start(batching.code, batching.host_key)
    v = room.seat_view(r1.token)
    assert (v.order_hint, v.order_note) == ("whole numbers 0 to 1000", "")  # a review week: placed as typed
    assert room.submit(r1.token, 1, 7).history[-1].order == 7
    v = room.seat_view(r1.token)
    assert v.week == 2 and v.order_hint == "whole numbers 0 to 1000"
    assert v.order_note == ("You order every 4 weeks (next: week 5): nothing is ordered this week, whatever you "
                            "enter.")
    assert room.submit(r1.token, 2, 7).history[-1].order == 0  # as the hint said

    toml = bundled()["classic"].read_text().replace(
        'role = "retailer"', 'role = "retailer"\nmin_order = 6\npack = 4', 1).replace("fixed_orders", "#", 1)
    packed = room.create_session("packs", scenario_toml=toml, max_order=1000)
    bo = room.join(packed.code, "Bo", team=1, firm="retailer")
    room.start(packed.code, packed.host_key)
    v = room.seat_view(bo.token)
    assert v.order_hint == "whole numbers 0 to 1000"
    assert v.order_note == "A positive order is raised to at least 6 and rounded up to whole packs of 4."
    assert room.submit(bo.token, v.week, 1).history[-1].order == 8  # raised to 6, then up to two packs of 4


def test_the_debrief_tells_same_named_players_apart_as_the_dashboard_does(room):
    host = room.create_session("classic", teams=3, weeks=3)
    ann1 = room.join(host.code, "Ann", team=2, firm="retailer")
    ann2 = room.join(host.code, "ann", team=2, firm="factory")
    ann3, bob = room.join(host.code, "Ann", team=3, firm="retailer"), room.join(host.code, "Bob", team=3)
    room.start(host.code, host.host_key)
    for week in range(1, 4):
        for t in (ann1, ann2, ann3, bob):
            room.submit(t.token, week, 4)
    dashboard = {s.label for team in room.host_view(host.code, host.host_key).teams for s in team.seats if s.label}
    assert dashboard == {"Ann #1", "ann #2", "Ann #3", "Bob"}
    d = room.debrief(host.code)
    assert dict(zip(d.teams["team"], d.teams["players"], strict=True)) == {1: "", 2: "Ann #1, ann #2", 3: "Ann #3, Bob"}
    firms = d.firms.set_index(["team", "firm"])["players"]
    assert (firms[(2, "retailer")], firms[(2, "factory")], firms[(3, "retailer")]) == ("Ann #1", "ann #2", "Ann #3")
    insight = {(i.team, r.firm): r.players for i in d.insight for r in i.rules}
    assert insight[(2, "retailer")] == "Ann #1" and insight[(2, "factory")] == "ann #2"
    assert set(d.history["player"].dropna()) == {"Ann #1", "ann #2", "Ann #3", "Bob"}
