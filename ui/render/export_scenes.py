"""The scene an export draws, made and taken away a slice at a time.

`export_scene` gives a fresh MapScene of a map in the LIGHT theme with the document's analysis
applied (flags, critical path, ladder and summary), its flows routed around the boxes by the
deck's rules, without selection, grid or item caches; its items are built a chunk at a time and
its flows routed a flow at a time, with a callback between the slices. `dismantle`
(ui.canvas.chunks) takes a finished scene's items away again. `ensure_application`
gives the pictures a QApplication when there is none (the `vsm export` command).
"""

from __future__ import annotations

import gc
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from PySide6.QtWidgets import QApplication, QGraphicsItem

from ui.canvas.items import FlowItem, StepItem
from ui.canvas.palette import LIGHT
from ui.canvas.routes import ROUTED_STEPS_LIMIT, FlowRouting
from ui.canvas.scene import MapScene
from ui.document.collector import heap_frozen
from ui.document.document import Document
from ui.render.painting import APP, SLICE_SECONDS

_APPLICATION: QApplication | None = None


def ensure_application() -> QApplication:
    """The running QApplication, or a new one; without a display it is offscreen (headless)."""
    global _APPLICATION
    app = QApplication.instance()
    if app is not None:
        return app
    headless = not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if headless and sys.platform not in ("win32", "darwin"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    _APPLICATION = QApplication([APP])
    return _APPLICATION


@contextmanager
def export_scene(document: Document, map_id: str, colour_mode: str = "activity",
                 step_ids: list[str] | None = None,
                 between: Callable[[float], None] | None = None) -> Iterator[MapScene]:
    """A fresh MapScene of the map in the LIGHT theme with its analysis applied, ready to render.

    With `step_ids`, only those steps, the flows between them and what belongs to them show.
    The scene is built and routed in slices; `between(fraction done)` is called after each (an
    exception it raises, such as ExportCancelled, stops the building and leaves the block).
    """
    ensure_application()
    scene = MapScene(document, document.project.map(map_id), build=False)
    try:
        for fraction in _prepare(scene, colour_mode, step_ids):
            if between is not None:
                between(fraction)
        yield scene
    finally:
        scene.detach()
        scene.clear()


BUILDING = 0.6  # of preparing an export scene: building its items; the rest routes the flows


def _prepare(scene: MapScene, colour_mode: str, step_ids: list[str] | None) -> Iterator[float]:
    """Make a scene of build=False an export's, a slice at a time: yield the fraction done."""
    scene.set_colour_mode(colour_mode)
    scene.set_theme(LIGHT)  # before the items are built: they are made in the light theme
    scene.snap_to_grid = False
    scene.show_last_valid = False  # the real state, never the greyed last valid figures
    for built, total in scene.build_in_chunks():
        if heap_frozen():  # as a canvas drawn in slices (ui.canvas.building): the chunk's
            gc.freeze()  # items join the frozen heap, no full collection walks them again
        yield BUILDING * built / max(total, 1)
    scene.layout_decorations()  # the items have the analysis (built with it): the places
    scene.clearSelection()
    chosen = set(step_ids) if step_ids else None
    deadline = time.perf_counter() + SLICE_SECONDS
    for item in scene.items():
        item.setCacheMode(QGraphicsItem.CacheMode.NoCache)  # text stays text in SVG and PDF
        if time.perf_counter() >= deadline:
            yield BUILDING
            deadline = time.perf_counter() + SLICE_SECONDS
        if chosen is None or item.parentItem() is not None:
            continue
        if isinstance(item, StepItem):
            item.setVisible(item.step_id in chosen)
        elif isinstance(item, FlowItem):
            item.setVisible(item.flow.source in chosen and item.flow.target in chosen)
        else:  # decorations hide; items that belong to a step follow it
            item.setVisible(_owner_step(item) in chosen)
    # Orthogonal, around the boxes, labels never hidden (as in the deck): ui.canvas.routes'
    # route_flows, a flow at a time.
    if sum(item.isVisible() for item in scene.item_for_step.values()) <= ROUTED_STEPS_LIMIT:
        routing = FlowRouting(scene)
        flows = max(1, len(scene.item_for_flow))
        routed = 0
        deadline = time.perf_counter() + SLICE_SECONDS
        while routing.advance():
            routed += 1
            if time.perf_counter() >= deadline:
                yield BUILDING + (1 - BUILDING) * min(routed / flows, 1.0)
                deadline = time.perf_counter() + SLICE_SECONDS
        routing.apply()
        for item in scene.items():  # the routes may have added label items
            item.setCacheMode(QGraphicsItem.CacheMode.NoCache)
    if heap_frozen():  # the decorations, the routes: frozen too
        gc.freeze()
    yield 1.0


def _owner_step(item: QGraphicsItem) -> str | None:
    """The id of the step an item belongs to (a kaizen burst's step), if any."""
    step_item = getattr(item, "step_item", None)
    if step_item is not None:
        return getattr(step_item, "step_id", None)
    return getattr(item, "step_id", None)
