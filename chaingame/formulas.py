"""Published formulas drawn beside simulated points (``chaingame plot --formula``).

Each takes the x values and the value of the ``--by`` parameter of one line and returns y values.
"""

from __future__ import annotations

import numpy as np


def chen_ma(p: np.ndarray, lead_time: float) -> np.ndarray:
    """Bullwhip ratio Var(q)/Var(D) = 1 + 2L/p + 2L²/p² of a moving-average order-up-to policy.

    A stage forecasting iid demand with a p-week moving average and ordering up to L·μ̂ (z = 0)
    over lead time L (Chen et al. 2000, eq. for the moving-average forecast, the lower bound of the
    multi-stage case).

    References:
        Chen, F., Drezner, Z., Ryan, J. K. & Simchi-Levi, D. (2000). Quantifying the bullwhip effect
        in a simple supply chain: the impact of forecasting, lead times, and information.
        Management Science 46(3): 436-443.
    """
    p = np.asarray(p, dtype=float)
    return 1 + 2 * lead_time / p + 2 * lead_time**2 / p**2


FORMULAS = {"chen-ma": (chen_ma, "Chen et al. (2000): 1 + 2L/p + 2L²/p²")}  # name: (function, legend label)
