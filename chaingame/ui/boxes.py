"""Solara's HTML, Text, Row, Column and Div as plain elements: the same widgets, one element fewer each.

Solara's ``HTML``, ``Text``, ``Row``, ``Column`` and ``Div`` are components whose only work is to
build one widget element from their arguments. Every component is an element reacton renders and
reconciles on each re-render of its parent, so a seat page's week change (about 60 elements, a
third of them these wrappers) paid for them 120 times in a class-wide burst. These functions build
the very same widget element directly (same tag, classes, style and attributes, so the browser
sees the same page): a seat page's week change costs about a quarter less CPU (docs/classroom.md,
*Speed*). They are called like Solara's, inside a component's render, and work as ``with`` blocks.
Two hooks keep a re-render small: :func:`same` (an element kept while its arguments are equal) and
:func:`latest` (one handler for a component's life).
"""

from __future__ import annotations

import reacton.ipyvuetify as v
import solara.util
from solara.widgets import HTML as _HTMLWidget

# A Sheet's elevation as its trait holds it. Reacton's fast renderer takes a box it rendered before as
# unchanged when the widget holds the very same values; an int 0 is never the float the trait stores,
# so every box on the way to a changed part was updated (to no effect) on each re-render.
FLAT = 0.0


def same(make, *args):
    """``make(*args)``: the very element of the component's last render while ``args`` are equal (a hook).

    Reacton's fast renderer skips an element it rendered before, whole; an equal new one it walks
    down to its widgets, and updates them to no effect. Call it in a component's render, as any
    hook, and place the element itself (``Column(children=[...])``).
    """
    return solara.use_memo(lambda: make(*args), list(args))


def latest(fn):
    """One function for the component's whole life that calls the ``fn`` of its latest render (a hook).

    A handler defined in a render is a new function each time: given to a widget, it is set again on
    every render. This one stays the same, and calls what the last render defined.
    """
    ref = solara.use_ref(fn)
    ref.current = fn
    return solara.use_memo(lambda: lambda *args, **kwargs: ref.current(*args, **kwargs), [])


def _flat(style) -> str:
    return solara.util._flatten_style(style)


def _classes(classes) -> str:
    return solara.util._combine_classes(list(classes))


def HTML(tag: str = "div", unsafe_innerHTML: str | None = None, style: str | None = None, classes=(),
         attributes: dict | None = None):
    """An HTML element with ``unsafe_innerHTML`` inside (not sanitised), as ``solara.HTML``."""
    attributes = dict(attributes or {})
    if style:
        attributes["style"] = style
    if classes:
        attributes["class"] = _classes(classes)
    return _HTMLWidget.element(tag=tag, unsafe_innerHTML=unsafe_innerHTML, attributes=attributes)


def Text(text: str, style=None, classes=()):
    """A span of plain text, as ``solara.Text``."""
    return v.Html(tag="span", class_=_classes(classes), style_=_flat(style), children=[text])


def Div(children=(), classes=(), style=None):
    """A div holding ``children``, as ``solara.Div``."""
    return v.Html(tag="div", children=list(children), class_=_classes(classes), style_=_flat(style))


def Row(children=(), gap: str = "12px", justify: str = "start", margin: int = 0, classes=(), style=None):
    """Children side by side, as ``solara.Row``."""
    flat = f"flex-direction: row; align-items: stretch; justify-content: {justify}; column-gap: {gap};" + _flat(style)
    return v.Sheet(class_=_classes(["d-flex", f"ma-{margin}", *classes]), style_=flat + ";", elevation=FLAT,
                   children=list(children))


def Column(children=(), gap: str = "12px", align: str = "stretch", margin: int = 0, classes=(), style=None):
    """Children one below the other, as ``solara.Column``."""
    if (gap, align, margin, classes, style) == ("12px", "stretch", 0, (), None):  # reacton's default container
        return v.Sheet(class_=_PLAIN[0], style_=_PLAIN[1], elevation=FLAT, children=list(children))
    flat = f"flex-direction: column; align-items: {align}; row-gap: {gap};" + _flat(style)
    return v.Sheet(class_=_classes(["d-flex", f"ma-{margin}", *classes]), style_=flat + ";", elevation=FLAT,
                   children=list(children))


# the class and style of a Column of Solara's defaults: reacton makes one for each component it runs
_PLAIN = (_classes(["d-flex", "ma-0"]),
          "flex-direction: column; align-items: stretch; row-gap: 12px;" + _flat(None) + ";")
