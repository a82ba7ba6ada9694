"""The step table's measured columns (vsm mine): a step's cases and visits in the event log, read
only; a step measured in fewer than 30 cases greyed and marked "(low)", as the canvas draws it
dotted and greyed. The table shows these columns only for a map with measured steps. Also the
property pane's read-only line for the same counts (`measured_label`)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import QLabel, QTableView

from vsm.model import Step, ValueStreamMap
from vsm.model.measured import counts_words, low_confidence

MEASURED_COLUMNS = ("cases", "visits")


def measured_cell(step: Step, key: str, role: int) -> Any:
    """What the cell of the `key` column ("cases" or "visits") of `step` holds for `role`."""
    count = getattr(step, key)
    low = low_confidence(step.cases)
    if role == Qt.ItemDataRole.DisplayRole:
        if count is None:
            return ""
        return f"{count:,} (low)" if key == "cases" and low else f"{count:,}"
    if role == Qt.ItemDataRole.ToolTipRole and step.cases is not None:
        return "Measured in the event log: " + counts_words(step.cases, step.visits)
    if role == Qt.ItemDataRole.TextAlignmentRole:
        return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    if role == Qt.ItemDataRole.ForegroundRole and low:
        return QGuiApplication.palette().color(QPalette.ColorRole.PlaceholderText)
    return None


def show_measured_columns(view: QTableView, map_: ValueStreamMap | None,
                          column: dict[str, int]) -> None:
    """Show the measured columns only for a map with measured steps (vsm mine)."""
    shown = map_ is not None and any(step.cases is not None for step in map_.steps)
    for key in MEASURED_COLUMNS:
        view.setColumnHidden(column[key], not shown)


def measured_label() -> QLabel:
    """A read-only line for what the event log measured (vsm mine): counts, not editable."""
    label = QLabel()
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setToolTip("Counted in the event log the map was mined from (read only); a figure "
                     "measured in fewer than 30 cases is drawn dotted and greyed on the canvas")
    return label
