"""The projector view (``/projector?code=...``): what the teacher puts on the big screen while a class joins and plays.

The join code in large type and the QR code of the join link, each team's seats taken and week, and
the class's progress, followed live. It needs no host key and holds none: anyone with the code may
open it, it reads only the service's :class:`~chaingame.classroom.ProjectorView` (no names, no
costs), and a ``#key=...`` fragment pasted by mistake is removed from the address bar unread.
"""

from __future__ import annotations

import html

import solara

from ..classroom.process import get_classroom
from ..classroom.views import Status
from .boxes import HTML, Column, Row, Text
from .browser import BrowserStore, page_origin
from .components import Error, Frame, Heading, plural, qr_svg
from .connection import connection_banner
from .live import use_live
from .routes import HOME, query

STORE = "chaingame.projector"  # browser storage the page reads: nothing is kept there (the widget gives the origin)
DELAY = 0.5  # s: a class submitting at once redraws the projector once, not once per order
QR_HEIGHT = "52vh"  # the QR code's side: over a third of the screen's height (issue 13: >= 1/3); at most the width
CSS = f"""
.cg-main:has(.cg-projector) {{ max-width: none; }}  /* the whole width of a projected screen */
.cg-proj-top {{ display: flex; flex-wrap: wrap; align-items: center; gap: 16px 48px; }}
.cg-proj-top > :first-child {{ flex: 1 1 320px; min-width: 0; overflow-wrap: anywhere; }}
.cg-proj-qr {{ flex: none; width: min({QR_HEIGHT}, 100%); aspect-ratio: 1; background: #fff; }}
.cg-proj-qr svg {{ width: 100%; height: 100%; display: block; }}
.cg-proj-code {{ font-family: monospace; font-weight: 700; font-size: min(16vh, 9vw); letter-spacing: .1em;
  line-height: 1; }}
.cg-proj-link {{ font-size: max(14px, min(4vh, 2.4vw)); }}
.cg-proj-status {{ font-size: max(14px, min(4vh, 2.4vw)); color: #37474f; }}
.cg-proj-teams {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap: 8px; }}
.cg-proj-team {{ border: 1px solid #cfd8dc; border-radius: 4px; padding: 6px 10px; font-size: 18px; }}
.cg-proj-team b {{ font-size: 20px; }}
.cg-proj-bar {{ height: 6px; background: #eceff1; margin-top: 4px; }}
.cg-proj-bar div {{ height: 6px; background: #1e88e5; }}
"""


@solara.component
def ProjectorPage():
    """The projector page, ``/projector?code=...``: for anyone with the code, no host key."""
    code = query("code").strip().upper()
    origin, set_origin = solara.use_state("")
    loaded, set_loaded = solara.use_state(False)
    with Frame("Projector"):
        connection_banner("nothing reaches the server now: the class's progress is not updated until the "
                          "connection is back.")
        BrowserStore.element(storage_key=STORE, wants_fragment=False, on_origin=lambda o: set_origin(page_origin(o)),
                             on_loaded=set_loaded)
        solara.Style(CSS)
        if not code:
            Heading("Projector view", 2)
            Text("Open it from the host page (\"Project this\"), or add ?code=CODE to the address.")
        elif not loaded:
            Text("Loading…")
        else:
            Projected(code, origin)


@solara.component
def Projected(code: str, origin: str):
    """Join code and QR code, then each team's seats and week, re-drawn as the class joins and plays."""
    classroom = get_classroom()
    view, error = use_live(code, lambda: classroom.projector_view(code), [code], delay=DELAY)
    if view is None:
        Error(error)
        return
    join = f"{origin}{HOME.url(code=view.code)}"
    with Column(classes=["cg-projector"], gap="14px"):
        with Row(classes=["cg-proj-top"]):
            with Column(gap="10px"):
                Heading(view.title, 2)
                HTML(tag="div", unsafe_innerHTML="Join at " + html.escape(join), classes=["cg-proj-link"],
                     attributes={"data-testid": "projector-link"})
                HTML(tag="div", unsafe_innerHTML=html.escape(view.code), classes=["cg-proj-code"],
                     attributes={"data-testid": "projector-code"})
                HTML(tag="div", unsafe_innerHTML=html.escape(status_line(view)), classes=["cg-proj-status"],
                     attributes={"data-testid": "projector-status"})
            HTML(tag="div", unsafe_innerHTML=qr_svg(join) if origin else "", classes=["cg-proj-qr"],
                 attributes={"data-testid": "projector-qr", "role": "img",
                                    "aria-label": f"QR code of {join}"})
        ended = view.status == Status.ENDED
        HTML(tag="div", unsafe_innerHTML="".join(team_html(t, view.weeks, view.status != Status.LOBBY, hidden(view),
                                                           ended) for t in view.teams),
             classes=["cg-proj-teams"], attributes={"data-testid": "projector-teams"})


def hidden(view) -> bool:
    """Whether the game's length is hidden from the class now: a hidden horizon, the session not ended.

    Then no team is shown "done": a team seen at week 36 and then done would tell every slower team
    that the game has 36 weeks. A finished team with players keeps its last week; a team no player
    joined (its bots play through at once) shows no week.
    """
    return view.weeks is None and view.status != Status.ENDED


def status_line(view) -> str:
    """The class in one line: players joined and seats open, then (once started) how far the teams are.

    Once ended, no seat is open and the session says where the teams stopped ("ended at week 3 of 8").
    """
    ended = view.status == Status.ENDED
    line = f"{plural(view.joined, 'player')} joined" + ("" if ended else f" · {plural(view.open, 'seat')} open")
    if view.status == Status.LOBBY:
        return line + " · the game starts when the teacher starts it"
    secret = hidden(view)
    weeks = sorted(t.week for t in view.teams if not t.done or secret and t.joined)
    done = 0 if secret else sum(t.done for t in view.teams)
    where = f"weeks {weeks[0]}–{weeks[-1]}" if weeks and weeks[0] != weeks[-1] else f"week {weeks[0]}" if weeks else ""
    of = f" of {view.weeks}" if view.weeks is not None and where else ""
    round_ = f"round {view.round} · " if view.round > 1 else ""
    parts = [p for p in (f"{where}{of}", f"{done} of {plural(len(view.teams), 'team')} done" if done else "") if p]
    if ended and where:
        parts[0] = f"ended at {parts[0]}"
        return f"{line} · {round_}" + " · ".join(parts)
    return f"{line} · {round_}{view.status}" + "".join(f" · {p}" for p in parts)


def team_html(t, weeks: int | None, started: bool, secret: bool = False, ended: bool = False) -> str:
    """One team's tile: seats taken of the human seats, bots, and its week (with a bar when the horizon is shown).

    ``secret``: the game's length is hidden (:func:`hidden`): a finished team is not shown "done".
    ``ended``: the session has ended: a team that had not finished says where it stopped.
    """
    humans = t.joined + t.open
    seats = " · ".join(p for p in (f"{t.joined} of {plural(humans, 'seat')} taken" if humans else "",
                                   plural(t.bots, "bot") if t.bots else "") if p)
    week = "done" if t.done else f"week {t.week}" + (f" of {weeks}" if weeks is not None else "")
    if secret and t.done:
        week = f"week {t.week}" if t.joined else "played by bots"
    week = week if started else "not started"
    if ended and not t.done:
        week = f"ended at {week}"
    bar = ""
    if weeks and started:
        share = 1.0 if t.done else max(0.0, (t.week - 1) / weeks)
        bar = f'<div class="cg-proj-bar"><div style="width: {share:.0%}"></div></div>'
    return (f'<div class="cg-proj-team" data-testid="team-{t.team}-progress"><b>Team {t.team}</b> · {week}'
            f"<br>{seats}{bar}</div>")
