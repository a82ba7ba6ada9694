"""A new value stream can be named in the editor: File > Rename Value Stream… and the Title
field of the properties pane; one undo step; the window, the save dialog and the deck follow."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog, QInputDialog


def test_file_rename_value_stream_names_the_document_and_undo_restores(window, monkeypatch):
    document = window.document
    assert document.project.name == "Untitled value stream"
    monkeypatch.setattr(QInputDialog, "getText",
                        lambda *a, **k: ("  Onboard a new starter  ", True))
    window.menu_actions.rename_stream.trigger()
    assert document.project.name == "Onboard a new starter"  # trimmed
    assert window.windowTitle().startswith("Onboard a new starter")
    assert document.undo_stack.undoText() == "Rename value stream"
    title = window.properties.map_fields["project_name"].editor
    assert title.text() == "Onboard a new starter"
    suggested = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: suggested.append(a[2]) or ("", ""))
    window.files.save_as()
    assert suggested[0].endswith("Onboard a new starter.vsm")
    document.undo_stack.undo()
    assert document.project.name == "Untitled value stream"
    assert title.text() == "Untitled value stream"  # the pane follows the undo
    assert window.windowTitle().startswith("Untitled value stream")


def test_the_title_field_renames_in_one_step(window, qtbot):
    title = window.properties.map_fields["project_name"].editor
    count = window.document.undo_stack.count()
    title.setFocus()
    title.selectAll()
    QTest.keyClicks(title, "Restore a live service")
    QTest.keyClick(title, Qt.Key.Key_Return)
    assert window.document.project.name == "Restore a live service"
    assert window.document.undo_stack.count() == count + 1
    title.selectAll()
    QTest.keyClicks(title, "   ")
    QTest.keyClick(title, Qt.Key.Key_Return)  # an empty name is refused, the old one stays
    assert window.document.project.name == "Restore a live service"
    assert window.document.undo_stack.count() == count + 1
