"""docs/rules.md: the example of a rule of your own runs as written and prints what it says."""

import contextlib
import io
import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "rules.md"


def test_the_doc_s_example_runs():
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    assert len(blocks) == 1
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(blocks[0], str(DOC), "exec"), {"__name__": "rules_doc"})
    lines = out.getvalue().splitlines()
    assert lines[-1] == "SmoothedCover.alpha: 2 is above 1 (allowed: 0 to 1)"
    mine, theirs = map(float, lines[1].split())
    assert mine > 0 and theirs > 0
