"""Reviewer's cases for issue 13 through the service API: settings that would leave a game nobody can play."""

import sqlite3

import pytest

from chaingame.checks import ScenarioError
from chaingame.scenario import bundled

from .conftest import order


@pytest.mark.parametrize("max_order", [3.5, 0.5, 1e-300])
def test_a_largest_order_below_the_fixed_order_is_refused_before_the_session_exists(room, db, max_order):
    """Classic fixes 4 in weeks 1-4: a session allowing less could never get past week 1."""
    with pytest.raises(ScenarioError) as e:
        room.create_session("classic", max_order=max_order)
    text = str(e.value)
    assert text.startswith("max_order: ") and "\n" not in text
    assert "fixes for retailer in week 1" in text and "allowed: a number from 4" in text
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT COUNT(*) FROM sessions").fetchone() == (0,)


def test_the_default_largest_order_allows_an_uploaded_scenario_s_fixed_orders(room):
    """An uploaded board fixing 5000 a week: the default bound rises to it, and week 1 can be played."""
    toml = bundled()["classic"].read_text().replace("fixed_orders = [4, 4, 4, 4]", "fixed_orders = [5000, 4]")
    host = room.create_session("big-fixed", scenario_toml=toml)
    alice = room.join(host.code, "Alice")
    room.start(host.code, host.host_key)
    view = room.seat_view(alice.token)
    assert view.fixed_order == 5000
    assert room.submit(alice.token, 1, order(view, 8)).week == 2


def series_chain(firms: int, weeks: int) -> str:
    """An uploaded scenario: ``firms`` in series, the last one producing, bought from the outside source."""
    lines = [f"weeks = {weeks}", "whole_units = true", '[demand]\nprocess = "constant"\nlevel = 4',
             '[defaults]\nholding_cost = 0.5\nbacklog_cost = 1.0\ninventory = 12\npolicy = { rule = "sterman" }']
    for i in range(firms):
        role = "retailer" if i == 0 else "manufacturer" if i == firms - 1 else "wholesaler"
        lines.append(f'[firms.f{i}]\nrole = "{role}"' + ("\nproduction = { delay = 1, wip = [4] }" if i == firms - 1
                                                          else ""))
    for i in range(firms):
        supplier = f"f{i + 1}" if i < firms - 1 else "source"
        lines.append(f'[[links]]\nsupplier = "{supplier}"\ncustomer = "f{i}"\norder_delay = 1\nshipping_delay = 1')
    return "\n".join(lines)


def test_a_long_chain_within_the_limits_is_not_refused_as_nested_too_deeply(room):
    """1,100 firms in series, 5 weeks (5,500 seat-weeks, within the limit): the cycle check once recursed per
    firm and a RecursionError came back as "nests too deeply", though the file nests two levels."""
    host = room.create_session("long", scenario_toml=series_chain(1100, 5))
    assert len(room.join_view(host.code).firms) == 1100
