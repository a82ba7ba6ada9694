"""Autosave never fails silently: whatever goes wrong while the working copy is written, the
autosaver says so once (`failed`) and keeps a warning up (`warning_changed`) until a write works
again; and start-up recovery survives notes of working copies that no editor wrote."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from ui.dialogs.recovery import offer_recovery
from ui.document import autosave, processes
from ui.document.document import Document
from vsm.errors import FileFormatError
from vsm.files import working_copies
from vsm.files.working_copies import list_working_copies
from vsm.model import Project, Step, ValueStreamMap


def sample() -> Project:
    map_ = ValueStreamMap("Current state")
    map_.add_step(Step("Assess", id="s1"))
    return Project("Change", [map_])


def rename(document: Document, name: str) -> None:
    document.set_step_field(document.project.maps[0].id, "s1", "name", name)


@pytest.fixture
def document(qtbot, tmp_path):
    document = Document(sample())
    document.autosaver.copy.directory = tmp_path / "copies"
    yield document
    document.close()


class Recorder:
    def __init__(self, autosaver) -> None:
        self.failed: list[str] = []
        self.warnings: list[str] = []
        autosaver.failed.connect(self.failed.append)
        autosaver.warning_changed.connect(self.warnings.append)


BREAKAGES = [
    UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed"),  # a broken character
    RuntimeError("a bug in the writer"),
    MemoryError(),
    FileFormatError("/data/copies/c.vsm", "disk full"),
    PermissionError(13, "Permission denied"),
]


@pytest.mark.parametrize("error", BREAKAGES, ids=lambda e: type(e).__name__)
def test_every_failure_of_a_write_is_reported_and_the_warning_stays(document, monkeypatch, error):
    def broken(*_args, **_kwargs):
        raise error

    monkeypatch.setattr(working_copies, "save_project", broken)
    seen = Recorder(document.autosaver)
    rename(document, "A")
    document.autosaver.write_now()  # no exception escapes (it would in a timer's slot)
    assert len(seen.failed) == 1 and seen.failed[0]
    assert document.autosaver.failing
    assert seen.warnings == [document.autosaver.warning] and seen.warnings[0]
    assert "not protected" in seen.warnings[0] and seen.failed[0] in seen.warnings[0]
    rename(document, "B")
    document.autosaver.write_now()
    assert len(seen.failed) == 1 and len(seen.warnings) == 1  # once per run of failures
    monkeypatch.undo()
    rename(document, "C")
    document.autosaver.write_now()
    assert seen.warnings[-1] == "" and not document.autosaver.failing
    assert document.autosaver.copy.exists


def test_a_failure_in_the_timer_is_reported_too(document, monkeypatch, qtbot):
    monkeypatch.setattr(processes, "SEPARATE", False)  # the child would not see the broken save
    monkeypatch.setattr(working_copies, "save_project",
                        lambda *_a, **_k: (_ for _ in ()).throw(ValueError("bad value")))
    seen = Recorder(document.autosaver)
    rename(document, "A")
    qtbot.waitUntil(lambda: bool(seen.failed), timeout=5000)
    assert "ValueError: bad value" in seen.failed[0]


def test_the_warning_goes_when_nothing_is_left_to_protect(document, monkeypatch):
    monkeypatch.setattr(working_copies, "save_project",
                        lambda *_a, **_k: (_ for _ in ()).throw(OSError(28, "No space left")))
    seen = Recorder(document.autosaver)
    rename(document, "A")
    document.autosaver.write_now()
    assert document.autosaver.failing
    document.undo_stack.undo()  # back to the saved state: no edit to protect
    assert seen.warnings[-1] == "" and not document.autosaver.failing


def test_writing_is_tried_again_without_an_edit(document, monkeypatch, qtbot):
    monkeypatch.setattr(autosave, "RETRY_MS", 50)
    document = Document(sample())  # built after the patch: its retry timer takes 50 ms
    document.autosaver.copy.directory = Path(os.environ["XDG_DATA_HOME"]) / "copies"
    monkeypatch.setattr(working_copies, "save_project",
                        lambda *_a, **_k: (_ for _ in ()).throw(OSError(28, "No space left")))
    seen = Recorder(document.autosaver)
    rename(document, "A")
    document.autosaver.write_now()
    assert document.autosaver.failing
    monkeypatch.undo()  # the disk has room again
    qtbot.waitUntil(lambda: not document.autosaver.failing, timeout=5000)
    assert seen.warnings[-1] == "" and document.autosaver.copy.exists
    document.close()


def test_a_document_with_an_undecodable_file_name_is_protected(qtbot, tmp_path):
    path = tmp_path / os.fsdecode(b"caf\xe9.json")  # Latin-1 bytes: held as a surrogate
    document = Document(sample(), path)
    document.autosaver.copy.directory = tmp_path / "copies"
    seen = Recorder(document.autosaver)
    rename(document, "A")
    document.autosaver.write_now()
    assert seen.failed == [] and document.autosaver.copy.exists
    [copy] = list_working_copies(tmp_path / "copies")
    assert copy.original == path
    document.close()


def test_the_main_window_says_when_edits_are_not_protected(window, monkeypatch):
    monkeypatch.setattr(working_copies, "save_project",
                        lambda *_a, **_k: (_ for _ in ()).throw(RuntimeError("broken")))
    window.document.add_steps(window.document.project.maps[0].id, [Step("A")])
    window.document.autosaver.write_now()
    assert "Cannot keep a recovery copy" in window.statusBar().currentMessage()


# ---------------------------------------------------------------- start-up recovery


def damaged_note(directory: Path, **fields) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    data = {"format": "vsm-working-copy", "version": 1, "original_path": None,
            "project_name": "Change", "last_edit": "2026-03-01T09:20:00+01:00",
            "started": "2026-03-01T09:15:00+01:00", "host": socket.gethostname(),
            "user": "anna", "pid": 4242, "boot_id": None, "process_start": None, **fields}
    note = directory / "c0ffee.json"
    note.write_text(json.dumps(data))
    note.with_suffix(".vsm").write_bytes(b"edits")
    return note


def test_start_up_with_a_huge_pid_in_a_note_reports_the_copy_and_goes_on(qtbot, tmp_path,
                                                                         monkeypatch):
    note = damaged_note(tmp_path / "copies", pid=2**40)
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: shown.append(args[1:3]))
    assert offer_recovery(None, tmp_path / "copies") == []  # no OverflowError
    [(title, text)] = shown
    assert "damaged" in title and str(note.with_suffix(".vsm")) in text and "pid" in text
    assert note.exists() and note.with_suffix(".vsm").read_bytes() == b"edits"  # kept


def test_a_note_with_a_path_no_system_accepts_is_damaged_not_a_crash(qtbot, tmp_path,
                                                                     monkeypatch):
    damaged_note(tmp_path / "copies", pid=1, original_path="/a\x00b.vsm")
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: shown.append(args[1:3]))
    assert offer_recovery(None, tmp_path / "copies") == []
    assert "original_path" in shown[0][1]
