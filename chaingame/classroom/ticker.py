"""The thread that ends a week when its timer runs out: it calls ``Classroom.tick()`` every second.

The service keeps no clock of its own (its verbs take ``now``); this thread is the one place that
turns wall-clock time into ticks. :meth:`Classroom.start_ticker` starts it and
:meth:`Classroom.close` stops it.
"""

from __future__ import annotations

import logging
import threading

log = logging.getLogger("chaingame.classroom")

TICK_SECONDS = 1.0  # s between two Classroom.tick() calls (week timers have a 1 s resolution)


class Ticker(threading.Thread):
    """Calls ``classroom.tick()`` every ``interval`` seconds until :meth:`stop`."""

    def __init__(self, classroom, interval: float = TICK_SECONDS):
        super().__init__(name="chaingame-ticker", daemon=True)
        self.classroom = classroom
        self.interval = interval
        self._halt = threading.Event()  # not `_stop`: threading.Thread has a method of that name

    def run(self) -> None:
        """Tick the classroom every ``interval`` seconds until stopped; a failing tick is logged, not raised."""
        while not self._halt.wait(self.interval):
            try:
                self.classroom.tick()
            except Exception:  # a failing tick must not end the timers of every other session
                log.exception("classroom tick failed")

    def stop(self) -> None:
        """Stop ticking (the thread ends at its next wake-up)."""
        self._halt.set()
