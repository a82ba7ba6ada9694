"""The zoom indicator at the right of the status bar: shows the canvas's zoom and sets it.

An editable box: it follows every zoom of the map shown (the wheel, Zoom In/Out, Zoom to Fit,
a resize while fitted); choosing a preset or typing a percentage ("140", "140%") zooms the
canvas to it around the centre of the view; "Fit" fits the map again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QSignalBlocker
from PySide6.QtWidgets import QComboBox, QWidget

if TYPE_CHECKING:
    from ui.canvas.view import MapView

PRESETS = (25, 50, 75, 100, 150, 200, 300, 400)
FIT = "Fit"


def zoom_text(factor: float) -> str:
    """A zoom as people read it: '140%'."""
    return f"{round(factor * 100)}%"


def parse_zoom(text: str) -> float | None:
    """A typed zoom ("140", "140%", " 75 % ") as a factor (1.4), or None if it is not one."""
    cleaned = text.strip().rstrip("%").strip()
    try:
        percent = float(cleaned)
    except ValueError:
        return None
    return percent / 100 if percent > 0 else None


class ZoomBox(QComboBox):
    """The zoom of the canvas `current_view()` returns, shown and set (see the module)."""

    def __init__(self, current_view: Callable[[], MapView | None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.current_view = current_view
        self._view: MapView | None = None
        self.setEditable(True)
        self.setObjectName("zoom_box")
        self.setToolTip("Zoom: choose or type a percentage; Fit shows the whole map")
        self.addItems([f"{p}%" for p in PRESETS] + [FIT])
        self.setMinimumContentsLength(5)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)  # a typed zoom is not a preset
        self.textActivated.connect(self.apply)  # a preset chosen from the list
        self.lineEdit().returnPressed.connect(lambda: self.apply(self.currentText()))  # typed

    def follow(self) -> None:
        """Show and follow the zoom of the canvas shown now (after the map tab changed)."""
        view = self.current_view()
        if view is self._view:
            return
        if self._view is not None:
            try:
                self._view.zoom_changed.disconnect(self.show_zoom)
            except (RuntimeError, TypeError):
                pass  # the view is gone
        self._view = view
        if view is not None:
            view.zoom_changed.connect(self.show_zoom)
            self.show_zoom(view.zoom)

    def show_zoom(self, factor: float) -> None:
        """Show a zoom without applying it."""
        with QSignalBlocker(self):
            self.setEditText(zoom_text(factor))

    def apply(self, text: str) -> None:
        """Zoom the canvas shown to a chosen or typed zoom, or fit it; a text that is not a
        zoom puts the current zoom back."""
        view = self.current_view()
        if view is None:
            return
        if text.strip().casefold() == FIT.casefold():
            view.zoom_to_fit()
            return
        factor = parse_zoom(text)
        if factor is None:
            self.show_zoom(view.zoom)
            return
        view.zoom_to(factor)
        self.show_zoom(view.zoom)  # clamped to what the canvas allows
