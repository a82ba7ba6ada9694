"""PNG, SVG, PDF and the A3 report draw flows by the deck's rules (ui.canvas.routes).

Every template's maps, laid out by Auto-Layout as a workshop would: in the scene an export
draws, every flow is orthogonal, passes through no step box but its own two, and its label
covers no step box and is drawn above the steps, so no rework label hides behind a box.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRectF

from ui.canvas.items import StepItem
from ui.canvas.items.step_item import HEIGHT, WIDTH
from ui.document.document import Document
from ui.render.images import export_scene
from vsm.files.bundled import list_templates, new_from_template
from vsm.model.layout import auto_layout

TEMPLATES = [template.id for template in list_templates()]


def auto_laid_out(template: str) -> Document:
    project = new_from_template(template)
    for map_ in project.maps:
        for step_id, (x, y) in auto_layout(map_).items():
            map_.set_step_field(step_id, "x", x)
            map_.set_step_field(step_id, "y", y)
    return Document(project, autosave=False)


def step_boxes(scene) -> dict[str, QRectF]:
    return {step_id: QRectF(item.x(), item.y(), WIDTH, HEIGHT)
            for step_id, item in scene.item_for_step.items()}


def segments(points):
    return list(zip(points, points[1:]))


def through(a, b, box: QRectF, inset: float = 1.0) -> bool:
    """Whether the axis-parallel segment a-b enters the box (shrunk by `inset`)."""
    inner = box.adjusted(inset, inset, -inset, -inset)
    return (min(a[0], b[0]) < inner.right() and max(a[0], b[0]) > inner.left()
            and min(a[1], b[1]) < inner.bottom() and max(a[1], b[1]) > inner.top())


def hidden_labels(scene) -> list[str]:
    """The flows whose label covers a step box (the box is drawn over it unless the flows are
    drawn above the steps)."""
    boxes = step_boxes(scene).values()
    return [item.label for item in scene.item_for_flow.values()
            if item.label and any(item._label_rect.intersects(box) for box in boxes)]


@pytest.mark.parametrize("template", TEMPLATES)
def test_exported_flows_are_orthogonal_around_the_boxes_with_labels_in_the_open(qapp, template):
    document = auto_laid_out(template)
    for map_ in document.project.maps:
        with export_scene(document, map_.id) as scene:
            boxes = step_boxes(scene)
            steps_z = max(item.zValue() for item in scene.items() if isinstance(item, StepItem))
            for item in scene.item_for_flow.values():
                flow = item.flow
                if flow.source == flow.target:
                    continue  # a step sending work back to itself keeps its arc
                points = item._points
                assert all(a[0] == b[0] or a[1] == b[1] for a, b in segments(points)), flow
                for step_id, box in boxes.items():
                    if step_id not in (flow.source, flow.target):
                        assert not any(through(a, b, box) for a, b in segments(points)), (
                            map_.name, flow, step_id)
                assert item.zValue() > steps_z
            assert hidden_labels(scene) == [], map_.name


def test_straight_flows_hide_a_rework_label_after_auto_layout_the_export_does_not(qapp):
    # What the issue saw: the straight live routing of a scene (no view routes it) puts a
    # label on a box after Auto-Layout.
    from ui.canvas.scene import MapScene

    document = auto_laid_out("onboard-a-new-employee")
    map_ = document.project.maps[1]
    live = MapScene(document, map_)
    try:
        hidden = hidden_labels(live)
    finally:
        live.detach()
    assert hidden, "the example no longer shows the problem: pick another"
    with export_scene(document, map_.id) as scene:
        assert hidden_labels(scene) == []
