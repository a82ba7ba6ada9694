"""The sliced building of a MapScene's items (issue 19): `build_in_chunks` adds the items a
scene made with `build=False` still lacks, a chunk at a time, so ui.canvas.building can spread a
large map's canvas over many turns of the event loop (and ui.render an export's scene);
`dismantle` takes a finished scene's items away again a slice at a time, freeing each as it goes.

The steps and flows are walked once, from where the last chunk stopped: searching them from the
first again for every chunk made building a 5,000-step map quadratic (most of its 1.2 s).
A canvas in the window (`reserve`) takes, before its first chunk, the rect it will end with
(ui.canvas.room): a new rect once its items were there had Qt index all of them again; and the
depth of index its items will need (`index_depth`), which Qt would choose from its first four.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene

from ui.canvas.decorations import MARGIN
from ui.canvas.items import (
    FlowItem,
    KaizenItem,
    LadderItem,
    LanesItem,
    LegendItem,
    StepItem,
    SummaryItem,
)
from ui.canvas.room import map_reach, room_once_built
from vsm.model import Flow, Step

if TYPE_CHECKING:
    from ui.canvas.analysis_presenter import AnalysisPresenter
    from ui.canvas.palette import Theme
    from ui.document.document import Document
    from vsm.analysis import MapAnalysis
    from vsm.model import ValueStreamMap
    from vsm.model.records import Kaizen

BUILD_CHUNK = 50  # items per chunk of build_in_chunks (about 7 ms on a 2-core machine)
DISMANTLE_SLICE_SECONDS = 0.006  # of taking items away per slice of dismantle (two slices
# often run between two turns of the other timers: see ui.canvas.building.SLICE_SECONDS)


class SceneBuilding:
    """The building methods of MapScene."""

    map: ValueStreamMap
    document: Document
    item_for_step: dict[str, StepItem]
    item_for_flow: dict[str, FlowItem]
    item_for_kaizen: dict[str, KaizenItem]
    theme: Theme
    legend: LegendItem
    ladder: LadderItem
    summary: SummaryItem
    lanes: LanesItem
    _presenter: AnalysisPresenter
    _complete: bool
    _lanes_by: str | None
    _content: Any
    _analyse: bool
    _scene_rect: QRectF | None  # Decorations': the scene rect last set

    if TYPE_CHECKING:  # MapScene's and QGraphicsScene's, in the scene this is mixed into
        def _add_step_item(self, step: Step, add: bool = True) -> StepItem: ...
        def _add_flow_item(self, flow: Flow, add: bool = True) -> FlowItem: ...
        def _add_kaizen_item(self, kaizen: Kaizen) -> KaizenItem: ...
        def _update_lanes(self) -> None: ...
        def schedule_layout(self) -> None: ...
        def _chunk_built(self, keys: list[tuple[str, str]]) -> None: ...
        def addItem(self, item: Any) -> None: ...  # noqa: N802
        def setSceneRect(self, rect: QRectF) -> None: ...  # noqa: N802
        def setBspTreeDepth(self, depth: int) -> None: ...  # noqa: N802

    def build_in_chunks(self, chunk: int = BUILD_CHUNK, reserve: bool = False
                        ) -> Iterator[tuple[int, int]]:
        """Add the items the map's steps, flows and kaizen bursts still lack, about `chunk` at a
        time (0: all at once), the steps first, a flow once both its steps have theirs; yield
        (items built, items of the map) after each chunk, and mark the scene complete at the end.

        Each chunk reads the map as it is then: a step added meanwhile is built, a removed one
        is not (model events about items not built yet are left to the builder). The steps and
        flows are walked once, from where the last chunk stopped (not searched again from the
        first each chunk: that made building a 5,000-step map quadratic); at the end one look
        over the whole map finds what edits meanwhile left unbuilt, for another walk. Each
        chunk's items get the shown analysis's flags and critical path before they join the
        scene (see `analyse`), and join the map's extent then (`_chunk_built`): the build's end
        measures nothing again (zoom to fit measured all 48,000 items of the 20,000-step map in
        the last chunk's turn).

        With `reserve` (a canvas in the window: ui.canvas.building), the scene first takes the
        rect the whole map will need (`_reserve`), and a first chunk of its own is the steps
        and the rework arc that reach furthest (ui.canvas.room.map_reach): from it on, the
        map's extent is the whole map's, and a view fitted then is fitted as it will be."""
        map_, built, flows_built = self.map, self.item_for_step, self.item_for_flow
        limit = chunk or sys.maxsize
        next_step = next_flow = 0  # where the walks over the steps and the flows are
        if reserve:
            reach = map_reach(map_)
            self._reserve(room_once_built(self, self._presenter.shown, reach))
            ends = [step for step in reach.steps if step.id not in built]
            arcs = [flow for flow in reach.arcs if flow.id not in flows_built]
            furthest: list[QGraphicsItem] = [self._add_step_item(step, add=False)
                                             for step in ends]
            furthest += [self._add_flow_item(flow, add=False) for flow in arcs]
            self._show_chunk(ends, arcs, furthest)
            self._chunk_built([("s", step.id) for step in ends]
                              + [("f", flow.id) for flow in arcs])
            yield (len(built) + len(flows_built), len(map_.steps) + len(map_.flows)
                   + len(map_.kaizens))
        while not self._complete:
            steps, next_step = _unbuilt(map_.steps, next_step, limit, built)
            items: list[QGraphicsItem] = [self._add_step_item(step, add=False) for step in steps]
            room = limit - len(steps)
            flows: list[Flow] = []
            if room:  # the steps are all built: flows between this chunk's steps too
                flows, next_flow = _unbuilt(map_.flows, next_flow, room, flows_built, built)
            items += [self._add_flow_item(flow, add=False) for flow in flows]
            self._show_chunk(steps, flows, items)
            if room and len(flows) < room:  # both walks reached the end
                if self._every_item_built():  # the bursts last
                    for kaizen in map_.kaizens:
                        if kaizen.id not in self.item_for_kaizen:
                            self._add_kaizen_item(kaizen)
                    self._complete = True
                    if self._lanes_by is not None:
                        self._update_lanes()
                    self.schedule_layout()
                else:  # edits meanwhile put steps or flows behind the walks: walk again
                    next_step = next_flow = 0
            self._chunk_built([("s", step.id) for step in steps]
                              + [("f", flow.id) for flow in flows])
            yield (len(built) + len(self.item_for_flow) + len(self.item_for_kaizen),
                   len(map_.steps) + len(map_.flows) + len(map_.kaizens))

    def _show_chunk(self, steps: list[Step], flows: list[Flow], items: list[QGraphicsItem]
                    ) -> None:
        """Add the items just made of these steps and flows to the scene, each with its
        analysis state (badges, outlines) before it joins it."""
        if not items:
            return
        self._presenter.items_changed(steps=[s.id for s in steps], flows=[f.id for f in flows])
        analysis = self._latest_analysis()
        if analysis is not None:
            self._presenter.apply(self, analysis)
        for item in items:
            self.addItem(item)

    def _reserve(self, everything: QRectF) -> None:
        """Take now, before any item is built, the scene rect for `everything` the whole map
        will show once built (ui.canvas.room), with its margins: the layouts while it is built
        keep it (it holds what is built so far), and so does the one at the end, which finds it
        around everything; the items are indexed once, as they come. (Taken at the end, Qt
        indexed the 57,000 items of the 20,000-step map again in the first paint after the
        open.) The index's depth is set for the items to come too (`index_depth`)."""
        if everything.isNull():
            return
        self.fits_map_alone = True  # its ladder comes as its steps do (Decorations.fit_rect)
        map_ = self.map
        self.setBspTreeDepth(index_depth(len(map_.steps) + len(map_.flows) + len(map_.kaizens)))
        self._scene_rect = everything.adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)
        self.setSceneRect(self._scene_rect)

    def _latest_analysis(self) -> MapAnalysis | None:
        """The analysis to show on items being made: the document's current one, or with
        `analyse=False` the latest it has (never computed here; None before the first)."""
        if self._analyse:
            return self.document.analysis(self.map.id)
        return self.document.shown_analysis(self.map.id)

    def _every_item_built(self) -> bool:
        """Whether every step and flow of the map has its item (one look over the map)."""
        steps, flows = self.item_for_step, self.item_for_flow
        return (all(s.id in steps for s in self.map.steps)
                and all(f.id in flows for f in self.map.flows))


def index_depth(items: int) -> int:
    """The depth Qt's BSP index takes for this many items (QGraphicsSceneBspTreeIndex: the
    log2 of their count rounded up, 5 at least). It decides its depth once, when it first
    indexes the scene, and never again: a scene built in slices it first indexed with its four
    decorations, depth 5 for the 20,000-step map (32 cells of thousands of items each), every
    paint and look-up (a tooltip, a click) going through them, 3-4 times what depth 16 costs
    (a paint of the fitted view 18 -> 6 ms, the items in it 12 -> 3 ms)."""
    return max(math.ceil(math.log2(max(items, 1))), 5)


def _unbuilt(records: list, start: int, limit: int, built: dict,
             ends: dict | None = None) -> tuple[list, int]:
    """Up to `limit` of `records` from index `start` on whose id is not in `built` (with `ends`:
    flows, only those both of whose steps are in it); and the index to go on from."""
    found: list = []
    index, count = start, len(records)
    while index < count and len(found) < limit:
        record = records[index]
        index += 1
        if record.id not in built and (ends is None or (record.source in ends
                                                        and record.target in ends)):
            found.append(record)
    return found, index


def dismantle(scene: Any, slice_seconds: float = DISMANTLE_SLICE_SECONDS,
              ) -> Generator[float, None, None]:
    """Take a finished scene's items away about `slice_seconds` at a time (a big map's
    scene.clear() takes a tenth of a second or more), leaving an empty scene (a MapScene:
    typed Any, as scene.py imports this module): an export's
    (ui.render.export_scenes) or a closed document's canvas (ui.window.map_tabs).

    The items' Python attributes are dropped as they go: a step and its flows refer to each
    other (and a badge to its step), so without that every item of the map would be left to the
    garbage collector, whose next full collection then freed them all in one go on the GUI
    thread (about 100,000 objects, 0.12 s at 5,000 steps) — in a slice now, item by item.

    The steps, flows and bursts are taken from the scene's own tables, the few items left
    (legend, ladder, summary, lanes…) from the scene afterwards: asking Qt for every item first
    (scene.items(), each wrapped for Python) took 10 ms at 5,000 steps and 62 ms at 20,000, in
    one go, the first turn of a closed canvas's teardown."""
    scene.detach()
    known: list[QGraphicsItem] = [*scene.item_for_step.values(), *scene.item_for_flow.values(),
                                  *scene.item_for_kaizen.values()]
    for owned in (scene.item_for_step, scene.item_for_flow, scene.item_for_kaizen):
        owned.clear()
    yield from _take_away(scene, known, slice_seconds)
    yield from _take_away(scene, scene.items(), slice_seconds)  # what is left: a few items


def _take_away(scene: QGraphicsScene, items: list[QGraphicsItem], slice_seconds: float,
               ) -> Generator[float, None, None]:
    """Take `items` of `scene` out of it with their children, about `slice_seconds` at a time,
    each freed as it goes; an item already out of it, or a child (it goes with its parent), is
    only let go of."""
    deadline = time.perf_counter() + slice_seconds
    while items:
        item = items.pop()
        if item.parentItem() is None and item.scene() is scene:
            scene.removeItem(item)
            _forget_references(item)
        del item  # the last reference: the item and its children are deleted now
        if time.perf_counter() >= deadline:
            yield 1.0
            deadline = time.perf_counter() + slice_seconds


def _forget_references(item: QGraphicsItem) -> None:
    """Drop the Python attributes of an item taken out of its scene and of its children (the
    references that tie items into cycles: steps and their flows, badges and their step)."""
    pending = [item]
    while pending:
        current = pending.pop()
        pending.extend(current.childItems())
        attributes = getattr(current, "__dict__", None)
        if attributes is not None:
            attributes.clear()
