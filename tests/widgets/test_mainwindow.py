"""The main window as a user drives it: files, title, prompts, maps as tabs, keyboard capture."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QFileDialog, QMessageBox

from vsm.files.bundled import default_example
from vsm.files.formats import load_project
from vsm.files.vsm_file import open_project

Button = QMessageBox.StandardButton




def test_opens_the_example_and_shows_its_map(window, qtbot):
    assert window.files.open_path(default_example())
    project = window.document.project
    assert window.windowTitle() == "restore-a-live-service.json[*] — VSM Studio"
    assert window.tabs.count() == len(project.maps)
    view = window.current_view()
    assert set(view.scene().item_for_step) == {s.id for s in project.maps[0].steps}
    qtbot.waitUntil(lambda: "–" not in window.metrics.lead_time_text())


def test_edit_marks_modified_and_save_as_writes_a_vsm_file(window, qtbot, tmp_path, monkeypatch):
    window.files.open_path(default_example())
    map_ = window.current_map()
    step = map_.steps[0]
    window.document.set_step_field(map_.id, step.id, "name", "Renamed in test")
    assert window.isWindowModified()
    target = tmp_path / "saved.vsm"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    assert window.files.save()  # a .json document asks where to save as .vsm
    assert not window.isWindowModified()
    assert window.windowTitle() == "saved.vsm[*] — VSM Studio"
    assert open_project(target).maps[0].step(step.id).name == "Renamed in test"
    # Undo after saving makes it modified again; the saved file is unchanged.
    window.document.undo_stack.undo()
    assert window.isWindowModified()


@pytest.mark.parametrize("answer, closes, saved", [
    (Button.Cancel, False, False), (Button.Discard, True, False), (Button.Save, True, True)])
def test_closing_a_modified_document_asks(window, tmp_path, monkeypatch, answer, closes, saved):
    target = tmp_path / "doc.vsm"
    window.document.save(target)
    map_ = window.current_map()
    window.add_step()
    window.current_view().scene().clearFocus()
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a) or answer)
    assert window.close() is closes
    assert len(asked) == 1
    assert (len(open_project(target).maps[0].steps) == 1) is saved
    assert map_ is not None


def test_a_bad_file_is_reported_and_the_document_kept(window, tmp_path, monkeypatch):
    bad = tmp_path / "broken.vsm"
    bad.write_bytes(b"this is not a value stream")
    before = window.document
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append(text))
    assert not window.files.open_path(bad)
    assert window.document is before
    assert "broken.vsm" in shown[0] and "not a value-stream file" in shown[0]
    assert bad.read_bytes() == b"this is not a value stream"


def test_dropping_a_file_opens_it(window):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(default_example()))])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)
    assert window.document.path == default_example()


def test_maps_as_tabs_with_undo(window, monkeypatch):
    window.new_map()
    assert window.tabs.count() == 2 and window.current_map().name == "Map 2"
    window.duplicate_current_map()
    assert window.tabs.count() == 3 and window.current_map().name == "Map 2 (copy)"
    window.delete_current_map()
    assert window.tabs.count() == 2
    window.document.undo_stack.undo()  # the deleted map comes back, and is shown
    assert window.tabs.count() == 3 and window.current_map().name == "Map 2 (copy)"
    monkeypatch.setattr("ui.window.main_window.QInputDialog.getText", lambda *a, **k: ("Target", True))
    window.rename_current_map()
    assert window.tabs.tabText(window.tabs.currentIndex()) == "Target"


def test_keyboard_capture_of_a_linear_stream(window, qtbot):
    view = window.current_view()
    view.setFocus()
    for name in ("Log", "Triage", "Fix"):
        window.menu_actions.append_step.trigger()
        qtbot.keyClicks(view.focusWidget() or view, name)
        qtbot.keyClick(view.focusWidget() or view, Qt.Key.Key_Return)
    map_ = window.current_map()
    assert [s.name for s in map_.steps] == ["Log", "Triage", "Fix"]
    assert [(map_.step(f.source).name, map_.step(f.target).name) for f in map_.flows] == [
        ("Log", "Triage"), ("Triage", "Fix")]


def test_recent_files_are_remembered(window, tmp_path):
    target = tmp_path / "r.vsm"
    window.document.save(target)
    window.files.open_path(target)
    texts = [a.text() for a in window.menu_actions.recent_menu.actions()]
    assert any(str(target.resolve()) in t for t in texts)


def test_example_has_the_figures_of_the_report():
    # The window shows what the CLI reports: both come from the same analysis.
    project = load_project(default_example())
    assert project.maps and Path(default_example()).exists()
