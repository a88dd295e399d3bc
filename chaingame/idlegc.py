"""Full garbage collections while the class is quiet, not in the middle of a week's burst.

CPython's full collection scans every tracked object the server holds (the frozen start-up heap
aside: :func:`chaingame.serve.freeze_heap`) while it holds the GIL: with 120 pages open, a
pause every class's thread waits through. It is triggered by allocations, so it falls where most objects
are made, in a week's burst. :func:`start` leaves the young generations to CPython and runs the
full collection in a thread of its own once no page message or render has come for :data:`QUIET`
s (at most every :data:`EVERY` s; after :data:`LATEST` s at the latest, quiet or not, so that
memory stays bounded). The pages say they are busy with :func:`busy`. docs/classroom.md, Speed,
*Less per submission*.
"""

from __future__ import annotations

import gc
import threading
import time

QUIET = 0.3  # s with no page message and no render before a full collection
EVERY = 30.0  # s: at most one full collection in this long
LATEST = 300.0  # s: a full collection after this long, quiet or not
NEVER = 10**9  # CPython's full-collection threshold once this module collects instead

_last_busy = time.monotonic()
_started = threading.Event()


def busy() -> None:
    """A page message or a render happened now (called by chaingame.wswriter and chaingame.ui.live)."""
    global _last_busy
    _last_busy = time.monotonic()


def start(quiet: float = QUIET, every: float = EVERY, latest: float = LATEST) -> threading.Thread | None:
    """Take the full collections over from CPython's allocation counts (once a process; None if started)."""
    if _started.is_set():
        return None
    _started.set()
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, NEVER)

    def collect() -> None:
        last = time.monotonic()
        while True:
            time.sleep(quiet / 3)
            now = time.monotonic()
            if now - last >= latest or now - last >= every and now - _last_busy >= quiet:
                gc.collect()
                last = time.monotonic()

    thread = threading.Thread(target=collect, name="chaingame-idle-gc", daemon=True)
    thread.start()
    return thread
