"""The live bridge between the classroom service and a page: re-render a tab when its session changes.

The service notifies its subscribers from whatever thread changed the state (a player's submit,
the host's start, the ticker); :func:`use_live` turns that into a re-render of the one browser tab
(Solara virtual kernel) that subscribed, and only when what the tab shows differs.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

import solara
from solara.server import kernel_context

from ..classroom.process import get_classroom
from .components import attempt

log = logging.getLogger("chaingame.ui")


def use_live(code: str | None, read: Callable[[], Any], deps: list, shown: Callable[[Any], Any] | None = None,
             delay: float = 0.0, team: int | None = None) -> tuple[Any, str | None]:
    """``attempt(read)`` now, and again whenever session ``code`` changes; re-render only on a visible difference.

    The classroom calls subscribers outside its lock from the thread that changed the state; the
    callback reads the new snapshot there and, if what the page shows differs, re-enters the kernel
    context of the tab that subscribed to update it (a Solara virtual kernel: widgets may only be
    changed inside their own tab's context). Other teams' moves thus cost a page one read and one
    comparison, not a render.

    Args:
        code: the session's join code (None or empty: read once, subscribe to nothing).
        read: returns the snapshot the page shows, e.g. a call of the service; run through ``attempt``.
        deps: read again at once when these change (the page's own inputs, like hook dependencies).
        shown: the part of a snapshot the page displays (default: all of it); a change elsewhere
            is kept for the next render but does not cause one.
        delay: seconds to gather changes before one update, off the notifying thread (the host's
            dashboard: the players' pages are not kept waiting behind it).
        team: follow only this team's changes and the session's (a seat's page).
    """
    snapshot = solara.use_ref(None)
    last_deps = solara.use_ref(None)
    _, set_version = solara.use_state(0)
    if last_deps.current != deps:
        last_deps.current = list(deps)
        snapshot.current = attempt(read)

    def visible(result):
        value, error = result
        return (shown(value) if shown is not None and value is not None else value), error

    def subscribe():
        if not code:
            return None
        context = kernel_context.get_current_context()
        alive = [True]
        pending: list[threading.Timer] = []
        lock = threading.Lock()

        def update():
            with lock:
                pending.clear()
            if not alive[0] or context.closed_event.is_set():
                return
            new, old = attempt(read), snapshot.current
            snapshot.current = new
            try:
                if old is not None and visible(new) == visible(old):
                    return
            except (TypeError, ValueError):  # not comparable (e.g. DataFrames): take it as changed
                pass
            try:
                with context:
                    set_version(lambda n: n + 1)  # from the page's own count: a new subscription continues it
            except Exception:  # a closing tab must not break the service's notification loop
                log.exception("re-rendering a page after a change of session %s failed", code)

        def changed():
            if delay <= 0:
                update()
                return
            with lock:
                if pending:
                    return
                timer = threading.Timer(delay, update)
                timer.daemon = True
                pending.append(timer)
            timer.start()

        try:
            unsubscribe = get_classroom().subscribe(code, changed, team=team)
        except Exception as e:  # NotFound: the page shows the read's own error
            log.debug("not subscribed to %s: %s", code, e)
            return None
        update()  # anything that happened between the first read and the subscription

        def cleanup():
            alive[0] = False
            unsubscribe()
            with lock:
                for timer in pending:
                    timer.cancel()

        return cleanup

    solara.use_effect(subscribe, [code, team, *deps])
    return snapshot.current


def use_debrief(code: str, key: str | None):
    """A session's debrief data, followed live: ``(version, data, error)``.

    The debrief is read again when the round, the status, the guesses given or (with the host key
    ``key``) any team's week changes; ``data`` is None and ``error`` says why where it cannot be read.
    """
    classroom = get_classroom()

    def stage():
        if key:
            v = classroom.host_view(code, key)
            return classroom.progress(code), tuple((t.week, t.done) for t in v.teams)
        return classroom.progress(code)

    version, stage_error = use_live(code, stage, [code, key])
    data, error = solara.use_memo(lambda: attempt(classroom.debrief, code, key) if version is not None
                                  else (None, None), [code, key, version])
    return version, data, error or stage_error
