"""The problems panel: what stops the analysis (errors) and what looks wrong (warnings).

Each problem is a row with an icon and the word "Error" or "Warning" (never colour alone);
activating a row selects the steps it concerns. The list follows the document's analysis: its
rows are a Python list a list view reads (ui.panels.list_rows), replaced in one reset, as a map
of 5,000 lone steps has 5,000 warnings to list again after every edit (112 ms as list items).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QListView, QStyle, QVBoxLayout

from ui.panels.common import MapPanel, OncePerTurn
from ui.panels.list_rows import KEY_ROLE, ListRows, Row
from vsm.analysis import Problem

PROBLEM_ROLE = KEY_ROLE  # a row's problem number; None on the "No problems" row
NO_PROBLEMS = "No problems"
PICK_HINT = "Click or press Enter to select the steps concerned."


class ProblemRows(ListRows):
    """The rows of the problems (number, "Error: ..."): an icon by kind, a hint on the problems
    naming steps; the "No problems" row (no number) cannot be selected."""

    def __init__(self, view: QListView) -> None:
        super().__init__(view)
        self.problems: list[Problem] = []
        style = view.style()  # one icon of each kind, shared by the rows
        self._error = style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical)
        self._warning = style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        self._fine = style.standardIcon(QStyle.StandardPixmap.SP_DialogApplyButton)

    def show_problems(self, problems: list[Problem], analysed: bool) -> None:
        """List `problems`; none: "No problems" when `analysed`, else no row at all."""
        rows: list[Row] = [(number, f"{'Error' if p.blocking else 'Warning'}: {p.message}")
                           for number, p in enumerate(problems)]
        if not problems and analysed:
            rows.append((None, NO_PROBLEMS))
        self.problems = problems
        self.replace(rows)

    def icon(self, row: Row) -> QIcon | None:
        number = row[0]
        if not isinstance(number, int):
            return self._fine
        return self._error if self.problems[number].blocking else self._warning

    def tooltip(self, row: Row) -> str | None:
        number = row[0]
        return PICK_HINT if isinstance(number, int) and self.problems[number].step_ids else None

    def selectable(self, row: Row) -> bool:
        return row[0] is not None


class ProblemsPanel(MapPanel):
    """The analysis problems of the map shown; "No problems" when there are none."""

    steps_selected = Signal(list)  # the step ids of the problem the user activated
    count_changed = Signal(int)  # number of problems, after every refresh

    def build(self) -> None:
        self._problems: list[Problem] = []
        self.list = QListView()
        self.rows = ProblemRows(self.list)
        self.list.setModel(self.rows)
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setLayoutMode(QListView.LayoutMode.Batched)  # a long list: 100 rows a turn
        self.list.setBatchSize(100)
        pick = OncePerTurn(self._pick)
        self.list.clicked.connect(lambda index: pick(index.data(PROBLEM_ROLE)))
        self.list.activated.connect(lambda index: pick(index.data(PROBLEM_ROLE)))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)

    def problem_count(self) -> int:
        """How many problems (errors and warnings) the map shown has."""
        return len(self._problems)

    def problems(self) -> list[Problem]:
        """The problems shown, in the analysis' order."""
        return list(self._problems)

    def lines(self) -> list[str]:
        """The rows as shown ("Error: ...", "Warning: ...", or "No problems")."""
        return self.rows.texts()

    def map_shown(self) -> None:
        self.analysis_updated()

    def analysis_updated(self) -> None:
        analysis = self.analysis()
        self._problems = list(analysis.problems) if analysis is not None else []
        self.rows.show_problems(self._problems, analysed=analysis is not None)
        self.count_changed.emit(len(self._problems))

    def _pick(self, number: int | None) -> None:
        if number is not None and 0 <= number < len(self._problems):
            step_ids = [s for s in self._problems[number].step_ids
                        if self.map is not None and self.map.has_step(s)]
            if step_ids:
                self.steps_selected.emit(step_ids)
