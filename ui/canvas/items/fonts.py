"""Canvas fonts, sized in scene pixels so text scales with the zoom and not the screen DPI.

Built on first use and cached: a QFont made before the QApplication exists measures text with a
different family than the one it later paints with, so wrapped names would overflow their boxes.
"""

from __future__ import annotations

import math
from functools import cache

from PySide6.QtGui import QFont, QPainter
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


def text_readable(painter: QPainter, widget: QWidget | None, pixels: float = 11.0,
                  item: QGraphicsItem | None = None) -> bool:
    """Whether text of `pixels` scene pixels is worth drawing with this painter.

    Only paints for a view skip text: below MIN_TEXT_PIXELS device pixels it is an unreadable
    smudge that costs most of the paint. A view passes its viewport as `widget`; Qt passes no
    widget when it fills an `item`'s device-coordinate cache (only views use those caches).
    Exports render uncached items without a widget and always get every text.
    """
    if widget is None and (item is None
                           or item.cacheMode() == QGraphicsItem.CacheMode.NoCache):
        return True
    transform = painter.worldTransform()
    scale = math.sqrt(abs(transform.m11() * transform.m22() - transform.m12() * transform.m21()))
    return pixels * scale >= MIN_TEXT_PIXELS
