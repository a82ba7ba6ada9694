"""Find a step (Ctrl+F) and print the map or its A3 report with a preview (Ctrl+P).

The find field sits at the right end of the toolbar. Typing finds the first step of the map
shown whose name or team holds the text (any case), selects it and centres the canvas on it;
Enter goes to the next match, Shift+Enter to the previous, Esc clears the field and returns to
the canvas. The status bar says which match of how many is shown.

Printing opens Qt's print preview: the map on a landscape page (portrait when the map is taller
than wide) fitted under its title, or the A3 report of the map (map, figures, steps to change,
improvement plan) — drawn by the same code as the PDF and A3 exports.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QMarginsF, QRectF, Qt
from PySide6.QtGui import QKeyEvent, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QLineEdit, QWidget

if TYPE_CHECKING:
    from ui.canvas.view import MapView
    from ui.document.document import Document
    from vsm.model import ValueStreamMap

FIND_WIDTH = 260


class FindHost(Protocol):
    """What the find field works with: the map shown, its canvas and the status bar."""

    def current_map(self) -> ValueStreamMap | None: ...
    def current_view(self) -> MapView | None: ...
    def show_status(self, text: str, timeout_ms: int = 5000) -> None: ...


def matching_steps(map_: ValueStreamMap, text: str) -> list[str]:
    """The ids of the steps whose name or team holds `text` (any case), left to right, top to
    bottom on the canvas."""
    needle = text.strip().casefold()
    if not needle:
        return []
    found = [step for step in map_.steps
             if needle in step.name.casefold() or needle in step.team.casefold()]
    return [step.id for step in sorted(found, key=lambda step: (step.x, step.y))]


class FindField(QLineEdit):
    """The toolbar's find field (see the module docstring)."""

    def __init__(self, host: FindHost, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.position = -1
        self.setPlaceholderText("Find a step or team (Ctrl+F)")
        self.setClearButtonEnabled(True)
        self.setFixedWidth(FIND_WIDTH)
        self.textEdited.connect(lambda _text: self.find(0))

    def start(self) -> None:
        """Put the cursor in the field with its text selected (Ctrl+F)."""
        self.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.selectAll()

    def find(self, step: int) -> str | None:
        """Show the match `step` away from the current one (0: the first match again); return
        its step id, or None when nothing matches."""
        map_, view = self.host.current_map(), self.host.current_view()
        if map_ is None or view is None or not self.text().strip():
            return None
        matches = matching_steps(map_, self.text())
        if not matches:
            view.scene().select_steps([])
            self.host.show_status(f"No step or team holds ‘{self.text().strip()}’.")
            return None
        self.position = 0 if step == 0 else (self.position + step) % len(matches)
        step_id = matches[self.position]
        view.scene().select_steps([step_id])
        view.centre_on_step(step_id)
        self.host.show_status(f"‘{map_.step(step_id).name}’ — match {self.position + 1} of "
                              f"{len(matches)}; Enter for the next, Shift+Enter the previous.")
        return step_id

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            backwards = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            self.find(-1 if backwards else 1)
            event.accept()
        elif event.key() == Qt.Key.Key_Escape:
            self.clear()
            view = self.host.current_view()
            if view is not None:
                view.setFocus(Qt.FocusReason.ShortcutFocusReason)
            event.accept()
        else:
            super().keyPressEvent(event)


# ---------------------------------------------------------------- printing


def page_layout(report: bool, portrait: bool) -> QPageLayout:
    """A3 landscape for the report; A4 for the map, landscape unless the map is taller."""
    size = QPageSize.PageSizeId.A3 if report else QPageSize.PageSizeId.A4
    orientation = (QPageLayout.Orientation.Portrait if portrait and not report
                   else QPageLayout.Orientation.Landscape)
    return QPageLayout(QPageSize(size), orientation, QMarginsF(12, 12, 12, 12),
                       QPageLayout.Unit.Millimeter)


def paint_for_printer(printer: QPrinter, document: Document, map_id: str, report: bool) -> None:
    """Draw the map, or its A3 report, on the printer's page."""
    from ui.render.a3_report import paint_report_page
    from ui.render.images import paint_map_page

    painter = QPainter()
    if not painter.begin(printer):
        return
    try:
        rect = printer.pageLayout().paintRectPixels(printer.resolution())
        area = QRectF(0, 0, rect.width(), rect.height())
        if report:
            paint_report_page(painter, area, document, map_id)
        else:
            paint_map_page(painter, area, document, map_id)
    finally:
        painter.end()


def print_with_preview(parent: QWidget, document: Document, map_: ValueStreamMap,
                       report: bool = False) -> QPrintPreviewDialog:
    """Open the print preview of the map (or its A3 report); return the dialog once closed."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    xs = [step.x for step in map_.steps] or [0.0]
    ys = [step.y for step in map_.steps] or [0.0]
    printer.setPageLayout(page_layout(report, max(ys) - min(ys) > max(xs) - min(xs)))
    printer.setDocName(f"{document.project.name} — {map_.name}")
    dialog = QPrintPreviewDialog(printer, parent)
    dialog.setWindowTitle(f"Print {'the A3 report of ' if report else ''}‘{map_.name}’")
    dialog.paintRequested.connect(
        lambda target: paint_for_printer(target, document, map_.id, report))
    dialog.exec()
    return dialog
