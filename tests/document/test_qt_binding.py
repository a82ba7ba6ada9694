"""The Qt binding must not leak references to None (PySide6 6.12.0 does, and on Python 3.11 the
process then aborts at a random moment with "none_dealloc"). This test names the problem."""

from __future__ import annotations

import sys

import PySide6
from PySide6.QtGui import QImage, QPainter, QPen


def test_void_qt_calls_keep_none_alive(qapp):
    image = QImage(8, 8, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    before = sys.getrefcount(None)
    for _ in range(1000):
        painter.setPen(QPen())
    lost = before - sys.getrefcount(None)
    painter.end()
    assert lost < 100, (f"PySide6 {PySide6.__version__} loses a reference to None on each call "
                        f"({lost} per 1000): install a version pyproject.toml allows")
