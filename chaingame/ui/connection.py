"""Never a silent loss: the seat page says when its connection is lost, and keeps an unsent order.

A Solara page learns that its websocket dropped only in the browser, so the browser does the
watching (:class:`ConnectionGuard`): Solara's client status (``solara.debug.connectionStatus``,
``connecting`` from the moment the socket closes), the browser's ``offline`` flag, and a heartbeat
to ``/readyz`` every :data:`HEARTBEAT_MS` (a network that drops without closing the socket). While
any says the server is out of reach, a banner says so and the countdown is hidden.

What the player types in the order (and capacity) field is kept in the browser's
``localStorage`` with its week, and marked *to send* when they submit; it is forgotten once the
service has recorded the seat's decision for that week. When the page comes back (the socket
reconnects, or the page reloads on a restarted server and finds its seat again) it reports what it
holds: an order to send is submitted once more, and the service, the check of record, makes a
repeat of a recorded decision harmless and refuses a different one; the page then says which
(:func:`outcome`) and tells the browser, which no longer marks that order to send (a refused one
stays in the field, to correct). An order typed but not submitted is put back in the field,
marked not sent.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import json

import ipyvue
import solara
import traitlets

from ..classroom.process import get_classroom
from .boxes import HTML, Div, latest
from .components import attempt, fmt

KEY_PREFIX = "chaingame.order."  # browser storage key of a seat's unsent order (+ a hash of its token)
HEARTBEAT_MS = 5000  # ms between two /readyz probes of the heartbeat
MISSES = 2  # heartbeat probes (each up to 4 s) that must fail in a row before the page says it is offline
LONGEST = 100  # characters of a kept order or capacity text; anything longer is not a kept order
SEAT_LOST = ("nothing reaches the server now. An order you submit is kept in this browser and sent when the "
             "connection is back. The countdown is hidden until then.")  # the seat's banner, no order kept

CSS = """
.cg-lost { position: fixed; top: 0; left: 0; right: 0; z-index: 100003; padding: 10px 16px;
  background: #b71c1c; color: #fff; font-size: 16px; box-shadow: 0 2px 6px rgba(0,0,0,.3); }
.cg-offline [data-testid=countdown] { display: none; }
"""

_TEMPLATE = """
<template>
  <div style="display: contents">
    <div v-if="offline" class="cg-lost" role="alert" data-testid="connection">
      <strong>Connection lost</strong> — {{ message }}
    </div>
  </div>
</template>
<style>
""" + CSS + """
</style>
<script>
module.exports = {
  data() { return { status: "connected", online: true, misses: 0, kept: null }; },
  computed: {
    offline() { return this.status !== "connected" || !this.online || this.misses >= this.misses_allowed; },
    message() {
      const k = this.kept;
      if (k && k.queued && k.week === this.week && k.week > this.decided) {
        return "your order of " + k.order + " for week " + k.week + " is not sent yet. It is kept in this "
          + "browser and will be sent when the connection is back.";
      }
      return this.lost_text;
    },
  },
  mounted() {
    this.kept = this.read();
    this.settle();  // mounted again (the page's widgets can be redrawn) after the server acted on it
    this.report();
    this.forget();
    this.onInput = (e) => { if (e.target.closest && e.target.closest(".cg-order, .cg-capacity")) this.keep(false); };
    this.onClick = (e) => { if (e.target.closest && e.target.closest(".cg-submit")) this.keep(true); };
    this.onKey = (e) => {
      if (e.key === "Enter" && e.target.closest && e.target.closest(".cg-order, .cg-capacity")) this.keep(true);
    };
    document.addEventListener("input", this.onInput, true);
    document.addEventListener("click", this.onClick, true);
    document.addEventListener("keydown", this.onKey, true);
    // typed before this guard was drawn (its listeners were not there yet): kept as if typed now
    const typed = this.value(".cg-order");
    if (!(this.kept && this.kept.week === this.week)
        && (typed && typed !== this.shown_order || this.value(".cg-capacity"))) this.keep(false);
    this.poll = setInterval(() => this.check(), 250);
    this.beat = setInterval(() => this.heartbeat(), this.heartbeat_ms);
  },
  beforeDestroy() { this.stop(); },
  beforeUnmount() { this.stop(); },
  watch: {
    decided() { this.forget(); },
    handled() { this.settle(); },
    offline(now, before) {
      document.documentElement.classList.toggle("cg-offline", now);
      if (before && !now) this.report();  // back on the same server: send what was kept
    },
  },
  methods: {
    stop() {
      clearInterval(this.poll);
      clearInterval(this.beat);
      document.removeEventListener("input", this.onInput, true);
      document.removeEventListener("click", this.onClick, true);
      document.removeEventListener("keydown", this.onKey, true);
      document.documentElement.classList.remove("cg-offline");
    },
    check() {
      const debug = window.solara && window.solara.debug;
      this.status = (debug && debug.connectionStatus) || "connected";
      this.online = navigator.onLine !== false;
    },
    async heartbeat() {
      if (document.visibilityState === "hidden") return;
      const root = (window.solara && window.solara.rootPath) || "";
      const stop = new AbortController();
      const timer = setTimeout(() => stop.abort(), 4000);
      try {
        const answer = await fetch(root + "/readyz", {cache: "no-store", signal: stop.signal});
        this.misses = answer.ok ? 0 : this.misses + 1;
      } catch (e) {
        this.misses += 1;
      } finally {
        clearTimeout(timer);
      }
    },
    read() {
      try { return JSON.parse(window.localStorage.getItem(this.storage_key)); } catch (e) { return null; }
    },
    write(kept) {
      this.kept = kept;
      try {
        if (kept) window.localStorage.setItem(this.storage_key, JSON.stringify(kept));
        else window.localStorage.removeItem(this.storage_key);
      } catch (e) {}
    },
    value(selector) {
      const field = document.querySelector(selector + " input");
      return field ? field.value : "";
    },
    keep(queued) {  // what the fields hold now, for the open week; queued: the player submitted it
      if (!this.week || this.week <= this.decided) return;
      const order = this.value(".cg-order"), capacity = this.value(".cg-capacity");
      if (!order.trim() && !capacity.trim()) { this.write(null); return; }  // nothing typed: nothing kept
      this.write({week: this.week, order: order, capacity: capacity, queued: queued && order.trim() !== "",
                  at: Date.now()});  // an empty order is never sent again: the service refuses it at once
    },
    settle() {  // the server acted on this submitted order (recorded or refused): never send it again
      const k = this.kept;
      if (k && k.queued && k.at === this.handled) this.write(Object.assign({}, k, {queued: false}));
    },
    forget() {
      if (this.kept && !(typeof this.kept.week === "number" && this.kept.week > this.decided)) this.write(null);
    },
    report() {
      if (this.kept) this.pending = JSON.stringify(Object.assign({}, this.kept, {reported: Date.now()}));
    },
  },
};
</script>
"""


class ConnectionGuard(ipyvue.VueTemplate):
    """The browser's watch on the connection, and the keeper of the seat's unsent order.

    Set from Python: ``storage_key``, ``week`` (the week on the page), ``decided`` (the last week
    whose decision the service has recorded for this seat), ``shown_order`` (what the order field
    shows before anything is typed: an order typed before the guard was drawn differs from it and is
    kept too) and ``handled`` (the ``at`` of the last submitted order sent again: the browser then no
    longer marks it to send), ``lost_text`` (the banner's words: a page without a seat, at week 0,
    has the banner alone and keeps nothing). Set by the browser:
    ``pending``, the JSON text of the order it keeps, each time the page is mounted or its
    connection is back.
    """

    template = traitlets.Unicode(_TEMPLATE).tag(sync=True)
    storage_key = traitlets.Unicode(KEY_PREFIX).tag(sync=True)
    week = traitlets.Int(0).tag(sync=True)
    decided = traitlets.Int(0).tag(sync=True)
    shown_order = traitlets.Unicode("").tag(sync=True)  # what the order field shows untyped (a fixed order, or "")
    pending = traitlets.Unicode(None, allow_none=True).tag(sync=True)
    handled = traitlets.Float(0).tag(sync=True)
    heartbeat_ms = traitlets.Int(HEARTBEAT_MS).tag(sync=True)
    lost_text = traitlets.Unicode(SEAT_LOST).tag(sync=True)  # what the banner says (other pages: their own)
    misses_allowed = traitlets.Int(MISSES).tag(sync=True)


@dataclasses.dataclass(frozen=True)
class Kept:
    """An order the browser keeps for ``week``: the texts typed, and whether the player submitted it.

    ``at`` is when it was typed or submitted (the browser's clock, ms): it tells one submit from another.
    """

    week: int
    order: str
    capacity: str
    queued: bool
    at: float = 0.0


def storage_key(token: str) -> str:
    """The browser storage key of the unsent order of the seat of ``token`` (a hash: no token in a key)."""
    return KEY_PREFIX + hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()[:16]


def _text(value) -> str | None:
    if not isinstance(value, str) or len(value) > LONGEST:
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: not something a field holds
        return None
    return value


def parse_kept(text: str | None) -> Kept | None:
    """The order a browser reports (``ConnectionGuard.pending``); None for anything else.

    The browser's storage is the user's to change, so this is untrusted input: a text that is not
    such a JSON object, a week that is not a positive integer, texts that are not short strings.
    """
    if not isinstance(text, str) or len(text) > 10 * LONGEST:
        return None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    week, queued = data.get("week"), data.get("queued")
    order, capacity = _text(data.get("order")), _text(data.get("capacity", ""))
    if isinstance(week, bool) or not isinstance(week, int) or not 1 <= week <= 10**6:
        return None
    if order is None or capacity is None or not isinstance(queued, bool):
        return None
    at = data.get("at", 0)
    if isinstance(at, bool) or not isinstance(at, int | float) or not 0 <= at < 1e15:
        return None
    return Kept(week, order, capacity, queued, float(at))


def decided_week(view) -> int:
    """The last week whose decision the service has recorded for the seat of ``view`` (a SeatView)."""
    return view.week if view.decision is not None or view.done else view.week - 1


def recorded_decision(view, week: int) -> tuple[float, str] | None:
    """(order, decided_by) the service holds for the seat of ``view`` in ``week``, or None."""
    if view.week == week and view.decision is not None:
        return view.decision.order, view.decision.decided_by
    return next(((w.order, w.decided_by) for w in view.history if w.week == week), None)


def outcome(kept: Kept, message: str | None, recorded: tuple[float, str] | None) -> tuple[bool, str]:
    """What the page says after sending a kept order again (``message``: the service's refusal, or None).

    Returns (the player's order is the one recorded, the sentence): "is recorded", or "was not sent",
    why, and what the service holds for that week (a bot's decision included).
    """
    what = f"Your order of {kept.order} for week {kept.week}"
    if message is None and recorded is not None and recorded[1] != "bot":
        return True, f"{what} is recorded."
    why = (message or f"the bot had decided week {kept.week}").rstrip(".")
    held = "" if recorded is None else (f" Recorded for week {kept.week}: {fmt(recorded[0])}"
                                        f"{' (decided by the bot)' if recorded[1] == 'bot' else ''}.")
    return False, f"{what} was not sent: {why}.{held}"


def connection_banner(lost_text: str):
    """The "Connection lost" banner alone, for a page without a seat (join, host, projector): nothing is kept."""
    return ConnectionGuard.element(lost_text=lost_text)


KEPT = solara.create_context(None)  # the Kept order put back in the field after a reload (OrderForm reads it)


def use_kept(week: int) -> Kept | None:
    """The unsent order the browser kept for ``week`` (to show in the order field), else None."""
    kept = solara.use_context(KEPT)
    return kept if kept is not None and kept.week == week else None


def use_connection(token: str, view):
    """Watch the connection of the seat of ``token`` on a page showing ``view``; call in the page's render.

    Renders the guard and what it has to say (the element returned), and gives the order kept in
    the browser to the order field below it (:func:`use_kept`).
    """
    restored, set_restored = solara.use_state(None)
    KEPT.provide(restored)
    return Connection(token, view, restored, set_restored)


@solara.component
def Connection(token: str, view, restored: Kept | None, on_restore):
    """The guard of the seat of ``token``; sends a kept, submitted order again, restores a typed one.

    ``restored`` is the typed order last put back in the field (``on_restore`` sets it).
    """
    classroom = get_classroom()
    said, set_said = solara.use_state(None)  # (Kept, recorded?, what the page says of it)
    handled_at, set_handled_at = solara.use_state(0.0)  # the browser's "at" of the order last sent again
    handled = solara.use_ref(None)  # the last report acted on (a reconnect may report the same again)
    decides_capacity = view.decides_capacity

    def on_pending(text):
        kept = parse_kept(text)
        if kept is None or kept == handled.current:
            return
        handled.current = kept
        if kept.queued:
            capacity = kept.capacity if decides_capacity and kept.capacity.strip() else None
            after, message = attempt(classroom.submit, token, kept.week, kept.order, capacity)
            after = after or attempt(classroom.seat_view, token)[0]
            set_said((kept, *outcome(kept, message, after and recorded_decision(after, kept.week))))
            set_handled_at(kept.at)
            if message is not None and after is not None and after.week == kept.week and after.decision is None:
                on_restore(dataclasses.replace(kept, queued=False))  # refused, still open: back in the field
        else:
            on_restore(kept)

    with Div(style="display: contents"):  # one root whatever it says: the guard is never mounted anew
        ConnectionGuard.element(storage_key=storage_key(token), week=view.week, decided=decided_week(view),
                                shown_order="" if view.fixed_order is None else fmt(view.fixed_order),
                                handled=handled_at, on_pending=latest(on_pending))
        if said is not None and view.week - said[0].week <= 1:  # said of this week or of the one just closed
            _, recorded, text = said
            HTML(tag="div", classes=["cg-ok" if recorded else "cg-error"],
                 attributes={"data-testid": "resent", "role": "status"}, unsafe_innerHTML=html.escape(text))
        elif restored is not None and restored.week == view.week and view.decision is None:
            HTML(tag="div", classes=["cg-wait"], attributes={"data-testid": "unsent"},
                 unsafe_innerHTML=html.escape(f"Your order of {restored.order} for week {restored.week} is "
                                                     "not sent yet (kept in this browser): submit it to send it."))
