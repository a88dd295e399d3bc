"""The live bridge between the classroom service and a page: re-render a tab when its session changes.

The service notifies its subscribers from whatever thread changed the state (a player's submit,
the host's start, the ticker); :func:`use_live` turns that into a re-render of the one browser tab
(Solara virtual kernel) that subscribed, and only when what the tab shows differs.

When a class submits at once, every re-render competes for one interpreter (the GIL): what the
renders cost, and in which order they run, decides how long the last team waits. So no page is
rendered in the thread that notified it: a visible change puts the page in one queue, served by
:data:`WORKERS` threads (not a hundred threads taking turns). A page waits there once for all its
changes; changes that must show at once (a team's new week) go first, in order; the others (a
teammate's order, the host's dashboard) wait :data:`LATER` s (or their ``delay``) and until no
urgent render has waited or run for :data:`QUIET` s, so in a class-wide burst the new week mostly
shows them too
(docs/classroom.md, *Speed*).
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import solara
from solara.server import kernel_context

from .. import idlegc
from ..classroom.process import get_classroom
from .components import attempt

log = logging.getLogger("chaingame.ui")

LATER = 0.1  # s: a change that need not show at once waits this long, gathering the changes that follow
QUIET = 0.2  # s: a deferred render also waits until no urgent one has run for this long (a burst is over)
WORKERS = 2  # render threads: few, so renders do not take turns; two, so one page's slow send holds up no one
URGENT, DEFERRED = 0, 1  # priorities in the queue


class _Renders:
    """Page re-renders: urgent ones in order; the others once due and :data:`QUIET` s after the last urgent one."""

    def __init__(self, workers: int = WORKERS):
        self._cond = threading.Condition()
        self._queue: list[tuple[int, float, int, Callable[[], None]]] = []  # (priority, due, n, job), a heap
        self._count = itertools.count()
        self._urgent = 0  # urgent renders running
        self._quiet_from = 0.0  # monotonic time from which no urgent render will have run for QUIET s
        self._workers = workers
        self._started = False

    def put(self, job: Callable[[], None], priority: int, wait: float = 0.0) -> None:
        """Run ``job()`` in a render thread: ``URGENT`` first, ``DEFERRED`` at least ``wait`` s from now."""
        with self._cond:
            heapq.heappush(self._queue, (priority, time.monotonic() + wait, next(self._count), job))
            if not self._started:
                self._started = True
                for n in range(self._workers):
                    worker = threading.Thread(target=self._work, name=f"chaingame-render-{n}", daemon=True)
                    worker.current_context = None  # Solara ties a thread to the tab that made it: this one serves all
                    worker.start()
            self._cond.notify()

    def _next(self) -> tuple[int, Callable[[], None]]:
        with self._cond:
            while True:
                if self._queue:
                    priority, due, _, job = self._queue[0]
                    wait = max(due, self._quiet_from) - time.monotonic()
                    if priority == URGENT or (self._urgent == 0 and wait <= 0):
                        heapq.heappop(self._queue)
                        self._urgent += priority == URGENT
                        return priority, job
                self._cond.wait(None if not self._queue or self._urgent else wait)

    def _work(self) -> None:
        while True:
            priority, job = self._next()
            try:
                job()
            except Exception:  # a closing tab must not stop the worker
                log.exception("a page update failed")
            finally:
                idlegc.busy()
                if priority == URGENT:
                    with self._cond:
                        self._urgent -= 1
                        self._quiet_from = time.monotonic() + QUIET
                        self._cond.notify_all()


renders = _Renders()


def _use_snapshot(read: Callable[[], Any], deps: list):
    """The snapshot ref and a re-render setter shared by :func:`use_live` and :func:`use_polled`.

    The ref holds ``attempt(read)``, read again at once when ``deps`` change; a change of the counter
    that the setter sets re-renders the component.
    """
    snapshot = solara.use_ref(None)
    last_deps = solara.use_ref(None)
    _, set_version = solara.use_state(0)
    if last_deps.current != deps:
        last_deps.current = list(deps)
        snapshot.current = attempt(read)
    return snapshot, set_version


def use_live(code: str | None, read: Callable[[], Any], deps: list, shown: Callable[[Any], Any] | None = None,
             delay: float = 0.0, team: int | None = None,
             urgent: Callable[[Any, Any], bool] | None = None,
             turn: Callable[[], Any] | None = None) -> tuple[Any, str | None]:
    """``attempt(read)`` now, and again whenever session ``code`` changes; re-render only on a visible difference.

    The classroom calls subscribers outside its lock from the thread that changed the state; the
    callback reads the new snapshot there and, if what the page shows differs, re-enters the kernel
    context of the tab that subscribed to update it (a Solara virtual kernel: widgets may only be
    changed inside their own tab's context), under the lock the server holds while it handles one
    of the tab's messages. Other teams' moves thus cost a page one read and one
    comparison, not a render.

    Args:
        code: the session's join code (None or empty: read once, subscribe to nothing).
        read: returns the snapshot the page shows, e.g. a call of the service; run through ``attempt``.
        deps: read again at once when these change (the page's own inputs, like hook dependencies).
        shown: the part of a snapshot the page displays (default: all of it); a change elsewhere
            is kept for the next render but does not cause one.
        delay: seconds to gather changes before one update, deferred behind every urgent render (the
            host's dashboard: the players' pages are not kept waiting behind it).
        team: follow only this team's changes and the session's (a seat's page).
        urgent: ``urgent(old, new)`` of two shown snapshots: whether the change must show at once;
            the others are deferred by :data:`LATER` s and behind the urgent ones (default: every
            change is urgent, unless ``delay`` is given).
        turn: with ``urgent``, a cheap read that differs whenever ``urgent`` could (a seat's: its team's
            week); while it reads as at the last change, a change is deferred unread and ``read`` runs
            once, when it is due: in a class-wide burst a teammate's order costs a page no read,
            since the team's new week overtakes it.
    """
    snapshot, set_version = _use_snapshot(read, deps)

    def visible(result):
        value, error = result
        return (shown(value) if shown is not None and value is not None else value), error

    def subscribe():
        if not code:
            return None
        context = kernel_context.get_current_context()
        alive = [True]
        lock = threading.Lock()  # one read at a time: the snapshot never goes back to an older one
        queued: list[tuple[object, int]] = []  # (ticket, priority) of this page's render waiting in the queue
        turned = [None]  # what ``turn`` read at the last change that read the snapshot

        def render():
            if not alive[0] or context.closed_event.is_set():
                return
            try:
                with context.lock, context:  # the lock the server holds for each of the tab's messages
                    if context.closed_event.is_set():
                        return
                    set_version(lambda n: n + 1)  # from the page's own count: a new subscription continues it
            except Exception:  # a closing tab must not break the service's notification loop
                log.exception("re-rendering a page after a change of session %s failed", code)

        def refresh():
            """Under ``lock``: read the snapshot again; the shown (old, new) when what the page shows differs."""
            new, old = attempt(read), snapshot.current
            snapshot.current = new
            try:
                if old is not None and visible(new) == visible(old):
                    return None
            except (TypeError, ValueError):  # not comparable (e.g. DataFrames): take it as changed
                pass
            return old, new

        def job(ticket, read_first: bool):
            def run():
                with lock:
                    if not alive[0] or not queued or queued[0][0] is not ticket:  # gone, or overtaken
                        return
                    queued.clear()
                    if read_first and refresh() is None:
                        return
                render()
            return run

        def queue(priority: int, wait: float, read_first: bool = False):
            """Under ``lock``: put the page in the render queue, unless it waits there already as urgently."""
            if not queued or priority < queued[0][1]:  # else the render waiting shows this change too
                queued[:] = [(object(), priority)]
                renders.put(job(queued[0][0], read_first), priority, wait)

        def update(inline: bool = False):
            with lock:
                if not alive[0]:  # unsubscribed: the snapshot is the new subscription's to read
                    return
                if delay > 0 and not inline:  # gathered: read once, when the delay is over
                    queue(DEFERRED, delay, read_first=True)
                    return
                if turn is not None and urgent is not None:
                    now, last = attempt(turn), turned[0]
                    turned[0] = now
                    held = snapshot.current  # (value, error): a missing value or an error is read again at once
                    if not inline and now == last and now[1] is None and held is not None and held[1] is None \
                            and held[0] is not None:
                        queue(DEFERRED, LATER, read_first=True)  # not urgent: read when due (a new week overtakes it)
                        return
                changed = refresh()
                if changed is None:
                    return
                if not inline:  # inline: the first update, in the page's own render (nothing to queue)
                    old, new = changed  # (value, error) each; an error or a missing value shows at once
                    now = (urgent is None or old is None or old[1] or new[1] or None in (old[0], new[0])
                           or urgent(visible(old)[0], visible(new)[0]))
                    queue(URGENT if now else DEFERRED, 0.0 if now else LATER)
                    return
                queued.clear()
            render()

        try:
            unsubscribe = get_classroom().subscribe(code, update, team=team)
        except Exception as e:  # NotFound: the page shows the read's own error
            log.debug("not subscribed to %s: %s", code, e)
            return None
        update(inline=True)  # anything that happened between the first read and the subscription

        def cleanup():
            with lock:
                alive[0] = False
            unsubscribe()

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


def use_polled(read: Callable[[], Any], deps: list, every: float) -> tuple[Any, str | None]:
    """``attempt(read)`` now, and again every ``every`` s while the tab is open; re-render only when it differs.

    For what no subscription reaches (the host's list of sessions: a session of another tab, its players
    and status, all read from the database): a read that finds the same sends nothing to the browser.
    The reads run in one thread per mounted component, stopped when it unmounts or the tab closes.
    """
    snapshot, set_version = _use_snapshot(read, deps)

    def poll():
        context = kernel_context.get_current_context()
        stop = threading.Event()

        def run():
            while not stop.wait(every) and not context.closed_event.is_set():
                new = attempt(read)
                if new == snapshot.current:
                    continue
                try:
                    with context.lock, context:  # as a message of the tab's: the cleanup below runs under it too
                        if stop.is_set() or context.closed_event.is_set():
                            return
                        snapshot.current = new
                        set_version(lambda n: n + 1)
                except Exception:  # a closing tab must not leave a traceback behind
                    log.exception("re-rendering a polled page part failed")
                    return

        threading.Thread(target=run, name="chaingame-poll", daemon=True).start()
        return stop.set

    solara.use_effect(poll, deps)
    return snapshot.current
