"""What the canvas does with a batch of model events (vsm.model.bulk: a delete of many items,
its undo, a paste, an auto-layout): the per-item work at once, the rest once at the batch's end.

A mix-in of MapScene (ui.canvas.scene), which provides the map, its items by id, the lanes and
QGraphicsScene's own methods. Within a batch the scene sends no signal (one selectionChanged at
the end, if the selection lost items), lays the lanes out once, puts each moved step in place
once with its flows routed once, and keeps the step and flow items it removed: the next batch
(the delete's undo, which puts back the very same records) shows them again instead of building
new ones, and a flow whose ends did not move is not routed again.

A batch that moved the ends of more than FOLLOW_AT_ONCE flows and bursts (an auto-layout of a
big map, its undo) puts the steps in place at once and lets their flows and bursts follow a
slice per turn of the event loop (`following`); each follows from where its steps are when its
turn comes, so an edit meanwhile leaves nothing stale (a removed flow follows nothing, a new
batch adds its own to those waiting), and a routing draws the waiting ones first
(`finish_following`).
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

FOLLOW_AT_ONCE = 500  # a batch that moved the ends of more flows and bursts draws them in slices
FOLLOW_SLICE_SECONDS = 0.010  # each turn of the event loop draws followers for about this long


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
    _follow: dict[Follower, None] | None = None  # flows and bursts still to follow their steps
    _follow_timer: QTimer | None = None  # the next slice of them
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
        followers = self._followers_pending()
        for step_id in batch.moved:
            item = self.item_for_step.get(step_id)
            if item is not None:
                followers.update(dict.fromkeys(item.move_alone(item.step.x, item.step.y)))
        if len(followers) <= FOLLOW_AT_ONCE:
            self._follow = None
            for follower in followers:
                follower.adjust()
        else:  # thousands of flows: a slice per turn of the event loop
            self._follow_slice()
        self.blockSignals(batch.blocked)
        if batch.lanes:
            self._update_lanes()
        if batch.unselected and not batch.blocked:
            self.selectionChanged.emit()
        self.schedule_layout()

    @property
    def following(self) -> bool:
        """Whether flows and bursts moved by a batch still wait to follow their steps (the
        batch moved so many that they follow a slice per turn of the event loop)."""
        return bool(self._follow)

    def finish_following(self) -> None:
        """Draw every flow and burst still waiting to follow its moved steps now (a routing,
        which reads their lines, calls this first)."""
        followers, self._follow = self._follow, None
        if self._follow_timer is not None:
            self._follow_timer.stop()
        if followers:
            for follower in followers:
                follower.adjust()
            self._content = None  # the flows' extents changed: measure the map again
            self.schedule_layout()

    def _followers_pending(self) -> dict[Follower, None]:
        """The flows and bursts waiting to follow (each once, in order): a new batch adds to
        those an earlier one left."""
        if self._follow is None:
            self._follow = {}
        return self._follow

    def _follow_slice(self) -> None:
        """Draw the waiting flows and bursts for about FOLLOW_SLICE_SECONDS, then let the event
        loop turn; the last slice measures the map again. A follower adjusts from where its
        steps are when its turn comes, so a later edit leaves nothing stale; one removed
        meanwhile (detached) adjusts to nothing."""
        followers = self._follow
        if not followers:
            self._follow = None
            return
        deadline = time.perf_counter() + FOLLOW_SLICE_SECONDS
        while followers:
            follower = next(iter(followers))
            del followers[follower]
            follower.adjust()
            if followers and time.perf_counter() >= deadline:
                if self._follow_timer is None:
                    self._follow_timer = QTimer(self)  # type: ignore[arg-type]
                    self._follow_timer.setSingleShot(True)
                    self._follow_timer.setInterval(0)
                    self._follow_timer.timeout.connect(self._follow_slice)
                self._follow_timer.start()
                return
        self._follow = None
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
            self.addItem(item)
            return True
        if (isinstance(item, FlowItem) and item.flow is record and isinstance(record, Flow)
                and record.source in self.item_for_step and record.target in self.item_for_step):
            item.set_theme(self.theme)
            item.reattach(self.item_for_step[record.source], self.item_for_step[record.target])
            self.item_for_flow[item_id] = item
            self.addItem(item)
            return True
        return False

