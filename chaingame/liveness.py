"""``/readyz`` answered in front of the web app: a page's heartbeat costs the server next to nothing.

Every open page's connection guard probes ``/readyz`` every 5 s (:mod:`chaingame.ui.connection`):
120 phones make 24 probes a second. Solara's own ``/readyz`` is a synchronous Starlette endpoint
behind the app's middleware (gzip, proxy headers, errors), run in a worker thread: in a py-spy
profile of 30 teams submitting, those probes were one of the larger parts of the event loop's time.
:func:`answering` puts the same answer (``{"status":"ok"}``, 200) in front of the app, on the
event loop; every other request goes to the app unchanged. docs/classroom.md, Speed, *Less per submission*.
"""

from __future__ import annotations

PATH = "/readyz"
BODY = b'{"status":"ok"}'  # what Solara's /readyz answers (solara.server.server.readyz)
HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode()),
           (b"cache-control", b"no-store")]  # a liveness answer is never cached


def answering(app):
    """The ASGI app ``app`` with ``GET``/``HEAD /readyz`` answered before it (under any root path)."""

    async def liveness(scope, receive, send):
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            path, root = scope["path"], scope.get("root_path", "")
            if path == PATH or root and path == root + PATH:
                await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
                await send({"type": "http.response.body", "body": BODY if scope["method"] == "GET" else b""})
                return
        await app(scope, receive, send)

    return liveness
