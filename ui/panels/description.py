"""The Description panel: the value stream as ITIL 4 describes it (issue 18).

Four texts of the map shown: the trigger (the demand that starts the value stream), the outcome
it creates, the value for the consumer, and the stakeholders involved. Each is saved when the
user leaves it, as one command (document.set_map_field(map id, "itil", ...)), so Ctrl+Z takes it
back; a refused text stays with the reason under it. Under the texts, the ITIL 4 practices the
map's steps name (the step property pane edits them), with how many steps involve each: what the
deck and the A3 report show beside the map.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QScrollArea, QVBoxLayout, QWidget

from ui.panels.common import Field, MapPanel, TextField, form_in
from vsm.analysis.stakeholder_words import practices_line
from vsm.model import MapChanged, StepAdded, StepChanged, StepRemoved
from vsm.model.events import step_changes

__all__ = ["DESCRIPTION_FIELDS", "DescriptionPanel", "practices_line"]

_PRACTICES = frozenset({"practices"})  # the step field the practices line counts

DESCRIPTION_FIELDS: dict[str, tuple[str, str, str]] = {  # key -> label, placeholder, tooltip
    "trigger": ("&Trigger", "e.g. A user reports an outage",
                "The demand that starts the value stream"),
    "outcome": ("&Outcome", "e.g. The service works again",
                "What the value stream creates for the consumer"),
    "value": ("&Value", "e.g. Staff can work; no lost sales",
              "Why the outcome matters to the consumer: the value co-created"),
    "stakeholders": ("&Stakeholders", "e.g. Users, service desk, network vendor",
                     "Who is involved or affected: consumers, teams, vendors, sponsors"),
}


class DescriptionPanel(MapPanel):
    """Edit the ITIL 4 description of the map shown: trigger, outcome, value, stakeholders."""

    def build(self) -> None:
        self.fields: dict[str, Field] = {}
        page = QWidget()
        outer = QVBoxLayout(page)
        intro = QLabel("The value stream as ITIL 4 describes it; shown beside the map on the "
                       "deck and the A3 report.")
        intro.setWordWrap(True)
        outer.addWidget(intro)
        form = form_in(outer)
        for key, (label, placeholder, tip) in DESCRIPTION_FIELDS.items():
            editor = QPlainTextEdit()
            editor.setObjectName(f"itil_{key}")
            editor.setPlaceholderText(placeholder)
            editor.setToolTip(tip + "; saved when you leave the field")
            editor.setTabChangesFocus(True)
            editor.setMinimumHeight(48)
            editor.setMaximumHeight(110)
            field = TextField(editor, self._reader(key), self._setter(key))
            self.fields[key] = field
            form.addRow(label, field.container)
        self.practices = QLabel()
        self.practices.setObjectName("itil_practices")
        self.practices.setWordWrap(True)
        self.practices.setTextFormat(Qt.TextFormat.PlainText)
        self.practices.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.practices.setToolTip("Set on each step in the property pane (ITIL 4 practices)")
        outer.addWidget(self.practices)
        outer.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        self.setEnabled(False)

    def _reader(self, key: str) -> Callable[[], Any]:
        return lambda: getattr(self.map.itil, key) if self.map is not None else ""

    def _setter(self, key: str) -> Callable[[Any], object]:
        def apply(text: Any) -> object:
            return self.document.set_map_field(self.map.id, "itil",
                                               replace(self.map.itil, **{key: text}))
        return apply

    def practices_text(self) -> str:
        """The practices line as shown."""
        return self.practices.text()

    def map_shown(self) -> None:
        self.setEnabled(self.map is not None)
        for field in self.fields.values():
            if self.map is None:
                field.show_value("")
            else:
                field.refresh(force=True)
        self._show_practices()

    def _show_practices(self) -> None:
        line = practices_line(self.map) if self.map is not None else ""
        self.practices.setText("ITIL 4 practices of the steps: " + (
            line or "none named yet (set them on each step in the property pane)"))

    def map_event(self, event: object) -> None:
        if isinstance(event, MapChanged) and event.field == "itil":
            for field in self.fields.values():
                field.refresh()
        elif self._names_practices(event):
            self._show_practices()

    def batch_ended(self, events: list[object]) -> None:
        """A batch (a delete of many steps, its undo, a paste): the practices line is counted
        once at its end, not once per step — each count walks the whole map (issue 19: 1.2 s
        of the undo of a 5,000-step delete)."""
        kinds = set(map(type, events))  # a look at each kind, not at each event
        if MapChanged in kinds:
            for event in events:
                if isinstance(event, MapChanged):
                    self.map_event(event)
        if StepAdded in kinds or StepRemoved in kinds or (
                StepChanged in kinds and step_changes(events, _PRACTICES)):  # not 40,000 moves
            self._show_practices()

    @staticmethod
    def _names_practices(event: object) -> bool:
        return isinstance(event, (StepAdded, StepRemoved)) or (
            isinstance(event, StepChanged) and event.field == "practices")
