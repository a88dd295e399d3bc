"""The seat page shows the chain and its rules, the bot's order, the money and capacity (issue 13 item 6, issue 11
item 8), rendered by Solara in virtual kernels against one real classroom."""

from __future__ import annotations

import re
import threading
import time

from chaingame.ui.components import money

from .conftest import host_storage


def seat(tabs, code: str, name: str, role: str | None = None):
    tab = tabs(f"/?code={code}")
    tab.fill("Your name", name)
    if role:
        tab.select("Role", role)
    tab.click("Join")
    tab.wait(lambda: tab.has("seat"), f"{name}'s seat")
    return tab


def send(tab, value: str):
    tab.fill("Order (units)", value)
    tab.click("Submit order")


def figure(html_text: str, name: str) -> str:
    """The value shown by the figure ``data-testid=name`` in a block of figures."""
    m = re.search(rf'data-testid="{name}"><div class="k">[^<]*</div><div class="v">([^<]*)</div>', html_text)
    assert m, f"no figure {name}"
    return m.group(1)


def test_the_chain_diagram_shows_the_seats_place_delays_and_prices(classroom, tabs):
    t = classroom.create_session("cash", teams=1)
    ann = seat(tabs, t.code, "Ann", "wholesaler")
    chain = ann.text("chain-map")
    order = [m for m in re.findall(r'data-firm="([^"]+)"', chain)]
    assert order == ["retailer", "wholesaler", "distributor", "factory"]
    assert re.search(r'class="cg-node cg-you" data-firm="wholesaler">wholesaler · you<', chain)
    assert chain.index("end customers") < chain.index("retailer") and chain.rindex("source") > chain.index("factory")
    assert "end customers buy at $10.00/unit, paid at once" in chain
    assert "orders take 2 weeks ↓ · goods take 2 weeks ↑ · $8.00/unit · paid 2 weeks after shipment" in chain
    assert "orders take 1 week ↓ · raw materials take 0 weeks ↑ · $2.00/unit" in chain
    assert re.search(r'data-firm="factory">factory \(manufacturer\)<span class="cg-plant">production takes 2 weeks<',
                     chain)  # cash.toml's plant: 2 weeks, unlimited capacity
    assert "holding $0.50 per unit on hand per week; backlog $1.00 per unit owed per week" in chain
    assert "borrow up to $400.00 at 0.20% a week; past it, your orders are capped" in chain
    assert "width" not in re.sub(r"max-width: 340px", "", chain)  # no fixed widths: it fits a phone


def test_the_money_panel_follows_the_seats_books(classroom, tabs):
    t = classroom.create_session("cash", teams=1)
    ann = seat(tabs, t.code, "Ann", "wholesaler")
    classroom.start(t.code, t.host_key)  # the other seats are bots
    ann.wait(lambda: "Submit order" in ann.buttons(), "the order form")
    for week in range(1, 11):
        send(ann, "4" if week <= 4 else "40")
        ann.wait_text("week", f"week {week + 1} of")
    view = classroom.seat_view(ann.stored())
    books, obs, last = ann.text("money"), view.observation, view.history[-1]
    assert figure(books, "money-cash") == money(obs.cash)
    assert figure(books, "money-revenue") == money(last.revenue)
    assert figure(books, "money-profit") == money(last.profit)
    assert figure(books, "money-total_profit") == money(sum(w.profit for w in view.history))
    assert figure(books, "money-receivables") == money(obs.receivables)
    assert figure(books, "money-payables") == money(obs.payables)
    assert figure(books, "money-can_pay") == money(obs.can_pay)
    assert last.order < last.decided  # 40 a week is more than cash and credit allow
    assert (f"Week 10: you ordered 40; your cash and credit allowed {int(last.order)}"
            in ann.text("money"))
    assert f"<td class=\"\">{int(last.order)} of 40</td>" in ann.text("history")  # the history marks the cut
    assert "<svg" in books  # cash and working capital over the weeks
    assert "so far: holding and backlog" in ann.text("books")


def test_classic_shows_no_money(classroom, tabs):
    t = classroom.create_session("classic", teams=1)
    ann = seat(tabs, t.code, "Ann")
    classroom.start(t.code, t.host_key)
    ann.wait(lambda: "Submit order" in ann.buttons(), "the order form")
    send(ann, "4")
    ann.wait_text("week", "week 2 of")
    assert not ann.has("money") and "$" not in ann.text("chain-map").split('class="cg-rules"')[0]
    assert "orders take 2 weeks ↓ · goods take 2 weeks ↑</div>" in ann.text("chain-map")


def test_the_page_says_when_a_bot_ordered_for_the_player(classroom, tabs):
    t = classroom.create_session("classic", teams=1, timer_seconds=30)
    ann, bob = seat(tabs, t.code, "Ann"), seat(tabs, t.code, "Bob")
    classroom.start(t.code, t.host_key)
    ann.wait(lambda: "Submit order" in ann.buttons(), "the order form")
    send(ann, "4")
    ann.wait_text("state", "Waiting for 1 other player")
    ticker = threading.Thread(target=classroom.tick, kwargs={"now": time.time() + 31})
    ticker.start()
    ticker.join()
    bob.wait_text("week", "week 2 of")
    bot = classroom.seat_view(bob.stored()).history[-1]
    assert bob.text("bot-notice") == f"Week 1: the bot ordered {int(bot.decided)} for you (time ran out)"
    assert "(bot)" in bob.text("history") and not ann.has("bot-notice")
    host = tabs(f"/host?code={t.code}", stored=host_storage(t))
    send(ann, "4")
    ann.wait_text("state", "Waiting for 1 other player")
    classroom.advance(t.code, t.host_key, 1)
    bob.wait_text("bot-notice", "Week 2: the bot ordered")
    assert "(the host moved your team on)" in bob.text("bot-notice")
    send(bob, "4")
    assert bob.has("bot-notice")  # week 2's notice stays while week 3 is open
    send(ann, "4")
    bob.wait_text("week", "week 4 of")
    bob.wait(lambda: not bob.has("bot-notice"), "the notice gone once Bob ordered himself")
    host.close()


def test_a_producer_sees_capacity_in_its_history(classroom, tabs):
    t = classroom.create_session("capacity", teams=1)
    mo = seat(tabs, t.code, "Mo", "manufacturer")
    shop = seat(tabs, t.code, "Ri", "retailer")
    classroom.start(t.code, t.host_key)
    mo.wait(lambda: "Submit order" in mo.buttons(), "the order form")
    mo.fill("Order (units)", "9")
    mo.fill("Capacity target (units/week)", "12")
    mo.click("Submit order")
    fixed = classroom.seat_view(shop.stored()).fixed_order
    send(shop, "4" if fixed is None else f"{fixed:g}")
    mo.wait_text("week", "week 2 of")
    history = mo.text("history")
    w = classroom.seat_view(mo.stored()).history[0]
    assert re.search(r'<span class="cg-long">capacity</span>.*</th><th class=""><span class="cg-long">target</span>',
                     history)
    assert re.search(rf"<td class=\"\">{w.capacity:g}</td><td class=\"\">12</td></tr>", history)
    assert "cost: holding, backlog, capacity, production and ordering, $ that week" in history
    assert "so far: holding, backlog, capacity, production and ordering (ordering when you order)" in mo.text("books")
    assert "cg-long\">capacity<" not in shop.text("history")


def test_the_order_hint_is_what_the_check_accepts(classroom, tabs):
    t = classroom.create_session("classic", teams=1, max_order=1000)
    ann = seat(tabs, t.code, "Ann")
    classroom.start(t.code, t.host_key)
    ann.wait(lambda: "Submit order" in ann.buttons(), "the order form")
    for week in range(1, 5):
        send(ann, "4")
        ann.wait_text("week", f"week {week + 1} of")
    from .test_pages import field

    hint = field(ann).hint
    assert hint == "whole numbers 0 to 1000"
    send(ann, str(int(hint.split(" to ")[1]) + 1))
    ann.wait_text("error", f"(allowed: {hint})")
    send(ann, hint.split(" to ")[1])  # the bound as the hint writes it is accepted
    ann.wait_text("week", "week 6 of")


def test_the_debrief_shows_the_cash_bullwhip_where_there_are_prices(classroom, tabs):
    from chaingame import figures

    for scenario, shown in (("cash", True), ("classic", False)):
        t = classroom.create_session(scenario, teams=1)
        classroom.start(t.code, t.host_key)  # bots play the whole game
        page = tabs(f"/debrief?code={t.code}")
        page.wait(lambda page=page: page.has("chart-orders"), f"the {scenario} debrief")
        assert page.has("chart-cash") == shown and page.has("cash") == shown
        if shown:
            data = classroom.debrief(t.code)
            table = page.text("cash")
            for r in data.cash.itertuples():
                assert f"<td class=\"l\">{r.firm}</td><td class=\"\">{money(r.peak_working_capital)}</td>" in table
            h = data.history
            fig = figures.cash_figure(h)
            lines = fig.axes[1].get_lines()  # working capital per firm, in the scenario's order
            for line, firm in zip(lines, ["retailer", "wholesaler", "distributor", "factory"], strict=False):
                assert list(line.get_ydata()) == list(h[h.firm == firm]["working_capital"])
