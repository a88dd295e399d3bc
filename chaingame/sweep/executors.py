"""Where a sweep's chunks run: in this process, in a local process pool, or on a Dask cluster.

Every option is a :class:`concurrent.futures.Executor`, so :mod:`chaingame.sweep.run` has one code
path: submit a top-level function with plain data, collect the results as they finish.

- ``workers=1``: :class:`SerialExecutor`, in this process (no pickling; easiest to debug).
- ``workers=N`` (default: the number of CPUs): a :class:`~concurrent.futures.ProcessPoolExecutor`
  whose workers are *spawned* (fresh interpreters, as on macOS and Windows). The start method is
  chosen for this pool only; the process-wide default is left alone.
- an address such as ``"tcp://scheduler:8786"``: ``distributed.Client(address).get_executor()``,
  from the optional extra ``cluster`` (``bash scripts/setup.sh cluster`` in the clone; imported
  only when asked for).
- any other :class:`~concurrent.futures.Executor` you pass is used as it is and left open.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import platform
import signal
import socket
from collections.abc import Iterator, Mapping
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

from ..checks import ScenarioError, number, show

EXTERNAL_WINDOW = 64  # chunks in flight on an executor we know nothing about
MMAP_THRESHOLD = 4 << 20  # bytes: smaller blocks come from the heap rather than from their own mmap
# bytes of free memory at the heap's top kept rather than given back to the OS: a call at R = 10,000 frees more than
# 32 MB at its end, which glibc then gave back and the next call faulted in again (about 1,600 page faults a
# classic simulate, 2-3 ms of 20, depending on what the process ran before)
TRIM_THRESHOLD = 128 << 20
TOP_PAD = 16 << 20  # bytes added to each growth of the heap
_M_TRIM_THRESHOLD, _M_TOP_PAD, _M_MMAP_THRESHOLD = -1, -2, -3  # mallopt parameters, glibc's <malloc.h>
CONNECT_TIMEOUT = 10.0  # s to wait for a TCP connection to a Dask scheduler


class SerialExecutor(Executor):
    """Runs each task in the calling process when it is submitted (``workers=1``)."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        """Run ``fn(*args, **kwargs)`` now; return a finished future holding its result or exception."""
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as e:  # KeyboardInterrupt and SystemExit propagate at once
            future.set_exception(e)
        return future


@dataclass
class Pool:
    """An executor and how many chunks to keep in flight on it (enough to keep every worker busy)."""

    executor: Executor
    window: int
    description: str


def process_pool(workers: int) -> ProcessPoolExecutor:
    """A process pool of ``workers`` spawned interpreters (safe with threads in this process).

    The workers ignore Ctrl-C: the parent handles it (it keeps the finished chunks and stops).
    """
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_ignore_interrupts)


def _ignore_interrupts() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def tune_malloc() -> bool:
    """Keep the array engine's short-lived arrays in the heap (glibc only; elsewhere it does nothing).

    A batch allocates and frees many arrays of a few hundred kB. By default glibc gives each its
    own mmap and unmaps it when freed, so the kernel maps and zeroes fresh pages again and again.
    Measured on the classic board (110 batches of 500 replications, in one process): page faults
    930,000 -> 18,000, system time 1.7 s -> 0.1 s, wall time 6.6 s -> 3.7 s, same peak memory.
    It changes this process's allocator for good, so chaingame calls it only in processes it
    runs in: sweep workers (:func:`chaingame.sweep.worker.run_chunk` in a child process) and ``chaingame
    sweep``. Returns whether the settings were applied.
    """
    if platform.libc_ver()[0] != "glibc":
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return False
    return all(libc.mallopt(param, value) == 1 for param, value in (
        (_M_MMAP_THRESHOLD, MMAP_THRESHOLD), (_M_TRIM_THRESHOLD, TRIM_THRESHOLD), (_M_TOP_PAD, TOP_PAD)))


_tuned = False


def tune_worker() -> None:
    """:func:`tune_malloc` once, in a child process only (never in the caller's own process)."""
    global _tuned
    if not _tuned and multiprocessing.parent_process() is not None:
        tune_malloc()
    _tuned = True


def default_workers() -> int:
    """The CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@contextmanager
def open_executor(workers: int | None = None, executor: Executor | str | None = None,
                  labels: Mapping[str, str] | None = None) -> Iterator[Pool]:
    """The executor a sweep runs on, shut down afterwards if it was opened here.

    Args:
        workers: local processes (1: in this process; None: one per CPU). Ignored with ``executor``.
        executor: an Executor to use as it is, or a Dask scheduler address to connect to.
        labels: the names of ``workers`` and ``executor`` in errors (``--cluster`` on the command line).
    """
    labels = {"workers": "workers", "executor": "executor"} | dict(labels or {})
    if isinstance(executor, Executor):
        window = 1 if isinstance(executor, SerialExecutor) else \
            max(EXTERNAL_WINDOW, 2 * (getattr(executor, "_max_workers", 0) or 0))
        yield Pool(executor, window, type(executor).__name__)
        return
    if executor is not None:
        if not isinstance(executor, str) or not executor.strip():
            raise ScenarioError(labels["executor"], f"{show(executor)} is not an Executor or a Dask scheduler "
                                                    "address (allowed: e.g. tcp://host:8786)")
        with dask_executor(executor.strip(), labels["executor"]) as pool:
            yield pool
        return
    n = default_workers() if workers is None else int(number(workers, labels["workers"], low=1, integer=True))
    if n == 1:
        yield Pool(SerialExecutor(), 1, "1 worker (in this process)")
        return
    pool = process_pool(n)
    try:
        yield Pool(pool, 2 * n, f"{n} worker processes")
    except BaseException:
        stop_workers(pool)
        raise
    pool.shutdown(wait=True)


STOP_TIMEOUT = 5.0  # s to wait for a terminated worker to exit


def stop_workers(pool: ProcessPoolExecutor) -> None:
    """Cancel what has not started and terminate the workers now (on Ctrl-C, SIGTERM or an error).

    ``shutdown(cancel_futures=True)`` alone lets each worker finish its chunk, and a parent killed
    meanwhile leaves them behind; the chunks already finished are kept by the caller.

    A worker terminated while it sends a result leaves half a message in the result pipe, and the
    pool's manager thread then waits for the rest for ever, and so does the interpreter's exit, which
    joins that thread. Once the workers are gone, this process's own copy of the pipe's writing end
    is the last one: closing it turns that wait into end-of-file, which the manager takes for a
    broken pool, and it stops.
    """
    workers = list((getattr(pool, "_processes", None) or {}).values())  # no public handle before Python 3.14
    results = getattr(pool, "_result_queue", None)
    pool.shutdown(wait=False, cancel_futures=True)
    for p in workers:
        if p.is_alive():
            p.terminate()
    for p in workers:
        p.join(STOP_TIMEOUT)
    if results is not None and not any(p.is_alive() for p in workers):
        results._writer.close()


@contextmanager
def dask_executor(address: str, label: str = "cluster") -> Iterator[Pool]:
    """``distributed.Client(address).get_executor()``, closed afterwards."""
    try:
        from distributed import Client
    except ImportError:
        raise ScenarioError(label, "a Dask cluster needs the optional extra cluster: bash scripts/setup.sh "
                                   "cluster (or pip install -e '.[cluster]') in the chaingame clone") from None
    try:
        _reachable(address)
    except ValueError:
        raise ScenarioError(label, f"{show(address)} is not a Dask scheduler address (allowed: tcp://host:port or "
                                   "tls://host:port)") from None
    except OSError as e:
        reason = " ".join(str(e).split()) or type(e).__name__
        raise ScenarioError(label, f"{show(address)}: cannot reach a Dask scheduler ({reason})") from None
    try:
        client = Client(address, set_as_default=False, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as e:
        reason = " ".join(str(e).split()) or type(e).__name__
        raise ScenarioError(label, f"{show(address)}: cannot reach a Dask scheduler ({reason})") from None
    try:
        threads = sum(client.nthreads().values())
        executor = client.get_executor(pure=False)  # every chunk is computed, never taken from a cache
        try:
            yield Pool(executor, max(4, 2 * threads), f"Dask cluster {address} ({threads} threads)")
        except BaseException:
            executor.shutdown(wait=False)
            raise
        executor.shutdown(wait=True)
    finally:
        client.close()


def _reachable(address: str, timeout: float = CONNECT_TIMEOUT) -> None:
    """Check a scheduler address before Dask does (Dask would wait longer, and fail with a traceback).

    Raises ValueError when it is not ``[tcp:// or tls://]host:port``, OSError (within ``timeout``) when nothing
    listens there.
    """
    scheme, _, rest = address.rpartition("://")
    host, _, port = rest.rpartition(":")
    if scheme not in ("", "tcp", "tls") or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError("not an address of the form tcp://host:port")
    with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout):
        pass
