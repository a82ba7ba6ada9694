"""The legend, ladder and summary placed around the map, and the map's extent they are placed
by: a mix-in of MapScene (ui.canvas.scene), which provides the map, its items by id, the
decorations, the analysis presenter and QGraphicsScene's own methods.

The extent is kept between edits (ui.canvas.extent.MapExtent): the model events a scene hears
note the steps and flows they added, moved or removed (`_note_changed`), and the next layout updates
the extent from those alone; only when every item on one side left it (moved inward, removed),
or a batch or the build set `_content = None` (what changed not noted), is every item measured
again; on a large map (more than MEASURE_SLICE steps and flows) a scheduled layout, and the
one at the end of a batch's slices, measure it a slice per turn of the event loop first
(MapExtent.measure_slice: 48,000 boxes held one turn 80-140 ms at 20,000 steps) and place the
decorations in the turn the walk ends; a layout asked for meanwhile (`layout_decorations`,
`ensure_layout`) finishes the walk at once. The ladder is laid out again only when its
analysis, or a step on its path, changed (`_note_steps`, or placed by a batch's slices:
`slices_ended`); whether any step's cases are measured (the legend) only when a step came, went
or had its cases changed. While a batch's items are dealt with in slices (ui.canvas.batches),
the views are held from repainting after each slice and repaint once when the slices end
(`_hold_views`).

A batch that moved thousands of steps (an auto-layout of a big map, its undo) is laid out once
its slices are over, never while they run: its flows, still to follow their steps, do not count
until then, so a measure meanwhile would be taken again at their end, and the decorations
placed meanwhile would have the views paint a half-moved map. At their end the layout waits for
the next turn (the last slice has had its own), measures the map a slice per turn, then lays
the ladder out along the moved path in a turn of its own, and places the decorations in the
next, where the views repaint the map as it ends. Whoever waits for that (Auto-Layout's fit:
ui.canvas.view) asks `when_laid_out`.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator
from itertools import compress, repeat
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QRectF, QTimer
from PySide6.QtWidgets import QGraphicsView

from ui.canvas.extent import Box, Key, MapExtent
from ui.canvas.items import FlowItem, LadderItem, LanesItem, LegendItem, StepItem, SummaryItem
from ui.canvas.items.step_item import BOUNDS as STEP_BOUNDS
from ui.canvas.items.step_item import PROCESS_HEIGHT, WIDTH
from ui.document.collector import heap_frozen
from vsm.model import (
    FlowAdded,
    FlowChanged,
    FlowRemoved,
    MapChanged,
    StepAdded,
    StepChanged,
    StepRemoved,
    ValueStreamMap,
)
from vsm.model.events import (
    BatchEnded,
    BatchStarted,
    KaizenAdded,
    KaizenChanged,
    KaizenRemoved,
)

MARGIN = 400.0  # room around the map to scroll into and double-click on
MEASURE_SLICE = 5000  # steps' and flows' boxes measured per turn (about 8 ms) on a large map
_STEP_EVENTS = frozenset({StepAdded, StepRemoved, StepChanged})
_STEP_CHANGED = {StepChanged}
_STEP_ID, _FIELD = attrgetter("step.id"), attrgetter("field")
_ITEM_STEP_ID, _FLOW_ID = attrgetter("step_id"), attrgetter("flow_id")
_IS_STEP_ITEM, _IS_FLOW_ITEM = StepItem.__instancecheck__, FlowItem.__instancecheck__
# Events that change no step's or flow's box: a burst's (measured each time), a setting's.
_NO_EXTENT_CHANGE = frozenset({MapChanged, KaizenAdded, KaizenRemoved, KaizenChanged,
                               BatchStarted, BatchEnded})


class Decorations:
    """The decoration and extent methods of MapScene."""

    map: ValueStreamMap
    item_for_step: dict[str, StepItem]
    item_for_flow: dict[str, FlowItem]
    item_for_kaizen: dict[str, Any]
    legend: LegendItem
    ladder: LadderItem
    summary: SummaryItem
    lanes: LanesItem
    _presenter: Any
    _scene_rect: QRectF | None
    _placing: dict[StepItem, None]
    _follow: dict[Any, None]

    if TYPE_CHECKING:  # QGraphicsScene's, in the scene this is mixed into
        def setSceneRect(self, rect: QRectF) -> None: ...  # noqa: N802
        def items(self) -> list[Any]: ...
        def views(self) -> list[QGraphicsView]: ...

        @property
        def updating(self) -> bool: ...  # Batches'

        @property
        def attached(self) -> bool: ...  # MapScene's

        @property
        def complete(self) -> bool: ...  # MapScene's

    def _start_extent(self) -> None:
        """The map's extent, kept between edits, and what the decorations look at again."""
        self._extent = MapExtent(self._box_of, self._every_box, self._boxes_in_slices)
        # The scheduled layout: on a large map whose extent is measured again, a slice of the
        # measure per turn first (ui.canvas.extent.MapExtent.measure_slice).
        self._layout_turn = QTimer(self)  # type: ignore[arg-type]
        self._layout_turn.setSingleShot(True)
        self._layout_turn.setInterval(0)
        self._layout_turn.timeout.connect(self._layout_in_turns)
        self._noting = False  # a batch's end: its items are noted, not the whole map measured
        self._cases_due = True  # look again whether any step's cases are measured (the legend)
        # The views held from repainting until the slices end, with their update modes.
        self._views_held: dict[QGraphicsView, QGraphicsView.ViewportUpdateMode] = {}
        self._when_laid_out: list[Callable[[], object]] = []  # called once all is placed
        self.fits_map_alone = False  # Zoom to Fit leaves the ladder out (`fit_rect`)

    def content_changed(self) -> None:
        """Measure the map again and place the decorations around it (flows were re-routed)."""
        self._extent.invalidate()
        self._presenter.ladder_changed()  # the steps' items may have moved in slices
        self.layout_decorations()

    def slices_ended(self, moved: list[Any]) -> None:
        """A batch's items were shown, placed, routed or taken off in slices: those whose box
        a slice changed (`moved`: steps placed, flows and bursts that followed, flows routed
        again; the batch's events noted the others when it ended) are noted for the map's
        extent, and the decorations placed around it on the next turn (the last slice had
        this one), without measuring the whole map again — unless so many moved that it must
        be (an auto-layout: not noted one by one, a slice per turn first on a large map:
        `_layout_in_turns`)."""
        placed: Iterable[StepItem] = filter(_IS_STEP_ITEM, moved)
        if self._extent.many(len(moved)):
            self._extent.invalidate()
        else:  # the keys in C-level passes, the steps' then the flows' (in any order)
            placed = list(placed)
            self._extent.touch([*zip(repeat("s"), map(_ITEM_STEP_ID, placed)),
                                *zip(repeat("f"), map(_FLOW_ID, filter(_IS_FLOW_ITEM, moved)))])
        # The steps a slice placed where their steps are (the ladder takes the items' places;
        # it stops at the first on its path); one shown or taken off was told by the batch's
        # events, when it ended.
        self._presenter.ladder_changed(map(_ITEM_STEP_ID, placed))
        self._layout_turn.start()

    @property
    def _content(self) -> object:
        """Not None while the map's extent needs no full measure (the batches and the build
        set it to None when what they changed is not noted: ui.canvas.extent)."""
        return None if self._extent.stale else self._extent

    @_content.setter
    def _content(self, value: object) -> None:
        if value is None and not self._noting:
            self._extent.invalidate()
            self._presenter.ladder_changed()
            self._cases_due = True  # the build adds steps without events

    def _chunk_built(self, keys: list[Key]) -> None:
        """A chunk of the build (ui.canvas.chunks) added these steps and flows: they join the
        map's extent now, a chunk's worth of work, instead of the whole map being measured
        again when the build ends; the ladder and the legend's cases look again (the build
        adds steps without events)."""
        self._extent.touch(keys)
        self._extent.bounds()
        self._presenter.ladder_changed()
        self._cases_due = True

    def ensure_layout(self) -> None:
        """Place the legend, ladder and summary now if anything changed since they were last
        placed (a layout is scheduled, or the map must be measured again); else nothing."""
        if self._layout_turn.isActive() or self._extent.stale:
            self.layout_decorations()

    def schedule_layout(self) -> None:
        """Place the legend, ladder and summary again on the next turn of the event loop (on a
        large map measured again, in a later one: `_layout_in_turns`)."""
        self._layout_turn.start()
        if self.updating:
            self._hold_views(True)

    @property
    def laying_out(self) -> bool:
        """Whether the decorations are still to be placed on a coming turn (a layout is
        scheduled, or waits for a batch's slices or the map's measure in turns)."""
        return self._layout_turn.isActive() or bool(self._when_laid_out)

    def when_laid_out(self, callback: Callable[[], object]) -> None:
        """Call `callback` once the decorations are placed around the map as it ends: now,
        unless moved steps are still being placed in slices or the views are held until the
        slices' layout (see the module docstring): then in that layout."""
        if self._placing or self._follow or self._views_held:
            self._when_laid_out.append(callback)
        else:
            callback()

    def _layout_in_turns(self) -> None:
        """Place the decorations now, unless moved steps are still being placed in slices
        (their end lays them out: `slices_ended`) or the map is large and must be measured
        again: then a slice of the measure now, and the same again on the next turn until it
        is done. After a batch's slices, the ladder is laid out in a turn of its own, before
        the one that places the decorations and repaints the map."""
        if not getattr(self, "attached", False):  # closed: its canvas is being taken apart
            return
        if self._placing or self._follow:
            return
        extent = self._extent
        if (extent.stale and len(self.item_for_step) + len(self.item_for_flow) > MEASURE_SLICE
                and not extent.measure_slice()):
            self._layout_turn.start()
            if self.updating:
                self._hold_views(True)
            self._freeze_made()
            return
        if self._views_held and not self.updating and self._presenter.ladder_due:
            self._presenter.update_ladder(self)
            self._layout_turn.start()
            self._freeze_made()
            return
        self.layout_decorations()

    @staticmethod
    def _freeze_made() -> None:
        """While the window keeps the collector off a large document (ui.window.heap), what a
        turn of the layout made and keeps (the walk's lists of items, the ladder's segments)
        is frozen with it, as the slices before it are (ui.canvas.batches)."""
        if heap_frozen():
            gc.freeze()

    def _hold_views(self, hold: bool) -> None:
        """While a batch's items are dealt with in slices (thousands of steps moved, put back
        or taken off), the views do not repaint after each slice: every visible item painted
        again at each turn, a half-moved map on show. They repaint once, the whole map in its
        final state, when the slices end (`layout_decorations`)."""
        held = self._views_held
        if hold:
            for view in self.views():
                if view not in held:
                    held[view] = view.viewportUpdateMode()
                    view.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.NoViewportUpdate)
            return
        self._views_held = {}
        for view, mode in held.items():
            view.setViewportUpdateMode(mode)
            view.viewport().update()

    def _box_of(self, key: Key) -> Box | None:
        """The box a step or flow takes on the map now (a step still to be placed: where its
        step is; a flow still to follow its steps, or an item removed: None)."""
        kind, item_id = key  # type: ignore[misc]
        if kind == "s":
            item = self.item_for_step.get(item_id)
            if item is None:
                return None
            x, y = (item.step.x, item.step.y) if item in self._placing else (item.x(), item.y())
            left, top, right, bottom = STEP_BOUNDS
            return (x + left, y + top, x + right, y + bottom)
        flow = self.item_for_flow.get(item_id)
        return None if flow is None or flow in self._follow else flow.extent

    def _boxes_in_slices(self) -> Iterator[list[tuple[Key, Box]]]:
        """Every step's and flow's box as `_every_box` gives them, MEASURE_SLICE at a time, each
        slice read when it is asked for: an item removed meanwhile is left out, one added is
        noted by its event (ui.canvas.extent)."""
        left, top, right, bottom = STEP_BOUNDS
        # The ids and the items apart: a pair each, for the whole walk, were 48,000 objects
        # more at 20,000 steps for the collector to walk meanwhile.
        step_ids, step_items = list(self.item_for_step), list(self.item_for_step.values())
        flow_ids, flow_items = list(self.item_for_flow), list(self.item_for_flow.values())
        for start in range(0, len(step_ids), MEASURE_SLICE):
            placing, current = self._placing, self.item_for_step
            end = start + MEASURE_SLICE
            yield [(("s", step_id), (x + left, y + top, x + right, y + bottom))
                   for step_id, x, y in ((s, i.step.x, i.step.y) if i in placing
                                         else (s, i.x(), i.y())
                                         for s, i in zip(step_ids[start:end],
                                                         step_items[start:end])
                                         if current.get(s) is i)]
        for start in range(0, len(flow_ids), MEASURE_SLICE):
            following, now = self._follow, self.item_for_flow
            end = start + MEASURE_SLICE
            yield [(("f", flow_id), flow.extent)
                   for flow_id, flow in zip(flow_ids[start:end], flow_items[start:end])
                   if flow not in following and now.get(flow_id) is flow]

    def _every_box(self) -> list[tuple[Key, Box]]:
        """Every step's and flow's box, for a full measure (as `_box_of` gives each)."""
        left, top, right, bottom = STEP_BOUNDS
        placing, following = self._placing, self._follow  # moved, still to follow
        boxes: list[tuple[Key, Box]] = [
            (("s", step_id), (x + left, y + top, x + right, y + bottom))
            for step_id, x, y in ((s, i.step.x, i.step.y) if i in placing else (s, i.x(), i.y())
                                  for s, i in self.item_for_step.items())]
        boxes += [(("f", flow_id), flow.extent) for flow_id, flow in self.item_for_flow.items()
                  if flow not in following]
        return boxes

    def map_rect(self) -> QRectF:
        """The steps (with their waits and badges), flows and kaizen bursts, without the legend,
        ladder and summary; kept between edits, updated from the items that came or moved
        (ui.canvas.extent)."""
        bounds = self._extent.bounds()
        content = QRectF()
        if bounds is not None:
            left, top, right, bottom = bounds
            content = QRectF(left, top, right - left, bottom - top)
        for item in self.item_for_kaizen.values():
            content = content.united(item.sceneBoundingRect())
        return content

    def layout_decorations(self) -> None:
        """Legend above the map, ladder below the lowest step, summary under the ladder's right
        end; nothing while moved steps are still being placed in slices (the figures of an
        analysis that came meanwhile: their end lays the decorations out, `slices_ended`)."""
        if self._placing or self._follow:
            return
        self._layout_turn.stop()
        if self._views_held and not self.updating:
            self._hold_views(False)
        content = self.map_rect()
        if content.isNull():
            content = QRectF(0, 0, WIDTH, PROCESS_HEIGHT)
        lanes = self.lanes.mapRectToScene(self.lanes.boundingRect())
        if not lanes.isNull():
            content = content.united(lanes)
        self._presenter.update_ladder(self)
        if self._cases_due:  # a step came, went or had its cases changed
            self._cases_due = False
            self.legend.set_measured(any(step.cases is not None for step in self.map.steps))
        self.legend.setPos(content.left(), content.top() - self.legend.boundingRect().height() - 24)
        self.ladder.setPos(0, content.bottom() + 36)
        ladder = self.ladder.mapRectToScene(self.ladder.boundingRect())
        below = ladder.bottom() if not ladder.isNull() else content.bottom()
        right = max(content.right(), ladder.right() if not ladder.isNull() else content.right())
        self.summary.setPos(right - self.summary.boundingRect().width(), below + 16)
        everything = content.united(self.legend.sceneBoundingRect()).united(
            self.summary.sceneBoundingRect())
        if not ladder.isNull():
            everything = everything.united(ladder)
        # A new scene rect makes Qt rebuild its whole item index: keep the current one while it
        # leaves between half and one and a half margins around everything (a ladder total or a
        # summary figure a few pixels wider moves nothing); while the map is built in slices,
        # while it leaves half a margin at least (the rect taken for the whole map before its
        # first chunk: ui.canvas.chunks, `reserve`).
        current, half = self._scene_rect, MARGIN / 2
        if current is None or not (
                current.contains(everything.adjusted(-half, -half, half, half))
                and (not self.complete or everything.adjusted(
                    -3 * half, -3 * half, 3 * half, 3 * half).contains(current))):
            self._scene_rect = everything.adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)
            self.setSceneRect(self._scene_rect)
        if self._when_laid_out and not self.updating:
            waiting, self._when_laid_out = self._when_laid_out, []
            for callback in waiting:
                callback()

    def fit_rect(self) -> QRectF:
        """The map with its lead-time ladder and summary, as placed now: what Zoom to Fit shows
        (null for a map with no step, flow or burst). Not the legend: it is wider than a small
        map, and the map's names are what must be read from the back of the room. A map drawn
        in slices (`fits_map_alone`: hundreds of steps or more) is fitted to its steps alone:
        its view is fitted once, after the first slice built the steps reaching furthest, while
        its ladder still grows with the steps that come (ui.canvas.building)."""
        rect = self.map_rect()
        if rect.isNull() or self.fits_map_alone:
            return rect
        for item in (self.ladder, self.summary):
            if item.isVisible() and not item.boundingRect().isNull():
                rect = rect.united(item.sceneBoundingRect())
        return rect

    def content_rect(self) -> QRectF:
        """The map with its legend, ladder, summary and lanes (for zoom to fit and exports)."""
        rect = QRectF()
        for item in self.items():
            if item.isVisible() and item.parentItem() is None and not item.boundingRect().isNull():
                rect = rect.united(item.sceneBoundingRect())
        return rect

    def _note_steps(self, events: tuple[object, ...]) -> None:
        """Tell the ladder which steps came, went, moved or changed; whether any step's cases
        are measured is looked at again if a step came, went or had its cases changed. A
        batch of moves alone (40,000 events at 20,000 steps) is looked at in C-level passes,
        the ladder's path left as soon as one of its steps is found."""
        if len(events) > 1 and set(map(type, events)) == _STEP_CHANGED:
            self._presenter.ladder_changed(map(_STEP_ID, events))
            if not self._cases_due:
                self._cases_due = "cases" in map(_FIELD, events)
            return
        # The step events picked out in C (a delete of 20,000 steps: 48,000 events).
        stepped = list(compress(events, map(_STEP_EVENTS.__contains__, map(type, events))))
        if stepped:
            self._presenter.ladder_changed(list(map(_STEP_ID, stepped)))
            if not self._cases_due:
                self._cases_due = (set(map(type, stepped)) != _STEP_CHANGED
                                   or "cases" in map(_FIELD, stepped))

    def _note_changed(self, events: tuple[object, ...]) -> None:
        """Note for the map's extent the steps and flows these events added, moved or removed
        (a moved step's flows moved with it); a burst is measured each time; an event of
        another kind has the map measured again, and so does a batch touching a good part
        of the map (an auto-layout, its undo: ui.canvas.extent.MapExtent.many), without
        noting each item."""
        if self._extent.many(len(events)):
            self._extent.invalidate()
            return
        touched: list[Key] = []
        steps = self.item_for_step
        for event in events:
            kind = type(event)
            if kind is StepChanged:
                if event.field in ("x", "y"):  # type: ignore[attr-defined]
                    step_id = event.step.id  # type: ignore[attr-defined]
                    touched.append(("s", step_id))
                    item = steps.get(step_id)
                    if item is not None:
                        touched += [("f", flow.flow_id) for flow in item.flows
                                    if isinstance(flow, FlowItem)]
            elif kind is StepAdded or kind is StepRemoved:
                touched.append(("s", event.step.id))  # type: ignore[attr-defined]
            elif kind is FlowAdded or kind is FlowChanged or kind is FlowRemoved:
                touched.append(("f", event.flow.id))  # type: ignore[attr-defined]
            elif kind not in _NO_EXTENT_CHANGE:
                self._extent.invalidate()
                return
        self._extent.touch(touched)
