"""Canvas fonts, sized in scene pixels so text scales with the zoom and not the screen DPI, and
a step's name fitted to its box (`fitted_name`).

Built on first use and cached: a QFont made before the QApplication exists measures text with a
different family than the one it later paints with, so wrapped names would overflow their boxes.
"""

from __future__ import annotations

import math
from functools import cache

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetricsF, QPainter
from PySide6.QtWidgets import QGraphicsItem, QWidget


@cache
def canvas_font(pixels: int, bold: bool = False) -> QFont:
    """The font of `pixels` scene pixels (call only once the QApplication exists)."""
    result = QFont()
    result.setPixelSize(pixels)
    result.setBold(bold)
    return result


def name_font() -> QFont:
    return canvas_font(14, True)


NAME_PIXELS = 14  # a step's name, as large as it fits
ONE_LINE_FLOOR = 12  # shrunk down to this on one line before it wraps
NAME_FLOOR = 11  # two lines shrunk down to this before the last one is elided


def fitted_name(name: str, width: float, height: float) -> tuple[QFont, list[str]]:
    """The font and lines of a step's name in a `width` × `height` area: one line, shrunk from
    NAME_PIXELS down to ONE_LINE_FLOOR if need be; else two lines whose words all show, at the
    largest size from NAME_PIXELS - 1 down to NAME_FLOOR whose two lines fit the height; else two
    lines at NAME_FLOOR, the second elided with '…' (the tooltip gives the whole name)."""
    for pixels in range(NAME_PIXELS, ONE_LINE_FLOOR - 1, -1):
        font = canvas_font(pixels, True)
        if QFontMetricsF(font).horizontalAdvance(name) <= width:
            return font, [name]
    for pixels in range(NAME_PIXELS - 1, NAME_FLOOR - 1, -1):
        font = canvas_font(pixels, True)
        metrics = QFontMetricsF(font)
        if 2 * metrics.height() > height:
            continue
        lines = _two_lines(name, metrics, width)
        if lines is not None:
            return font, lines
    font = canvas_font(NAME_FLOOR, True)
    metrics = QFontMetricsF(font)
    words = name.split()
    first = words[0] if words else ""
    for count in range(len(words), 0, -1):  # as many words as fit on the first line
        if metrics.horizontalAdvance(" ".join(words[:count])) <= width:
            first = " ".join(words[:count])
            words = words[count:]
            break
    else:
        words = words[1:]
    lines = [metrics.elidedText(first, Qt.TextElideMode.ElideRight, width)]
    if words:
        lines.append(metrics.elidedText(" ".join(words), Qt.TextElideMode.ElideRight, width))
    return font, lines


def wrap_text(text: str, metrics: QFontMetricsF, width: float, max_lines: int) -> list[str]:
    """Word-wrap `text` into at most `max_lines` lines of `width`; the last one elided with '…'."""
    words = text.split()
    lines: list[str] = []
    current = ""
    for index, word in enumerate(words):
        candidate = f"{current} {word}".strip()
        if metrics.horizontalAdvance(candidate) <= width or not current:
            current = candidate
            continue
        lines.append(current)
        current = word
        if len(lines) == max_lines - 1:
            current = " ".join(words[index:])
            break
    if current:
        lines.append(current)
    lines = lines[:max_lines]
    return [metrics.elidedText(line, Qt.TextElideMode.ElideRight, width) for line in lines]


def _two_lines(text: str, metrics: QFontMetricsF, width: float) -> list[str] | None:
    """The words on two lines of `width`, the first as full as it can be; None if they don't
    fit."""
    words = text.split()
    for count in range(len(words) - 1, 0, -1):
        first, second = " ".join(words[:count]), " ".join(words[count:])
        if metrics.horizontalAdvance(first) <= width:
            return [first, second] if metrics.horizontalAdvance(second) <= width else None
    return None


def small_font() -> QFont:
    return canvas_font(11)


def strip_font() -> QFont:
    return canvas_font(11, True)


def data_font() -> QFont:
    return canvas_font(12)


def label_font() -> QFont:
    """Bold 12 px: flow labels, badges' neighbours, ladder totals."""
    return canvas_font(12, True)


def text_font() -> QFont:
    return canvas_font(12)


def title_font() -> QFont:
    return canvas_font(13, True)


# ---------------------------------------------------------------- level of detail

MIN_TEXT_PIXELS = 4.0  # text smaller than this on screen is not drawn (boxes and lines still are)
SMALL_BOX_PIXELS = 32.0  # a box narrower than this on screen is plain fills (drawn_small)


def view_scale(painter: QPainter, widget: QWidget | None,
               item: QGraphicsItem | None = None) -> float | None:
    """How many device pixels a scene pixel takes in a paint for a view; None for an export.

    A view passes its viewport as `widget`; Qt passes no widget when it fills an `item`'s
    device-coordinate cache (only views use those caches). Exports render uncached items
    without a widget: they get every detail, whatever their scale.
    """
    if widget is None and (item is None
                           or item.cacheMode() == QGraphicsItem.CacheMode.NoCache):
        return None
    transform = painter.worldTransform()
    return math.sqrt(abs(transform.m11() * transform.m22() - transform.m12() * transform.m21()))


def text_readable(painter: QPainter, widget: QWidget | None, pixels: float = 11.0,
                  item: QGraphicsItem | None = None) -> bool:
    """Whether text of `pixels` scene pixels is worth drawing with this painter.

    Only paints for a view skip text: below MIN_TEXT_PIXELS device pixels it is an unreadable
    smudge that costs most of the paint. Exports always get every text (`view_scale`).
    """
    scale = view_scale(painter, widget, item)
    return scale is None or pixels * scale >= MIN_TEXT_PIXELS


def drawn_small(painter: QPainter, widget: QWidget | None, width: float,
                item: QGraphicsItem | None = None) -> bool:
    """Whether a box `width` scene pixels wide is so small in this paint for a view (under
    SMALL_BOX_PIXELS device pixels) that only its fills and one outline are worth drawing.

    Zoomed out to fit a big map (10%), thousands of steps are in sight, each 18 device pixels
    wide: their strips cut from rounded paths, inner borders, dashed outlines a tenth of a
    pixel wide and triangles of two pixels cost most of the first paint and show nothing a
    plain fill does not. Exports are never drawn small (`view_scale`).
    """
    scale = view_scale(painter, widget, item)
    return scale is not None and width * scale < SMALL_BOX_PIXELS
