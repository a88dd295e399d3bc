"""Browser-free page tests: each "tab" is a Solara virtual kernel rendering a page in this process
(:mod:`chaingame.ui.testing`); several tabs share one classroom, as a class shares the server's.
"""

from __future__ import annotations

import json

import pytest
import solara  # noqa: F401  (a dependency of the package: missing, these tests must fail, not skip)

from chaingame.classroom import Classroom
from chaingame.classroom.process import set_classroom
from chaingame.ui.testing import Tab


@pytest.fixture
def classroom(tmp_path):
    c = Classroom(tmp_path / "classroom.sqlite3")
    set_classroom(c)
    yield c
    set_classroom(None)
    c.close()


@pytest.fixture
def tabs():
    opened: list[Tab] = []

    def open_tab(path: str, **kwargs) -> Tab:
        tab = Tab(path, **kwargs)
        opened.append(tab)
        return tab

    yield open_tab
    for tab in opened:
        tab.close()


def host_storage(ticket) -> str:
    """The host page's browser storage after creating ``ticket``'s session."""
    return json.dumps({ticket.code: ticket.host_key})
