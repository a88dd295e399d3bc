"""Reinforcement-learning environments on the engine the class plays (the optional extra ``chaingame[rl]``).

- :class:`ChainEnv` (Gymnasium): one firm learns, the others play their scenario rules.
- :class:`ChainVectorEnv` (Gymnasium vector env): R replications of that game stepping at once on
  the array engine, next-step autoreset.
- :class:`ChainParallelEnv` (PettingZoo): every firm an agent.

All three drive :class:`chaingame.engine.Engine`, the one definition of a week; a seat observes
what its firm's :class:`~chaingame.observe.Observation` shows under the scenario's information mode
(:mod:`chaingame.rl.seats` for the layout). ``import chaingame`` does not load this package, and
each environment loads Gymnasium or PettingZoo only when its name is used.
"""

from chaingame import _on_first_use

_LAZY = {
    "ChainEnv": "single",
    "ChainVectorEnv": "vector",
    "ChainParallelEnv": "parallel",
    "observation_names": "seats",
    "REWARDS": "seats",
}

__all__ = sorted(_LAZY)


__getattr__, __dir__ = _on_first_use(globals(), {n: (f"{__name__}.{m}", n) for n, m in _LAZY.items()})
