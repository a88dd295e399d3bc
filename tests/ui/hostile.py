"""What a careless or hostile visitor types or sends, and the contract each page keeps (issue 13, item 8).

The contract: the page shows one line naming the field (the service's message names the value and what
is allowed), never a traceback; the page still takes a valid value afterwards; a refused value changes
no stored row. In a :class:`~chaingame.ui.testing.Tab` an exception of a page reaches the test (the
server would render it as a traceback on the page).
"""

from __future__ import annotations

import html
import io
import json
import re
import sqlite3

SURROGATE = "\ud800"  # a lone surrogate: a Python str, but no UTF-8 text (a JSON message may carry one)
MEGABYTE = "x" * 1_000_000
NOT_NUMBERS = ["NaN", "inf", "-inf", "1e400", "-1e400", "²", "١٢", "１２", SURROGATE, "4" + SURROGATE, MEGABYTE,
               "9" * 1_000_000, "4 4", "0x10", "1_000", "\x00", "4,5"]  # none a number as a person types one
ODD_TYPES = [None, [], ["4"], {"a": 1}, True]  # what a tampered page may send for a text field's value
TAMPERED = [None, 7, ["a"], {"a": 1}, "bogus", "", SURROGATE, "x" * 10_000]  # ...and for a select or toggle
_FIELD = re.compile(r"[\w.\[\]*\\-]+: ")  # "order: ...", "links.0.shipping_delay: ...", "bot_rule.theta: ..."


def rows(classroom) -> dict[str, list]:
    """Every row of every table of the classroom's SQLite file."""
    with sqlite3.connect(classroom._store.path) as con:
        tables = [t for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: con.execute(f"SELECT * FROM {t}").fetchall() for t in tables}  # noqa: S608 (the file's own names)


def clean(tab) -> None:
    """No traceback, nor Solara's "Error in" banner, in anything the tab's widgets would send to the browser."""
    state = tab.page_state()
    assert "Traceback" not in state and "Error in" not in state, f"a traceback on {tab.path}"


def errors(tab) -> list[str]:
    """The text of the error lines the tab shows."""
    return [html.unescape(w.unsafe_innerHTML or "") for w in tab.testid("error")]


def says(tab, field: str | tuple[str, ...] | None = None) -> str:
    """The one error line the tab shows; it names ``field`` (or one of several; a ``field.sub`` path too; None: any)."""
    clean(tab)
    shown = errors(tab)
    assert len(shown) == 1, f"{len(shown)} error lines on {tab.path}: {shown}"
    line = shown[0]
    assert "\n" not in line and len(line) <= 400, f"not one short line: {line[:200]!r}"
    if field is None:
        assert _FIELD.match(line), f"names no field: {line!r}"
    else:
        fields = (field,) if isinstance(field, str) else field
        assert re.match(rf"({'|'.join(map(re.escape, fields))})[.:\[]", line), f"does not name {field!r}: {line!r}"
    return line


def refuse_each(tab, classroom, field: str | tuple[str, ...] | None, values, act) -> int:
    """``act(value)`` for each value: each gets one line naming ``field``, and no stored row changes."""
    before = rows(classroom)
    for value in values:
        act(value)
        try:
            says(tab, field)
        except AssertionError as e:
            raise AssertionError(f"{value!r:.40}: {e}") from None
    assert rows(classroom) == before, f"a refused value changed the SQLite file ({tab.path})"
    return len(values)


def drop_file(tab, name: str, data: bytes) -> None:
    """What the browser sends when a file is dropped on (or picked through) the host's drop zone.

    The drop zone's file info as the browser reports it, and the file's bytes where Solara's upload
    protocol would have fetched them from the browser.
    """
    from chaingame.ui.upload import _ClickDropZone

    def read():
        shown = errors(tab)
        return (shown and shown != before) or json.dumps(f"using {name}")[1:-1] in tab.page_state()  # as sent

    before = errors(tab)  # before the drop: the file may be read at once
    with tab:
        zone = tab.rc.find(_ClickDropZone).widget
        zone.get_files = lambda: [{"name": name, "size": len(data), "file_obj": io.BytesIO(data)}]
        zone.file_info = [{"name": name, "size": len(data)}]
    tab.wait(read, f"the file {name!r:.30} read")


def toggle(tab, css_class: str, value) -> None:
    """Send ``value`` for the toggle buttons with class ``css_class`` (what a click on one of them sends)."""
    import ipyvuetify as v

    with tab:
        tab.rc.find(v.BtnToggle, class_=css_class).widget.v_model = value
