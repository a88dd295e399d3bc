"""The classroom's web pages (Solara): host dashboard, player seat, debrief.

Thin views over :mod:`chaingame.classroom`: pages render the service's snapshots and call its
verbs; no game logic lives here. ``chaingame play`` serves :mod:`chaingame.ui.app`.
"""
