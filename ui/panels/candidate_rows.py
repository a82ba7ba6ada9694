"""The rows of the Automation candidates list: a small list model over a Python list.

A QListWidget made one QListWidgetItem per row, in Python: filling 4,000 candidates took
0.1-0.3 s (so it was filled a slice per turn), and clearing them again, when a new analysis
came, took 8 ms at 5,000 steps and more above, in the very turn the analysis arrived. Here the
rows stay a Python list the view reads when it paints or lays out a row: replacing them all is
one model reset whatever their number, and the view lays them out in batches
(QListView.LayoutMode.Batched), as it did.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt

STEP_ID_ROLE = Qt.ItemDataRole.UserRole  # a candidate's step id; a note row has none
Row = tuple[str | None, str]  # (step id, or None for a note; the text shown)
Index = QModelIndex | QPersistentModelIndex


class CandidateRows(QAbstractListModel):
    """The candidates (step id, text) and the notes shown with them, in the list's order."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Row] = []

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        step_id, text = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return text
        if role == STEP_ID_ROLE:
            return step_id
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled
                | Qt.ItemFlag.ItemNeverHasChildren)

    def replace(self, rows: list[Row]) -> None:
        """Show `rows` instead of those shown: one reset, however many rows either has."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def texts(self) -> list[str]:
        """The rows' texts, in order."""
        return [text for _step_id, text in self._rows]

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
