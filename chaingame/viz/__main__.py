"""``python -m chaingame.viz [solara run options]``: serve the researcher view.

The same as ``solara run chaingame/viz/app.py``, after making sure the page's browser files are
available offline (:mod:`chaingame.webassets`, the same files as the classroom's; fetched once
with npm if missing). Extra arguments (``--port 8766``, ``--host 0.0.0.0``, ``--production``,
``--no-open``) go to ``solara run``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP = Path(__file__).with_name("app.py")


def command(argv: list[str]) -> list[str]:
    """The ``solara run`` command line for the view, with the user's extra options."""
    return [sys.executable, "-m", "solara", "run", str(APP), *argv]


def main(argv: list[str] | None = None) -> int:
    """Make sure the browser files are present, then replace this process by ``solara run`` on the view.

    Returns 2 (after a one-line error) when the browser files cannot be provisioned.
    """
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    from chaingame import webassets

    try:
        webassets.ensure(log=print)
    except webassets.AssetError as e:
        print(f"python -m chaingame.viz: {e}", file=sys.stderr)
        return 2
    cmd = command(sys.argv[1:] if argv is None else argv)
    os.execv(cmd[0], cmd)


if __name__ == "__main__":
    sys.exit(main())
