"""The step table's view: spreadsheet keys (Enter edits, and after an edit moves down; a refused
value reopens the editor with what was typed) and a column header with a selection of its own."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPersistentModelIndex, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QLineEdit,
    QTableView,
    QWidget,
)


class StepTableView(QTableView):
    """A QTableView with spreadsheet keys: Enter edits, and after an edit moves down."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        triggers = QAbstractItemView.EditTrigger
        self.setEditTriggers(triggers.AnyKeyPressed | triggers.EditKeyPressed
                             | triggers.DoubleClicked)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setTabKeyNavigation(True)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self._refused: tuple[QPersistentModelIndex, str] | None = None

    def setSelectionModel(self, selection: QItemSelectionModel) -> None:  # noqa: N802
        """The rows' selection; the column headers get one of their own that stays empty.
        Rows are selected, never columns, and a header sharing the rows' selection asks each
        cell of its columns whether it is selected at every paint (220,000 cells after a
        Select all of 20,000 steps)."""
        super().setSelectionModel(selection)
        header = self.horizontalHeader()
        header.setSelectionModel(QItemSelectionModel(self.model(), header))

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and self.state() != QAbstractItemView.State.EditingState:
            index = self.currentIndex()
            if index.isValid() and index.flags() & Qt.ItemFlag.ItemIsEditable:
                self.edit(index)
            elif index.isValid():
                self._move_down(index)
            return
        super().keyPressEvent(event)

    def commitData(self, editor: QWidget) -> None:  # noqa: N802 - Qt override
        model = self.model()
        model.last_error = ""
        text = editor.text() if isinstance(editor, QLineEdit) else None  # before any refresh
        super().commitData(editor)
        if getattr(model, "last_error", ""):
            self._refused = (QPersistentModelIndex(self.currentIndex()), text)

    def closeEditor(self, editor: QWidget,  # noqa: N802 - Qt override
                    hint: QAbstractItemDelegate.EndEditHint) -> None:
        refused, self._refused = self._refused, None
        if refused is not None and hint != QAbstractItemDelegate.EndEditHint.RevertModelCache:
            super().closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)
            QTimer.singleShot(0, lambda: self._edit_again(*refused))
            return
        super().closeEditor(editor, hint)
        if hint == QAbstractItemDelegate.EndEditHint.SubmitModelCache:
            self._move_down(self.currentIndex())

    def _edit_again(self, index: QPersistentModelIndex, text: str | None) -> None:
        """Reopen the editor of a refused edit with what was typed, so it can be corrected."""
        if not index.isValid():
            return
        current = self.model().index(index.row(), index.column())
        self.setCurrentIndex(current)
        self.edit(current)
        editor = self.indexWidget(current)
        if text is not None and isinstance(editor, QLineEdit):
            editor.setText(text)

    def _move_down(self, index: QModelIndex) -> None:
        below = index.sibling(index.row() + 1, index.column())
        if below.isValid():
            self.setCurrentIndex(below)
