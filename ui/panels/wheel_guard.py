"""The mouse wheel scrolls panes; it changes a list or a number only in the field being edited.

Qt's combo boxes and spin boxes take the wheel wherever the pointer is: scrolling down the
property pane over a kaizen's Waste turned "Waiting" into "Transport", one undo entry per notch.
`guard_wheel(QApplication.instance())` installs one `WheelGuard` for the whole application
(panels, dialogs, editors of table cells): a QComboBox or QAbstractSpinBox (QSpinBox,
QDoubleSpinBox, QDateEdit, any duration editor built on them) without the keyboard focus passes
the wheel on, so the pane under it scrolls; once clicked or tabbed into, it takes the wheel as
usual. Each of them gets Qt.FocusPolicy.StrongFocus, so the wheel alone no longer gives it the
focus (their default, Qt.WheelFocus, would focus it on the first notch and change it on the
next).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QWidget,
)

GUARDED = (QComboBox, QAbstractSpinBox)
GUARD_NAME = "vsm_wheel_guard"


def is_guarded(widget: QObject) -> bool:
    """True for the widgets whose value the wheel changes: combo boxes and spin boxes."""
    return isinstance(widget, GUARDED)


def has_focus_within(widget: QWidget) -> bool:
    """True when the widget, or a part of it (an editable combo's line), has the focus."""
    focus = QApplication.focusWidget()
    return widget.hasFocus() or (focus is not None and widget.isAncestorOf(focus))


def scroll_area_of(widget: QWidget) -> QAbstractScrollArea | None:
    """The nearest scroll area around `widget` (a pane, a table), or None."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea):
            return parent
        parent = parent.parentWidget()
    return None


def calm(widget: QWidget) -> None:
    """Make a guarded widget take the focus by click or Tab only, never by the wheel."""
    if widget.focusPolicy() == Qt.FocusPolicy.WheelFocus:
        widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)


class WheelGuard(QObject):
    """Event filter: an unfocused combo or spin box does not take the wheel, its pane does.

    A wheel event from the mouse (spontaneous) is left unaccepted, so Qt hands it to the parents
    as it does for any widget that does not scroll: the pane scrolls. One sent by code
    (QApplication.sendEvent, which Qt never passes to the parents) is sent on to the nearest
    scroll area's viewport.
    """

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        kind = event.type()
        if kind == QEvent.Type.Wheel:
            if is_guarded(watched) and not has_focus_within(watched):
                self._pass_on(watched, event)
                return True
        elif kind == QEvent.Type.Polish and is_guarded(watched):
            calm(watched)
        return False

    @staticmethod
    def _pass_on(widget: QWidget, event: QWheelEvent) -> None:
        event.ignore()
        if event.spontaneous():
            return  # Qt offers it to the parents next
        area = scroll_area_of(widget)
        if area is None:
            return
        viewport = area.viewport()
        position = widget.mapTo(viewport, event.position().toPoint())
        forwarded = QWheelEvent(position, event.globalPosition(), event.pixelDelta(),
                                event.angleDelta(), event.buttons(), event.modifiers(),
                                event.phase(), event.inverted(), event.source())
        QCoreApplication.sendEvent(viewport, forwarded)


def guard_wheel(target: QObject | None = None) -> WheelGuard:
    """Install the wheel guard on the application (the default: every widget, now and later) or
    on one widget tree (the combo and spin boxes in it now). Installing twice returns the same
    guard."""
    target = QApplication.instance() if target is None else target
    if isinstance(target, QApplication):
        guard = target.findChild(WheelGuard, GUARD_NAME)
        if guard is not None:
            # Installed already: its filter calms every widget polished since. Walking
            # allWidgets() again would wrap widgets other windows are tearing down, which
            # crashed a second window's build (a segfault in the widget tests' full run).
            return guard
        guard = WheelGuard(target)
        guard.setObjectName(GUARD_NAME)
        target.installEventFilter(guard)
        widgets = target.allWidgets()
    elif isinstance(target, QWidget):
        guard = target.findChild(WheelGuard, GUARD_NAME)
        if guard is None:
            guard = WheelGuard(target)
            guard.setObjectName(GUARD_NAME)
        widgets = [target, *target.findChildren(QWidget)]
        for widget in widgets:
            if is_guarded(widget):
                widget.installEventFilter(guard)
    else:
        raise TypeError(f"guard_wheel needs a QApplication or a QWidget, not {target!r}")
    for widget in widgets:
        if is_guarded(widget):
            calm(widget)
    return guard


def unguard_wheel(app: QApplication) -> None:
    """Remove the application's wheel guard (tests that install it take it away again)."""
    guard = app.findChild(WheelGuard, GUARD_NAME)
    if guard is not None:
        app.removeEventFilter(guard)
        guard.setParent(None)
        guard.deleteLater()
