"""chaingame.lazy: compiled modules on first use, a numba cache dropped when a file it inlines changed, and call."""

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]

HELPER = """\
from numba import njit


@njit(inline="always", cache=True)
def value():
    return {value}
"""

KERNEL = """\
from chaingame.lazy import njit_from

from . import helper

SOURCES = (helper.__file__, __file__)


@njit_from(SOURCES, "int64()", cache=True)
def eager():
    return helper.value()


@njit_from(SOURCES, cache=True)
def lazy():
    return helper.value()
"""


def play(folder: Path) -> str:
    p = subprocess.run([sys.executable, "-c", "from pkg import kernel; print(kernel.eager(), kernel.lazy())"],
                       capture_output=True, text=True, timeout=300, cwd=folder,
                       env={"PATH": "/usr/bin:/bin", "PYTHONPATH": f"{folder}:{ROOT}"})
    assert p.returncode == 0, p.stderr
    return p.stdout.split()


def test_a_kernel_is_compiled_again_when_a_module_it_inlines_changes_and_loaded_from_the_cache_otherwise(tmp_path):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "helper.py").write_text(HELPER.format(value=1))
    (pkg / "kernel.py").write_text(textwrap.dedent(KERNEL))
    assert play(tmp_path) == ["1", "1"]
    cached = sorted(p.name for p in (pkg / "__pycache__").glob("kernel.*.nb?"))
    marks = sorted(p.name for p in (pkg / "__pycache__").glob("*.follows"))
    assert cached and marks == ["pkg.kernel.eager.follows", "pkg.kernel.lazy.follows"]
    stamps = [(pkg / "__pycache__" / m).read_text() for m in marks]
    assert play(tmp_path) == ["1", "1"]  # the same sources: loaded, the marks as they were
    assert [(pkg / "__pycache__" / m).read_text() for m in marks] == stamps
    (pkg / "helper.py").write_text(HELPER.format(value=2))  # kernel.py itself unchanged: numba's own key is the same
    assert play(tmp_path) == ["2", "2"]
    assert [(pkg / "__pycache__" / m).read_text() for m in marks] != stamps


def test_the_kernels_built_from_other_modules_follow_them():
    from chaingame import bookkernel, lazy, weekkernel

    assert lazy.compiled("weekkernel") is weekkernel
    for fn in (bookkernel.supply, bookkernel.record, bookkernel.record_range, weekkernel.week, weekkernel.weeks):
        mark = Path(fn._cache.cache_path) / f"{fn.py_func.__module__}.{fn.py_func.__qualname__}.follows"
        assert mark.is_file(), mark
    assert Path(bookkernel.SOURCES[0]).name == "kernel.py"
    assert [Path(s).name for s in weekkernel.SOURCES] == ["kernel.py", "bookkernel.py", "rulekernel.py",
                                                         "figurekernel.py", "weekkernel.py"]


def test_a_kernel_called_on_a_view_a_read_only_and_an_integer_array_writes_into_the_callers_output():
    """lazy.call: the one signature takes C-contiguous, writeable float arrays; others go in as such copies."""
    from chaingame import lazy

    base_stock = lazy.compiled("rulekernel").base_stock
    inventory = np.arange(12.0).reshape(2, 6)[:, ::2]  # a view with a stride
    backlog = np.array([[0, 1, 2], [3, 4, 5]])  # integers
    on_order = np.ones((2, 3))
    on_order.flags.writeable = False
    room = np.full((2, 6), -1.0)
    out = room[:, 1::2]  # the caller's output, a view too
    lazy.call(base_stock, (inventory, backlog, on_order, 10.0, out), dtype=float)
    assert np.array_equal(out, np.maximum(0.0, 10.0 - (inventory - backlog + on_order)))
    assert np.all(room[:, ::2] == -1.0)  # beside the view, nothing written
    fresh = np.empty((2, 3))
    lazy.call(base_stock, (np.ascontiguousarray(inventory), backlog.astype(float), on_order, 10.0, fresh))
    assert np.array_equal(fresh, out)  # a read-only array copied, its dtype kept (dtype=None)
    with pytest.raises(TypeError, match=r"No matching definition .*array\(int64"):
        lazy.call(base_stock, (inventory, backlog, on_order, 10.0, fresh))  # integers, dtype kept: no signature fits
