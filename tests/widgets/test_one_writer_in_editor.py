"""The one writer in the editor: Save As, File > Export (deck and pictures), the A3 report and
the plan's CSV refuse a read-only file with a message naming it, leave the file and the
document as they were, and write through a symbolic link, which stays a link.

(A file with no write permission at all is refused whoever runs the editor, root included,
which is how these tests can run as root; vsm.files.atomic and tests/pure/test_one_writer.py
cover a file this user may not write.)
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from ui.dialogs.export import ExportOptions
from ui.document.document import Document
from ui.window.exports import export_a3_report, run_export
from vsm.files.vsm_file import open_project, save_project
from vsm.model import Flow, Kaizen, Project, Step, ValueStreamMap

OLD = b"the old content"


def sample() -> Project:
    map_ = ValueStreamMap("Current state", id="current")
    map_.add_step(Step("Assess", wait_time=30, process_time=10, id="a"))
    map_.add_step(Step("Build", wait_time=60, process_time=20, id="b"))
    map_.add_flow(Flow("a", "b"))
    map_.add_kaizen(Kaizen("Automate the build", step_id="b", id="k"))
    return Project("Change", [map_])


@pytest.fixture
def errors(monkeypatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append(text))
    return shown


@pytest.fixture
def edited(make_window, tmp_path):
    """A window on a saved document with one unsaved edit."""
    path = tmp_path / "change.vsm"
    save_project(sample(), path)
    window = make_window(Document.open(path))
    window.document.set_step_field("current", "a", "name", "Assess again")
    assert window.document.modified
    return window


def read_only(path: Path) -> Path:
    path.write_bytes(OLD)
    path.chmod(0o444)
    return path


def temporaries(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if ".tmp" in p.name]


def test_save_as_onto_a_read_only_file_is_refused_and_the_document_stays(edited, tmp_path,
                                                                          monkeypatch, errors):
    target = read_only(tmp_path / "locked down.vsm")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    assert not edited.files.save_as()
    assert len(errors) == 1 and "locked down.vsm" in errors[0] and "read-only" in errors[0]
    assert target.read_bytes() == OLD and stat.S_IMODE(target.stat().st_mode) == 0o444
    assert edited.document.modified and edited.document.path == tmp_path / "change.vsm"
    assert temporaries(tmp_path) == []
    assert not (tmp_path / ".~lock.locked down.vsm#").exists()  # its lock given back


def test_save_as_through_a_link_replaces_the_file_it_points_to(edited, tmp_path, monkeypatch):
    (tmp_path / "real").mkdir()
    real = tmp_path / "real" / "shared.vsm"
    save_project(Project("Old"), real)
    link = tmp_path / "link.vsm"
    link.symlink_to(real)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(link), ""))
    assert edited.files.save_as()
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert open_project(real).maps[0].step("a").name == "Assess again"
    assert not edited.document.modified
    assert temporaries(tmp_path) == [] and temporaries(real.parent) == []


@pytest.mark.parametrize("format_, name", [("pptx", "deck.pptx"), ("png", "map.png"),
                                          ("svg", "map.svg"), ("pdf", "maps.pdf")])
def test_every_export_refuses_a_read_only_file(edited, tmp_path, errors, format_, name):
    target = read_only(tmp_path / name)
    assert run_export(edited, ExportOptions(format_, ["current"], 800, target)) == []
    assert len(errors) == 1 and name in errors[0] and "read-only" in errors[0]
    assert target.read_bytes() == OLD and temporaries(tmp_path) == []


def test_the_a3_report_and_the_plan_refuse_a_read_only_file(edited, tmp_path, monkeypatch,
                                                            errors):
    report = read_only(tmp_path / "report.pdf")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(report), ""))
    assert export_a3_report(edited) is None
    plan = read_only(tmp_path / "plan.csv")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(plan), ""))
    assert edited.plan.export_csv() is False
    assert len(errors) == 2 and "read-only" in errors[0] and "read-only" in errors[1]
    assert report.read_bytes() == OLD and plan.read_bytes() == OLD
    assert temporaries(tmp_path) == []
