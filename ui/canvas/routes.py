"""Route a scene's flows by the deck's rules (vsm.model.routing): in the editor and the pictures.

Every ordinary flow runs orthogonally from the right edge of its source to the left edge of its
target (or bottom to bottom), around the step boxes, clear of the wait triangles, the flag
badges and the kaizen bursts, parallel runs spread apart; work sent back for rework runs as a
dashed U over the boxes (under them where a box is in the way) with its probability on the U's
top. Share labels sit on their line near its start where they cover nothing (beside it where the
line is too short), and the flows are drawn above the steps, so no label is ever hidden behind a
box. A step sending work back to itself keeps its small arc.

PNG, SVG, PDF and the A3 report draw their maps through `route_flows`, all at once. The editor
keeps its flows routed with `LiveRouting`: a burst of model events (an Auto-Layout, an undo, a
paste; a batch of them is seen once, at its end) routes once, a little later, a few flows per turn of the event loop, so the window never
waits for more than one flow's route; while a step is dragged its flows follow it with the
items' own straight live routing and are routed again on release. Maps too large to route in
reasonable time keep the live routing (ROUTED_STEPS_LIMIT), and so do maps where one flow took
too long to route (SLOW_ROUTE_SECONDS).
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Iterator

from PySide6.QtCore import QObject, QRectF, QTimer

from ui.canvas.items import FlowItem, StepItem
from ui.canvas.items.step_item import HEIGHT, WIDTH
from ui.canvas.scene import MapScene
from vsm.model import (
    FlowAdded,
    FlowChanged,
    FlowRemoved,
    KaizenAdded,
    KaizenChanged,
    KaizenRemoved,
    StepAdded,
    StepChanged,
    StepRemoved,
)
from vsm.model.events import BatchEnded, BatchStarted
from vsm.model.routing import Box, Router, label_on_run, label_spot

MARGIN = 14.0  # scene units (a step box is 180 × 120): flows keep this far from boxes
SPACING = 10.0  # between parallel runs of two flows
LABEL_GAP = 6.0  # between a share label and the start of its line
WAIT_AREA = (-52.0, 8.0, -2.0, 55.0)  # the wait time and triangle, left of a step (its coordinates)
FLOWS_ABOVE_STEPS = 1.5  # z: over the steps (1), under the kaizen bursts (2)

# Routing costs grow faster than the map: measured on the benchmark's synthetic maps (bench/) on
# a 2-core machine, 0.04 s for 20 steps, 0.7 s for 50, 1.7 s for 100, 7 s for 200 and 17 s for
# 300; 0.01-0.5 s for the templates' 7 to 12 steps. Sliced, the window waits for one flow's route
# at most (up to 0.15 s on the templates), but every edit starts it again: above this many steps
# the editor keeps the live routing without trying.
ROUTED_STEPS_LIMIT = 150
# One flow's route is never cut short, and a crowded map can take long for one (0.6 s for one of
# the 50-step synthetic map's): a map where one took longer than this keeps the live routing
# until it has fewer steps.
SLOW_ROUTE_SECONDS = 0.5
ROUTE_DELAY_MS = 30  # a burst of model events routes once, this long after the last one
SLICE_SECONDS = 0.015  # each turn of the event loop routes flows for about this long (one at least)
DRAG_POLL_MS = 50  # while a drag is under way, how often a routing looks whether it has ended
PLACES = (StepChanged, KaizenChanged)  # their events matter for x, y and wait_time only
SHAPES = (StepAdded, StepRemoved, FlowAdded, FlowRemoved, FlowChanged, KaizenAdded, KaizenRemoved)


def _moves_routes(event: object) -> bool:
    """Whether a model event moves or reshapes what a route depends on."""
    return isinstance(event, SHAPES) or (
        isinstance(event, PLACES) and event.field in ("x", "y", "wait_time"))


_DONE = object()  # what advance() gets from the work when every flow is routed
Route = tuple[FlowItem, list[tuple[float, float]], tuple[float, float, float, float] | None]


class FlowRouting:
    """One routing of a scene's visible flows, by the positions of its items when it was made:
    `advance()` routes the next flow, `apply()` gives the flows their routes."""

    def __init__(self, scene: MapScene) -> None:
        self.scene = scene
        steps = {step_id: item for step_id, item in scene.item_for_step.items()
                 if item.isVisible()}
        self.boxes = {step_id: _step_box(item) for step_id, item in steps.items()}
        obstacles = [_wait_box(item) for item in steps.values() if item.step.wait_time > 0]
        obstacles += [_rect_box(badge.sceneBoundingRect()) for item in steps.values()
                      for badge in item.badges()]
        obstacles += [_rect_box(item.mapRectToScene(item.burst_rect()))
                      for item in scene.item_for_kaizen.values() if item.isVisible()]
        self.router = Router(self.boxes, MARGIN, SPACING, obstacles)
        self.taken = obstacles + list(self.boxes.values())
        self.routes: list[Route] = []
        self._work = self._flows()

    def _flows(self) -> Iterator[None]:
        """Route the flows one by one, the shortest ordinary ones first (they take the straight
        lines between neighbours), then the rework flows; pause after each."""
        boxes = self.boxes
        flows = [item for item in self.scene.item_for_flow.values()
                 if item.isVisible() and item.flow.source in boxes and item.flow.target in boxes]
        ordinary = sorted((item for item in flows if item.flow.kind == "normal"),
                          key=lambda item: _distance(boxes[item.flow.source],
                                                     boxes[item.flow.target]))
        for item in ordinary:
            route = self.router.route(item.flow.source, item.flow.target)
            self.routes.append((item, route.points, self._label(item, route.points)))
            yield
        for item in flows:
            if item.flow.kind != "rework" or item.flow.source == item.flow.target:
                continue
            route = self.router.route_back(item.flow.source, item.flow.target)
            width, height = item.label_size()
            place = label_on_run(route.points[1], route.points[2], width, height, self.taken,
                                 LABEL_GAP, route.points)
            self.taken.append(place)
            self.routes.append((item, route.points,
                                (place.left, place.top, place.right, place.bottom)))
            yield

    def advance(self) -> bool:
        """Route the next flow; False when every flow has its route."""
        return next(self._work, _DONE) is not _DONE

    def apply(self) -> None:
        """Draw the routed flows along their routes, above the steps, and measure the map again
        (its flows may now run below the lowest row)."""
        for item, points, label in self.routes:
            item.set_route(points, label)
            item.setZValue(FLOWS_ABOVE_STEPS)
        self.scene.content_changed()

    def _label(self, item: FlowItem, points: list[tuple[float, float]]
               ) -> tuple[float, float, float, float] | None:
        """Where the flow's share label goes (None without one), and take the place."""
        if not item.label:
            return None
        width, height = item.label_size()
        place = label_spot(points, width, height, self.taken, LABEL_GAP)
        if place is None:  # nowhere free: just past the start, as the deck does
            x, y = points[0]
            place = Box(x + LABEL_GAP, y - height / 2, x + LABEL_GAP + width, y + height / 2)
        self.taken.append(place)
        return (place.left, place.top, place.right, place.bottom)


def route_flows(scene: MapScene) -> None:
    """Give every visible flow of the scene its route and label place, drawn above the steps,
    and measure the map again (its flows may now run below the lowest row). All at once: for
    exports; the editor routes through LiveRouting. A map of more than ROUTED_STEPS_LIMIT
    visible steps keeps the straight live routing: routing it would take minutes."""
    scene.finish_updates()
    if sum(item.isVisible() for item in scene.item_for_step.values()) > ROUTED_STEPS_LIMIT:
        return
    routing = FlowRouting(scene)
    while routing.advance():
        pass
    routing.apply()


class LiveRouting(QObject):
    """Keeps an editable scene's flows routed while its map changes (installed by MapView).

    Model events that move, add, remove or reshape something a route depends on schedule one
    routing ROUTE_DELAY_MS later; it runs a slice at a time and is applied when every flow has its
    route, unless something changed meanwhile (then it starts again). It waits while a drag is
    under way; a drag the model refuses, which leaves no event, schedules it (MoveTool). A map of
    more than ROUTED_STEPS_LIMIT steps, or one where a flow took longer than SLOW_ROUTE_SECONDS
    to route, keeps the live routing."""

    def __init__(self, scene: MapScene) -> None:
        super().__init__(scene)
        self._scene = weakref.ref(scene)
        self._routing: FlowRouting | None = None
        self._stopped = False
        self._too_slow_at: int | None = None  # the step count at which a route took too long
        self._planned_flags: tuple = ()  # the steps' flags (badges) the last routing avoided
        self._delay = QTimer(self)
        self._delay.setSingleShot(True)
        self._delay.setInterval(ROUTE_DELAY_MS)
        self._delay.timeout.connect(self._begin)
        self._slice = QTimer(self)
        self._slice.setSingleShot(True)
        self._slice.timeout.connect(self._continue)
        self._in_batch = False  # within a batch of model events (vsm.model.bulk)
        self._batch_changed = False  # something a route depends on changed in the batch
        scene.map.subscribe(self._on_model_event, gathered=True)  # a batch's events at its end
        scene.document.analysis_changed.connect(self._on_analysis_changed)
        self.schedule()

    @property
    def pending(self) -> bool:
        """Whether a routing is waiting or under way."""
        return self._delay.isActive() or self._routing is not None

    def schedule(self) -> None:
        """Route the flows again a little later; a routing under way is dropped."""
        if self._stopped:
            return
        self._routing = None
        self._slice.stop()
        self._delay.start()

    def stop(self) -> None:
        """Route no more (the scene stopped following its map)."""
        self._stopped = True
        self._routing = None
        self._delay.stop()
        self._slice.stop()
        scene = self._scene()
        if scene is not None:
            scene.map.unsubscribe(self._on_model_event)
            try:
                scene.document.analysis_changed.disconnect(self._on_analysis_changed)
            except (RuntimeError, TypeError):  # already disconnected
                pass

    def _on_model_event(self, event: object) -> None:
        """Route again after an event that moves or reshapes what a route depends on; within
        a batch (thousands of events) once, at its end."""
        if isinstance(event, BatchStarted):
            self._in_batch, self._batch_changed = True, False
            return
        if isinstance(event, BatchEnded):
            self._in_batch = False
            if self._batch_changed or any(_moves_routes(e) for e in event.events):
                self.schedule()
            return
        if _moves_routes(event):
            if self._in_batch:
                self._batch_changed = True
            else:
                self.schedule()

    def _on_analysis_changed(self, map_id: str) -> None:
        """New figures may show other badges (after the scene, connected first, showed them):
        the routes keep clear of badges, so a change of badges routes again."""
        scene = self._scene()
        if (scene is not None and map_id == scene.map.id and not self._stopped
                and len(scene.item_for_step) <= ROUTED_STEPS_LIMIT
                and _flags(scene) != self._planned_flags):
            self.schedule()

    def _begin(self) -> None:
        scene = self._scene()
        if scene is None or self._stopped:
            return
        if self._dragging(scene):  # plan from where the drag leaves the items
            self._delay.start()
            return
        steps = len(scene.item_for_step)
        if self._too_slow_at is not None and steps < self._too_slow_at:
            self._too_slow_at = None  # smaller now: worth another try
        if steps > ROUTED_STEPS_LIMIT or self._too_slow_at is not None:
            _back_to_live(scene)
            return
        scene.finish_updates()  # items a batch put back or moved, still waiting: first
        self._routing = FlowRouting(scene)
        self._planned_flags = _flags(scene)
        self._continue()

    def _continue(self) -> None:
        """Route flows for about SLICE_SECONDS; apply the routes when all are done. While a drag
        is under way, wait: a drag that moves something changes the model, which schedules a new
        routing; a click leaves the items where this one was planned."""
        scene, routing = self._scene(), self._routing
        if scene is None or routing is None:
            return
        if self._dragging(scene):
            self._slice.start(DRAG_POLL_MS)
            return
        deadline = time.perf_counter() + SLICE_SECONDS
        while True:
            started = time.perf_counter()
            more = routing.advance()
            now = time.perf_counter()
            if now - started > SLOW_ROUTE_SECONDS:
                self._routing, self._too_slow_at = None, len(scene.item_for_step)
                _back_to_live(scene)
                return
            if not more:
                break
            if now >= deadline:
                self._slice.start(0)
                return
        self._routing = None
        routing.apply()

    @staticmethod
    def _dragging(scene: MapScene) -> bool:
        return scene.move_tool is not None and scene.move_tool.active


def _flags(scene: MapScene) -> tuple:
    """The flags each step shows as badges (obstacles of the routes)."""
    return tuple(tuple(item.flags) for item in scene.item_for_step.values())


def _back_to_live(scene: MapScene) -> None:
    """Take the flows routed before (a smaller map) back to the live routing."""
    for item in scene.item_for_flow.values():
        if item.routed:
            item.adjust()


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
