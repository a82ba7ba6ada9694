"""Quick capture: a bar of three fields (Name, Process time, Wait) to type a value stream as fast
as people speak it.

Name, Tab, process time, Tab, wait, Enter: the step is appended to the right of the last step
of the map's main path (the critical path the lead time follows: the longest chain), connected
to it by a flow, as the canvas appends a step (MapView.append_step: one command, step and flow
together, one undo). A step selected on the canvas, perhaps in a branch, does not move the
capture there: only with "After the selected step" ticked does the step go after the selection.
The bar says where the next step goes ("Adds after ‘Close ticket’, the end of the main path").
The fields then clear and the cursor goes back to Name. Times are parsed as everywhere else
(vsm.model.durations through the model's clean_step_value); a time that is not one shows an
inline error under its field, keeps the typed text and pushes nothing. An empty time counts as 0.

Ctrl+Z in the bar undoes what was typed in the field since the last capture, if anything, and
otherwise the document's last edit (the step just captured); Ctrl+Shift+Z and Ctrl+Y redo alike.
A facilitator who presses Enter and then Ctrl+Z takes the step back, as in the canvas.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.panels.common import InlineError
from vsm.model import ModelError, Step, ValueStreamMap, clean_step_value

if TYPE_CHECKING:
    from ui.canvas.scene import MapScene
    from ui.canvas.view import MapView
    from ui.document.document import Document

FIELDS = (("name", "Name", "Step name"),
          ("process_time", "Process time", "Process time, e.g. 15m"),
          ("wait_time", "Wait", "Wait before the step, e.g. 2h"))
REDO_KEYS = (QKeySequence("Ctrl+Y"), QKeySequence("Ctrl+Shift+Z"))  # besides the platform's Redo
NAME_SHOWN = 32  # characters of a step name in the placement line


def end_of_main_path(document: Document, map_: ValueStreamMap,
                     last: str | None = None) -> Step | None:
    """The last step of the map's main path: the end of the critical path when the map can be
    analysed; else the step `last` (captured before) if still there, else the rightmost step no
    flow leaves, else the map's last step; None in an empty map."""
    if not map_.steps:
        return None
    analysis = document.analysis(map_.id)
    if analysis.ok and analysis.critical_path and map_.has_step(analysis.critical_path[-1]):
        return map_.step(analysis.critical_path[-1])
    if last is not None and map_.has_step(last):
        return map_.step(last)
    sources = {f.source for f in map_.flows}
    ends = [s for s in map_.steps if s.id not in sources]
    if ends:
        return max(ends, key=lambda s: (s.x, -s.y))
    return map_.steps[-1]


def short(name: str) -> str:
    """A step name cut to NAME_SHOWN characters for the placement line."""
    return name if len(name) <= NAME_SHOWN else name[:NAME_SHOWN - 1] + "…"


class QuickCaptureBar(QWidget):
    """Three line edits in a row; Enter in any of them captures the step."""

    step_captured = Signal(str)  # id of the new step

    def __init__(self, current_view: Callable[[], MapView | None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.current_view = current_view
        self._last: tuple[str, str] | None = None  # (map id, step id) of the last captured step
        self._followed: tuple[weakref.ref[MapScene], weakref.ref[Document]] | None = None
        self._capturing = False
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
                            "end of the main path (or the selected step) and connects them; "
                            "Ctrl+Z takes it back")
            edit.returnPressed.connect(self.capture)
            edit.textEdited.connect(lambda _text, f=field: self.errors[f].clear())
            edit.installEventFilter(self)
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
        layout.addWidget(add, 0, len(FIELDS) + 1, Qt.AlignmentFlag.AlignLeft)
        self.after_selected = QCheckBox("After the selected step")
        self.after_selected.setObjectName("quick_after_selected")
        self.after_selected.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.after_selected.setToolTip("Ticked: add after the step selected on the canvas (in a "
                                       "branch, say). Not ticked: after the end of the main "
                                       "path, whatever is selected")
        self.after_selected.toggled.connect(self.refresh_placement)
        self.placement = QLabel()
        self.placement.setObjectName("quick_placement")
        where = QVBoxLayout()  # the rule above the step it names
        where.setSpacing(2)
        where.addWidget(self.after_selected)
        where.addWidget(self.placement)
        where.addStretch(1)
        layout.addLayout(where, 0, len(FIELDS) + 2, 2, 1)
        QWidget.setTabOrder(self.edits["name"], self.edits["process_time"])
        QWidget.setTabOrder(self.edits["process_time"], self.edits["wait_time"])

    def start(self) -> None:
        """Put the cursor in Name."""
        self.refresh_placement()
        self.edits["name"].setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.edits["name"].selectAll()

    def error_text(self, field: str) -> str:
        """The inline error under a field ("" when none is shown)."""
        error = self.errors[field]
        return error.label.text() if not error.isHidden() else ""

    # ------------------------------------------------------------ where the step goes

    def _editable_view(self) -> MapView | None:
        view = self.current_view()
        if view is None or view.read_only or view.scene().document.read_only:
            return None
        return view

    def target(self) -> tuple[Step | None, str]:
        """The step the next capture follows, and why: "selected" or "main path" (None and
        "empty" in an empty map, or without an editable map)."""
        view = self._editable_view()
        if view is None:
            return None, "empty"
        scene, map_ = view.scene(), view.scene().map
        selected = scene.selected_step_ids() if self.after_selected.isChecked() else []
        if selected:
            return max((map_.step(v) for v in selected), key=lambda s: (s.x, -s.y)), "selected"
        last = self._last[1] if self._last is not None and self._last[0] == map_.id else None
        source = end_of_main_path(scene.document, map_, last)
        return source, "main path" if source is not None else "empty"

    def refresh_placement(self) -> None:
        """Say where the next step goes, and follow the shown map's edits and selection.

        After an edit this waits for the document's analysis_changed: reading the main path
        sooner would analyse the map before the canvas has painted the edit."""
        self._follow(self._editable_view())
        if not self.isVisible() or self._capturing:
            return
        source, why = self.target()
        if self._editable_view() is None:
            text = "No editable map is shown"
        elif source is None:
            text = "Adds the map's first step"
        elif why == "selected":
            text = f"Adds after ‘{short(source.name)}’, the selected step"
        else:
            text = f"Adds after ‘{short(source.name)}’, the end of the main path"
        self.placement.setText(text)
        self.placement.setToolTip(text if source is None else text.replace(
            f"‘{short(source.name)}’", f"‘{source.name}’"))

    def _follow(self, view: MapView | None) -> None:
        """Hear the selection and the analysis of the scene shown (weakly: the bar must not
        keep a closed map's scene or document alive)."""
        scene = view.scene() if view is not None else None
        before = (self._followed[0](), self._followed[1]()) if self._followed else (None, None)
        if scene is before[0] and (scene is None or scene.document is before[1]):
            return
        old_scene, old_document = before
        for owner, signal, slot in ((old_scene, "selectionChanged", self._on_selection),
                                    (old_document, "analysis_changed", self.refresh_placement)):
            if owner is None:
                continue
            try:
                getattr(owner, signal).disconnect(slot)
            except (RuntimeError, TypeError):
                pass  # the scene is gone, and its connections with it
        self._followed = None
        if scene is not None:
            self._followed = (weakref.ref(scene), weakref.ref(scene.document))
            scene.selectionChanged.connect(self._on_selection)
            scene.document.analysis_changed.connect(self.refresh_placement)

    def _on_selection(self) -> None:
        if self.after_selected.isChecked():  # the main path does not follow the selection
            self.refresh_placement()

    def showEvent(self, event: object) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        self.refresh_placement()

    # ------------------------------------------------------------ undo in the bar

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        """Ctrl+Z / Ctrl+Shift+Z / Ctrl+Y in a field with nothing of its own to undo or redo
        undo or redo the document; the focus coming to a field refreshes the placement."""
        kind = event.type()
        if kind == QEvent.Type.FocusIn:
            self.refresh_placement()
        elif kind in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress) and isinstance(
                event, QKeyEvent) and isinstance(watched, QLineEdit):
            action = self._document_action(watched, event)
            if action is not None:
                event.accept()
                if kind == QEvent.Type.KeyPress:
                    action()  # the placement follows on analysis_changed
                return True
        return False

    def _document_action(self, edit: QLineEdit, event: QKeyEvent) -> Callable[[], None] | None:
        view = self._editable_view()
        if view is None:
            return None
        stack = view.scene().document.undo_stack
        if event.matches(QKeySequence.StandardKey.Undo) and not edit.isUndoAvailable():
            return stack.undo
        pressed = QKeySequence(event.keyCombination())
        redo = event.matches(QKeySequence.StandardKey.Redo) or pressed in REDO_KEYS
        if redo and not edit.isRedoAvailable():
            return stack.redo
        return None

    # ------------------------------------------------------------ capturing

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

    def capture(self) -> str | None:
        """Add the typed step after the target (one command); returns its id."""
        for error in self.errors.values():
            error.clear()
        view = self._editable_view()
        if view is None:
            self.errors["name"].show_message("no editable map is shown")
            return None
        values = self._values()
        if values is None:
            return None
        scene, map_ = view.scene(), view.scene().map
        source, why = self.target()
        self._capturing = True  # the placement is said below, without analysing the map now
        try:
            step_id = view.append_step(source.id if source is not None else None,
                                       text=f"Capture step {values['name']!r}", **values)
        except ModelError as error:
            self.errors["name"].show_message(str(error))
            return None
        finally:
            self._capturing = False
        step = map_.step(step_id)
        self._last = (map_.id, step.id)
        item = scene.item_for_step.get(step.id)
        if item is not None:
            view.ensureVisible(item.sceneBoundingRect())
        for edit in self.edits.values():
            edit.setText("")  # not clear(): that is undoable, and Ctrl+Z would bring the text back
        self._capturing = True
        self.edits["name"].setFocus(Qt.FocusReason.OtherFocusReason)
        self._capturing = False
        # The new step ends the main path it was appended to (or is the selection now).
        where = "the selected step" if why == "selected" else "the end of the main path"
        self.placement.setText(f"Adds after ‘{short(step.name)}’, {where}")
        self.step_captured.emit(step.id)
        return step.id
