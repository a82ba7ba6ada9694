"""File > Import Event Log…: the columns and options for mining a ticket history, with a preview
of its first rows; then the mining itself, off the GUI thread, with progress and Cancel.

`EventLogDialog` only chooses: it shows the first PREVIEW_ROWS rows of the log (read by
vsm.mining.events.first_rows, never the whole file), the columns recognised from the headers
(vsm.mining.columns.find_columns, the shapes of common exports) in combo boxes to change, and
the options of `vsm mine`: steps by activity or by group, the end activities (with those seen in
the preview as a hint), median or mean, a time format, the map's name, the work, vendor and
customer patterns (their defaults written in), and the pruning of rare routes and steps (the
command line's defaults: nothing pruned). "(none)" as the group leaves the log's group out.
`options()` gives the MiningOptions; Mine refuses options `vsm mine` would refuse, saying why.

`mine_with_progress` runs vsm.mining.mine.mine_log in a QThread behind a window-modal progress
dialog that counts the rows read; Cancel stops the reading (the progress function raises in the
thread) and returns None at once, whatever the thread is doing (its result is dropped). The
FileController opens the result as a new document.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, Qt, QThread, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressDialog,
    QRadioButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from vsm.mining import mine
from vsm.mining.columns import Columns, MiningError, find_columns, header_key
from vsm.mining.events import first_rows
from vsm.mining.mine import MiningOptions, check_options

PREVIEW_ROWS = 20  # rows under the header
HINT_ACTIVITIES = 12  # activities named in the hint under the end activities
ROLES = ("case", "activity", "time", "group")
NONE = "(none)"  # the group left out: MiningOptions.group ""
DEFAULTS = MiningOptions()  # the command line's defaults
SHOW_AFTER_MS = 300  # mining that takes longer shows its progress dialog


def _cell_text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return " ".join(str(cell).split())


class EventLogDialog(QDialog):
    """The mining options for one event log, chosen over a preview of its first rows."""

    def __init__(self, path: Path, rows: list[list[Any]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path = path
        self.rows = rows
        self.header = [_cell_text(cell) for cell in rows[0]] if rows else []
        self.setWindowTitle(f"Import Event Log — {path.name}")
        self.columns, problem = self._recognise()

        layout = QVBoxLayout(self)
        shown = len(rows) - 1
        caption = QLabel(f"The first {shown} row{'s' if shown != 1 else ''} of <b>{path.name}</b>"
                         " (one row per event):")
        layout.addWidget(caption)
        layout.addWidget(self._preview())
        if self.columns is not None and self.columns.recognised:
            found = f"Recognised {self.columns.recognised}; check the columns below."
        elif self.columns is not None:
            found = "Columns recognised by their names; check them below."
        else:
            found = f"Choose the columns: {problem}"
        self.recognised = QLabel(found)
        self.recognised.setWordWrap(True)
        layout.addWidget(self.recognised)

        grid = QGridLayout()
        columns_form = QFormLayout()
        self.combos: dict[str, QComboBox] = {}
        labels = {"case": "&Case (ticket):", "activity": "&Activity (state):",
                  "time": "&Time:", "group": "&Group (team):"}
        for role in ROLES:
            combo = QComboBox()
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(18)
            self._fill(role, combo)
            self.combos[role] = combo
            columns_form.addRow(labels[role], combo)
        self.combos["group"].setToolTip("The team holding the ticket: each step's team, or the "
                                        "steps themselves with steps by group")
        grid.addLayout(columns_form, 0, 0)

        options_form = QFormLayout()
        steps = QWidget()
        steps_layout = QHBoxLayout(steps)
        steps_layout.setContentsMargins(0, 0, 0, 0)
        self.by_activity = QRadioButton("one per acti&vity")
        self.by_group = QRadioButton("one per g&roup")
        self.by_activity.setChecked(True)
        self.steps_group = QButtonGroup(self)
        for button in (self.by_activity, self.by_group):
            self.steps_group.addButton(button)
            steps_layout.addWidget(button)
        steps_layout.addStretch(1)
        options_form.addRow("Steps:", steps)
        self.end = QLineEdit()
        self.end.setPlaceholderText("e.g. Resolved (comma between several)")
        self.end.setToolTip("A case stops at its first event of one of these activities; its "
                            "later events (an automatic close days later) are left out")
        options_form.addRow("&End at:", self.end)
        self.seen = QLabel()
        self.seen.setWordWrap(True)
        self.seen.setStyleSheet("color: palette(mid);")
        options_form.addRow("", self.seen)
        self.statistic = QComboBox()
        self.statistic.addItem("median", "median")
        self.statistic.addItem("mean", "mean")
        self.statistic.setToolTip("Each step's time: the median or the mean of its visits")
        options_form.addRow("&Statistic:", self.statistic)
        self.time_format = QLineEdit()
        self.time_format.setPlaceholderText("automatic")
        self.time_format.setToolTip("Empty: ISO 8601, or day or month first when the data "
                                    "settles it. Else strptime's codes: %d/%m/%Y %H:%M")
        options_form.addRow("Time &format:", self.time_format)
        self.name = QLineEdit()
        self.name.setPlaceholderText(f"Mined from {path.name}")
        options_form.addRow("Map &name:", self.name)
        grid.addLayout(options_form, 0, 1)
        grid.addLayout(self._pattern_form(), 1, 0)
        grid.addLayout(self._pruning_form(), 1, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        grid.setHorizontalSpacing(24)
        layout.addLayout(grid)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #B00020;")
        self.problem.hide()
        layout.addWidget(self.problem)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("&Mine")
        ok.setToolTip("Read the whole log and open the measured map as a new document")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        self.combos["activity"].currentIndexChanged.connect(self._hint)
        self._hint()
        self.resize(900, 640)

    def _pattern_form(self) -> QFormLayout:
        """The work, vendor and customer patterns, their defaults written in."""
        form = QFormLayout()
        self.patterns: dict[str, QLineEdit] = {}
        tips = {"work": "Activities that are hands-on work: time in them is process time, other "
                        "time wait time",
                "vendor": "Groups or activities that are vendors (the step's performer)",
                "customer": "Groups or activities that wait on the customer"}
        labels = {"work": "&Work:", "vendor": "Ven&dor:", "customer": "C&ustomer:"}
        for key in ("work", "vendor", "customer"):
            edit = QLineEdit(getattr(DEFAULTS, key))
            edit.setCursorPosition(0)
            edit.setToolTip(f"{tips[key]}: a regular expression searched ignoring case. "
                            "Written in: the default of vsm mine; empty: the default.")
            self.patterns[key] = edit
            form.addRow(labels[key], edit)
        return form

    def _pruning_form(self) -> QFormLayout:
        """Pruning of rare routes and steps (the defaults prune nothing)."""
        form = QFormLayout()
        self.min_share = QDoubleSpinBox()
        self.min_share.setRange(0.0, 99.9)
        self.min_share.setDecimals(1)
        self.min_share.setSuffix(" %")
        self.min_share.setValue(DEFAULTS.min_share)
        self.min_share.setToolTip("Prune routes taking less than this share of a step's exits "
                                  "and renormalise the others (0: prune nothing)")
        form.addRow("Min. s&hare:", self.min_share)
        self.min_cases = QSpinBox()
        self.min_cases.setRange(1, 1_000_000_000)
        self.min_cases.setValue(DEFAULTS.min_cases)
        self.min_cases.setToolTip("Prune steps and routes seen in fewer cases (1: prune "
                                  "nothing)")
        form.addRow("Min. cas&es:", self.min_cases)
        return form

    # ------------------------------------------------------------------ columns

    def _recognise(self) -> tuple[Columns | None, str]:
        if not self.rows:
            return None, "the file has no rows"
        try:
            return find_columns(self.rows[0], dict.fromkeys(ROLES), False), ""
        except MiningError as error:
            return None, str(error)

    def _fill(self, role: str, combo: QComboBox) -> None:
        """The headers to choose from; a change log's activity and group come from its rows."""
        columns = self.columns
        chosen: int | None = None
        if columns is not None and columns.change_log and role in ("activity", "group"):
            assert columns.field is not None
            fields = columns.activity_fields if role == "activity" else columns.group_fields
            if fields:
                combo.addItem(f"from the {self._field_name(fields)!r} rows of "
                              f"{self.header[columns.field]!r}", None)
                chosen = 0
        if role == "group":
            combo.addItem(NONE, "")
            chosen = 0 if chosen is None else chosen
        offset = combo.count()
        for header in self.header:
            if header:
                combo.addItem(header, header)
        if columns is not None:
            at = getattr(columns, role)
            if at is not None and self.header[at]:
                chosen = combo.findData(self.header[at])
        elif role != "group":  # nothing recognised: the columns in their order
            chosen = min(offset + ROLES.index(role), combo.count() - 1)
        combo.setCurrentIndex(chosen if chosen is not None and chosen >= 0 else 0)

    def _field_name(self, fields: frozenset[str]) -> str:
        """The field name of a change log's rows as the preview writes it ("assignment_group"),
        else the shortest of the names recognised."""
        assert self.columns is not None and self.columns.field is not None
        at = self.columns.field
        for row in self.rows[1:]:
            if at < len(row) and header_key(row[at]) in fields:
                return _cell_text(row[at])
        return min(sorted(fields), key=len)

    def _activities(self) -> list[str]:
        """The activities of the preview's rows, in their first order."""
        name = self.combos["activity"].currentData()
        seen: dict[str, None] = {}
        for row in self.rows[1:]:
            value = None
            if name is not None and name in self.header:
                at = self.header.index(name)
                value = row[at] if at < len(row) else None
            elif name is None and self.columns is not None and self.columns.change_log:
                field, new = self.columns.field, self.columns.value
                assert field is not None and new is not None
                if (field < len(row) and new < len(row)
                        and header_key(row[field]) in self.columns.activity_fields):
                    value = row[new]
            text = _cell_text(value)
            if text and text != "?":
                seen.setdefault(text)
        return list(seen)

    def _hint(self) -> None:
        activities = self._activities()
        listed = ", ".join(activities[:HINT_ACTIVITIES])
        if len(activities) > HINT_ACTIVITIES:
            listed += ", …"
        self.seen.setText(f"In the first rows: {listed}" if listed else
                          "No activity in the first rows")

    # ------------------------------------------------------------------ preview

    def _preview(self) -> QTableWidget:
        body = self.rows[1:]
        width = max([len(self.header), *(len(row) for row in body)]) if self.rows else 0
        table = QTableWidget(len(body), width)
        table.setHorizontalHeaderLabels(
            [self.header[i] if i < len(self.header) else "" for i in range(width)])
        table.setVerticalHeaderLabels([str(i + 2) for i in range(len(body))])
        for r, row in enumerate(body):
            for c, cell in enumerate(row):
                item = QTableWidgetItem(_cell_text(cell))
                table.setItem(r, c, item)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 6)
        table.setWordWrap(False)
        table.resizeColumnsToContents()
        for c in range(width):
            table.setColumnWidth(c, min(table.columnWidth(c), 220))
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        table.setMinimumHeight(180)
        table.setToolTip("The file's first rows as read; row numbers as in the file")
        return table

    # ------------------------------------------------------------------ result

    def options(self) -> MiningOptions:
        """The options chosen: the columns as named in the combo boxes (None: recognised)."""
        names = {role: self.combos[role].currentData() for role in ROLES}
        end = tuple(part.strip() for part in self.end.text().split(",") if part.strip())
        patterns = {key: edit.text().strip() or getattr(DEFAULTS, key)
                    for key, edit in self.patterns.items()}
        return MiningOptions(
            case=names["case"], activity=names["activity"], time=names["time"],
            group=names["group"], time_format=self.time_format.text().strip() or None,
            steps="group" if self.by_group.isChecked() else "activity",
            end=end, statistic=self.statistic.currentData(),
            name=self.name.text().strip() or None, min_share=self.min_share.value(),
            min_cases=self.min_cases.value(), **patterns)

    def accept(self) -> None:
        """Mine, unless `vsm mine` would refuse the options (a pattern that is no regular
        expression, steps by group without a group): then say why and stay open."""
        try:
            check_options(self.options())
            if self.by_group.isChecked() and self.combos["group"].currentData() == "":
                raise MiningError("steps by group need the group column: choose it above")
        except MiningError as error:
            self.problem.setText(f"Cannot mine with these options: {error}")
            self.problem.show()
            return
        self.problem.hide()
        super().accept()


def preview_rows(path: Path) -> list[list[Any]]:
    """The header and the first PREVIEW_ROWS rows of the log (FileFormatError if unreadable)."""
    return first_rows(path, PREVIEW_ROWS + 1)


# ---------------------------------------------------------------------- mining


class Cancelled(Exception):
    """Raised by the progress function in the worker when Cancel was pressed."""


class MiningThread(QThread):
    """mine_log in a thread: `status` as it reads (a line for the progress dialog), `done` at
    the end with `result` or `error` set. Its signals reach the GUI thread queued."""

    status = Signal(str)
    done = Signal()

    def __init__(self, path: Path, options: MiningOptions, parent: QObject | None) -> None:
        super().__init__(parent)
        self.path, self.options = path, options
        self.cancelled = threading.Event()
        self.result: mine.Mined | None = None
        self.error: Exception | None = None

    def _progress(self, rows: int) -> None:
        if self.cancelled.is_set():
            raise Cancelled
        self.status.emit(f"Reading {self.path.name}… {rows:,} rows read")

    def run(self) -> None:
        try:
            self.result = mine.mine_log(self.path, self.options, self._progress)
        except Cancelled:
            pass
        except Exception as error:  # handed to the GUI thread, which raises it there
            self.error = error
        self.done.emit()


_ABANDONED: set[MiningThread] = set()  # cancelled threads still running: waited for at exit


def _wait_for_abandoned() -> None:
    for thread in list(_ABANDONED):
        try:
            thread.wait()
        except RuntimeError:  # deleted already
            pass


def mine_with_progress(parent: QWidget | None, path: Path,
                       options: MiningOptions) -> mine.Mined | None:
    """Mine `path` off the GUI thread behind a progress dialog; None when cancelled. The errors
    of mine_log (MiningError, FileFormatError…) come out of here."""
    app = QCoreApplication.instance()
    thread = MiningThread(path, options, app)  # owned by Qt: deleted once it has finished
    progress = QProgressDialog(f"Reading {path.name}…", "Cancel", 0, 0, parent)
    progress.setWindowTitle("Import Event Log")
    progress.setWindowModality(Qt.WindowModality.WindowModal)
    progress.setMinimumDuration(SHOW_AFTER_MS)  # counted from the construction, for a value
    show = QTimer(progress)  # ...which a busy dialog never gets: shown by this timer
    show.setSingleShot(True)
    show.timeout.connect(progress.show)
    show.start(SHOW_AFTER_MS)
    progress.setAutoClose(False)
    progress.setAutoReset(False)
    progress.setMinimumWidth(360)
    loop = QEventLoop()
    thread.status.connect(progress.setLabelText)
    stopped: list[bool] = []  # Cancel clicked, Escape pressed or the dialog closed

    def stop() -> None:
        stopped.append(True)
        loop.quit()
    thread.done.connect(loop.quit)
    progress.canceled.connect(stop)
    progress.rejected.connect(stop)
    thread.start()
    loop.exec()
    show.stop()
    cancelled = bool(stopped) or progress.wasCanceled()
    progress.close()
    progress.deleteLater()
    if cancelled:  # the thread stops at its next progress call; its result is dropped
        thread.cancelled.set()
        if not _ABANDONED and app is not None:
            app.aboutToQuit.connect(_wait_for_abandoned)
        _ABANDONED.add(thread)
        thread.finished.connect(lambda: _ABANDONED.discard(thread))
        thread.finished.connect(thread.deleteLater)
        if thread.isFinished():  # it may have finished before the connection
            _ABANDONED.discard(thread)
            thread.deleteLater()  # (twice is safe)
        return None
    thread.wait()
    result, error = thread.result, thread.error
    thread.deleteLater()
    if error is not None:
        raise error
    return result
