"""ChangeMarkItem: how the compare view marks a step as changed, new or removed.

A coloured outline around the step's boxes in a line style of its own (solid: new, dashed:
changed, dotted: removed) and a tag with the word above the box's top-left corner, so the mark
never rests on colour alone. The mark is a child of the StepItem it marks and follows it; it
takes no clicks. Passive: the compare view creates and removes marks.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from ui.canvas.items.fonts import strip_font
from ui.canvas.items.step_item import StepItem
from ui.canvas.palette import strip_text_colour
from vsm.palette import BLUE, BLUISH_GREEN, VERMILLION

MARKS: dict[str, tuple[str, str, Qt.PenStyle]] = {  # kind -> (tag, colour, outline style)
    "changed": ("CHANGED", BLUE, Qt.PenStyle.DashLine),
    "new": ("NEW", BLUISH_GREEN, Qt.PenStyle.SolidLine),
    "removed": ("REMOVED", VERMILLION, Qt.PenStyle.DotLine),
}
INSET = 9.0  # the outline's distance from the step's boxes
TAG_HEIGHT = 17.0


class ChangeMarkItem(QGraphicsItem):
    """The mark of one step: `kind` is "changed", "new" or "removed"; `details` its tooltip."""

    def __init__(self, kind: str, step_item: StepItem, details: str = "") -> None:
        super().__init__(step_item)
        self.kind = kind
        self.tag, colour, self._style = MARKS[kind]
        self._colour = QColor(colour)
        box = step_item.box_rect()
        self._outline = box.adjusted(-INSET, -INSET, INSET, INSET)
        width = QFontMetricsF(strip_font()).horizontalAdvance(self.tag) + 12
        self._tag = QRectF(self._outline.left(), self._outline.top() - TAG_HEIGHT, width,
                           TAG_HEIGHT)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setToolTip(details)
        self.setZValue(-0.5)

    def boundingRect(self) -> QRectF:
        return self._outline.united(self._tag).adjusted(-3, -3, 3, 3)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(self._colour, 3.0, self._style))
        painter.drawRect(self._outline)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self._colour)
        painter.drawRect(self._tag)
        painter.setPen(strip_text_colour(self._colour))
        painter.setFont(strip_font())
        painter.drawText(self._tag, Qt.AlignmentFlag.AlignCenter, self.tag)
