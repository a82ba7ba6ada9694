"""Route the flows of an export's scene by the deck's rules (vsm.model.routing).

Every ordinary flow runs orthogonally from the right edge of its source to the left edge of its
target (or bottom to bottom), around the step boxes, clear of the wait triangles, the flag
badges and the kaizen bursts, parallel runs spread apart; work sent back for rework runs as a dashed U over the boxes
(under them where a box is in the way) with its probability on the U's top. Share labels sit on
their line near its start where they cover nothing (beside it where the line is too short), and
the flows are drawn above the steps, so no label is ever hidden behind a box. A step sending work
back to itself keeps its small arc. PNG, SVG, PDF and the A3 report all draw their maps through
`route_flows`; the editor keeps its live routing, which follows a dragged step at once.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF

from ui.canvas.items import FlowItem, StepItem
from ui.canvas.items.step_item import HEIGHT, WIDTH
from ui.canvas.scene import MapScene
from vsm.model.routing import Box, Router, label_on_run, label_spot

MARGIN = 14.0  # scene units (a step box is 180 × 120): flows keep this far from boxes
SPACING = 10.0  # between parallel runs of two flows
LABEL_GAP = 6.0  # between a share label and the start of its line
WAIT_AREA = (-52.0, 8.0, -2.0, 55.0)  # the wait time and triangle, left of a step (its coordinates)
FLOWS_ABOVE_STEPS = 1.5  # z: over the steps (1), under the kaizen bursts (2)


def route_flows(scene: MapScene) -> None:
    """Give every visible flow of the scene its route and label place, drawn above the steps,
    and measure the map again (its flows may now run below the lowest row)."""
    steps = {step_id: item for step_id, item in scene.item_for_step.items() if item.isVisible()}
    boxes = {step_id: _step_box(item) for step_id, item in steps.items()}
    obstacles = [_wait_box(item) for item in steps.values() if item.step.wait_time > 0]
    obstacles += [_rect_box(badge.sceneBoundingRect()) for item in steps.values()
                  for badge in item.badges()]
    obstacles += [_rect_box(item.mapRectToScene(item.burst_rect()))
                  for item in scene.item_for_kaizen.values() if item.isVisible()]
    router = Router(boxes, MARGIN, SPACING, obstacles)
    taken = obstacles + list(boxes.values())
    flows = [item for item in scene.item_for_flow.values()
             if item.isVisible() and item.flow.source in boxes and item.flow.target in boxes]
    ordinary = sorted((item for item in flows if item.flow.kind == "normal"),
                      key=lambda item: _distance(boxes[item.flow.source],
                                                 boxes[item.flow.target]))
    for item in ordinary:
        route = router.route(item.flow.source, item.flow.target)
        item.set_route(route.points, _label(item, route.points, taken))
        item.setZValue(FLOWS_ABOVE_STEPS)
    for item in flows:
        if item.flow.kind != "rework" or item.flow.source == item.flow.target:
            continue
        route = router.route_back(item.flow.source, item.flow.target)
        width, height = item.label_size()
        place = label_on_run(route.points[1], route.points[2], width, height, taken, LABEL_GAP)
        taken.append(place)
        item.set_route(route.points, (place.left, place.top, place.right, place.bottom))
        item.setZValue(FLOWS_ABOVE_STEPS)
    scene.content_changed()


def _label(item: FlowItem, points: list[tuple[float, float]],
           taken: list[Box]) -> tuple[float, float, float, float] | None:
    """Where the flow's share label goes (None without one), and take the place."""
    if not item.label:
        return None
    width, height = item.label_size()
    place = label_spot(points, width, height, taken, LABEL_GAP)
    if place is None:  # nowhere free: just past the start, as the deck does
        x, y = points[0]
        place = Box(x + LABEL_GAP, y - height / 2, x + LABEL_GAP + width, y + height / 2)
    taken.append(place)
    return (place.left, place.top, place.right, place.bottom)


def _step_box(item: StepItem) -> Box:
    return Box(item.x(), item.y(), item.x() + WIDTH, item.y() + HEIGHT)


def _wait_box(item: StepItem) -> Box:
    left, top, right, bottom = WAIT_AREA
    return Box(item.x() + left, item.y() + top, item.x() + right, item.y() + bottom)


def _rect_box(rect: QRectF) -> Box:
    return Box(rect.left(), rect.top(), rect.right(), rect.bottom())


def _distance(source: Box, target: Box) -> float:
    """Short flows first: they take the straight lines between neighbours."""
    return abs(target.left - source.right) + abs(target.top - source.top)
