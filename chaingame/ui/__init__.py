"""The classroom's web pages (Solara): host dashboard, player seat, debrief.

Thin views over :mod:`chaingame.classroom`: pages render the service's snapshots and call its
verbs; no game logic lives here. ``chaingame play`` serves :mod:`chaingame.ui.app`.
"""

import os

# Reacton's faster renderer (reacton >= 1.11, opt-in upstream, widgetti/reacton#49): a re-render
# skips every subtree whose element and state are unchanged, so a seat's week change costs the
# parts that changed, not the whole page (docs/classroom.md, *Speed*). Read when a page is first
# rendered; REACTON_FAST=0 in the environment keeps the classic renderer.
os.environ.setdefault("REACTON_FAST", "1")
