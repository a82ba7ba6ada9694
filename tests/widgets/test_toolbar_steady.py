"""The toolbar does not jump while people work: Undo and Redo keep their width."""

from __future__ import annotations

from PySide6.QtWidgets import QToolButton


def test_undo_and_redo_buttons_keep_their_text_and_width(window, qtbot):
    toolbar = window.menu_actions.toolbar
    undo_button = toolbar.widgetForAction(window.menu_actions.undo)
    assert isinstance(undo_button, QToolButton)
    before = (undo_button.text(), undo_button.sizeHint().width())
    view = window.current_view()
    view.add_step_in_view(name="Log the request")
    qtbot.wait(10)
    assert window.menu_actions.undo.text() == "&Undo Add step"  # the menu names the edit
    assert (undo_button.text(), undo_button.sizeHint().width()) == before == ("Undo", before[1])
    assert undo_button.toolTip() == "Undo Add step"
    window.document.undo_stack.undo()
    redo_button = toolbar.widgetForAction(window.menu_actions.redo)
    assert redo_button.text() == "Redo" and redo_button.toolTip() == "Redo Add step"
