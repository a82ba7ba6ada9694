"""The step table: every step of the map as a row, edited like a spreadsheet.

StepTableModel mirrors the map through its events (one row inserted or removed per StepAdded /
StepRemoved at the event's index, dataChanged for one StepChanged: never a reset for an edit) and
turns an edit into one SetStepFieldCommand. A value the model refuses is not pushed: the message
appears under the table and on the cell's tooltip, and the editor opens again with the typed text.

Keyboard: typing starts editing, F2 or Enter edits, Enter commits and moves down, Tab and
Shift+Tab move between cells, Escape cancels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QLineEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.document.document import Document
from ui.panels.column_widths import PADDING, ColumnFitter
from ui.panels.common import (
    FollowsAnalysis,
    InlineError,
    MapSubscription,
    duration_text,
    exact_minutes,
)
from ui.panels.measured_cells import MEASURED_COLUMNS, measured_cell, show_measured_columns
from vsm.analysis import FLAG_LABELS, MapAnalysis
from vsm.analysis.flags import PCA_MEANING
from vsm.model import (
    ACTIVITIES,
    PERFORMERS,
    ModelError,
    Step,
    StepAdded,
    StepChanged,
    StepRemoved,
    ValueStreamMap,
)
from vsm.model.durations import format_duration

Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column:
    """One column: the step field (or derived figure) it shows, and whether it can be edited."""

    key: str
    title: str
    editable: bool
    tip: str
    numeric: bool = False


COLUMNS = (
    Column("name", "Name", True, "The step's name"),
    Column("activity", "Activity", True, "ITIL 4 value chain activity"),
    Column("team", "Team", True, "Who does the step; handoffs are counted between teams"),
    Column("performer", "Performer", True, "Internal team, vendor, customer or automated"),
    Column("process_time", "Process time", True, "Hands-on time: minutes, or e.g. 1h 30m, 2d",
           True),
    Column("wait_time", "Wait time", True, "Queued before the step starts: minutes, or e.g. 2h",
           True),
    Column("lead_time", "Lead time", False, "The step's own lead time: wait + process", True),
    Column("pca", "%C&A", True, f"Percent complete and accurate: {PCA_MEANING} (1–100)", True),
    Column("people", "People", True, "People involved in the step", True),
    Column("cases", "Cases", False, "Measured: cases in the log (under 30: low confidence)", True),
    Column("visits", "Visits", False, "Measured: the step's visits in the event log", True),
    Column("saving", "Saving", False, "Lead time saved if this step's wait were removed", True),
    Column("flags", "Flags", False, "Why the analysis flags the step"),
)
COLUMN = {column.key: i for i, column in enumerate(COLUMNS)}
TIME_COLUMNS = ("process_time", "wait_time", "lead_time", "saving")
WIDEST_TIME = "00h 00m"  # the widest time most steps show
TEAM_SAMPLE = "Software asset management"  # the longest team of the bundled templates
FLAGS_SAMPLE = "Bottleneck, Long wait"  # the Flags column's width: two flags (all in the tooltip)
CHOICES = {"activity": ACTIVITIES, "performer": PERFORMERS}


class StepTableModel(FollowsAnalysis, QAbstractTableModel):
    """The steps of one map as rows; edits become SetStepFieldCommands on the document."""

    message = Signal(str)  # why the last edit was refused, or "" after an accepted one

    def __init__(self, document: Document | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document: Document | None = None
        self.map: ValueStreamMap | None = None
        self._ids: list[str] = []
        self._errors: dict[tuple[str, str], str] = {}
        self._shown: dict[str, tuple[float, tuple[str, ...]]] = {}  # saving, flags announced
        self._subscription = MapSubscription(self, self._on_map_event)
        self.last_error = ""
        if document is not None:
            self.set_document(document)

    # ------------------------------------------------------------ following the model

    def set_map(self, map_: ValueStreamMap | None) -> None:
        """Show another map's steps (a reset: the only one this model ever does)."""
        self.beginResetModel()
        self._subscription.switch(map_)
        self.map = map_
        self._ids = [s.id for s in map_.steps] if map_ is not None else []
        self._errors.clear()
        self._shown = {}
        self.endResetModel()

    def _on_map_event(self, event: object) -> None:
        if isinstance(event, StepAdded):
            self.beginInsertRows(QModelIndex(), event.index, event.index)
            self._ids.insert(event.index, event.step.id)
            self.endInsertRows()
        elif isinstance(event, StepRemoved):
            self.beginRemoveRows(QModelIndex(), event.index, event.index)
            del self._ids[event.index]
            self.endRemoveRows()
            self._errors = {k: v for k, v in self._errors.items() if k[0] != event.step.id}
        elif isinstance(event, StepChanged):
            self._step_changed(event.step, event.field)

    def _step_changed(self, step: Step, field: str) -> None:
        columns = [COLUMN[field]] if field in COLUMN else []
        if field in ("wait_time", "process_time"):
            columns.append(COLUMN["lead_time"])
        if field == "notes":
            columns.append(COLUMN["name"])  # notes are the name's tooltip
        if not columns:
            return
        self._errors.pop((step.id, field), None)
        row = self._ids.index(step.id)
        for column in columns:
            index = self.index(row, column)
            self.dataChanged.emit(index, index)

    def _on_analysis_changed(self, map_id: str) -> None:
        """Repaint the saving and flags of the rows whose figures changed (after an edit, few:
        repainting every visible row is most of the cost of an edit in a large map)."""
        if self.map is None or map_id != self.map.id or not self._ids:
            return
        analysis = self._analysis()
        shown: dict[str, tuple[float, tuple[str, ...]]] = {}
        if analysis is not None and analysis.ok:
            flags = analysis.flags
            shown = {v: (saving, tuple(flags.get(v, ()))) for v, saving in analysis.savings.items()}
        before, self._shown = self._shown, shown
        rows = [row for row, v in enumerate(self._ids) if shown.get(v) != before.get(v)]
        if rows:
            self.dataChanged.emit(self.index(rows[0], COLUMN["saving"]),
                                  self.index(rows[-1], COLUMN["flags"]))

    # ------------------------------------------------------------ reading

    def step_id(self, row: int) -> str:
        """The id of the step shown in `row`."""
        return self._ids[row]

    def row_of(self, step_id: str) -> int:
        """The row of a step, or -1."""
        return self._ids.index(step_id) if step_id in self._ids else -1

    def teams(self) -> list[str]:
        """The map's teams, for completion."""
        if self.map is None:
            return []
        return sorted({s.team for s in self.map.steps if s.team}, key=str.casefold)

    def _analysis(self) -> MapAnalysis | None:
        if self.document is None or self.map is None:
            return None
        return self.document.analysis(self.map.id)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt override
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section].title
            if role == Qt.ItemDataRole.ToolTipRole:
                return COLUMNS[section].tip
        return super().headerData(section, orientation, role)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if COLUMNS[index.column()].editable:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.map is None:
            return None
        step = self.map.step(self._ids[index.row()])
        column = COLUMNS[index.column()]
        if column.key in MEASURED_COLUMNS:
            return measured_cell(step, column.key, role)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(step, column.key)
        if role == Qt.ItemDataRole.EditRole:
            return self._edit_text(step, column.key)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(step, column.key)
        if role == Qt.ItemDataRole.TextAlignmentRole and column.numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _display(self, step: Step, key: str) -> str:
        if key in CHOICES:
            return CHOICES[key].get(getattr(step, key), getattr(step, key))
        if key in ("process_time", "wait_time", "lead_time"):
            return duration_text(getattr(step, key))
        if key == "pca":
            return f"{step.pca:g}%"
        if key == "people":
            return f"{step.people:g}"
        if key in ("saving", "flags"):
            analysis = self._analysis()
            if analysis is None or not analysis.ok:
                return "–"
            if key == "saving":
                saving = analysis.savings.get(step.id, 0.0)
                return format_duration(saving) if saving > 0 else ""
            return ", ".join(FLAG_LABELS[f] for f in analysis.flags.get(step.id, []))
        return str(getattr(step, key))

    def _edit_text(self, step: Step, key: str) -> str:
        if key in CHOICES:
            return getattr(step, key)
        if key in ("pca", "people"):
            return f"{getattr(step, key):g}"
        return self._display(step, key)

    def _tooltip(self, step: Step, key: str) -> str | None:
        error = self._errors.get((step.id, key))
        if error:
            return f"Not accepted: {error}"
        if key == "name":
            return step.notes or None
        if key == "lead_time":
            return (f"wait {duration_text(step.wait_time)} + process "
                    f"{duration_text(step.process_time)} = {duration_text(step.lead_time)}")
        if key in ("process_time", "wait_time"):
            exact = exact_minutes(getattr(step, key))
            return f"Shown rounded: {exact}" if exact else None
        if key in ("saving", "flags"):
            analysis = self._analysis()
            if analysis is None or not analysis.ok:
                return "Not computed: see the problems"
            if key == "saving":
                return (f"Lead time without this step's wait: saves "
                        f"{format_duration(analysis.savings.get(step.id, 0.0))}")
            item = next((s for s in analysis.steps_to_change if s.step_id == step.id), None)
            return "\n".join(item.reasons) if item else "Not flagged"
        return None

    # ------------------------------------------------------------ editing

    def setData(self, index: Index, value: Any,  # noqa: N802 - Qt override
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        """Set the step's field through the document (one command); a refused value is reported
        and nothing changes."""
        if (role != Qt.ItemDataRole.EditRole or not index.isValid() or self.map is None
                or not COLUMNS[index.column()].editable):
            return False
        step_id = self._ids[index.row()]
        key = COLUMNS[index.column()].key
        if key in TIME_COLUMNS and str(value).strip() == self._display(self.map.step(step_id), key):
            value = getattr(self.map.step(step_id), key)  # the rounded time as shown: unchanged
        try:
            self.document.set_step_field(self.map.id, step_id, key, value)
        except ModelError as error:
            self.last_error = str(error)
            self._errors[(step_id, key)] = self.last_error
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.ToolTipRole])
            self.message.emit(self.last_error)
            return False
        self.last_error = ""
        if self._errors.pop((step_id, key), None):
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.ToolTipRole])
        self.message.emit("")
        return True


class StepTableDelegate(QStyledItemDelegate):
    """Lists for activity and performer, completion for team, plain lines elsewhere."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,  # noqa: N802
                     index: Index) -> QWidget:
        key = COLUMNS[index.column()].key
        if key in CHOICES:
            combo = QComboBox(parent)
            for value, label in CHOICES[key].items():
                combo.addItem(label, value)
            combo.activated.connect(lambda _i, c=combo: self._commit_and_close(c))
            return combo
        editor = super().createEditor(parent, option, index)
        if key == "team" and isinstance(editor, QLineEdit):
            completer = QCompleter(index.model().teams(), editor)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            editor.setCompleter(completer)
        return editor

    def _commit_and_close(self, editor: QWidget) -> None:
        self.commitData.emit(editor)
        self.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.SubmitModelCache)

    def setEditorData(self, editor: QWidget, index: Index) -> None:  # noqa: N802 - Qt override
        if isinstance(editor, QComboBox):
            editor.setCurrentIndex(editor.findData(index.data(Qt.ItemDataRole.EditRole)))
        else:
            super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model: Any, index: Index) -> None:  # noqa: N802
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentData())
        else:
            super().setModelData(editor, model, index)


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


class StepTablePanel(QWidget):
    """The step table with its message line; keeps its row selection in step with the canvas."""

    steps_selected = Signal(list)  # step ids selected in the table by the user

    def __init__(self, document: Document | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = StepTableModel(document, self)
        self.view = StepTableView()
        self.view.setModel(self.model)
        self.view.setItemDelegate(StepTableDelegate(self.view))
        self.message = InlineError()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.message)
        self._syncing = False
        self.view.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.model.message.connect(self._show_message)
        self.columns = ColumnFitter(self.view, COLUMN["name"], self._column_samples())
        self.columns.caps[COLUMN["flags"]] = (self.view.fontMetrics().horizontalAdvance(
            FLAGS_SAMPLE) + PADDING)
        self.model.modelReset.connect(self.columns.fit)
        for signal in (self.model.modelReset, self.model.rowsInserted):  # cases, visits
            signal.connect(lambda *_: show_measured_columns(self.view, self.model.map, COLUMN))
        self.columns.fit()
        show_measured_columns(self.view, self.model.map, COLUMN)

    def set_document(self, document: Document | None) -> None:
        """Follow another document."""
        self._syncing = True
        self.model.set_document(document)
        self._syncing = False

    def set_map(self, map_: ValueStreamMap | None) -> None:
        """Show another map's steps."""
        self._syncing = True
        self.model.set_map(map_)
        self._syncing = False
        self.message.clear()

    def set_selection(self, step_ids: list[str], flow_ids: list[str]) -> None:
        """Select the rows of these steps without emitting steps_selected."""
        selection = QItemSelection()
        rows = [r for r in (self.model.row_of(s) for s in step_ids) if r >= 0]
        last = self.model.columnCount() - 1
        for row in rows:
            selection.select(self.model.index(row, 0), self.model.index(row, last))
        flags = QItemSelectionModel.SelectionFlag
        self._syncing = True
        try:
            selection_model = self.view.selectionModel()
            selection_model.select(selection, flags.ClearAndSelect | flags.Rows)
            current = self.view.currentIndex()
            if rows and current.row() not in rows:  # keep the cursor where the user has it
                current = self.model.index(rows[0], max(current.column(), 0))
                selection_model.setCurrentIndex(current, flags.NoUpdate)
                self.view.scrollTo(current)
        finally:
            self._syncing = False

    def selected_step_ids(self) -> list[str]:
        """The steps whose rows are selected, in table order."""
        rows = sorted(index.row() for index in self.view.selectionModel().selectedRows())
        return [self.model.step_id(r) for r in rows]

    def _on_selection_changed(self, *_: object) -> None:
        if not self._syncing:
            self.steps_selected.emit(self.selected_step_ids())

    def _show_message(self, text: str) -> None:
        if text:
            self.message.show_message(text)
        else:
            self.message.clear()

    @staticmethod
    def _column_samples() -> dict[int, tuple[str, ...]]:
        """What each column shows whole even before a row has it: every activity and performer,
        a long team, two flags, a two-unit time of two digits each (an edit that turns 15m into
        10h 15m must not elide it)."""
        samples = {COLUMN[key]: tuple(labels.values()) for key, labels in CHOICES.items()}
        samples[COLUMN["team"]] = (TEAM_SAMPLE,)
        samples[COLUMN["flags"]] = (FLAGS_SAMPLE,)
        for key in TIME_COLUMNS:
            samples[COLUMN[key]] = (WIDEST_TIME,)
        return samples
