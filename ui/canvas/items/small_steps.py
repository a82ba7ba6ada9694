"""A step box drawn a few device pixels wide (ui.canvas.items.fonts.drawn_small): its process
box, strip and data box as plain fills and one outline around them, thicker on the critical path,
and the selection's frame.

Zoomed out to fit a big map, thousands of steps are in sight at 18 device pixels wide, and a
view's first paint called StepItem.paint for each: the strip cut from a rounded path, the name
fitted to the box only to learn it was unreadable, dashed and double borders a tenth of a pixel
wide, triangles of two pixels, each costing Python and Qt calls and showing nothing a plain fill
does not. Here a step is a few rectangles in colours and pens made once per theme and category.
The texts, glyph, rounded corners, inner border, dashes, inventory triangle and handle are left
out; exports are never drawn small.
"""

from __future__ import annotations

from functools import cache
from typing import NamedTuple

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

from ui.canvas.palette import Theme, category_colour


class SmallBoxes(NamedTuple):
    """Where a step's parts are, in item coordinates (made once by the step item's module)."""

    box: QRectF  # the process and data boxes together
    process: QRectF  # the process box
    data: QRectF  # the data box under it
    strip: QRectF  # the category's strip along the process box's top
    selected: QRectF  # the selection's frame around both


class SmallStyle(NamedTuple):
    """The colours and pens of the steps of one category drawn small."""

    data_fill: QColor
    box_fill: QColor
    category: QColor
    veil: QColor  # over the fills of a step measured in few cases
    outline: QPen
    critical: QPen
    selection: QPen


@cache
def small_style(theme: Theme, mode: str, key: str) -> SmallStyle:
    """The colours and pens of a category's steps drawn small (`mode` "activity" or
    "performer", `key` the category), made once: a fitted big map's paint asks them of every
    step in sight. The same colours and widths as a step drawn at any size."""
    category = category_colour(mode, key)
    veil = theme.colour("background")
    veil.setAlpha(130)
    return SmallStyle(theme.colour("data_fill"), theme.box_fill(category), category, veil,
                      QPen(theme.colour("outline"), 1.5), QPen(theme.colour("critical"), 3.5),
                      QPen(theme.colour("selection"), 2.5, Qt.PenStyle.DashLine))


def paint_small(painter: QPainter, boxes: SmallBoxes, style: SmallStyle, critical: bool,
                selected: bool, low_confidence: bool) -> None:
    """Draw a step small: its boxes filled, the veil over them when measured in few cases, one
    outline around both (the critical path's thicker) and the selection's frame."""
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(style.data_fill)
    painter.drawRect(boxes.data)
    painter.setBrush(style.box_fill)
    painter.drawRect(boxes.process)
    painter.setBrush(style.category)
    painter.drawRect(boxes.strip)
    if low_confidence:
        painter.setBrush(style.veil)
        painter.drawRect(boxes.box)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.setPen(style.critical if critical else style.outline)
    painter.drawRect(boxes.box)
    if selected:
        painter.setPen(style.selection)
        painter.drawRect(boxes.selected)
