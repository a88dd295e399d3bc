"""Small pieces shared by the pages: the frame, tables, figures, errors and a countdown.

Components only lay out what the classroom service returns (frozen dataclasses) and call it back;
no game logic lives here: pages are thin views over the service's verbs and snapshots.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import io
import math
import os
import time
from collections.abc import Callable, Sequence
from typing import Any

import ipyvue
import solara
import traitlets

from .boxes import HTML, Column
from .routes import BAR

# Which server process rendered the page: it changes when the server restarts, so a test (or a
# person) can tell a page mounted again on the new server from the old page still on screen.
SERVER_ID = hashlib.sha256(f"{os.getpid()}-{time.time_ns()}".encode()).hexdigest()[:12]

CSS = """
.cg-main { max-width: 1100px; width: 100%; box-sizing: border-box; margin: 0 auto; padding: 12px 16px 40px;
  container-type: inline-size; }  /* its width is the screen's: nothing inside can make the page scroll sideways */
.cg-main { overflow-wrap: anywhere; }  /* a long word (a link in the host's message, a name) breaks, not the page */
.cg-main table { overflow-wrap: normal; }  /* a table keeps its words whole and scrolls in its box */
.cg-scroll { overflow-x: auto; max-width: 100%; }  /* a wide table scrolls in its box, not the page */
.cg-bar { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 18px; padding: 10px 16px;
  background: #263238; color: #fff; }
.cg-bar a { color: #cfd8dc; text-decoration: none; }
.cg-bar .cg-brand { font-weight: 600; font-size: 18px; color: #fff; }
table.cg-table { border-collapse: collapse; font-size: 14px; margin: 4px 0 8px; }
table.cg-table th, table.cg-table td { padding: 3px 10px; border-bottom: 1px solid #e0e0e0; text-align: right; }
table.cg-table th { background: #f5f5f5; font-weight: 600; }
table.cg-table td.l, table.cg-table th.l { text-align: left; }
table.cg-table .cg-short, .cg-key { display: none; }
table.cg-table .cg-role { color: #78909c; font-size: 12px; }  /* a firm's role, under its name (the host's cards) */
.cg-books { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 8px; }
.cg-fig { border: 1px solid #e0e0e0; border-radius: 4px; padding: 8px 10px; background: #fff; }
.cg-fig .k { color: #546e7a; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.cg-fig .v { font-size: 24px; font-weight: 600; }
.cg-fig .n { color: #78909c; font-size: 12px; }
.cg-error { color: #b71c1c; background: #ffebee; padding: 6px 10px; border-radius: 4px; margin: 6px 0; }
.cg-wait { color: #0d47a1; background: #e3f2fd; padding: 10px 12px; border-radius: 4px; margin: 6px 0;
  font-size: 16px; }
.cg-ok { color: #1b5e20; background: #e8f5e9; padding: 10px 12px; border-radius: 4px; margin: 6px 0; }
.cg-code { font-family: monospace; font-size: 44px; letter-spacing: .12em; font-weight: 700; }
.cg-muted { color: #78909c; }
.cg-main .v-card-title { white-space: normal; }  /* a long title wraps rather than ending in "…" */
.cg-main .v-select__selection-text { white-space: normal; }  /* a long choice wraps too (e.g. the pacing) */
.cg-main .v-input__details { overflow: visible; }  /* a field's hint wraps onto more lines, whole */
.cg-main .v-messages__message { line-height: 16px; }
.cg-main .v-btn { max-width: 100%; height: auto; min-height: var(--v-btn-height); padding-block: 4px; }
.cg-main .v-btn__content { white-space: normal; }  /* a long button label wraps inside its button, never cut */
a.cg-link { color: #1565c0; text-decoration: underline; display: inline-flex; align-items: center; min-height: 44px; }
ul.cg-sessions { list-style: none; padding: 0; margin: 0; }  /* the host's sessions: a link each, its facts below */
ul.cg-sessions li { margin: 0 0 8px; }
ul.cg-sessions a.cg-link { min-height: 32px; }
@media (max-width: 600px) {  /* phones: less padding, compact tables with abbreviated headings and their key */
  .cg-main { padding: 8px 10px 32px; }
  .cg-bar { align-items: center; gap: 0 16px; padding: 0 10px; }
  .cg-bar a, .cg-bar .cg-brand { display: inline-flex; align-items: center; min-height: 44px; }
  .cg-main h2 { font-size: 22px; line-height: 1.25; }
  table.cg-table { font-size: 13px; }
  table.cg-table th, table.cg-table td { padding: 3px 5px; }
  table.cg-table td { white-space: nowrap; }  /* "1 of 2" on one line; a wider table scrolls in its box */
  table.cg-table td.w { white-space: normal; }  /* words that may wrap ("bot until a student joins") */
  table.cg-table .cg-long { display: none; }
  table.cg-table .cg-short { display: inline; }
  .cg-key { display: block; color: #78909c; font-size: 12px; margin: 0 0 6px; }
  .cg-books { grid-template-columns: repeat(auto-fill, minmax(140px, 1fr)); gap: 6px; }
  .cg-fig { padding: 6px 8px; }
  .cg-fig .v { font-size: 20px; }
  .cg-code { font-size: 32px; }
  .cg-main .v-card-title { padding: 10px 12px 4px; }
  .cg-main .v-card-text { padding: 0 12px 12px; }
  .cg-main .v-field-label { font-size: 14px; }  /* "Timer, seconds per week (empty: none)" whole at 360 px */
}
@media (max-width: 600px), (pointer: coarse) {  /* touch screens: targets of at least 44 px (WCAG 2.2, 2.5.5) */
  ul.cg-sessions a.cg-link { min-height: 44px; }
  .cg-main .v-btn { min-height: 44px; }
  .cg-main .v-btn-group { height: auto; flex-wrap: wrap; }
}
"""


@solara.component
def Frame(title: str, children: list = []):  # noqa: B006 (Solara's children convention)
    """Every page: a bar with the app's links, then the page's content."""
    solara.Title(f"{title} · chaingame")
    solara.Style(CSS)
    links = "".join(f'<a href="{page.url()}">{page.label.lower()}</a>' for page in BAR)
    HTML(tag="div", unsafe_innerHTML=f'<span class="cg-brand">chaingame</span>{links}', classes=["cg-bar"],
         attributes={"data-server": SERVER_ID})
    with Column(classes=["cg-main"], gap="10px"):
        for child in children:
            solara.display(child)


def fmt(x: Any, digits: int = 0) -> str:
    """A number for a table cell: thousands separators, '-' for missing values."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "-"
    if isinstance(x, int | float):
        return f"{x:,.{digits}f}" if digits or float(x) != int(x) else f"{int(x):,}"
    return str(x)


def plural(n: int, word: str, many: str | None = None) -> str:
    """``n`` and ``word``, in the plural unless ``n`` is 1: ``1 player``, ``0 players``, ``2 free seats``.

    ``many``: the plural where it is not ``word + "s"``.
    """
    return f"{n:,} {word if n == 1 else many or word + 's'}"


def money(x: Any) -> str:
    """Dollars with cents and thousands separators, '-' for missing values."""
    return "-" if x is None or (isinstance(x, float) and not math.isfinite(x)) else f"${x:,.2f}"


def row_html(values: Sequence[Any], left: int = 1) -> str:
    """One row of :func:`table_html` (cells escaped); the first ``left`` cells are left-aligned text."""
    return "<tr>" + "".join(f'<td class="{"l" if i < left else ""}">{html.escape(str(v))}</td>'
                            for i, v in enumerate(values)) + "</tr>"


def table_html(columns: Sequence[str], rows: Sequence[Sequence[Any]], left: int = 1, attrs: str = "",
               short: dict[str, str] | None = None, body: str | None = None) -> str:
    """An HTML table (cells escaped); the first ``left`` columns are left-aligned text.

    ``short`` maps a column to the abbreviation phones show in its place (the full name as its title);
    ``body``: the rows already drawn (:func:`row_html`), in place of ``rows``.
    """
    def heading(i: int, c: str) -> str:
        name = html.escape(c)
        if short and c in short:
            name = (f'<span class="cg-long">{name}</span>'
                    f'<abbr class="cg-short" title="{name}">{html.escape(short[c])}</abbr>')
        return f'<th class="{"l" if i < left else ""}">{name}</th>'

    head = "".join(heading(i, c) for i, c in enumerate(columns))
    if body is None:
        body = "".join(row_html(r, left) for r in rows)
    return f'<table class="cg-table" {attrs}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def key_html(columns: Sequence[str], short: dict[str, str]) -> str:
    """The key to a table's abbreviated headings (:func:`table_html`'s ``short``), shown on phones only."""
    words = " · ".join(f"{html.escape(short[c])} {html.escape(c)}" for c in columns if c in short and short[c] != c)
    return f'<p class="cg-key">{words}</p>' if words else ""


@solara.component
def Table(columns: Sequence[str], rows: Sequence[Sequence[Any]], left: int = 1, name: str = ""):
    """A table of escaped cells (:func:`table_html`), scrolling sideways; ``name`` is its ``data-testid``."""
    HTML(tag="div", unsafe_innerHTML=table_html(columns, rows, left), classes=["cg-scroll"],
         attributes={"data-testid": name} if name else None)


def figure_html(label: str, value: str, note: str = "", name: str = "") -> str:
    """One number of the books as HTML: label, value, a short note.

    One widget holds them all: fewer widgets make each week's re-render cheaper.
    """
    test = f' data-testid="{html.escape(name)}"' if name else ""
    return (f'<div class="cg-fig"{test}><div class="k">{html.escape(label)}</div>'
            f'<div class="v">{html.escape(value)}</div><div class="n">{html.escape(note)}</div></div>')


@solara.component
def Heading(text: str, level: int = 2):
    """A heading (plain HTML: Solara's Markdown would load Mermaid from a CDN)."""
    HTML(tag=f"h{level}", unsafe_innerHTML=html.escape(text), style="margin: 6px 0 2px")


@solara.component
def Error(message: str | None):
    """The service's one-line refusal as an alert (nothing if ``message`` is None or empty)."""
    if message:
        HTML(tag="div", classes=["cg-error"], unsafe_innerHTML=html.escape(message),
             attributes={"role": "alert", "data-testid": "error"})


def attempt(call: Callable, *args, **kwargs) -> tuple[Any, str | None]:
    """``(call(...), None)``, or ``(None, one-line message)`` for a refusal of the service."""
    from ..checks import ScenarioError
    from ..classroom import ClassroomError

    try:
        return call(*args, **kwargs), None
    except (ClassroomError, ScenarioError) as e:
        return None, str(e)


class _Countdown(ipyvue.VueTemplate):
    """Seconds left, counted down in the browser (no server round trip each second)."""

    template = traitlets.Unicode("""
<template><span data-testid="countdown">{{ text }}</span></template>
<script>
module.exports = {
  data() { return { now: Date.now(), start: Date.now(), timer: null }; },
  mounted() { this.timer = setInterval(() => { this.now = Date.now(); }, 500); },
  beforeDestroy() { clearInterval(this.timer); },
  beforeUnmount() { clearInterval(this.timer); },
  watch: { seconds() { this.start = Date.now(); this.now = this.start; } },
  computed: {
    text() {
      const left = Math.max(0, Math.round(this.seconds - (this.now - this.start) / 1000));
      return this.prefix + Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
    },
  },
};
</script>""").tag(sync=True)
    seconds = traitlets.Float(0).tag(sync=True)
    prefix = traitlets.Unicode("").tag(sync=True)


@solara.component
def Countdown(deadline: float | None, prefix: str = ""):
    """Time left until ``deadline`` (``time.time()`` seconds), ticking in the browser."""
    import time

    if deadline is None:
        return
    _Countdown.element(seconds=max(0.0, deadline - time.time()), prefix=prefix)


@solara.component
def Png(name: str, png: bytes):
    """A PNG chart (a :mod:`chaingame.figures` figure drawn by :func:`~chaingame.ui.charts.cached_png`)."""
    src = "data:image/png;base64," + base64.b64encode(png).decode()
    HTML(tag="div", unsafe_innerHTML=f'<img alt="{name}" src="{src}" style="max-width: 100%">',
         attributes={"data-testid": f"chart-{name}"})


@functools.lru_cache(maxsize=64)
def qr_svg(link: str, scale: int | None = None) -> str:
    """The QR code of ``link`` as SVG text (cached: a session's join link does not change).

    ``scale``: pixels per module, a fixed size (the host's dashboard); None: a viewBox without a
    size, which scales to its box (the projector).
    """
    import segno

    buf = io.BytesIO()
    size = {"scale": scale, "border": 2} if scale else {"omitsize": True, "border": 4}
    segno.make(link, error="m").save(buf, kind="svg", xmldecl=False, svgns=True, **size)
    return buf.getvalue().decode()
