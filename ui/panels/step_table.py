"""The step table: every step of the map as a row, edited like a spreadsheet.

StepTableModel mirrors the map through its events (rows inserted or removed at the events'
indices, a batch of them (vsm.model.bulk) as a few contiguous ranges; dataChanged for one
StepChanged: never a reset for an edit) and turns an edit into one SetStepFieldCommand. A step's
row is found in a dict, rebuilt once after rows moved, never by searching the rows. A value the model refuses is not pushed: the message
appears under the table and on the cell's tooltip, and the editor opens again with the typed text.

Keyboard: typing starts editing, F2 or Enter edits, Enter commits and moves down, Tab and
Shift+Tab move between cells, Escape cancels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QComboBox,
    QCompleter,
    QLineEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
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
from ui.panels.table_keys import StepTableView
from ui.panels.table_rows import StepRows, select_rows, selected_rows
from vsm.analysis import FLAG_LABELS, MapAnalysis
from vsm.analysis.flags import PCA_MEANING
from vsm.model import (
    ACTIVITIES,
    PERFORMERS,
    ModelError,
    Step,
    StepChanged,
    ValueStreamMap,
)
from vsm.model.durations import format_duration
from vsm.model.events import BatchEnded, step_changes

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
# The step fields a row shows (a column, the lead time, the name's tooltip): _step_changed
_SHOWN_FIELDS = frozenset({*COLUMN, "wait_time", "process_time", "notes"})
_READ = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
COLUMN_FLAGS = tuple(_READ | Qt.ItemFlag.ItemIsEditable if c.editable else _READ for c in COLUMNS)
TIME_COLUMNS = ("process_time", "wait_time", "lead_time", "saving")
WIDEST_TIME = "00h 00m"  # the widest time most steps show
TEAM_SAMPLE = "Software asset management"  # the longest team of the bundled templates
FLAGS_SAMPLE = "Bottleneck, Long wait"  # the Flags column's width: two flags (all in the tooltip)
CHOICES = {"activity": ACTIVITIES, "performer": PERFORMERS}
UPDATING_COLOUR = QColor("#8a8a8a")  # the previous figures, while the worker recomputes them


class StepTableModel(StepRows, FollowsAnalysis, QAbstractTableModel):
    """The steps of one map as rows; edits become SetStepFieldCommands on the document."""

    message = Signal(str)  # why the last edit was refused, or "" after an accepted one

    def __init__(self, document: Document | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document: Document | None = None
        self.map: ValueStreamMap | None = None
        self.reset_rows([])
        self._errors: dict[tuple[str, str], str] = {}
        self._figures: MapAnalysis | None = None  # the analysis the saving and flags show
        self._updating = False  # those figures are being recomputed by the worker
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
        self.reset_rows([s.id for s in map_.steps] if map_ is not None else [])
        self._errors.clear()
        self._figures = None
        self._updating = False
        if self.document is not None and map_ is not None:
            # Once, when the map is shown (a large map's previous figures while it updates);
            # painting never analyses.
            self.document.analysis(map_.id)
            self._figures = self.document.live.shown(map_.id)
            self._updating = self.document.live.updating(map_.id)
        self.endResetModel()

    def set_document(self, document: Document | None) -> None:
        """Follow another document, its figures and whether they are updating."""
        if self.document is not None:
            self.document.live.updating_changed.disconnect(self._on_updating)
        super().set_document(document)
        if document is not None:
            document.live.updating_changed.connect(self._on_updating)

    def _on_map_event(self, event: object) -> None:
        if isinstance(event, StepChanged):
            self._step_changed(event.step, event.field)
            return
        self.follow_rows(event)
        if isinstance(event, BatchEnded):  # its steps changed once their rows are there
            changed = {(e.step.id, e.field): e.step  # not positions: 40,000 moves
                       for e in step_changes(event.events, _SHOWN_FIELDS)}
            for (_, field), step in changed.items():
                self._step_changed(step, field)

    def rows_changed(self) -> None:
        """Forget the refusals of steps no longer shown."""
        if self._errors:
            present = set(self._ids)
            self._errors = {k: v for k, v in self._errors.items() if k[0] in present}

    def _step_changed(self, step: Step, field: str) -> None:
        columns = [COLUMN[field]] if field in COLUMN else []
        if field in ("wait_time", "process_time"):
            columns.append(COLUMN["lead_time"])
        if field == "notes":
            columns.append(COLUMN["name"])  # notes are the name's tooltip
        if not columns:
            return
        self._errors.pop((step.id, field), None)
        row = self.row_of(step.id)
        if row < 0:  # in a batch that adds it: its row comes at the batch's end
            return
        for column in columns:
            index = self.index(row, column)
            self.dataChanged.emit(index, index)

    def _on_analysis_changed(self, map_id: str) -> None:
        """Take the map's new figures (as the live analysis has them: never computed here) and
        repaint the saving and flags of the rows whose figures changed, from the first to the
        last of them (after an edit, few: repainting every visible row is most of the cost of an
        edit in a large map)."""
        if self.map is None or map_id != self.map.id or self.document is None:
            return
        before, self._figures = self._figures, self.document.live.shown(map_id)
        if self._figures is before or not self._ids:
            return
        changed = _changed_steps(before, self._figures)
        rows = self.rows_of(list(changed)) if changed is not None else [0, len(self._ids) - 1]
        if rows:
            self.dataChanged.emit(self.index(rows[0], COLUMN["saving"]),
                                  self.index(rows[-1], COLUMN["flags"]))

    def _on_updating(self, map_id: str, updating: bool) -> None:
        """The worker started or stopped recomputing the map's figures: the saving and flags
        show greyed, with an "updating" tooltip, meanwhile (Qt repaints the visible rows)."""
        if self.map is None or map_id != self.map.id or updating == self._updating:
            return
        self._updating = updating
        if self._ids:
            self.dataChanged.emit(self.index(0, COLUMN["saving"]),
                                  self.index(len(self._ids) - 1, COLUMN["flags"]))

    @property
    def updating(self) -> bool:
        """Whether the saving and flags shown are the previous figures, being recomputed."""
        return self._updating

    # ------------------------------------------------------------ reading

    def teams(self) -> list[str]:
        """The map's teams, for completion."""
        if self.map is None:
            return []
        return sorted({s.team for s in self.map.steps if s.team}, key=str.casefold)

    def _analysis(self) -> MapAnalysis | None:
        """The figures the table shows (see _on_analysis_changed): painting never analyses."""
        return self._figures

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
        # Qt asks every cell of a selection of whole rows (220,000 cells for 20,000 steps): a
        # lookup, not Python enum arithmetic per call.
        return COLUMN_FLAGS[index.column()] if index.isValid() else Qt.ItemFlag.NoItemFlags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.map is None:
            return None
        step_id = self._ids[index.row()]
        if not self.map.has_step(step_id):  # removed in a batch whose rows go at its end
            return None
        step = self.map.step(step_id)
        column = COLUMNS[index.column()]
        if column.key in MEASURED_COLUMNS:
            return measured_cell(step, column.key, role)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(step, column.key)
        if role == Qt.ItemDataRole.EditRole:
            return self._edit_text(step, column.key)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(step, column.key)
        if (role == Qt.ItemDataRole.ForegroundRole and self._updating
                and column.key in ("saving", "flags")):
            return UPDATING_COLOUR
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
            if self._updating:
                return "Updating: these are the figures before the last change"
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


def _changed_steps(before: MapAnalysis | None, after: MapAnalysis | None) -> set[str] | None:
    """The steps whose saving or flags differ between two analyses, or None for all of them
    (one of the two has no figures to show). Compares the two dicts of each, not a tuple per
    row."""
    if before is None or after is None or not (before.ok and after.ok):
        return None
    changed = set(before.savings.items() ^ after.savings.items())  # (step, saving) pairs
    steps = {v for v, _ in changed}
    old, new = before.flags, after.flags
    steps.update(v for v in old.keys() | new.keys() if old.get(v) != new.get(v))
    return steps


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

    @property
    def map(self) -> ValueStreamMap | None:
        """The map whose steps are shown."""
        return self.model.map

    def set_map(self, map_: ValueStreamMap | None) -> None:
        """Show another map's steps."""
        self._syncing = True
        self.model.set_map(map_)
        self._syncing = False
        self.message.clear()

    def set_selection(self, step_ids: list[str], flow_ids: list[str]) -> None:
        """Select the rows of these steps without emitting steps_selected: one selection of
        contiguous row ranges, and nothing at all when those rows are selected already."""
        rows = self.model.rows_of(step_ids)
        if rows == selected_rows(self.view):
            return
        self._syncing = True
        try:
            select_rows(self.view, rows)
        finally:
            self._syncing = False

    def selected_step_ids(self) -> list[str]:
        """The steps whose rows are selected, in table order."""
        return [self.model.step_id(r) for r in selected_rows(self.view)]

    def _on_selection_changed(self, *_: object) -> None:
        # Rows the map removed leave the selection too: the canvas already knows.
        if not self._syncing and not self.model.changing_rows:
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
