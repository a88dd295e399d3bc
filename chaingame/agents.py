"""Mesa agents: one per firm. An agent's mind is its decision rule; its books are the week's record."""

from __future__ import annotations

import mesa
import numpy as np

from .engine import COLUMNS
from .observe import Observation, Views
from .policies import CapacityRule, Policy


class FirmAgent(mesa.Agent):
    """A firm of the value chain (retailer, wholesaler, distributor, manufacturer or supplier).

    Each week it receives its :class:`~chaingame.observe.Observation` (nothing else) and turns it
    into an order, and for producers a capacity target, with its rules (a vendor-managed firm's
    order by its supplier's VMI rule, on ``order_observation``: what the supplier sees of it).
    After the week its books (``inventory``, ``backlog``, ``order_placed``, ``cost``, ... as in the
    history) are attributes.
    """

    def __init__(self, model: mesa.Model, firm_id: str, role: str, policy: Policy,
                 capacity_rule: CapacityRule | None, memory: dict | None = None, capacity_memory: dict | None = None):
        super().__init__(model)
        self.firm_id = firm_id
        self.role = role
        self.policy = policy
        self.capacity_rule = capacity_rule
        self.memory: dict = {} if memory is None else memory  # the rules' memory (the engine's, in a ChainModel)
        self.capacity_memory: dict = {} if capacity_memory is None else capacity_memory
        self._observation: Observation | None = None
        self._order_observation: Observation | None = None
        self._views: Views | None = None  # this week's observations, to build this firm's from when asked for
        self._index = 0
        self.total_cost = 0.0  # $ operating cost since week 1
        self.report: tuple = ()  # firm, role, total_cost and the week's books: the DataCollector's row

    @property
    def observation(self) -> Observation | None:
        """This week's :class:`~chaingame.observe.Observation` of the firm (built when first asked for)."""
        if self._observation is None and self._views is not None:
            self._observation = self._views.observation(self._index)
        return self._observation

    @observation.setter
    def observation(self, observation: Observation | None) -> None:
        self.see(observation, self._order_observation)

    @property
    def order_observation(self) -> Observation | None:
        """What the order rule sees: the firm's observation, but a vendor-managed firm's supplier's view of it."""
        return self._order_observation or self.observation

    @order_observation.setter
    def order_observation(self, observation: Observation | None) -> None:
        self._order_observation = observation

    def see(self, observation: Observation, order_observation: Observation | None = None) -> None:
        """Take this week's observation (and, for a vendor-managed firm, what its order rule sees)."""
        self._observation, self._order_observation, self._views = observation, order_observation, None

    def see_later(self, views: Views, index: int) -> None:
        """Take this week's observations, to build the firm's (number ``index``) from if it is asked for."""
        self._observation, self._order_observation, self._views, self._index = None, None, views, index

    def decide(self) -> tuple[np.ndarray, np.ndarray]:
        """Order (and capacity target) from this week's observation."""
        obs = self.observation
        order = self.policy.decide(self.order_observation, self.memory)
        capacity = self.capacity_rule.target(obs, self.capacity_memory) if self.capacity_rule else obs.capacity
        return order, capacity

    def keep(self, books: list[float]) -> None:
        """Take the week's books, one value per history column (:data:`~chaingame.engine.COLUMNS`)."""
        self.__dict__.update(zip(COLUMNS, books))
        self.total_cost += self.cost
        self.report = (self.firm_id, self.role, self.total_cost, *books)

    def __repr__(self) -> str:
        return f"FirmAgent({self.firm_id!r}, role={self.role!r}, policy={self.policy!r})"
