"""Quick capture: a bar of three fields (Name, Process time, Wait) to type a value stream as fast
as people speak it.

Name, Tab, process time, Tab, wait, Enter: the step is appended after the last captured step (or
the selected one, or the last one of the map) to its right, connected to it by a flow, as the
canvas appends a step (MapView.append_step: one command, step and flow together, one undo). The fields then clear and the cursor goes
back to Name. Times are parsed as everywhere else (vsm.model.durations through the model's
clean_step_value); a time that is not one shows an inline error under its field, keeps the typed
text and pushes nothing. An empty time counts as 0.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QLineEdit, QPushButton, QWidget

from ui.panels.common import InlineError
from vsm.model import ModelError, Step, clean_step_value

if TYPE_CHECKING:
    from ui.canvas.view import MapView

FIELDS = (("name", "Name", "Step name"),
          ("process_time", "Process time", "Process time, e.g. 15m"),
          ("wait_time", "Wait", "Wait before the step, e.g. 2h"))


class QuickCaptureBar(QWidget):
    """Three line edits in a row; Enter in any of them captures the step."""

    step_captured = Signal(str)  # id of the new step

    def __init__(self, current_view: Callable[[], MapView | None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.current_view = current_view
        self._last: tuple[str, str] | None = None  # (map id, step id) of the last captured step
        self.edits: dict[str, QLineEdit] = {}
        self.errors: dict[str, InlineError] = {}
        layout = QGridLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setHorizontalSpacing(6)
        layout.setVerticalSpacing(2)
        layout.addWidget(QLabel("Quick capture:"), 0, 0)
        for column, (field, caption, hint) in enumerate(FIELDS, start=1):
            edit = QLineEdit()
            edit.setObjectName(f"quick_{field}")
            edit.setPlaceholderText(hint)
            edit.setAccessibleName(caption)
            edit.setToolTip(f"{caption}: Tab to the next field, Enter adds the step after the "
                            "previous one and connects them")
            edit.returnPressed.connect(self.capture)
            edit.textEdited.connect(lambda _text, f=field: self.errors[f].clear())
            error = InlineError(caption)
            self.edits[field] = edit
            self.errors[field] = error
            layout.addWidget(edit, 0, column)
            layout.addWidget(error, 1, column)
        layout.setColumnStretch(1, 3)
        layout.setColumnStretch(2, 1)
        layout.setColumnStretch(3, 1)
        add = QPushButton("Add")
        add.setToolTip("Add the step (Enter)")
        add.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes Name -> Process time -> Wait
        add.clicked.connect(self.capture)
        layout.addWidget(add, 0, len(FIELDS) + 1)
        QWidget.setTabOrder(self.edits["name"], self.edits["process_time"])
        QWidget.setTabOrder(self.edits["process_time"], self.edits["wait_time"])

    def start(self) -> None:
        """Put the cursor in Name."""
        self.edits["name"].setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.edits["name"].selectAll()

    def error_text(self, field: str) -> str:
        """The inline error under a field ("" when none is shown)."""
        error = self.errors[field]
        return error.label.text() if not error.isHidden() else ""

    def _values(self) -> dict[str, object] | None:
        """The typed values, cleaned; None (with inline errors shown) when one is refused."""
        name = self.edits["name"].text().strip()
        values: dict[str, object] = {}
        ok = True
        if not name:
            self.errors["name"].show_message("type the step's name")
            ok = False
        values["name"] = name
        for field in ("process_time", "wait_time"):
            text = self.edits[field].text().strip() or "0"
            try:
                values[field] = clean_step_value(name or "New step", field, text)
            except ModelError as error:
                self.errors[field].show_message(str(error))
                ok = False
        return values if ok else None

    def _previous(self, view: MapView) -> Step | None:
        scene, map_ = view.scene(), view.scene().map
        if self._last is not None and self._last[0] == map_.id and map_.has_step(self._last[1]):
            return map_.step(self._last[1])
        selected = scene.selected_step_ids()
        if selected:
            return max((map_.step(v) for v in selected), key=lambda s: (s.x, -s.y))
        return map_.steps[-1] if map_.steps else None

    def capture(self) -> str | None:
        """Add the typed step after the previous one (one command); returns its id."""
        for error in self.errors.values():
            error.clear()
        view = self.current_view()
        if view is None or view.read_only or view.scene().document.read_only:
            self.errors["name"].show_message("no editable map is shown")
            return None
        values = self._values()
        if values is None:
            return None
        scene, map_ = view.scene(), view.scene().map
        source = self._previous(view)
        try:
            step_id = view.append_step(source.id if source is not None else None,
                                       text=f"Capture step {values['name']!r}", **values)
        except ModelError as error:
            self.errors["name"].show_message(str(error))
            return None
        step = map_.step(step_id)
        self._last = (map_.id, step.id)
        item = scene.item_for_step.get(step.id)
        if item is not None:
            view.ensureVisible(item.sceneBoundingRect())
        for edit in self.edits.values():
            edit.clear()
        self.edits["name"].setFocus(Qt.FocusReason.OtherFocusReason)
        self.step_captured.emit(step.id)
        return step.id
