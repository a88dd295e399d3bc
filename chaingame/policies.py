"""Decision rules: a firm's observation -> its order (and, for producers, a capacity target).

Rules are written once on arrays of shape (R,), so the same code decides for one Mesa agent and
for ten thousand replications at once. A rule keeps what it must remember between weeks in a
``memory`` dict that the engine holds for each firm (one per run), so a rule object carries only
its parameters and may be shared between firms. Rules see nothing but the firm's
:class:`~chaingame.observe.Observation`.

Orders returned here may be fractional or negative; the physics makes them orders
(:func:`chaingame.chain.accepted_orders`: whole units where the scenario counts whole units,
floored at 0 unless the firm may return goods).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import partial
from typing import Any, ClassVar

import numpy as np

from . import lazy
from .chain import counted
from .checks import ScenarioError, choice, number, show, table
from .information import Information, covering, covers
from .observe import Observation
from .prices import ANNOUNCED

SIGNALS = ("orders", "demand")  # what a forecasting rule smooths: its incoming orders, or end-customer demand
_rules = partial(lazy.compiled, "rulekernel")  # the compiled rules, imported on a rule's first decision


def _run(kernel, *args) -> None:
    """:func:`chaingame.lazy.call` of a rule's kernel (float arrays) on (R,) or (n, R) arrays, each seen as (n, R)."""
    lazy.call(kernel, [a.reshape(1, -1) if isinstance(a, np.ndarray) and a.ndim == 1 else a for a in args], float)


@dataclass(frozen=True)
class Rule:
    """Base class of order and capacity rules: named parameters with checked bounds."""

    name: ClassVar[str] = ""
    bounds: ClassVar[dict[str, dict]] = {}  # parameter -> keyword bounds for checks.number
    needs: ClassVar[Information] = Information.SILO  # the least information mode the rule reads
    # a stackable rule computes each element of its result from the same element of the observation's own
    # books alone, and writes none of them: the array engine may then decide for several firms with the
    # same rule at once, on an observation whose arrays are (n, R), their rows (chaingame.engine.Engine.step)
    stackable: ClassVar[bool] = False

    def __post_init__(self):
        self.check(type(self).__name__)

    def check(self, path: str) -> None:
        """Raise :class:`ScenarioError` naming ``path.param`` for a parameter out of bounds."""
        for key, bounds in self.bounds.items():
            value = getattr(self, key)
            if value is not None:
                object.__setattr__(self, key, number(value, f"{path}.{key}", **bounds))
        if hasattr(self, "signal"):
            choice(self.signal, f"{path}.signal", SIGNALS)

    def check_information(self, mode: str, path: str) -> None:
        """Raise :class:`ScenarioError` if information mode ``mode`` does not show what the rule reads.

        Args:
            mode: the scenario's information mode.
            path: where the rule was given, e.g. ``firms.retailer.policy``; a rule with a ``signal``
                is named by ``path.signal``, the parameter that asks for the information.
        """
        if covers(mode, self.needs):
            return
        where, what = (f"{path}.signal", show(self.signal)) if hasattr(self, "signal") else (path, type(self).__name__)
        allowed = " or ".join(show(m) for m in covering(self.needs))
        raise ScenarioError(where, f"{what} needs more information than {show(mode)} (allowed: {allowed})")

    @classmethod
    def from_table(cls, raw: Mapping[str, Any], path: str, **defaults: Any) -> Rule:
        """Build the rule from its scenario table (``rule`` plus parameters)."""
        params = [f.name for f in fields(cls)]
        table(raw, path, ["rule", *params])
        values = {**{k: v for k, v in defaults.items() if k in params},
                  **{k: v for k, v in raw.items() if k != "rule"}}
        for key, bounds in cls.bounds.items():
            if values.get(key) is not None:
                values[key] = number(values[key], f"{path}.{key}", **bounds)
            elif key in raw and _default(cls, key) is not None:  # None (from Python or JSON) where a number is due
                number(None, f"{path}.{key}", **bounds)
        for key in params:
            if key not in values and not _has_default(cls, key):
                raise ScenarioError(f"{path}.{key}", "is missing (required)")
        if "signal" in values:
            choice(values["signal"], f"{path}.signal", SIGNALS)
        try:
            return cls(**values)
        except ScenarioError as e:  # a cross-field check: name it under this table's path
            raise ScenarioError(f"{path}.{e.path.split('.', 1)[-1]}", str(e).split(": ", 1)[1]) from None


def _has_default(cls, key):
    from dataclasses import MISSING

    f = next(f for f in fields(cls) if f.name == key)
    return f.default is not MISSING or f.default_factory is not MISSING


def _default(cls, key):
    """The field's default value; ``dataclasses.MISSING`` where it has none (or a factory)."""
    return next(f for f in fields(cls) if f.name == key).default


class Policy(Rule):
    """An ordering rule: ``decide(observation, memory) -> order`` (R,)."""

    def decide(self, obs: Observation, memory: dict) -> np.ndarray:
        """The order (R,) of each replication this week, from the firm's observation and its memory.

        Args:
            obs: what the firm sees this week (:func:`chaingame.observe.observe_all`).
            memory: the rule's own state, kept between weeks for this firm (empty in week 1).
        """
        raise NotImplementedError


@dataclass(frozen=True)
class Sterman(Policy):
    """Anchoring and adjustment (Sterman 1989, eqs. 10-15).

    O_t = max(0, round(L̂_t + α_S (S' − S_t − β SL_t))),  L̂_t = θ L_t + (1 − θ) L̂_{t−1},
    with L_t this week's incoming order, S_t = on hand − backlog, SL_t the supply line, and
    L̂_0 = ``expected`` (default: the first week's incoming order).

    With ``signal = "demand"`` (point-of-sale data shared, Lee, Padmanabhan & Whang 1997) L_t is
    instead the end-customer demand the firm sees this week (``Observation.demand``: the demand of
    the retailers it serves), and L̂_0 defaults to the first week's demand observed. The stock and
    supply-line terms are the firm's own, as with ``"orders"``.

    Args:
        theta: θ, weight of the latest incoming order in the expectation (0 to 1).
        alpha_s: α_S, fraction of the stock gap ordered each week (0 to 1).
        beta: β, weight given to the supply line (0 to 1; 1 counts it fully).
        s_prime: S', desired stock plus β times the desired supply line (units).
        expected: L̂_0, the initial expectation of incoming orders (units/week).
        signal: "orders" (own incoming orders) or "demand" (end-customer demand, needs POS data).
    """

    theta: float = 0.36
    alpha_s: float = 0.26
    beta: float = 0.34
    s_prime: float = 17.0
    expected: float | None = None
    signal: str = "orders"
    name: ClassVar[str] = "sterman"
    stackable: ClassVar[bool] = True
    bounds: ClassVar = {"theta": dict(low=0, high=1), "alpha_s": dict(low=0, high=1),
                        "beta": dict(low=0, high=1), "s_prime": dict(low=0), "expected": dict(low=0)}

    @property
    def needs(self) -> Information:
        """POS with ``signal = "demand"`` (it reads end-customer demand), else SILO."""
        return Information.POS if self.signal == "demand" else Information.SILO

    def decide(self, obs, memory):
        """O_t = max(0, round(L̂_t + α_S (S' − S_t − β SL_t))), rounded half up."""
        x = obs.demand if self.signal == "demand" else obs.incoming
        fresh = "expected" not in memory  # the first decision: L̂ starts at ``expected``, or at the signal
        if fresh:
            memory["expected"] = np.empty(x.shape)
        out = np.empty(x.shape)
        _run(_rules().sterman, x, obs.inventory, obs.backlog, obs.on_order, memory["expected"], self.theta,
             self.alpha_s, self.beta, self.s_prime, fresh, self.start, out)
        return out

    @property
    def start(self) -> float:
        """Where L̂ starts (:func:`chaingame.rulekernel.sterman`): ``expected``, or NaN: at the first signal."""
        return np.nan if self.expected is None else float(self.expected)


@dataclass(frozen=True)
class BaseStock(Policy):
    """Order up to a fixed inventory position: O_t = max(0, S − (on hand − backlog + supply line)).

    Optimal for a serial chain with echelon levels (Clark & Scarf 1960); see
    :mod:`chaingame.basestock` for the levels.

    Args:
        level: S, the base-stock (order-up-to) level of the inventory position (units).
    """

    level: float = 0.0
    name: ClassVar[str] = "base_stock"
    stackable: ClassVar[bool] = True
    bounds: ClassVar = {"level": dict(low=0)}

    def decide(self, obs, memory):
        """O_t = max(0, S − IP_t), IP_t the inventory position."""
        out = np.empty(obs.inventory.shape)
        _run(_rules().base_stock, obs.inventory, obs.backlog, obs.on_order, self.level, out)
        return out


@dataclass(frozen=True)
class CashBaseStock(Policy):
    """Order up to a level, but never more than the firm can pay: a working-capital base-stock rule.

    O_t = min(max(0, S − IP_t), max(0, M_t) / p_t), where IP_t is the inventory position, p_t the
    price of an order placed now and M_t the money the firm may commit: its cash plus the credit
    it allows itself, less its payables and the value of its open orders, and never more than the
    physics lets it commit (``Observation.can_pay``). In the spirit of the working-capital
    dependent base-stock policies of Luo & Shang (2015), optimal for a cash-constrained firm with
    trade credit; the rule of Kevin Shang's Cash Beer Game.

    On a scenario without money rules (no payables, no commitments seen) the money is cash + credit.

    Args:
        level: S, the base-stock level of the inventory position (units).
        credit: $ of borrowing the rule allows itself on top of its cash (inf: as much as its credit
            limit allows; 0: pay from its own cash only).

    References:
        Luo, W. & Shang, K. (2015). Joint inventory and cash management for multidivisional supply
        chains. Operations Research 63(5): 1098-1116.
    """

    level: float = 0.0
    credit: float = math.inf
    name: ClassVar[str] = "cash_base_stock"
    bounds: ClassVar = {"level": dict(low=0), "credit": dict(low=0, allow_inf=True)}

    def decide(self, obs, memory):
        """Order up to ``level``, cut to what the firm can pay (see the class docstring)."""
        want = np.maximum(0.0, self.level - obs.position)
        owed = 0.0 if obs.payables is None else obs.payables + obs.committed
        with np.errstate(invalid="ignore"):
            funds = obs.cash + self.credit - owed
        funds = np.where(np.isinf(self.credit), np.inf, funds)
        if obs.can_pay is not None:
            funds = np.minimum(funds, obs.can_pay)
        price = np.asarray(obs.price, float)
        most = np.divide(np.maximum(funds, 0.0), price, out=np.full_like(want, np.inf), where=price > 0)
        return np.minimum(want, np.floor(counted(most)))


@dataclass(frozen=True)
class PassThrough(Policy):
    """Order what was ordered: O_t = L_t (the 'pass-through' or lot-for-lot rule)."""

    name: ClassVar[str] = "pass_through"

    def decide(self, obs, memory):
        """O_t = L_t, this week's incoming order."""
        return obs.incoming.astype(float, copy=True)


class _OrderUpTo(Policy):
    """Order-up-to with a forecast: y_t = L μ̂_t + z σ̂_t (Chen, Drezner, Ryan & Simchi-Levi 2000).

    With ``signal = "orders"`` the forecast is of the firm's incoming orders and the order tops the
    firm's inventory position up to y_t. With ``signal = "demand"`` (POS data shared) the forecast is
    of end-customer demand and the level is an *echelon* level: the order is
    q_t = y_t − y_{t−1} + D_t (Chen et al. 2000, centralized), tracked as an echelon position.
    The firm cannot see the stock below it, so it counts that position from its own orders and the
    demand, taking the chain to start at the level (y at its first decision), as the paper does; a
    chain started elsewhere keeps the difference for good.
    """

    def _forecast(self, x: np.ndarray, memory: dict) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError

    def _level(self, x: np.ndarray, memory: dict) -> np.ndarray:
        """The order-up-to level y_t from this week's observation x_t."""
        mean, sd = self._forecast(x, memory)
        return self.lead_time * mean + (self.z * sd if self.z else 0.0)

    @property
    def needs(self) -> Information:
        return Information.POS if self.signal == "demand" else Information.SILO

    def decide(self, obs, memory):
        x = obs.demand if self.signal == "demand" else obs.incoming
        target = self._level(np.asarray(x, float), memory)
        if self.signal == "orders":
            return target - obs.position
        if "echelon" not in memory:
            memory["echelon"] = target - x
        else:
            memory["echelon"] += obs.last_order - x
        return target - memory["echelon"]


@dataclass(frozen=True)
class MovingAverageOrderUpTo(_OrderUpTo):
    """Order-up-to with a p-week moving-average forecast (Chen et al. 2000).

    Bullwhip with iid demand, z = 0: Var(q)/Var(D) = 1 + 2L/p + 2L²/p².

    Args:
        p: weeks in the moving average (>= 1; the window starts full of the first observation).
        lead_time: L, weeks of demand the level covers (scenario default: order + shipping delay,
            plus review_period - 1 for a firm that orders only every review_period weeks).
        z: safety factor on the moving standard deviation (0: none).
        signal: "orders" (own incoming orders) or "demand" (end-customer demand, needs POS data).
    """

    p: int = 5
    lead_time: float = 2.0
    z: float = 0.0
    signal: str = "orders"
    name: ClassVar[str] = "moving_average"
    bounds: ClassVar = {"p": dict(low=1, integer=True), "lead_time": dict(low=0), "z": dict(low=0)}

    def _forecast(self, x, memory):
        if "window" not in memory:
            memory["window"] = np.repeat(x[None, :], self.p, axis=0)
            memory["next"] = 0
        window = memory["window"]
        window[memory["next"]] = x
        memory["next"] = (memory["next"] + 1) % self.p
        sd = window.std(axis=0, ddof=1) if self.z and self.p > 1 else 0.0
        return window.mean(axis=0), sd


@dataclass(frozen=True)
class SmoothingOrderUpTo(_OrderUpTo):
    """Order-up-to with an exponential-smoothing forecast μ̂_t = a x_t + (1 − a) μ̂_{t−1}.

    Bullwhip with iid demand, z = 0: 1 + 2La + 2L²a²/(2 − a) (Chen, Ryan & Simchi-Levi 2000,
    Naval Research Logistics 47).

    Args:
        alpha: a, smoothing weight (0 to 1].
        lead_time: L, weeks of demand the level covers.
        z: safety factor on the smoothed absolute deviation times 1.25 (0: none).
        signal: "orders" or "demand" (see :class:`MovingAverageOrderUpTo`).
    """

    alpha: float = 0.2
    lead_time: float = 2.0
    z: float = 0.0
    signal: str = "orders"
    name: ClassVar[str] = "smoothing"
    bounds: ClassVar = {"alpha": dict(above=0, high=1), "lead_time": dict(low=0), "z": dict(low=0)}

    def _forecast(self, x, memory):
        if "mean" not in memory:
            memory["mean"] = x.copy()
            memory["mad"] = np.zeros_like(x)
        memory["mad"] += self.alpha * (np.abs(x - memory["mean"]) - memory["mad"])
        memory["mean"] += self.alpha * (x - memory["mean"])
        return memory["mean"], 1.25 * memory["mad"]


@dataclass(frozen=True)
class AR1OrderUpTo(_OrderUpTo):
    """Order-up-to with the AR(1) demand process known (Lee, Padmanabhan & Whang 1997).

    This is their "demand signal processing":
    y_t = E[x_{t+1} + ... + x_{t+L} | x_t] = L μ + (x_t − μ) Σ_{k=1..L} ρ^k.

    Bullwhip with AR(1) demand D_t = μ + ρ (D_{t−1} − μ) + ε_t:
    Var(q)/Var(D) = 1 + 2ρ (1 − ρ^L)(1 − ρ^{L+1}) / (1 − ρ) (below 1 when ρ < 0).

    Args:
        rho: ρ, the demand's autocorrelation (above -1, at most 0.999).
        mean: μ, the demand's long-run mean (>= 0).
        lead_time: L, whole weeks of demand the level covers.
        signal: "orders" or "demand" (see :class:`MovingAverageOrderUpTo`).
    """

    rho: float
    mean: float
    lead_time: int = 2
    signal: str = "orders"
    name: ClassVar[str] = "ar1"
    bounds: ClassVar = {"rho": dict(above=-1, high=0.999), "mean": dict(low=0), "lead_time": dict(low=0, integer=True)}

    def _level(self, x, memory):
        weight = sum(self.rho**k for k in range(1, int(self.lead_time) + 1))
        return self.lead_time * self.mean + weight * (x - self.mean)


@dataclass(frozen=True)
class ForwardBuy(Policy):
    """Forward buying (Lee, Padmanabhan & Whang 1997, "price fluctuations").

    A base rule plus the coming weeks' demand bought ahead whenever the announced prices make buying now
    cheaper.

    Each week t the firm buys ahead for week t + j (j = 1, 2, ..., ``horizon``) while buying now
    and holding the unit j weeks costs less than any later purchase,
    p_t + h j < min_{1<=u<=j} (p_{t+u} + h (j − u)) (prices of the observation's ``price`` and
    ``price_ahead``, compared :func:`~chaingame.chain.counted`); H_t is the number of such weeks
    (0 with everyday-low prices: the rule is then its base rule exactly). Its cover
    C_t = max(H_t, C_{t−1} − 1) (weeks of demand held ahead, C_0 = 0) sets the forward stock
    X_t = f μ C_t, and the order is

    - pass-through base (``level`` not given): q_t = L_t + X_t − X_{t−1}, L_t the incoming order;
    - order-up-to base: q_t = max(0, S + X_t − IP_t), IP_t the inventory position.

    Closed form. A hi-lo schedule with a promotion every T weeks at price p against the regular
    price r gives H = #{j in 1..min(T − 1, horizon): p + h j < r} in a promotion week and 0 in
    the others (a later purchase costs r, or p again T weeks on), so C runs H, H − 1, ..., 0 and
    ΔC_t = C_t − C_{t−1} is +H once a cycle, −1 in the H weeks after and 0 otherwise: mean 0 and
    E[ΔC²] = H(H + 1)/T. With iid demand D (mean μ, variance σ²) at a retailer and no order cut
    at 0 (demand never below f μ, or returns allowed), both bases order q_t = D_t + f μ ΔC_t, so

        Var(q) / Var(D) = 1 + f² μ² H (H + 1) / (T σ²),

    which grows with the discount depth (r − p) through H until H = T − 1, where it is the
    textbook 1 + f² (T − 1) μ²/σ² (T = 4, D uniform on 0..8: 8.2 at f = 1, 2.8 at f = 0.5).

    Args:
        mean: μ, the weekly demand it buys ahead for (units/week).
        fraction: f, the share of each covered week's demand bought ahead (0 to 1).
        holding_cost: h, $/unit/week of holding the forward stock (default: the firm's holding cost).
        level: S, the order-up-to level of the inventory position (default: pass-through base).
        horizon: the most weeks it buys ahead (1 to ``prices.ANNOUNCED``, the weeks of prices announced).
    """

    mean: float
    fraction: float = 1.0
    holding_cost: float = 0.5
    level: float | None = None
    horizon: int = ANNOUNCED
    name: ClassVar[str] = "forward_buy"
    bounds: ClassVar = {"mean": dict(low=0), "fraction": dict(low=0, high=1), "holding_cost": dict(low=0),
                        "level": dict(low=0), "horizon": dict(low=1, high=ANNOUNCED, integer=True)}

    def weeks_ahead(self, obs: Observation) -> np.ndarray:
        """H_t, the weeks of coming demand it is cheaper to buy now (R,)."""
        if obs.price_ahead is None:
            return np.zeros(obs.price.shape)
        h = self.holding_cost
        ahead = obs.price_ahead[: int(self.horizon)]
        j = np.arange(1, len(ahead) + 1)[:, None]
        later = np.minimum.accumulate(ahead - h * j, axis=0) + h * j  # min over u <= j of p_{t+u} + h (j - u)
        cheaper = counted(obs.price + h * j) < counted(later)
        return np.logical_and.accumulate(cheaper, axis=0).sum(axis=0).astype(float)

    def decide(self, obs, memory):
        """q_t = L_t + X_t − X_{t−1} (pass-through base) or max(0, S + X_t − IP_t) (order-up-to base)."""
        cover = np.maximum(self.weeks_ahead(obs), memory.get("cover", 0.0) - 1.0)
        forward = self.fraction * self.mean * cover
        before = memory.get("forward", 0.0)
        memory["cover"], memory["forward"] = cover, forward
        if self.level is None:
            return obs.incoming + forward - before
        return np.maximum(0.0, self.level + forward - obs.position)


@dataclass(frozen=True)
class Gaming(Policy):
    """Shortage gaming (Lee, Padmanabhan & Whang 1997; Cachon & Lariviere 1999).

    Order what a base rule orders, inflated by the inverse of the last fill rate the firm's suppliers gave it.

    O_t = q_t · min(m, 1 / f_t),  f_t = supplied_t / due_t,
    with q_t the base rule's order, m = ``max_inflation``, and f_t the share of what its suppliers
    owed it this week (its backlog with them plus its orders that reached them) that they shipped
    it (:class:`~chaingame.observe.Observation` ``supplied`` and ``due``, its own books). In a week
    when nothing was due the last fill rate stands; before any, f = 1. A firm filled in full orders
    q_t; one rationed to half its claim orders 2 q_t, one shipped nothing m q_t. A return (q_t < 0)
    is not inflated. Meant for retailers that share a rationing supplier: against the source, which
    ships in full, the rule is its base.

    In a scenario file the base rule's name and parameters sit in the same table:
    ``{rule = "gaming", base = "sterman", theta = 0.36, max_inflation = 3}``.

    Args:
        base: the rule whose order is inflated (any order rule but gaming; default :class:`Sterman`).
        max_inflation: m, the largest factor an order is inflated by (>= 1; 1: no gaming).

    References:
        Lee, Padmanabhan & Whang (1997), "Information distortion in a supply chain: the bullwhip
        effect", Management Science 43(4): 546-558 (rationing and shortage gaming).
        Cachon & Lariviere (1999), "Capacity choice and allocation: strategic behavior and supply
        chain performance", Management Science 45(8): 1091-1108 (inflated orders under
        proportional allocation).
    """

    base: Policy = Sterman()
    max_inflation: float = 3.0
    name: ClassVar[str] = "gaming"
    bounds: ClassVar = {"max_inflation": dict(low=1)}

    def check(self, path):
        """Also require ``base`` to be an order rule other than gaming."""
        if not isinstance(self.base, Policy) or isinstance(self.base, Gaming):
            raise ScenarioError(f"{path}.base", f"{show(self.base)} is not an order rule (allowed: "
                                                f"{', '.join(n for n in ORDER_RULES if n != self.name)})")
        super().check(path)

    @property
    def needs(self) -> Information:
        """The base rule's information mode."""
        return self.base.needs

    @property
    def signal(self) -> str:
        """The base rule's signal ("orders" for a rule that forecasts nothing)."""
        return getattr(self.base, "signal", "orders")

    @classmethod
    def from_table(cls, raw, path, **defaults):
        """Build the rule from one table holding ``base``, ``max_inflation`` and the base rule's parameters."""
        bases = [n for n in ORDER_RULES if n != cls.name]
        base = ORDER_RULES[choice(raw.get("base", Sterman.name), f"{path}.base", bases)]
        own = ["base", "max_inflation"]
        table(raw, path, ["rule", *own, *(f.name for f in fields(base))])
        rule = base.from_table({**{k: v for k, v in raw.items() if k not in own}, "rule": base.name}, path,
                               **defaults)
        return cls(base=rule, max_inflation=number(raw.get("max_inflation", 3.0), f"{path}.max_inflation",
                                                   **cls.bounds["max_inflation"]))

    def decide(self, obs, memory):
        """O_t = q_t · min(m, 1 / f_t) for an order q_t > 0; a return passes unchanged."""
        order = self.base.decide(obs, memory.setdefault("base", {}))
        if "fill" not in memory:
            memory["fill"] = np.ones(obs.due.shape)
        fill = memory["fill"]
        owed = obs.due > 0
        np.divide(obs.supplied, obs.due, out=fill, where=owed)
        inflation = np.divide(1.0, fill, out=np.full(fill.shape, self.max_inflation, dtype=float),
                              where=fill * self.max_inflation > 1)
        return np.where(order > 0, order * inflation, order)


class CapacityRule(Rule):
    """A producer's capacity rule: ``target(observation, memory) -> capacity`` (R,)."""

    def target(self, obs: Observation, memory: dict) -> np.ndarray:
        """The capacity (R,) the producer wants this week, from its observation and its memory.

        Args:
            obs: what the producer sees this week (:func:`chaingame.observe.observe_all`).
            memory: the rule's own state, kept between weeks for this firm (empty in week 1).
        """
        raise NotImplementedError


@dataclass(frozen=True)
class FixedCapacity(CapacityRule):
    """Keep the capacity in force."""

    name: ClassVar[str] = "fixed"
    stackable: ClassVar[bool] = True

    def target(self, obs, memory):
        """K_t = K_{t-1}, the capacity in force."""
        return obs.capacity.copy()


@dataclass(frozen=True)
class TrackDemand(CapacityRule):
    """Capacity follows smoothed incoming orders plus a margin, and works the backlog off.

    K_t = (1 + margin) F_t + backlog_t / backlog_weeks,  F_t = θ L_t + (1 − θ) F_{t−1}
    (a capacity-acquisition rule in the style of Sterman 2000, ch. 17, "Business Dynamics").

    Args:
        theta: smoothing weight of the latest incoming order (0 to 1].
        margin: spare capacity as a fraction of the forecast (>= 0).
        backlog_weeks: weeks over which to clear the backlog (> 0).
    """

    theta: float = 0.25
    margin: float = 0.1
    backlog_weeks: float = 4.0
    name: ClassVar[str] = "track"
    stackable: ClassVar[bool] = True
    bounds: ClassVar = {"theta": dict(above=0, high=1), "margin": dict(low=0), "backlog_weeks": dict(above=0)}

    def target(self, obs, memory):
        """K_t = (1 + margin) F_t + backlog_t / backlog_weeks."""
        fresh = "forecast" not in memory  # the first decision: F starts at the incoming orders
        if fresh:
            memory["forecast"] = np.empty(obs.incoming.shape)
        out = np.empty(obs.incoming.shape)
        _run(_rules().track_demand, obs.incoming, obs.backlog, memory["forecast"], self.theta, self.margin,
             self.backlog_weeks, fresh, out)
        return out


ORDER_RULES: dict[str, type[Policy]] = {
    c.name: c for c in (Sterman, BaseStock, MovingAverageOrderUpTo, SmoothingOrderUpTo, AR1OrderUpTo, PassThrough,
                        ForwardBuy, Gaming, CashBaseStock)
}
CAPACITY_RULES: dict[str, type[CapacityRule]] = {c.name: c for c in (FixedCapacity, TrackDemand)}


def from_table(raw: Any, path: str, rules: Mapping[str, type[Rule]], **defaults: Any) -> Rule:
    """Build an order or capacity rule from a scenario table ``{rule = "...", ...}``."""
    table(raw, path, ["rule", *sorted({f.name for c in rules.values() for f in fields(c)})], required=["rule"])
    cls = rules[choice(raw["rule"], f"{path}.rule", list(rules))]
    return cls.from_table(raw, path, **defaults)  # a rule takes the defaults it has a field for
