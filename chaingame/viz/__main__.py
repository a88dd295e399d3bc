"""``python -m chaingame.viz [solara run options]``: serve the researcher view.

The same as ``solara run chaingame/viz/app.py --no-check-version``, after making sure the page's
browser files are available offline (:mod:`chaingame.webassets`, the same files as the classroom's; fetched once
with npm if missing). Extra arguments (``--port 8766``, ``--host 0.0.0.0``, ``--production``,
``--no-open``) go to ``solara run``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP = Path(__file__).with_name("app.py")


def command(argv: list[str]) -> list[str]:
    """The ``solara run`` command line for the view, with the user's extra options.

    ``solara run`` asks pypi.org for Solara's latest version before it serves (and waits up to
    0.5 s for the answer); ``--no-check-version`` keeps the view offline, as the classroom is,
    unless the user asks for ``--check-version``.
    """
    offline = [] if "--check-version" in argv else ["--no-check-version"]
    return [sys.executable, "-m", "solara", "run", str(APP), *offline, *argv]


def main(argv: list[str] | None = None) -> int:
    """Make sure the browser files are present, then replace this process by ``solara run`` on the view.

    Returns 2 (after a one-line error) when the browser files cannot be provisioned.
    """
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")  # no usage reports to Solara's tracker
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
