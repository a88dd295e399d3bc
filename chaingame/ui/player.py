"""The player's page (``/`` and ``/play``): join a session, then see and run one firm.

The page holds a seat token (kept in the browser, :mod:`chaingame.ui.browser`) and renders the
:class:`~chaingame.classroom.SeatView` the service builds for that token: only the seat's own
firm, as its information mode allows. Every check of an order is the service's; the page shows
its one-line message.
"""

from __future__ import annotations

import dataclasses
import functools
import html

import solara

from ..classroom.process import get_classroom
from ..classroom.seatinfo import cash_capped
from ..classroom.views import Status
from .boxes import HTML, Column, Row, Text, latest, same
from .browser import BrowserStore
from .charts import svg_lines
from .components import (
    Countdown,
    Error,
    Frame,
    Heading,
    attempt,
    figure_html,
    fmt,
    key_html,
    money,
    plural,
    row_html,
    table_html,
)
from .connection import LONGEST, Kept, connection_banner, outcome, recorded_decision, use_connection, use_kept
from .live import use_live
from .orderbox import OrderBox
from .panes import Panes
from .routes import DEBRIEF, query
from .seatinfo import BotNotice, ChainMap, Money, cost_note, history_extra

SEAT_KEY = "chaingame.seat"  # browser storage key of the seat token


@solara.component
def PlayPage():
    """The player page, ``/``: join a session, or play the seat this browser holds."""
    code = query("code")
    token, set_token = solara.use_state(None)
    loaded, set_loaded = solara.use_state(False)
    with Frame("Play"):
        BrowserStore.element(storage_key=SEAT_KEY, value=token, on_value=set_token, on_loaded=set_loaded)
        if not loaded:
            Text("Loading…")
        elif token:
            Seat(token, on_leave=lambda: set_token(""))
        else:
            Join(code, on_joined=set_token)


@solara.component
def Join(code: str, on_joined):
    """The join form: session code, name, and optionally a team and a role (else the service places you)."""
    classroom = get_classroom()
    code_text, set_code_text = solara.use_state(code)
    name, set_name = solara.use_state("")
    team, set_team = solara.use_state("any team")
    firm, set_firm = solara.use_state("any role")
    error, set_error = solara.use_state(None)
    clean = code_text.replace(" ", "").replace("-", "").upper()
    lobby, lobby_error = use_live(clean if len(clean) >= 4 else None,
                                  (lambda: classroom.join_view(clean)) if len(clean) >= 4 else (lambda: None), [clean])

    def join():  # the service checks the choices: a tampered page may send anything for a select
        chosen_team = None if team == "any team" else team.removeprefix("team ") if isinstance(team, str) else team
        chosen_firm = None if firm == "any role" else firm.split(" (")[0] if isinstance(firm, str) else firm
        ticket, message = attempt(classroom.join, code_text, name, team=chosen_team, firm=chosen_firm)
        set_error(message)
        if ticket is not None:
            on_joined(ticket.token)

    connection_banner("nothing reaches the server now: joining works again when the connection is back.")
    Heading("Join a game", 2)
    with solara.Card(style="max-width: 560px"):
        solara.InputText("Session code", value=code_text, on_value=lambda c: (set_code_text(c), set_error(None)),
                         continuous_update=True)
        solara.InputText("Your name", value=name, on_value=set_name, continuous_update=True)
        if lobby is not None:
            Text(f"{lobby.title} — {lobby.scenario}, {plural(lobby.teams, 'team')}, "
                 f"{plural(len(lobby.free), 'free seat')}, {lobby.status}")
            teams = ["any team", *[f"team {t}" for t in sorted({t for t, _ in lobby.free})]]
            roles = {f: r for f, r in lobby.firms}
            free_firms = [f for f, _ in lobby.firms if any(fr == f for _, fr in lobby.free)]
            firms = ["any role", *[f"{f} ({roles[f]})" if roles[f] != f else f for f in free_firms]]
            solara.Select("Team", values=teams, value=team if team in teams else "any team", on_value=set_team)
            solara.Select("Role", values=firms, value=firm if firm in firms else "any role", on_value=set_firm)
        elif lobby_error and len(clean) >= 6 and not error:  # one line: the join's own refusal names the code too
            Error(lobby_error)
        Error(error)
        solara.Button("Join", on_click=join, color="primary", disabled=not (code_text and name))


def shown_of_seat(view):
    """What a seat page displays: the count of teammates still to decide only once it has decided."""
    return view if view.decision is not None else dataclasses.replace(view, waiting=0)


def seat_turned(old, new) -> bool:
    """Whether a seat page must show a change at once: a new week, status or end of game (the rest may wait)."""
    return (old.week, old.status, old.done) != (new.week, new.status, new.done)


@solara.component
def Seat(token: str, on_leave):
    """The seat of ``token``, followed live with its team; offers to join again once it is released."""
    classroom = get_classroom()
    ticket, ticket_error = solara.use_memo(lambda: attempt(classroom.resume, token), [token])
    view, error = use_live(ticket.code if ticket else None, lambda: classroom.seat_view(token), [token],
                           shown=shown_of_seat, team=ticket.team if ticket else None, urgent=seat_turned,
                           turn=(lambda: classroom.team_turn(ticket.code, ticket.team)) if ticket else None)
    if view is None:
        Error(ticket_error or error)
        Text("This browser's seat can no longer be played (the host may have released it).")
        solara.Button("Join again", on_click=on_leave, color="primary")
        return
    SeatPage(view, token)


HELD = {"teacher": ". The next week opens when the host moves the class on.",  # a complete week the pacing holds
        "in_step": ". The next week opens when every team has finished this one.",
        "timer": ". The next week opens when the week's time is up."}


@solara.component
def SeatPage(view, token: str):
    """Everything a seat sees; ``view`` is the service's :class:`SeatView` for ``token``.

    Each part gets only the values it shows, so that a change within the week (a teammate's order)
    re-renders the state line alone: the books, the table and the chart change once a week. The
    parts a new week leaves as they were (the notices, the chain diagram) are the very elements of
    the last render (:func:`~chaingame.ui.boxes.same`), which reacton skips whole.
    """
    parts = [use_connection(token, view)]  # a lost connection is said at once; an unsent order kept in the browser
    parts.append(Header(view.team, view.firm, view.role, view.player, view.title, view.code, view.week, view.weeks))
    message = same(HostMessage, view.message)  # a hook: called on every render, shown only with a message
    if view.message:
        parts.append(message)
    parts += [same(BotNotice, view.notice), State(view, token)]
    now, past = cost_note(view.rules), cost_note(view.rules, so_far=False)
    if view.rules is not None and view.rules.priced:  # the scenario's, all game: the parts below keep their place
        parts += [Figures(view.observation, view.total_cost, len(view.history), None, view.decides_capacity, now,
                          past),
                  Money(view.observation, view.history, view.rules),
                  Figures(None, 0.0, 0, view.history, view.decides_capacity, now, past)]
    else:  # the books and the weeks: one widget, one message a week
        parts.append(Figures(view.observation, view.total_cost, len(view.history), view.history,
                             view.decides_capacity, now, past))
    parts.append(same(ChainMap, view.rules))
    return Column(children=parts)


@solara.component
def HostMessage(message: str | None):
    """The host's message to every player."""
    if message:
        HTML(tag="div", classes=["cg-wait"], attributes={"data-testid": "host-message", "role": "status"},
             unsafe_innerHTML=f"From the host: {html.escape(message)}")


@solara.component
def Header(team: int, firm: str, role: str, player: str, title: str, code: str, week: int, weeks: int | None):
    """The seat's heading: team, firm (and role), player, session, and the week (of ``weeks``, unless hidden).

    A new week changes the week label alone: the other two are the elements of the last render.
    """
    who = f"Team {team} · {firm}" + (f" ({role})" if role != firm else "")
    seat = same(HTML, "h2", html.escape(who), "margin: 0", (), {"data-testid": "seat"})
    line = same(Text, f"{player} · {title} · code {code}", None, ("cg-muted",))
    label = HTML(tag="span", unsafe_innerHTML=f"week {week}" if weeks is None else f"week {week} of {weeks}",
                 attributes={"data-testid": "week"}, style="font-size: 20px; font-weight: 600")
    return Row(children=[seat, line, label], style="align-items: baseline; flex-wrap: wrap; row-gap: 2px",
               gap="18px")


@solara.component
def State(view, token: str):
    """Where the seat stands: lobby, paused, order form, waiting for others, or over."""
    if view.done or view.status == Status.ENDED:
        over = ("The game is over." if view.status == Status.ENDED else
                f"Your team has played all {view.weeks or view.week} weeks; the debrief opens when the host ends "
                "the game.")
        HTML(tag="div", classes=["cg-ok"], attributes={"data-testid": "state"},
             unsafe_innerHTML=f"{over} Your firm's cost: {money(view.total_cost)}.")
        RevealForm(token, view.status)
        if view.debrief_ready:
            HTML(tag="a", unsafe_innerHTML="Open the debrief", attributes={"href": DEBRIEF.url(code=view.code)},
                 classes=["cg-link"])
        return
    if view.status == Status.LOBBY:
        HTML(tag="div", classes=["cg-wait"], attributes={"data-testid": "state"},
             unsafe_innerHTML="You are in. The game starts when the host starts it.")
        return
    if view.status == Status.PAUSED:
        HTML(tag="div", classes=["cg-wait"], attributes={"data-testid": "state"},
             unsafe_innerHTML="The host has paused the game.")
        return
    # the same widgets all game long: a week, an order or a teammate's order changes their values only
    text = ""
    if view.decision is not None:
        others = view.waiting
        text = (f"You ordered {fmt(view.decision.order)} for week {view.week}"
                + (" (decided by the bot)" if view.decision.decided_by == "bot" else "")
                + (f". Waiting for {others} other player{'s' if others != 1 else ''}…" if others else
                   HELD.get(view.pacing, ".")))
    OrderForm(view, token, text)  # the state line below the card is the order card's widget's too
    if view.deadline is not None and view.decision is None:
        Countdown(view.deadline, prefix="the bot decides for late players in ")


@solara.component
def OrderForm(view, token: str, state: str = ""):
    """The order (and capacity) for the open week; disabled, showing the decision, once it is made.

    ``state``: the line below the card (the decision made, who is awaited), "" for none.

    What the player types stays in the browser (:class:`~chaingame.ui.orderbox.OrderBox`) until
    they submit: no message per keystroke. A new week starts from an empty field (or the
    scenario's fixed order, or the order the browser kept) without creating the form anew.
    """
    classroom = get_classroom()
    week, fixed, decision = view.week, view.fixed_order, view.decision
    failed, set_failed = solara.use_state((0, None))  # (week, message) of the last refusal
    kept = use_kept(week)  # what the browser kept unsent for this week (chaingame.ui.connection)
    if decision is not None:
        order = fmt(decision.order)
    else:
        order = kept.order if kept else ("" if fixed is None else fmt(fixed))
    error = failed[1] if failed[0] == week else None

    def submit(sent):  # what the browser sent: untrusted, checked by the service as typed
        if decision is not None:
            return
        sent = sent if isinstance(sent, dict) else {}
        order, capacity = sent.get("order"), sent.get("capacity")
        empty = capacity is None or isinstance(capacity, str) and not capacity.strip()  # keep the current capacity
        _, message = attempt(classroom.submit, token, sent.get("week", week), order,
                             capacity if view.decides_capacity and not empty else None)
        late = message and late_refusal(classroom, token, sent.get("week"), order, message)
        if late:  # the week closed (its timer, the host) before the order arrived: said on the week shown now
            set_failed(late)
        elif message != error:  # an accepted order re-renders the page through the service, not here too
            set_failed((week, message))

    unit = "whole units" if view.whole_units else "units"
    low = "any number, negative returns goods" if view.allows_returns else f"0 to {fmt(view.max_order)} {unit}"
    returns = " (negative: returns goods)" if view.allows_returns and fixed is None else ""
    low = f"{view.order_hint}{returns}" if view.order_hint else low
    note = view.order_note if fixed is None else f"This week the scenario fixes your order at {fmt(fixed)}."
    OrderBox.element(week=week, shown=order, shown_capacity=kept.capacity if kept else "", hint=low,
                     decides_capacity=view.decides_capacity, disabled=decision is not None, handler=latest(submit),
                     note=note, error=error or "", state=state)  # the refusal: the card's last line, nothing moves


def late_refusal(classroom, token: str, week, order, message: str) -> tuple[int, str] | None:
    """What the page says of an order refused because its week had closed before it arrived (the timer, the host).

    Returns (the seat's week now, "Your order of 7 for week 1 was not sent: ... Recorded for week 1: 4
    (decided by the bot)."), or None for any other refusal (``message``: the service's).
    """
    now = attempt(classroom.seat_view, token)[0]
    if (now is None or isinstance(week, bool) or not isinstance(week, int) or not 0 < week < now.week
            or not isinstance(order, str) or not order.strip() or len(order) > LONGEST):
        return None
    kept = Kept(week, order.strip(), "", True)
    return now.week, outcome(kept, message, recorded_decision(now, week))[1]


def books_html(obs, total_cost: float, weeks_played: int, decides_capacity: bool,
               counts: str = "holding and backlog") -> str:
    """The firm's books this week, before it orders (HTML: one figure each)."""
    items = [
        ("incoming order", fmt(obs.incoming), "ordered from you this week", "incoming"),
        ("arriving shipment", fmt(obs.received), "goods received this week", "received"),
        ("shipped", fmt(obs.shipped), "sent to your customer", "shipped"),
        ("inventory", fmt(obs.inventory), "on hand", "inventory"),
        ("backlog", fmt(obs.backlog), "owed to your customer", "backlog"),
        ("supply line", fmt(obs.on_order), "ordered, not yet arrived", "on_order"),
        ("position", fmt(obs.position), "inventory − backlog + supply line", "position"),
        ("last order", fmt(obs.last_order), "what you ordered last week", "last_order"),
        ("cost this week", money(obs.cost), f"so far: {counts}", "cost"),
        ("total cost", money(total_cost), f"over {plural(weeks_played, 'week')}", "total_cost"),
    ]
    if decides_capacity or obs.capacity is not None:
        items += [("capacity", fmt(obs.capacity), "units per week", "capacity"),
                  ("raw materials", fmt(obs.raw), "on hand", "raw"),
                  ("in production", fmt(obs.wip), "work in progress", "wip")]
    if obs.demand is not None:
        items.append(("customer demand", fmt(obs.demand), "end customers, this week", "demand"))
    return "".join(figure_html(label, value, note, f"book-{name}") for label, value, note, name in items)


def chain_html(obs) -> str:
    """Every firm's books, where the information mode shows them (HTML table; "" where it does not)."""
    if obs.chain is None:
        return ""
    return table_html(["firm", "inventory", "backlog", "supply line", "incoming", "last order"],
                      [(r.firm, fmt(r.inventory), fmt(r.backlog), fmt(r.on_order), fmt(r.incoming), fmt(r.last_order))
                       for r in obs.chain])


SHORT = {"week": "wk", "incoming": "in", "received": "rcv", "shipped": "shp", "inventory": "inv", "backlog": "bkl",
         "supply line": "line", "order": "ord", "cost": "cost", "capacity": "cap",
         "target": "tgt"}  # the history's headings on a phone


def history_html(history, decides_capacity: bool = False, counts: str = "holding and backlog") -> str:
    """The seat's past weeks as a table, latest first (with capacity for a seat that decides it).

    On a phone the headings are abbreviated, with their key below the table.
    """
    extra, _ = history_extra((), decides_capacity)
    columns = ["week", "incoming", "received", "shipped", "inventory", "backlog", "supply line", "order", "cost",
               *extra]
    body = "".join(week_row_html(w, decides_capacity) for w in reversed(history)) or row_html(("-",) * len(columns))
    table = table_html(columns, (), short=SHORT, attrs='style="white-space: nowrap"', body=body)
    note = f'<div class="cg-muted" style="font-size: 12px">cost: {html.escape(counts)}, $ that week</div>'
    return (f'<h4 style="margin: 6px 0 2px">Your weeks</h4><div class="cg-scroll">{table}</div>'
            f'{history_key(tuple(columns))}{note}')


@functools.lru_cache(maxsize=8)
def history_key(columns: tuple[str, ...]) -> str:
    """The key to the history's abbreviated headings (the same all game)."""
    return key_html(columns, SHORT)


@functools.lru_cache(maxsize=8192)  # a past week's row is drawn once, not again in every later week's table
def week_row_html(w, decides_capacity: bool) -> str:
    """One past week (a :class:`~chaingame.classroom.views.SeatWeek`) as a row of the history table."""
    more = history_extra((w,), decides_capacity)[1][0]
    return row_html((w.week, fmt(w.incoming), fmt(w.received), fmt(w.shipped), fmt(w.inventory), fmt(w.backlog),
                     fmt(w.on_order), fmt(w.order) + (f" of {fmt(w.decided)}" if cash_capped(w) else "")
                     + (" (bot)" if w.decided_by == "bot" else ""), money(w.cost), *more))


def chart_html(history) -> str:
    """The seat's incoming orders, own orders, inventory and backlog per week, as an SVG chart.

    Drawn for a phone's width (360 px) and scaled to its box, up to 460 px on a wider screen.
    """
    weeks = [w.week for w in history]
    return svg_lines(weeks, {"incoming orders": [w.incoming for w in history],
                            "your orders": [w.order for w in history],
                            "inventory": [w.inventory for w in history],
                            "backlog": [w.backlog for w in history]}, ylabel="units", width=360, height=220,
                     max_width=460)


@solara.component
def Figures(obs, total_cost: float, weeks_played: int, history, decides_capacity: bool, counts: str,
            counts_past: str):
    """The books (unless ``obs`` is None) and the weeks (unless ``history`` is None) in one widget.

    A new week changes them together: one :class:`~chaingame.ui.panes.Panes`, one message.
    """
    Panes.element(books="" if obs is None else books_html(obs, total_cost, weeks_played, decides_capacity, counts),
                  chain="" if obs is None else chain_html(obs),
                  history=history_html(history, decides_capacity, counts_past) if history is not None else "",
                  chart=chart_html(history) if history is not None else "")


@solara.component
def RevealForm(token: str, status: str):
    """Once the game is over: what does the player think end-customer demand was? Asked once, kept."""
    classroom = get_classroom()
    sent, set_sent = solara.use_state(0)
    reveal, error = solara.use_memo(lambda: attempt(classroom.reveal_view, token), [token, status, sent])
    shape, set_shape = solara.use_state("")
    numbers, set_numbers = solara.use_state("")
    failed, set_failed = solara.use_state(None)
    if reveal is None or not reveal.open:
        Error(error)
        return
    if reveal.shape is not None:
        levels = f" ({', '.join(fmt(x) for x in reveal.numbers)} a week)" if reveal.numbers else ""
        HTML(tag="div", attributes={"data-testid": "reveal-done"}, unsafe_innerHTML=html.escape(
            f"Your guess of customer demand: {reveal.shape}{levels}. The debrief shows what it was."))
        return

    def send(*_):
        _, message = attempt(classroom.reveal, token, shape, numbers)
        set_failed(message)
        if message is None:
            set_sent(lambda n: n + 1)

    with solara.Card("What do you think customer demand was?", style="max-width: 560px"):
        Text("End customers bought from the retailer every week. Which shape did their demand have?")
        solara.ToggleButtonsSingle(value=shape or None, values=list(reveal.shapes), on_value=set_shape,
                                   classes=["cg-shapes"], style="flex-wrap: wrap")
        solara.InputText("The levels you think it took, cases a week (optional, e.g. 4, 8)", value=numbers,
                         on_value=set_numbers, continuous_update=True)
        Error(failed)
        solara.Button("Send my guess", on_click=send, color="primary", disabled=not shape)
