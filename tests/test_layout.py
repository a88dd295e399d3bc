"""The physics, rules and schema import numpy only: the UI, Mesa and pandas stay optional."""

import subprocess
import sys


def test_physics_loads_without_ui_mesa_or_pandas():
    code = ("import sys, chaingame.chain, chaingame.information, chaingame.policies, chaingame.scenario, "
            "chaingame.observe, chaingame.engine; print(sorted(m for m in ('solara', 'mesa', 'pandas', 'matplotlib') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_model_does_not_pull_in_the_web_app():
    code = "import sys, chaingame; chaingame.ChainModel('classic').run(); print('solara' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_a_sweep_worker_loads_without_pandas_or_pyarrow():
    """What a sweep worker imports (chaingame.worker: the engine, the array metrics) starts fast."""
    code = ("import sys, chaingame.worker, chaingame.batch, chaingame.metrics; "
            "print(sorted(m for m in ('pandas', 'pyarrow', 'scipy', 'solara', 'mesa') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
