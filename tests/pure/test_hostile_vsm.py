"""Hostile .vsm files, each built here with plain sqlite3: planted triggers, views, generated
columns and other SQL, a forged migration history, values too long, and bit flips.

Opening must never run anything stored in a file, never change the file, and never open a content
other than the one saved: a file holding SQL is refused ("not a file VSM Studio wrote"), a content
that does not match its checksum is refused ("damaged or changed outside VSM Studio") with the
project read, for the editor's "open anyway".
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import time
from contextlib import closing
from pathlib import Path
from typing import Callable

import pytest

import vsm.files.schema as schema
import vsm.files.vsm_file as storage
import vsm.files.vsm_rows as vsm_rows
from vsm.cli.main import main as cli_main
from vsm.errors import FileFormatError
from vsm.files.vsm_file import ContentChanged, open_project, save_project
from vsm.files.vsm_rows import content_checksum
from vsm.model import Flow, Project, Step, ValueStreamMap

FOREIGN = "not a file VSM Studio wrote"


def sample() -> Project:
    map_ = ValueStreamMap("Current state", demand=12.5, demand_period="month", id="m")
    for i in range(40):
        map_.add_step(Step(f"Step {i} é", team=f"Team {i % 4}", process_time=1.25 * i,
                           wait_time=60.0 * i + 0.5, pca=99.5 - i, people=1 + i % 3,
                           notes=f"note {i} " * 5, x=10.0 * i, y=-3.5, id=f"s{i}"))
    for i in range(39):
        map_.add_flow(Flow(f"s{i}", f"s{i + 1}", id=f"f{i}"))
    return Project("Sample", [map_], id="p")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_sql(path: Path, *statements: str) -> None:
    with closing(sqlite3.connect(path)) as connection:
        for statement in statements:
            connection.execute(statement)
        connection.commit()


def old_file(path: Path, version: int) -> Path:
    """A file of an older schema version as that version wrote it, with sqlite3 alone: the
    frozen schema texts, sqlite-utils' migrations table, 40 steps."""
    with closing(sqlite3.connect(path)) as connection:
        connection.execute(f"PRAGMA application_id = {storage.APPLICATION_ID:d}")
        for statements in (schema._SCHEMA_1, schema._SCHEMA_2, schema._SCHEMA_3)[:version]:
            for statement in statements:
                connection.execute(statement)
        connection.execute("CREATE TABLE [_sqlite_migrations] ([id] INTEGER PRIMARY KEY, "
                           "[migration_set] TEXT, [name] TEXT, [applied_at] TEXT)")
        connection.execute("CREATE UNIQUE INDEX [idx__sqlite_migrations_migration_set_name] "
                           "ON [_sqlite_migrations] ([migration_set], [name])")
        for name, _ in schema._STEPS[:version]:
            connection.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                               "VALUES ('vsm', ?, '2026-01-01')", [name])
        connection.execute("INSERT INTO project VALUES ('p', 'Sample', '0.1.0', '2026-01-01')")
        connection.execute("INSERT INTO maps (id, position, name, kind, description, demand, "
                           "demand_period, long_wait_percent, low_pca_percent, rework_percent) "
                           "VALUES ('m', 0, 'Current state', 'current', '', NULL, 'week', 10, 80, 10)")
        for i in range(40):
            connection.execute(
                "INSERT INTO steps (map_id, id, position, name, activity, team, performer, "
                "process_time, wait_time, pca, people, notes, x, y, origin) VALUES "
                "('m', ?, ?, ?, 'plan', '', 'internal', 10, ?, 100, 1, '', 0, 0, NULL)",
                [f"s{i}", i, f"Step {i}", float(i)])
        connection.execute(f"PRAGMA user_version = {version:d}")
        connection.commit()
    return path


def current_file(path: Path) -> Path:
    save_project(sample(), path)
    return path


def rebuild_steps(path: Path, change: Callable[[str], str]) -> None:
    """Replace the steps table by one whose CREATE text is change(the old text), same rows."""
    with closing(sqlite3.connect(path)) as connection:
        sql = connection.execute("SELECT sql FROM sqlite_master WHERE name = 'steps'").fetchone()[0]
        connection.execute(change(sql.replace("CREATE TABLE steps", "CREATE TABLE steps_new", 1)))
        kept = [row[1] for row in connection.execute("PRAGMA table_xinfo(steps_new)") if not row[6]]
        columns = ", ".join(kept)
        connection.execute(f"INSERT INTO steps_new ({columns}) SELECT {columns} FROM steps")
        connection.execute("DROP TABLE steps")
        connection.execute("ALTER TABLE steps_new RENAME TO steps")
        connection.commit()


def refused(path: Path, *fragments: str) -> FileFormatError:
    """Opening fails at once with one message naming the file; the file is as it was."""
    before = digest(path), sorted(p.name for p in path.parent.iterdir())
    started = time.monotonic()
    with pytest.raises(FileFormatError) as caught:
        open_project(path)
    assert time.monotonic() - started < 2, "refusing must not run what the file holds"
    message = str(caught.value)
    assert path.name in message and "\n" not in message
    for fragment in fragments:
        assert fragment in message, message
    assert (digest(path), sorted(p.name for p in path.parent.iterdir())) == before
    return caught.value


# ---------------------------------------------------------------- older files: migration runs nothing

# Each fires when the migration records itself in _sqlite_migrations. Without the checks the
# first hangs for a long while, the second takes 600 MB, the third renames the project and steps.
TRIGGERS = {
    "slow": "SELECT count(*) FROM steps a, steps b, steps c, steps d, steps e;",
    "memory": "SELECT length(randomblob(200000000)), length(randomblob(200000000)), "
              "length(randomblob(200000000));",
    "rename": "UPDATE project SET name = 'Pwned'; UPDATE steps SET name = 'evil ' || id "
              "WHERE position < 24;",
}


@pytest.mark.parametrize("version", [1, 2, 3])
@pytest.mark.parametrize("kind", list(TRIGGERS))
def test_a_trigger_planted_in_an_older_file_is_refused_not_run(tmp_path, version, kind) -> None:
    path = old_file(tmp_path / "old.vsm", version)
    run_sql(path, f"CREATE TRIGGER planted AFTER INSERT ON _sqlite_migrations BEGIN {TRIGGERS[kind]} END")
    refused(path, "contains SQL triggers ('planted')", FOREIGN)


def test_an_older_file_without_anything_planted_still_opens(tmp_path) -> None:
    for version in (1, 2, 3):
        path = old_file(tmp_path / f"v{version}.vsm", version)
        before = digest(path)
        project = open_project(path)
        assert [s.name for s in project.maps[0].steps] == [f"Step {i}" for i in range(40)]
        assert digest(path) == before


@pytest.mark.parametrize("kind", list(TRIGGERS))
def test_a_trigger_cannot_run_even_if_the_schema_check_missed_it(tmp_path, monkeypatch, kind) -> None:
    """Second line: the copy's migration record is rebuilt, dropping the trigger with it."""
    path = old_file(tmp_path / "old.vsm", 2)
    run_sql(path, f"CREATE TRIGGER planted AFTER INSERT ON _sqlite_migrations BEGIN {TRIGGERS[kind]} END")
    monkeypatch.setattr(storage, "check_schema", lambda connection, version: None)
    started = time.monotonic()
    project = open_project(path)
    assert time.monotonic() - started < 2
    assert project.name == "Sample"
    assert [s.name for s in project.maps[0].steps] == [f"Step {i}" for i in range(40)]


def test_no_trigger_fires_on_a_guarded_connection() -> None:
    """Third line: our connections allow no trigger at all (SQLITE_LIMIT_TRIGGER_DEPTH 0)."""
    with closing(sqlite3.connect(":memory:")) as connection:
        connection.execute("CREATE TABLE t (x)")
        connection.execute("CREATE TABLE fired (x)")
        connection.execute("CREATE TRIGGER planted AFTER INSERT ON t BEGIN "
                           "INSERT INTO fired VALUES (1); END")
        storage._guard(connection, storage._Budget(0))
        try:
            connection.execute("INSERT INTO t VALUES (1)")
        except sqlite3.OperationalError as error:  # Python 3.11: the trigger depth limit
            assert "trigger" in str(error)
        # Python 3.12 and later also switch triggers off on the connection: it never fires
        assert connection.execute("SELECT count(*) FROM fired").fetchone()[0] == 0
        assert storage._read_reason(sqlite3.OperationalError("too many levels of trigger recursion")) \
            == f"contains SQL triggers: {FOREIGN}"


def test_a_default_that_runs_sql_is_refused(tmp_path) -> None:
    """A default of the migrations table would run when the migration records itself."""
    path = old_file(tmp_path / "old.vsm", 2)
    run_sql(path, "DROP TABLE _sqlite_migrations",
            "CREATE TABLE _sqlite_migrations (id INTEGER PRIMARY KEY, migration_set TEXT, name TEXT, "
            "applied_at TEXT, junk BLOB DEFAULT (randomblob(300000000)))",
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at, junk) VALUES "
            "('vsm', '0001_initial', 'x', x'00'), ('vsm', '0002_kaizens', 'x', x'00')")
    refused(path, "contains SQL in a column default (table '_sqlite_migrations')", FOREIGN)


def test_a_forged_migration_history_does_not_decide_what_runs(tmp_path) -> None:
    """A version 1 file claiming every migration applied: the header's version decides."""
    path = old_file(tmp_path / "old.vsm", 1)
    run_sql(path, "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES "
                  "('vsm', '0002_kaizens', 'x'), ('vsm', '0003_variability_capacity', 'x')")
    project = open_project(path)
    assert len(project.maps[0].steps) == 40 and project.maps[0].kaizens == []


def test_a_migrations_table_of_another_layout_is_replaced_on_the_copy(tmp_path) -> None:
    path = old_file(tmp_path / "old.vsm", 2)
    run_sql(path, "DROP TABLE _sqlite_migrations",
            "CREATE TABLE _sqlite_migrations (migration_set TEXT, name TEXT, applied_at TEXT)")
    before = digest(path)
    assert len(open_project(path).maps[0].steps) == 40
    assert digest(path) == before


# ---------------------------------------------------------------- current files: nothing but ours

SLOW = "length(hex(zeroblob(1000000)))"
PLANTED = {
    "generated column": (lambda p: rebuild_steps(p, lambda sql: sql.replace(
        "PRIMARY KEY (map_id, id)", f"evil INTEGER GENERATED ALWAYS AS ({SLOW}) VIRTUAL, "
                                    "PRIMARY KEY (map_id, id)")),
                         "contains generated columns (table 'steps')"),
    "generated wait_time": (lambda p: rebuild_steps(p, lambda sql: re.sub(
        r"wait_time REAL NOT NULL,", f"wait_time REAL GENERATED ALWAYS AS ({SLOW}) STORED,", sql)),
                            "contains generated columns (table 'steps')"),
    "check constraint": (lambda p: rebuild_steps(p, lambda sql: sql.replace(
        "PRIMARY KEY (map_id, id)", f"CHECK ({SLOW} > 0), PRIMARY KEY (map_id, id)")),
                         "contains CHECK constraints (table 'steps')"),
    "trigger": (lambda p: run_sql(p, "CREATE TRIGGER planted AFTER UPDATE ON steps BEGIN "
                                     "UPDATE project SET name = 'Pwned'; END"),
                "contains SQL triggers ('planted')"),
    "view": (lambda p: run_sql(p, "CREATE VIEW everything AS SELECT count(*) FROM steps a, steps b"),
             "contains SQL views ('everything')"),
    "virtual table": (lambda p: run_sql(p, "CREATE VIRTUAL TABLE search USING fts5(body)"),
                      "contains a virtual table ('search')"),
    "expression index": (lambda p: run_sql(p, f"CREATE INDEX planted ON steps(({SLOW}))"),
                         "contains SQL in an index ('planted')"),
    "partial index": (lambda p: run_sql(p, f"CREATE INDEX planted ON steps(name) WHERE {SLOW} > 0"),
                      "contains SQL in an index ('planted')"),
    "default": (lambda p: rebuild_steps(p, lambda sql: sql.replace(
        "notes TEXT NOT NULL,", "notes TEXT NOT NULL DEFAULT (hex(randomblob(8))),")),
                "contains SQL in a column default (table 'steps')"),
    "other table": (lambda p: run_sql(p, "CREATE TABLE payload (x)"),
                    "holds a table 'payload' that VSM Studio does not write"),
}


@pytest.mark.parametrize("kind", list(PLANTED))
def test_sql_planted_in_a_current_file_is_refused(tmp_path, kind) -> None:
    plant, words = PLANTED[kind]
    path = current_file(tmp_path / "planted.vsm")
    plant(path)
    refused(path, words, FOREIGN)


def test_the_schema_is_checked_before_quick_check_and_the_rows(tmp_path, monkeypatch) -> None:
    path = current_file(tmp_path / "planted.vsm")
    PLANTED["generated wait_time"][0](path)
    monkeypatch.setattr(storage, "_check_integrity", lambda connection: pytest.fail("read first"))
    refused(path, "contains generated columns")


def test_a_missing_column_is_damage_not_foreign(tmp_path) -> None:
    path = current_file(tmp_path / "cut.vsm")
    run_sql(path, "ALTER TABLE kaizens DROP COLUMN owner")
    assert refused(path).reason == "damaged file: column 'owner' is missing"


def test_columns_are_read_by_name(tmp_path, monkeypatch) -> None:
    """An extra plain column is never read (no `SELECT *`); the file still opens."""
    path = current_file(tmp_path / "extra.vsm")
    run_sql(path, "ALTER TABLE steps ADD COLUMN extra TEXT")
    statements: list[str] = []
    real_content = vsm_rows.content

    def spy(connection):
        connection.set_trace_callback(statements.append)
        yield from real_content(connection)

    monkeypatch.setattr(vsm_rows, "content", spy)
    assert open_project(path) == sample()
    assert statements and not any("*" in statement for statement in statements)


# ---------------------------------------------------------------- time and memory bounds


def test_opening_stops_when_sqlite_works_far_more_than_the_size_needs(tmp_path, monkeypatch) -> None:
    path = current_file(tmp_path / "busy.vsm")
    monkeypatch.setattr(storage, "WORK_FLOOR", 0)
    monkeypatch.setattr(storage, "WORK_PER_BYTE", 0.0)
    refused(path, "reading it takes far more work than a file of its size needs", FOREIGN)


def test_the_work_budget_leaves_room_for_every_file_vsm_studio_writes(tmp_path, monkeypatch) -> None:
    budgets: list[storage._Budget] = []
    real = storage._Budget

    def recorded(size: int) -> storage._Budget:
        budgets.append(real(size))
        return budgets[-1]

    monkeypatch.setattr(storage, "_Budget", recorded)
    many_maps = Project("Many maps", [ValueStreamMap(f"Map {i}") for i in range(2000)])
    for project in (sample(), many_maps):
        save_project(project, tmp_path / "ok.vsm")
        assert open_project(tmp_path / "ok.vsm") == project
        assert budgets[-1].used * 10 < budgets[-1].allowed


def test_a_value_longer_than_the_limit_is_refused_when_saving_and_opening(tmp_path, monkeypatch) -> None:
    path = current_file(tmp_path / "long.vsm")
    run_sql(path, "UPDATE steps SET notes = hex(zeroblob(3000)) WHERE id = 's1'")
    monkeypatch.setattr(storage, "MAX_VALUE_BYTES", 4000)
    refused(path, "damaged file: it holds a value longer than")
    project = sample()
    project.maps[0].set_step_field("s1", "notes", "n" * 5000)
    with pytest.raises(FileFormatError, match="cannot write: a text is longer than"):
        save_project(project, tmp_path / "new.vsm")
    assert not (tmp_path / "new.vsm").exists()


# ---------------------------------------------------------------- the checksum


def test_saving_stores_the_checksum_of_the_content(tmp_path) -> None:
    path = current_file(tmp_path / "saved.vsm")
    with closing(sqlite3.connect(path)) as connection:
        rows = connection.execute("SELECT key, value FROM metadata").fetchall()
        assert rows == [("content_sha256", content_checksum(connection))]
        assert re.fullmatch(r"[0-9a-f]{64}", rows[0][1])


@pytest.mark.parametrize("sql", [
    "UPDATE steps SET wait_time = 5536 WHERE id = 's1'",  # 1d became 3d 20h 16m
    "UPDATE steps SET name = 'Step 1 è' WHERE id = 's1'",
    "UPDATE steps SET position = 99 WHERE id = 's0'",  # the order of the steps
    "DELETE FROM flows WHERE id = 'f3'",
    "UPDATE maps SET demand = 13.5",
    "UPDATE project SET name = 'Other'",
])
def test_a_content_changed_outside_is_refused_with_the_project_read(tmp_path, sql) -> None:
    path = current_file(tmp_path / "changed.vsm")
    run_sql(path, sql)
    error = refused(path, "damaged or changed outside VSM Studio")
    assert isinstance(error, ContentChanged)
    assert error.reason == storage.CHANGED
    assert isinstance(error.project, Project) and error.project != sample()
    save_project(error.project, path)  # saving what was opened writes a fresh checksum
    assert open_project(path) == error.project


def test_a_missing_checksum_in_a_current_file_is_refused(tmp_path) -> None:
    path = current_file(tmp_path / "stripped.vsm")
    run_sql(path, "DELETE FROM metadata")
    error = refused(path, "damaged or changed outside VSM Studio: its checksum is missing")
    assert isinstance(error, ContentChanged) and error.project == sample()


def test_the_command_line_exits_2_on_a_changed_file(tmp_path, capsys) -> None:
    path = current_file(tmp_path / "changed.vsm")
    run_sql(path, "UPDATE steps SET wait_time = 5536 WHERE id = 's1'")
    assert cli_main(["report", str(path)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "changed.vsm" in error
    assert "damaged or changed outside VSM Studio" in error


def bit_flip_positions(size: int, count: int = 200) -> list[tuple[int, int]]:
    """`count` (byte, bit) pairs spread over the whole file, the same every run."""
    stride = size // count
    return [(i * stride + (i * 7) % stride, i % 8) for i in range(count)]


def test_a_bit_flip_never_opens_a_changed_content(tmp_path) -> None:
    path = tmp_path / "flipped.vsm"
    save_project(sample(), path)
    original = path.read_bytes()
    outcomes = {"identical": 0, "refused": 0, "checksum": 0}
    changed = []
    for position, bit in bit_flip_positions(len(original), 240):
        data = bytearray(original)
        data[position] ^= 1 << bit
        path.write_bytes(bytes(data))
        try:
            project = open_project(path)
        except ContentChanged as error:
            assert path.name in str(error) and "damaged or changed outside VSM Studio" in str(error)
            outcomes["checksum"] += 1
        except FileFormatError as error:
            assert path.name in str(error) and "\n" not in str(error)
            outcomes["refused"] += 1
        else:
            if project == sample():
                outcomes["identical"] += 1
            else:
                changed.append(position)
    assert changed == [], f"opened with a changed content after flips at {changed}"
    assert outcomes["checksum"] >= 5 and outcomes["identical"] >= 50, outcomes
