"""One firm learns, the others play their scenario rules: a Gymnasium environment."""

from __future__ import annotations

from collections.abc import Mapping

import gymnasium as gym
import numpy as np

from ..checks import ScenarioError, check_seed
from ..engine import Engine
from ..scenario import Scenario, load_scenario
from . import seats as st


def default_firm(scenario: Scenario) -> str:
    """The first retailer of the scenario (else its first firm): the seat taken when none is named."""
    return next((f.id for f in scenario.firms if f.role == "retailer"), scenario.firm_ids[0])


def spaces(scenario: Scenario, firm: int) -> tuple[gym.spaces.Box, gym.spaces.Box]:
    """The observation and action spaces of firm ``firm``'s seat (float64, as the engine counts)."""
    n = len(st.observation_names(scenario, firm))
    obs = gym.spaces.Box(-np.inf, np.inf, shape=(n,), dtype=np.float64)
    act = gym.spaces.Box(st.action_low(scenario, firm), np.inf, shape=(st.action_size(scenario, firm),),
                         dtype=np.float64)
    return obs, act


class ChainEnv(gym.Env):
    """A scenario's game seen from one firm's seat; an episode is one run of its horizon.

    The observation is the firm's :class:`~chaingame.observe.Observation` under the scenario's
    information mode, flat (``observation_names`` says what each entry is; an unlimited capacity
    shows as inf); the action its order, and for a producer ``[order, capacity target]``. The
    physics makes the order an order (whole units, at least 0, the scenario's fixed orders in
    their weeks). The reward of a week is minus the firm's operating cost (``reward="cost"``) or
    its profit (``"profit"``). The episode terminates after the scenario's last week; the
    observation returned then is the one of the last week played.

    Seeds: ``reset(seed=s)`` plays replication 0 of seed s (the demand of ``ChainModel(sc, seed=s)``),
    and each ``reset()`` after it the next replication of s (``ChainModel(sc, seed=s, replication=r)``);
    before any seed is given, the scenario's seed.

    Args:
        scenario: a :class:`~chaingame.scenario.Scenario`, a bundled name or a ``.toml`` path.
        firm: the learning firm's id (default: the first retailer).
        reward: ``"cost"`` or ``"profit"``.
        policies: rules replacing the other firms' scenario rules, by firm id.
    """

    metadata = {"render_modes": []}

    def __init__(self, scenario: Scenario | str = "classic", firm: str | None = None, reward: str = "cost",
                 policies: Mapping | None = None):
        self.scenario = sc = load_scenario(scenario)
        self.firm = default_firm(sc) if firm is None else firm
        self.index = st.firm_index(sc, self.firm)
        self.reward_kind = st.reward_kind(reward)
        st.check_policies(sc, self.firm, policies)
        self.policies = policies
        self.observation_names = st.observation_names(sc, self.index)
        self.observation_space, self.action_space = spaces(sc, self.index)
        self._seed, self._next = sc.seed, 0
        self.replication = 0
        self.engine: Engine | None = None
        self.books: dict[str, np.ndarray] | None = None  # the last week's record, (F, 1) per column

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        """Start an episode: the next replication of the seed (replication 0 of a new ``seed``).

        Returns the first observation and the info (week, seed, replication).
        """
        super().reset(seed=seed)
        if seed is not None:
            self._seed, self._next = check_seed(seed), 0
        self.replication, self._next = self._next, self._next + 1
        self.engine = Engine(self.scenario, 1, self._seed, self.policies, first_replication=self.replication)
        self.seats = st.Seats(self.engine, [self.index])
        self.books = None
        return self._observation(), self._info()

    def step(self, action):
        """Play one week with the firm's ``action``; return Gymnasium's step tuple.

        That is (observation, reward, terminated, truncated, info). The reward is minus the firm's weekly cost
        ($), or its profit ($) with ``reward="profit"``.
        """
        if self.engine is None or self.seats.done:
            raise ScenarioError("step", "the episode is over or not begun (allowed: step after reset)")
        a = st.as_actions(action, self.action_space.shape[0], 1)
        self.books = self.seats.play({self.index: a})
        value = float(self.books[self.reward_kind][self.index, 0])
        reward = -value if self.reward_kind == "cost" else value
        return self._observation(), reward, self.seats.done, False, self._info()

    def _observation(self) -> np.ndarray:
        return st.flat(self.seats.observations[self.index])[0]

    def _info(self) -> dict:
        return {"week": self.engine.week, "seed": self._seed, "replication": self.replication}
