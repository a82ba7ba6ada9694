"""Presentation mode (View > Presentation Mode, F5): the current map alone, full screen.

Entering remembers the window's state (window flags, docks and toolbar via saveState, menu bar,
status bar and tab bar visibility), hides everything but the canvas, fits the map and shows a
large summary over the canvas: lead time, process time, flow efficiency and rolled %C&A of the
map shown, refreshed on the document's `analysis_changed`. Left/Right or PageUp/PageDown switch
maps; Esc (or F5 again) leaves and puts every remembered piece back as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFrame,
    QGridLayout,
    QLabel,
    QMainWindow,
    QToolBar,
    QWidget,
)

from ui.panels.metrics import percent
from ui.window.map_tabs import MapTabs, tab_title
from vsm.model.durations import format_duration

if TYPE_CHECKING:
    from ui.document.document import Document

OVERLAY_MARGIN = 24
FIGURES = (("lead_time", "Lead time"), ("process_time", "Process time"),
           ("flow_efficiency", "Flow efficiency"), ("rolled_pca", "Rolled %C&A"))
NEXT_KEYS = (Qt.Key.Key_Right, Qt.Key.Key_PageDown)
PREVIOUS_KEYS = (Qt.Key.Key_Left, Qt.Key.Key_PageUp)


class SummaryOverlay(QFrame):
    """The headline figures of one map in large type, on a translucent panel over the canvas."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("presentation_summary")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setStyleSheet("#presentation_summary { background: rgba(20, 24, 32, 200); "
                           "border-radius: 10px; } QLabel { color: white; }")
        layout = QGridLayout(self)
        layout.setContentsMargins(18, 12, 18, 12)
        layout.setHorizontalSpacing(28)
        self.title = QLabel()
        title_font = QFont(self.title.font())
        title_font.setPointSizeF(title_font.pointSizeF() * 1.6)
        title_font.setBold(True)
        self.title.setFont(title_font)
        layout.addWidget(self.title, 0, 0, 1, len(FIGURES))
        self.values: dict[str, QLabel] = {}
        for column, (key, caption) in enumerate(FIGURES):
            label = QLabel(caption)
            value = QLabel("–")
            font = QFont(value.font())
            font.setPointSizeF(font.pointSizeF() * 2.6)
            font.setBold(True)
            value.setFont(font)
            layout.addWidget(label, 1, column)
            layout.addWidget(value, 2, column)
            self.values[key] = value

    def text(self, key: str) -> str:
        """The value shown for one figure (see FIGURES for the keys)."""
        return self.values[key].text()

    def show_figures(self, title: str, figures: dict[str, str]) -> None:
        self.title.setText(title)
        for key, value in self.values.items():
            value.setText(figures.get(key, "–"))
        self.adjustSize()


class PresentationController(QObject):
    """Enters and leaves presentation mode for one main window: its chrome (docks, toolbars,
    menu and status bars, the tab bar) is hidden and put back; its maps are `tabs`; the figures
    come from the document `document_of()` returns."""

    active_changed = Signal(bool)

    def __init__(self, window: QMainWindow, tabs: MapTabs,
                 document_of: Callable[[], Document | None]) -> None:
        super().__init__(window)
        self.window = window
        self.tabs = tabs
        self._document_of = document_of
        self.active = False
        self.overlay = SummaryOverlay()
        self.overlay.hide()
        self._saved: dict[str, object] = {}
        self._document = None

    # ------------------------------------------------------------ entering and leaving

    def toggle(self) -> None:
        self.leave() if self.active else self.enter()

    def enter(self) -> None:
        """Remember the window's state, hide all but the canvas, go full screen, show figures."""
        if self.active:
            return
        window = self.window
        self._saved = {
            "state": window.saveState(),
            "window_state": window.windowState(),
            "menu": window.menuBar().isVisible(),
            "status": window.statusBar().isVisible(),
            "tabs": self.tabs.tabBar().isVisible(),
            "corner": self.tabs.cornerWidget().isVisible() if self.tabs.cornerWidget() else False,
        }
        self.active = True
        for dock in window.findChildren(QDockWidget):
            dock.hide()
        for toolbar in window.findChildren(QToolBar):
            toolbar.hide()
        window.menuBar().hide()
        window.statusBar().hide()
        self.tabs.tabBar().hide()
        if self.tabs.cornerWidget() is not None:
            self.tabs.cornerWidget().hide()
        window.showFullScreen()
        self.tabs.currentChanged.connect(self._on_map_changed)
        self._follow(self._document_of())
        QApplication.instance().installEventFilter(self)
        self.active_changed.emit(True)
        self._on_map_changed()
        QTimer.singleShot(0, self, self._fit)

    def leave(self) -> None:
        """Put the window back exactly as it was before entering."""
        if not self.active:
            return
        window = self.window
        self.active = False
        QApplication.instance().removeEventFilter(self)
        self.tabs.currentChanged.disconnect(self._on_map_changed)
        self._follow(None)
        self.overlay.hide()
        self.overlay.setParent(None)
        saved = self._saved
        window.setWindowState(saved["window_state"])
        if isinstance(saved["state"], QByteArray):
            window.restoreState(saved["state"])
        window.menuBar().setVisible(bool(saved["menu"]))
        window.statusBar().setVisible(bool(saved["status"]))
        self.tabs.tabBar().setVisible(bool(saved["tabs"]))
        if self.tabs.cornerWidget() is not None:
            self.tabs.cornerWidget().setVisible(bool(saved["corner"]))
        self.active_changed.emit(False)
        view = self.tabs.current_view()
        if view is not None:
            QTimer.singleShot(0, view, view.zoom_to_fit)  # dropped if the view goes first

    def release_overlay(self) -> None:
        """Take the overlay off its view before the window deletes the views."""
        self.overlay.hide()
        self.overlay.setParent(None)

    def refresh(self) -> None:
        """After a new document: follow it and show its current map's figures."""
        if self.active:
            self._follow(self._document_of())
            self._on_map_changed()

    # ------------------------------------------------------------ maps and figures

    def next_map(self, step: int = 1) -> None:
        """Show the next (or with -1 the previous) map, wrapping round."""
        self.tabs.step(step)

    def _follow(self, document: object) -> None:
        if self._document is not None:
            try:
                self._document.analysis_changed.disconnect(self._on_analysis_changed)
            except (RuntimeError, TypeError):
                pass
        self._document = document
        if document is not None:
            document.analysis_changed.connect(self._on_analysis_changed)

    def _on_analysis_changed(self, map_id: str) -> None:
        map_ = self.tabs.current_map()
        if map_ is not None and map_.id == map_id:
            self.update_overlay()

    def _on_map_changed(self, *_args: object) -> None:
        view = self.tabs.current_view()
        if view is None:
            self.overlay.hide()
            return
        view.scene().clearSelection()
        self.overlay.setParent(view.viewport())
        self.update_overlay()
        self.overlay.show()
        self.overlay.raise_()
        self._fit()

    def update_overlay(self) -> None:
        """Show the current map's headline figures."""
        document = self._document_of()
        if document is not self._document:
            self._follow(document)  # a new document arrived while presenting
        map_ = self.tabs.current_map()
        if map_ is None:
            return
        a = document.analysis(map_.id)
        self.overlay.show_figures(tab_title(map_), {
            "lead_time": format_duration(a.lead_time),
            "process_time": format_duration(a.process_time),
            "flow_efficiency": percent(a.flow_efficiency_percent),
            "rolled_pca": percent(a.rolled_pca_percent),
        })
        self._place_overlay()

    def _place_overlay(self) -> None:
        viewport = self.overlay.parentWidget()
        if viewport is None:
            return
        self.overlay.adjustSize()
        self.overlay.move(OVERLAY_MARGIN,
                          max(0, viewport.height() - self.overlay.height() - OVERLAY_MARGIN))

    def _fit(self) -> None:
        if not self.active:
            return
        view = self.tabs.current_view()
        if view is not None:
            view.zoom_to_fit()
        self._place_overlay()

    # ------------------------------------------------------------ keys

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if not self.active:
            return False
        if event.type() == QEvent.Type.Resize and watched is self.overlay.parentWidget():
            self._place_overlay()
            return False
        if event.type() != QEvent.Type.KeyPress or not isinstance(watched, QWidget):
            return False
        if watched.window() is not self.window or not isinstance(event, QKeyEvent):
            return False
        key = event.key()
        if key == Qt.Key.Key_Escape:
            self.leave()
        elif key in NEXT_KEYS:
            self.next_map(1)
        elif key in PREVIOUS_KEYS:
            self.next_map(-1)
        else:
            return False
        return True
