"""Every action of the menus and the toolbar runs on the bundled example without an error, its
dialogs answered (Cancel for files and dialogs, "Renamed" for a map's name), and the edits among
them reach the undo stack as one command each."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QFileDialog, QInputDialog, QMessageBox

from vsm.files.bundled import default_example


def test_every_action_runs(window, qtbot, monkeypatch):
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: ("", ""))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: ("", ""))
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Renamed", True))
    monkeypatch.setattr(QDialog, "exec", lambda self: QDialog.DialogCode.Rejected)
    assert window.files.open_path(default_example())
    actions = [action for name, action in vars(window.menu_actions).items()
               if hasattr(action, "trigger") and name not in ("quit", "new")]
    assert len(actions) >= 40
    for action in actions:
        scene = window.current_view().scene()
        scene.select_steps([scene.map.steps[0].id] if scene.map.steps else [])
        action.trigger()
        qtbot.wait(1)  # an exception in the action's slot fails the test (pytest-qt)
        window.presentation.leave()
    stack = window.document.undo_stack
    done = [stack.text(index) for index in range(stack.count())]
    for edit in ("Cut", "Paste", "Duplicate", "Delete step", "Add step", "Append step",
                 "Auto-layout", "Add kaizen burst", "New map", "Duplicate map", "Change map name",
                 "Create future state"):
        assert edit in done, (edit, done)
    window.menu_actions.new.trigger()  # Discard: a blank document with one empty map
    assert [m.steps for m in window.document.project.maps] == [[]]
