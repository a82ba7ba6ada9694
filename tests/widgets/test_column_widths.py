"""Column widths of a long table: measured on the rows in view and the first ROWS_MEASURED, not on
every row (the step table of a 5,000-step map read 96,000 cells on opening)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QTableView

from ui.panels.column_widths import ROWS_MEASURED, ColumnFitter

LONG = "a step name long enough to need a very wide column indeed, wider than any other"


class CountingModel(QStandardItemModel):
    """Counts the rows whose display text a view asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.rows_read: set[int] = set()

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole:
            self.rows_read.add(index.row())
        return super().data(index, role)


def table(qtbot, rows: int, long_at: int) -> tuple[QTableView, CountingModel, ColumnFitter]:
    model = CountingModel()
    for row in range(rows):
        model.appendRow([QStandardItem(LONG if row == long_at else f"step {row}"),
                         QStandardItem("x")])
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(500, 300)
    fitter = ColumnFitter(view, fill=1, samples={})
    return view, model, fitter


def test_a_long_table_is_measured_on_its_first_rows_only(qtbot):
    view, model, fitter = table(qtbot, 5000, long_at=4000)
    model.rows_read.clear()
    fitter.fit()
    # The rows in view and the first ROWS_MEASURED, never the 5,000.
    assert 0 < len(model.rows_read) <= ROWS_MEASURED + 50
    long_width = view.fontMetrics().horizontalAdvance(LONG)
    assert view.horizontalHeader().sectionSize(0) < long_width  # row 4,000 was not read


def test_a_short_table_fits_every_cell(qtbot):
    view, model, fitter = table(qtbot, ROWS_MEASURED // 2, long_at=ROWS_MEASURED // 2 - 1)
    fitter.fit()
    long_width = view.fontMetrics().horizontalAdvance(LONG)
    assert view.horizontalHeader().sectionSize(0) >= long_width
