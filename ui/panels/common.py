"""What the dock panels share: the map-following base class, inline error lines, form fields.

A form field ties one editor widget to one model value: `refresh()` shows the model's value
(unless the user is in the middle of typing in it), `commit()` hands what is typed to an apply
function, which calls one of the document's verbs (one command, or none when nothing changes), or
shows the model's refusal under the editor and changes nothing.
"""

from __future__ import annotations

import re
from typing import Any, Callable

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from ui.document.document import Document
from vsm.analysis import MapAnalysis
from vsm.model import ModelError, ValueStreamMap
from vsm.model.durations import format_duration, format_exact
from vsm.model.events import BatchEnded, BatchStarted

Apply = Callable[[Any], object]  # a document verb with the value; ModelError if refused


def is_dark(widget: QWidget) -> bool:
    """True when the widget's palette is a dark scheme."""
    return widget.palette().color(QPalette.ColorRole.Window).lightness() < 128


def alert_colour(widget: QWidget) -> str:
    """A red readable on the widget's background, light or dark."""
    return "#ff8a80" if is_dark(widget) else "#b00020"


_SUBJECT = re.compile(r"^(step|map) '[^']*': |^flow '[^']*' -> '[^']*': ")


def without_subject(message: str) -> str:
    """A model message without its leading "step 'Name': " (the form already shows the step)."""
    trimmed = _SUBJECT.sub("", message, count=1)
    return trimmed[:1].upper() + trimmed[1:]


def duration_text(minutes: float) -> str:
    """Minutes as people read them: exact for whole minutes ('1d 1h 30m'), else rounded to the
    three largest units ('2d 11h 18m' for 3557.647), never a raw float of minutes."""
    if minutes == int(minutes):
        return format_exact(minutes)
    return format_duration(minutes, units=3)


def exact_minutes(minutes: float) -> str:
    """'' when duration_text() shows `minutes` exactly, else what it rounded: 'exactly 3557.65
    minutes'."""
    if minutes == int(minutes):
        return ""
    return f"exactly {minutes:,.2f} minutes".replace(".00 ", " ")


DURATION_FIELDS = ("process_time", "wait_time")  # shown as durations, edited in minutes


def step_text(name: str, value: Any) -> Any:
    """A step field as the form reads it: minutes for durations (their DurationField formats
    them), plain numbers, keys for choices."""
    if name in DURATION_FIELDS:
        return value
    if name in ("pca", "people"):
        return f"{value:g}"
    return value


def percent_text(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def form_in(outer: QVBoxLayout) -> QFormLayout:
    """A form in a new widget appended to `outer`, its fields growing and long rows wrapping."""
    holder = QWidget()
    outer.addWidget(holder)
    form = QFormLayout(holder)
    form.setContentsMargins(0, 0, 0, 0)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
    return form


def heading(text: str = "") -> QLabel:
    """A bold label a little larger than the text, over a part of a form."""
    label = QLabel(text)
    font = label.font()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.15)
    label.setFont(font)
    label.setWordWrap(True)
    return label


class MapSubscription:
    """Keeps `listener` subscribed to one map at a time, and drops it when `owner` is destroyed.

    A map outlives the panels showing it; without this, a deleted panel would still receive the
    map's events (and crash touching its deleted Qt object). The listener also hears where a
    batch of changes starts and ends (BatchStarted, BatchEnded: vsm.model.bulk), and is given
    the batch's per-item events at once, in BatchEnded.events, not one by one.
    """

    def __init__(self, owner: QObject, listener: Callable[[object], None]) -> None:
        self.map: ValueStreamMap | None = None
        self._listener = listener
        owner.destroyed.connect(lambda *_: self.switch(None))

    def switch(self, map_: ValueStreamMap | None) -> None:
        """Unsubscribe from the current map, subscribe to `map_`."""
        if self.map is not None:
            self.map.unsubscribe(self._listener)
        self.map = map_
        if map_ is not None:
            map_.subscribe(self._listener, gathered=True)  # a batch's changes at its end


class _OnePerTurn(QObject):
    """Panels' refreshes after an analysis of a costly map, one panel per turn of the event
    loop: together they took 90 ms at 5,000 steps in the turn the figures arrived in, one at a
    time the window paints and takes input between them."""

    def __init__(self) -> None:
        super().__init__()
        self._due: dict[int, MapPanel] = {}  # id -> panel, in the order asked
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._next)

    def ask(self, panel: MapPanel) -> None:
        """Refresh `panel` in a coming turn (once, however often asked before)."""
        self._due[id(panel)] = panel
        self._timer.start()

    def _next(self) -> None:
        if not self._due:
            return
        panel = self._due.pop(next(iter(self._due)))
        if self._due:
            self._timer.start()
        if shiboken6.isValid(panel):
            panel.refresh_due()


_later: _OnePerTurn | None = None


def _one_per_turn() -> _OnePerTurn:
    global _later
    if _later is None or not shiboken6.isValid(_later):
        _later = _OnePerTurn()
    return _later


class FollowsAnalysis:
    """Mixin for what shows one map of a document and hears its analysis: the class has a
    `document`, `set_map(map_)` and `_on_analysis_changed(map_id)`."""

    document: Document | None

    def set_document(self, document: Document | None) -> None:
        """Follow another document; shows no map until set_map() is called."""
        if self.document is not None:
            self.document.analysis_changed.disconnect(self._on_analysis_changed)
        self.set_map(None)
        self.document = document
        if document is not None:
            document.analysis_changed.connect(self._on_analysis_changed)


class MapPanel(FollowsAnalysis, QWidget):
    """Base of the panels: follows one document and one of its maps.

    Subclasses build their widgets in `build()` and override `map_shown()` (a new map or
    none), `map_event(event)` (a model event of the map shown) and `analysis_updated()` (a fresh
    analysis of the map shown). After an analysis of a map the live analysis counts costly,
    `analysis_updated()` is called in a coming turn of the event loop, each panel in a turn of
    its own (`refresh_pending` meanwhile), so the window paints and takes input between them.
    """

    def __init__(self, document: Document | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document: Document | None = None
        self.map: ValueStreamMap | None = None
        self._subscription = MapSubscription(self, self._on_map_event)
        self.refresh_pending = False  # an analysis came; shown in a coming turn (costly maps)
        self.build()
        if document is not None:
            self.set_document(document)

    def build(self) -> None:
        """Create the widgets; called once by the constructor, before any document is shown."""

    def set_map(self, map_: ValueStreamMap | None) -> None:
        """Show another map (or none): unsubscribe from the old map, subscribe to the new."""
        self.refresh_pending = False  # map_shown refreshes everything now
        self._subscription.switch(map_)
        self.map = map_
        self.map_shown()

    def analysis(self) -> MapAnalysis | None:
        """The current analysis of the map shown, or None without a map."""
        if self.document is None or self.map is None:
            return None
        return self.document.analysis(self.map.id)

    def _on_map_event(self, event: object) -> None:
        if isinstance(event, BatchEnded):
            self.batch_ended(list(event.events))
        elif not isinstance(event, BatchStarted):
            self.map_event(event)

    def batch_ended(self, events: list[object]) -> None:
        """A batch of model events ended (vsm.model.bulk: a delete of many items, its undo, a
        paste, a move); `events` are its per-item events, given together now. Each goes to
        map_event in turn (none when the panel has no map_event of its own); a panel that can
        follow many changes at once more cheaply says so here."""
        if type(self).map_event is MapPanel.map_event:
            return  # nothing to tell
        for event in events:
            self.map_event(event)

    def _on_analysis_changed(self, map_id: str) -> None:
        if self.map is not None and map_id == self.map.id:
            if self.document is not None and self.document.live.costly(map_id):
                self.refresh_pending = True  # in a coming turn, each panel in its own
                _one_per_turn().ask(self)
                return
            self.analysis_updated()

    def refresh_due(self) -> None:
        """The refresh asked after an analysis of a costly map (see _OnePerTurn)."""
        if self.refresh_pending:
            self.refresh_pending = False
            if self.map is not None:
                self.analysis_updated()

    def map_shown(self) -> None:
        """Called after set_map(); refresh everything."""

    def map_event(self, event: object) -> None:
        """Called for every event of the map shown."""

    def analysis_updated(self) -> None:
        """Called when the analysis of the map shown has been recomputed."""


class InlineError(QWidget):
    """A warning icon and a message under a field, hidden while there is nothing to say."""

    def __init__(self, prefix: str = "Not accepted", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.prefix = prefix
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.icon = QLabel()
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        icon = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        self.icon.setPixmap(icon.pixmap(size, size))
        self.icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.icon)
        layout.addWidget(self.label, 1)
        self.hide()

    def show_message(self, message: str) -> None:
        """Show `message` after the prefix ("Not accepted: ..."), so it does not rely on colour."""
        self.label.setStyleSheet(f"color: {alert_colour(self)};")
        self.label.setText(f"{self.prefix}: {message}")
        self.setAccessibleDescription(message)
        self.show()

    def clear(self) -> None:
        self.label.clear()
        self.hide()

    def message(self) -> str:
        """The message shown, or "" when hidden."""
        return self.label.text() if not self.isHidden() else ""


class Field(QObject):
    """One editable model value in a form: an editor, its inline error, a reader and an apply
    function."""

    def __init__(self, editor: QWidget, read: Callable[[], Any], apply: Apply) -> None:
        super().__init__(editor)
        self.editor = editor
        self.error = InlineError()
        self.container = QWidget()
        layout = QVBoxLayout(self.container)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(editor)
        layout.addWidget(self.error)
        self.container.setFocusProxy(editor)  # a form label's mnemonic focuses the editor
        self._read = read
        self._apply = apply

    def value(self) -> Any:
        """What the editor holds now."""
        raise NotImplementedError

    def show_value(self, value: Any) -> None:
        """Put a model value in the editor."""
        raise NotImplementedError

    def being_edited(self) -> bool:
        """True while the user has typed something not yet committed into a focused editor."""
        return False

    def refresh(self, force: bool = False) -> None:
        """Show the model's value, unless the user is typing in this editor (and not forced)."""
        if not force and self.being_edited():
            return
        self.error.clear()
        self.show_value(self._read())

    def commit(self) -> bool:
        """Apply the typed value (one command); on ModelError show it and change nothing."""
        try:
            self._apply(self.value())
        except ModelError as error:
            self.error.show_message(without_subject(str(error)))
            return False
        self.error.clear()
        self.show_value(self._read())  # normalised: "90" reads back as "1h 30m"
        return True


class LineField(Field):
    """A QLineEdit committed on editingFinished (Return, or leaving it after a change)."""

    editor: QLineEdit

    def __init__(self, editor: QLineEdit, read: Callable[[], Any], apply: Apply) -> None:
        super().__init__(editor, read, apply)
        editor.editingFinished.connect(self.commit)

    def value(self) -> str:
        return self.editor.text()

    def show_value(self, value: Any) -> None:
        self.editor.setText(str(value))
        self.editor.setCursorPosition(0)

    def being_edited(self) -> bool:
        return self.editor.hasFocus() and self.editor.isModified()


class DurationField(LineField):
    """A line for a time: shows the model's minutes as duration_text() ('2d 11h 18m'), takes
    what people type ('2d 4h', '90m', '1.5h', '45'). Committing the text as shown changes
    nothing, so a rounded display never rounds the model's value."""

    def __init__(self, editor: QLineEdit, read: Callable[[], float], apply: Apply) -> None:
        super().__init__(editor, read, apply)
        self._tip = editor.toolTip()
        self._shown = ""

    def show_value(self, value: Any) -> None:
        self._shown = duration_text(float(value))
        super().show_value(self._shown)
        exact = exact_minutes(float(value))
        self.editor.setToolTip(f"{self._tip}\n(Shown rounded: {exact}.)" if exact and self._tip
                               else f"Shown rounded: {exact}." if exact else self._tip)

    def commit(self) -> bool:
        if self.value().strip() == self._shown:  # Return on the value as shown: nothing typed
            self.error.clear()
            self.show_value(self._read())
            return True
        return super().commit()


class ComboField(Field):
    """A QComboBox of (label, key) items committed when an item is activated."""

    editor: QComboBox

    def __init__(self, editor: QComboBox, choices: dict[str, str], read: Callable[[], Any],
                 apply: Apply) -> None:
        super().__init__(editor, read, apply)
        for key, label in choices.items():
            editor.addItem(label, key)
        editor.activated.connect(self._on_activated)

    def value(self) -> Any:
        return self.editor.currentData()

    def show_value(self, value: Any) -> None:
        self.editor.setCurrentIndex(self.editor.findData(value))

    def _on_activated(self, _index: int) -> None:
        if not self.commit():  # a refused choice: show what the model still holds
            self.show_value(self._read())


class TextField(Field):
    """A QPlainTextEdit committed when it loses focus."""

    editor: QPlainTextEdit

    def __init__(self, editor: QPlainTextEdit, read: Callable[[], Any], apply: Apply) -> None:
        super().__init__(editor, read, apply)
        editor.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.editor and event.type() == QEvent.Type.FocusOut:
            if self.editor.document().isModified():
                self.commit()
        return False

    def value(self) -> str:
        return self.editor.toPlainText()

    def show_value(self, value: Any) -> None:
        if self.editor.toPlainText() != value:
            self.editor.setPlainText(str(value))
        self.editor.document().setModified(False)

    def being_edited(self) -> bool:
        return self.editor.hasFocus() and self.editor.document().isModified()


class OncePerTurn:
    """Calls `callback(key)` at most once per event-loop turn for the same key.

    Item views emit both `clicked` and `activated` for one click on platforms that activate on a
    single click; connecting both to this keeps the panel's signal from firing twice.
    """

    def __init__(self, callback: Callable[[Any], None]) -> None:
        self._callback = callback
        self._recent: set[Any] = set()

    def __call__(self, key: Any) -> None:
        if key in self._recent:
            return
        self._recent.add(key)
        QTimer.singleShot(0, self._recent.clear)
        self._callback(key)
