"""Mesa agents: one per firm. An agent's mind is its decision rule; its books are the week's record."""

from __future__ import annotations

import mesa
import numpy as np

from .engine import COLUMNS
from .observe import Observation
from .policies import CapacityRule, Policy

BOOKS = ("total_cost", *COLUMNS)  # an agent's books, in the order of its row (FirmAgent.row)


class FirmAgent(mesa.Agent):
    """A firm of the value chain (retailer, wholesaler, distributor, manufacturer or supplier).

    Each week it receives its :class:`~chaingame.observe.Observation` (nothing else) and turns it
    into an order, and for producers a capacity target, with its rules (a vendor-managed firm's
    order by its supplier's VMI rule, on ``order_observation``: what the supplier sees of it).
    After the week its books (``inventory``, ``backlog``, ``order_placed``, ``cost``, ... as in the
    history, and ``total_cost``, its $ operating cost since week 1) are attributes, read-only.
    """

    def __init__(self, model: mesa.Model, firm_id: str, role: str, policy: Policy,
                 capacity_rule: CapacityRule | None, memory: dict | None = None, capacity_memory: dict | None = None,
                 index: int = 0):
        super().__init__(model)
        self.firm_id = firm_id
        self.role = role
        self.policy = policy
        self.capacity_rule = capacity_rule
        self.memory: dict = {} if memory is None else memory  # the rules' memory (the engine's, in a ChainModel)
        self.capacity_memory: dict = {} if capacity_memory is None else capacity_memory
        self.index = index  # the firm's number in the scenario (its row of the books)
        self._observation: Observation | None = None
        self._order_observation: Observation | None = None
        self._built = None  # the model's Views this week's observation came from (or was given in)

    @property
    def row(self) -> list[float] | None:
        """The week's books, in the order of :data:`BOOKS` (the DataCollector's row); None before week 1."""
        rows = self.model.rows()
        return None if rows is None else rows[self.index]

    @property
    def observation(self) -> Observation | None:
        """This week's :class:`~chaingame.observe.Observation` of the firm.

        Where the model decided on the books' rows (its ``views``, :class:`~chaingame.observe.Views`), built
        from them when first asked for.
        """
        views = getattr(self.model, "views", None)
        if views is not None and self._built is not views:
            self._observation, self._order_observation, self._built = views.observation(self.index), None, views
        return self._observation

    @observation.setter
    def observation(self, observation: Observation | None) -> None:
        self.see(observation, self._order_observation)

    @property
    def order_observation(self) -> Observation | None:
        """What the order rule sees: the firm's observation, but a vendor-managed firm's supplier's view of it."""
        obs = self.observation
        return self._order_observation or obs

    @order_observation.setter
    def order_observation(self, observation: Observation | None) -> None:
        self.observation  # noqa: B018 (this week's, before it is replaced)
        self._order_observation = observation

    def see(self, observation: Observation, order_observation: Observation | None = None) -> None:
        """Take this week's observation (and, for a vendor-managed firm, what its order rule sees)."""
        self._observation, self._order_observation = observation, order_observation
        self._built = getattr(self.model, "views", None)

    def decide(self) -> tuple[np.ndarray, np.ndarray]:
        """Order (and capacity target) from this week's observation."""
        obs = self.observation
        order = self.policy.decide(self.order_observation, self.memory)
        capacity = self.capacity_rule.target(obs, self.capacity_memory) if self.capacity_rule else obs.capacity
        return order, capacity

    def __repr__(self) -> str:
        return f"FirmAgent({self.firm_id!r}, role={self.role!r}, policy={self.policy!r})"


def _book(j: int, name: str) -> property:
    """The agent's book ``name``: item ``j`` of its row (AttributeError before its first week)."""
    def get(agent: FirmAgent) -> float:
        row = agent.row
        if row is None:
            if j == 0:
                return 0.0  # no cost before week 1
            raise AttributeError(f"{agent.firm_id} has no {name} before its first week")
        return row[j]

    return property(get, doc=f"This week's {name} (the history's column).")


for _j, _name in enumerate(BOOKS):
    setattr(FirmAgent, _name, _book(_j, _name))
del _j, _name
