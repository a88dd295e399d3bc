"""The database file: what Classroom(path) accepts, and what it refuses without touching the file."""

import hashlib
import os
import sqlite3

import pytest

from chaingame.classroom import Classroom, InputError


def fingerprint(folder):
    """Every file of ``folder`` (a refusal must neither change one nor leave a -wal or -shm file beside it)."""
    return {p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in sorted(folder.iterdir()) if p.is_file()}


def test_a_new_file_is_created_with_its_folders_and_reopened(tmp_path):
    path = tmp_path / "not" / "yet" / "classroom.db"
    room = Classroom(path)
    host = room.create_session("classic", title="kept")
    room.close()
    assert sqlite3.connect(path).execute("SELECT value FROM meta WHERE key = 'schema'").fetchone() == ("2",)
    again = Classroom(path)
    assert again.host_view(host.code, host.host_key).title == "kept"
    again.close()


@pytest.fixture
def here(tmp_path, monkeypatch):
    """Work in the temporary folder: paths are as short as a user types them after --db."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_folder_is_refused(here):
    (here / "classes").mkdir()
    with pytest.raises(InputError, match=r'^db: "classes" is a folder \(allowed: a classroom database file') as e:
        Classroom("classes")
    assert e.value.field == "db" and "\n" not in str(e.value)
    assert list((here / "classes").iterdir()) == []


def test_a_refusal_names_the_file_under_a_long_folder(tmp_path):
    folder = tmp_path / "a folder with a rather long name, as users have" / "term 2027"
    folder.mkdir(parents=True)
    (folder / "classroom.db").write_text("not a database")
    with pytest.raises(InputError) as e:
        Classroom(folder / "classroom.db")
    assert "classroom.db" in str(e.value), f"the message does not say which file: {e.value}"


@pytest.mark.parametrize("content", [b"session,team\n1,2\n" * 100, b"SQLite format 3\x00" + b"\x00" * 84 + b"junk",
                                     os.urandom(4096)], ids=["csv", "a damaged header", "random bytes"])
def test_a_file_that_is_not_a_database_is_refused_and_left_unchanged(here, content):
    (here / "notes.db").write_bytes(content)
    before = fingerprint(here)
    refused = r'^db: "notes.db" cannot be used as the classroom database \(.+; allowed: '
    with pytest.raises(InputError, match=refused) as e:
        Classroom("notes.db")
    assert e.value.field == "db" and "\n" not in str(e.value)
    assert fingerprint(here) == before


def test_another_schema_version_is_refused(here):
    path = "classroom.db"
    room = Classroom(path)
    room.create_session("classic")
    room.close()
    with sqlite3.connect(path) as con:
        con.execute("UPDATE meta SET value = '3' WHERE key = 'schema'")
    con.close()
    with pytest.raises(InputError, match=r'^db: "classroom.db" holds classroom schema 3 \(allowed: schema 1 or 2') \
            as e:
        Classroom(path)
    assert e.value.field == "db"
    assert sqlite3.connect(path).execute("SELECT COUNT(*) FROM sessions").fetchone() == (1,)  # nothing lost


def newer_schema(path):
    """A database written by a later chaingame: schema 3, with tables this version does not know."""
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        con.execute("INSERT INTO meta VALUES ('schema', '3')")
        con.execute("CREATE TABLE games (code TEXT PRIMARY KEY, state TEXT)")
    con.close()


def foreign(path):
    """Another program's SQLite database."""
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE grades (student TEXT, grade REAL)")
        con.execute("INSERT INTO grades VALUES ('Ann', 5.5)")
    con.close()


@pytest.mark.parametrize("make", [newer_schema, foreign], ids=["newer schema", "another program's database"])
def test_a_database_that_is_not_this_versions_is_refused_and_left_unchanged(tmp_path, make):
    path = tmp_path / "classroom.db"
    make(path)
    before = fingerprint(tmp_path)
    tables = sqlite3.connect(path).execute("SELECT name FROM sqlite_master ORDER BY name").fetchall()
    with pytest.raises(InputError, match=r"^db: ") as e:
        Classroom(path).close()
    assert e.value.field == "db"
    assert sqlite3.connect(path).execute("SELECT name FROM sqlite_master ORDER BY name").fetchall() == tables
    assert fingerprint(tmp_path) == before
