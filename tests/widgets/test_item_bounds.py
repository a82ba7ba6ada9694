"""The step item's bounding rect is answered by Qt, with no call into Python: Qt asks every
moved or painted item for it (setPos, the scene's index, painting), and a Python override made
each ask cross into Python (an auto-layout of 5,000 steps asks tens of thousands of times)."""

from __future__ import annotations

from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QGraphicsRectItem

from ui.canvas.items import StepItem
from ui.canvas.items.step_item import BOUNDS
from vsm.model import Step


def test_a_step_item_s_bounds_come_from_qt_and_are_the_step_s_bounds(qtbot):
    item = StepItem(Step("Pack", id="s1", x=100.0, y=50.0))
    assert StepItem.boundingRect is QGraphicsRectItem.boundingRect  # no Python override
    left, top, right, bottom = BOUNDS
    # BOUNDS is (-66, -8, 180 + 11 + 2, 120 + 8) = (-66, -8, 193, 128): 259 wide, 136 high,
    # exactly (no pen around it adds half a pixel).
    assert item.boundingRect() == QRectF(left, top, right - left, bottom - top)
    assert item.boundingRect() == QRectF(-66.0, -8.0, 259.0, 136.0)
    assert item.sceneBoundingRect() == QRectF(34.0, 42.0, 259.0, 136.0)  # moved by (100, 50)
    assert item.opaqueArea().isEmpty()  # it hides nothing under it from Qt (no brush)
