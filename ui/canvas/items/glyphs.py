"""Performer glyphs drawn on a step's strip: a factory for a vendor, a gear for an automated step,
a person for a customer (so the performer reads without colour too)."""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPainterPath, QPen, QPolygonF


def draw_glyph(painter: QPainter, performer: str, centre: QPointF, colour: QColor) -> None:
    """A small performer glyph: factory (vendor), gear (automated), person (customer)."""
    x, y = centre.x(), centre.y()
    painter.save()
    painter.setPen(QPen(colour, 1.3))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    if performer == "vendor":
        roof = QPolygonF([QPointF(x - 7, y + 6), QPointF(x - 7, y - 1), QPointF(x - 3, y - 4),
                          QPointF(x - 3, y - 1), QPointF(x + 1, y - 4), QPointF(x + 1, y - 1),
                          QPointF(x + 3, y - 1), QPointF(x + 3, y - 7), QPointF(x + 7, y - 7),
                          QPointF(x + 7, y + 6)])
        painter.setBrush(QBrush(colour))
        painter.drawPolygon(roof)
    elif performer == "automated":
        for tooth in range(8):
            angle = tooth * math.pi / 4
            painter.drawLine(QPointF(x + 4 * math.cos(angle), y + 4 * math.sin(angle)),
                             QPointF(x + 7 * math.cos(angle), y + 7 * math.sin(angle)))
        painter.drawEllipse(centre, 4.5, 4.5)
        painter.drawEllipse(centre, 1.5, 1.5)
    elif performer == "customer":
        painter.setBrush(QBrush(colour))
        painter.drawEllipse(QPointF(x, y - 3.5), 3, 3)
        path = QPainterPath(QPointF(x - 6, y + 7))
        path.cubicTo(QPointF(x - 6, y - 1), QPointF(x + 6, y - 1), QPointF(x + 6, y + 7))
        path.closeSubpath()
        painter.drawPath(path)
    painter.restore()
