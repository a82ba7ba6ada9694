"""Presentation mode on a projector: step names of at least 24 px and figures of at least
18 px on the screen, the map in sections along its flow when it cannot be that large whole."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt

from ui.canvas.items.fonts import name_font
from ui.document.document import Document
from ui.window.presentation import CAPTION_PIXELS, READABLE_NAME_PIXELS, plan_sections
from vsm.files.bundled import default_example
from vsm.files.formats import load_json


def boxes(*lefts: float, width: float = 180) -> list[QRectF]:
    return [QRectF(left, 0, width, 120) for left in lefts]


def test_sections_hold_every_box_whole_left_to_right():
    # boxes at 0, 240, 480, 720, 960 (180 wide); sections 500 wide: [0, 240] ends at 420, the
    # box at 480 ends at 660 > 500: the next section starts at 480 and holds 480 and 720 (900 ≤
    # 980), then 960 starts the last.
    sections = plan_sections(boxes(0, 240, 480, 720, 960), 500)
    assert [[box.left() for box in section] for section in sections] == [
        [0, 240], [480, 720], [960]]
    assert plan_sections([], 500) == []
    # a box wider than a section still gets one of its own
    assert [[b.left() for b in s] for s in plan_sections(boxes(0, 300, width=600), 500)] == [
        [0], [300]]


def test_the_example_is_presented_readably_in_sections(make_window, qtbot):
    window = make_window(Document(load_json(default_example()), autosave=False))
    presentation = window.presentation
    presentation.enter()
    qtbot.wait(20)
    view = window.current_view()
    sections = len(presentation._sections)
    # 12 steps cannot show 24 px names whole on this screen: sections, each readable
    assert sections > 1
    shown: set[str] = set()
    for _ in range(sections):
        assert name_font().pixelSize() * view.zoom >= READABLE_NAME_PIXELS - 1e-6
        visible = view.mapToScene(view.viewport().rect()).boundingRect()
        shown |= {step_id for step_id, item in view.scene().item_for_step.items()
                  if visible.contains(item.sceneBoundingRect())}
        title = presentation.overlay.title.text()
        assert f"part {presentation._section + 1} of {sections}" in title
        presentation.advance(1)
    assert shown == set(view.scene().item_for_step)  # every step seen whole in some section
    assert window.current_map() is window.document.project.maps[1]  # past the last: next map
    presentation.advance(-1)  # back: the previous map's last section
    assert window.current_map() is window.document.project.maps[0]
    assert presentation._section == sections - 1
    assert view.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff
    overlay = presentation.overlay
    captions = [label for label in overlay.findChildren(type(overlay.title))
                if label is not overlay.title and label not in overlay.values.values()]
    assert all(label.font().pixelSize() >= CAPTION_PIXELS for label in captions)
    assert all(value.font().pixelSize() >= 18 for value in overlay.values.values())
    presentation.leave()
    assert view.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAsNeeded
