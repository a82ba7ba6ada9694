"""Canvas fonts, sized in scene pixels so text scales with the zoom and not the screen DPI.

Built on first use and cached: a QFont made before the QApplication exists measures text with a
different family than the one it later paints with, so wrapped names would overflow their boxes.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QFont


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
