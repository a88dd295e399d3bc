"""Conservation and bounds properties of the week physics, on random scenarios.

Every random scenario (``tests.strategies.scenario_tables``) is played week by week through
``Engine(scenario, replications=R, seed=s)``; after every week the flows of every replication are
re-derived *independently* from the state before and after the week and the per-link layout of
``engine.net`` (not from the engine's own per-firm sums), then compared with ``engine.flows`` and
with the conservation laws:

- per link, from the pipelines: orders that reached a supplier = the mail slot of this week before
  the week (end-customer demand on market links); goods shipped on a link between firms = what
  appeared in its transit slot ``shipping_delay`` weeks ahead; goods that arrived = this week's
  transit slot before the week (plus same-week source shipments when the delay is 0); goods the
  source shipped = what it owed (backlog before + orders that reached it) - what it still owes
  (the source never loses orders), checked against its transit slot when the delay is > 0;
  orders placed = what appeared in the mail slot ``order_delay`` weeks ahead;
- per firm, from stock balances: returned = minus the negative order of a firm allowed to return;
  started = raw before + arrivals - returned - raw after (producers); finished = the WIP slot of
  this week (or started, with no production delay); shipped = on hand before shipping - on hand
  after (- returned); market shipments = shipped - shipments on links to firms;
- on a link whose shipping delay is drawn (``shipping_delay = {weeks, p}``) the shipment is what
  went into any transit slot but this week's, and it must sit whole in one slot, a possible delay
  away (with ``crossing = false``: never arriving before an earlier shipment of the link, nor
  before the last goods of the initial pipeline); a drawn delay of 0 from the source arrives at once;
- the supply line is exact: it equals the scenario's pipelines, backlog, raw materials and WIP at
  week 0, and changes each week by the orders placed less the goods that reached finished stock
  (received; produced, for producers), the orders lost on the firm's supply links and the raw
  materials a producer returned;
- lost = owed (backlog before + incoming) - shipped - backlog after, per link;
- cost = holding x (on hand + raw at step 6, i.e. before returns) + backlog cost x owed
  + lost-sales cost x lost + capacity cost x capacity in force + unit cost x started
  + order cost per positive order.

The file's properties:

1. ``test_goods_are_conserved``: goods_in_chain(after) == before + from_source - to_market - returned,
   and every flow the engine reports (from_source, to_market, returned, incoming, received,
   started, produced, shipped, lost; orders in the mail) equals the independent derivation.
2. ``test_money_is_conserved``: the sum over firms of cash + receivables - payables changes by market
   revenue - what the source is owed for its shipments - cost - interest + refunds (without payment
   terms receivables and payables are 0: the sum of cash changes); revenue between firms == purchases
   between firms (both == price x shipments on links between firms); per firm revenue, purchases, cost,
   interest (rate x the opening overdraft - deposit rate x the opening cash) and cash change (collected
   - paid - cost - interest + refunds) agree with the derivation, where a link with ``payment_delay`` N
   is paid from the invoices due this week and invoices this week's shipments N weeks ahead.
   With a price schedule each order is bought at the price of the week it was placed (read from the
   scenario's links) and paid when shipped, a backlog first at the average price it was bought at;
   the backlog's value is re-derived every week.
3. ``test_bounds_and_units``: no negative stock, raw, WIP, backlog, mail, transit or capacity;
   shipments >= 0, <= owed per link, <= on hand per firm, and a firm ships min(on hand, owed)
   split by the allocation rule (proportional: within a unit of the exact share; priority: no lower
   rank served before a higher one is filled; uniform and turn-and-earn: a short claim gets its
   weight's share, within a unit); production starts min(raw, capacity); backlog only
   on links whose supplier backlogs, lost sales only where unmet orders are lost; whole units stay
   whole; orders >= 0 unless returns are allowed; fixed orders are obeyed.
4. ``test_history_reconciles``: ``ChainModel(...).history()`` (R = 1) has one row per week and
   firm whose received, shipped and cost (and revenue, purchases) equal the independent
   derivation of the same run, whose stock and cash balances close week to week, and whose
   weekly totals reconcile with the chain's goods and money; with whole units it equals
   replication 0 of an R-replication engine run.
   ``test_insolvency_rule_holds``: a firm with a credit limit is insolvent exactly where its cash and
   credit cannot cover its payables (under ``stop`` from then on); under ``cap`` it never commits more
   than its cash + credit - payables - open orders, under ``stop`` an insolvent firm orders nothing.
5. ``test_source_ships_in_full``: the source ships everything owed on its links at once, so no
   backlog stays on a source link; ``test_source_never_owes``: for the same reason a scenario
   may not start a source link with a backlog (refused, naming the link).
6. ``test_seeded_sweep``: checks 1-4 on ``random_scenario_table(seed)`` for fixed seeds (no
   hypothesis), so the plain generator is exercised too; ``test_classic_conserves`` and
   ``test_promotions_conserves`` and ``test_cash_conserves``: all checks on the bundled classic,
   promotions and cash scenarios.

Tolerances: every equality holds to 1e-9 relative (to the magnitudes involved, at least 1).
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import chaingame
from chaingame import COLUMNS, ChainModel, Engine
from chaingame.chain import goods_in_chain, parts_supply_line, supply_line
from tests.strategies import random_scenario_table, scenario_tables

TOL = 1e-9  # relative tolerance of every equality
EXAMPLES = 300  # hypothesis examples per property (history: 40%)

# Hypothesis profiles. "chaingame-ci", the default, is derandomized (examples drawn from a seed
# fixed by each test's code) and keeps no example database, so every run, here or in CI, tries the
# same 300 scenarios per property: a failure reproduces, a pass means the same each time.
# CHAINGAME_HYPOTHESIS_PROFILE=chaingame-explore draws new examples each run (and replays the
# failures it saved) to search further. Health check: generation is slow by design (a scenario
# is dozens of draws and a run of up to 30 weeks), so too_slow is off; deadline off for the same
# reason (a 30-week, 8-firm run can take a second on a loaded machine).
settings.register_profile("chaingame-ci", max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("chaingame-explore", max_examples=EXAMPLES, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
SETTINGS = settings.get_profile(os.environ.get("CHAINGAME_HYPOTHESIS_PROFILE", "chaingame-ci"))
REPS = st.integers(1, 4)
SEEDS = st.integers(0, 2**32 - 1)


# --------------------------------------------------------------------------------------------
# helpers


def _labels(net):
    firms = list(net.firms)
    links = []
    for k in range(net.n_links):
        s = "source" if net.supplier[k] < 0 else firms[net.supplier[k]]
        c = "market" if net.customer[k] < 0 else firms[net.customer[k]]
        links.append(f"link {k} {s}->{c}")
    return firms, links


def _ignore(mask, shape):
    """Entries outside ``mask`` (over the leading axes) are not checked."""
    if mask is None:
        return np.zeros(shape, bool)
    mask = np.asarray(mask, bool)
    return np.broadcast_to(~mask.reshape(mask.shape + (1,) * (len(shape) - mask.ndim)), shape)


def expect_close(actual, expected, what, wk, index=None, scale=None, mask=None):
    """Assert actual == expected up to TOL relative (to ``scale`` or the values themselves)."""
    a, e = np.broadcast_arrays(np.asarray(actual, float), np.asarray(expected, float))
    if scale is None:
        scale = np.maximum(1.0, np.maximum(np.abs(a), np.abs(e)))
    same = (a == e) | (np.abs(a - e) <= TOL * np.broadcast_to(scale, a.shape)) | _ignore(mask, a.shape)
    if not same.all():
        idx = tuple(np.argwhere(~same)[0])
        raise AssertionError(f"week {wk.t}: {what} at {wk.where(idx, index)}: got {a[idx]!r}, "
                             f"expected {e[idx]!r} (difference {a[idx] - e[idx]:.3g})")


def expect(cond, what, wk, index=None, values=None, mask=None):
    """Assert an elementwise condition, naming the first place it fails."""
    cond = np.asarray(cond)
    cond = cond | _ignore(mask, cond.shape)
    if not cond.all():
        idx = tuple(np.argwhere(~cond)[0]) if cond.ndim else ()
        shown = "" if values is None else ": " + ", ".join(
            f"{name}={np.asarray(v)[idx] if np.ndim(v) else v!r}" for name, v in values.items())
        raise AssertionError(f"week {wk.t}: {what} fails at {wk.where(idx, index)}{shown}")


def whole(x):
    x = np.asarray(x, float)
    return np.isinf(x) | (np.abs(x - np.round(x)) <= TOL * np.maximum(1.0, np.abs(x)))


class Week:
    """One week of one engine run: the state before and after, and flows derived independently."""

    def __init__(self, engine: Engine, before, record):
        net = self.net = engine.net
        self.before = before
        self.after = after = engine.state.copy()
        self.flows = engine.flows
        self.record = record
        self.scenario = engine.scenario
        t = self.t = after.week
        S = net.slots
        slot = self.slot = t % S
        F, K = net.n_firms, net.n_links
        R = after.inventory.shape[1]
        ks = np.arange(K)
        sup, cus = net.supplier, net.customer
        self.firm_names, self.link_names = _labels(net)

        # incidence, built here from the supplier/customer arrays
        self.IN = (cus[None, :] == np.arange(F)[:, None]).astype(float)  # f is the link's customer
        self.OUT = (sup[None, :] == np.arange(F)[:, None]).astype(float)  # f is the link's supplier
        self.src = sup < 0
        self.mkt = cus < 0
        self.f2f = (sup >= 0) & (cus >= 0)
        self.OUT_f2f = self.OUT * self.f2f[None, :]
        self.retailer_of = np.zeros(F, bool)
        self.retailer_of[sup[net.market_links]] = True

        # orders that reached suppliers, and end-customer demand
        inc = before.mail[:, slot].copy()
        inc[net.market_links] = engine.demand[t - 1]
        self.incoming = inc
        self.owed = before.backlog + inc

        # shipments per link, from the transit pipelines
        ship = np.zeros((K, R))
        ahead = (t + net.shipping_delay) % S
        dtransit = after.transit[ks, ahead] - before.transit[ks, ahead]
        # a link whose delay is drawn: the shipment is what went into transit in any later slot
        drawn = self.drawn = np.isin(ks, net.delay_links)
        delta = after.transit - before.transit
        delta[:, slot] = 0.0
        dtransit[drawn] = delta[drawn].sum(axis=1)
        self.dtransit = dtransit
        self.delta = delta
        now = self.src & (net.shipping_delay == 0) & ~drawn
        ship[self.f2f] = dtransit[self.f2f]
        # the source neither loses orders nor ships more than it owes: what it shipped is what it
        # owed less what it still owes (with no shipping delay this never shows in transit)
        ship[self.src] = self.owed[self.src] - after.backlog[self.src]
        arrivals = before.transit[:, slot].copy()
        arrivals[now] += ship[now]
        same_week = self.src & drawn  # a drawn delay of 0 from the source: shipped and arrived this week
        arrivals[same_week] += ship[same_week] - dtransit[same_week]
        # where each drawn shipment went: the week it arrives (nan for links with a fixed delay, or nothing sent)
        landed = delta > TOL * np.maximum(1.0, np.abs(before.transit))
        self.landed_slots = landed.sum(axis=1)
        offset = np.where(landed, ((np.arange(S) - t) % S)[None, :, None], -1).max(axis=1)
        here = same_week[:, None] & (ship - dtransit > TOL * np.maximum(1.0, ship))
        arrival = np.where(self.landed_slots > 0, t + offset, np.where(here, t, np.nan))
        self.arrival_week = np.where(drawn[:, None], arrival, np.nan)
        self.arrivals = arrivals
        self.received = self.IN @ arrivals

        # per-firm stock balances
        lo = after.last_order
        self.returned = np.where(net.returns[:, None] & (lo < 0), -lo, 0.0)
        prod = net.producer[:, None]
        self.prod = prod
        # assembly by bill of materials: a unit started takes units_j of each component j from raw
        self.units = np.zeros(K) if net.bom_units is None else net.bom_units
        self.assembles = self.IN @ (self.units > 0) > 0  # (F,)
        self.per_unit = np.where(self.assembles, self.IN @ self.units, 1.0)[:, None]  # raw units per unit started
        self.started = np.where(prod, (before.raw + self.received - self.returned - after.raw) / self.per_unit, 0.0)
        d = net.production_delay[:, None]
        self.produced = np.where(prod, np.where(d == 0, self.started, before.wip[:, slot]), 0.0)
        self.on_hand = before.inventory + np.where(prod, self.produced, self.received)  # before shipping
        self.shipped = self.on_hand - after.inventory - np.where(prod, 0.0, self.returned)
        self.market_ship = self.shipped - self.OUT_f2f @ ship  # per firm; 0 unless a retailer
        ship[net.market_links] = self.market_ship[sup[net.market_links]]
        self.ship = ship
        self.lost = np.where((sup >= 0)[:, None], self.owed - ship - after.backlog, 0.0)

        # orders placed, from the mail pipelines
        self.placed = np.maximum(lo, 0.0)
        od_ahead = (t + net.order_delay) % S
        mailed = after.mail[ks, od_ahead] - before.mail[ks, od_ahead]
        mailed[self.mkt] = 0.0
        self.mailed = mailed

        # money: an order is bought at the price of the week it was placed (the scenario's schedule, else the
        # link's price), paid when shipped, the backlog first at the average price it was bought at
        if net.order_price is None:
            self.pay = net.price[:, None] * ship
            now = net.price
        else:
            unit = scheduled_prices(engine.scenario, net, t - net.order_delay)[:, None]
            old = np.minimum(ship, before.backlog)
            average = np.divide(before.backlog_value, before.backlog, out=np.zeros_like(ship),
                                where=before.backlog > 0)
            self.pay = old * average + (ship - old) * unit
            self.backlog_value = np.where(after.backlog > 0, (before.backlog - old) * average
                                          + (inc - (ship - old)) * unit, 0.0)
            now = scheduled_prices(engine.scenario, net, np.full(K, t))
        self.refund = self.returned * (self.IN @ (net.share * now))[:, None]
        # money rules: a link with payment_delay N is paid N weeks after shipment, from the invoices the
        # pipeline holds (due this week: slot t mod P before the week); interest on the week's opening cash
        self.paid = self.pay.copy()
        self.interest = np.zeros((F, R))
        self.receivables = self.payables = np.zeros((F, R))
        if net.money:
            delayed = net.payment_delay > 0
            self.paid[delayed] = before.payments[delayed, t % net.pay_slots]
            self.interest = net.interest_rate[:, None] * np.maximum(-before.cash, 0.0) \
                - net.deposit_rate[:, None] * np.maximum(before.cash, 0.0)
            self.receivables = self.OUT @ after.payments.sum(axis=1)
            self.payables = self.IN @ after.payments.sum(axis=1)
        self.market_revenue = self.pay[self.mkt].sum(axis=0)
        self.source_paid = self.pay[self.src].sum(axis=0)
        self.between_firms = self.pay[self.f2f].sum(axis=0)
        cap = after.capacity
        rate = net.capacity_cost[:, None]
        cap_charge = np.where(rate > 0, rate * np.where(np.isinf(cap), 0.0, cap), 0.0)
        self.cost = (
            net.holding_cost[:, None] * (after.inventory + after.raw + self.returned)
            + net.backlog_cost[:, None] * (self.OUT @ after.backlog)
            + net.lost_sales_cost[:, None] * (self.OUT @ self.lost)
            + cap_charge
            + net.production_cost[:, None] * self.started
            + net.order_cost[:, None] * (self.placed > 0)
        )

    def where(self, idx, index):
        if not idx:
            return "chain"
        if len(idx) == 1 and index in ("firm", "link"):  # one replication (history)
            return self.firm_names[idx[0]] if index == "firm" else self.link_names[idx[0]]
        r = idx[-1]
        if index == "firm":
            return f"firm {self.firm_names[idx[0]]}, replication {r}"
        if index == "link":
            return f"{self.link_names[idx[0]]}, replication {r}"
        return f"index {idx}"


def scheduled_prices(sc, net, placed) -> np.ndarray:
    """(K,) price of an order placed in week ``placed[k]`` on each link, read from the scenario's links
    (before week 1: the regular price; market links: the retailer's price)."""
    out = net.price.astype(float, copy=True)
    for k, link in enumerate(sc.links):
        for change in link.price_schedule:
            if placed[k] >= 1 and placed[k] in change.weeks:
                out[k] = change.price
    return out


def play(table, reps, seed):
    """Run a scenario week by week; yield a :class:`Week` for each."""
    sc = chaingame.from_table(table)
    engine = Engine(sc, replications=reps, seed=seed)
    check_initial_supply_line(sc, engine)
    arrived_by = None  # links whose shipments may not cross: the latest arrival week seen so far
    while not engine.done:
        before = engine.state.copy()
        obs = engine.begin_week()
        orders, capacity = engine.decide(obs)
        record = engine.end_week(orders, capacity)
        wk = Week(engine, before, record)
        if arrived_by is None:
            arrived_by = np.repeat(_initial_arrivals(sc, engine.net)[:, None], reps, axis=1)
        wk.arrived_by = arrived_by.copy()
        arrived_by = np.where(np.isnan(wk.arrival_week), arrived_by, np.fmax(arrived_by, wk.arrival_week))
        yield wk


def _initial_arrivals(sc, net):
    """(K,) the last week in which goods of a link's initial pipeline arrive (0 if none), from the table."""
    last = np.zeros(net.n_links)
    for k, link in enumerate(sc.links):
        last[k] = max([j + 1 for j, v in enumerate(link.shipments) if v > 0], default=0)
    return last


def check_initial_supply_line(sc, engine):
    """Week 0: each firm's supply line is the orders, shipments and backlog of its links, its raw
    materials and production under way, as the scenario writes them."""
    want = np.zeros(len(sc.firms))
    for link in sc.links:
        want[sc.firm_ids.index(link.customer)] += sum(link.orders) + sum(link.shipments) + link.backlog
    for i, f in enumerate(sc.firms):
        if f.production and f.production.bom:  # in products: WIP + what the scarcest component's line makes
            lines = [(sum(k.orders) + sum(k.shipments) + k.backlog) / units + f.production.raw
                     for s, units in f.production.bom for k in sc.links if k.supplier == s and k.customer == f.id]
            want[i] = sum(f.production.wip) + min(lines)
        elif f.production:
            want[i] += f.production.raw + sum(f.production.wip)
    got = supply_line(engine.net, engine.state)
    assert np.allclose(got, want[:, None], rtol=TOL, atol=TOL), f"initial supply line {got[:, 0]} != {want}"


# --------------------------------------------------------------------------------------------
# the checks of one week


def check_goods(wk: Week) -> None:
    fl, net = wk.flows, wk.net
    g0, g1 = goods_in_chain(wk.before), goods_in_chain(wk.after)
    scale = np.maximum(1.0, np.maximum(np.abs(g0), np.abs(g1)) + fl.from_source + fl.to_market)
    assembled = ((wk.per_unit - 1.0) * wk.started).sum(axis=0)  # component units that became fewer products
    expect_close(g1, g0 + fl.from_source - fl.to_market - fl.returned - assembled,
                 "goods in chain after == before + from_source - to_market - returned - (components - 1) x "
                 "assembled", wk, scale=scale)
    check_components(wk)
    # each term of the balance, derived from the pipelines and stock balances
    expect_close(fl.from_source, wk.ship[wk.src].sum(axis=0), "from_source == shipped on source links", wk)
    later = wk.src & (net.shipping_delay > 0) & ~wk.drawn  # a drawn delay: check_delays
    expect_close(wk.dtransit, wk.ship, "source shipments in transit == owed - backlog after", wk, "link",
                 mask=later)
    expect_close(fl.to_market, wk.ship[wk.mkt].sum(axis=0), "to_market == retailers' market shipments", wk)
    expect_close(fl.returned, wk.returned.sum(axis=0), "returned == minus negative orders", wk)
    expect_close(wk.market_ship, 0.0, "a firm without end customers ships only on its links to firms", wk,
                 "firm", mask=~wk.retailer_of)
    # per-firm flows reported by the engine
    expect_close(fl.incoming, wk.OUT @ wk.incoming, "incoming orders", wk, "firm")
    expect_close(fl.received, wk.received, "received == transit arrivals", wk, "firm")
    expect_close(fl.started, wk.started, "started == raw before + received - returned - raw after", wk, "firm")
    expect_close(fl.produced, wk.produced, "produced == WIP due this week", wk, "firm")
    expect_close(fl.shipped, wk.shipped, "shipped == on hand before shipping - on hand after", wk, "firm")
    expect_close(fl.lost, wk.OUT @ wk.lost, "lost == owed - shipped - backlog after", wk, "firm")
    # goods inside firms and pipelines
    prod = net.producer
    expect_close(wk.after.raw, 0.0, "raw materials of non-producers", wk, "firm", mask=~prod)
    expect_close(wk.after.wip.sum(axis=1), 0.0, "WIP of non-producers", wk, "firm", mask=~prod)
    expect_close(wk.after.transit[:, wk.slot], 0.0, "this week's transit slot is emptied", wk, "link")
    expect_close(wk.after.wip[:, wk.slot], 0.0, "this week's WIP slot is emptied", wk, "firm")
    expect_close(wk.after.mail[:, wk.slot], 0.0, "this week's mail slot is emptied", wk, "link")
    d = net.production_delay
    for f in np.flatnonzero(prod & (d > 0)):
        s = (wk.t + d[f]) % net.slots
        expect_close(wk.after.wip[f, s] - wk.before.wip[f, s], wk.started[f],
                     f"WIP due in {d[f]} weeks grows by what {net.firms[f]} started", wk)
    # orders placed reach the mail
    expect_close(wk.IN @ wk.mailed, wk.placed, "orders in the mail == positive orders placed", wk, "firm",
                 mask=~wk.assembles)
    comp = wk.units > 0
    expect_close(wk.mailed, wk.units[:, None] * wk.placed[np.where(comp, net.customer, 0)],
                 "a component's order == units per product x the product's order", wk, "link", mask=comp)
    expect_close(fl.order, wk.after.last_order, "flows.order == state.last_order", wk, "firm")
    check_delays(wk)
    check_supply_line(wk)


def check_delays(wk: Week) -> None:
    """A drawn shipment goes whole into the transit slot of one arrival week, a possible delay away;
    with ``crossing = false`` never before an earlier shipment of its link."""
    net = wk.net
    if not wk.drawn.any():
        return
    expect(wk.landed_slots <= 1, "a shipment lands in one transit slot", wk, "link", mask=wk.drawn)
    delay = wk.arrival_week - wk.t
    for k in np.flatnonzero(wk.drawn):
        dist = wk.scenario.links[k].delay
        sent = ~np.isnan(delay[k])
        if dist.crossing:
            ok = np.isin(delay[k], [w for w, p in zip(dist.weeks, dist.p) if p > 0])
            expect(ok | ~sent, f"the delay is one of {dist.weeks}", wk, values={"delay": delay[k]})
        else:
            ok = (delay[k] >= min(dist.weeks)) & (delay[k] <= max(dist.weeks))
            expect(ok | ~sent, f"the delay lies in {min(dist.weeks)}..{max(dist.weeks)}", wk,
                   values={"delay": delay[k]})
            expect((wk.arrival_week[k] >= wk.arrived_by[k]) | ~sent, "no shipment overtakes an earlier one "
                   "(crossing = false)", wk, values={"arrival": wk.arrival_week[k], "after": wk.arrived_by[k]})
    assert net.slots > max(max(d.weeks) for d in (link.delay for link in wk.scenario.links) if d)


def check_components(wk: Week) -> None:
    """Assembly by bill of materials conserves each component: its stock at the firm changes by what
    arrived on its link less units per product x production started; the firm's raw is their sum."""
    net = wk.net
    if net.bom_units is None:
        assert wk.after.parts is None and not wk.assembles.any()
        return
    comp = wk.units > 0
    cus = np.where(comp, net.customer, 0)
    before, after = wk.before.parts, wk.after.parts
    expect_close(after - before, wk.arrivals - wk.units[:, None] * wk.started[cus],
                 "component on hand after - before == arrived - units x started", wk, "link", mask=comp)
    expect_close(after, 0.0, "no components held on links without a bill of materials", wk, "link", mask=~comp)
    expect_close(wk.after.raw, wk.IN @ after, "raw of an assembling firm == sum of its components", wk, "firm",
                 mask=wk.assembles)
    expect(after >= -TOL, "components on hand >= 0", wk, "link", {"parts": after})


def check_supply_line(wk: Week) -> None:
    """The supply line is exact: it changes by the orders placed, less the goods that reached
    finished stock (received; produced, for producers), less orders lost on the firm's supply links
    and the raw materials a producer returned. Every unit in the mail, owed or in transit counts."""
    net = wk.net
    before, after = supply_line(net, wk.before), wk.record["on_order"]
    into_stock = np.where(wk.prod, wk.produced, wk.received)
    lost = wk.IN @ wk.lost
    returned = np.where(wk.prod, wk.returned, 0.0)
    scale = np.maximum(1.0, np.abs(before) + np.abs(after) + wk.placed + into_stock)
    expect_close(after - before, wk.placed - into_stock - lost - returned,
                 "supply line after - before == placed - into stock - lost - returned (producers)", wk, "firm",
                 scale=scale, mask=~wk.assembles)
    if wk.assembles.any():  # each component's line, in its units; the firm's, in products (docs/model.md)
        comp = wk.units > 0
        cus = np.where(comp, net.customer, 0)
        line_before, line_after = parts_supply_line(net, wk.before), parts_supply_line(net, wk.after)
        u = wk.units[:, None]
        expect_close(line_after - line_before, u * wk.placed[cus] - u * wk.started[cus] - wk.lost,
                     "component supply line after - before == units x (placed - started) - lost", wk, "link",
                     mask=comp)
        makes = np.where(comp[:, None], line_after / np.where(comp, wk.units, 1.0)[:, None], np.inf)
        fewest = np.array([makes[net.customer == f].min(axis=0) if wk.assembles[f] else np.zeros(makes.shape[1])
                           for f in range(net.n_firms)])
        expect_close(after, fewest + wk.after.wip.sum(axis=1), "supply line of an assembling firm == WIP + "
                     "products of its scarcest component's line", wk, "firm", mask=wk.assembles)


def worth(net, state) -> np.ndarray:
    """Each firm's cash + receivables - payables (F, R), from the invoice pipelines (cash alone without them)."""
    if state.payments is None:
        return state.cash
    owed = state.payments.sum(axis=1)
    return state.cash + _incidence(net, net.supplier) @ owed - _incidence(net, net.customer) @ owed


def _incidence(net, ends):
    return (ends[None, :] == np.arange(net.n_firms)[:, None]).astype(float)


def check_money(wk: Week) -> None:
    fl, net = wk.flows, wk.net
    dcash = wk.after.cash - wk.before.cash
    dworth = worth(net, wk.after) - worth(net, wk.before)
    terms = [np.abs(wk.before.cash).sum(0), wk.market_revenue, wk.source_paid, fl.cost.sum(0), wk.refund.sum(0),
             np.abs(wk.interest).sum(0), np.abs(worth(net, wk.before)).sum(0)]
    scale = np.maximum(1.0, np.max(terms, axis=0))
    interest = wk.interest.sum(axis=0)
    expect_close(dworth.sum(axis=0), wk.market_revenue - wk.source_paid - fl.cost.sum(axis=0) - interest
                 + wk.refund.sum(axis=0), "sum of (cash + receivables - payables) changes == market revenue - "
                 "paid to source - cost - interest + refunds", wk, scale=scale)
    expect_close(dworth, fl.revenue - fl.purchases - fl.cost - wk.interest,
                 "cash + receivables - payables change == revenue - purchases - cost - interest", wk, "firm")
    expect_close(dcash, wk.OUT @ wk.paid - wk.IN @ wk.paid + wk.refund - fl.cost - wk.interest,
                 "cash change == collected - paid + refunds - cost - interest", wk, "firm")
    if net.money:
        P, delayed = net.pay_slots, np.flatnonzero(net.payment_delay > 0)
        ahead = (wk.t + net.payment_delay[delayed]) % P
        expect_close(wk.after.payments[delayed, ahead] - wk.before.payments[delayed, ahead], wk.pay[delayed],
                     "invoices due payment_delay weeks ahead grow by this week's shipments", wk)
        expect_close(wk.after.payments[:, wk.t % P], 0.0, "this week's invoices are paid", wk, "link")
        expect_close(wk.after.payments[net.payment_delay == 0], 0.0, "no invoices on links paid at once", wk)
        expect_close(fl.interest, wk.interest, "interest == rate x overdraft - deposit rate x cash", wk, "firm")
        for c, want in (("receivables", wk.receivables), ("payables", wk.payables), ("interest", wk.interest)):
            expect_close(wk.record[c], want, f"record {c}", wk, "firm")
    expect_close(fl.revenue.sum(0) - wk.market_revenue - wk.refund.sum(0), wk.between_firms,
                 "revenue between firms == price x shipments between firms", wk, scale=scale)
    expect_close(fl.purchases.sum(0) - wk.source_paid, wk.between_firms,
                 "purchases between firms == price x shipments between firms", wk, scale=scale)
    # per firm
    expect_close(fl.revenue, wk.OUT @ wk.pay + wk.refund, "revenue == price x shipped + refunds", wk, "firm")
    expect_close(fl.purchases, wk.IN @ wk.pay, "purchases == price x received shipments", wk, "firm")
    if wk.net.order_price is not None:
        expect_close(wk.after.backlog_value, wk.backlog_value, "backlog value == its orders' prices, less what "
                     "was paid for", wk, "link")
        expect(wk.after.backlog_value >= -TOL, "backlog value >= 0", wk, "link",
               {"backlog_value": wk.after.backlog_value})
    expect_close(fl.cost, wk.cost, "cost == holding + backlog + lost sales + capacity + production + orders",
                 wk, "firm")
    expect_close(wk.record["profit"], fl.revenue - fl.purchases - fl.cost - wk.interest, "record profit", wk, "firm")
    expect_close(wk.record["cash"], wk.after.cash, "record cash", wk, "firm")


def check_bounds(wk: Week) -> None:
    net, fl, a, b = wk.net, wk.flows, wk.after, wk.before
    tol = TOL * max(1.0, float(np.abs(b.inventory).max(initial=0)), float(np.abs(wk.owed).max(initial=0)))
    for name, arr, idx in [("inventory", a.inventory, "firm"), ("raw", a.raw, "firm"),
                           ("backlog", a.backlog, "link"), ("mail", a.mail.min(axis=1), "link"),
                           ("transit", a.transit.min(axis=1), "link"), ("wip", a.wip.min(axis=1), "firm"),
                           ("capacity", a.capacity, "firm")]:
        expect(arr >= -tol, f"{name} >= 0", wk, idx, {name: arr})
    fs = net.supplier >= 0
    ship, owed = wk.ship, wk.owed
    expect(ship >= -tol, "shipments >= 0", wk, "link", {"shipped": ship})
    expect(ship <= owed + tol, "shipments <= owed (backlog + incoming)", wk, "link", {"shipped": ship, "owed": owed})
    expect(wk.shipped <= wk.on_hand + tol, "shipped <= on hand", wk, "firm",
           {"shipped": wk.shipped, "on_hand": wk.on_hand})
    owed_f = wk.OUT @ owed
    expect_close(wk.shipped, np.minimum(wk.on_hand, owed_f), "a firm ships min(on hand, owed)", wk, "firm")
    # allocation among a supplier's customers
    for f in range(net.n_firms):
        out = np.flatnonzero(net.supplier == f)
        rule = net.allocation[f]
        if rule in ("uniform", "turn_and_earn") and len(out) > 1:
            check_water_filling(wk, f, out, ship[out], owed[out], tol)
        elif rule == "priority":
            ranked = out[np.argsort(net.priority_level[out], kind="stable")]
            short = ship[ranked] < owed[ranked] - tol  # (n, R)
            starved_before = np.cumsum(short, axis=0) - short > 0  # a higher rank was short
            expect(~starved_before | (ship[ranked] <= tol), "priority: nothing for a lower rank while a "
                   "higher rank is short", wk, values={"ship": ship[ranked], "owed": owed[ranked]})
        else:
            frac = np.divide(wk.shipped[f], owed_f[f], out=np.zeros_like(owed_f[f]), where=owed_f[f] > 0)
            exact = owed[out] * frac
            if net.whole_units:
                expect(np.abs(ship[out] - exact) < 1 + tol, "proportional: within a unit of the exact share",
                       wk, values={"ship": ship[out], "exact": exact})
            else:
                expect_close(ship[out], exact, "proportional: the same fraction of every claim", wk)
    # production
    prod = net.producer
    if prod.any():
        cap = np.maximum(a.capacity, 0.0)
        if net.whole_units:
            cap = np.floor(cap + 1e-9)
        avail = b.raw + wk.received
        expect_close(wk.started, np.minimum(avail, cap), "production starts min(raw, capacity)", wk, "firm",
                     mask=prod & ~wk.assembles)
        if wk.assembles.any():
            comp = wk.units > 0
            makes = np.where(comp[:, None], (b.parts + wk.arrivals) / np.where(comp, wk.units, 1.0)[:, None], np.inf)
            if net.whole_units:
                makes = np.floor(makes + 1e-9)
            fewest = np.array([makes[net.customer == f].min(axis=0) if wk.assembles[f] else np.zeros(makes.shape[1])
                               for f in range(net.n_firms)])
            expect_close(wk.started, np.minimum(fewest, cap), "assembly starts min(capacity, fewest products "
                         "its components make)", wk, "firm", mask=wk.assembles)
    # backlog and lost sales
    lost_links = net.lost & fs
    expect_close(a.backlog, 0.0, "no backlog where unmet orders are lost", wk, "link", mask=lost_links)
    expect_close(wk.lost, 0.0, "no lost sales where unmet orders are backlogged", wk, "link", mask=fs & ~net.lost)
    expect(wk.lost >= -tol, "lost >= 0", wk, "link", {"lost": wk.lost})
    # orders
    order = fl.order
    expect(net.returns[:, None] | (order >= 0), "orders >= 0 unless returns are allowed", wk, "firm",
           {"order": order})
    expect(wk.mailed >= -tol, "orders in the mail >= 0", wk, "link", {"mailed": wk.mailed})
    if wk.t <= net.fixed_orders.shape[1]:
        fixed = net.fixed_orders[:, wk.t - 1]
        rows = ~np.isnan(fixed)
        expect_close(order, np.nan_to_num(fixed)[:, None], "fixed orders obeyed", wk, "firm", mask=rows)
    # whole units
    if net.whole_units:
        for name, arr in [("inventory", a.inventory), ("raw", a.raw), ("backlog", a.backlog), ("mail", a.mail),
                          ("transit", a.transit), ("wip", a.wip), ("order", order), ("shipments", ship),
                          ("lost", wk.lost), ("started", wk.started), ("demand", fl.demand),
                          ("orders in the mail", wk.mailed), ("returned", wk.returned)]:
            expect(whole(arr), f"{name} in whole units", wk, values={name: arr})


def check_water_filling(wk: Week, f: int, out, ship, owed, tol) -> None:
    """Uniform and turn-and-earn: shares min(claim, level x weight), so a claim left short got at
    least its weight's share of every other customer's (within a unit with whole units), and a
    claim of weight 0 is served only once every claim of positive weight is met."""
    net = wk.net
    weights = np.ones_like(ship)
    if net.allocation[f] == "turn_and_earn":
        pos = np.searchsorted(net._fill_links, out)
        rows = [np.flatnonzero(net._fill_links[net._turn_pos] == k)[0] for k in out]
        sales = np.zeros_like(ship)
        for i, row in enumerate(rows):
            for age in range(1, int(net._turn_window[row]) + 1):
                if wk.t - age >= 1:
                    sales[i] += wk.before.turns[row, (wk.t - age) % net.turn_slots]
        weights = sales
        assert np.array_equal(net._fill_links[pos], out)
    slack = 1 + tol if net.whole_units else tol * max(1.0, float(np.abs(owed).max(initial=0)))
    short = ship < owed - tol
    for i in range(len(out)):
        for j in range(len(out)):  # ship_i = λ w_i + e_i and ship_j <= λ w_j + e_j, |e| < slack
            expect(~short[i] | (weights[i] <= 0) | (weights[j] <= 0)
                   | (ship[i] * weights[j] >= ship[j] * weights[i] - slack * (weights[i] + weights[j])),
                   f"{net.allocation[f]}: a short claim gets its weight's share", wk,
                   values={"ship": ship[i], "other": ship[j], "w": weights[i], "w_other": weights[j]})
        served_zero = (weights[i] <= 0) & (ship[i] > tol)
        expect(~served_zero | ~np.any(short & (weights > 0), axis=0),
               f"{net.allocation[f]}: weight 0 served only after the weighted claims", wk,
               values={"ship": ship[i]})
def check_credit(wk: Week) -> None:
    """The insolvency rule (chaingame/money.py): a firm with a credit limit is insolvent where its cash and
    credit cannot cover its payables (under "stop" from then on); under "cap" it never commits more than
    its cash + credit - payables - open orders (at the links' prices), under "stop" an insolvent firm orders
    nothing; orders the scenario fixes are placed as written."""
    net, a, b = wk.net, wk.after, wk.before
    if not net.money:
        return
    limited = np.isfinite(net.credit_limit)
    order = wk.flows.order
    charge = net.order_cost[:, None] * (wk.placed > 0)
    cash6 = a.cash + charge - wk.refund  # at step 6, before the orders
    short = cash6 + np.where(limited, net.credit_limit, 0.0)[:, None] < wk.payables
    stop = net.insolvency_stop[:, None] & limited[:, None]
    want = np.where(stop, b.insolvent | short, short) & limited[:, None]
    expect(a.insolvent == want, "insolvent == cash + credit < payables (stop: from then on)", wk, "firm",
           {"insolvent": a.insolvent, "cash": cash6, "payables": wk.payables})
    fixed = np.zeros(net.n_firms, bool)
    if wk.t <= net.fixed_orders.shape[1]:
        fixed = ~np.isnan(net.fixed_orders[:, wk.t - 1])
    free = limited[:, None] & ~fixed[:, None]
    expect((order <= 0) | ~(stop & a.insolvent) | ~free, "an insolvent firm under stop orders nothing", wk, "firm",
           {"order": order})
    open_orders = a.mail.sum(axis=1) - wk.mailed + a.backlog  # before this week's order
    committed = wk.IN @ (net.price[:, None] * open_orders)
    room = cash6 + np.where(limited, net.credit_limit, 0.0)[:, None] - wk.payables - committed
    unit = (net.regular_price if net.firm_price is None else net.firm_price[:, wk.t])[:, None]
    spent = np.maximum(order, 0.0) * unit
    scale = np.maximum(1.0, np.abs(room) + spent)
    expect((spent <= np.maximum(room, 0.0) + TOL * scale) | stop | ~free,
           "a firm with a credit limit never commits more than it can pay", wk, "firm",
           {"order": order, "value": spent, "can_pay": room})


def check_source(wk: Week) -> None:
    """The source always ships in full: everything owed on its links, at once."""
    expect_close(wk.ship, wk.owed, "the source ships all it owes (backlog + orders)", wk, "link", mask=wk.src)
    expect_close(wk.after.backlog, 0.0, "no backlog left on links from the source", wk, "link", mask=wk.src)


def check_all(wk: Week) -> None:
    check_goods(wk)
    check_money(wk)
    check_credit(wk)
    check_bounds(wk)
    check_source(wk)


# --------------------------------------------------------------------------------------------
# history (Mesa model, R = 1)


def check_history(table, seed, reps) -> None:
    sc = chaingame.from_table(table)
    hist = ChainModel(sc, seed=seed).run().history()
    weeks = list(play(table, 1, seed))
    F, W = len(sc.firms), sc.weeks
    assert len(hist) == F * W, f"history has {len(hist)} rows, expected {W} weeks x {F} firms"
    assert hist["week"].tolist() == [t for t in range(1, W + 1) for _ in range(F)], "history weeks"
    assert hist["firm"].tolist() == list(sc.firm_ids) * W, "history firm order"
    assert hist["role"].tolist() == [f.role for f in sc.firms] * W, "history roles"
    init = sc.initial_state(1)
    net = sc.network()
    returns = net.returns
    producer = net.producer
    prev = {"inventory": init.inventory[:, 0], "raw": init.raw[:, 0], "wip": init.wip[:, :, 0].sum(axis=1),
            "cash": init.cash[:, 0], "worth": worth(net, init)[:, 0]}
    for wk, (t, h) in zip(weeks, hist.groupby("week", sort=True), strict=True):
        assert t == wk.t
        col = {c: h[c].to_numpy(float) for c in COLUMNS}
        # the per-firm flows of the history == the independent derivation of the same run
        expect_close(col["received"], wk.received[:, 0], "history received", wk, "firm")
        expect_close(col["shipped"], wk.shipped[:, 0], "history shipped", wk, "firm")
        expect_close(col["cost"], wk.cost[:, 0], "history cost", wk, "firm")
        expect_close(col["revenue"], (wk.OUT @ wk.pay + wk.refund)[:, 0], "history revenue", wk, "firm")
        expect_close(col["purchases"], (wk.IN @ wk.pay)[:, 0], "history purchases", wk, "firm")
        expect_close(col["produced"], wk.produced[:, 0], "history produced", wk, "firm")
        # stock and cash balances close within the history itself
        returned = np.where(returns & (col["order_placed"] < 0), -col["order_placed"], 0.0)
        expect_close(col["inventory"] - prev["inventory"],
                     np.where(producer, col["produced"], col["received"]) - col["shipped"]
                     - np.where(producer, 0.0, returned), "history: change in inventory", wk, "firm")
        assembled = (wk.per_unit[:, 0] - 1.0) * wk.started[:, 0]  # components that became fewer products
        expect_close(col["raw"] + col["wip"] - prev["raw"] - prev["wip"],
                     np.where(producer, col["received"] - col["produced"] - returned - assembled, 0.0),
                     "history: change in raw + WIP", wk, "firm")
        books = col["cash"] + col["receivables"] - col["payables"]
        expect_close(books - prev["worth"], col["revenue"] - col["purchases"] - col["cost"] - col["interest"],
                     "history: change in cash + receivables - payables", wk, "firm")
        expect_close(col["profit"], col["revenue"] - col["purchases"] - col["cost"] - col["interest"],
                     "history: profit", wk, "firm")
        # weekly totals reconcile with the chain's goods and money
        expect_close(col["shipped"].sum(), wk.flows.to_market[0] + wk.ship[wk.f2f, 0].sum(),
                     "history: total shipped == to market + between firms", wk)
        expect_close(col["received"].sum(), wk.arrivals[:, 0].sum(),
                     "history: total received == arrivals", wk)
        expect_close(col["revenue"].sum() - col["purchases"].sum(),
                     wk.market_revenue[0] - wk.source_paid[0] + wk.refund[:, 0].sum(),
                     "history: total revenue - purchases == market revenue - paid to source + refunds", wk)
        expect_close((books - prev["worth"]).sum(),
                     wk.market_revenue[0] - wk.source_paid[0] - col["cost"].sum() - col["interest"].sum()
                     + wk.refund[:, 0].sum(), "history: total change in cash + receivables - payables == market "
                     "revenue - paid to source - cost - interest + refunds", wk)
        prev = {"inventory": col["inventory"], "raw": col["raw"], "wip": col["wip"], "cash": col["cash"],
                "worth": books}

    if sc.whole_units and reps > 1:
        # with whole units every quantity is exact, so replication 0 of R runs == the Mesa run
        engine = Engine(sc, replications=reps, seed=seed)
        for t, h in hist.groupby("week", sort=True):
            rec = engine.step()
            for c in COLUMNS:
                got, want = h[c].to_numpy(float), rec[c][:, 0]
                same = np.isclose(got, want, rtol=TOL, atol=TOL, equal_nan=True)
                assert same.all(), f"week {t}: history {c} {got} != replication 0 of {reps}: {want}"


# --------------------------------------------------------------------------------------------
# the properties


@SETTINGS
@given(table=scenario_tables(), reps=REPS, seed=SEEDS)
def test_goods_are_conserved(table, reps, seed):
    for wk in play(table, reps, seed):
        check_goods(wk)


@SETTINGS
@given(table=scenario_tables(), reps=REPS, seed=SEEDS)
def test_money_is_conserved(table, reps, seed):
    for wk in play(table, reps, seed):
        check_money(wk)


@SETTINGS
@given(table=scenario_tables(), reps=REPS, seed=SEEDS)
def test_bounds_and_units(table, reps, seed):
    for wk in play(table, reps, seed):
        check_bounds(wk)


@SETTINGS
@given(table=scenario_tables(), reps=REPS, seed=SEEDS)
def test_insolvency_rule_holds(table, reps, seed):
    for wk in play(table, reps, seed):
        check_credit(wk)


@settings(SETTINGS, max_examples=max(10, EXAMPLES * 2 // 5))
@given(table=scenario_tables(), reps=st.integers(2, 3), seed=SEEDS)
def test_history_reconciles(table, reps, seed):
    check_history(table, seed, reps)


@SETTINGS
@given(table=scenario_tables(), reps=REPS, seed=SEEDS)
def test_source_ships_in_full(table, reps, seed):
    for wk in play(table, reps, seed):
        check_source(wk)


def test_source_never_owes():
    """The source always ships in full, so a scenario may not start it with a backlog."""
    table = {"weeks": 5, "firms": {"f0": {"role": "retailer"}},
             "links": [{"supplier": "source", "customer": "f0", "backlog": 1}]}
    with pytest.raises(chaingame.ScenarioError, match=r"^links\.0\.backlog: 1 on a link from \"source\""):
        chaingame.from_table(table)


@pytest.mark.parametrize("seed", range(40))
def test_seeded_sweep(seed):
    """Goods, money, bounds and history checks on the plain generator's scenarios (no hypothesis)."""
    table = random_scenario_table(seed)
    for wk in play(table, 3, seed):
        check_goods(wk)
        check_money(wk)
        check_credit(wk)
        check_bounds(wk)
    check_history(table, seed, 2)


def test_classic_conserves():
    table = dict(chaingame.load_scenario("classic").table)
    for wk in play(table, 2, 7):
        check_all(wk)
    check_history(table, 7, 2)


def test_cash_conserves():
    table = dict(chaingame.load_scenario("cash").table)
    for wk in play(table, 2, 7):
        check_all(wk)
    check_history(table, 7, 2)


def test_promotions_conserves():
    table = dict(chaingame.load_scenario("promotions").table)
    for wk in play(table, 3, 7):
        check_all(wk)
    check_history(table, 7, 2)
