"""The compare view: two maps one above the other on one scale, the delta table, the changes.

View > Compare Maps… opens it (non-modal) on the first current and the first future state; the
two lists at the top choose the maps. Both canvases are read-only, share one zoom and show the
same scene x range (ui.dialogs.compare_canvas), and the bars above them draw both critical paths on one
time scale. In the lower ("to") map the steps that changed carry a dashed CHANGED outline and
the new ones a solid NEW outline; removed steps carry a dotted REMOVED outline in the upper map.
The table gives each headline figure from / to / change / change % (vsm.analysis.compare.compare_maps,
matched by lineage across the project's maps), the list says what changed in each step. Every
edit of either map refreshes the view on the next turn of the event loop.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QSignalBlocker, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.canvas.items.change_mark import ChangeMarkItem
from ui.canvas.scene import MapScene
from ui.dialogs.compare_canvas import (
    CompareCanvas,
    LeadTimeBars,
    align_canvases,
    bar_row,
    follow,
    widen,
)
from ui.document.document import Document
from vsm.analysis.compare import (
    METRICS,
    MapComparison,
    MetricDelta,
    compare_maps,
    describe_field_change,
    format_delta,
    format_metric,
)
from vsm.analysis.stakeholder_words import comparison_rows as stakeholder_rows
from vsm.model import ValueStreamMap

COLUMNS = ("Figure", "From", "To", "Change", "Change %")
STAKEHOLDER_SETTINGS = ("target_lead_time", "experience", "team_rates", "currency", "demand",
                        "demand_period")
STEP_ROLE = Qt.ItemDataRole.UserRole


def delta_cells(key: str, metric: MetricDelta) -> list[str]:
    """The cells of one table row: figure, from, to, change, change %."""
    change = format_delta(key, MetricDelta(metric.from_, metric.to, metric.delta, None))
    percent = "" if metric.delta_percent is None else f"{metric.delta_percent:+.1f}%"
    if metric.delta == 0:
        percent = "0.0%" if metric.delta_percent is not None else ""
    return [METRICS[key][0], format_metric(key, metric.from_), format_metric(key, metric.to),
            change, percent]


class CompareDialog(QDialog):
    """Compare two maps of a document; `comparison` is the latest MapComparison (or None)."""

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Compare maps")
        self.setObjectName("compare_maps")
        self.document = document
        self.comparison: MapComparison | None = None
        self.canvases: list[CompareCanvas] = []
        self.marks: list[ChangeMarkItem] = []
        self._following = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.refresh)
        self._build()
        document.maps_changed.connect(self._on_maps_changed)
        document.analysis_changed.connect(self._on_analysis_changed)
        document.map_settings_changed.connect(self._on_settings_changed)
        self._fill_choices()
        self.choose_defaults()
        screen = (parent.screen() if parent is not None else None) or QGuiApplication.primaryScreen()
        area = screen.availableGeometry()  # big enough to read both maps on a projector
        self.resize(round(area.width() * 0.92), round(area.height() * 0.9))

    # ------------------------------------------------------------ building

    def _build(self) -> None:
        self.before_choice, self.after_choice = QComboBox(), QComboBox()
        self.before_choice.setObjectName("compare_from")
        self.after_choice.setObjectName("compare_to")
        for combo in (self.before_choice, self.after_choice):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.currentIndexChanged.connect(self._on_choice)
        swap = QPushButton("&Swap")
        swap.clicked.connect(self.swap)
        align = QPushButton("&Align")
        align.setToolTip("Fit both maps again at one shared zoom, left edges aligned")
        align.clicked.connect(self.align)
        top = QHBoxLayout()
        for widget in (QLabel("&From:"), self.before_choice, QLabel("&To:"), self.after_choice,
                       swap, align):
            top.addWidget(widget)
        top.itemAt(0).widget().setBuddy(self.before_choice)
        top.itemAt(2).widget().setBuddy(self.after_choice)
        top.addStretch(1)
        self.bars = LeadTimeBars()
        self.before_label, self.after_label = QLabel(), QLabel()
        self.canvas_area = QSplitter(Qt.Orientation.Vertical)
        self.canvas_slots = []
        for label in (self.before_label, self.after_label):
            slot = QWidget()
            layout = QVBoxLayout(slot)
            layout.setContentsMargins(0, 0, 0, 0)
            font = label.font()
            font.setBold(True)
            label.setFont(font)
            layout.addWidget(label)
            self.canvas_area.addWidget(slot)
            self.canvas_slots.append(layout)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.bars)
        left_layout.addWidget(self.canvas_area, 1)
        self.table = QTableWidget(len(METRICS), len(COLUMNS))
        self.table.setObjectName("compare_table")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.changes = QListWidget()
        self.changes.setObjectName("compare_changes")
        self.changes.setWordWrap(True)
        self.changes.setAlternatingRowColors(True)
        self.changes.itemActivated.connect(self._centre_on_change)
        self.changes.itemClicked.connect(self._centre_on_change)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.table)
        right_layout.addWidget(QLabel("Steps changed, new and removed"))
        right_layout.addWidget(self.changes, 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setSizes([900, 400])
        outer = QVBoxLayout(self)
        outer.addLayout(top)
        outer.addWidget(split, 1)

    # ------------------------------------------------------------ choosing the maps

    def maps(self) -> tuple[ValueStreamMap | None, ValueStreamMap | None]:
        """The maps compared now: (from, to)."""
        project = self.document.project
        ids = (self.before_choice.currentData(), self.after_choice.currentData())
        found = {m.id: m for m in project.maps}
        return found.get(ids[0]), found.get(ids[1])

    def choose(self, before: ValueStreamMap, after: ValueStreamMap) -> None:
        """Compare these two maps."""
        with QSignalBlocker(self.before_choice), QSignalBlocker(self.after_choice):
            self.before_choice.setCurrentIndex(self.before_choice.findData(before.id))
            self.after_choice.setCurrentIndex(self.after_choice.findData(after.id))
        self._rebuild_canvases()

    def choose_defaults(self) -> None:
        """The first current state against the first future state (else the first two maps)."""
        project = self.document.project
        maps = project.maps
        if not maps:
            return
        before = project.first_map("current") or maps[0]
        after = project.first_map("future") or next((m for m in maps if m is not before), before)
        self.choose(before, after)

    def swap(self) -> None:
        before, after = self.maps()
        if before is not None and after is not None:
            self.choose(after, before)

    def _fill_choices(self) -> None:
        for combo in (self.before_choice, self.after_choice):
            chosen = combo.currentData()
            with QSignalBlocker(combo):
                combo.clear()
                for map_ in self.document.project.maps:
                    kind = "current" if map_.kind == "current" else "future"
                    combo.addItem(f"{map_.name} ({kind})", map_.id)
                index = combo.findData(chosen)
                if index >= 0:
                    combo.setCurrentIndex(index)

    def _on_choice(self, _index: int) -> None:
        self._rebuild_canvases()

    def _on_maps_changed(self) -> None:
        chosen = (self.before_choice.currentData(), self.after_choice.currentData())
        self._fill_choices()
        if chosen != (self.before_choice.currentData(), self.after_choice.currentData()):
            self.choose_defaults()  # a map compared was deleted
        else:
            self.schedule_refresh()

    def _on_settings_changed(self, map_id: str, field: str) -> None:
        if field in ("name", "kind"):
            self._fill_choices()
            self.schedule_refresh()
        elif field in STAKEHOLDER_SETTINGS:
            self.schedule_refresh()

    def _on_analysis_changed(self, map_id: str) -> None:
        if map_id in {m.id for m in self.maps() if m is not None}:
            self.schedule_refresh()

    # ------------------------------------------------------------ canvases

    def _rebuild_canvases(self) -> None:
        self._drop_canvases()
        for map_, layout in zip(self.maps(), self.canvas_slots):
            if map_ is None:
                continue
            scene = MapScene(self.document, map_, read_only=True)
            canvas = CompareCanvas(scene)
            canvas.setObjectName("compare_canvas")
            canvas.on_resized = self.align
            canvas.on_scrolled = self._follow
            layout.addWidget(canvas, 1)
            self.canvases.append(canvas)
        self.refresh()
        QTimer.singleShot(0, self.align)

    def _drop_canvases(self) -> None:
        self.marks = []
        for canvas in self.canvases:
            canvas.on_resized = canvas.on_scrolled = None
            canvas.scene().detach()
            canvas.setParent(None)
            canvas.deleteLater()
        self.canvases = []

    def align(self) -> None:
        """One shared zoom, the same scene x at the left edge of both canvases."""
        if len(self.canvases) == 2 and not self._following:
            self._following = True
            try:
                align_canvases(self.canvases)
            finally:
                self._following = False

    def _follow(self, source: CompareCanvas) -> None:
        if self._following or len(self.canvases) != 2:
            return
        self._following = True
        try:
            follow(source, self.canvases)
        finally:
            self._following = False

    # ------------------------------------------------------------ figures and marks

    def schedule_refresh(self) -> None:
        """Refresh on the next turn of the event loop (hidden: when shown again)."""
        if self.isVisible():
            self._timer.start()

    def refresh(self) -> None:
        """Compare the chosen maps again and show the result."""
        self._timer.stop()
        before, after = self.maps()
        if before is None or after is None or len(self.canvases) != 2:
            self.comparison = None
            return
        comparison = compare_maps(before, after, context=self.document.project.maps)
        self.comparison = comparison
        self.setWindowTitle(f"Compare maps — {before.name} → {after.name}")
        self.before_label.setText(f"From: {before.name}")
        self.after_label.setText(f"To: {after.name} — marked: CHANGED (dashed), NEW (solid); "
                                 "REMOVED (dotted) in the map above")
        # the headline figures, then what stakeholders ask (target met or missed, experience,
        # cost per item, wait on vendors) where either map has it
        rows = [delta_cells(key, comparison.metrics[key]) for key in METRICS]
        rows += [cells + [""] for cells in stakeholder_rows(comparison)]
        self.table.setRowCount(len(rows))
        for row, cells in enumerate(rows):
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                if column:
                    cell.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, cell)
        self._fit_table()
        self.bars.set_rows([bar_row(before.name, before, comparison.before_analysis),
                            bar_row(after.name, after, comparison.after_analysis)])
        self._show_marks(comparison)
        self._list_changes(comparison)
        widen(self.canvases)  # a map that grew can still be scrolled in step with the other

    def _fit_table(self) -> None:
        """Tall enough for every figure without a scroll bar."""
        self.table.resizeRowsToContents()
        rows = sum(self.table.rowHeight(r) for r in range(self.table.rowCount()))
        frame = 2 * self.table.frameWidth()
        bar = self.table.horizontalScrollBar()  # a narrow pane: the columns scroll sideways
        extra = bar.sizeHint().height() if bar.maximum() > 0 else 0
        self.table.setFixedHeight(self.table.horizontalHeader().height() + rows + frame + 2
                                  + extra)

    def _show_marks(self, comparison: MapComparison) -> None:
        for mark in self.marks:  # a mark goes with its step item when the step is removed
            if shiboken6.isValid(mark) and mark.scene() is not None:
                mark.scene().removeItem(mark)
        self.marks = []
        before_scene, after_scene = (c.scene() for c in self.canvases)
        for change in comparison.changed:
            item = after_scene.item_for_step.get(change.id)
            if item is not None:
                details = "; ".join(describe_field_change(name, old, new)
                                    for name, (old, new) in change.fields.items())
                self.marks.append(ChangeMarkItem("changed", item, f"Changed: {details}"))
        for step in comparison.added:
            item = after_scene.item_for_step.get(step.id)
            if item is not None:
                self.marks.append(ChangeMarkItem("new", item, f"New step {step.name!r}"))
        for step in comparison.removed:
            item = before_scene.item_for_step.get(step.id)
            if item is not None:
                self.marks.append(ChangeMarkItem("removed", item,
                                                 f"{step.name!r} is not in {comparison.after.name}"))

    def _list_changes(self, comparison: MapComparison) -> None:
        self.changes.clear()
        for change in comparison.changed:
            details = "; ".join(describe_field_change(name, old, new)
                                for name, (old, new) in change.fields.items())
            self._add_change(f"Changed: {change.name} — {details}", change.id)
        for step in comparison.added:
            self._add_change(f"New: {step.name}", step.id)
        for step in comparison.removed:
            self._add_change(f"Removed: {step.name}", None)
        if not self.changes.count():
            self._add_change("No step changed.", None)

    def _add_change(self, text: str, step_id: str | None) -> None:
        item = QListWidgetItem(text)
        item.setData(STEP_ROLE, step_id)
        item.setToolTip(text)
        self.changes.addItem(item)

    def _centre_on_change(self, item: QListWidgetItem) -> None:
        step_id = item.data(STEP_ROLE)
        if step_id and len(self.canvases) == 2:
            self.canvases[1].centre_on_step(step_id)

    def change_texts(self) -> list[str]:
        """The lines of the changes list, as shown."""
        return [self.changes.item(i).text() for i in range(self.changes.count())]

    def row_texts(self, key: str) -> list[str]:
        """The cells of one figure's table row, as shown (key as in vsm.analysis.compare.METRICS,
        or the label of a row of what stakeholders ask: "Target lead time", "Experience")."""
        if key in METRICS:
            row = list(METRICS).index(key)
        else:
            row = next(r for r in range(self.table.rowCount())
                       if self.table.item(r, 0).text() == key)
        return [self.table.item(row, c).text() for c in range(len(COLUMNS))]

    def labels(self) -> list[str]:
        """The first column of the table, as shown."""
        return [self.table.item(r, 0).text() for r in range(self.table.rowCount())]

    # ------------------------------------------------------------ closing

    def detach(self) -> None:
        """Stop following the document (its window shows another one, or closes)."""
        self._timer.stop()
        for signal, slot in ((self.document.maps_changed, self._on_maps_changed),
                             (self.document.analysis_changed, self._on_analysis_changed),
                             (self.document.map_settings_changed, self._on_settings_changed)):
            try:
                signal.disconnect(slot)
            except (RuntimeError, TypeError):
                pass
        self._drop_canvases()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        self.refresh()
        QTimer.singleShot(0, self.align)

