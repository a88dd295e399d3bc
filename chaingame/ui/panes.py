"""A seat's figures of the week (books, chain table, history, chart) as one browser-side widget.

Each of these parts changes once a week, together: as separate widgets they cost a new week one
message each (and an element each for reacton to reconcile). :class:`Panes` holds their HTML as
the traits of one widget, so a new week sends them in one message. Its root has ``display:
contents``: each part is laid out by the page's column as the separate widgets were, with the
same tags, classes, styles and ``data-testid`` (docs/classroom.md, *Speed*). A part left empty is
not drawn, so a page can show the books and the history apart (a priced seat's money between them).
"""

from __future__ import annotations

import ipyvue
import traitlets

ROW = ("flex-direction: row; align-items: stretch; justify-content: start; column-gap: 16px;flex-wrap: wrap; "
       "align-items: flex-start;")  # boxes.Row(style="flex-wrap: wrap; align-items: flex-start", gap="16px")
PARTS = ("books", "chain", "history", "chart")  # the traits, each the data-testid of its part

_TEMPLATE = """
<template>
  <div style="display: contents">
    <div v-if="books" class="cg-books" data-testid="books" v-html="books"></div>
    <div v-if="chain" class="cg-scroll" data-testid="chain" v-html="chain"></div>
    <v-sheet v-if="history" class="d-flex ma-0" elevation="0" style="ROW">
      <div data-testid="history" style="flex: 0 1 auto; min-width: 0; max-width: 100%" v-html="history"></div>
      <div data-testid="chart" style="flex: 1 1 320px; min-width: 0; max-width: 460px" v-html="chart"></div>
    </v-sheet>
  </div>
</template>
""".replace("ROW", ROW)


class Panes(ipyvue.VueTemplate):
    """The books (``books``, ``chain``: HTML, "" for none) and the weeks (``history``, ``chart``) of a seat."""

    template = traitlets.Unicode(_TEMPLATE).tag(sync=True)
    books = traitlets.Unicode("").tag(sync=True)
    chain = traitlets.Unicode("").tag(sync=True)
    history = traitlets.Unicode("").tag(sync=True)
    chart = traitlets.Unicode("").tag(sync=True)
