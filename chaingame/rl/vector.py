"""R replications of one firm's seat stepping at once on the array engine: a Gymnasium vector env."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space

from ..checks import ScenarioError, check_seed, number
from ..engine import Engine
from ..scenario import Scenario, load_scenario
from . import seats as st
from .single import default_firm, spaces


class ChainVectorEnv(VectorEnv):
    """:class:`~chaingame.rl.ChainEnv` for ``num_envs`` = R replications side by side, one engine.

    Observations are (R, n), actions (R, 1) or (R, 2) (producers), rewards, terminations and
    truncations (R,). Every replication plays the same horizon, so all of them terminate in the
    same step. Autoreset is Gymnasium's next-step mode (``metadata["autoreset_mode"]``): the step
    after the one that terminated ignores its actions, starts the next episode and returns its first
    observation, with reward 0 and no termination.

    Seeds: ``reset(seed=s)`` plays replications 0..R-1 of seed s (replication i is
    ``ChainModel(sc, seed=s, replication=i)``); each later episode, from ``reset()`` or an
    autoreset, the next R replications of s (episode k: replications kR..kR+R-1).

    Args:
        scenario: a :class:`~chaingame.scenario.Scenario`, a bundled name or a ``.toml`` path.
        num_envs: R, replications stepping at once.
        firm: the learning firm's id (default: the first retailer).
        reward: ``"cost"`` (minus the firm's weekly operating cost) or ``"profit"``.
        policies: rules replacing the other firms' scenario rules, by firm id.
        keep_books: keep every firm's record of the week just played in ``books`` ((F, R) per
            column of :data:`chaingame.engine.COLUMNS`); otherwise only the reward's column is computed.
    """

    metadata = {"autoreset_mode": AutoresetMode.NEXT_STEP, "render_modes": []}

    def __init__(self, scenario: Scenario | str = "classic", num_envs: int = 1, firm: str | None = None,
                 reward: str = "cost", policies: Mapping | None = None, keep_books: bool = False):
        self.scenario = sc = load_scenario(scenario)
        self.num_envs = int(number(num_envs, "num_envs", low=1, integer=True))
        self.firm = default_firm(sc) if firm is None else firm
        self.index = st.firm_index(sc, self.firm)
        self.reward_kind = st.reward_kind(reward)
        st.check_policies(sc, self.firm, policies)
        self.policies = policies
        self.keep_books = bool(keep_books)
        self.observation_names = st.observation_names(sc, self.index)
        self.single_observation_space, self.single_action_space = spaces(sc, self.index)
        self.observation_space = batch_space(self.single_observation_space, self.num_envs)
        self.action_space = batch_space(self.single_action_space, self.num_envs)
        self.render_mode = None
        self._seed, self._first = sc.seed, 0
        self.first_replication = 0
        self.engine: Engine | None = None
        self.books: dict[str, np.ndarray] | None = None
        self._out = {self.reward_kind: np.empty((len(sc.firms), self.num_envs))}
        self._autoreset = False

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        """Start R episodes: replications 0..R-1 of a new ``seed``, else the next R replications.

        Returns the (R, n) first observations and an empty info.
        """
        if seed is not None and not isinstance(seed, int | np.integer):
            raise ScenarioError("seed", f"{seed!r} is not one whole number (allowed: an int; "
                                        "the replications of one seed run side by side)")
        super().reset(seed=seed)
        if seed is not None:
            self._seed, self._first = check_seed(seed), 0
        return self._start(), {}

    def _start(self) -> np.ndarray:
        self.first_replication, self._first = self._first, self._first + self.num_envs
        self.engine = Engine(self.scenario, self.num_envs, self._seed, self.policies,
                             first_replication=self.first_replication)
        self.seats = st.Seats(self.engine, [self.index])
        self.books = None
        self._autoreset = False
        return st.flat(self.seats.observations[self.index])

    def step(self, actions):
        """Play one week of every replication with ``actions`` (R, 1) or (R, 2); autoreset on the next step.

        Returns Gymnasium's (observations, rewards, terminations, truncations, infos), each (R, ...).
        """
        R = self.num_envs
        if self.engine is None:
            raise ScenarioError("step", "the environment is not reset (allowed: step after reset)")
        if self._autoreset:
            obs = self._start()
            return obs, np.zeros(R), np.zeros(R, bool), np.zeros(R, bool), {}
        a = st.as_actions(actions, self.single_action_space.shape[0], R, "actions")
        books = self.seats.play({self.index: a}, out=None if self.keep_books else self._out)
        if self.keep_books:
            self.books = books
        value = books[self.reward_kind][self.index]
        reward = -value if self.reward_kind == "cost" else value.copy()
        done = self.seats.done
        self._autoreset = done
        obs = st.flat(self.seats.observations[self.index])
        return obs, reward, np.full(R, done), np.zeros(R, bool), {}
