"""`chaingame play` and `chaingame assets`: arguments, the offline browser files, the default database."""

from __future__ import annotations

import pytest

from chaingame import cli
from chaingame.ui import assets


def test_the_pages_need_the_solara_shell_requirejs_and_font_awesome_only():
    specs = [p.spec for p in assets.required()]
    assert any(s.startswith("@widgetti/solara-vuetify") for s in specs)
    assert any(s.startswith("requirejs@") for s in specs)
    assert len(specs) <= 3  # no KaTeX, Mermaid or Vega: the pages do not use them
    for spec in specs:
        name, version = spec.rsplit("@", 1)
        assert name and version[0].isdigit()


def test_missing_browser_files_are_named_with_the_command_that_fetches_them(tmp_path):
    with pytest.raises(assets.AssetError) as e:
        assets.ensure(tmp_path, fetch_missing=False)
    assert "chaingame assets" in str(e.value)
    assert {p.spec for p in assets.missing(tmp_path)} == {p.spec for p in assets.required()}


def test_installed_browser_files_are_complete():
    """scripts/setup.sh ran `chaingame assets`: the served pages then need no CDN."""
    assert assets.missing() == [], "run `chaingame assets` (scripts/setup.sh does)"


@pytest.mark.parametrize("argv, words", [
    (["play", "--port", "70000"], "--port: 70000 is not a TCP port"),
    (["play", "--port", "x"], "invalid int value"),
])
def test_play_rejects_bad_arguments_in_one_line(argv, words, capsys):
    with pytest.raises(SystemExit) as e:
        status = cli.main(argv)
        raise SystemExit(status)
    assert e.value.code == 2
    err = capsys.readouterr().err.strip()
    assert words in err and "\n" not in err


def test_the_default_database_lives_in_the_users_data_folder(monkeypatch, tmp_path):
    from chaingame.serve import default_db

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_db() == tmp_path / "chaingame" / "classroom.sqlite3"
