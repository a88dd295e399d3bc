"""The export (docs/classroom-data.md) and the debrief tables."""

import io
import re
from pathlib import Path

import pandas as pd
import pytest

from chaingame.classroom import EXPORT_COLUMNS, Forbidden, InputError
from chaingame.engine import COLUMNS

from .conftest import order, seat_all

DOC = Path(__file__).resolve().parents[2] / "docs" / "classroom-data.md"


@pytest.fixture
def finished(room):
    """Two teams of the classic game: team 1 human, team 2 half human; played to the end."""
    host = room.create_session("classic", teams=2, title="Tuesday")
    one = seat_all(room, host.code, team=1)
    two = seat_all(room, host.code, team=2, firms=("retailer", "factory"))
    room.start(host.code, host.host_key)
    for _ in range(36):
        for seats, wanted in ((one, 6), (two, 9)):
            for t in seats.values():
                v = room.seat_view(t.token)
                room.submit(t.token, v.week, order(v, wanted))
    return host


def test_export_schema_csv_and_parquet(room, finished):
    host = finished
    csv = pd.read_csv(io.BytesIO(room.export(host.code, host.host_key, "csv")))
    parquet = pd.read_parquet(io.BytesIO(room.export(host.code, host.host_key, "parquet")))
    for df in (csv, parquet):
        assert tuple(df.columns) == EXPORT_COLUMNS
        assert len(df) == 2 * 36 * 4
        assert set(df.decided_by) == {"human", "bot"} and set(df.reason) <= {"player", "bot_seat", "timer", "host"}
        assert (df.response_seconds >= 0).all() and (df.submitted_at >= df.opened_at).all()
        assert (df.session == host.code).all()
    assert parquet.dtypes["week"] == "int64" and parquet.dtypes["team"] == "int64"
    assert all(parquet.dtypes[c] == "float64" for c in ("order", "capacity_target", *COLUMNS, "response_seconds"))
    assert parquet.player.isna().sum() == 36 * 2  # team 2's bot seats have no player
    pd.testing.assert_frame_equal(csv.drop(columns="player"), parquet.drop(columns="player"), check_dtype=False,
                                  check_exact=False)
    with pytest.raises(InputError, match=r'^fmt: "xlsx" is not an export format \(allowed: "csv", "parquet"\)$'):
        room.export(host.code, host.host_key, "xlsx")


def test_every_export_column_is_documented():
    documented = re.findall(r"^\| `([a-z_]+)` \|", DOC.read_text(), flags=re.M)
    assert tuple(documented) == EXPORT_COLUMNS


def test_debrief_ranks_teams_and_roles_against_the_bots(room, finished):
    host = finished
    d = room.debrief(host.code)  # ended: open to players
    assert (d.status, d.weeks, d.weeks_compared) == ("ended", 36, 36)
    assert list(d.teams.columns[:3]) == ["rank", "team", "cost"] and sorted(d.teams["rank"]) == [1, 2]
    assert d.teams.cost.is_monotonic_increasing
    chain_bots = d.bots.set_index("firm").loc["chain", "cost"]
    assert (d.teams.cost_vs_bots == d.teams.cost - chain_bots).all()
    assert d.firms.groupby("firm").rank_in_role.apply(sorted).tolist() == [[1, 2]] * 4
    by = d.firms.set_index(["team", "firm"])
    assert by.loc[(1, "retailer"), "players"] == "P-1-retailer" and by.loc[(2, "wholesaler"), "players"] == ""
    assert by.loc[(1, "factory"), "human_weeks"] == 36
    team_cost = d.history.groupby("team").cost.sum()
    assert d.teams.set_index("team").cost.to_dict() == pytest.approx(team_cost.to_dict())
    assert d.firms.groupby("team").cost.sum().to_dict() == pytest.approx(team_cost.to_dict())
    assert {"bullwhip", "fill_rate", "peak_order"} <= set(d.firms.columns)


def test_teams_at_different_weeks_are_compared_over_the_weeks_all_have_played(room):
    host = room.create_session("classic", teams=2)
    a = room.join(host.code, "A", team=1)
    b = room.join(host.code, "B", team=2)
    room.start(host.code, host.host_key)
    for _ in range(10):
        v = room.seat_view(a.token)
        room.submit(a.token, v.week, order(v, 5))
    for _ in range(6):
        v = room.seat_view(b.token)
        room.submit(b.token, v.week, order(v, 5))
    with pytest.raises(Forbidden):
        room.debrief(host.code)
    d = room.debrief(host.code, host.host_key)
    assert d.weeks_compared == 6
    assert d.teams.set_index("team").weeks_played.to_dict() == {1: 10, 2: 6}
    assert d.teams.cost.tolist()[0] == pytest.approx(d.teams.cost.tolist()[1])  # same orders over weeks 1-6
    assert len(d.history) == (10 + 6) * 4
