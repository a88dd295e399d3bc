"""Insight: why each seat ordered as it did, and what another rule would have cost.

- :func:`fit_sterman`: the anchoring-and-adjustment rule a firm followed (Sterman 1989), with
  fit figures, intervals and an honest "not identified";
- :func:`replay`: a recorded game played again with some firms on another rule, the others on
  their recorded orders, on the very same customer demand;
- :func:`externalities`: each seat replaced alone by the benchmark (or its own rule with β = 1),
  and the cost change at every echelon;
- :func:`best_sterman` and :func:`best_base_stock`: the best possible on this demand.

A game is a :class:`Record` (scenario, every firm's weekly orders, customer demand); a played
``ChainModel``, a tidy history with its scenario, or a classroom decision log
(:meth:`Record.from_orders`) all make one. See ``docs/insight.md``.
"""

from .best import BestBaseStock, BestRule, best_base_stock, best_sterman
from .externalities import benchmark_rules, externalities
from .fitting import SUBJECTS, StermanFit, fit_sterman
from .players import NoisySterman
from .recovery import recovery
from .replay import Record, costs, record, replay

__all__ = ["SUBJECTS", "BestBaseStock", "BestRule", "NoisySterman", "Record", "StermanFit", "benchmark_rules",
           "best_base_stock", "best_sterman", "costs", "externalities", "fit_sterman", "record", "recovery", "replay"]
