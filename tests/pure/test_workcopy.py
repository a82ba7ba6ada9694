"""Working copies: where they live, what the sidecar says, and which are orphans to recover."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from contextlib import closing
from dataclasses import replace
from pathlib import Path

import pytest

from vsm.errors import FileFormatError
from vsm.files import working_copies as workcopy
from vsm.files.locks import this_process
from vsm.files.working_copies import WorkingCopy, list_working_copies, orphans, working_copies_dir
from vsm.model import Project, Step, ValueStreamMap


def project(name: str = "Change") -> Project:
    map_ = ValueStreamMap("Current state")
    map_.add_step(Step("Assess", wait_time=30))
    return Project(name, [map_])


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def left_by_dead_process(directory: Path, original: Path | None = None) -> WorkingCopy:
    """A working copy as a crashed editor leaves it."""
    copy = WorkingCopy.new(original, directory=directory)
    copy.write(project(), original, "2026-03-01T10:20:30+01:00")
    copy.owner = replace(copy.owner, pid=dead_pid(), process_start=None)
    copy._write_sidecar()
    return copy


def test_the_folder_is_in_the_users_data_directory(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv(workcopy.ENV_VAR, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    if sys.platform.startswith("linux"):
        assert working_copies_dir() == tmp_path / "xdg" / "VSM Studio" / "working-copies"
    assert working_copies_dir().parts[-2:] == ("VSM Studio", "working-copies")
    monkeypatch.setenv(workcopy.ENV_VAR, str(tmp_path / "override"))
    assert working_copies_dir() == tmp_path / "override" / "working-copies"


def test_write_creates_the_database_and_the_sidecar(tmp_path) -> None:
    original = tmp_path / "docs" / "Change.vsm"
    copy = WorkingCopy.new(original, directory=tmp_path / "wc")
    assert not copy.exists and not (tmp_path / "wc").exists()  # nothing until the first write
    saved = project()
    copy.write(saved, original, "2026-03-01T10:20:30+01:00")
    assert copy.load() == saved
    with closing(sqlite3.connect(copy.database)) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    sidecar = json.loads(copy.sidecar.read_text())
    assert sidecar["original_path"] == str(original)
    assert sidecar["project_name"] == "Change"
    assert sidecar["last_edit"] == "2026-03-01T10:20:30+01:00"
    assert {"pid", "host", "started"} <= set(sidecar)
    assert sorted(p.name for p in copy.directory.iterdir()) == [f"{copy.id}.json", f"{copy.id}.vsm"]
    read = WorkingCopy.read(copy.sidecar)
    assert (read.id, read.original, read.name, read.owner) == (copy.id, original, "Change",
                                                               copy.owner)
    assert read.display_name == "Change.vsm"
    assert read.last_edit_text[:4] == "2026" and len(read.last_edit_text) == 19


def test_an_untitled_working_copy_is_named_after_the_project(tmp_path) -> None:
    copy = WorkingCopy.new(directory=tmp_path)
    copy.write(project("My stream"))
    assert json.loads(copy.sidecar.read_text())["original_path"] is None
    assert WorkingCopy.read(copy.sidecar).display_name == "My stream"


def test_remove_deletes_everything_including_crash_leftovers(tmp_path) -> None:
    copy = WorkingCopy.new(directory=tmp_path)
    copy.write(project())
    (tmp_path / f".{copy.id}.vsm.1234abcd.tmp").write_bytes(b"half")
    (tmp_path / f".{copy.id}.vsm.1234abcd.tmp-journal").write_bytes(b"half")
    other = WorkingCopy.new(directory=tmp_path)
    other.write(project())
    copy.remove()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [other.database.name, other.sidecar.name])
    copy.remove()  # twice is harmless


def test_a_failed_write_is_our_error_and_keeps_the_previous_copy(tmp_path, monkeypatch) -> None:
    copy = WorkingCopy.new(directory=tmp_path)
    copy.write(project("First"))
    monkeypatch.setattr("vsm.files.vsm_file.os.replace",
                        lambda *a: (_ for _ in ()).throw(OSError(28, "No space left on device")))
    with pytest.raises(FileFormatError, match="disk full"):
        copy.write(project("Second"))
    assert copy.load().name == "First"


def test_a_data_folder_that_cannot_be_created_is_our_error(tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    copy = WorkingCopy.new(directory=blocker / "wc")
    with pytest.raises(FileFormatError, match="working copies"):
        copy.write(project())


def test_orphans_are_the_copies_of_dead_processes_on_this_computer(tmp_path) -> None:
    live = WorkingCopy.new(directory=tmp_path)
    live.write(project("Live"))
    dead = left_by_dead_process(tmp_path, tmp_path / "a.vsm")
    elsewhere = left_by_dead_process(tmp_path)
    elsewhere.owner = replace(elsewhere.owner, host="another-laptop")
    elsewhere._write_sidecar()
    assert {c.id for c in list_working_copies(tmp_path)} == {live.id, dead.id, elsewhere.id}
    found = orphans(tmp_path)
    assert [c.id for c in found] == [dead.id]
    assert found[0].original == tmp_path / "a.vsm"


def test_orphans_are_sorted_newest_edit_first(tmp_path) -> None:
    older = left_by_dead_process(tmp_path)
    newer = left_by_dead_process(tmp_path)
    newer.last_edit = "2026-03-02T08:00:00+01:00"
    newer._write_sidecar()
    assert [c.id for c in orphans(tmp_path)] == [newer.id, older.id]


def test_an_orphan_sidecar_without_database_is_cleaned_up(tmp_path) -> None:
    copy = left_by_dead_process(tmp_path)
    copy.database.unlink()
    assert orphans(tmp_path) == []
    assert list(tmp_path.iterdir()) == []


def test_claiming_an_orphan_makes_it_ours(tmp_path) -> None:
    copy = left_by_dead_process(tmp_path)
    assert [c.id for c in orphans(tmp_path)] == [copy.id]
    copy.claim()
    assert orphans(tmp_path) == []
    assert WorkingCopy.read(copy.sidecar).owner.pid == this_process().pid


@pytest.mark.parametrize("content", [b"", b"{", b"[]", b'{"format": "vsm-working-copy"}',
                                     b'{"format": "vsm-working-copy", "version": 99}',
                                     b"\xff\xfe", b"[" * 100000])
def test_unreadable_sidecars_are_left_alone(tmp_path, content) -> None:
    (tmp_path / "junk.json").write_bytes(content)
    assert list_working_copies(tmp_path) == [] and orphans(tmp_path) == []
    assert (tmp_path / "junk.json").read_bytes() == content


def test_a_missing_folder_has_no_working_copies(tmp_path) -> None:
    assert list_working_copies(tmp_path / "nothing here") == []
