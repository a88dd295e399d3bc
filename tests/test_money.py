"""Money rules (chaingame/money.py): payment terms, credit, interest, insolvency, the cash figures and the
cash-aware rule, on the real engines. Conservation of money on random scenarios is in test_conservation.py."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import chaingame as cg
from chaingame import COLUMNS, ChainModel, metrics, simulate
from chaingame.policies import CashBaseStock, Sterman

MONEY_COLUMNS = ("receivables", "payables", "interest", "insolvent", "working_capital")
BENCHMARK = {"retailer": Sterman(0, 1, 1, 28), "wholesaler": Sterman(0, 1, 1, 28),  # Sterman (1989), p. 334
             "distributor": Sterman(0, 1, 1, 28), "factory": Sterman(0, 1, 1, 20)}


def cash(**values):
    sc = cg.load_scenario("cash")
    return sc.with_values(values) if values else sc


def test_money_columns_are_in_the_history():
    assert COLUMNS[-len(MONEY_COLUMNS):] == MONEY_COLUMNS
    h = ChainModel("cash").run().history()
    assert list(h.columns) == ["week", "firm", "role", *COLUMNS]


def test_off_money_rules_change_no_bit_of_the_classic_game():
    """payment_delay 0, unlimited credit and no interest written out are today's game, every column."""
    off = cg.load_scenario("classic").with_values({
        "links.*.payment_delay": 0, "defaults.credit_limit": math.inf, "defaults.interest_rate": 0,
        "defaults.deposit_rate": 0, "defaults.insolvency": "stop"})
    assert not off.network().money
    a = simulate("classic", replications=3, history=True).history
    b = simulate(off, replications=3, history=True).history
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert (a["receivables"] == 0).all() and (a["payables"] == 0).all() and (a["interest"] == 0).all()
    assert (a["insolvent"] == 0).all()


def test_a_payment_delay_moves_cash_not_profit():
    """With a payment delay and no interest the goods and the profit are the same; the cash lags by the
    invoices outstanding: cash + receivables - payables is the cash of the game paid at shipment."""
    at_once = cash(**{"links.*.payment_delay": 0, "defaults.credit_limit": math.inf, "defaults.interest_rate": 0})
    later = at_once.with_values({"links.*.payment_delay": 2})
    a = simulate(at_once, history=True).history
    b = simulate(later, history=True).history
    for c in ("inventory", "backlog", "order_placed", "shipped", "revenue", "purchases", "profit"):
        assert a[c].equals(b[c]), c
    np.testing.assert_allclose(b["cash"] + b["receivables"] - b["payables"], a["cash"], rtol=1e-12, atol=1e-9)
    assert (b["cash"] != a["cash"]).any()
    wholesaler = b[b.firm == "wholesaler"].set_index("week")
    # the wholesaler is owed the last two weeks' sales and owes the last two weeks' purchases
    ws = wholesaler["revenue"]
    np.testing.assert_allclose(wholesaler["receivables"].iloc[2:], (ws + ws.shift(1)).iloc[2:])


def test_chain_model_equals_simulate_bit_for_bit():
    for sc in (cash(), cash(**{"defaults.insolvency": "stop", "defaults.credit_limit": 60}),
               cash(**{"defaults.deposit_rate": 0.01, "firms.wholesaler.policy": {"rule": "cash_base_stock",
                                                                                "level": 40, "credit": 10}})):
        runs = simulate(sc, replications=2, history=True).history
        for r in (0, 1):
            m = ChainModel(sc, replication=r).run().history()
            mine = runs[runs.replication == r].drop(columns="replication").reset_index(drop=True)
            pd.testing.assert_frame_equal(m[mine.columns].astype(mine.dtypes.to_dict()), mine, check_exact=True)


def test_the_subjects_rule_ties_up_many_times_the_working_capital_of_the_benchmark():
    """On the classic board with prices and 2-week terms (the cash scenario, credit unlimited), the subjects'
    mean rule (theta .36, alpha_s .26, beta .34, S' 17) needs several times the peak working capital of
    Sterman's benchmark rule at the wholesaler, distributor and factory (Tangsucheeva & Prabhu 2013)."""
    sc = cash(**{"defaults.credit_limit": math.inf})
    subjects = simulate(sc).firms.set_index("firm")["peak_working_capital"]
    benchmark = simulate(sc, policies=BENCHMARK).firms.set_index("firm")["peak_working_capital"]
    print("\npeak working capital ($): firm, subjects' rule, benchmark, ratio")
    for f in subjects.index:
        print(f"  {f:<12} {subjects[f]:8.2f} {benchmark[f]:8.2f} {subjects[f] / benchmark[f]:6.2f}")
    for f in ("wholesaler", "distributor", "factory"):
        assert subjects[f] > 2 * benchmark[f], f


def test_cash_figures_in_steady_state():
    """Constant demand 4, everyone passing orders on: the books carry 12 cases of stock and two weeks of
    invoices, so DIO = 7 x 12 / 4 = 21 days, DSO = DPO = 14 days (the retailer is paid at once)."""
    sc = cash(**{"demand": {"process": "constant", "level": 4}, "defaults.policy": {"rule": "pass_through"}})
    firms = simulate(sc).firms.set_index("firm")
    np.testing.assert_allclose(firms["dio"], 21.0)
    np.testing.assert_allclose(firms.loc[["wholesaler", "distributor", "factory"], "dso"], 14.0)
    assert firms.loc["retailer", "dso"] == 0.0
    np.testing.assert_allclose(firms["dpo"], 14.0)
    np.testing.assert_allclose(firms["cash_to_cash"], firms["dio"] + firms["dso"] - firms["dpo"])
    # working capital: 12 cases at cost + 2 weeks of sales - 2 weeks of purchases, every week
    cost = {"retailer": 8, "wholesaler": 6, "distributor": 4, "factory": 2}
    price = {"retailer": 10, "wholesaler": 8, "distributor": 6, "factory": 4}
    for f, c in cost.items():
        receivable = 0 if f == "retailer" else 8 * price[f]
        wip = 8 if f == "factory" else 0
        assert firms.loc[f, "peak_working_capital"] == pytest.approx((12 + wip) * c + receivable - 8 * c)


def test_summary_of_a_history_equals_the_array_engine():
    sc = cash()
    h = ChainModel(sc).run().history()
    a = metrics.summary(h).set_index("firm")
    b = simulate(sc).firms.set_index("firm")
    for m in metrics.CASH_METRICS:
        np.testing.assert_array_equal(a[m].to_numpy(), b[m].to_numpy(), err_msg=m)
    chain = metrics.chain_summary(h).iloc[0]
    sim = simulate(sc).chain.iloc[0]
    for m in ("cash_to_cash", "peak_working_capital", "interest"):
        assert chain[m] == sim[m], m


def test_a_history_without_money_columns_still_summarises():
    h = ChainModel("classic").run().history().drop(columns=list(MONEY_COLUMNS))
    s = metrics.summary(h)
    assert "cost" in s and "dio" not in s


def test_interest_is_charged_on_the_opening_overdraft_and_paid_on_deposits():
    sc = cash(**{"defaults.cash": -50, "defaults.interest_rate": 0.01, "defaults.deposit_rate": 0.001,
                 "defaults.credit_limit": math.inf})
    h = ChainModel(sc).run().history()
    for _, rows in h.groupby("firm", sort=False):
        opening = np.concatenate([[-50.0], rows["cash"].to_numpy()[:-1]])
        want = 0.01 * np.maximum(-opening, 0) - 0.001 * np.maximum(opening, 0)
        np.testing.assert_allclose(rows["interest"], want, rtol=1e-12, atol=1e-12)
    assert h["interest"].iloc[:4].gt(0).all()


def test_stop_marks_a_firm_insolvent_for_good_and_stops_its_orders():
    """A firm starting deep in debt with little credit is insolvent from week 1 and orders nothing after
    its fixed orders; under "cap" the same firm's orders are capped, and it orders again once it can pay."""
    debt = {"firms.distributor.cash": -150, "firms.distributor.credit_limit": 100}
    stop = ChainModel(cash(**debt, **{"firms.distributor.insolvency": "stop"})).run().history()
    d = stop[stop.firm == "distributor"].set_index("week")
    assert d["insolvent"].iloc[0] == 1 and (d["insolvent"].diff().fillna(0) >= 0).all()
    assert (d.loc[5:, "order_placed"] == 0).all()
    assert (d.loc[1:4, "order_placed"] == 4).all()  # fixed orders are placed as written
    cap = ChainModel(cash(**debt)).run().history()
    c = cap[cap.firm == "distributor"].set_index("week")
    assert c.loc[5:, "order_placed"].gt(0).any()


def test_cash_base_stock_orders_what_it_can_pay():
    rule = CashBaseStock(level=60, credit=0)
    sc = cash(**{"defaults.credit_limit": math.inf})
    engine = cg.Engine(sc, policies={"wholesaler": rule})
    w = sc.firm_ids.index("wholesaler")
    for _ in range(sc.weeks):
        obs = engine.begin_week()
        o = obs[w]
        order = rule.decide(o, {})
        funds = max(float(o.cash[0] - o.payables[0] - o.committed[0]), 0.0)
        assert order[0] <= max(0.0, 60 - o.position[0])
        assert order[0] * o.price[0] <= funds + 1e-9
        assert order[0] == min(max(0.0, 60 - o.position[0]), math.floor(funds / o.price[0] + 1e-9))
        engine.end_week(*engine.decide(obs))
    plain = CashBaseStock(level=60)  # as much as the credit limit allows: unlimited here, so base stock
    assert plain.decide(o, {})[0] == max(0.0, 60 - o.position[0])


def test_observation_books_only_with_money_rules():
    obs = cg.Engine("classic").begin_week()
    assert all(o.receivables is None and o.can_pay is None for o in obs)
    obs = cg.Engine("cash").begin_week()
    o = obs[1]
    # the wholesaler paid the invoice due in week 1, owes week 2's and this week's 4 cases at $6
    assert o.payables[0] == 24.0 + 4 * 6.0
    assert o.can_pay[0] == pytest.approx(o.cash[0] + 400 - o.payables[0] - o.committed[0])
