"""The render queue of chaingame.ui.live: a class's new weeks render first, the rest waits behind them.

Real threads and the real queue (its own instance, so the pages of other tests are not involved);
each job records when it ran.
"""

from __future__ import annotations

import threading
import time

from chaingame.ui.live import DEFERRED, QUIET, URGENT, _Renders

WAIT = 10.0  # s: generous; every job here takes milliseconds


def test_urgent_renders_go_first_and_deferred_ones_wait_until_none_runs():
    queue = _Renders(workers=2)
    ran: list[tuple[str, float]] = []
    release, started = threading.Event(), threading.Event()
    done = threading.Semaphore(0)

    def job(name, block=False):
        def run():
            if block:
                started.set()
                assert release.wait(WAIT)
            ran.append((name, time.monotonic()))
            done.release()
        return run

    queue.put(job("urgent, slow", block=True), URGENT)
    assert started.wait(WAIT)
    queue.put(job("deferred"), DEFERRED, 0.0)  # due at once, but an urgent render runs
    queue.put(job("urgent"), URGENT)  # the second worker takes it at once
    assert done.acquire(timeout=WAIT)
    assert [n for n, _ in ran] == ["urgent"]
    time.sleep(0.2)
    assert [n for n, _ in ran] == ["urgent"], "a deferred render ran while an urgent one was running"
    release.set()
    assert done.acquire(timeout=WAIT) and done.acquire(timeout=WAIT)
    assert [n for n, _ in ran] == ["urgent", "urgent, slow", "deferred"]
    assert ran[2][1] - ran[1][1] >= QUIET * 0.99  # and the burst had been over for QUIET s


def test_a_deferred_render_waits_its_delay_and_urgent_ones_overtake_it():
    queue = _Renders(workers=1)
    ran: list[str] = []
    done = threading.Semaphore(0)

    def job(name):
        def run():
            ran.append(name)
            done.release()
        return run

    t0 = time.monotonic()
    queue.put(job("deferred 0.3 s"), DEFERRED, 0.3)
    queue.put(job("deferred 0.1 s"), DEFERRED, 0.1)
    queue.put(job("urgent"), URGENT)
    assert done.acquire(timeout=WAIT)
    assert ran == ["urgent"]
    assert done.acquire(timeout=WAIT)
    assert ran == ["urgent", "deferred 0.1 s"] and time.monotonic() - t0 >= 0.1
    assert done.acquire(timeout=WAIT)
    assert ran == ["urgent", "deferred 0.1 s", "deferred 0.3 s"] and time.monotonic() - t0 >= 0.3


def test_a_failing_job_does_not_stop_its_worker():
    queue = _Renders(workers=1)
    done = threading.Event()

    def broken():
        raise RuntimeError("a closing tab")

    queue.put(broken, URGENT)
    queue.put(done.set, URGENT)
    assert done.wait(WAIT)
