"""Mesa agents: one per firm. An agent's mind is its decision rule; its books are the week's record."""

from __future__ import annotations

import mesa
import numpy as np

from .engine import COLUMNS
from .observe import Observation
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
                 capacity_rule: CapacityRule | None):
        super().__init__(model)
        self.firm_id = firm_id
        self.role = role
        self.policy = policy
        self.capacity_rule = capacity_rule
        self.memory: dict = {}
        self.capacity_memory: dict = {}
        self.observation: Observation | None = None
        self.order_observation: Observation | None = None  # what the order rule sees (VMI: the supplier's view)
        self.total_cost = 0.0  # $ operating cost since week 1

    def decide(self) -> tuple[np.ndarray, np.ndarray]:
        """Order (and capacity target) from this week's observation."""
        obs = self.observation
        order = self.policy.decide(self.order_observation or obs, self.memory)
        capacity = self.capacity_rule.target(obs, self.capacity_memory) if self.capacity_rule else obs.capacity
        return order, capacity

    def keep(self, books: list[float]) -> None:
        """Take the week's books, one value per history column (:data:`~chaingame.engine.COLUMNS`)."""
        self.__dict__.update(zip(COLUMNS, books))
        self.total_cost += self.cost

    def __repr__(self) -> str:
        return f"FirmAgent({self.firm_id!r}, role={self.role!r}, policy={self.policy!r})"
