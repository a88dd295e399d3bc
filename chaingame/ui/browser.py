"""What the page keeps in the browser: a seat token or host keys, in ``sessionStorage``/``localStorage``.

A refresh keeps the seat because the token lives in the tab's ``sessionStorage`` (per tab, survives
a reload) and in ``localStorage`` (per browser, survives closing the tab); the tab's own copy wins,
so two tabs of one browser can hold two seats. Host keys are the browser's (``shared``): its
``localStorage`` copy wins and a tab follows the changes other tabs make to it (the ``storage``
event), so a session created in one tab is listed in the others. The server never trusts this value: it is a token the
service checks like any other input.

The widget also reports the page's origin (for the join link and QR code) and a ``#key=...``
fragment (the host's link), which it removes from the address bar so a projected screen does not
show it. And it reloads the page once the server answers again after its websocket has been down
for 3 s or more (a restarted server): the reloaded page finds its seat in the browser's storage.
"""

from __future__ import annotations

import json
import re

import ipyvue
import traitlets

HOST_KEY = "chaingame.host"  # browser storage: JSON {session code: host key} (host and debrief pages)


def host_keys(text: str | None) -> dict[str, str]:
    """The host keys a browser keeps under :data:`HOST_KEY` (``{}`` for anything but a JSON object)."""
    try:
        keys = json.loads(text or "{}")
    except (ValueError, RecursionError):  # the browser's storage is the user's to change: "[[[[..." too
        return {}
    return {str(k): str(v) for k, v in keys.items()} if isinstance(keys, dict) else {}


_ORIGIN = re.compile(r"https?://([\w.-]+|\[[0-9A-Fa-f:.]+\])(:\d{1,5})?", re.ASCII)  # scheme://host[:port]
LONGEST_ORIGIN = 300  # characters: a host name has at most 253


def page_origin(text) -> str:
    """The page's origin as its browser reports it, for the join link and its QR code.

    ``""`` (links relative to the page, no QR code) for anything but ``http(s)://host[:port]``: a
    tampered page may report any text, and a QR code holds at most about 2,000 characters.
    """
    if isinstance(text, str) and len(text) <= LONGEST_ORIGIN and _ORIGIN.fullmatch(text):
        return text
    return ""


_TEMPLATE = """
<template><span style="display: none"></span></template>
<script>
module.exports = {
  mounted() {
    let value = null;
    const stores = this.shared ? [window.localStorage, window.sessionStorage]
                               : [window.sessionStorage, window.localStorage];
    for (const store of stores) {
      if (value === null) { try { value = store.getItem(this.storage_key); } catch (e) {} }
    }
    if (this.shared) {  // another tab of this browser changed it: take its value (its copy is the browser's)
      this.onStorage = (e) => {
        if (e.key === this.storage_key && e.storageArea === window.localStorage) this.value = e.newValue;
      };
      window.addEventListener("storage", this.onStorage);
    }
    let fragment = "";
    const hash = window.location.hash || "";
    if (hash.startsWith("#key=")) {
      if (this.wants_fragment) fragment = decodeURIComponent(hash.slice(5));
      try { window.history.replaceState(null, "", window.location.pathname + window.location.search); } catch (e) {}
    }
    this.origin = window.location.origin;
    this.fragment = fragment;
    this.value = value;
    this.loaded = true;
    this.watchdog = setInterval(() => this.checkServer(), 1000);
  },
  beforeDestroy() { this.stop(); },
  beforeUnmount() { this.stop(); },
  methods: {
    stop() {
      clearInterval(this.watchdog);
      if (this.onStorage) window.removeEventListener("storage", this.onStorage);
    },
    // The server restarted (its websocket has been down for 3 s or more): reload as soon as it
    // answers again, rather than wait for the websocket's reconnection back-off.
    async checkServer() {
      const debug = window.solara && window.solara.debug;
      const status = debug && debug.connectionStatus;
      if (!status || status === "connected") { this.downFor = 0; return; }
      this.downFor = (this.downFor || 0) + 1;
      if (this.downFor < 3 || this.probing) return;
      this.probing = true;
      try {
        const root = (window.solara && window.solara.rootPath) || "";
        const answer = await fetch(root + "/readyz", {cache: "no-store"});
        if (answer.ok) window.location.reload();
      } catch (e) {
      } finally {
        this.probing = false;
      }
    },
  },
  watch: {
    value(v) {
      if (!this.loaded) return;
      for (const store of [window.sessionStorage, window.localStorage]) {
        try { if (v === null || v === "") store.removeItem(this.storage_key); else store.setItem(this.storage_key, v); }
        catch (e) {}
      }
    },
  },
};
</script>
"""


class BrowserStore(ipyvue.VueTemplate):
    """One string kept in the browser under ``storage_key`` (``None`` when absent).

    Traits set by the browser once mounted: ``value``, ``origin``, ``fragment`` (unless
    ``wants_fragment`` is False) and then ``loaded = True``; setting ``value`` from Python writes it
    back (``None`` or ``""`` deletes it).
    """

    template = traitlets.Unicode(_TEMPLATE).tag(sync=True)
    storage_key = traitlets.Unicode("chaingame").tag(sync=True)
    value = traitlets.Unicode(None, allow_none=True).tag(sync=True)
    loaded = traitlets.Bool(False).tag(sync=True)
    origin = traitlets.Unicode("").tag(sync=True)
    fragment = traitlets.Unicode("").tag(sync=True)
    shared = traitlets.Bool(False).tag(sync=True)  # True: the browser's copy (localStorage) wins, follows other tabs
    wants_fragment = traitlets.Bool(True).tag(sync=True)  # False: a ``#key=`` is removed unread (the projector)
