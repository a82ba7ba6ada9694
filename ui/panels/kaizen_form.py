"""The kaizen page of the property pane: every field of one kaizen burst.

Each field commits on its own through the document's set_kaizen_field verb (one undo step); a value the model
refuses (an empty title, a due date that is not YYYY-MM-DD, a saving that is not a duration) is
shown under the field and nothing is pushed. The step list offers the map's steps and "free".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget

from ui.panels.common import (
    ComboField,
    DurationField,
    Field,
    LineField,
    TextField,
    form_in,
    heading,
)
from vsm.model import ValueStreamMap
from vsm.model.durations import format_duration
from vsm.model.events import KaizenChanged, StepAdded, StepChanged, StepRemoved
from vsm.model.kaizen import KAIZEN_STATUSES, WASTES
from vsm.model.records import Kaizen

FREE = ""  # the step list's key for a kaizen not attached to a step
FREE_LABEL = "(free: not attached to a step)"
FIELD_OF_KEY = {"expected_saving": "expected_saving_minutes", "step": "step_id"}


def kaizen_text(name: str, kaizen: Kaizen) -> Any:
    """A kaizen field as the form reads it: minutes for the saving (its DurationField formats
    them), "" for no date or no step."""
    if name == "expected_saving":
        return kaizen.expected_saving_minutes
    if name == "due":
        return kaizen.due or ""
    if name == "step":
        return kaizen.step_id or FREE
    return getattr(kaizen, name)


class KaizenPage(QWidget):
    """The form of one kaizen; `fields` by key: title, description, waste, owner, due, status,
    expected_saving, step."""

    def __init__(self, current_map: Callable[[], ValueStreamMap | None],
                 current_kaizen: Callable[[], str | None],
                 set_field: Callable[[str, str, Any], object],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._map = current_map
        self._kaizen_id = current_kaizen
        self._set_field = set_field
        self.fields: dict[str, Field] = {}
        outer = QVBoxLayout(self)
        self.title = heading()
        outer.addWidget(self.title)
        form = form_in(outer)
        form.addRow("&Title", self._line("title", tip="What to change, in a few words").container)
        description = TextField(self._editor(QPlainTextEdit(), "description"),
                                self._reader("description"), self._setter("description"))
        description.editor.setTabChangesFocus(True)
        description.editor.setMinimumHeight(60)
        description.editor.setMaximumHeight(120)
        description.editor.setToolTip("The idea in full; saved when you leave the field")
        self.fields["description"] = description
        form.addRow("&Description", description.container)
        form.addRow("&Waste", self._combo("waste", WASTES).container)
        form.addRow("&Owner", self._line("owner", "e.g. Change manager",
                                         "Who makes the change happen").container)
        form.addRow("D&ue", self._line("due", "YYYY-MM-DD, or empty for none",
                                       "The date the change is due, written YYYY-MM-DD; "
                                       "leave empty for no date").container)
        form.addRow("&Status", self._combo("status", KAIZEN_STATUSES).container)
        form.addRow("Expected sa&ving", self._line(
            "expected_saving", "e.g. 2h 30m", "Lead time the change is expected to save. "
            "Minutes, or e.g. 45m, 1h 30m, 1.5h, 2d 4h, 1w", DurationField).container)
        form.addRow("Ste&p", self._combo("step", {FREE: FREE_LABEL}).container)
        self.info = QLabel()
        self.info.setWordWrap(True)
        outer.addWidget(self.info)
        outer.addStretch(1)

    # ------------------------------------------------------------ building

    @staticmethod
    def _editor(editor: QWidget, key: str) -> Any:
        editor.setObjectName(f"kaizen_{key}")
        return editor

    def _line(self, key: str, placeholder: str = "", tip: str = "",
              kind: type[LineField] = LineField) -> LineField:
        editor = self._editor(QLineEdit(), key)
        editor.setPlaceholderText(placeholder)
        editor.setToolTip(tip)
        field = kind(editor, self._reader(key), self._setter(key))
        self.fields[key] = field
        return field

    def _combo(self, key: str, choices: dict[str, str]) -> ComboField:
        field = ComboField(self._editor(QComboBox(), key), choices, self._reader(key),
                           self._setter(key))
        self.fields[key] = field
        return field

    def _kaizen(self) -> Kaizen:
        return self._map().kaizen(self._kaizen_id())

    def _reader(self, key: str) -> Callable[[], Any]:
        return lambda: kaizen_text(key, self._kaizen())

    def _setter(self, key: str) -> Callable[[Any], object]:
        field = FIELD_OF_KEY.get(key, key)
        return lambda value: self._set_field(self._kaizen_id(), field, value)

    # ------------------------------------------------------------ showing

    def refill_steps(self) -> None:
        """The step list: "free", then the map's steps in order."""
        combo: QComboBox = self.fields["step"].editor
        map_ = self._map()
        wanted = [(FREE_LABEL, FREE)] + [(s.name, s.id) for s in (map_.steps if map_ else [])]
        present = [(combo.itemText(i), combo.itemData(i)) for i in range(combo.count())]
        if wanted != present:
            combo.blockSignals(True)
            combo.clear()
            for label, key in wanted:
                combo.addItem(label, key)
            combo.blockSignals(False)
        if map_ is not None and self._kaizen_id() is not None:
            self.fields["step"].refresh(force=True)

    def update_title(self) -> None:
        kaizen = self._kaizen()
        self.title.setText(f"Kaizen: {kaizen.title}")
        map_ = self._map()
        where = (f"Attached to {map_.step(kaizen.step_id).name}." if kaizen.step_id
                 else "Free on the canvas.")
        saving = (f" Expected to save {format_duration(kaizen.expected_saving_minutes)} of "
                  "lead time." if kaizen.expected_saving_minutes > 0 else "")
        self.info.setText(where + saving)

    def map_event(self, event: object) -> None:
        """Follow the model: the kaizen's own changes and the steps the list offers."""
        if isinstance(event, KaizenChanged) and event.kaizen.id == self._kaizen_id():
            key = {v: k for k, v in FIELD_OF_KEY.items()}.get(event.field, event.field)
            if key in self.fields:
                self.fields[key].refresh()
            self.update_title()
        elif isinstance(event, (StepAdded, StepRemoved)) or (
                isinstance(event, StepChanged) and event.field == "name"):
            self.refill_steps()
            self.update_title()
