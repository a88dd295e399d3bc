"""Pages without a browser: each :class:`Tab` is a Solara virtual kernel rendering a page in this process.

Used by the tests (``tests/ui``) and the server-only benchmark (``benchmarks/classroom.py --kernels``).
Several tabs share the process's classroom as the browser tabs of a class share the server's: a
click in one tab reaches the others through the service's subscribers, which re-enter each tab's
own kernel context, exactly as in the server. What a browser would do is simulated on the widgets:
the storage widget reports ``loaded`` (and a stored value), buttons are clicked, text fields get a
``v_model``; in the order form (:class:`~chaingame.ui.orderbox.OrderBox`) the typed text is the
tab's own, reset as the browser resets it, and a submit sends it as the browser does.
"""

from __future__ import annotations

import itertools
import json
import time

import ipyvuetify as v
import solara
import solara.server.app  # noqa: F401  (patches ipywidgets so each kernel holds its own widgets)
from solara.server import kernel, kernel_context
from solara.widgets import HTML

from . import app
from .browser import BrowserStore
from .orderbox import CAPACITY_LABEL, ORDER_LABEL, SUBMIT_LABEL, OrderBox
from .panes import PARTS, Panes

_ids = itertools.count()
WAIT = 10.0  # s: generous; a cross-tab update takes milliseconds here


class Tab:
    """One browser tab: a virtual kernel with a page rendered at ``path``."""

    def __init__(self, path: str, stored: str | None = None, origin: str = "http://class.test:8765"):
        n = next(_ids)
        self.context = kernel_context.VirtualKernelContext(id=f"tab-{n}", kernel=kernel.Kernel(),
                                                           session_id=f"session-{n}")
        self.path = path
        with self.context:
            element = solara.RoutingProvider(children=[app.Root()], routes=app.routes, pathname=path)
            self.box, self.rc = solara.render(element, handle_error=False)
            store = self.rc.find(BrowserStore).widget
            store.origin = origin
            if stored is not None:
                store.value = stored
            store.loaded = True  # what the browser reports once the page is mounted

    # reading --------------------------------------------------------------------------------------
    def __enter__(self):
        """Enter the tab's kernel as the server handles one of its messages: under its lock, never mid-render."""
        self.context.lock.acquire()
        self.context.__enter__()
        return self

    def __exit__(self, *exc):
        try:
            self.context.__exit__(*exc)
        finally:
            self.context.lock.release()

    def testid(self, name: str) -> list:
        """The HTML widgets whose ``data-testid`` attribute is ``name``.

        Also the parts the page's own widgets draw with that ``data-testid``, each as a :class:`Part`:
        the order card's refusal (``error``), note (``order-note``) and state line (``state``), and a
        :class:`~chaingame.ui.panes.Panes`'s parts.
        """
        with self:
            found = [w for w in self.rc.find(HTML).widgets if (w.attributes or {}).get("data-testid") == name]
            if name == "error":
                found += [Part(name, box.error) for box in self.rc.find(OrderBox).widgets if box.error]
            if name == "state":
                found += [Part(name, box.state) for box in self.rc.find(OrderBox).widgets]
            if name == "order-note":
                found += [Part(name, box.note) for box in self.rc.find(OrderBox).widgets]
            if name in PARTS:
                found += [Part(name, getattr(w, name)) for w in self.rc.find(Panes).widgets
                          if getattr(w, name) and (name != "chart" or w.history)]
            return found

    def text(self, name: str) -> str:
        """The HTML of the one element with ``data-testid`` ``name`` (an AssertionError if not exactly one)."""
        found = self.testid(name)
        assert len(found) == 1, f"{len(found)} elements with data-testid={name!r} on {self.path}"
        return found[0].unsafe_innerHTML or ""

    def has(self, name: str) -> bool:
        """Whether the page shows an element with ``data-testid`` ``name``."""
        return bool(self.testid(name))

    def stored(self) -> str | None:
        """The value in the tab's browser storage widget (None: nothing stored)."""
        with self:
            return self.rc.find(BrowserStore).widget.value

    def page_state(self) -> str:
        """Everything this tab's widgets would send to the browser, as one JSON text."""
        with self:
            return json.dumps([w.get_state() for w in list(self.context.widgets.values())], default=str)

    def wait(self, condition, what: str, timeout: float = WAIT):
        """Poll ``condition()`` in the tab's kernel until it is true, else fail after ``timeout`` s.

        While the page is still updating, an AssertionError, ValueError or KeyError from ``condition``
        counts as "not yet"; ``what`` names the awaited state in the timeout message.
        """
        deadline = time.monotonic() + timeout
        while True:
            with self:
                try:
                    if condition():
                        return
                except (AssertionError, ValueError, KeyError):
                    pass
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout} s waiting for {what} on {self.path}")
            time.sleep(0.01)

    def wait_text(self, name: str, part: str, timeout: float = WAIT):
        """Wait until an element with ``data-testid`` ``name`` contains the text ``part``."""
        self.wait(lambda: any(part in (w.unsafe_innerHTML or "") for w in self.testid(name)),
                  f"{part!r} in [data-testid={name}]", timeout)

    # acting ---------------------------------------------------------------------------------------
    def order_box(self) -> OrderBox | None:
        """The page's order form widget, or None."""
        with self:
            found = self.rc.find(OrderBox).widgets
            return found[0] if found else None

    def _typed(self, box: OrderBox) -> dict:
        """The texts the browser holds in ``box``'s fields: reset on a new week or a new shown value."""
        typed = self.__dict__.setdefault("_typing", {})
        if box.model_id not in typed:
            state = typed[box.model_id] = {"order": box.shown, "capacity": box.shown_capacity}

            def reset(change):
                if change["name"] in ("week", "shown"):
                    state["order"] = box.shown
                if change["name"] in ("week", "shown_capacity"):
                    state["capacity"] = box.shown_capacity

            box.observe(reset, names=["week", "shown", "shown_capacity"])
        return typed[box.model_id]

    def field_value(self, label: str = ORDER_LABEL) -> str:
        """What the order form's field labelled ``label`` shows in the browser."""
        box = self.order_box()
        assert box is not None and (label == ORDER_LABEL or box.decides_capacity), f"no field {label!r}"
        return self._typed(box)["order" if label == ORDER_LABEL else "capacity"]

    def submit_order(self):
        """What the browser sends on a submit (the button, or Enter in a field): the week and the typed texts."""
        box = self.order_box()
        assert box is not None and not box.disabled, f"the button {SUBMIT_LABEL!r} on {self.path} is disabled"
        typed = self._typed(box)
        with self:  # as the server handles the event's message
            box._handle_event(None, {"event": "send_order", "data": {"week": box.week, **typed}}, [])

    def fill(self, label: str, value: str):
        """Type ``value`` into the text field labelled ``label``."""
        box = self.order_box() if label in (ORDER_LABEL, CAPACITY_LABEL) else None
        if box is not None:  # nothing reaches the server until the submit
            assert not box.disabled, f"the field {label!r} on {self.path} is disabled"
            self._typed(box)["order" if label == ORDER_LABEL else "capacity"] = value
            return
        with self:
            self.rc.find(v.TextField, label=label).widget.v_model = value

    def fill_area(self, label: str, value: str):
        """Type ``value`` into the text area labelled ``label``."""
        with self:
            self.rc.find(v.Textarea, label=label).widget.v_model = value

    def button(self, label: str) -> v.Btn:
        """The button labelled ``label`` (an AssertionError if it is disabled); ``with tab: b.click()`` clicks it."""
        if label == SUBMIT_LABEL and self.order_box() is not None:
            return _Submit(self)
        with self:
            button = self.rc.find(v.Btn, children=[label]).widget
            assert not button.disabled, f"the button {label!r} on {self.path} is disabled"
            return button

    def click(self, label: str):
        """Click the button labelled ``label`` (an AssertionError if it is disabled)."""
        if label == SUBMIT_LABEL and self.order_box() is not None:
            self.submit_order()
            return
        button = self.button(label)
        with self:
            button.click()

    def buttons(self, disabled: bool = False) -> list[str]:
        """The labels of the buttons one can click (and of the disabled ones too, with ``disabled``)."""
        box = self.order_box()
        with self:
            return [b.children[0] for b in self.rc.find(v.Btn).widgets
                    if b.children and isinstance(b.children[0], str) and (disabled or not b.disabled)] + (
                [SUBMIT_LABEL] if box is not None and (disabled or not box.disabled) else [])

    def select(self, label: str, value):
        """Choose ``value`` in the select labelled ``label``."""
        with self:
            self.rc.find(v.Select, label=label).widget.v_model = value

    def close(self):
        """Unmount the page and close the tab's kernel."""
        with self:
            self.rc.close()
        self.context.close()


class Part:
    """A part a widget draws with its own ``data-testid`` (as :meth:`Tab.testid` finds it): its inner HTML."""

    def __init__(self, name: str, inner: str):
        self.attributes = {"data-testid": name}
        self.unsafe_innerHTML = inner


class _Submit:
    """The order form's submit button of a :class:`Tab` (``with tab: b.click()`` clicks it, as for a ``v.Btn``)."""

    def __init__(self, tab: Tab):
        self.tab, self.box = tab, tab.order_box()
        self.typed = tab._typed(self.box)

    def click(self):
        """Send the submit event with the texts typed (the caller holds the tab's kernel, as the server does)."""
        self.box._handle_event(None, {"event": "send_order", "data": {"week": self.box.week, **self.typed}}, [])
