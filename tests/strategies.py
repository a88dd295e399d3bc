"""Random valid scenario tables for property tests.

One generator, two drivers:

- :func:`random_scenario_table` draws from a ``numpy.random.Generator`` (or an int seed) and needs
  no hypothesis, e.g. for seeded sweeps or benchmarks;
- :func:`scenario_tables` is the hypothesis strategy; every choice is a separate hypothesis draw,
  so a failing scenario shrinks towards fewer firms, fewer links, shorter delays, smaller numbers
  and the first option of every choice (constant demand, pass-through orders, backlog, ...).

The tables are plain dicts/lists of ``str``, ``bool``, ``int`` and ``float`` (as read from TOML)
and always pass :func:`chaingame.from_table`. Networks are acyclic by construction: firms sit in
tiers (tier 0 = retailers at the bottom) and every link goes from a higher tier, or from
``"source"``, to a lower one.

Options (keyword arguments of both drivers) narrow the space, for tests that need it:
``max_firms`` (at most this many firms, default 8), ``min_weeks``/``max_weeks`` (the horizon's
bounds, default 5 to 30), ``returns`` (False: no firm may return goods to the source) and
``random_demand`` (False: deterministic demand only, constant, step or trace) and
``random_delays`` (False: every shipping delay a fixed number of weeks; by default about one link
in four draws its delay from a distribution, ``shipping_delay = {weeks = [...], p = [...]}``) and
``assembly`` (True: every producer supplied by firms assembles by bill of materials; by default
about one scenario in three gives some of them one). Order batching (review periods and phases,
minimum orders, packs), price schedules and then bills of materials are drawn last, after
everything else, and after them the money rules (``money``, default True: payment delays and the
invoices outstanding, credit limits, interest and deposit rates, the insolvency rule and the
``cash_base_stock`` rule for some firms).

Allocation rules (top level and per firm) and vendor-managed links (``vmi``, on a firm's only
supplier link from another firm) are drawn too.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

NON_RETAILER_ROLES = ("wholesaler", "distributor", "manufacturer", "supplier")
PRODUCER_ROLES = ("manufacturer", "supplier")
DEMAND_PROCESSES = ("constant", "step", "normal", "uniform", "poisson", "ar1", "seasonal", "trace")
ALLOCATION_RULES = ("proportional", "priority", "uniform", "turn_and_earn")
ORDER_RULES = ("pass_through", "base_stock", "sterman", "moving_average", "smoothing", "ar1", "forward_buy",
               "gaming")
NEGATIVE_CAPABLE = ("moving_average", "smoothing", "ar1")  # may return orders < 0 (signal "orders")


# --------------------------------------------------------------------------------------------
# choosers: the only source of randomness of the generator


class RngChooser:
    """Choices from a numpy Generator."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng

    def integer(self, lo: int, hi: int) -> int:
        return int(self.rng.integers(lo, hi + 1))

    def real(self, lo: float, hi: float) -> float:
        return float(self.rng.uniform(lo, hi))

    def boolean(self, p: float = 0.5) -> bool:
        return bool(self.rng.random() < p)

    def choice(self, options: Sequence[Any]) -> Any:
        return options[int(self.rng.integers(len(options)))]


class DrawChooser:
    """Choices from hypothesis' ``draw`` (shrinks towards lo, False and the first option)."""

    def __init__(self, draw):
        from hypothesis import strategies as st

        self.draw = draw
        self.st = st

    def integer(self, lo: int, hi: int) -> int:
        return self.draw(self.st.integers(lo, hi))

    def real(self, lo: float, hi: float) -> float:
        return self.draw(self.st.floats(lo, hi, allow_nan=False, allow_infinity=False))

    def boolean(self, p: float = 0.5) -> bool:  # p ignored: hypothesis explores both
        return self.draw(self.st.booleans())

    def choice(self, options: Sequence[Any]) -> Any:
        return self.draw(self.st.sampled_from(list(options)))


# --------------------------------------------------------------------------------------------
# the generator


class _Gen:
    def __init__(self, c, *, max_firms=8, min_weeks=5, max_weeks=30, returns=True, random_demand=True,
                 random_delays=True, assembly=False, money=True):
        self.c = c
        self.assembly_always = assembly
        self.money = money
        self.random_delays = random_delays
        self.max_firms = max_firms
        self.min_weeks = min_weeks
        self.max_weeks = max_weeks
        self.allow_returns = returns
        self.random_demand = random_demand

    # quantities: whole numbers when the scenario counts whole units, else any non-negative real
    def qty(self, hi: float) -> int | float:
        c = self.c
        if self.whole or c.boolean():
            return c.integer(0, int(hi))
        return round(c.real(0, hi), 3)

    def maybe(self, table: dict, key: str, value_fn) -> None:
        """Set ``table[key]`` sometimes (else the scenario's default applies)."""
        if self.c.boolean():
            table[key] = value_fn()

    def seq(self, n: int, hi: float) -> list | int | float:
        """A list of n quantities, or a scalar standing for n equal values."""
        if self.c.boolean():
            return self.qty(hi)
        return [self.qty(hi) for _ in range(n)]

    def build(self) -> dict:
        c = self.c
        self.weeks = c.integer(self.min_weeks, self.max_weeks)
        self.whole = not c.boolean()  # shrinks to whole units (the default)
        information = c.choice(("silo", "pos", "full"))
        raw: dict[str, Any] = {"weeks": self.weeks, "seed": c.integer(0, 2**31)}
        if information != "silo" or c.boolean():
            raw["information"] = information
        allocation = self.allocation()
        if allocation != "proportional" or c.boolean():
            raw["allocation"] = allocation
        raw["whole_units"] = self.whole
        self.information = information
        raw["demand"] = self.demand()

        # tiers: tier 0 are retailers; each tier has at least one firm
        n = c.integer(1, self.max_firms)
        n_tiers = c.integer(1, min(n, 5))
        tier_of = list(range(n_tiers)) + [c.integer(0, n_tiers - 1) for _ in range(n - n_tiers)]
        names = [f"f{i}" for i in range(n)]
        roles = []
        for tier in tier_of:
            if tier == 0:
                roles.append("retailer")
            elif c.integer(0, 9) == 0:
                roles.append("retailer")  # a retailer that also supplies other firms
            else:
                roles.append(c.choice(NON_RETAILER_ROLES))

        # links: every firm gets 1-3 suppliers from higher tiers or the source
        pairs: list[tuple[str, str]] = []
        for i in range(n):
            ups = ["source"] + [names[j] for j in range(n) if tier_of[j] > tier_of[i]]
            k = c.integer(1, min(3, len(ups)))
            chosen = []
            for _ in range(k):
                s = c.choice(ups)
                if s not in chosen:
                    chosen.append(s)
            pairs += [(s, names[i]) for s in chosen]
        # every non-retailer needs a customer in a lower tier
        for j in range(n):
            if roles[j] != "retailer" and not any(s == names[j] for s, _ in pairs):
                lower = [names[i] for i in range(n) if tier_of[i] < tier_of[j]]
                pairs.append((names[j], c.choice(lower)))
        # shuffle the order of links and firms (the engine must not depend on it)
        pairs = self.shuffled(pairs)
        order = self.shuffled(list(range(n)))

        # returns: only firms supplied by the source alone, on all their links
        returning = set()
        if self.allow_returns:
            for i in range(n):
                ins = [s for s, cu in pairs if cu == names[i]]
                if all(s == "source" for s in ins) and c.integer(0, 2) == 0:
                    returning.add(names[i])

        links = [self.link(s, cu, cu in returning) for s, cu in pairs]
        for lk in links:  # vendor-managed: on a firm's only supplier link, from a firm
            if lk["supplier"] != "source" and sum(cu == lk["customer"] for _, cu in pairs) == 1 \
                    and c.integer(0, 3) == 0:
                lk["vmi"] = self.vmi()
        defaults = {}
        if c.boolean():
            defaults = self.firm_fields(role=None, returning=False)
        raw["defaults"] = defaults
        firms = {}
        for i in order:
            firms[names[i]] = self.firm(roles[i], names[i] in returning, defaults)
        raw["firms"] = firms
        raw["links"] = links
        for name, f in firms.items():  # AR(1) covers whole weeks: the mean of a random delay may not be
            rule = f.get("policy", defaults.get("policy"))
            supply = next(lk for lk in links if lk["customer"] == name)
            ar1 = rule and (rule["rule"] == "ar1" or rule["rule"] == "gaming" and rule.get("base") == "ar1")
            if ar1 and "lead_time" not in rule and isinstance(
                    supply.get("shipping_delay"), dict):
                f["policy"] = {**rule, "lead_time": 2}
        if c.boolean():  # drawn last, so that every earlier draw stays what it was
            self.batching(raw)
        for lk in links:  # drawn last, so that the draws before them are those of a scenario without prices
            if c.boolean():
                lk["price_schedule"] = self.price_schedule()
        if self.assembly_always or c.integer(0, 2) == 0:  # drawn last: the draws before are those without assembly
            self.assembly(raw)
        if self.money and c.boolean():  # drawn last of all: the draws before are those of a scenario without money
            self.money_rules(raw)
        return raw

    def allocation(self) -> str | dict:
        """An allocation rule: a name, or turn-and-earn's table with its weeks."""
        c = self.c
        rule = c.choice(ALLOCATION_RULES)
        if rule == "turn_and_earn" and c.boolean():
            return {"rule": rule, "weeks": c.integer(1, 6)}
        return rule

    def vmi(self) -> bool | dict:
        """A VMI link's rule: true (base stock at the customer's starting position) or a rule table."""
        c = self.c
        kind = c.choice(("true", "level", "sterman", "pass_through"))
        if kind == "true":
            return True
        if kind == "level":
            return {"level": self.qty(30)}
        if kind == "sterman":
            return {"rule": "sterman", "beta": c.choice((1.0, 0.34, 0)), "s_prime": self.qty(30)}
        return {"rule": "pass_through"}

    def assembly(self, raw: dict) -> None:
        """Give some producers supplied by firms a bill of materials over their firm suppliers (their
        links from the source, if any, are dropped; a component comes from a firm; no shares)."""
        c, links, defaults = self.c, raw["links"], raw["defaults"]
        for name, f in raw["firms"].items():
            plant = f.get("production", defaults.get("production") if f["role"] in PRODUCER_ROLES else None)
            ins = [lk for lk in links if lk["customer"] == name]
            ups = [lk["supplier"] for lk in ins if lk["supplier"] != "source"]
            if plant is None or not ups or (not self.assembly_always and c.boolean()):
                continue
            units = (1, 2, 3) if self.whole else (1, 2, 0.5, 1.5)
            f["production"] = {**plant, "bom": {s: c.choice(units) for s in ups}}
            raw["links"] = links = [lk for lk in links if not (lk["customer"] == name and lk["supplier"] == "source")]
            for lk in links:
                if lk["customer"] == name:
                    lk.pop("share", None)
            rule = f.get("policy", defaults.get("policy"))
            supply = next(lk for lk in links if lk["customer"] == name)
            ar1 = rule and (rule["rule"] == "ar1" or rule["rule"] == "gaming" and rule.get("base") == "ar1")
            if ar1 and "lead_time" not in rule and isinstance(supply.get("shipping_delay"), dict):
                f["policy"] = {**rule, "lead_time": 2}


    def money_rules(self, raw: dict) -> None:
        """Payment terms, credit limits, interest, insolvency rules and the cash-aware rule."""
        c = self.c
        for lk in raw["links"]:
            if c.boolean():
                n = c.integer(0, 3)
                lk["payment_delay"] = n
                self.maybe(lk, "payments", lambda n=n: self.seq(n, 40))
        for f in raw["firms"].values():
            if c.boolean():
                f["credit_limit"] = c.choice((0, 50, 200, math.inf, 12.5))
            self.maybe(f, "interest_rate", lambda: c.choice((0.01, 0, 0.1, 0.002)))
            self.maybe(f, "deposit_rate", lambda: c.choice((0.005, 0, 0.05)))
            self.maybe(f, "insolvency", lambda: c.choice(("cap", "stop")))
            if c.integer(0, 3) == 0:
                p = {"rule": "cash_base_stock", "level": self.qty(40)}
                self.maybe(p, "credit", lambda: c.choice((0, 20, 100)))
                f["policy"] = p

    def batching(self, raw: dict) -> None:
        """Order batching: review periods and phases, minimum orders, packs, a review_phases mode."""
        c = self.c
        for f in raw["firms"].values():
            if c.boolean():
                period = c.integer(1, 6)
                f["review_period"] = period
                self.maybe(f, "review_phase", lambda p=period: c.integer(0, p - 1))
            self.maybe(f, "min_order", lambda: self.qty(12))
            self.maybe(f, "pack", lambda: c.integer(1, 6) if self.whole else c.choice((0.5, 2, 0.25, 3, 1.5)))
        self.maybe(raw, "review_phases", lambda: c.choice(("staggered", "synchronized", "random")))

    def price_schedule(self) -> list[dict]:
        """A few entries of distinct weeks (some past the horizon, where they never come) at a price."""
        c = self.c
        used: set[int] = set()
        out = []
        for _ in range(c.integer(0, 3)):
            weeks = []
            for _ in range(c.integer(1, 4)):
                w = c.integer(1, self.weeks + 2)
                if w not in used:
                    used.add(w)
                    weeks.append(w)
            if weeks:
                out.append({"weeks": weeks, "price": self.qty(6) if c.boolean() else round(c.real(0, 12), 2)})
        return out

    def shuffled(self, items: list) -> list:
        items = list(items)
        out = []
        while items:
            out.append(items.pop(self.c.integer(0, len(items) - 1)))
        return out

    def demand(self) -> dict:
        c = self.c
        kinds = DEMAND_PROCESSES if self.random_demand else ("constant", "step", "trace")
        kind = c.choice(kinds)
        if kind == "constant":
            return {"process": kind, "level": self.qty(12)}
        if kind == "step":
            return {"process": kind, "initial": self.qty(12), "final": self.qty(16),
                    "week": c.integer(1, self.weeks)}
        if kind == "normal":
            d = {"process": kind, "mean": self.qty(12)}
            self.maybe(d, "sd", lambda: self.qty(5))
            return d
        if kind == "uniform":
            lo = c.integer(0, 8)
            return {"process": kind, "low": lo, "high": lo + c.integer(0, 8)}
        if kind == "poisson":
            return {"process": kind, "mean": self.qty(12)}
        if kind == "ar1":
            d = {"process": kind, "mean": self.qty(12)}
            self.maybe(d, "rho", lambda: round(c.real(-0.9, 0.95), 3))
            self.maybe(d, "sd", lambda: self.qty(5))
            return d
        if kind == "seasonal":
            d = {"process": kind, "mean": self.qty(12), "period": c.integer(1, 20)}
            self.maybe(d, "amplitude", lambda: self.qty(8))
            self.maybe(d, "sd", lambda: self.qty(3))
            return d
        return {"process": "trace", "values": [self.qty(12) for _ in range(self.weeks + c.integer(0, 3))]}

    def link(self, supplier: str, customer: str, returns: bool) -> dict:
        c = self.c
        from_source = supplier == "source"
        lk: dict[str, Any] = {"supplier": supplier, "customer": customer}
        od = c.integer(1, 4)
        sd = c.integer(0 if from_source else 1, 4)
        if od != 1 or c.boolean():
            lk["order_delay"] = od
        if sd != (0 if from_source else 1) or c.boolean():
            lk["shipping_delay"] = sd
        self.maybe(lk, "orders", lambda: self.seq(od, 10))
        if sd:
            self.maybe(lk, "shipments", lambda: self.seq(sd, 10))
        if not from_source:
            self.maybe(lk, "backlog", lambda: self.qty(6))
        self.maybe(lk, "price", lambda: self.qty(6))
        self.maybe(lk, "share", lambda: c.choice((1, 2, 0.5, 3, 1.5)))
        self.maybe(lk, "priority", lambda: c.integer(0, 3))
        if returns:
            lk["returns"] = True
        elif from_source and c.integer(0, 4) == 0:
            lk["returns"] = False
        if self.random_delays and c.integer(0, 3) == 3:  # shrinks towards a fixed delay
            self.random_delay(lk, from_source)
        return lk

    def random_delay(self, lk: dict, from_source: bool) -> None:
        """Make a link's shipping delay a distribution (its initial pipeline to match)."""
        c = self.c
        weeks: list[int] = []
        for _ in range(c.integer(1, 3)):  # distinct weeks in the order drawn; one week: a fixed delay as a table
            w = c.integer(0 if from_source else 1, 4)
            if w not in weeks:
                weeks.append(w)
        weights = [c.integer(0 if len(weeks) > 1 else 1, 3) for _ in weeks]
        if not any(weights):
            weights[0] = 1
        delay: dict[str, Any] = {"weeks": weeks, "p": [x / sum(weights) for x in weights]}
        if c.boolean():
            delay["crossing"] = c.boolean()
        lk["shipping_delay"] = delay
        lk.pop("shipments", None)
        if c.boolean():
            # a number stands for its steady pipeline, whole only by luck: continuous quantities only
            lk["shipments"] = self.qty(10) if not self.whole and c.boolean() else \
                [self.qty(10) for _ in range(max(weeks))]

    def firm_fields(self, role: str | None, returning: bool) -> dict:
        """Optional fields of a firm (or of [defaults] when role is None)."""
        c = self.c
        f: dict[str, Any] = {}
        self.maybe(f, "inventory", lambda: self.qty(20))
        self.maybe(f, "cash", lambda: round(c.real(-100, 100), 2))
        self.maybe(f, "holding_cost", lambda: c.choice((0.5, 0, 1, 0.25, 2)))
        self.maybe(f, "backlog_cost", lambda: c.choice((1.0, 0, 2, 0.75)))
        self.maybe(f, "lost_sales_cost", lambda: c.choice((0, 1, 3, 0.5)))
        self.maybe(f, "order_cost", lambda: c.choice((0, 5, 1.5)))
        self.maybe(f, "price", lambda: self.qty(10))
        self.maybe(f, "unmet", lambda: c.choice(("backlog", "lost")))
        if c.boolean():
            f["fixed_orders"] = [self.qty(10) for _ in range(c.integer(0, min(6, self.weeks)))]
        self.maybe(f, "last_order", lambda: self.qty(10))
        if c.boolean():
            f["policy"] = self.policy(returning)
        if role is not None and c.integer(0, 3) == 0:
            f["allocation"] = self.allocation()  # its own, over the scenario's
        return f

    def policy(self, returning: bool) -> dict:
        c = self.c
        rules = ORDER_RULES
        if returning and c.boolean():
            rules = NEGATIVE_CAPABLE  # make negative orders (returns) likely
        rule = c.choice(rules)
        if rule == "gaming":  # a base rule's table, inflated: its parameters sit beside base and max_inflation
            p = self.policy_of(c.choice(ORDER_RULES[:-1]), returning)
            p = {"rule": "gaming", "base": p.pop("rule"), **p}
            self.maybe(p, "max_inflation", lambda: c.choice((3, 1, 1.5, 10)))
            return p
        return self.policy_of(rule, returning)

    def policy_of(self, rule: str, returning: bool) -> dict:
        c = self.c
        p: dict[str, Any] = {"rule": rule}
        if rule == "base_stock":
            p["level"] = self.qty(40)
        elif rule == "sterman":
            self.maybe(p, "theta", lambda: round(c.real(0, 1), 3))
            self.maybe(p, "alpha_s", lambda: round(c.real(0, 1), 3))
            self.maybe(p, "beta", lambda: round(c.real(0, 1), 3))
            self.maybe(p, "s_prime", lambda: self.qty(40))
            self.maybe(p, "expected", lambda: self.qty(10))
            self.signal(p, returning)
        elif rule == "forward_buy":
            p["mean"] = self.qty(10)
            self.maybe(p, "fraction", lambda: c.choice((1, 0.5, 0, 0.25)))
            self.maybe(p, "holding_cost", lambda: c.choice((0.5, 0, 1, 0.1)))
            self.maybe(p, "level", lambda: self.qty(40))
            self.maybe(p, "horizon", lambda: c.integer(1, 13))
        elif rule in ("moving_average", "smoothing", "ar1"):
            if rule == "moving_average":
                self.maybe(p, "p", lambda: c.integer(1, 6))
            elif rule == "smoothing":
                self.maybe(p, "alpha", lambda: c.choice((0.2, 1.0, 0.5, 0.05)))
            else:
                p["rho"] = c.choice((0.5, -0.3, 0.0, 0.9))
                p["mean"] = self.qty(10)
            leads = (2, 0, 1, 3, 6) if rule == "ar1" else (2, 0, 1, 3.5, 6)  # ar1: whole weeks
            self.maybe(p, "lead_time", lambda: c.choice(leads))
            if rule != "ar1":
                self.maybe(p, "z", lambda: c.choice((0, 1, 2.5)))
            self.signal(p, returning)
        return p

    def signal(self, p: dict, returning: bool) -> None:
        """A forecasting rule's signal: end-customer demand sometimes, where the firm sees it."""
        c = self.c
        signal = "demand" if self.information != "silo" and not returning and c.boolean() else "orders"
        if signal == "demand" or c.boolean():
            p["signal"] = signal

    def firm(self, role: str, returning: bool, defaults: dict) -> dict:
        c = self.c
        f = {"role": role, **self.firm_fields(role, returning)}
        if returning and "policy" not in f and "policy" in defaults:
            # the default policy may be a demand-signal rule; returns need an orders signal to go < 0
            f["policy"] = self.policy(True)
        if role == "retailer":
            self.maybe(f, "backlog", lambda: self.qty(6))
            if c.boolean():
                f["demand"] = self.demand()
        if role in PRODUCER_ROLES and c.integer(0, 4) > 0:
            f["production"] = self.production()
        return f

    def production(self) -> dict:
        c = self.c
        d = c.integer(0, 3)
        p: dict[str, Any] = {}
        if d != 1 or c.boolean():
            p["delay"] = d
        if d:
            self.maybe(p, "wip", lambda: self.seq(d, 8))
        self.maybe(p, "raw", lambda: self.qty(10))
        finite = c.boolean()
        if finite:
            p["capacity"] = self.qty(15)
            self.maybe(p, "capacity_cost", lambda: c.choice((0, 0.1, 1)))
        elif c.boolean():
            p["capacity"] = math.inf
        self.maybe(p, "capacity_delay", lambda: c.integer(1, 3))
        self.maybe(p, "unit_cost", lambda: c.choice((0, 1, 0.5)))
        if c.boolean():
            rule = c.choice(("fixed", "track"))
            pol: dict[str, Any] = {"rule": rule}
            if rule == "track":
                self.maybe(pol, "theta", lambda: c.choice((0.25, 1.0, 0.5)))
                self.maybe(pol, "margin", lambda: c.choice((0.1, 0, 0.5)))
                self.maybe(pol, "backlog_weeks", lambda: c.choice((4.0, 1, 0.5)))
            p["policy"] = pol
        return p


def _generate(chooser, **options) -> dict:
    return _Gen(chooser, **options).build()


def random_scenario_table(rng: np.random.Generator | int | None = None, **options) -> dict:
    """A random valid scenario table for :func:`chaingame.from_table`, drawn from ``rng``.

    ``rng`` is a numpy Generator or an int seed. See the module docstring for ``options``.
    """
    if not isinstance(rng, np.random.Generator):
        rng = np.random.default_rng(rng)
    return _generate(RngChooser(rng), **options)


def scenario_tables(**options):
    """Hypothesis strategy of random valid scenario tables (see the module docstring)."""
    from hypothesis import strategies as st

    @st.composite
    def tables(draw):
        return _generate(DrawChooser(draw), **options)

    return tables()


def scenarios(**options):
    """Hypothesis strategy of validated :class:`chaingame.Scenario` objects."""
    import chaingame

    return scenario_tables(**options).map(chaingame.from_table)
