"""Presentation mode (View > Presentation Mode, F5): the current map alone, full screen.

Entering remembers the window's state (window flags, docks and toolbar via saveState, menu bar,
status bar, tab bar visibility and the canvas's scroll bars), hides everything but the canvas
and shows a large summary over it: lead time, process time, flow efficiency and rolled %C&A of
the map shown (captions 18 px, figures 40 px on the screen), refreshed on the document's
`analysis_changed`.

The map is shown as large as it fits above the summary. When its step names would then be under
READABLE_NAME_PIXELS (24 px) on the screen, it is shown in sections instead, left to right along
its flow at that size ("part 2 of 3" in the summary's title). Right, PageDown or Space go to the
next section and past the last one to the next map; Left or PageUp go back; Esc (or F5 again)
leaves and puts every remembered piece back as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QEvent, QObject, QPointF, QRectF, Qt, QTimer, Signal
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

from ui.canvas.items.fonts import name_font
from ui.panels.figure_card import percent
from ui.window.map_tabs import MapTabs, tab_title
from vsm.model.durations import format_duration

if TYPE_CHECKING:
    from ui.canvas.view import MapView
    from ui.document.document import Document

OVERLAY_MARGIN = 24
TITLE_PIXELS, CAPTION_PIXELS, VALUE_PIXELS = 28, 18, 40  # the figures' type on the screen
READABLE_NAME_PIXELS = 24.0  # step names on the screen: a map that cannot show them this large
MAX_PRESENTING_ZOOM = 2.5  # whole is shown in sections along its flow, left to right
FIGURES = (("lead_time", "Lead time"), ("process_time", "Process time"),
           ("flow_efficiency", "Flow efficiency"), ("rolled_pca", "Rolled %C&A"))
NEXT_KEYS = (Qt.Key.Key_Right, Qt.Key.Key_PageDown, Qt.Key.Key_Space)
PREVIOUS_KEYS = (Qt.Key.Key_Left, Qt.Key.Key_PageUp)


def _pixel_font(pixels: int, bold: bool = False) -> QFont:
    """A font of `pixels` screen pixels: the same size on a projector whatever its DPI."""
    font = QFont()
    font.setPixelSize(pixels)
    font.setBold(bold)
    return font


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
        self.title.setFont(_pixel_font(TITLE_PIXELS, bold=True))
        layout.addWidget(self.title, 0, 0, 1, len(FIGURES))
        self.values: dict[str, QLabel] = {}
        for column, (key, caption) in enumerate(FIGURES):
            label = QLabel(caption)
            label.setFont(_pixel_font(CAPTION_PIXELS))
            value = QLabel("–")
            value.setFont(_pixel_font(VALUE_PIXELS, bold=True))
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


def plan_sections(boxes: list[QRectF], width: float) -> list[list[QRectF]]:
    """The step boxes in sections `width` scene units wide, left to right: each box whole in
    one; a section starts at the left of the first box the previous one could not hold whole."""
    order = sorted(boxes, key=lambda box: box.left())
    sections: list[list[QRectF]] = []
    start = order[0].left() if order else 0.0
    while order:
        group = [box for box in order if start <= box.left() and box.right() <= start + width]
        sections.append(group or [next(box for box in order if box.left() >= start)])
        later = [box.left() for box in order if box.right() > start + width and box.left() > start]
        if not later:
            break
        start = min(later)
    return sections


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
        self._sections: list[tuple[QRectF, float, bool]] = []  # scene rect, zoom, whole map
        self._section = 0
        self._from_end = False  # arrived from the next map: start at the last section
        self._bars: dict[int, tuple[MapView, tuple[Qt.ScrollBarPolicy, Qt.ScrollBarPolicy]]] = {}

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
        self._restore_scrollbars()
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
        title = tab_title(map_)
        if len(self._sections) > 1:
            title += f"  ·  part {self._section + 1} of {len(self._sections)}  (→ next)"
        self.overlay.show_figures(title, {
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
        """Show the current map as large as it fits, or its first (last) section when its step
        names would be under READABLE_NAME_PIXELS whole."""
        if not self.active:
            return
        view = self.tabs.current_view()
        self._place_overlay()
        if view is None:
            return
        self._hide_scrollbars(view)
        self._sections = self._plan(view)
        self._section = len(self._sections) - 1 if self._from_end else 0
        self._from_end = False
        self._show_section()

    def _plan(self, view: MapView) -> list[tuple[QRectF, float, bool]]:
        scene = view.scene()
        boxes = [item.sceneBoundingRect() for item in scene.item_for_step.values()]
        if not boxes:
            return []
        viewport = view.viewport()
        width = viewport.width() - 2 * OVERLAY_MARGIN
        height = viewport.height() - self.overlay.height() - 3 * OVERLAY_MARGIN
        whole = scene.map_rect()
        fit = min(width / whole.width(), height / whole.height())
        readable = READABLE_NAME_PIXELS / name_font().pixelSize()
        if fit >= readable:
            return [(whole, min(fit, MAX_PRESENTING_ZOOM), True)]
        sections = []
        for group in plan_sections(boxes, width / readable):
            rect = QRectF(group[0])
            for box in group[1:]:
                rect = rect.united(box)
            sections.append((rect, min(readable, height / rect.height()), False))
        return sections

    def _show_section(self) -> None:
        view = self.tabs.current_view()
        if view is None or not self._sections:
            if view is not None:
                view.zoom_to_fit()
            self.update_overlay()
            return
        rect, zoom, whole = self._sections[self._section]
        viewport = view.viewport()
        # the region above the figures' overlay holds the section: shift the view's centre down
        below = (self.overlay.height() + OVERLAY_MARGIN) / 2 / zoom
        x = rect.center().x() if whole else (
            rect.left() - OVERLAY_MARGIN / zoom + viewport.width() / 2 / zoom)
        view.show_region(QPointF(x, rect.center().y() + below), zoom)
        self.update_overlay()

    def advance(self, step: int) -> None:
        """The next (step 1) or previous (-1) section of the map, or the next or previous map
        past its ends (wrapping round)."""
        target = self._section + step
        if 0 <= target < len(self._sections) or self.tabs.count() <= 1:
            self._section = target % max(1, len(self._sections))
            self._show_section()
            return
        self._from_end = step < 0
        self.next_map(step)

    def _hide_scrollbars(self, view: MapView) -> None:
        if id(view) not in self._bars:
            self._bars[id(view)] = (view, (view.horizontalScrollBarPolicy(),
                                           view.verticalScrollBarPolicy()))
            view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def _restore_scrollbars(self) -> None:
        for view, (horizontal, vertical) in self._bars.values():
            try:
                view.setHorizontalScrollBarPolicy(horizontal)
                view.setVerticalScrollBarPolicy(vertical)
            except RuntimeError:
                pass  # the view was closed while presenting
        self._bars = {}

    # ------------------------------------------------------------ keys

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if not self.active:
            return False
        if event.type() == QEvent.Type.Resize and watched is self.overlay.parentWidget():
            section = self._section
            self._fit()  # full screen arrived: plan the sections for the new size
            if self._sections:
                self._section = min(section, len(self._sections) - 1)
                self._show_section()
            return False
        if event.type() != QEvent.Type.KeyPress or not isinstance(watched, QWidget):
            return False
        if watched.window() is not self.window or not isinstance(event, QKeyEvent):
            return False
        key = event.key()
        if key == Qt.Key.Key_Escape:
            self.leave()
        elif key in NEXT_KEYS:
            self.advance(1)
        elif key in PREVIOUS_KEYS:
            self.advance(-1)
        else:
            return False
        return True
