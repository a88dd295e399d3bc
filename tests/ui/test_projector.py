"""The projector page (``/projector?code=...``) in a virtual kernel: code, QR of the join link, teams live, no key."""

from __future__ import annotations

import re

from solara.widgets import HTML

from chaingame.ui.components import qr_svg

from .conftest import host_storage
from .test_pages import join, order

ORIGIN = "http://class.test:8765"  # the Tab's origin (chaingame.ui.testing)


def test_the_projector_shows_code_qr_and_the_class_live_without_a_key(classroom, tabs):
    t = classroom.create_session("classic", teams=2, weeks=10, title="Monday class")
    screen = tabs(f"/projector?code={t.code.lower()}")  # nothing stored: no key in this browser
    screen.wait(lambda: screen.has("projector-code"), "the projector view")
    assert screen.text("projector-code") == t.code
    link = f"{ORIGIN}/?code={t.code}"
    assert screen.text("projector-link") == f"Join at {link}"
    qr = screen.text("projector-qr")
    assert "viewBox" in qr and 'width="' not in qr.split(">", 1)[0]  # scales to its box
    assert qr == qr_svg(link) != qr_svg(f"{ORIGIN}/?code=OTHER1")  # the join link, encoded
    assert "0 players joined · 8 seats open" in screen.text("projector-status")
    assert "not started" in screen.text("projector-teams")
    ann = join(tabs, t.code, "Ann")
    screen.wait_text("projector-teams", "1 of 4 seats taken")
    assert "1 player joined · 7 seats open" in screen.text("projector-status")
    classroom.start(t.code, t.host_key)  # free seats go to bots: team 2 plays through at once
    screen.wait_text("projector-status", "running")
    tiles = screen.text("projector-teams")
    assert re.search(r"Team 1</b> · week 1 of 10<br>1 of 1 seat taken · 3 bots<", tiles), tiles
    assert re.search(r"Team 2</b> · done<br>4 bots<", tiles), tiles  # no human seat: only its bots
    order(ann)
    screen.wait_text("projector-teams", "week 2 of 10")
    assert "1 of 2 teams done" in screen.text("projector-status")
    state = screen.page_state()
    assert t.host_key not in state and "Ann" not in state and ann.stored() not in state


def test_the_host_page_links_to_it_and_hides_its_own_key_link(classroom, tabs):
    t = classroom.create_session("classic", teams=1)
    host = tabs(f"/host?code={t.code}", stored=host_storage(t))
    host.wait(lambda: host.has("join-code"), "the dashboard")
    with host.context:
        links = [(w.attributes["href"], w.attributes["target"]) for w in host.rc.find(HTML).widgets
                 if w.unsafe_innerHTML == "Project this"]
    assert links == [(f"/projector?code={t.code}", "_blank")]
    assert not host.has("host-link")  # only a newly created session offers it, and only when asked


def test_a_new_session_offers_its_host_link_only_when_asked(classroom, tabs):
    host = tabs("/host")
    host.click("Create session")
    host.wait(lambda: host.has("join-code"), "the new session's dashboard")
    assert not host.has("host-link") and "Show the host link" in host.buttons()
    host.click("Show the host link")
    host.wait(lambda: host.has("host-link"), "the host link")
    assert "#key=" in host.text("host-link")


def test_a_hidden_horizon_stays_hidden_on_the_projector(classroom, tabs):
    t = classroom.create_session("classic", weeks=12, hide_horizon=True)
    join(tabs, t.code, "Ann")
    classroom.start(t.code, t.host_key)
    screen = tabs(f"/projector?code={t.code}")
    screen.wait_text("projector-teams", "week 1")
    assert "12" not in screen.text("projector-teams") + screen.text("projector-status")


def test_no_code_or_a_wrong_code_says_what_to_do(classroom, tabs):
    bare = tabs("/projector")
    assert not bare.has("projector-code")
    wrong = tabs("/projector?code=NOPE42")
    wrong.wait(lambda: wrong.has("error"), "the error")
    assert wrong.text("error").startswith("code: ") and "is not a session code" in wrong.text("error")
