"""The one atomic writer (vsm.files.atomic): every file the application writes goes through it."""

from __future__ import annotations

import os
import stat

import pytest

from vsm.errors import FileFormatError
from vsm.export.plan_csv import write_plan_csv
from vsm.files.atomic import atomic_file, write_atomically
from vsm.files.formats import save_project_any
from vsm.model import Project, ValueStreamMap


def test_a_link_is_followed_and_stays_a_link(tmp_path):
    real = tmp_path / "real.csv"
    real.write_text("old")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    write_plan_csv([], link)
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text(encoding="utf-8-sig").startswith("Map,Improvement")


def test_every_writer_follows_links_the_same_way(tmp_path):
    real = tmp_path / "project.json"
    real.write_text("{}")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    save_project_any(Project("P", [ValueStreamMap("M")]), link)
    assert link.is_symlink() and '"name": "P"' in real.read_text()


def test_several_files_are_written_all_or_nothing(tmp_path):
    first = tmp_path / "a.png"
    first.write_bytes(b"before")
    missing_folder = tmp_path / "gone" / "b.png"
    with pytest.raises(FileFormatError, match="b.png: cannot be written"):
        write_atomically([(first, b"after"), (missing_folder, b"after")])
    assert first.read_bytes() == b"before"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.png"]  # no temporary file left


def test_a_failure_inside_the_block_leaves_the_target_and_no_temporary(tmp_path):
    target = tmp_path / "plan.csv"
    target.write_text("kept")
    with pytest.raises(RuntimeError):
        with atomic_file(target, "w") as file:
            file.write("half")
            raise RuntimeError("the writer failed")
    assert target.read_text() == "kept"
    assert [p.name for p in tmp_path.iterdir()] == ["plan.csv"]


def test_the_replaced_file_keeps_its_permissions_and_a_folder_is_refused(tmp_path):
    target = tmp_path / "plan.csv"
    target.write_text("x")
    target.chmod(0o640)
    write_plan_csv([], target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    (tmp_path / "folder.csv").mkdir()
    with pytest.raises(FileFormatError, match="folder.csv: cannot write here: a folder has that name"):
        write_plan_csv([], tmp_path / "folder.csv")
