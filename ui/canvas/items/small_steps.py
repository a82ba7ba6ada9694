"""A step box drawn a few device pixels wide (ui.canvas.items.fonts.drawn_small): its process
box, strip and data box as plain fills and their outlines (thicker on the critical path, dashed
or dotted as at any size), a long wait's triangle and the selection's frame.

Zoomed out to fit a big map, thousands of steps are in sight at 18 device pixels wide, and a
view's first paint called StepItem.paint for each: the strip cut from a rounded path, the name
fitted to the box only to learn it was unreadable, dashed and double borders a tenth of a pixel
wide, triangles of two pixels, each costing Python and Qt calls and showing nothing a plain fill
does not. Here a step is a few rectangles in colours and pens made once per theme and category.
The texts, glyph, rounded corners, a vendor's inner border, the triangles of ordinary waits and
the handle are left out; exports are never drawn small.
"""

from __future__ import annotations

from functools import cache
from typing import NamedTuple

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPolygonF

from ui.canvas.palette import FLAG_STYLES, Theme, category_colour


class SmallBoxes(NamedTuple):
    """Where a step's parts are, in item coordinates (made once by the step item's module)."""

    box: QRectF  # the process and data boxes together
    process: QRectF  # the process box
    data: QRectF  # the data box under it
    strip: QRectF  # the category's strip along the process box's top
    selected: QRectF  # the selection's frame around both
    inventory: QPolygonF  # the inventory triangle before the step


class SmallStyle(NamedTuple):
    """The colours and pens of the steps of one category drawn small."""

    data_fill: QColor
    box_fill: QColor
    category: QColor
    veil: QColor  # over the fills of a step measured in few cases
    long_wait: QColor  # the inventory triangle of a long wait
    outlines: dict[tuple[bool, Qt.PenStyle], QPen]  # by (on the critical path, dashes)
    selection: QPen


@cache
def small_style(theme: Theme, mode: str, key: str) -> SmallStyle:
    """The colours and pens of a category's steps drawn small (`mode` "activity" or
    "performer", `key` the category), made once: a fitted big map's paint asks them of every
    step in sight. The same colours and widths as a step drawn at any size."""
    category = category_colour(mode, key)
    veil = theme.colour("background")
    veil.setAlpha(130)
    outlines = {(critical, dashes): QPen(theme.colour("critical" if critical else "outline"),
                                         3.5 if critical else 1.5, dashes)
                for critical in (False, True) for dashes in OUTLINE_DASHES}
    return SmallStyle(theme.colour("data_fill"), theme.box_fill(category), category, veil,
                      QColor(FLAG_STYLES["long_wait"].colour), outlines,
                      QPen(theme.colour("selection"), 2.5, Qt.PenStyle.DashLine))


OUTLINE_DASHES = (Qt.PenStyle.SolidLine, Qt.PenStyle.DashLine, Qt.PenStyle.DotLine)


def paint_small(painter: QPainter, boxes: SmallBoxes, style: SmallStyle, *, critical: bool,
                dashes: Qt.PenStyle, selected: bool, low_confidence: bool,
                long_wait: bool) -> None:
    """Draw a step small: its boxes filled, the veil over them when measured in few cases, their
    outlines (the critical path's thicker, dashed for an automated step, dotted for one measured
    in few cases: `dashes`), a long wait's triangle and the selection's frame."""
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
    outline = style.outlines[critical, dashes]
    if long_wait:  # a flag: its colour shows at any size (other waits' triangles are smudges)
        painter.setPen(style.outlines[False, Qt.PenStyle.SolidLine])
        painter.setBrush(style.long_wait)
        painter.drawPolygon(boxes.inventory)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.setPen(outline)
    painter.drawRect(boxes.process)
    painter.drawRect(boxes.data)
    if selected:
        painter.setPen(style.selection)
        painter.drawRect(boxes.selected)
