"""The problems panel: what stops the analysis (errors) and what looks wrong (warnings).

Each problem is a row with an icon and the word "Error" or "Warning" (never colour alone);
activating a row selects the steps it concerns. The list follows the document's analysis.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QStyle, QVBoxLayout

from ui.panels.common import MapPanel, OncePerTurn
from vsm.analysis import Problem

PROBLEM_ROLE = Qt.ItemDataRole.UserRole


class ProblemsPanel(MapPanel):
    """The analysis problems of the map shown; "No problems" when there are none."""

    steps_selected = Signal(list)  # the step ids of the problem the user activated
    count_changed = Signal(int)  # number of problems, after every refresh

    def build(self) -> None:
        self._problems: list[Problem] = []
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        self.list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.list.setLayoutMode(QListWidget.LayoutMode.Batched)  # a long list: 100 rows a turn
        self.list.setBatchSize(100)
        pick = OncePerTurn(self._pick)
        self.list.itemClicked.connect(lambda item: pick(item.data(PROBLEM_ROLE)))
        self.list.itemActivated.connect(lambda item: pick(item.data(PROBLEM_ROLE)))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)

    def problem_count(self) -> int:
        """How many problems (errors and warnings) the map shown has."""
        return len(self._problems)

    def problems(self) -> list[Problem]:
        """The problems shown, in the analysis' order."""
        return list(self._problems)

    def map_shown(self) -> None:
        self.analysis_updated()

    def analysis_updated(self) -> None:
        analysis = self.analysis()
        self._problems = list(analysis.problems) if analysis is not None else []
        self.list.clear()
        style = self.style()
        for number, problem in enumerate(self._problems):
            if problem.blocking:
                kind, icon = "Error", QStyle.StandardPixmap.SP_MessageBoxCritical
            else:
                kind, icon = "Warning", QStyle.StandardPixmap.SP_MessageBoxWarning
            item = QListWidgetItem(style.standardIcon(icon), f"{kind}: {problem.message}")
            item.setData(PROBLEM_ROLE, number)
            if problem.step_ids:
                item.setToolTip("Click or press Enter to select the steps concerned.")
            self.list.addItem(item)
        if not self._problems and analysis is not None:
            item = QListWidgetItem(style.standardIcon(QStyle.StandardPixmap.SP_DialogApplyButton),
                                   "No problems")
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.list.addItem(item)
        self.count_changed.emit(len(self._problems))

    def _pick(self, number: int | None) -> None:
        if number is not None and 0 <= number < len(self._problems):
            step_ids = [s for s in self._problems[number].step_ids
                        if self.map is not None and self.map.has_step(s)]
            if step_ids:
                self.steps_selected.emit(step_ids)
