"""The host's page under hostile input: the create form, the drop zone, the dashboard, an ended session.

Every field, select and toggle gets what a careless or hostile visitor may type or send (:mod:`.hostile`);
each bad value gets one line naming its field and stores nothing, and a valid value is then accepted.
"""

from __future__ import annotations

import json

import pytest

from chaingame.scenario import bundled_dir
from chaingame.ui.host import BOT_RULES, FREE_SEATS, PACING

from ..classroom.conftest import play, seat_all
from .conftest import host_storage
from .hostile import MEGABYTE, NOT_NUMBERS, SURROGATE, TAMPERED, clean, drop_file, refuse_each, rows, says, toggle

WEEKS = "Weeks (empty: the scenario's)"
TIMER = "Timer, seconds per week (empty: none)"
TITLE = "Title (shown to players)"
PASTE = "…or paste a scenario file (TOML) here"
CUSTOM = "Bot rule (TOML inline table)"
MESSAGE = "Message"
MORE = "More weeks"
CHANGES = "Other changes"
SEED = "Demand seed"


def created(classroom, host):
    """The session the host's tab has just created: (code, its HostView)."""
    host.wait(lambda: host.has("join-code"), "the new session's dashboard")
    code = host.text("join-code")
    return code, classroom.host_view(code, json.loads(host.stored())[code])


@pytest.mark.parametrize("label, field, bad, good, check", [
    ("Teams", "teams", NOT_NUMBERS + ["0", "-1", "101", "2.5", "-0", "1e3"], " 3 ", lambda v: len(v.teams) == 3),
    (WEEKS, "weeks", NOT_NUMBERS + ["0", "521", ".5"], "12.", lambda v: v.weeks == 12),
    (TIMER, "timer_seconds", NOT_NUMBERS + ["4", "86401", "-5"], "+3e1", lambda v: v.timer_seconds == 30),
    (TITLE, "title", [SURROGATE, "Ops " + SURROGATE, "\x00", "Ops\u202e101", "x" * 121, MEGABYTE], "  Ops   101 ",
     lambda v: v.title == "Ops 101"),
])
def test_each_bad_value_of_a_create_form_field_is_named_and_a_good_one_creates(classroom, tabs, label, field, bad,
                                                                                 good, check):
    host = tabs("/host")
    refuse_each(host, classroom, field, bad, lambda value: (host.fill(label, value), host.click("Create session")))
    host.fill(label, good)
    host.click("Create session")
    assert check(created(classroom, host)[1])


@pytest.mark.parametrize("label, field, good", [
    ("Scenario", "scenario", "stochastic"), ("Information", "information", "pos"),
    ("A week closes", "pacing", "when you click Next week"), ("Bots play by", "bot_rule", "pass orders through"),
])
def test_a_tampered_select_of_the_create_form_is_named_and_a_real_choice_creates(classroom, tabs, label, field, good):
    host = tabs("/host")
    refuse_each(host, classroom, field, TAMPERED,
                lambda value: (host.select(label, value), host.click("Create session")))
    host.select(label, good)
    host.click("Create session")
    _, view = created(classroom, host)
    assert {"Scenario": view.scenario, "Information": view.information, "A week closes": view.pacing,
            "Bots play by": view.bot_rule}[label] in (good, PACING.get(good), "pass_through()")


def test_a_custom_bot_rule_that_is_not_a_rule_is_named(classroom, tabs):
    host = tabs("/host")
    host.select("Bots play by", next(label for label, rule in BOT_RULES.items() if rule == "custom"))
    bad = ["{", "[" * 5000, "{a=" * 2000 + "1" + "}" * 2000, "{rule = 'nope'}", "{rule = 'sterman', theta = nan}",
           "{rule = 'sterman', theta = 1e400}", "{rule = 'sterman', theta = [[[[1]]]]}", "{rule = 'sterman', zzz = 1}",
           "{rule = 'sterman', theta = 1979-05-27}", "1\nw = 2", "{rule = '" + SURROGATE + "'}", MEGABYTE, ""]
    refuse_each(host, classroom, "bot_rule", bad,
                lambda value: (host.fill(CUSTOM, value), host.click("Create session")))
    host.fill(CUSTOM, "{rule = 'sterman', theta = 0.5}")
    host.click("Create session")
    assert "theta=0.5" in created(classroom, host)[1].bot_rule


BAD_TOML = ["x = ", "[" * 5000, "a = " + "{b = " * 3000, "a=" + "[" * 60 + "]" * 60, "weeks = 'a'",
            "x = '" + SURROGATE + "'", "a = 1\n" * 100_000, "firms = 5", "d = 1979-05-27", "\x00",
            "weeks = 99999999999999999999999999"]


def test_a_pasted_scenario_that_is_not_one_is_named(classroom, tabs):
    host = tabs("/host")
    refuse_each(host, classroom, None, BAD_TOML,
                lambda value: (host.fill_area(PASTE, value), host.click("Create session")))
    host.fill_area(PASTE, (bundled_dir() / "classic.toml").read_text("utf-8").replace("weeks = 36", "weeks = 9"))
    host.click("Create session")
    assert created(classroom, host)[1].weeks == 9


def test_a_dropped_file_that_is_not_a_scenario_is_named(classroom, tabs):
    classic = (bundled_dir() / "classic.toml").read_bytes()
    files = [("a.toml", b"\xff\xfe\x00binary", "scenario_toml"), ("a.toml", "é".encode("latin-1"), "scenario_toml"),
             ("a\nb.png", bytes(range(256)), "scenario_toml"), ("a.toml", b"[" * 5000, "scenario_toml"),
             ("big.toml", b"x = 1\n" * 50_000, "scenario_toml"), ("a.toml", b"a = " + b"{b = " * 3000, "scenario_toml"),
             (SURROGATE + ".toml", classic, "scenario"), ("a.toml", b"", "weeks"),
             ("a.toml", classic.replace(b"weeks = 36", b"weeks = -5"), "weeks"),
             ("a.toml", b"\x00" * 1000, "scenario_toml")]
    before = rows(classroom)
    host = tabs("/host")
    for n, (name, data, field) in enumerate(files):  # one after the other on the same drop zone
        drop_file(host, f"{n}-{name}", data)
        if not host.has("error"):  # read as text: the service checks it at Create
            host.click("Create session")
        says(host, field)
    assert rows(classroom) == before
    drop_file(host, "nine.toml", classic.replace(b"weeks = 36", b"weeks = 9"))
    host.click("Create session")
    assert created(classroom, host)[1].weeks == 9


# the dashboard -------------------------------------------------------------------------------------------
def test_a_bad_message_is_named_and_a_good_one_reaches_the_dashboard(classroom, tabs):
    t = classroom.create_session("classic", teams=2)
    host = tabs(f"/host?code={t.code}", stored=host_storage(t))
    bad = [SURROGATE, "Ops " + SURROGATE, "\x00", "two\u202eminutes", "x" * 301, MEGABYTE]
    refuse_each(host, classroom, "message", bad,
                lambda value: (host.fill(MESSAGE, value), host.click("Send to every player")))
    host.fill(MESSAGE, "  two   minutes\nleft ")
    host.click("Send to every player")
    host.wait_text("message-now", "two minutes left")
    clean(host)


def test_a_tampered_start_choice_is_named_and_a_real_one_starts(classroom, tabs):
    t = classroom.create_session("classic", teams=2)
    host = tabs(f"/host?code={t.code}", stored=host_storage(t))
    refuse_each(host, classroom, "free_seats", TAMPERED,
                lambda value: (host.select("At start, free seats:", value), host.click("Start")))
    assert classroom.host_view(t.code, t.host_key).status == "lobby"
    host.select("At start, free seats:", list(FREE_SEATS)[2])  # free seats wait (bots alone would play it through)
    host.click("Start")
    host.wait_text("status", "running")


def test_a_tampered_sort_or_layout_leaves_the_class_table_readable(classroom, tabs):
    t = classroom.create_session("classic", teams=8, weeks=10)
    host = tabs(f"/host?code={t.code}", stored=host_storage(t))
    for value in TAMPERED:
        toggle(host, "cg-sort", value)
        clean(host)
        assert host.text("teams-table").index('data-team="1"') < host.text("teams-table").index('data-team="8"')
        host.select("Show one team's seats and actions", value)
        clean(host)
    toggle(host, "cg-sort", "cost")
    toggle(host, "cg-layout", "a card per team")
    host.wait(lambda: host.has("team-8-seats"), "a card per team")
    clean(host)


@pytest.fixture
def ended(classroom, tabs):
    """An ended 6-week game of four players, and the host's page on it."""
    t = classroom.create_session("classic", weeks=6)
    tickets = seat_all(classroom, t.code)
    classroom.start(t.code, t.host_key)
    play(classroom, tickets, 6)
    host = tabs(f"/host?code={t.code}", stored=host_storage(t))
    host.wait(lambda: "Start round 2" in host.buttons(), "the ended session's controls")
    return t, host


def test_bad_weeks_to_reopen_are_named_and_good_ones_reopen(classroom, ended):
    t, host = ended
    refuse_each(host, classroom, "more_weeks", NOT_NUMBERS + ["-1", "99999", "2.5", "0"],
                lambda value: (host.fill(MORE, value), host.click("Reopen the session")))
    host.fill(MORE, " 3 ")
    host.click("Reopen the session")
    host.wait_text("status", "running")
    assert classroom.host_view(t.code, t.host_key).weeks == 9


BAD_CHANGES = ["x", "= 5", "links.*.shipping_delay = -1", "links.*.shipping_delay = nan",
               "links.*.shipping_delay = 1e400", "links.*.shipping_delay = " + "[" * 5000, "a.b.c = 1", "..... = 1",
               "links.99.shipping_delay = 1", SURROGATE + " = 1", "weeks = " + SURROGATE, "weeks = 99999",
               "firms.0.id = 'x'", "x" * 100_000 + " = 1", "demand = 5", "information = 'x'", "links.*.* = 1",
               "links.1e400.order_delay = 1", MEGABYTE]


def test_bad_changes_of_the_next_round_are_named_and_good_ones_start_it(classroom, ended):
    t, host = ended
    start = lambda: host.click("Start round 2")  # noqa: E731
    refuse_each(host, classroom, None, BAD_CHANGES, lambda value: (host.fill_area(CHANGES, value), start()))
    host.fill_area(CHANGES, "")
    refuse_each(host, classroom, "seed", NOT_NUMBERS + ["-1", "2.5", str(2**64)],
                     lambda value: (host.fill(SEED, value), start()))
    host.fill(SEED, "")
    refuse_each(host, classroom, "bot_rule", TAMPERED + [next(k for k, r in BOT_RULES.items() if r == "custom")],
                     lambda value: (host.select("Bots play by", value), start()))
    host.select("Bots play by", "as before")
    refuse_each(host, classroom, "information", TAMPERED,
                     lambda value: (toggle(host, "cg-next-information", value), start()))
    toggle(host, "cg-next-information", "pos")
    host.fill_area(CHANGES, "links.*.shipping_delay = 1")
    host.fill(SEED, " 7 ")
    start()
    host.wait_text("status", "lobby")
    view = classroom.host_view(t.code, t.host_key)
    assert (view.round, view.information, view.seed) == (2, "pos", 7)
    assert "shipping_delay" in view.changes


def test_a_wrong_teacher_password_of_any_kind_is_named_and_the_right_one_creates(tmp_path, tabs):
    from chaingame.classroom import Classroom
    from chaingame.classroom.process import set_classroom

    classroom = Classroom(tmp_path / "locked.sqlite3", teacher_password="s3cret")
    set_classroom(classroom)
    try:
        host = tabs("/host")
        password = "Teacher password (set when the server started)"
        refuse_each(host, classroom, "password", ["", " ", SURROGATE, "s3cret" + SURROGATE, "S3CRET", MEGABYTE, "\x00"],
                    lambda value: (host.fill(password, value), host.click("Create session")))
        host.fill(password, "s3cret")
        host.click("Create session")
        created(classroom, host)
    finally:
        set_classroom(None)
        classroom.close()
