"""What a seat page's week change re-renders: the parts that changed, not the whole page (docs/classroom.md, Speed)."""

from __future__ import annotations

import reacton.core
import traitlets

from chaingame.ui import boxes, seatinfo

from .test_pages import join, order


def test_a_week_change_skips_the_parts_that_stay_the_same(classroom, tabs):
    t = classroom.create_session("classic", teams=1, weeks=4)
    seats = [join(tabs, t.code, name) for name in ("Ann", "Bob", "Cy", "Di")]
    classroom.start(t.code, t.host_key)
    for tab in seats:
        tab.wait(lambda tab=tab: tab.button("Submit order"), "week 1's order form")
    ann = seats[0]
    assert isinstance(ann.rc, reacton.core._RenderContextFast), "the page renders with reacton's fast renderer"
    assert reacton.core._default_container is boxes.Column, "several children are wrapped without a component layer"
    chain_map, history = ann.text("chain-map"), ann.text("history")
    maps = seatinfo.ChainMap.render_count  # every page's renders of the chain diagram, counted by reacton
    for tab in seats:
        order(tab)
    for tab in seats:
        tab.wait_text("week", "week 2 of 4")
    assert ann.text("history") != history and ann.text("chain-map") == chain_map  # the week's row is there
    assert seatinfo.ChainMap.render_count == maps, "a new week re-ran the chain diagram, whose rules did not change"
    assert ann.buttons() == ["Submit order"] and not ann.has("error")


CASES = [  # (name, args): each of chaingame.ui.boxes against Solara's component of the same name
    ("HTML", dict(tag="span", unsafe_innerHTML="<b>4</b>", style="font-size: 20px", classes=["cg-a", "cg-b"],
                  attributes={"data-testid": "week"})),
    ("HTML", dict(unsafe_innerHTML="plain")),
    ("Text", dict(text="a line", classes=["cg-muted"])),
    ("Text", dict(text="styled", style={"color": "red"})),
    ("Row", dict(style="flex-wrap: wrap; align-items: flex-start", gap="16px", classes=["x"])),
    ("Row", dict(justify="center", margin=2)),
    ("Column", dict()),  # reacton's default container of a component with several children (chaingame.ui.app)
    ("Column", dict(classes=["cg-main"], gap="10px")),
    ("Column", dict(align="start", style={"flex": "1 1 300px"})),
    ("Div", dict(style="display: contents", classes=["cg-d"])),
]


def _widgets(make, args):
    """The (class, state) of every widget ``make(**args)`` renders, a child text inside containers."""
    import solara

    @solara.component
    def Page():
        if "text" in args or "unsafe_innerHTML" in args:
            make(**args)
        else:
            with make(**args):
                solara.HTML(tag="i", unsafe_innerHTML="child")

    box, rc = solara.render(Page(), handle_error=False)
    try:
        def walk(w):
            state = {k: v for k, v in w.get_state().items() if k not in ("children", "layout", "_dom_classes")}
            kids = [walk(c) for c in getattr(w, "children", ()) if hasattr(c, "get_state")]
            return type(w).__name__, state, kids
        return [walk(w) for w in box.children]
    finally:
        rc.close()


def test_the_plain_boxes_render_the_very_widgets_of_solaras_components():
    import solara
    from solara.server import kernel, kernel_context

    from chaingame.ui import boxes

    context = kernel_context.VirtualKernelContext(id="boxes", kernel=kernel.Kernel(), session_id="boxes")
    with context:
        for name, args in CASES:
            ours, theirs = _widgets(getattr(boxes, name), args), _widgets(getattr(solara, name), args)
            assert ours == theirs, (name, args)
            assert ours[0][1], "a widget's state was compared"
    context.close()


def test_a_week_change_sends_the_seat_page_four_widget_messages(classroom, tabs, monkeypatch):
    """A new week: the week label, the order card (title, fields, state line: chaingame.ui.orderbox), the books,
    history and chart (chaingame.ui.panes) and the connection guard, one message each (7.2 before); a decision:
    the order card and the guard."""
    import collections
    import threading
    import time

    import ipywidgets

    from chaingame.ui import live

    t = classroom.create_session("classic", teams=1, weeks=8)
    seats = [join(tabs, t.code, name) for name in ("Ann", "Bob", "Cy", "Di")]
    classroom.start(t.code, t.host_key)
    ann = seats[0]
    sent, watched, lock = collections.Counter(), set(), threading.Lock()
    send = ipywidgets.Widget._send

    def counted(self, msg, *args, **kwargs):  # the real send, counted for Ann's page
        if self.model_id in watched:
            with lock:
                sent[type(self).__name__] += 1
        return send(self, msg, *args, **kwargs)

    def settled() -> dict:  # any deferred render of Ann's page has run by then, and is counted too
        time.sleep(live.LATER + live.QUIET + 0.3)
        with lock:
            counts = dict(sent)
            sent.clear()
        return counts

    monkeypatch.setattr(ipywidgets.Widget, "_send", counted)
    for week in range(1, 7):  # across the end of the fixed orders (week 5)
        for tab in seats:
            tab.wait_text("week", f"week {week} of 8")
        with ann:
            watched.update(ann.context.widgets)
        settled()
        order(ann)  # first: her page shows her decision
        ann.wait_text("state", f"You ordered 4 for week {week}. Waiting for 3 other players")
        decided = settled()
        assert sum(decided.values()) <= 2 and set(decided) <= {"OrderBox", "ConnectionGuard"}, (week, decided)
        for tab in seats[1:3]:
            order(tab)
        settled()
        order(seats[3])  # the week's last order: her page goes to the next week
        ann.wait_text("week", f"week {week + 1} of 8")
        new = settled()
        assert sum(new.values()) <= 4 and set(new) <= {"HTML", "Panes", "OrderBox", "ConnectionGuard"}, (week, new)
        assert new.get("HTML", 0) <= 1, (week, new)  # the week label alone


def test_a_week_change_updates_only_the_widgets_on_the_way_to_what_changed(classroom, tabs, monkeypatch):
    """Ann's page updates (reacton's ``_update_widget``, a message or not) at most 8 widgets for a new week
    (13 before: every box on the way to a change, the heading's unchanged parts, the chain diagram's box) and
    at most 5 for her decision (9 before): the heading's unchanged parts, the notice and the chain diagram are
    the very elements of the last render; and the order box keeps one handler."""
    import collections
    import threading
    import time

    from chaingame.ui import live

    t = classroom.create_session("classic", teams=1, weeks=6)
    seats = [join(tabs, t.code, name) for name in ("Ann", "Bob", "Cy", "Di")]
    classroom.start(t.code, t.host_key)
    ann = seats[0]
    updated, watched, watched_ids, lock = collections.Counter(), set(), set(), threading.Lock()
    update = reacton.core.Element._update_widget

    def counted(self, widget, *args, **kwargs):  # the real update, counted for Ann's page
        if widget.model_id in watched:
            with lock:
                updated[self.component.name] += 1
        return update(self, widget, *args, **kwargs)

    def settled() -> collections.Counter:
        time.sleep(live.LATER + live.QUIET + 0.3)
        with lock:
            counts = collections.Counter(updated)
            updated.clear()
        return counts

    monkeypatch.setattr(reacton.core.Element, "_update_widget", counted)
    trait_set = traitlets.TraitType.set

    def counted_set(self, obj, value):  # every trait set on Ann's widgets, counted (changed or not)
        if id(obj) in watched_ids:
            with lock:
                updated["trait sets"] += 1
        return trait_set(self, obj, value)

    monkeypatch.setattr(traitlets.TraitType, "set", counted_set)
    handlers = set()
    for week in range(1, 5):
        for tab in seats:
            tab.wait_text("week", f"week {week} of 6")
            tab.wait(lambda tab=tab: tab.button("Submit order"), f"week {week}'s order form")
        with ann:
            watched.update(ann.context.widgets)
            watched_ids.update(id(w) for w in ann.context.widgets.values())
        handlers.add(ann.order_box().handler)
        settled()
        order(ann)
        ann.wait_text("state", f"You ordered 4 for week {week}. Waiting for 3 other players")
        decided = settled()
        decided.pop("trait sets", None)
        assert 0 < sum(decided.values()) <= 5, (week, decided)
        for tab in seats[1:]:
            order(tab)
        ann.wait_text("week", f"week {week + 1} of 6")
        new = settled()
        # a value the widget holds is not set again (chaingame.ui.app): 10 to 14 trait sets, 39 before
        assert new.pop("trait sets") <= 16, (week, new)
        assert 0 < sum(new.values()) <= 8 and new["Panes"] == 1 and new["OrderBox"] == 1, (week, new)
        assert new["HTML"] <= 1 and new["Html"] <= 1, (week, new)  # the week label; the guard's box
    assert len(handlers) == 1, "the order box was given a new handler"


def test_a_teammates_order_costs_a_page_no_read_and_a_new_week_one(classroom, tabs, monkeypatch):
    """A seat page reads its whole view at once only when its team's turn changes (the service's ``team_turn``).

    Before, every teammate's order made each page of the team read its seat view in the submitting thread (four
    reads a page a week); now a teammate's order is read when its deferred render is due, and the team's new
    week, in a class-wide burst, overtakes it: one read a page.
    """
    t = classroom.create_session("classic", teams=1, weeks=4)
    seats = [join(tabs, t.code, name) for name in ("Ann", "Bob", "Cy", "Di")]
    classroom.start(t.code, t.host_key)
    for tab in seats:
        tab.wait(lambda tab=tab: tab.button("Submit order"), "week 1's order form")
    reads: list[str] = []
    seat_view = classroom.seat_view

    def counted(token):
        reads.append(token)
        return seat_view(token)

    monkeypatch.setattr(classroom, "seat_view", counted)
    for tab in seats:  # within a few ms, as a class in a burst (a deferred read is due only after LATER s)
        tab.fill("Order (units)", "4")
        tab.click("Submit order")
    for tab in seats:
        tab.wait_text("week", "week 2 of 4")
    per_page = sorted(reads.count(token) for token in set(reads))
    assert len(set(reads)) == 4 and per_page[-1] <= 2, per_page  # one read a page (two if a deferred one came due)
    order(seats[0])  # a teammate's order within the week: the page that ordered shows it, once due
    seats[0].wait_text("state", "Waiting for 3 other player")
    assert "week 2 of 4" in seats[1].text("week")
