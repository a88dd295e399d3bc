"""`chaingame replay` as a user runs it: a subprocess on a run's output, a session database and its export."""

import numpy as np
import pandas as pd

from chaingame.classroom import Classroom
from chaingame.engine import COLUMNS

from .classroom.conftest import play, seat_all
from .test_cli import one_line_error, run


def test_replay_of_a_run_with_every_firm_kept_gives_back_the_history(tmp_path):
    assert run("run", "classic", "--out", str(tmp_path / "run")).returncode == 0
    p = run("replay", str(tmp_path / "run"), "--out", str(tmp_path / "again"))
    assert p.returncode == 0, p.stderr
    recorded = pd.read_csv(tmp_path / "run" / "history.csv")
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "again" / "history.csv"), recorded)
    team = [line for line in p.stdout.splitlines() if line.startswith("team")][0].split()
    assert float(team[1]) == float(team[2]) == round(recorded["cost"].sum(), 2)


def test_replay_with_the_benchmark_retailer_changes_the_costs(tmp_path):
    assert run("run", "classic", "--out", str(tmp_path / "run")).returncode == 0
    p = run("replay", str(tmp_path / "run"), "--rule", "retailer=benchmark",
            "--rule", "factory=sterman:theta=0,alpha_s=1,beta=1,s_prime=20", "--out", str(tmp_path / "b"))
    assert p.returncode == 0, p.stderr
    recorded = pd.read_csv(tmp_path / "run" / "history.csv")
    replayed = pd.read_csv(tmp_path / "b" / "history.csv")
    assert replayed["cost"].sum() != recorded["cost"].sum()
    demand = replayed[replayed["firm"] == "retailer"]["customer_demand"].to_numpy()
    assert (demand == recorded[recorded["firm"] == "retailer"]["customer_demand"].to_numpy()).all()


def test_replay_of_a_classroom_database_and_its_export(tmp_path):
    db = tmp_path / "class.sqlite3"
    room = Classroom(db)
    t = room.create_session("classic", weeks=10)
    tickets = seat_all(room, t.code)
    room.start(t.code, t.host_key)
    play(room, tickets, 10)
    (tmp_path / "export.csv").write_bytes(room.export(t.code, t.host_key, "csv"))
    played = room.debrief(t.code, t.host_key).history
    room.close()
    for source, extra in ((db, []), (tmp_path / "export.csv", ["--scenario", "classic"])):
        out = tmp_path / f"out-{source.suffix}"
        p = run("replay", str(source), *extra, "--out", str(out))
        assert p.returncode == 0, p.stderr
        again = pd.read_csv(out / "history.csv")
        for c in COLUMNS:
            np.testing.assert_array_equal(again[c].to_numpy(), played[c].to_numpy(), err_msg=c)


def test_replay_bad_rule_is_one_line(tmp_path):
    assert run("run", "classic", "--out", str(tmp_path / "run")).returncode == 0
    one_line_error(run("replay", str(tmp_path / "run"), "--rule", "retailer=nope"), '"nope" is not a rule')
    one_line_error(run("replay", str(tmp_path / "run"), "--rule", "shop=benchmark"), '"shop" is not a firm')
    one_line_error(run("replay", str(tmp_path / "export.csv")), "is not a file or folder")


def test_replay_help():
    p = run("replay", "--help", script=True)
    assert p.returncode == 0 and p.stdout.startswith("usage: chaingame replay"), p.stderr
    assert "--rule FIRM=RULE[:KEY=VALUE,...]" in p.stdout and "benchmark" in p.stdout and "fitted" in p.stdout


def test_replay_with_the_fitted_rule_counting_the_whole_supply_line(tmp_path):
    assert run("run", "classic", "--out", str(tmp_path / "run")).returncode == 0
    p = run("replay", str(tmp_path / "run"), "--rule", "wholesaler=fitted:beta=1", "--out", str(tmp_path / "f"))
    assert p.returncode == 0, p.stderr
    assert "wholesaler: Sterman(" in p.stdout and "beta=1.0" in p.stdout
    one_line_error(run("replay", str(tmp_path / "run"), "--rule", "wholesaler=fitted:gamma=1"),
                   '"gamma" is not a parameter of the fitted rule')
