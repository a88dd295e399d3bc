"""The order card as one browser-side widget: what is typed stays in the browser until sent.

A Vuetify ``TextField`` syncs its ``v_model`` on every keystroke: one websocket message per key,
each handled by the server (a render of the form, Solara's busy and idle replies). In
:class:`OrderBox` the order (and capacity) text is the browser's own until the player submits
(the button or Enter); the submit sends the week and the texts in one message, and the server
checks them exactly as before (``classroom.submit``, the check of record). A server-side change
of the week, or of what the field is to show (the decision once made, a fixed order, an order
the browser kept, :mod:`chaingame.ui.connection`), resets the field to it. The card around them
(its title with the week, the note on this week's order, the refusal) and the state line below it are drawn
by the same widget (its root has ``display: contents``: laid out by the page as separate widgets
were), so that a new week is one message to the browser, not four. The page looks as it did: the same Vuetify
card, fields, button, classes and layout (docs/classroom.md, *Speed*).
"""

from __future__ import annotations

import ipyvue
import traitlets

ORDER_LABEL = "Order (units)"
CAPACITY_LABEL = "Capacity target (units/week)"
SUBMIT_LABEL = "Submit order"

_TEMPLATE = """
<template>
  <div style="display: contents">
  <v-card elevation="2" class="ma-2 cg-order-card" style="max-width: 640px">
    <v-card-title>Your order for week {{ week }}</v-card-title>
    <v-card-text>
      <div data-testid="order-note">{{ note }}</div>
      <v-sheet class="d-flex ma-0" elevation="0"
        style="flex-direction: row; align-items: stretch; justify-content: start; column-gap: 12px;\
align-items: flex-start; flex-wrap: wrap; row-gap: 8px;">
        <v-text-field v-model="order" label="ORDER_LABEL" :hint="hint" persistent-hint class="cg-order"
          style="flex: 1 1 140px; max-width: 220px" :disabled="disabled" @keydown.enter="submit"></v-text-field>
        <v-text-field v-if="decides_capacity" v-model="capacity" label="CAPACITY_LABEL"
          hint="empty: keep the current capacity" persistent-hint class="cg-capacity"
          style="flex: 1 1 140px; max-width: 240px" :disabled="disabled" @keydown.enter="submit"></v-text-field>
        <v-btn color="primary" variant="elevated" class="cg-submit" style="margin-top: 6px" :disabled="disabled"
          @click="submit">SUBMIT_LABEL</v-btn>
      </v-sheet>
      <div v-if="error" class="cg-error" role="alert" data-testid="error">{{ error }}</div>
    </v-card-text>
  </v-card>
  <div :class="state ? 'cg-wait' : ''" data-testid="state">{{ state }}</div>
  </div>
</template>
<script>
module.exports = {
  data() { return { order: "", capacity: "" }; },
  created() { this.order = this.shown; this.capacity = this.shown_capacity; },
  watch: {
    week() { this.order = this.shown; this.capacity = this.shown_capacity; },
    shown() { this.order = this.shown; },
    shown_capacity() { this.capacity = this.shown_capacity; },
  },
  methods: {
    submit() {
      if (!this.disabled) this.send_order({week: this.week, order: this.order, capacity: this.capacity});
    },
  },
};
</script>
""".replace("CAPACITY_LABEL", CAPACITY_LABEL).replace("ORDER_LABEL", ORDER_LABEL).replace("SUBMIT_LABEL", SUBMIT_LABEL)


class OrderBox(ipyvue.VueTemplate):
    """The order card: its title, the order field, the capacity field (a seat that decides it), the button.

    Set from Python: ``week``, ``shown`` and ``shown_capacity`` (what the fields show when drawn and
    after each change of the week or of these: the browser's typing is reset to them), ``hint``,
    ``decides_capacity``, ``disabled``, ``note``, ``error`` and ``state`` (lines of text; the first
    two shown when not empty) and ``handler``, called with what the browser sends on a submit:
    ``{"week", "order", "capacity"}`` (untrusted: a tampered page may send anything).
    """

    template = traitlets.Unicode(_TEMPLATE).tag(sync=True)
    week = traitlets.Int(0).tag(sync=True)
    shown = traitlets.Unicode("").tag(sync=True)
    shown_capacity = traitlets.Unicode("").tag(sync=True)
    hint = traitlets.Unicode("").tag(sync=True)
    decides_capacity = traitlets.Bool(False).tag(sync=True)
    disabled = traitlets.Bool(False).tag(sync=True)
    note = traitlets.Unicode("").tag(sync=True)  # the line above the fields: a fixed order, what batching does, or ""
    error = traitlets.Unicode("").tag(sync=True)  # the service's refusal of the last submit, or ""
    state = traitlets.Unicode("").tag(sync=True)  # the line below the card: the decision made, who is awaited
    handler = traitlets.Any(None)  # not synced: the page's handler of a submit

    def vue_send_order(self, data):
        """A submit from the browser (the button or Enter): hand it to ``handler``."""
        if self.handler is not None:
            self.handler(data)
