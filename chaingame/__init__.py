"""chaingame: an agent-based multi-firm value-chain game in the beer-game tradition."""

from . import metrics, policies
from .checks import ScenarioError
from .engine import COLUMNS, Engine
from .model import ChainModel
from .scenario import Scenario, from_table, load_scenario

__all__ = ["COLUMNS", "ChainModel", "Engine", "Scenario", "ScenarioError", "from_table", "load_scenario",
           "metrics", "policies"]
__version__ = "0.1.0"
