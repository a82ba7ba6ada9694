"""The .vsm file: round trips, atomic saves, and every way a file can be wrong on open."""

from __future__ import annotations

import errno
import hashlib
import os
import sqlite3
import stat
import tempfile
from contextlib import closing
from dataclasses import fields
from functools import lru_cache
from pathlib import Path

import pytest
import sqlite_utils
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import vsm.files.schema as schema
import vsm.files.vsm_file as storage
from vsm.errors import FileFormatError
from vsm.files.vsm_file import APPLICATION_ID, SCHEMA_VERSION, open_project, save_project
from vsm.model import Flow, Project, Step, Thresholds, ValueStreamMap
from vsm.model.records import Kaizen


def sample_project() -> Project:
    """Two maps sharing step ids, concurrent, alternative and rework flows, unicode, float times."""
    current = ValueStreamMap("Ist-Zustand — Änderungen 変更", kind="current", description="Today\nline 2",
                             demand=12.5, demand_period="month",
                             thresholds=Thresholds(long_wait_percent=15.0, low_pca_percent=70.5,
                                                   rework_percent=5.0,
                                                   over_capacity_percent=92.5), id="map-current")
    for i, name in enumerate(["Anfrage ✉", "Prüfung", "Freigabe", "Bau", "Test", "Auslieferung"]):
        current.add_step(Step(name, activity="plan" if i < 2 else "obtain_build", team="Team ß",
                              performer="vendor" if i == 3 else "internal",
                              process_time=1.25 * (i + 1), wait_time=1e-3 + 60.0 * i,
                              pca=99.5 - i, people=0.5 + i, notes="ünïcödé 🙂" * i,
                              x=10.0 * i, y=-3.3, id=f"s{i + 1}"))
    current.set_step_field("s4", "process_time_min", 1.0)  # time ranges (schema version 3)
    current.set_step_field("s4", "process_time_max", 30.5)
    current.set_step_field("s4", "wait_time_max", "2d")
    current.add_flow(Flow("s1", "s2", id="f1"))
    current.add_flow(Flow("s2", "s3", id="f2"))  # s2 -> s3 and s2 -> s4: concurrent
    current.add_flow(Flow("s2", "s4", id="f3"))
    current.add_flow(Flow("s4", "s5", share=70.0, id="f4"))  # alternatives out of s4
    current.add_flow(Flow("s4", "s6", share=30.0, id="f5"))
    current.add_flow(Flow("s5", "s4", kind="rework", probability=12.5, id="f6"))
    future = ValueStreamMap("Future state", kind="future", demand=None, id="map-future")
    future.add_step(Step("Anfrage ✉", process_time=0.5, wait_time=2.75, id="s1", origin="s1"))
    future.add_step(Step("Automatic build", performer="automated", id="s2"))
    future.add_step(Step("New step", id="s9"))  # origin None
    future.add_flow(Flow("s2", "s9", id="g2"))  # order differs from the steps' order
    future.add_flow(Flow("s1", "s2", id="g1"))
    future.add_flow(Flow("s9", "s1", kind="rework", probability=0.1, id="g3"))
    future.add_kaizen(Kaizen("Automatisieren ✓", waste="motion", due="2027-01-01", step_id="s2",
                             expected_saving_minutes=12.5, id="k1"))
    future.add_kaizen(Kaizen("Free idea", x=-5.5, y=7, id="k2"))
    return Project("Änderungsprozess 🚀", [current, future], id="project-1")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@lru_cache(maxsize=None)
def valid_bytes() -> bytes:
    """The bytes of a saved sample project (saved once per test session)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "valid.vsm"
        save_project(sample_project(), path)
        return path.read_bytes()


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    path = tmp_path / "project.vsm"
    save_project(sample_project(), path)
    return path


def expect_open_error(path: Path, *fragments: str) -> FileFormatError:
    """open_project fails with FileFormatError naming the file; the file is left unchanged."""
    before = digest(path) if path.is_file() else None
    with pytest.raises(FileFormatError) as caught:
        open_project(path)
    assert caught.type is FileFormatError
    message = str(caught.value)
    assert path.name in message
    for fragment in fragments:
        assert fragment in message
    if before is not None:
        assert digest(path) == before
    return caught.value


# ---------------------------------------------------------------- round trip


def test_round_trip_equals_the_project(saved: Path) -> None:
    opened = open_project(saved)
    assert opened == sample_project()
    assert opened.name == "Änderungsprozess 🚀"


def test_order_of_maps_steps_and_flows_is_kept(saved: Path) -> None:
    opened = open_project(saved)
    assert [m.id for m in opened.maps] == [m.id for m in sample_project().maps]
    current, future = opened.maps
    assert [s.id for s in current.steps] == ["s1", "s2", "s3", "s4", "s5", "s6"]
    assert [f.id for f in current.flows] == ["f1", "f2", "f3", "f4", "f5", "f6"]
    assert [s.id for s in future.steps] == ["s1", "s2", "s9"]
    assert [f.id for f in future.flows] == ["g2", "g1", "g3"]


def test_values_survive_exactly(saved: Path) -> None:
    current, future = open_project(saved).maps
    assert current.step("s2").wait_time == 1e-3 + 60.0
    assert current.step("s1").process_time == 1.25
    assert current.flow("f4").share == 70.0 and current.flow("f6").probability == 12.5
    assert current.demand == 12.5 and future.demand is None
    assert current.thresholds == Thresholds(15.0, 70.5, 5.0, 92.5)
    ranged = current.step("s4")
    assert (ranged.process_time_min, ranged.process_time_max) == (1.0, 30.5)
    assert (ranged.wait_time_min, ranged.wait_time_max) == (None, 2880.0)
    assert future.step("s1").origin == "s1" and future.step("s9").origin is None


def test_empty_project_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "empty.vsm"
    save_project(Project("Nothing yet"), path)
    assert open_project(path) == Project("Nothing yet", id=open_project(path).id)
    assert open_project(path).maps == []


def test_file_name_with_uri_characters(tmp_path: Path) -> None:
    path = tmp_path / "map #1 100% ?ü &mode=rw.vsm"
    save_project(sample_project(), path)
    assert open_project(path) == sample_project()


def test_application_id_user_version_and_journal_mode(saved: Path) -> None:
    with sqlite3.connect(saved) as connection:
        assert connection.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 6
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    connection.close()
    assert APPLICATION_ID == int.from_bytes(b"VSM1", "big")
    assert saved.read_bytes()[68:72] == b"VSM1"


def test_schema_is_strict_and_covers_every_model_field(saved: Path) -> None:
    connection = sqlite3.connect(saved)
    try:
        strict = {row[1]: row[5] for row in connection.execute("PRAGMA table_list")}
        assert all(strict[table] == 1 for table in ("project", "maps", "steps", "flows", "kaizens"))

        def columns(table: str) -> set[str]:
            return {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}

        assert {f.name for f in fields(Step)} | {"map_id", "position"} == columns("steps")
        assert {f.name for f in fields(Flow)} | {"map_id", "position"} == columns("flows")
        assert {f.name for f in fields(Kaizen)} | {"map_id", "position"} == columns("kaizens")
        assert {f.name for f in fields(Thresholds)} <= columns("maps")
        assert columns("project") == {"id", "name", "app_version", "saved_at"}
        references = {(row[2], row[3], row[4]) for row in connection.execute("PRAGMA foreign_key_list(flows)")}
        assert ("steps", "source", "id") in references and ("steps", "target", "id") in references
        assert connection.execute("SELECT count(*) FROM project").fetchone()[0] == 1
    finally:
        connection.close()


def test_saving_over_an_existing_file_replaces_it(saved: Path) -> None:
    other = Project("Second", [ValueStreamMap("Only map")])
    save_project(other, saved)
    assert open_project(saved) == other
    assert sorted(p.name for p in saved.parent.iterdir()) == [saved.name]


def test_saving_keeps_the_permissions_of_the_file(saved: Path) -> None:
    saved.chmod(0o640)
    save_project(sample_project(), saved)
    assert stat.S_IMODE(saved.stat().st_mode) == 0o640


@pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt", reason="needs symlinks")
def test_saving_through_a_symlink_replaces_the_linked_file(tmp_path: Path) -> None:
    real = tmp_path / "real.vsm"
    link = tmp_path / "link.vsm"
    save_project(Project("Old"), real)
    link.symlink_to(real)
    save_project(sample_project(), link)
    assert link.is_symlink() and open_project(real) == sample_project()


def test_a_version_1_file_opens_without_being_changed(tmp_path: Path) -> None:
    """A file as version 1 wrote it (no kaizens table) is migrated in memory, never in place."""
    path = tmp_path / "old.vsm"
    connection = sqlite3.connect(path)
    db = sqlite_utils.Database(connection)
    db.execute(f"PRAGMA application_id = {APPLICATION_ID:d}")
    schema._migrations().apply(db, stop_before="0002_kaizens")  # the version 1 schema
    db.table("project").insert({"id": "p", "name": "Old", "app_version": "0.1.0",
                                "saved_at": "2026-01-01T00:00:00+00:00"})
    db.table("maps").insert({"id": "m", "position": 0, "name": "Current state", "kind": "current",
                             "description": "", "demand": None, "demand_period": "week",
                             "long_wait_percent": 10.0, "low_pca_percent": 80.0,
                             "rework_percent": 10.0})
    for position, step_id in enumerate(("a", "b")):
        db.table("steps").insert({"map_id": "m", "id": step_id, "position": position,
                                  "name": step_id.upper(), "activity": "plan", "team": "",
                                  "performer": "internal", "process_time": 10.0,
                                  "wait_time": 5.0, "pca": 100.0, "people": 1.0, "notes": "",
                                  "x": 0.0, "y": 0.0, "origin": None})
    db.table("flows").insert({"map_id": "m", "id": "f", "position": 0, "source": "a",
                              "target": "b", "kind": "normal", "share": None, "probability": None})
    connection.commit()
    connection.close()
    with closing(sqlite3.connect(path)) as check:
        assert check.execute("PRAGMA user_version").fetchone()[0] == 1
        assert "kaizens" not in {row[0] for row in check.execute("SELECT name FROM sqlite_master")}
    before = digest(path), path.stat().st_mtime_ns
    project = open_project(path)
    expected = ValueStreamMap("Current state", demand_period="week", id="m")
    expected.add_step(Step("A", "plan", process_time=10, wait_time=5, id="a"))
    expected.add_step(Step("B", "plan", process_time=10, wait_time=5, id="b"))
    expected.add_flow(Flow("a", "b", id="f"))
    assert project == Project("Old", [expected], id="p")
    assert (digest(path), path.stat().st_mtime_ns) == before
    assert [p.name for p in tmp_path.iterdir()] == ["old.vsm"]
    save_project(project, tmp_path / "new.vsm")  # saving writes the current version
    with closing(sqlite3.connect(tmp_path / "new.vsm")) as check:
        assert check.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_a_version_2_file_opens_with_no_ranges_and_the_default_threshold(tmp_path: Path) -> None:
    """Version 2 had no time ranges nor over-capacity threshold: they come out empty / 85 %."""
    path = tmp_path / "v2.vsm"
    connection = sqlite3.connect(path)
    db = sqlite_utils.Database(connection)
    db.execute(f"PRAGMA application_id = {APPLICATION_ID:d}")
    schema._migrations().apply(db, stop_before="0003_variability_capacity")
    db.table("project").insert({"id": "p", "name": "Two", "app_version": "0.1.0",
                                "saved_at": "2026-01-01T00:00:00+00:00"})
    db.table("maps").insert({"id": "m", "position": 0, "name": "Current state", "kind": "current",
                             "description": "", "demand": 40.0, "demand_period": "week",
                             "long_wait_percent": 10.0, "low_pca_percent": 80.0,
                             "rework_percent": 10.0})
    db.table("steps").insert({"map_id": "m", "id": "a", "position": 0, "name": "A",
                              "activity": "plan", "team": "", "performer": "internal",
                              "process_time": 10.0, "wait_time": 5.0, "pca": 100.0,
                              "people": 1.0, "notes": "", "x": 0.0, "y": 0.0, "origin": None})
    connection.commit()
    connection.close()
    before = digest(path)
    map_ = open_project(path).maps[0]
    assert map_.thresholds.over_capacity_percent == 85.0
    step = map_.step("a")
    assert (step.process_time_min, step.process_time_max, step.wait_time_min,
            step.wait_time_max) == (None, None, None, None)
    assert digest(path) == before


# ---------------------------------------------------------------- failed saves


def test_save_into_a_missing_folder_fails_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "no such folder" / "x.vsm"
    with pytest.raises(FileFormatError, match="folder does not exist") as caught:
        save_project(sample_project(), path)
    assert "x.vsm" in str(caught.value)
    assert not path.parent.exists()


def test_save_onto_a_folder_fails(tmp_path: Path) -> None:
    with pytest.raises(FileFormatError, match="folder"):
        save_project(sample_project(), tmp_path)


def test_save_into_a_read_only_folder_leaves_the_old_file(saved: Path) -> None:
    before = digest(saved)
    folder = saved.parent
    folder.chmod(0o500)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("chmod does not stop this user from writing (root?)")
        with pytest.raises(FileFormatError, match="permission denied"):
            save_project(Project("Other"), saved)
    finally:
        folder.chmod(0o700)
    assert digest(saved) == before
    assert [p.name for p in folder.iterdir()] == [saved.name]


def test_a_value_sqlite_cannot_store_fails_and_leaves_the_old_file(saved: Path) -> None:
    before = digest(saved)
    project = sample_project()
    project.maps[0].steps[0].notes = object()  # bypasses the model: unstorable
    with pytest.raises(FileFormatError, match="cannot write") as caught:
        save_project(project, saved)
    assert saved.name in str(caught.value)
    assert digest(saved) == before
    assert [p.name for p in saved.parent.iterdir()] == [saved.name]


def test_a_read_only_file_is_not_overwritten(saved: Path) -> None:
    before = digest(saved)
    saved.chmod(0o444)
    try:
        if os.access(saved, os.W_OK):
            pytest.skip("chmod does not stop this user from writing (root?)")
        with pytest.raises(FileFormatError, match="read-only"):
            save_project(Project("Other"), saved)
    finally:
        saved.chmod(0o644)
    assert digest(saved) == before


@pytest.mark.parametrize("function", ["replace", "fsync"])
def test_disk_full_at_the_end_leaves_the_old_file(saved: Path, monkeypatch: pytest.MonkeyPatch,
                                                  function: str) -> None:
    before = digest(saved)

    def disk_full(*args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(storage.os, function, disk_full)
    with pytest.raises(FileFormatError, match="disk full"):
        save_project(Project("Other"), saved)
    monkeypatch.undo()
    assert digest(saved) == before
    assert [p.name for p in saved.parent.iterdir()] == [saved.name]


# ---------------------------------------------------------------- open errors


def test_missing_file(tmp_path: Path) -> None:
    expect_open_error(tmp_path / "nothing.vsm", "no such file")


def test_directory(tmp_path: Path) -> None:
    folder = tmp_path / "folder.vsm"
    folder.mkdir()
    expect_open_error(folder, "folder")


def test_zero_bytes(tmp_path: Path) -> None:
    path = tmp_path / "empty.vsm"
    path.write_bytes(b"")
    expect_open_error(path, "empty file, not a value-stream file")


def test_random_text(tmp_path: Path) -> None:
    path = tmp_path / "notes.vsm"
    path.write_text("These are my meeting notes.\n" * 50, encoding="utf-8")
    expect_open_error(path, "not a value-stream file")


def test_png_like_binary(tmp_path: Path) -> None:
    path = tmp_path / "picture.vsm"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20)
    expect_open_error(path, "not a value-stream file")


def test_short_file_with_sqlite_magic(tmp_path: Path) -> None:
    path = tmp_path / "short.vsm"
    path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 20)
    expect_open_error(path, "damaged file")


def test_sqlite_database_of_another_application(tmp_path: Path) -> None:
    path = tmp_path / "other.vsm"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE things (name TEXT)")
    connection.execute("INSERT INTO things VALUES ('x')")
    connection.commit()
    connection.close()
    expect_open_error(path, "not a value-stream file (an SQLite database of another application)")


def test_made_by_a_newer_version(saved: Path) -> None:
    connection = sqlite3.connect(saved)
    connection.execute("PRAGMA user_version = 99")
    connection.close()
    expect_open_error(saved, "made by a newer version of this application — upgrade to open it")


def test_truncated_file(saved: Path) -> None:
    data = saved.read_bytes()
    saved.write_bytes(data[: len(data) // 2])
    expect_open_error(saved, "damaged file")


def test_truncated_mid_page(saved: Path) -> None:
    data = saved.read_bytes()
    saved.write_bytes(data[: len(data) // 2 + 100])
    expect_open_error(saved, "damaged file")


def table_page(data: bytes, path: Path, table: str) -> tuple[int, int]:
    """(offset, page size) of the root page of `table`."""
    connection = sqlite3.connect(path)
    try:
        root = connection.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", [table]).fetchone()[0]
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
    finally:
        connection.close()
    return (root - 1) * page_size, page_size


def test_flipped_byte_in_the_middle_of_a_table_page(tmp_path: Path) -> None:
    path = tmp_path / "flipped.vsm"
    map_ = ValueStreamMap("M")
    for i in range(5):
        map_.add_step(Step(f"Step {i}", notes="a long note " * 20, id=f"s{i}"))
    save_project(Project("P", [map_]), path)
    data = bytearray(path.read_bytes())
    offset, page_size = table_page(bytes(data), path, "steps")
    content_start = int.from_bytes(data[offset + 5:offset + 7], "big")
    middle = offset + (content_start + page_size) // 2  # middle of the rows on the page
    assert chr(data[middle]) in "a long note "  # the byte lies inside a note
    data[middle] ^= 0xFF
    path.write_bytes(bytes(data))
    expect_open_error(path, "damaged file")


def test_corrupt_page_structure(saved: Path) -> None:
    data = bytearray(saved.read_bytes())
    offset, _ = table_page(bytes(data), saved, "flows")
    data[offset + 8] ^= 0xFF  # the first cell pointer of the page
    saved.write_bytes(bytes(data))
    expect_open_error(saved, "damaged file", "corrupt")


def write_directly(path: Path, sql: str) -> None:
    connection = sqlite3.connect(path)
    connection.execute(sql)
    connection.commit()
    connection.close()


def test_a_value_the_model_rejects(saved: Path) -> None:
    write_directly(saved, "UPDATE steps SET pca = 500 WHERE id = 's3' AND position = 2")
    error = expect_open_error(saved, "damaged file", "pca", "500")
    assert "Freigabe" in error.reason


def test_a_kaizen_value_the_model_rejects(saved: Path) -> None:
    write_directly(saved, "UPDATE kaizens SET waste = 'boredom' WHERE id = 'k1'")
    expect_open_error(saved, "damaged file", "Automatisieren ✓", "waste", "boredom")


def test_a_flow_to_a_missing_step(saved: Path) -> None:
    write_directly(saved, "DELETE FROM steps WHERE id = 's9'")  # foreign keys are off here
    expect_open_error(saved, "damaged file")


def test_an_empty_id(saved: Path) -> None:
    write_directly(saved, "UPDATE maps SET id = '' WHERE id = 'map-future'")
    expect_open_error(saved, "damaged file")


@pytest.mark.parametrize("sql, reason", [
    ("UPDATE steps SET id = '' WHERE id = 's1' AND map_id = 'map-future';"
     "UPDATE flows SET source = '' WHERE id = 'g1'; UPDATE flows SET target = '' WHERE id = 'g3'",
     "damaged file: a step of map 'Future state' has an empty id"),
    ("UPDATE flows SET id = '' WHERE id = 'g2'",
     "damaged file: a flow of map 'Future state' has an empty id"),
    ("UPDATE kaizens SET id = '' WHERE id = 'k2'",
     "damaged file: a kaizen of map 'Future state' has an empty id"),
    ("ALTER TABLE steps DROP COLUMN notes", "damaged file: column 'notes' is missing"),
    ("ALTER TABLE flows DROP COLUMN probability", "damaged file: column 'probability' is missing"),
    ("UPDATE steps SET people = -1 WHERE id = 's3' AND map_id = 'map-current'",
     "damaged file: step 'Freigabe': people cannot be negative"),
    ("UPDATE flows SET share = 0.0 WHERE id = 'f4'",
     "damaged file: flow 'Bau' -> 'Test': share must be more than 0 and at most 100, not 0"),
])
def test_rows_the_model_or_the_reader_refuse_are_named_exactly(saved: Path, sql: str,
                                                               reason: str) -> None:
    with closing(sqlite3.connect(saved)) as connection:
        connection.executescript(sql)
    assert expect_open_error(saved).reason == reason


def test_missing_project_row(saved: Path) -> None:
    write_directly(saved, "DELETE FROM project")
    expect_open_error(saved, "damaged file", "project")


def test_missing_table(saved: Path) -> None:
    write_directly(saved, "DROP TABLE flows")
    expect_open_error(saved, "damaged file")


def test_left_over_journal_of_an_interrupted_write(saved: Path, tmp_path: Path) -> None:
    """A copy taken mid-transaction has a hot journal: read-only opening must not roll it back."""
    copy = tmp_path / "copy"
    copy.mkdir()
    connection = sqlite3.connect(saved, isolation_level=None)
    try:
        connection.execute("PRAGMA cache_size = 1")  # spill the changes into the file itself
        connection.execute("BEGIN")
        connection.execute("UPDATE steps SET notes = hex(randomblob(2000))")
        for name in (saved.name, saved.name + "-journal"):
            (copy / name).write_bytes((saved.parent / name).read_bytes())
        connection.execute("ROLLBACK")
    finally:
        connection.close()
    journal = copy / (saved.name + "-journal")
    before = digest(journal)
    expect_open_error(copy / saved.name, "damaged file", "-journal")
    assert digest(journal) == before


def test_opening_never_changes_a_valid_file(saved: Path) -> None:
    before = digest(saved), saved.stat().st_mtime_ns
    open_project(saved)
    assert (digest(saved), saved.stat().st_mtime_ns) == before
    assert [p.name for p in saved.parent.iterdir()] == [saved.name]


# ---------------------------------------------------------------- fuzzing


def page_headers(size: int) -> st.SearchStrategy[int]:
    """Positions near the start of a page, where the b-tree structure lives."""
    return st.builds(lambda page, offset: min(page * 4096 + offset, size - 1),
                     st.integers(0, size // 4096), st.integers(0, 120))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_files_open_or_fail_cleanly(data: st.DataObject) -> None:
    original = valid_bytes()
    size = len(original)
    position = st.one_of(st.integers(0, size - 1), page_headers(size))
    mutations = data.draw(st.lists(st.tuples(position, st.integers(0, 255)), min_size=1, max_size=8))
    cut = data.draw(st.one_of(st.none(), st.integers(0, size)))
    mutated = bytearray(original)
    for index, value in mutations:
        mutated[index] = value
    content = bytes(mutated if cut is None else mutated[:cut])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzzed.vsm"
        path.write_bytes(content)
        try:
            result = open_project(path)
        except FileFormatError as error:
            assert path.name in str(error)
        else:
            assert isinstance(result, Project)
        assert path.read_bytes() == content
