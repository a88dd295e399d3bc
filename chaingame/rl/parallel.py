"""Every firm an agent: a PettingZoo parallel environment."""

from __future__ import annotations

import numpy as np
from pettingzoo import ParallelEnv

from ..checks import ScenarioError, check_seed, show
from ..engine import Engine
from ..scenario import Scenario, load_scenario
from . import seats as st
from .single import spaces


class ChainParallelEnv(ParallelEnv):
    """A scenario's game with every firm deciding from outside; agents are the firm ids.

    Each agent observes its firm's :class:`~chaingame.observe.Observation` under the scenario's
    information mode (flat, as in :class:`~chaingame.rl.ChainEnv`), acts with its order (and a
    producer's capacity target), and is rewarded with minus its weekly cost (or its profit).
    Every agent terminates after the scenario's last week. Seeds as in ``ChainEnv``.

    Args:
        scenario: a :class:`~chaingame.scenario.Scenario`, a bundled name or a ``.toml`` path.
        reward: ``"cost"`` or ``"profit"``.
    """

    metadata = {"name": "chaingame_v0", "render_modes": []}

    def __init__(self, scenario: Scenario | str = "classic", reward: str = "cost"):
        self.scenario = sc = load_scenario(scenario)
        self.reward_kind = st.reward_kind(reward)
        self.possible_agents = list(sc.firm_ids)
        self.agents: list[str] = []
        built = {a: spaces(sc, i) for i, a in enumerate(self.possible_agents)}
        self.observation_spaces = {a: s[0] for a, s in built.items()}
        self.action_spaces = {a: s[1] for a, s in built.items()}
        self.observation_names = {a: st.observation_names(sc, i) for i, a in enumerate(self.possible_agents)}
        self.render_mode = None
        self._seed, self._next = sc.seed, 0
        self.replication = 0
        self.engine: Engine | None = None

    def observation_space(self, agent: str):
        """The observation space of ``agent`` (its firm's flat observation)."""
        return self.observation_spaces[agent]

    def action_space(self, agent: str):
        """The action space of ``agent``: its order, and for a producer its capacity target."""
        return self.action_spaces[agent]

    def reset(self, seed: int | None = None, options: dict | None = None):
        """Start an episode: the next replication of the seed (replication 0 of a new ``seed``).

        Returns every agent's first observation and info (week, seed, replication).
        """
        if seed is not None:
            self._seed, self._next = check_seed(seed), 0
        self.replication, self._next = self._next, self._next + 1
        self.engine = Engine(self.scenario, 1, self._seed, first_replication=self.replication)
        self.seats = st.Seats(self.engine, list(range(len(self.possible_agents))))
        self.agents = self.possible_agents[:]
        return self._observations(), {a: self._info() for a in self.agents}

    def step(self, actions: dict):
        """Play one week with every agent's action; return PettingZoo's five dicts by agent.

        They are (observations, rewards, terminations, truncations, infos). The reward is minus each firm's
        weekly cost ($), or its profit ($) with ``reward="profit"``.
        """
        if not self.agents:
            raise ScenarioError("step", "the episode is over or not begun (allowed: step after reset)")
        missing = [a for a in self.agents if a not in actions]
        if missing:
            raise ScenarioError("actions", f"has no action of {show(missing[0])} (every agent acts each step)")
        ids = self.possible_agents
        books = self.seats.play({i: st.as_actions(actions[a], self.action_spaces[a].shape[0], 1, f"actions.{a}")
                                 for i, a in enumerate(ids)})
        value = books[self.reward_kind][:, 0]
        rewards = {a: float(-value[i] if self.reward_kind == "cost" else value[i]) for i, a in enumerate(ids)}
        done = self.seats.done
        obs = self._observations()
        info = {a: self._info() for a in ids}
        self.agents = [] if done else self.agents
        return obs, rewards, dict.fromkeys(ids, done), dict.fromkeys(ids, False), info

    def _observations(self) -> dict[str, np.ndarray]:
        return {a: st.flat(o)[0] for a, o in zip(self.possible_agents, self.seats.observations)}

    def _info(self) -> dict:
        return {"week": self.engine.week, "seed": self._seed, "replication": self.replication}
