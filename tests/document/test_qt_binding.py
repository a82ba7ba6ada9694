"""The Qt binding must not leak references to None.

PySide6 6.12.0 drops a reference to None on every void Qt call. On Python 3.11 None's reference
count then runs down to zero and the process aborts at a random moment ("none_dealloc"), which is
why pyproject.toml keeps PySide6 below 6.12 there; this test names the problem. From Python 3.12
on None is immortal (PEP 683): its reference count never changes, so the leak is harmless and
cannot even be observed, and pyproject.toml allows 6.12 there.
"""

from __future__ import annotations

import sys

import PySide6
import pytest
from PySide6.QtGui import QImage, QPainter, QPen


@pytest.mark.skipif(sys.version_info >= (3, 12),
                    reason="None is immortal from Python 3.12 on (PEP 683): a lost reference "
                           "to it is harmless")
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
