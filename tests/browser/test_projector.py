"""The projector view in a real browser: big code and QR at projector sizes, the class live, and no host key anywhere.

The teacher opens it from the host page ("Project this"), in the very browser that keeps the host
key: the key must not reach the projected page's DOM, frames, address or websocket, either way.
"""

from __future__ import annotations

from .test_class_game import WAIT, Offline, new_page


class Frames:
    """Every websocket frame a page receives and sends, as text."""

    def __init__(self):
        self.received: list[str] = []
        self.sent: list[str] = []

    def watch(self, page):
        def on_socket(ws):
            ws.on("framereceived", lambda f: self.received.append(text(f)))
            ws.on("framesent", lambda f: self.sent.append(text(f)))
        page.on("websocket", on_socket)


def text(frame: str | bytes) -> str:
    return frame if isinstance(frame, str) else frame.decode(errors="replace")


def create_session(browser, server, offline, teams: int = 2) -> tuple:
    host = new_page(browser, offline)
    host.goto(f"{server.url}/host")
    host.get_by_label("Teams").fill(str(teams))
    host.get_by_label("Title (shown to players)").fill("Projected class")
    host.get_by_role("button", name="Create session").click()
    code = host.get_by_test_id("join-code").inner_text(timeout=WAIT).strip()
    host.get_by_role("button", name="Show the host link").click()
    key = host.get_by_test_id("host-link").inner_text(timeout=WAIT).split("#key=")[1].strip()
    assert len(key) >= 16
    return host, code, key


def assert_no_key(page, frames: Frames, key: str):
    assert key not in page.url
    assert key not in page.content()
    for frame in page.frames:
        assert key not in frame.content() and key not in frame.url
    assert frames.received, "no websocket frame was seen: the check below would mean nothing"
    assert not [f for f in frames.received if key in f]
    assert not [f for f in frames.sent if key in f]


def assert_big(page, width: int, height: int):
    qr = page.get_by_test_id("projector-qr").bounding_box()
    assert qr["height"] >= height / 3 and qr["y"] + qr["height"] <= height, (qr, width, height)
    code = page.get_by_test_id("projector-code")
    assert code.is_visible()
    box = code.bounding_box()
    size = float(code.evaluate("e => getComputedStyle(e).fontSize").removesuffix("px"))
    assert size >= height / 10 and box["y"] + box["height"] <= height, (size, box)  # ≥ 72 px at 720
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_projected_from_the_host_page_at_1280x720_with_no_key(server, browser):
    offline = Offline()
    host, code, key = create_session(browser, server, offline)
    frames = Frames()
    host.context.on("page", frames.watch)  # from its first request: the popup's websocket is watched too
    link = host.get_by_role("link", name="Project this")
    assert link.get_attribute("target") == "_blank"
    with host.context.expect_page() as opened:
        link.click()
    screen = opened.value
    screen.set_viewport_size({"width": 1280, "height": 720})
    screen.get_by_test_id("projector-code").filter(has_text=code).wait_for(timeout=WAIT)
    assert screen.url == f"{server.url}/projector?code={code}"
    assert_big(screen, 1280, 720)
    assert "0 players joined · 8 seats open" in screen.get_by_test_id("projector-status").inner_text()
    assert screen.get_by_test_id("projector-link").inner_text() == f"Join at {server.url}/?code={code}"

    player = new_page(browser, offline)
    player.goto(f"{server.url}/?code={code}")
    player.get_by_label("Your name").fill("Ann")
    player.get_by_role("button", name="Join", exact=True).click()
    screen.get_by_test_id("team-1-progress").filter(has_text="1 of 4 seats taken").wait_for(timeout=WAIT)
    host.get_by_role("button", name="Start").click()
    screen.get_by_test_id("team-1-progress").filter(has_text="week 1 of").wait_for(timeout=WAIT)
    screen.get_by_test_id("team-2-progress").filter(has_text="done").wait_for(timeout=WAIT)  # bots alone
    assert_no_key(screen, frames, key)
    assert not offline.outside


def test_a_host_link_opened_on_the_projector_loses_its_key_unread_at_1920x1080(server, browser):
    offline = Offline()
    _, code, key = create_session(browser, server, offline, teams=1)
    screen = new_page(browser, offline, width=1920, height=1080)  # another device: nothing stored
    frames = Frames()
    frames.watch(screen)
    screen.goto(f"{server.url}/projector?code={code}#key={key}")  # the teacher pasted the wrong link
    screen.get_by_test_id("projector-code").filter(has_text=code).wait_for(timeout=WAIT)
    screen.wait_for_function("() => !window.location.hash", timeout=WAIT)
    assert_big(screen, 1920, 1080)
    assert_no_key(screen, frames, key)
