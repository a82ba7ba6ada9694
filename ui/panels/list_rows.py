"""A list view's rows kept as a Python list: a small list model, replaced in one reset.

A QListWidget makes one QListWidgetItem per row, from Python: filling 4,000 automation
candidates took 0.1-0.3 s (so they were added a slice per turn), and clearing them again, when
a new analysis came, 8 ms at 5,000 steps (40 ms at 18,000 rows), in the very turn the analysis
arrived; the problems of a map of 5,000 lone steps took 112 ms to list again after every edit.
Here the rows stay a list of (key, text) the view reads when it lays out or paints a row:
replacing them all is one model reset whatever their number, and a view in
QListView.LayoutMode.Batched lays them out a batch per turn. A subclass gives the rows an icon,
a tooltip or makes some of them unselectable (`icon`, `tooltip`, `selectable`).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QIcon

KEY_ROLE = Qt.ItemDataRole.UserRole  # a row's key: a step id, a problem's number; None: a note
Key = str | int | None
Row = tuple[Key, str]  # (key, the text shown)
Index = QModelIndex | QPersistentModelIndex
_SELECTABLE = (Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled
               | Qt.ItemFlag.ItemNeverHasChildren)
_UNSELECTABLE = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemNeverHasChildren


class ListRows(QAbstractListModel):
    """The rows (key, text) of a list, in its order."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Row] = []

    def icon(self, row: Row) -> QIcon | None:
        """The icon before the row's text (none here)."""
        return None

    def tooltip(self, row: Row) -> str | None:
        """The row's tooltip (none here)."""
        return None

    def selectable(self, row: Row) -> bool:
        """Whether the row can be selected (every row here)."""
        return True

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return row[1]
        if role == KEY_ROLE:
            return row[0]
        if role == Qt.ItemDataRole.DecorationRole:
            return self.icon(row)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(row)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return Qt.ItemFlag.NoItemFlags
        return _SELECTABLE if self.selectable(self._rows[index.row()]) else _UNSELECTABLE

    def replace(self, rows: Sequence[Row]) -> None:
        """Show `rows` instead of those shown: one reset, however many rows either has."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def texts(self) -> list[str]:
        """The rows' texts, in order."""
        return [text for _key, text in self._rows]

    def first_text(self) -> str | None:
        """The first row's text; None when there is no row."""
        return self._rows[0][1] if self._rows else None

    def put_first(self, text: str) -> None:
        """A note above the rows shown (they stay as they are)."""
        self.beginInsertRows(QModelIndex(), 0, 0)
        self._rows.insert(0, (None, text))
        self.endInsertRows()

    def drop_first(self) -> None:
        """Take away the first row (the note put_first() put there)."""
        if self._rows:
            self.beginRemoveRows(QModelIndex(), 0, 0)
            del self._rows[0]
            self.endRemoveRows()
