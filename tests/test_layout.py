"""The physics, rules and schema import numpy only: the UI, Mesa and pandas stay optional."""

import importlib
import subprocess
import sys

import pytest


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


def test_the_learning_environments_load_only_when_asked_for():
    """chaingame.rl (and Gymnasium, PettingZoo with it) stays out of ``import chaingame`` and its engines."""
    code = ("import sys, chaingame; chaingame.simulate('classic', 2); chaingame.ChainModel('classic').run(); "
            "print(sorted(m for m in ('chaingame.rl', 'gymnasium', 'pettingzoo') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_a_sweep_worker_loads_without_pandas_or_pyarrow():
    """What a sweep worker imports (chaingame.sweep.worker: the engine, the array metrics) starts fast;
    the package chaingame.sweep around it loads its other modules only when their names are used."""
    code = ("import sys, chaingame.sweep.worker, chaingame.batch, chaingame.metrics; "
            "print(sorted(m for m in ('pandas', 'pyarrow', 'scipy', 'solara', 'mesa', 'chaingame.sweep.run', "
            "'chaingame.sweep.results', 'chaingame.sweep.spec') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("package", ["chaingame", "chaingame.sweep", "chaingame.rl"])
def test_a_package_gives_each_name_from_the_module_that_holds_it_when_first_used(package):
    pkg = importlib.import_module(package)
    for name, where in pkg._LAZY.items():  # chaingame's: (module, attribute or None); a subpackage's: its module
        module, attr = where if isinstance(where, tuple) else (f"{package}.{where}", name)
        held = importlib.import_module(module) if attr is None else getattr(importlib.import_module(module), attr)
        assert getattr(pkg, name) is held and vars(pkg)[name] is held, name  # and kept in the package
    assert set(pkg._LAZY) <= set(dir(pkg))
    with pytest.raises(AttributeError, match=f"^module '{package}' has no attribute 'nope'$"):
        pkg.nope  # noqa: B018
