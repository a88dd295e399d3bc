"""Pictures for the pages: a tiny SVG line chart for a seat, and the cache of the debrief's PNGs.

No data is computed here beyond laying it out: the numbers come from the service's snapshots.
The seat's chart is a hand-made SVG string (microseconds, no JavaScript, nothing from a CDN), as
every seat page re-renders each week; it plots what one seat sees, so it is a page component,
not one of the figures of a run. The debrief's figures are :mod:`chaingame.figures`' matplotlib
figures, turned into PNGs once per game state and shared by every viewer (:func:`cached_png`).
"""

from __future__ import annotations

import functools
import html
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ..figures import png_bytes

if TYPE_CHECKING:
    from matplotlib.figure import Figure

PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf")


def svg_lines(x: Sequence[float], series: dict[str, Sequence[float | None]], *, width: int = 520, height: int = 200,
              ylabel: str = "", colors: Sequence[str] = PALETTE, max_width: int | None = None) -> str:
    """A small step-free line chart as an SVG string: one polyline per series, a legend, axes ticks.

    Drawn on a ``width`` × ``height`` canvas and scaled to the width of its box (at most ``max_width``
    px, default ``width``), so it fits a phone; the legend wraps onto a second row when it is too long.
    """
    rows = _legend_rows(list(series), width)
    left, right, top, bottom = 40, 10, 8 + 16 * len(rows), 26
    w, h = width - left - right, height - top - bottom
    values = [v for s in series.values() for v in s if v is not None and math.isfinite(v)]
    xs = list(x)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" preserveAspectRatio="xMinYMin meet" '
           f'style="font: 11px sans-serif; width: 100%; max-width: {max_width or width}px; height: auto">']
    if not values or not xs:
        out.append(f'<text x="{left}" y="{top + h / 2}" fill="#666">no weeks played yet</text></svg>')
        return "".join(out)
    lo, hi = min(0.0, min(values)), max(values)
    hi = hi if hi > lo else lo + 1.0
    x0, x1 = min(xs), max(xs)
    span = x1 - x0 if x1 > x0 else 1.0

    def px(v: float) -> float:
        return left + (v - x0) / span * w

    def py(v: float) -> float:
        return top + h - (v - lo) / (hi - lo) * h

    # The lines are drawn in the data's own units, placed by one transform: a new week adds one point to
    # each line's text and changes only the transform (the text of the weeks before is kept: _points).
    sx, sy = w / span, h / (hi - lo)
    place_lines = f"matrix({sx:.9g} 0 0 {-sy:.9g} {left - x0 * sx:.9g} {top + h + lo * sy:.9g})"

    for tick in _ticks(lo, hi):
        y = py(tick)
        out.append(f'<line x1="{left}" x2="{left + w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e0e0e0"/>')
        out.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" fill="#555">{tick:g}</text>')
    for tick in _ticks(x0, x1, integer=True):
        out.append(f'<text x="{px(tick):.1f}" y="{top + h + 16}" text-anchor="middle" fill="#555">{tick:g}</text>')
    if lo < 0 < hi:
        out.append(f'<line x1="{left}" x2="{left + w}" y1="{py(0):.1f}" y2="{py(0):.1f}" stroke="#999"/>')
    place = {name: (x, 6 + 16 * r) for r, row in enumerate(rows) for name, x in row}
    out.append(f'<g transform="{place_lines}">')
    legend = []
    for i, (name, ys) in enumerate(series.items()):
        color = colors[i % len(colors)]
        points = _points(tuple(xs), tuple(ys))
        if points:
            out.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" vector-effect="non-scaling-stroke" '
                       f'points="{points}"/>')
        label = html.escape(name)
        lx, ly = place[name]
        legend.append(f'<rect x="{lx}" y="{ly}" width="10" height="10" fill="{color}"/>'
                      f'<text x="{lx + 14}" y="{ly + 9}" fill="#333">{label}</text>')
    out.append("</g>")
    out += legend
    if ylabel:
        out.append(f'<text x="4" y="{top - 6}" fill="#555">{html.escape(ylabel)}</text>')
    out.append("</svg>")
    return "".join(out)


@functools.lru_cache(maxsize=4096)
def _points(xs: tuple, ys: tuple) -> str:
    """A polyline's points in the data's units ("week,value ..."), the finite values only.

    Built from the same line without its last point, which the week before drew (cached): a seat's new week
    costs one point per line, not all of them again.
    """
    if not xs or not ys:
        return ""
    n = min(len(xs), len(ys))
    xs, ys = xs[:n], ys[:n]
    head = _points(xs[:-1], ys[:-1]) if n > 1 else ""
    b = ys[-1]
    if b is None or not math.isfinite(b):
        return head
    point = f"{xs[-1]:.6g},{b:.6g}"
    return f"{head} {point}" if head else point


def _legend_rows(names: list[str], width: int, start: int = 40) -> list[list[tuple[str, int]]]:
    """The legend's entries as rows of (name, x), a new row where the next entry would pass ``width``."""
    rows: list[list[tuple[str, int]]] = [[]]
    x = start
    for name in names:
        size = 24 + 7 * len(name)  # a 10 px swatch, a gap, about 7 px a character at 11 px
        if rows[-1] and x + size - 10 > width:
            rows.append([])
            x = start
        rows[-1].append((name, x))
        x += size
    return rows


def _ticks(lo: float, hi: float, n: int = 4, integer: bool = False) -> list[float]:
    raw = (hi - lo) / n if hi > lo else 1.0
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    if integer:
        step = max(1.0, round(step))
    first = math.ceil(lo / step) * step
    return [first + i * step for i in range(int((hi - first) / step + 1e-9) + 1)]


# --- the debrief's figures, drawn by chaingame.figures --------------------------------------------
_cache: OrderedDict[tuple, bytes] = OrderedDict()
_cache_lock = threading.Lock()
_draw_lock = threading.Lock()  # one figure at a time: two draws would only share the cores, not finish sooner
CACHE_SIZE = 64  # figures kept (a few per session and team)
DPI = 96  # the debrief's PNGs: pixels per inch of the figure's size


def cached_png(key: tuple, build: Callable[[], Figure]) -> bytes:
    """The PNG of the figure ``build()`` returns (a :mod:`chaingame.figures` figure), drawn once per ``key``."""
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    with _draw_lock:
        png = png_bytes(build(), dpi=DPI)
    with _cache_lock:
        _cache[key] = png
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return png
