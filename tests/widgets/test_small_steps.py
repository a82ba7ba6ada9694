"""A big map fitted in view draws its steps small: a few rectangles each (their outlines dashed or
dotted as at any size, a long wait's triangle), no text fitted or drawn, its flows as their lines;
exports and readable zooms draw every detail as before (issue 19).

The work is counted (the painter's calls, the names fitted), never timed.
"""

from __future__ import annotations

from collections import Counter

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

import ui.canvas.items.step_item as step_item_module
from ui.canvas.items import FlowItem, StepItem
from ui.canvas.items.fonts import MIN_TEXT_PIXELS, NAME_PIXELS, SMALL_BOX_PIXELS
from ui.canvas.items.small_steps import small_style
from ui.canvas.items.step_item import WIDTH
from ui.canvas.palette import LIGHT
from vsm.model import Flow, Step

SMALL = 0.1  # a fitted big map's zoom: a step 18 device pixels wide
UNREADABLE = (MIN_TEXT_PIXELS - 0.5) / NAME_PIXELS  # the largest name unreadable, the box not small


class RecordingPainter(QPainter):
    """Counts what an item's paint() draws (its calls come from Python)."""

    def __init__(self, device) -> None:
        super().__init__(device)
        self.calls: Counter[str] = Counter()
        self.texts: list[str] = []
        self.pen_widths: list[float] = []
        self.pen_styles: set[Qt.PenStyle] = set()

    def drawText(self, *args) -> None:  # noqa: N802 - Qt names
        self.texts.append(str(args[-1]))
        super().drawText(*args)

    def drawRect(self, *args) -> None:  # noqa: N802
        self.calls["rect"] += 1
        self.pen_widths.append(self.pen().widthF())
        if self.pen().style() != Qt.PenStyle.NoPen:
            self.pen_styles.add(self.pen().style())
        super().drawRect(*args)

    def drawRoundedRect(self, *args) -> None:  # noqa: N802
        self.calls["rounded"] += 1
        super().drawRoundedRect(*args)

    def drawPath(self, *args) -> None:  # noqa: N802
        self.calls["path"] += 1
        super().drawPath(*args)

    def drawPolygon(self, *args) -> None:  # noqa: N802
        self.calls["polygon"] += 1
        super().drawPolygon(*args)


def paint(item: QGraphicsItem, scale: float, widget: QWidget | None) -> RecordingPainter:
    """Paint `item` at `scale` (for a view when `widget` is given); the painter that recorded it."""
    image = QImage(400, 300, QImage.Format.Format_ARGB32)
    painter = RecordingPainter(image)
    painter.scale(scale, scale)
    option = QStyleOptionGraphicsItem()
    option.exposedRect = item.boundingRect()
    item.paint(painter, option, widget)
    painter.end()
    return painter


@pytest.fixture
def fitted(monkeypatch) -> list[str]:
    """The names a step fitted to its box (ui.canvas.items.fonts.fitted_name), in order."""
    names: list[str] = []
    original = step_item_module.fitted_name

    def counted(name: str, width: float, height: float):
        names.append(name)
        return original(name, width, height)
    monkeypatch.setattr(step_item_module, "fitted_name", counted)
    return names


def waiting_step(**fields) -> StepItem:
    return StepItem(Step("Diagnose the incident", wait_time=30, process_time=5,
                         performer="customer", id="s", **fields))


def test_a_step_a_few_pixels_wide_is_a_few_rectangles_and_its_name_never_fitted(qapp, fitted):
    assert WIDTH * SMALL < SMALL_BOX_PIXELS
    item = waiting_step()
    drawn = paint(item, SMALL, QWidget())
    # the data box, the process box and its strip filled, both boxes outlined: no path cut out
    # for the strip, no rounded corners, no triangle for an ordinary wait, no text
    assert drawn.calls == Counter(rect=5)
    assert drawn.texts == []
    assert fitted == []


def test_a_small_step_keeps_its_dashes_and_a_long_waits_triangle(qapp):
    automated = StepItem(Step("Deploy", wait_time=30, performer="automated", id="a"))
    assert paint(automated, SMALL, QWidget()).pen_styles == {Qt.PenStyle.DashLine}
    assert paint(waiting_step(cases=3), SMALL, QWidget()).pen_styles == {Qt.PenStyle.DotLine}
    automated.set_flags(["long_wait"])
    assert paint(automated, SMALL, QWidget()).calls["polygon"] == 1  # the flag's colour


def test_a_small_step_still_shows_the_critical_path_and_the_selection(qapp):
    item = waiting_step()
    plain = paint(item, SMALL, QWidget())
    item.set_on_critical_path(True)
    critical = paint(item, SMALL, QWidget())
    assert max(critical.pen_widths) > max(plain.pen_widths)  # the thicker outline
    item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
    item.setSelected(True)
    assert paint(item, SMALL, QWidget()).calls["rect"] == plain.calls["rect"] + 1  # its frame


def test_a_step_measured_in_few_cases_is_greyed_when_small_too(qapp):
    plain = paint(waiting_step(), SMALL, QWidget())
    measured = paint(waiting_step(cases=3), SMALL, QWidget())
    assert measured.calls["rect"] == plain.calls["rect"] + 1  # the veil over its boxes


def test_exports_draw_every_detail_at_any_scale(qapp, fitted):
    item = waiting_step()
    item.setCacheMode(QGraphicsItem.CacheMode.NoCache)  # as an export's scene renders it
    drawn = paint(item, SMALL, None)
    assert drawn.calls["path"] >= 1 and drawn.calls["polygon"] >= 1  # the strip, the triangle
    assert "Diagnose the incident" in drawn.texts and "30m" in drawn.texts
    assert fitted == ["Diagnose the incident"]


def test_a_name_is_fitted_only_when_its_readability_depends_on_its_size(qapp, fitted):
    item = waiting_step()
    assert WIDTH * UNREADABLE >= SMALL_BOX_PIXELS  # boxes and shapes drawn, not small
    unreadable = paint(item, UNREADABLE, QWidget())
    assert unreadable.texts == [] and unreadable.calls["polygon"] == 1  # the triangle
    assert fitted == []  # even the largest name would be unreadable: not fitted to know it
    readable = paint(item, 1.0, QWidget())
    assert "Diagnose the incident" in readable.texts
    assert fitted == ["Diagnose the incident"]


def test_a_flow_between_small_steps_draws_its_line_only(qapp):
    source, target = StepItem(Step("A", id="a")), StepItem(Step("B", x=300, id="b"))
    flow = FlowItem(Flow("a", "b", share=60, id="ab"), source, target)
    assert paint(flow, SMALL, QWidget()).calls == Counter(path=1)  # no head, no label's box
    full = paint(flow, SMALL, None)  # an export
    assert full.calls == Counter(path=1, polygon=1, rounded=1) and full.texts == ["60%"]
    assert paint(flow, 1.0, QWidget()).texts == ["60%"]


def test_small_steps_share_their_colours_and_pens(qapp):
    assert small_style(LIGHT, "activity", "plan") is small_style(LIGHT, "activity", "plan")
    assert small_style(LIGHT, "activity", "plan") != small_style(LIGHT, "activity", "engage")
