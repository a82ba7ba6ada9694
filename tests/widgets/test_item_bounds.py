"""The step item's bounding rect is answered by Qt, with no call into Python: Qt asks every
moved or painted item for it (setPos, the scene's index, painting), and a Python override made
each ask cross into Python (an auto-layout of 5,000 steps asks tens of thousands of times)."""

from __future__ import annotations

import pytest
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


def test_a_flow_item_s_bounds_come_from_qt_and_follow_its_steps(qtbot):
    from ui.canvas.items import FlowItem
    from vsm.model import Flow

    source = StepItem(Step("A", id="s1", x=0.0, y=0.0))
    target = StepItem(Step("B", id="s2", x=400.0, y=0.0))
    flow = FlowItem(Flow("s1", "s2", id="f1"), source, target)
    assert FlowItem.boundingRect is QGraphicsRectItem.boundingRect  # no Python override
    # A straight arrow between two boxes side by side (each 180 wide, 120 high): from the
    # right edge of s1 (x 180) to the left edge of s2 (x 400), at mid-height (y 60); the
    # arrow head's wings reach 11 * 0.45 = 4.95 above and below the line; 8 around it.
    left, top, right, bottom = flow.extent
    assert (left, right) == (180.0 - 8, 400.0 + 8)
    assert (top, bottom) == pytest.approx((60.0 - 4.95 - 8, 60.0 + 4.95 + 8))
    assert flow.boundingRect() == QRectF(left, top, right - left, bottom - top)
    target.setPos(400.0, 300.0)  # s2 moved down: the flow's bounds follow it
    flow.adjust()
    left, top, right, bottom = flow.extent
    assert bottom > 300.0
    assert flow.boundingRect() == QRectF(left, top, right - left, bottom - top)


def test_a_badge_s_bounds_come_from_qt(qtbot):
    from PySide6.QtCore import QPointF

    from ui.canvas.items import BadgeItem

    step = StepItem(Step("Pack", id="s1", x=0.0, y=0.0))
    badge = BadgeItem("bottleneck", "the slowest step", step)
    # Qt asks every badge for its bounds when the scene's index is rebuilt (a new scene rect:
    # 9,679 badges at 20,000 steps, each call into Python waiting for the interpreter while
    # another thread held it: a third of a second after a large file opened)
    assert BadgeItem.boundingRect is QGraphicsRectItem.boundingRect  # no Python override
    # one pixel around the badge's box (its border is drawn 1 wide), exactly
    assert badge.boundingRect() == QRectF(-1, -1, badge.width + 2, BadgeItem.HEIGHT + 2)
    badge.setPos(QPointF(10.0, -21.0))
    assert badge.sceneBoundingRect() == QRectF(9.0, -22.0, badge.width + 2, 20.0)
    assert badge.opaqueArea().isEmpty()  # hides nothing under it from Qt
    assert badge.shape().boundingRect() == badge.boundingRect()
