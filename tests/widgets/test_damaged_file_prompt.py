"""A .vsm file whose content does not match its checksum: the editor asks before opening it;
Cancel keeps the current document, Open Anyway opens what was read, and Save writes a fresh
checksum. The file is built here and changed with plain sqlite3."""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from vsm.errors import FileFormatError
from vsm.files.locks import lock_path
from vsm.files.vsm_file import ContentChanged, open_project, save_project
from vsm.model import Project, Step, ValueStreamMap


def sample() -> Project:
    map_ = ValueStreamMap("Current state")
    map_.add_step(Step("Assess", wait_time=1440, id="s1"))
    map_.add_step(Step("Build", wait_time=60, id="s2"))
    return Project("Change", [map_])


@pytest.fixture
def changed(tmp_path: Path) -> Path:
    """A saved file whose wait was changed outside VSM Studio: 1d became 3d 20h 16m."""
    path = tmp_path / "changed.vsm"
    save_project(sample(), path)
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("UPDATE steps SET wait_time = 5536 WHERE id = 's1'")
        connection.commit()
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_cancel_keeps_the_current_document_and_the_file(window, changed, monkeypatch):
    before, content = window.document, digest(changed)
    asked: list[FileFormatError] = []
    monkeypatch.setattr("ui.window.files.ask_open_anyway", lambda parent, error: asked.append(error) or False)
    assert not window.files.open_path(changed)
    assert window.document is before
    assert len(asked) == 1 and isinstance(asked[0], ContentChanged) and asked[0].path == changed
    assert digest(changed) == content and not lock_path(changed).exists()


def test_open_anyway_opens_what_was_read_and_save_writes_a_fresh_checksum(window, changed, monkeypatch):
    monkeypatch.setattr("ui.window.files.ask_open_anyway", lambda parent, error: True)
    assert window.files.open_path(changed)
    document = window.document
    assert document.path == changed and not document.read_only
    assert document.lock is not None and lock_path(changed).exists()
    assert document.project.maps[0].step("s1").wait_time == 5536
    with pytest.raises(ContentChanged):
        open_project(changed)  # opening alone never rewrites the file
    assert window.files.save()
    assert open_project(changed).maps[0].step("s1").wait_time == 5536


def test_other_bad_files_are_not_offered_to_open_anyway(window, tmp_path, monkeypatch):
    bad = tmp_path / "broken.vsm"
    bad.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    monkeypatch.setattr("ui.window.files.ask_open_anyway",
                        lambda parent, error: pytest.fail("asked to open anyway"))
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append(text))
    assert not window.files.open_path(bad)
    assert "broken.vsm" in shown[0]


def test_the_question_names_the_file_and_defaults_to_cancel(qtbot, changed, monkeypatch):
    seen: list[QMessageBox] = []

    def answer(box: QMessageBox) -> int:
        seen.append(box)
        return 0  # closed without choosing: the default button, Cancel

    monkeypatch.setattr(QMessageBox, "exec", answer)
    from ui.dialogs.damaged import ask_open_anyway

    with pytest.raises(ContentChanged) as caught:
        open_project(changed)
    assert not ask_open_anyway(None, caught.value)
    box = seen[0]
    assert box.text() == ("changed.vsm is damaged or changed outside VSM Studio: its content does "
                          "not match the checksum saved with it.")
    assert box.defaultButton() is box.escapeButton()
    assert box.defaultButton().text() != "Open &Anyway"
    assert "Open &Anyway" in [button.text() for button in box.buttons()]
