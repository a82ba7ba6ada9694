"""What the canvas does with a batch of model events (vsm.model.bulk: a delete of many items,
its undo, a paste, an auto-layout): the per-item work at once, the rest once at the batch's end.

A mix-in of MapScene (ui.canvas.scene), which provides the map, its items by id, the lanes and
QGraphicsScene's own methods. Within a batch the scene sends no signal (one selectionChanged at
the end, if the selection lost items), lays the lanes out once, puts each moved step in place
once with its flows routed once, and keeps the step and flow items it removed: the next batch
(the delete's undo, which puts back the very same records) shows them again instead of building
new ones, and a flow whose ends did not move is not routed again.

A batch that put back, or moved the ends of, more than AT_ONCE items (the undo of a delete of
thousands of steps, an auto-layout of a big map) has the scene's mirror of the map up to date at
its end (`item_for_step`, positions, selection) but shows the items put back and lets the flows
and bursts follow their moved steps a slice per turn of the event loop (`updating`). A flow
follows from where its steps are when its turn comes, so an edit meanwhile leaves nothing
stale: a removed flow follows nothing, an item removed before it was shown is never shown, a
new batch adds its own to those waiting; a selection or a routing shows and draws the waiting
ones first (`finish_updates`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QGraphicsItem

from ui.canvas.items import FlowItem, StepItem
from ui.canvas.items.step_item import Follower
from vsm.model import Flow, Step
from vsm.model.events import BatchEnded, BatchStarted

AT_ONCE = 500  # a batch that put back or moved the ends of more items shows them in slices
SLICE_SECONDS = 0.010  # each turn of the event loop shows items for about this long


@dataclass
class Batch:
    """What a batch of model events left for its end: the scene's signals were blocked before
    (`blocked`), the lanes need laying out, a selected item went, steps moved (each is put in
    place once, not once for x and once for y, its flows following once per end), the step
    and flow items it removed (kept for the batch that puts them back: an undo)."""

    blocked: bool
    lanes: bool = False
    unselected: bool = False
    moved: dict[str, None] = field(default_factory=dict)  # steps to put in place, once, in order
    removed: dict[str, QGraphicsItem] = field(default_factory=dict)  # step and flow items


class Batches:
    """The batch methods of MapScene."""

    _batch: Batch | None
    _kept: dict[str, QGraphicsItem]
    _lanes_by: str | None
    _colour_mode: str
    _content: Any
    _adding: dict[QGraphicsItem, None] = {}  # items put back, still to show
    _follow: dict[Follower, None] = {}  # flows and bursts still to follow
    _update_timer: QTimer | None = None  # the next slice of them
    item_for_step: dict[str, StepItem]
    item_for_flow: dict[str, FlowItem]

    if TYPE_CHECKING:  # MapScene's and QGraphicsScene's, in the scene this is mixed into
        theme: Any
        selectionChanged: Any

        def _update_lanes(self) -> None: ...
        def schedule_layout(self) -> None: ...
        def content_changed(self) -> None: ...
        def signalsBlocked(self) -> bool: ...  # noqa: N802
        def blockSignals(self, block: bool) -> bool: ...  # noqa: N802
        def removeItem(self, item: QGraphicsItem) -> None: ...  # noqa: N802
        def addItem(self, item: QGraphicsItem) -> None: ...  # noqa: N802

    def _on_batch(self, event: BatchStarted | BatchEnded) -> None:
        """Within a batch of model events (a delete of many items, its undo, a paste, a move),
        the scene tells nothing (no selectionChanged per removed item: one at the end, if the
        selection lost items) and lays the lanes out once, at the end."""
        if isinstance(event, BatchStarted):
            self._batch = Batch(self.signalsBlocked())
            self.blockSignals(True)
            return
        batch, self._batch = self._batch, None
        if batch is None:
            return
        self._kept = batch.removed  # a batch that put items back consumed what it needed
        followers = self._pending()
        for step_id in batch.moved:
            item = self.item_for_step.get(step_id)
            if item is not None:
                followers.update(dict.fromkeys(item.move_alone(item.step.x, item.step.y)))
        if len(self._adding) + len(followers) <= AT_ONCE:
            self.finish_updates(measure=False)  # the batch's events measure the map again
        else:  # thousands of items: a slice per turn of the event loop
            self._update_slice()
        self.blockSignals(batch.blocked)
        if batch.lanes:
            self._update_lanes()
        if batch.unselected and not batch.blocked:
            self.selectionChanged.emit()
        self.schedule_layout()

    @property
    def updating(self) -> bool:
        """Whether items a batch put back still wait to be shown, or flows and bursts it moved
        still wait to follow their steps (the batch had so many that they come a slice per
        turn of the event loop)."""
        return bool(self._adding) or bool(self._follow)

    def finish_updates(self, measure: bool = True) -> None:
        """Show every item still waiting and draw every flow and burst still waiting to follow
        its steps, now (a selection or a routing, which need them, calls this first)."""
        adding, followers = self._adding, self._follow
        self._adding, self._follow = {}, {}
        if self._update_timer is not None:
            self._update_timer.stop()
        for item in adding:
            self.addItem(item)
        for follower in followers:
            follower.adjust()
        if measure and (adding or followers):
            self._content = None  # the map's extent changed: measure it again
            self.schedule_layout()

    def _pending(self) -> dict[Follower, None]:
        """The flows and bursts waiting to follow (each once, in order): a new batch adds to
        those an earlier one left."""
        if not self._follow:
            self._follow = {}  # the scene's own, not the class's empty default
        return self._follow

    def _update_slice(self) -> None:
        """Show the waiting items, then draw the waiting flows and bursts, for about
        SLICE_SECONDS, then let the event loop turn; the last slice measures the map again. A
        follower adjusts from where its steps are when its turn comes, so a later edit leaves
        nothing stale; one removed meanwhile (detached) adjusts to nothing, and an item removed
        before it was shown is never shown (`_remove`)."""
        deadline = time.perf_counter() + SLICE_SECONDS
        adding, followers = self._adding, self._follow
        # Through a copy of the keys: taking the first key of a dict again and again after
        # deleting the ones before it walks all the deleted ones each time (quadratic).
        for item in list(adding):
            del adding[item]
            self.addItem(item)
            if time.perf_counter() >= deadline:
                break
        else:
            for follower in list(followers):
                del followers[follower]
                follower.adjust()
                if time.perf_counter() >= deadline:
                    break
        if adding or followers:
            if self._update_timer is None:
                self._update_timer = QTimer(self)  # type: ignore[arg-type]
                self._update_timer.setSingleShot(True)
                self._update_timer.setInterval(0)
                self._update_timer.timeout.connect(self._update_slice)
            self._update_timer.start()
            return
        self.content_changed()

    def _lanes_changed(self) -> None:
        """Lay the lanes out again (once at the end of a batch)."""
        if self._lanes_by is None:
            return
        if self._batch is not None:
            self._batch.lanes = True
        else:
            self._update_lanes()

    def _remove(self, item: QGraphicsItem) -> None:
        """Take an item off the canvas, noting a selected one in a batch (whose one
        selectionChanged is sent at its end); a batch keeps its step and flow items, in case
        the next batch puts them back (the delete's undo)."""
        batch = self._batch
        if batch is not None and item.isSelected():
            batch.unselected = True
        if item in self._adding:  # put back by a batch, never shown: nothing to take off
            del self._adding[item]
        else:
            self.removeItem(item)
        if batch is not None and isinstance(item, (StepItem, FlowItem)):
            if item.isSelected():
                item.setSelected(False)  # put back as new items come: not selected
            batch.removed[item.step_id if isinstance(item, StepItem) else item.flow_id] = item

    def _put_back(self, item_id: str, record: Step | Flow) -> bool:
        """Show again the item a batch removed for this very step or flow record (an undo
        puts back the same records): no new item, and a flow whose ends have not moved is not
        routed again. False: there is no such item."""
        item = self._kept.pop(item_id, None) if self._batch is not None else None
        if isinstance(item, StepItem) and item.step is record:
            item.set_step(record)
            item.set_colour_mode(self._colour_mode)
            item.set_theme(self.theme)
            item.setPos(record.x, record.y)
            self.item_for_step[item_id] = item
            self._show(item)
            return True
        if (isinstance(item, FlowItem) and item.flow is record and isinstance(record, Flow)
                and record.source in self.item_for_step and record.target in self.item_for_step):
            item.set_theme(self.theme)
            item.reattach(self.item_for_step[record.source], self.item_for_step[record.target])
            self.item_for_flow[item_id] = item
            self._show(item)
            return True
        return False

    def _show(self, item: QGraphicsItem) -> None:
        """Put an item back on the canvas at the batch's end (in slices if there are many)."""
        if not self._adding:
            self._adding = {}  # the scene's own, not the class's empty default
        self._adding[item] = None

