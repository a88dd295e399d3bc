"""The compiled modules, imported on first use: ``import chaingame`` (and ``chaingame --help``) loads no numba.

numba keys a cached kernel (``cache=True``) on its own file alone: a kernel that inlines another module's
functions would go on loading machine code built from that module's old text after it changed (an edited
checkout, or an upgrade that rewrote ``kernel.py`` but left ``weekkernel.py`` as it was; the cache files stay
in ``__pycache__`` through ``pip install -U``). :func:`follow` drops such a kernel's cache when any of the files
it is built from changed, so it is compiled again. :func:`call` calls a kernel of one signature on any arrays.
"""

from __future__ import annotations

import hashlib
import importlib
from pathlib import Path
from types import ModuleType

import numpy as np

_LOADED: dict[str, ModuleType] = {}


def compiled(name: str) -> ModuleType:
    """The module ``chaingame.<name>`` (``kernel``, ``bookkernel``, ...), imported on the first call."""
    module = _LOADED.get(name)
    if module is None:
        module = _LOADED[name] = importlib.import_module(f"{__package__}.{name}")
    return module


def call(kernel, args, dtype=None) -> None:
    """Call ``kernel``, compiled for one signature of C-contiguous, writeable arrays, on the sequence ``args``.

    Should an array be of another kind (a view with strides, read-only, or not of ``dtype``; None: of its own), the
    call is made again with each such array as a copy of that kind, and the copies of writeable arrays (what the
    kernel writes among them) are written back.
    """
    try:
        kernel(*args)
    except TypeError:
        fit = [given(a, a.dtype if dtype is None else dtype) if isinstance(a, np.ndarray) else a for a in args]
        kernel(*fit)
        for a, b in zip(args, fit):
            if b is not a and a.flags.writeable:
                a[...] = b


def given(a, dtype=float) -> np.ndarray:
    """``a`` as a C-contiguous, writeable array of ``dtype``, itself where it is one (a kernel's one signature)."""
    a = np.ascontiguousarray(a, dtype=dtype)
    return a if a.flags.writeable else a.copy()


def follow(dispatcher, *sources: str) -> None:
    """Drop ``dispatcher``'s numba cache unless ``sources`` (the files its code comes from) are as when it was built.

    The sources' text is hashed into a mark beside the cache files; a different mark flushes the cache's index
    (numba then compiles again and saves anew) and is written in its place. Call it before the first call.
    """
    cache = getattr(dispatcher, "_cache", None)
    where = getattr(cache, "cache_path", None)
    if where is None:  # caching off: nothing kept to go stale
        return
    digest = hashlib.sha256()
    for source in sources:
        digest.update(Path(source).read_bytes())
    mark = Path(where) / f"{dispatcher.py_func.__module__}.{dispatcher.py_func.__qualname__}.follows"
    stamp = digest.hexdigest()
    try:
        if mark.read_text() == stamp:
            return
    except OSError:
        pass
    cache.flush()
    try:
        mark.parent.mkdir(parents=True, exist_ok=True)
        mark.write_text(stamp)
    except OSError:  # a read-only install: compiled in each process, never stale
        pass


def njit_from(sources: tuple[str, ...], signature: str | None = None, **options):
    """``numba.njit(signature, **options)`` for a kernel built from other modules' code too: :func:`follow` first.

    ``sources``: the files its code comes from (its own among them). With a ``signature`` the kernel is compiled
    (or loaded from the cache) at once and takes no other, as ``njit(signature)`` does.
    """
    from numba import njit

    def build(fn):
        dispatcher = njit(**options)(fn)
        follow(dispatcher, *sources)
        if signature is not None:
            dispatcher.compile(signature)
            dispatcher.disable_compile()
        return dispatcher

    return build
