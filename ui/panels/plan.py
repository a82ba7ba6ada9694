"""The improvement plan: every kaizen burst of the project in one sortable table.

View > Improvement Plan shows it as a dock. Rows come from vsm.model.kaizen.improvement_plan (soonest
due first until a header is clicked); the expected saving sorts by minutes and the due date puts
"no date" last, not by their text. The table follows every map of the document and refreshes on
the next turn of the event loop after a kaizen (or a step or map name it shows) changes.
Double-clicking a row asks the window to show that map with the kaizen selected. "Export CSV…"
writes the rows in the order shown with vsm.model.kaizen.write_plan_csv.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.document.document import Document
from vsm.analysis.plan import PlanRow, improvement_plan
from vsm.errors import FileFormatError
from vsm.export.plan_csv import write_plan_csv
from vsm.model import ValueStreamMap
from vsm.model.durations import format_duration
from vsm.model.events import (
    BatchEnded,
    KaizenAdded,
    KaizenChanged,
    KaizenRemoved,
    MapChanged,
    StepAdded,
    StepChanged,
    StepRemoved,
    step_changes,
)
from vsm.model.kaizen import KAIZEN_STATUSES, WASTES

COLUMNS = ("Map", "Improvement", "Step", "Waste", "Owner", "Due", "Status", "Expected saving")
SORT_ROLE = Qt.ItemDataRole.UserRole
ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the PlanRow
STATUS_ORDER = {key: number for number, key in enumerate(KAIZEN_STATUSES)}
RELEVANT = (KaizenAdded, KaizenRemoved, KaizenChanged, StepAdded, StepRemoved, MapChanged)

_NAME = frozenset({"name"})  # the step field a plan shows (its steps' names)


def _names_plan(event: object) -> bool:
    """Whether a model event may change the plan's rows (a kaizen, a step's name...)."""
    return isinstance(event, RELEVANT) or (isinstance(event, StepChanged)
                                           and event.field == "name")


class PlanModel(QAbstractTableModel):
    """The plan rows as a read-only table; SORT_ROLE gives each cell's sort key."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[PlanRow] = []

    def set_rows(self, rows: list[PlanRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = self.rows[index.row()], COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == SORT_ROLE:
            return self._sort_key(row, column)
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.description or row.title
        if role == Qt.ItemDataRole.TextAlignmentRole and column == "Expected saving":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    @staticmethod
    def _text(row: PlanRow, column: str) -> str:
        return {
            "Map": row.map_name, "Improvement": row.title, "Step": row.step_name or "(free)",
            "Waste": WASTES.get(row.waste, row.waste), "Owner": row.owner or "–",
            "Due": row.due or "–", "Status": KAIZEN_STATUSES.get(row.status, row.status),
            "Expected saving": format_duration(row.expected_saving_minutes),
        }[column]

    @staticmethod
    def _sort_key(row: PlanRow, column: str) -> Any:
        if column == "Expected saving":
            return float(row.expected_saving_minutes)
        if column == "Due":
            return row.due or "9999-12-31"  # no date sorts after every date
        if column == "Status":
            return STATUS_ORDER.get(row.status, len(STATUS_ORDER))
        return PlanModel._text(row, column).casefold()


class MapsFollower:
    """Keeps `listener` subscribed to a list of maps; `follow([])` drops every subscription."""

    def __init__(self, listener: Callable[[object], None]) -> None:
        self.maps: list[ValueStreamMap] = []
        self._listener = listener

    def follow(self, maps: list[ValueStreamMap]) -> None:
        for map_ in self.maps:
            map_.unsubscribe(self._listener)
        self.maps = list(maps)
        for map_ in self.maps:
            map_.subscribe(self._listener, gathered=True)  # a batch's events at its end


class PlanView(QWidget):
    """The plan table with its Export button; `set_document` follows a document."""

    kaizen_activated = Signal(str, str)  # map id, kaizen id

    def __init__(self, document: Document | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document: Document | None = None
        self._follower = MapsFollower(self._on_map_event)
        follower = self._follower  # not self: the widget is gone when `destroyed` arrives
        self.destroyed.connect(lambda *_: follower.follow([]))
        self.model = PlanModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.proxy.setDynamicSortFilter(True)
        self.table = QTableView()
        self.table.setObjectName("plan_table")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # the plan's own order first
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COLUMNS.index("Improvement"), QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        self.table.doubleClicked.connect(self._activate)
        self.table.setToolTip("Double-click a row to show the kaizen on its map. "
                              "Click a header to sort.")
        self.summary = QLabel()
        self.export_button = QPushButton("&Export CSV…")
        self.export_button.setToolTip("Save the plan, in the order shown, as a CSV file")
        self.export_button.clicked.connect(self.export_csv)
        bar = QHBoxLayout()
        bar.addWidget(self.summary, 1)
        bar.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(bar)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.refresh)
        if document is not None:
            self.set_document(document)

    # ------------------------------------------------------------ following the document

    def set_document(self, document: Document | None) -> None:
        """Show the plan of another document (None: nothing)."""
        if self.document is not None:
            try:
                self.document.maps_changed.disconnect(self._on_maps_changed)
            except (RuntimeError, TypeError):
                pass
        self.document = document
        if document is not None:
            document.maps_changed.connect(self._on_maps_changed)
        self._on_maps_changed()

    def _on_maps_changed(self) -> None:
        self._follower.follow(self.document.project.maps if self.document is not None else [])
        self.refresh()

    def _on_map_event(self, event: object) -> None:
        if isinstance(event, BatchEnded):  # a delete of thousands of steps: one look a kind
            kinds = set(map(type, event.events))
            if any(issubclass(kind, RELEVANT) for kind in kinds) or (
                    StepChanged in kinds and step_changes(event.events, _NAME)):
                self._timer.start()
        elif _names_plan(event):
            self._timer.start()

    def refresh(self) -> None:
        """Read the plan from the project again."""
        self._timer.stop()
        rows = improvement_plan(self.document.project) if self.document is not None else []
        self.model.set_rows(rows)
        total = sum(row.expected_saving_minutes for row in rows)
        self.summary.setText(f"{len(rows)} improvement{'s' if len(rows) != 1 else ''}, "
                             f"expected saving {format_duration(total)} in all" if rows else
                             "No kaizen bursts yet: add them to a map (Edit > Add Kaizen Burst, "
                             "or from a step to change).")
        self.export_button.setEnabled(bool(rows))

    def shown_rows(self) -> list[PlanRow]:
        """The rows in the order shown."""
        return [self.proxy.index(r, 0).data(ROW_ROLE) for r in range(self.proxy.rowCount())]

    # ------------------------------------------------------------ actions

    def _activate(self, index: QModelIndex) -> None:
        row = index.data(ROW_ROLE)
        if row is not None:
            self.kaizen_activated.emit(row.map_id, row.kaizen_id)

    def export_csv(self) -> bool:
        """Ask for a file and write the rows shown as CSV; errors are shown naming the file."""
        if self.document is None:
            return False
        document = self.document
        folder = document.path.parent if document.path else Path.home()
        suggested = folder / f"{document.project.name} - improvement plan.csv"
        name, _ = QFileDialog.getSaveFileName(self, "Export improvement plan", str(suggested),
                                              "CSV files (*.csv)")
        if not name:
            return False
        path = Path(name)
        if path.suffix.lower() != ".csv":
            path = path.with_name(path.name + ".csv")
        try:
            write_plan_csv(self.shown_rows(), path)
        except FileFormatError as error:
            QMessageBox.critical(self, "Export improvement plan",
                                 f"The plan could not be written to {path}:\n{error.reason}")
            return False
        self.summary.setText(f"Exported {self.proxy.rowCount()} rows to {path.name}")
        return True
