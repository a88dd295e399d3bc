"""The classroom service imports no UI toolkit (style points 1 and 3)."""

import subprocess
import sys


def test_classroom_loads_without_solara_or_widgets():
    code = ("import sys, chaingame.classroom; "
            "print(sorted(m for m in ('solara', 'ipywidgets', 'reacton', 'ipyvue') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
