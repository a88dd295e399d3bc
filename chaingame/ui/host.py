"""The host's page (``/host``): create a session, show its join code, run the game, export it.

The host key is shown once, as a link ``/host?code=CODE#key=KEY``; the browser keeps it (local
storage, by session code) and the fragment never reaches the server's logs or a projected
address bar. Every action sends the key to the service, which refuses a wrong one: the page hides
nothing it is not allowed to show.
"""

from __future__ import annotations

import functools
import html
import json
import time
import tomllib
from typing import Any

import solara

from ..checks import show
from ..classroom.inputs import MAX_HOSTED, typed_number
from ..classroom.process import get_classroom
from ..classroom.views import Status
from ..information import MODES
from .boxes import HTML, Column, Row, Text
from .browser import HOST_KEY, BrowserStore, host_keys, page_origin
from .components import Countdown, Error, Frame, Heading, attempt, fmt, money, plural, qr_svg
from .connection import connection_banner
from .live import use_live, use_polled
from .routes import CLASS, DEBRIEF, HOME, HOST, PROJECTOR, query
from .upload import ClickableFileDrop

HOST_DELAY = 1.0  # s: the dashboard gathers the changes of this long into one update (off the players' path:
# with 10 teams it is the heaviest page, and a class submitting at once would otherwise redraw it for each order)
BOT_RULES = {  # label -> the service's bot_rule table (None: each firm's rule from the scenario)
    "the scenario's rules": None,
    "Sterman, a typical player (θ=.36, αS=.26, β=.34, S'=17)": {"rule": "sterman"},
    "moving-average order-up-to (5 weeks)": {"rule": "moving_average", "p": 5},
    "exponential smoothing order-up-to (α=.2)": {"rule": "smoothing", "alpha": 0.2},
    "pass orders through": {"rule": "pass_through"},
    "custom (TOML table below)": "custom",
}
INFORMATION = ("the scenario's", *(m.value for m in MODES))  # the form's choices: keep the scenario's, or a mode
INFORMATION_HELP = {  # what each information mode shows a player (chaingame.information)
    "silo": "silo: each player sees only their own firm (the classic game)",
    "pos": "pos: every player also sees end-customer demand (point-of-sale data shared)",
    "full": "full: every player sees every firm's stock, backlog, pipeline and orders",
}
PACING = {  # label -> the service's pacing (docs/classroom.md, Pacing)
    "when every seat of a team has ordered": "orders",
    "when the week's timer runs out (needs a timer)": "timer",
    "when you click Next week": "teacher",
    "all teams in step (no team starts a week before every team finished the one before)": "in_step",
}
FREE_SEATS = {  # label -> start(fill_with_bots, latecomers)
    "a bot plays a free seat for the whole game": (True, False),
    "a bot plays a free seat until a student takes it": (False, True),
    "free seats wait for players (or the timer, or you)": (False, False),
}
LIST_EVERY = 3.0  # s between two reads of the list of sessions (benchmarks/host_list.py: well under 1 ms each)
COMPACT_FROM = 7  # teams: from this many the dashboard shows one line per team (a card each above 27,000 px at 100)
SORTS = ("team", "week", "lag", "cost")  # the compact dashboard's orders: team number, furthest first, most behind
# first, costliest first
FIELD = "min-width: min(300px, 100%); flex: 1 1 300px"  # a form field in a wrapping row: its label shows whole
HINTED = "min-width: min(200px, 100%); flex: 1 1 200px"  # a field with a short label and its hint below


@functools.lru_cache(maxsize=64)
def scenario_description(name: str) -> str:
    """A bundled scenario's title and description, one paragraph (read once)."""
    from ..scenario import load_scenario

    sc = load_scenario(name)
    return " — ".join(part for part in (sc.title, " ".join(sc.description.split())) if part)


def when(t: float) -> str:
    """A time of this server as the host reads it: ``2026-12-06 21:40``."""
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(t))


def picked(options, label, field: str) -> tuple[Any, str | None]:
    """A select's choice: ``(what label stands for, None)``, or ``(None, one line)`` if it is none of ``options``.

    ``options`` maps each label to its value (a dict), or lists the labels (each its own value). A page may
    be sent any value for a select (a tampered browser), and must say so, not fail.
    """
    if isinstance(label, str) and label in options:
        return (options[label] if isinstance(options, dict) else label), None
    return None, f"{field}: {show(label)} is not one of the choices (allowed: {'; '.join(options)})"


@solara.component
def HostPage():
    """The host page, ``/host``: create a session, or run one (``?code=...``) with its host key.

    The browser keeps the host keys of its sessions; a host link's ``#key=...`` fragment adds one.
    """
    code = query("code").strip().upper()
    stored, set_stored = solara.use_state(None)
    loaded, set_loaded = solara.use_state(False)
    origin, set_origin = solara.use_state("")
    fragment, set_fragment = solara.use_state("")
    shown_once, set_shown_once = solara.use_state(None)  # (code, key) just created: show the host link
    router = solara.use_router()
    keys = host_keys(stored)

    def remember(session: str, key: str | None):
        new = dict(host_keys(stored))
        if key is None:
            new.pop(session, None)
        else:
            new[session] = key
        set_stored(json.dumps(new))

    def take_fragment():
        if loaded and code and fragment and keys.get(code) != fragment:
            remember(code, fragment)

    solara.use_effect(take_fragment, [loaded, code, fragment])

    def created(ticket):
        remember(ticket.code, ticket.host_key)
        set_shown_once((ticket.code, ticket.host_key))
        router.push(HOST.url(code=ticket.code))

    with Frame("Host"):
        connection_banner("nothing reaches the server now: what you click is done only once the connection is "
                          "back. The countdowns are hidden until then.")
        BrowserStore.element(storage_key=HOST_KEY, shared=True, value=stored, on_value=set_stored, on_loaded=set_loaded,
                             on_origin=lambda o: set_origin(page_origin(o)), on_fragment=set_fragment)
        key = keys.get(code) or (fragment if code else None)
        if not loaded:
            Text("Loading…")
        elif code and key:
            if shown_once and shown_once[0] == code:
                HostLink(code, shown_once[1], origin, on_close=lambda: set_shown_once(None))
            Dashboard(code, key, origin, on_forget=lambda: remember(code, None), on_created=created)
        elif code:
            AskKey(code, on_key=lambda k: remember(code, k.strip()))
        else:
            CreateForm(on_created=created)
            if keys:
                SessionList(keys)


@solara.component
def SessionList(keys: dict):
    """The sessions this browser hosts, named and dated, newest first (of the last ``MAX_HOSTED`` it stored).

    Kept current: another tab's new session arrives with the browser's storage; status and players are
    read again every :data:`LIST_EVERY` s (a read that finds the same sends nothing).
    """
    kept = dict(list(keys.items())[-MAX_HOSTED:])  # a storage holding more (tampered) lists its latest
    listed, error = use_polled(lambda: get_classroom().sessions_of(kept), [json.dumps(kept, sort_keys=True)],
                               LIST_EVERY)
    if error:
        Error(error)
    if not listed:
        return
    Heading("Sessions this browser hosts", 4)
    items = "".join(f'<li><a class="cg-link" href="{html.escape(HOST.url(code=h.code))}">{html.escape(h.title)}</a>'
                    f'<div class="cg-muted">{html.escape(h.code)} · {html.escape(h.scenario)} · created '
                    f'{when(h.created_at)} · {html.escape(h.status)} · {plural(h.players, "player")}</div></li>'
                    for h in listed)
    HTML(tag="ul", unsafe_innerHTML=items, classes=["cg-sessions"], attributes={"data-testid": "sessions"})


@solara.component
def HostLink(code: str, key: str, origin: str, on_close):
    """The host link of a new session, offered once and hidden until asked for (it holds the host key)."""
    link = f"{origin}{HOST.url(code=code)}#key={key}"
    shown, set_shown = solara.use_state(False)
    with solara.Card("Your host link — offered only now", style="max-width: 900px; background: #fff8e1"):
        Text("This browser remembers it. To run the session from another device, keep this link "
             "(it holds the host key; do not project it: project the \"Project this\" page instead):")
        if not shown:
            solara.Button("Show the host link", on_click=lambda: set_shown(True), text=True)
        else:
            HTML(tag="code", unsafe_innerHTML=html.escape(link), attributes={"data-testid": "host-link"})
        solara.Button("I have kept it", on_click=on_close, text=True)


@solara.component
def AskKey(code: str, on_key):
    """Ask for the host key of session ``code``; ``on_key(key)`` receives what is typed."""
    key, set_key = solara.use_state("")
    Heading(f"Session {code}", 2)
    Text("This browser does not hold the host key of this session. Open the host link you kept "
         "(…/host?code=…#key=…), or paste the key:")
    solara.InputText("Host key", value=key, on_value=set_key, continuous_update=True, password=True)
    solara.Button("Open", on_click=lambda: on_key(key), disabled=not key.strip(), color="primary")


@solara.component
def CreateForm(on_created):
    """The form that creates a session; ``on_created(ticket)`` receives the new session's ticket (code and host key)."""
    from ..scenario import bundled

    classroom = get_classroom()
    names = list(bundled())
    scenario, set_scenario = solara.use_state("classic" if "classic" in names else names[0])
    upload, set_upload = solara.use_state(None)  # (file name, text)
    pasted, set_pasted = solara.use_state("")
    title, set_title = solara.use_state("")
    teams, set_teams = solara.use_state("1")
    information, set_information = solara.use_state(INFORMATION[0])
    weeks, set_weeks = solara.use_state("")
    timer, set_timer = solara.use_state("")
    rule, set_rule = solara.use_state(next(iter(BOT_RULES)))
    custom, set_custom = solara.use_state('{rule = "sterman", theta = 0.36, alpha_s = 0.26, beta = 0.34, s_prime = 17}')
    password, set_password = solara.use_state("")
    hide_horizon, set_hide_horizon = solara.use_state(False)
    pacing, set_pacing = solara.use_state(next(iter(PACING)))
    error, set_error = solara.use_state(None)

    def on_file(info):
        data = info["data"] if isinstance(info, dict) else info.data
        name = info["name"] if isinstance(info, dict) else info.name
        try:
            set_upload((name, data.decode("utf-8")))
            set_error(None)
        except UnicodeDecodeError:
            set_error(f"scenario_toml: {show(name)} is not a UTF-8 text file (allowed: a scenario .toml file)")

    def create():
        chosen = {field: picked(options, label, field) for field, options, label in (
            ("scenario", names, names[0] if own else scenario), ("information", INFORMATION, information),
            ("pacing", PACING, pacing), ("bot_rule", BOT_RULES, rule))}  # own: the uploaded one, not the select's
        refused = next((e for _, e in chosen.values() if e), None)
        if refused:
            set_error(refused)
            return
        bot_rule = chosen["bot_rule"][0]
        if bot_rule == "custom":
            try:
                bot_rule = tomllib.loads(f"v = {custom.strip()}")["v"]
            except tomllib.TOMLDecodeError as e:
                set_error(f"bot_rule: not a TOML inline table ({e}); e.g. {{rule = \"sterman\", theta = 0.5}}")
                return
            except RecursionError:
                set_error("bot_rule: nests too deeply (allowed: a TOML inline table, e.g. {rule = \"sterman\", "
                          "theta = 0.5})")
                return
        if upload:
            name, text = upload[0].rsplit(".", 1)[0] or "uploaded", upload[1]
        elif pasted.strip():
            name, text = "pasted", pasted
        else:
            name, text = scenario, None
        ticket, message = attempt(
            classroom.create_session, name, teams=typed_number(teams),
            information=None if information == INFORMATION[0] else information,
            weeks=typed_number(weeks), timer_seconds=typed_number(timer), bot_rule=bot_rule,
            title=title, scenario_toml=text, password=password if classroom.needs_password else None,
            hide_horizon=hide_horizon, pacing=chosen["pacing"][0])
        set_error(message)
        if ticket is not None:
            on_created(ticket)

    own = upload is not None or bool(pasted.strip())
    Heading("Create a session", 2)
    with solara.Card(style="max-width: 720px"):
        solara.Select("Scenario", values=names, value=scenario, on_value=set_scenario, disabled=own)
        if not own and scenario in names:  # the select may be sent a name that is none of them
            HTML(tag="div", unsafe_innerHTML=html.escape(scenario_description(scenario)), classes=["cg-muted"],
                 attributes={"data-testid": "scenario-description"})
        with Row(style="align-items: center; flex-wrap: wrap"):
            with Column(style="flex: 1 1 300px"):
                ClickableFileDrop(label="…or drop a scenario .toml file here, or click to choose one", on_file=on_file)
            if upload:
                Text(f"using {upload[0]}")
                solara.Button("use a bundled scenario", on_click=lambda: set_upload(None), text=True)
        if upload is None:
            solara.InputTextArea("…or paste a scenario file (TOML) here", value=pasted, on_value=set_pasted,
                                 continuous_update=True, rows=3)
        solara.InputText("Title (shown to players)", value=title, on_value=set_title, continuous_update=True)
        with Row(style="flex-wrap: wrap"):
            solara.InputText("Teams", value=teams, on_value=set_teams, continuous_update=True, style=FIELD)
            solara.InputText("Weeks (empty: the scenario's)", value=weeks, on_value=set_weeks, continuous_update=True,
                             style=FIELD)
            solara.InputText("Timer, seconds per week (empty: none)", value=timer, on_value=set_timer,
                             continuous_update=True, style=FIELD)
        with Column(gap="2px"):  # what silo / pos / full mean, under the field that chooses one
            solara.Select("Information", values=list(INFORMATION), value=information, on_value=set_information)
            HTML(tag="div", classes=["cg-muted"], attributes={"data-testid": "information-help"},
                 unsafe_innerHTML="<br>".join(html.escape(t) for t in INFORMATION_HELP.values()))
        solara.Select("A week closes", values=list(PACING), value=pacing, on_value=set_pacing)
        solara.Select("Bots play by", values=list(BOT_RULES), value=rule, on_value=set_rule)
        solara.Checkbox(label="Hide the number of weeks from players (they see \"week 12\", not \"of 36\")",
                        value=hide_horizon, on_value=set_hide_horizon)
        if picked(BOT_RULES, rule, "bot_rule")[0] == "custom":
            solara.InputText("Bot rule (TOML inline table)", value=custom, on_value=set_custom, continuous_update=True)
        if classroom.needs_password:
            solara.InputText("Teacher password (set when the server started)", value=password,
                             on_value=set_password, continuous_update=True, password=True)
        Error(error)
        solara.Button("Create session", on_click=create, color="primary")


@solara.component
def Dashboard(code: str, key: str, origin: str, on_forget, on_created=None):
    """A session's live dashboard: join code and QR, the host's controls, and its teams (a line or a card each)."""
    classroom = get_classroom()
    acted, set_acted = solara.use_state(0)  # the host's own actions show at once, not after HOST_DELAY
    view, error = use_live(code, lambda: classroom.host_view(code, key), [code, key, acted], delay=HOST_DELAY)
    action_error, set_action_error = solara.use_state(None)
    free_seats, set_free_seats = solara.use_state(next(iter(FREE_SEATS)))

    def make_act():
        def act(verb, *args):
            def run(*_):
                _, message = attempt(verb, code, key, *args)
                set_action_error(message)
                set_acted(lambda n: n + 1)
            return run
        return act

    act = solara.use_memo(make_act, [code, key])  # the same function each render: unchanged teams are not redrawn
    seats, refused = picked(FREE_SEATS, free_seats, "free_seats")
    start = act(classroom.start, *seats) if seats else lambda *_: set_action_error(refused)
    if view is None:
        Error(error)
        solara.Button("Forget this session in this browser", on_click=on_forget, text=True)
        return

    join = f"{origin}{HOME.url(code=code)}"
    with Row(style="flex-wrap: wrap; align-items: flex-start", gap="28px"):
        with Column(gap="4px"):
            Heading(view.title, 2)
            hidden = " (hidden from players)" if view.horizon_hidden else ""
            Text(f"created {when(view.created_at)} · round {view.round}" + (
                 f" ({view.changes})" if view.round > 1 else "") + " · "
                 f"{view.scenario} · {view.weeks} weeks{hidden} · information {view.information} · "
                 f"bots: {view.bot_rule}" + (f" · timer {fmt(view.timer_seconds)} s" if view.timer_seconds
                                                    else "") + f" · a week closes: {pacing_label(view.pacing)}",
                 classes=["cg-muted"])
            Text("join code", classes=["cg-muted"])
            HTML(tag="div", classes=["cg-code"], unsafe_innerHTML=html.escape(code),
                 attributes={"data-testid": "join-code"})
            HTML(tag="a", unsafe_innerHTML=html.escape(join),
                 attributes={"href": join, "data-testid": "join-link"})
            HTML(tag="div", attributes={"data-testid": "status"}, unsafe_innerHTML=(
                f"status <b>{view.status}</b> · {plural(view.players, 'player')} joined · "
                f"{plural(view.free_seats, 'free seat')}"))
        HTML(tag="div", unsafe_innerHTML=qr_svg(join, 5) if origin else "", attributes={"data-testid": "qr"})
    with Row(style="flex-wrap: wrap; align-items: center"):  # keyed: buttons that come and go keep the others
        if view.status == Status.LOBBY:
            solara.Select("At start, free seats:", values=list(FREE_SEATS), value=free_seats,
                          on_value=set_free_seats, style="min-width: min(420px, 100%)").key("free-seats")
            solara.Button("Start", on_click=start, color="primary").key("start")
        if view.status == Status.RUNNING:
            solara.Button("Pause", on_click=act(classroom.pause)).key("pause")
            if view.pacing == "teacher":
                solara.Button("Next week (bots decide for late seats)", on_click=act(classroom.next_week),
                              color="primary").key("next-week")
        if view.status == Status.PAUSED:
            solara.Button("Resume", on_click=act(classroom.resume_session), color="primary").key("resume")
        if view.status == Status.LOBBY:  # no game yet to end: the session is closed before it starts
            Confirm("Close session", "Close this session before it starts? Nobody can join or play in it any more.",
                    "Yes, close it", act(classroom.end)).key("end")
        elif view.status != Status.ENDED:
            Confirm("End game", "End the game for every team now? Players cannot order any more.",
                    "Yes, end the game", act(classroom.end)).key("end")
        solara.Button("Debrief", href=DEBRIEF.url(code=code), target="_blank", text=True).key("debrief")
        solara.Button("Class view", href=CLASS.url(code=code), target="_blank", text=True).key("class")
        HTML(tag="a", unsafe_innerHTML="Project this", classes=["cg-link"], style="padding: 10px 12px",
             attributes={"href": PROJECTOR.url(code=code), "target": "_blank"}).key("project")  # a new tab
        solara.FileDownload(lambda: classroom.export(code, key, "csv"), filename=f"{code}-history.csv",
                            label="Export CSV").key("export-csv")
        solara.FileDownload(lambda: classroom.export(code, key, "parquet"), filename=f"{code}-history.parquet",
                            label="Export Parquet").key("export-parquet")
    Error(action_error)
    with Row(style="flex-wrap: wrap", gap="16px"):
        if view.status != Status.ENDED:
            MessageCard(code, key, view.message, on_sent=lambda: set_acted(lambda n: n + 1)).key("message")
        DuplicateCard(code, key, on_created).key("duplicate")
        if view.status == Status.ENDED:
            ReopenCard(code, key, on_reopened=lambda: set_acted(lambda n: n + 1)).key("reopen")
    if view.status == Status.ENDED:
        NextRound(code, key, view.round, on_started=lambda: set_acted(lambda n: n + 1))
    Teams(view, act, classroom)


def pacing_label(pacing: str) -> str:
    """The create form's words for a pacing."""
    return next((label for label, p in PACING.items() if p == pacing), pacing)


@solara.component
def Confirm(label: str, question: str, yes: str, on_yes, small: bool = False):
    """A button for what cannot be undone: a first click asks ``question``; only ``yes`` does it."""
    asking, set_asking = solara.use_state(False)

    def confirmed(*_):
        set_asking(False)
        on_yes()

    with Row(style="align-items: center; flex-wrap: wrap", gap="4px"):
        if not asking:
            solara.Button(label, on_click=lambda: set_asking(True), color="error", outlined=True, small=small)
        else:
            HTML(tag="span", unsafe_innerHTML=html.escape(question), attributes={"data-testid": "confirm"})
            solara.Button(yes, on_click=confirmed, color="error", small=small)
            solara.Button("Cancel", on_click=lambda: set_asking(False), text=True, small=small)


@solara.component
def MessageCard(code: str, key: str, current: str, on_sent):
    """A one-line message the host shows on every player's page."""
    text, set_text = solara.use_state("")
    error, set_error = solara.use_state(None)

    def send(message: str):
        _, e = attempt(get_classroom().message, code, key, message)
        set_error(e)
        if e is None:
            set_text("")
            on_sent()

    with solara.Card("Message to every player", style="max-width: 520px; flex: 1 1 360px; margin: 0"):
        if current:
            HTML(tag="div", unsafe_innerHTML=f"shown now: <b>{html.escape(current)}</b>",
                 attributes={"data-testid": "message-now"})
        solara.InputText("Message", value=text, on_value=set_text, continuous_update=True,
                         message="e.g. two minutes left in this week")
        Error(error)
        with Row(style="flex-wrap: wrap"):
            solara.Button("Send to every player", on_click=lambda: send(text), disabled=not text.strip(),
                          color="primary", small=True)
            if current:
                solara.Button("Clear the message", on_click=lambda: send(""), text=True, small=True)


@solara.component
def DuplicateCard(code: str, key: str, on_created):
    """A new session with the same settings and a new code (for the next class); it says its weeks first."""
    classroom = get_classroom()
    password, set_password = solara.use_state("")
    error, set_error = solara.use_state(None)
    plan, set_plan = solara.use_state(None)  # the CopyPlan being confirmed (None: not asked yet)

    def ask(*_):
        found, e = attempt(classroom.copy_plan, code, key)
        set_error(e)
        set_plan(found)

    def duplicate(*_):
        ticket, e = attempt(classroom.duplicate, code, key,
                            password=password if classroom.needs_password else None)
        set_error(e)
        set_plan(None)
        if ticket is not None and on_created is not None:
            on_created(ticket)

    with solara.Card("Another class", style="max-width: 420px; flex: 1 1 280px; margin: 0"):
        if classroom.needs_password:
            solara.InputText("Teacher password", value=password, on_value=set_password, continuous_update=True,
                             password=True)
        Error(error)
        if plan is None:
            HTML(tag="div", unsafe_innerHTML="A new session with the same settings and a new code.",
                 classes=["cg-muted"])
            solara.Button("Duplicate this session", on_click=ask, small=True)
        else:
            HTML(tag="div", unsafe_innerHTML=html.escape(copy_summary(plan)), attributes={"data-testid": "copy-plan"})
            with Row(style="flex-wrap: wrap"):
                solara.Button("Yes, create the copy", on_click=duplicate, color="primary", small=True)
                solara.Button("Cancel", on_click=lambda: set_plan(None), text=True, small=True)


def copy_summary(plan) -> str:
    """What a duplicate will have, in the host's words (its weeks, and those added by reopening)."""
    added = (f" ({plan.weeks - plan.weeks_added} as created + {plan.weeks_added} added when reopened)"
             if plan.weeks_added else "")
    return (f"The copy: {plan.title} · {plan.scenario} · {plan.weeks} weeks{added} · {plural(plan.teams, 'team')} · "
            "the same seed and settings, a new code and host key, in the lobby.")


@solara.component
def ReopenCard(code: str, key: str, on_reopened):
    """Play an ended session on: where the teams stopped, or for more weeks."""
    more, set_more = solara.use_state("0")
    error, set_error = solara.use_state(None)

    def reopen(*_):
        _, e = attempt(get_classroom().reopen, code, key, typed_number(more) or 0)
        set_error(e)
        if e is None:
            on_reopened()

    with solara.Card("Reopen", style="max-width: 420px; flex: 1 1 280px; margin: 0"):
        solara.InputText("More weeks", value=more, on_value=set_more, continuous_update=True,
                         message="0: go on where the teams stopped")
        Error(error)
        solara.Button("Reopen the session", on_click=reopen, color="primary", small=True)


@solara.component
def Teams(view, act, classroom):
    """The teams: one line each (sortable) from :data:`COMPACT_FROM` teams, else a card each."""
    many = len(view.teams) >= COMPACT_FROM
    layout, set_layout = solara.use_state("one line per team" if many else "a card per team")
    sort, set_sort = solara.use_state(SORTS[0])
    sort = sort if sort in SORTS else SORTS[0]  # a choice of the view only: any other value shows the first
    chosen, set_chosen = solara.use_state("")
    with Row(style="flex-wrap: wrap; align-items: center"):
        solara.ToggleButtonsSingle(value=layout, values=["one line per team", "a card per team"],
                                   on_value=set_layout, classes=["cg-layout"])
        if layout == "one line per team":
            Text("sort by", classes=["cg-muted"])
            solara.ToggleButtonsSingle(value=sort, values=list(SORTS), on_value=set_sort, classes=["cg-sort"])
    if layout == "a card per team":
        for team in view.teams:
            TeamCard(team, view.status, view.weeks, act, classroom).key(f"team-{team.team}")
        return
    HTML(tag="div", unsafe_innerHTML=team_table(view.teams, sort, view.status, view.weeks), classes=["cg-scroll"],
         attributes={"data-testid": "teams-table"})
    names = [f"Team {t.team}" for t in view.teams]
    solara.Select("Show one team's seats and actions", values=["", *names], value=chosen, on_value=set_chosen,
                  style="max-width: 360px")
    team = next((t for t in view.teams if f"Team {t.team}" == chosen), None)
    if team is not None:
        TeamCard(team, view.status, view.weeks, act, classroom).key(f"team-{team.team}")


def team_place(team, status: Status, weeks: int) -> str:
    """Where a team is, in the host's words: ``not started``, ``week 3``, ``done``, or ``ended at week 3 of 8``."""
    if status == Status.LOBBY:
        return "not started"
    if team.done:
        return "done"
    return f"ended at week {team.week} of {weeks}" if status == Status.ENDED else f"week {team.week}"


def awaited(team, status: Status) -> tuple[str, ...]:
    """The firms a team waits for: none before the start, once it is done, or once the session has ended."""
    return team.waiting if status in (Status.RUNNING, Status.PAUSED) and not team.done else ()


def team_line(team, status: Status) -> str:
    """The line beside a team's place on its card: its cost, and who it waits for while the game runs."""
    if status == Status.LOBBY:
        return ""
    waiting = awaited(team, status)
    if not waiting:
        return f"cost {money(team.cost)}"
    return f"cost so far {money(team.cost)} · waiting for: {', '.join(waiting)}"


def team_table(teams, sort: str, status: Status, weeks: int) -> str:
    """One line per team: its week, how many weeks it is behind the furthest team, who it waits for, its cost."""
    lead = max((t.week for t in teams), default=0)
    order = {"team": lambda t: t.team, "week": lambda t: (-t.week, t.team), "lag": lambda t: (t.week, t.team),
             "cost": lambda t: (-t.cost, t.team)}[sort]
    rows = []
    for t in sorted(teams, key=order):
        waiting = awaited(t, status)
        cells = (f"Team {t.team}", team_place(t, status, weeks), str(lead - t.week),
                 f"{len(waiting)}: {', '.join(waiting)}" if waiting else "-", money(t.cost))
        rows.append(f'<tr data-team="{t.team}">' + "".join(
            f'<td class="{"l" if i in (0, 1, 3) else ""}">{html.escape(c)}</td>' for i, c in enumerate(cells))
            + "</tr>")
    head = "".join(f'<th class="{"l" if i in (0, 1, 3) else ""}">{c}</th>'
                   for i, c in enumerate(("team", "week", "lag (weeks behind)", "waiting for", "cost so far")))
    return f'<table class="cg-table"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


@solara.component
def TeamCard(team, status: Status, weeks: int, act, classroom):
    """One team's card: where it is, its cost, who is awaited, its timer and the host's seat actions."""
    with solara.Card(style="margin: 0", classes=[f"cg-team-{team.team}"]):
        with Row(style="align-items: baseline; flex-wrap: wrap", gap="18px"):
            HTML(tag="h3", unsafe_innerHTML=f"Team {team.team}")
            HTML(tag="span", unsafe_innerHTML=html.escape(team_place(team, status, weeks)),
                 attributes={"data-testid": f"team-{team.team}-week"})
            line = team_line(team, status)
            if line:
                Text(line)
            if team.deadline is not None:
                Countdown(team.deadline, prefix="bots decide in ")
            if status == Status.RUNNING and team.waiting:
                solara.Button("Advance (bots decide for late seats)", on_click=act(classroom.advance, team.team),
                              small=True, outlined=True)
        HTML(tag="div", unsafe_innerHTML=seat_table(team, status), classes=["cg-scroll"],
             attributes={"data-testid": f"team-{team.team}-seats"})
        if status != Status.ENDED:
            with Row(style="flex-wrap: wrap; align-items: center", gap="4px"):
                for s in team.seats:
                    if s.mode == "human":
                        solara.Button(f"{s.firm} → bot", on_click=act(classroom.set_seat, team.team, s.firm, "bot"),
                                      small=True, text=True)
                    else:
                        solara.Button(f"{s.firm} → human", on_click=act(classroom.set_seat, team.team, s.firm,
                                                                          "human"), small=True, text=True)
                    if s.player:
                        who = s.label or s.player
                        Confirm(f"release {who}", f"Release {who}? Their page stops working; the seat is free.",
                                f"Yes, release {who}", act(classroom.release_seat, team.team, s.firm), small=True)


PLAYED = {"human": "human", "bot": "bot", "open": "bot until a student joins"}  # a seat's mode, in words


def seat_week(seat, team, status: Status) -> str:
    """A seat's "this week" on the host's card: decided (and by whom), awaited, or nothing to decide."""
    if status == Status.LOBBY:
        return "-"
    if team.done:
        return "done"
    if seat.submitted:
        return "✓ " + (seat.decided_by or "")
    return "no order" if status == Status.ENDED else "waiting…"


def seat_table(team, status: Status) -> str:
    """A team's seats as an HTML table narrow enough for a phone: a firm's role (if another word) under its name."""
    rows = []
    for s in team.seats:
        firm = html.escape(s.firm) + (f'<div class="cg-role">{html.escape(s.role)}</div>' if s.role != s.firm else "")
        player = (s.label or s.player) if s.player else ("-" if s.mode == "bot" else "(free)")
        cells = (firm, html.escape(PLAYED.get(s.mode, s.mode)), html.escape(player),
                 html.escape(seat_week(s, team, status)), html.escape(money(s.cost)))
        rows.append("<tr>" + "".join(f'<td class="{c}">{v}</td>' for c, v in zip(("l", "l w", "l w", "", ""), cells))
                    + "</tr>")
    head = "".join(f'<th class="{c}">{h}</th>' for c, h in zip(("l", "l", "l", "", ""),
                                                               ("firm", "played by", "player", "this week", "cost")))
    return f'<table class="cg-table"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def round_changes(text: str) -> dict:
    """The host's "PATH = VALUE" lines (a TOML value each; bare words are text) as a table of changes."""
    out = {}
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        if "=" not in line:
            raise ValueError(f"changes: {show(line.strip())} is not PATH = VALUE (e.g. links.*.shipping_delay = 1)")
        path, value = (part.strip() for part in line.split("=", 1))
        try:
            out[path] = tomllib.loads(f"v = {value}")["v"]
        except tomllib.TOMLDecodeError:
            out[path] = value
        except RecursionError:
            raise ValueError(f"changes: the value of {show(path)} nests too deeply (allowed: a TOML value, e.g. 1, "
                             "\"proportional\" or [1, 2])") from None
    return out


INFORMATIONS = {"as before": None, **{m.value: m.value for m in MODES}}  # the next round's choices -> start_round's
RULES = {"as before": "keep", **{k: r for k, r in BOT_RULES.items() if r != "custom"}}


@solara.component
def NextRound(code: str, key: str, current: int, on_started):
    """Start the next round with the same teams and seats.

    The host picks the information mode, the bots and any dotted-path change of the scenario; the
    customer demand stays the same unless asked.
    """
    classroom = get_classroom()
    information, set_information = solara.use_state("as before")
    rule, set_rule = solara.use_state("as before")
    changes, set_changes = solara.use_state("")
    seed, set_seed = solara.use_state("")
    error, set_error = solara.use_state(None)

    def start(*_):
        try:
            values = round_changes(changes)
        except ValueError as e:
            set_error(str(e))
            return
        (mode, refused), (bot_rule, refused_rule) = (picked(INFORMATIONS, information, "information"),
                                                      picked(RULES, rule, "bot_rule"))
        if refused or refused_rule:
            set_error(refused or refused_rule)
            return
        _, message = attempt(classroom.start_round, code, key, values, information=mode,
                             bot_rule=bot_rule, seed=typed_number(seed))
        set_error(message)
        if message is None:
            on_started()

    with solara.Card(f"Start round {current + 1}", style="max-width: 720px"):
        Text("The same teams and seats play again, on the same customer demand unless you give a new seed.",
             classes=["cg-muted"])
        with Row(style="flex-wrap: wrap"):
            solara.ToggleButtonsSingle(value=information, values=list(INFORMATIONS), on_value=set_information,
                                       classes=["cg-next-information"])
            solara.Select("Bots play by", values=list(RULES), value=rule, on_value=set_rule, style=HINTED)
            solara.InputText("Demand seed", value=seed, on_value=set_seed, continuous_update=True, style=HINTED,
                             message="empty: the same demand")
        solara.InputTextArea("Other changes", value=changes, on_value=set_changes, continuous_update=True, rows=2,
                             message="one PATH = VALUE a line, e.g. links.*.shipping_delay = 1")
        Error(error)
        solara.Button(f"Start round {current + 1}", on_click=start, color="primary")
