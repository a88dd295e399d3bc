"""The components of firms that assemble by bill of materials, week by week: :func:`component_history`.

The firm history (:data:`chaingame.engine.COLUMNS`) counts a firm's raw stock as one number, the sum
of its components; an assembling firm's limits are per component (production started is
``min_j floor(on hand_j / units_j)``, capped by capacity: :func:`chaingame.kernel.advance`). This
table keeps each component apart: one row per (replication, week, firm, component), the
component named by the supplier of its link.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .chain import parts_supply_line
from .checks import ScenarioError
from .engine import Engine
from .scenario import Scenario, load_scenario

# The columns after replication, week, firm and component.
COMPONENT_COLUMNS = (
    "units_per_product",  # units of the component in one unit of the product (the bill of materials)
    "on_hand",  # units of the component on hand at the end of the week
    "supply_line",  # units ordered and not yet on hand: in the mail, owed by the supplier, in transit
    "used",  # units taken into production this week (units_per_product x production started)
)


def component_history(scenario: Scenario | str, replications: int = 1, seed: int | None = None,
                      policies: Mapping | None = None):
    """Each component of each assembling firm, week by week, as a tidy DataFrame.

    Args:
        scenario: a :class:`Scenario` with a ``production.bom``, a bundled name or a ``.toml`` path.
        replications: R, as :func:`chaingame.simulate` (replication r draws the same demand there and here).
        seed: root seed (default: the scenario's).
        policies: rules replacing the scenario's, by firm id.

    Returns:
        Columns replication, week, firm, component, then :data:`COMPONENT_COLUMNS`; rows in that order.

    Raises:
        ScenarioError: where no firm of the scenario assembles by bill of materials.
    """
    import pandas as pd

    sc = load_scenario(scenario)
    engine = Engine(sc, replications, seed, policies)
    net = engine.net
    if net.bom_units is None:
        raise ScenarioError("scenario", f"{sc.name}: no firm assembles by bill of materials "
                                        "(allowed: a scenario with a production.bom, e.g. assembly)")
    links = net._bom_links
    firm_rows = net.customer[links]
    units = net.bom_units[links]
    W, J, R = sc.weeks, len(links), engine.replications
    cols = {c: np.empty((W, J, R)) for c in ("on_hand", "supply_line", "used")}
    for w in range(W):
        engine.step()
        on_hand = engine.state.parts[links]
        cols["on_hand"][w] = on_hand
        cols["supply_line"][w] = parts_supply_line(net, engine.state)[links] - on_hand
        cols["used"][w] = units[:, None] * engine.flows.started[firm_rows]
    return pd.DataFrame({
        "replication": np.repeat(np.arange(R), W * J),
        "week": np.tile(np.repeat(np.arange(1, W + 1), J), R),
        "firm": np.tile(np.array([net.firms[f] for f in firm_rows], dtype=object), W * R),
        "component": np.tile(np.array([net.firms[s] if s >= 0 else "source" for s in net.supplier[links]],
                                      dtype=object), W * R),
        "units_per_product": np.tile(units, W * R),
        **{c: cols[c].transpose(2, 0, 1).ravel() for c in ("on_hand", "supply_line", "used")},
    })
