"""The learning firms' seats at an :class:`~chaingame.engine.Engine`: flat observations in, orders out.

Numpy only: the Gymnasium and PettingZoo environments (:mod:`chaingame.rl`) wrap this. The
observation of a seat is its firm's :class:`~chaingame.observe.Observation` under the scenario's
information mode, laid out as a flat vector in the order of the Observation's fields, read from
the dataclass (so a field added to it is observed too): ``week``, the own-firm books
(``inventory``, ``backlog``, ...), then what the mode and the scenario add: ``demand`` (``pos``
and ``full``), every firm's public books (``full``: ``chain.<field>.<firm>``), the announced
prices (``price_ahead.<k>``) where a price schedule changes the firm's price. A field that is
None (not shown) takes no entry. Its action is its order, and for a producer its capacity target
as well (the physics makes them orders, :func:`chaingame.chain.accepted_orders`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import numpy as np

from ..checks import ScenarioError, choice, show
from ..engine import Engine
from ..observe import Observation
from ..scenario import Scenario

REWARDS = ("cost", "profit")  # a seat's reward per week: minus its operating cost ($), or its profit ($)
_LABELS = ("firm", "role")  # an Observation's fields that are names, not numbers


def _entries(obs: Observation) -> Iterator[tuple[str, np.ndarray]]:
    """(name, (R,) values) of every entry of an observation, in its fields' order.

    Names (the firm, its role, the ids a view or a bill of materials lists) take no entry. A view of other
    firms (``chain``, ``vmi``) gives ``<field>.<book>.<firm>``; a bill of materials' books give
    ``<field>.<component>``; announced prices ``price_ahead.<k>``.
    """
    R = obs.inventory.shape[0]
    for field in dataclasses.fields(obs):
        value = getattr(obs, field.name)
        if field.name in _LABELS or value is None or isinstance(value, tuple):
            continue
        if dataclasses.is_dataclass(value):  # a view of other firms: (n, R) books, the firms named by its tuple
            books = [(sub.name, getattr(value, sub.name)) for sub in dataclasses.fields(value)]
            ids = next(v for _, v in books if isinstance(v, tuple))
            for name, rows in books:
                if isinstance(rows, np.ndarray):
                    yield from ((f"{field.name}.{name}.{f}", row) for f, row in zip(ids, rows))
        elif np.ndim(value) == 0:
            yield field.name, np.full(R, float(value))
        elif np.ndim(value) == 1:
            yield field.name, value
        else:  # (A, R): one entry per row, named by component where the rows are a bill of materials'
            labels = obs.components if field.name.endswith("_parts") and obs.components else range(len(value))
            yield from ((f"{field.name}.{k}", row) for k, row in zip(labels, value))


def observation_names(scenario: Scenario, firm: int) -> tuple[str, ...]:
    """The names of the entries of firm ``firm``'s flat observation, in order.

    Read from its week-1 observation: what an observation shows depends on the scenario, not on the week.
    """
    return tuple(name for name, _ in _entries(Engine(scenario).begin_week()[firm]))


def flat(obs: Observation) -> np.ndarray:
    """An observation as a (R, n) float64 array (a view, column-major), entries in :func:`observation_names` order."""
    rows = [v for _, v in _entries(obs)]
    return np.stack(rows).astype(float, copy=False).T  # stacked by rows, then viewed (R, n): 3x faster at R = 10,000


def firm_index(scenario: Scenario, firm: str, path: str = "firm") -> int:
    """The index of firm id ``firm``; a one-line error naming the firms otherwise."""
    if firm not in scenario.firm_ids:
        firms = ", ".join(scenario.firm_ids)
        raise ScenarioError(path, f"{show(firm)} is not a firm of {scenario.name} (firms: {firms})")
    return scenario.firm_ids.index(firm)


def check_policies(scenario: Scenario, firm: str, policies) -> None:
    """Refuse a rule for the learning firm: its decisions are the actions."""
    if policies is not None and firm in policies:
        raise ScenarioError(f"policies.{firm}", "is the learning firm (allowed: rules of the other firms; "
                                                "its orders are the actions)")


def reward_kind(reward: str) -> str:
    """The reward's name checked: ``"cost"`` or ``"profit"`` (:data:`REWARDS`)."""
    return choice(reward, "reward", REWARDS)


def action_size(scenario: Scenario, firm: int) -> int:
    """1 (the order), or 2 for a producer (the order, then its capacity target)."""
    return 2 if scenario.firms[firm].production else 1


def action_low(scenario: Scenario, firm: int) -> float:
    """The least order the physics accepts: 0, or -inf where the firm may return goods."""
    return -np.inf if scenario.network().returns[firm] else 0.0


class Seats:
    """Some firms of an engine decided from outside; the others play their rules.

    Args:
        engine: the engine to drive (its week 0).
        learners: indices of the firms whose decisions are given to :meth:`play`.
    """

    def __init__(self, engine: Engine, learners: list[int]):
        self.engine = engine
        self.learners = list(learners)
        self.others = [f for f in range(len(engine.scenario.firms)) if f not in self.learners]
        self.producer = [bool(engine.scenario.firms[f].production) for f in range(len(engine.scenario.firms))]
        self.observations: list[Observation] = engine.begin_week()
        self.done = False  # the horizon's last week is played

    def play(self, actions: dict[int, np.ndarray], out: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
        """End the week with the learners' ``actions`` and the others' rules; return the week's record.

        ``actions`` are (R, 1) or (R, 2) each, by firm index; ``out`` is as in :meth:`Engine.end_week`. The next
        week begins unless the run is over.
        """
        eng, obs = self.engine, self.observations
        F, R = len(obs), eng.replications
        orders = np.empty((F, R))
        capacity = np.empty((F, R))
        seen = eng.order_observations(obs)  # a vendor-managed firm's rule sees what VMI shows its supplier
        for f in self.others:
            orders[f] = eng.policies[f].decide(seen[f], eng.memory[f])
            rule = eng.capacity_rules[f]
            capacity[f] = rule.target(obs[f], eng.capacity_memory[f]) if rule is not None else obs[f].capacity
        for f in self.learners:
            a = actions[f]
            orders[f] = a[:, 0]
            capacity[f] = a[:, 1] if self.producer[f] else obs[f].capacity
        books = eng.end_week(orders, capacity, out=out)
        self.done = eng.done
        if not self.done:
            self.observations = eng.begin_week()
        return books


def as_actions(action, size: int, replications: int, path: str = "action") -> np.ndarray:
    """An action as a (R, size) float array; a one-line error for another shape or a nan."""
    a = np.asarray(action, dtype=float)
    if a.size != size * replications:
        raise ScenarioError(path, f"has shape {a.shape} (allowed: {size} number(s) per replication, "
                                  f"R = {replications})")
    a = a.reshape(replications, size)
    if np.isnan(a).any():
        raise ScenarioError(path, "contains nan (allowed: numbers)")
    return a
