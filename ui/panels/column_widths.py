"""Column widths of a table that people read on a projector: every column as wide as what it
shows, and one column (the step table's Name) taking the room that is left.

`ColumnFitter.fit()` sizes each column to the widest of its header, its cells (those in view and
the first ROWS_MEASURED: a table of thousands of rows is not read whole) and a sample
text ("Deliver & support", "Software asset management": what the column must show unelided
even before any row has it, as in a new document's empty map), capped where a column may run
long (the step table's Flags: its tooltip has them all). The filling column then takes the
viewport's width left over, never less than its minimum; it is kept so when the view is resized
or the user drags another column's edge. Every column stays resizable by hand.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QHeaderView, QTableView

PADDING = 16  # pixels around a sample text: the cell's margins and a little air
ROWS_MEASURED = 40  # rows a column's contents are measured on, besides those in view (Qt's
# default, 1,000, asked the step table of a 5,000-step map for 96,000 cells: 0.85 s on opening;
# 100 still took ~85 ms of the 5,000-step map's opening, in one block: issue 19)


class ColumnFitter(QObject):
    """Fits the columns of `view`; `fill` is the column that takes the remaining width.

    `samples`: column -> texts the column must show whole; `caps`: column -> the widest it is
    made by its contents (in pixels; its header always fits); `fill_minimum`: the narrowest the
    filling column gets (a horizontal scroll bar appears below that).
    """

    def __init__(self, view: QTableView, fill: int, samples: dict[int, tuple[str, ...]],
                 caps: dict[int, int] | None = None, fill_minimum: int = 160) -> None:
        super().__init__(view)
        self.view = view
        self.fill = fill
        self.samples = samples
        self.caps = caps or {}
        self.fill_minimum = fill_minimum
        self._fitting = False
        header = view.horizontalHeader()
        header.setResizeContentsPrecision(ROWS_MEASURED)  # sizeHintForColumn reads this one
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.sectionResized.connect(self._on_section_resized)
        self._viewport = view.viewport()
        self._viewport.installEventFilter(self)

    def width_for(self, column: int) -> int:
        """The width `fit()` gives a column other than the filling one."""
        view, header = self.view, self.view.horizontalHeader()
        metrics = view.fontMetrics()
        contents = max(view.sizeHintForColumn(column), 0)
        if column in self.caps:
            contents = min(contents, self.caps[column])
        sample = max((metrics.horizontalAdvance(text) + PADDING
                      for text in self.samples.get(column, ())), default=0)
        return max(contents, header.sectionSizeHint(column), sample)

    def fit(self) -> None:
        """Size every column to its contents and samples; the filling column takes the rest."""
        header = self.view.horizontalHeader()
        self._fitting = True
        try:
            for column in range(header.count()):
                if column != self.fill:
                    header.resizeSection(column, self.width_for(column))
        finally:
            self._fitting = False
        self.fill_rest()

    def fill_rest(self) -> None:
        """Give the filling column the viewport's width the other columns leave."""
        header = self.view.horizontalHeader()
        if not 0 <= self.fill < header.count():
            return
        others = sum(header.sectionSize(c) for c in range(header.count())
                     if c != self.fill and not header.isSectionHidden(c))
        width = max(self.fill_minimum, self.view.viewport().width() - others)
        if width != header.sectionSize(self.fill):
            self._fitting = True
            try:
                header.resizeSection(self.fill, width)
            finally:
                self._fitting = False

    def _on_section_resized(self, column: int, _old: int, _new: int) -> None:
        if not self._fitting and column != self.fill:  # the user dragged another column
            self.fill_rest()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if (event.type() == QEvent.Type.Resize and watched is self._viewport
                and shiboken6.isValid(self.view)):  # not while the view is being destroyed
            self.fill_rest()
        return False
