"""What the canvas does with a batch of model events (vsm.model.bulk: a delete of many items,
its undo, a paste, an auto-layout): a note per event, the work once at the batch's end.

A mix-in of MapScene (ui.canvas.scene), which provides the map, its items by id, the lanes and
QGraphicsScene's own methods; one event's item, alone or within a batch, is ui.canvas.batch_items'
(`in_batch`, `_remove`, `_put_back`). The scene takes a batch's events gathered (vsm.model.events): all
at once at its end (`take_batch`), before the batch's work. Within a batch the scene sends no
signal (one selectionChanged at the end, if the selection lost items), and an event of the
batch's usual kinds (a step or flow added, removed, moved) only notes what it changes
(`take_batch`, `in_batch`): the scene's mirror of the map (`item_for_step`, `item_for_flow`)
follows at once, the Qt work waits for the batch's end. There the lanes are laid out once, each
moved step put in place once with its flows routed once, and the step and flow items it removed
are kept: the next batch (the delete's undo, which puts back the very same records) shows them
again instead of building new ones, and a flow whose ends did not move is not routed again.

A batch that removed, put back, or moved the ends of, more than AT_ONCE items (a delete of
thousands of steps, its undo, an auto-layout of a big map) has the scene's mirror of the map up
to date at its end (`item_for_step`) and does the rest a slice per turn of the event loop
(`updating`): the items it removed are hidden, a chunk at a time, then taken off the canvas;
the items put back are shown, the moved steps' items put where their steps are, and the flows
and bursts follow them, in slices (`map_rect` measures a moved step where its step is). A flow
follows from where its steps are when its turn comes, so an edit meanwhile leaves nothing stale: a removed
flow follows nothing, an item removed before it was shown is never shown, an item put back
before it was taken off is shown again where it is, a new batch adds its own to those waiting;
a selection or a routing shows and draws the waiting ones first (`finish_updates`). The turn
after such a batch is left to the work it set off elsewhere (the step table's layout, the
analysis's copy of the map, the panes' repaint): the first slice comes a turn later, and no
layout is scheduled at the batch's end, the views are held (their end lays the map out).

Hiding 48,000 items (a delete of everything at 20,000 steps) took 60-70 ms of the delete's own
turn, and the selection it lost told the panes in that turn too (13-17 ms). Until they are
hidden, the removed items are still on the canvas, so whatever looks at it hides them all
first (`finish_hiding`): the views do not repaint (held) and a paint hides them, input to the
scene (the mouse, a key, a drop, a tooltip) does too, and so do a look for the item under a
point, at the selection, at the canvas's extent, and a selection or a routing. The selection
they lose is told once, when the last of them is hidden (`_lost_selection`).

While the window keeps the collector off a large document (ui.window.heap froze it), what
each slice made (a flow's new route and box, a placed item's wrappers) is frozen with it at
the slice's end, as a canvas drawn in slices is (ui.canvas.building): left young, the 48,000
items of an auto-layout at 20,000 steps gave them hundreds of thousands of objects that every
collection walked, on the GUI thread (young ones of 40-60 ms, full ones of 70-150 ms, in the
last slices and the measure after them).
"""

from __future__ import annotations

import gc
import operator
import time
from collections import deque
from dataclasses import dataclass, field
from itertools import compress, groupby, repeat
from operator import attrgetter, is_
from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QGraphicsItem

from ui.canvas.batch_items import BatchItems
from ui.canvas.batch_runs import Taking, take_one, take_run
from ui.canvas.items import FlowItem, StepItem
from ui.canvas.items.step_item import Follower
from ui.document.collector import heap_frozen
from vsm.model.events import (
    BatchEnded,
    BatchStarted,
    FlowAdded,
    FlowRemoved,
)

AT_ONCE = 500  # a batch that removed, put back or moved the ends of more items: in slices
HIDE_CHUNK = 2000  # removed items hidden between two looks at the clock (about 2.5 ms)
SLICE_SECONDS = 0.010  # each turn of the event loop shows items for about this long
# Qt's own methods, unbound, called on thousands of items by map(): a methodcaller looked each
# item's method up first (48,000 items hidden: 11.6 ms that way, 7.0 ms unbound).
_SET_VISIBLE, _IS_SELECTED = QGraphicsItem.setVisible, QGraphicsItem.isSelected
_SOURCE_ID, _TARGET_ID = attrgetter("flow.source"), attrgetter("flow.target")


@dataclass
class Batch:
    """What a batch of model events left for its end: the scene's signals were blocked before
    (`blocked`), the lanes need laying out, steps moved (each is put in place once, not once
    for x and once for y, its flows following once per end), the items it took off (`gone`,
    in order), the step and flow items among them (`removed`, kept for the batch that puts
    them back: an undo), the steps and flows it added or put back (`added_steps`,
    `added_flows`: they show the next analysis whatever it says)."""

    blocked: bool
    lanes: bool = False
    moved: dict[str, None] = field(default_factory=dict)  # steps to put in place, once, in order
    removed: dict[str, QGraphicsItem] = field(default_factory=dict)  # step and flow items
    gone: list[QGraphicsItem] = field(default_factory=list)  # every item taken off
    added_steps: list[str] = field(default_factory=list)
    added_flows: list[str] = field(default_factory=list)
    step_items_made: int = 0  # the scene's count when the batch began (BatchItems)
    was_empty: bool = False  # the map had no step when the batch began


class Batches(BatchItems):
    """The batch methods of MapScene."""

    _batch: Batch | None
    _kept: dict[str, QGraphicsItem]
    _lanes_by: str | None
    _colour_mode: str
    _complete: bool
    _content: Any
    _presenter: Any
    move_tool: Any
    _placing: dict[StepItem, None] = {}  # step items still to put where their steps are
    _follow: dict[Follower, None] = {}  # flows and bursts still to follow
    _update_timer: QTimer | None = None  # the next slice of them
    _wait_turns = 0  # turns of the event loop the next slice lets go by first
    _moved: list[Any] = []  # the items the slices under way have dealt with
    _hiding: list[QGraphicsItem] = []  # items removed, still to hide (then to take off)
    _lost_selection = False  # hidden items were selected: selectionChanged once all are hidden
    item_for_step: dict[str, StepItem]
    item_for_flow: dict[str, FlowItem]
    item_for_kaizen: dict[str, Any]

    if TYPE_CHECKING:  # MapScene's and QGraphicsScene's, in the scene this is mixed into
        theme: Any
        selectionChanged: Any
        refilled: Any

        def _update_lanes(self) -> None: ...
        def schedule_layout(self) -> None: ...
        def _hold_views(self, hold: bool) -> None: ...  # Decorations'
        def slices_ended(self, moved: list[Any]) -> None: ...
        def signalsBlocked(self) -> bool: ...  # noqa: N802
        def blockSignals(self, block: bool) -> bool: ...  # noqa: N802
        def removeItem(self, item: QGraphicsItem) -> None: ...  # noqa: N802
        def selectedItems(self) -> list[QGraphicsItem]: ...  # noqa: N802
        def addItem(self, item: QGraphicsItem) -> None: ...  # noqa: N802
        def update(self, *args: Any) -> None: ...

    # ------------------------------------------------------------ the batch's events

    def take_batch(self, events: tuple[object, ...], one: Callable[[object], None]) -> None:
        """A batch's per-item events, given all at once at its end (the scene takes them
        gathered: vsm.model.events), before the batch's work (`_on_batch`): each noted as
        `in_batch` notes it, the removals, put-backs and moves a run of one kind at a time
        with the loops in C where they can be (ui.canvas.batch_runs: a delete of 5,000 steps
        and its undo give 12,000 events each, an auto-layout 10,000 moves), else one by one;
        any other event goes to `one`, the scene's handling of a single event, in its turn."""
        batch = self._batch
        if batch is None:  # its start was not seen (the scene came during the batch)
            for event in events:
                one(event)
            return
        adding = self._own_adding()  # the items to show at the batch's end
        taking = Taking(self, adding)
        noted = lanes = False
        for kind, group in groupby(events, type):  # runs of one kind: in C-level passes
            run = list(group)
            if len(run) > 1 and take_run(taking, kind, run):
                noted = True
                lanes = lanes or (kind is not FlowRemoved and kind is not FlowAdded)
                continue
            for event in run:
                lanes, took = take_one(taking, event, one, lanes)
                noted = noted or took
        if self._adding is not adding:  # shown meanwhile (finish_updates): still to show
            self._own_adding().update(adding)
        if noted:
            self._content = None  # the map's extent is measured again
        if lanes and self._lanes_by is not None:
            batch.lanes = True

    def _on_batch(self, event: BatchStarted | BatchEnded) -> None:
        """Within a batch of model events (a delete of many items, its undo, a paste, a move),
        the scene tells nothing (no selectionChanged per removed item: one at the end, if the
        selection lost items) and does the Qt work once, at the end."""
        if isinstance(event, BatchStarted):
            self._batch = Batch(self.signalsBlocked(), step_items_made=self.step_items_made,
                                was_empty=not self.item_for_step)
            self.blockSignals(True)
            return
        batch, self._batch = self._batch, None
        if batch is None:
            return
        if self._sealed and batch.added_steps:
            self._unseal_lost()
        self._forget_kept()
        self._kept = batch.removed  # a batch that put items back consumed what it needed
        if batch.added_steps or batch.added_flows:
            self._presenter.items_changed(steps=batch.added_steps, flows=batch.added_flows)
        unselected = self._take_off(batch.gone)
        followers = self._pending()
        if len(batch.moved) > AT_ONCE:  # thousands of steps moved: their items in slices too
            if not self._placing:
                self._placing = {}  # the scene's own, not the class's empty default
            moved = [item for item in map(self.item_for_step.get, batch.moved)
                     if item is not None]
            self._placing.update(dict.fromkeys(moved))
            followers.update(self._following(moved, batch.moved))
        else:
            for step_id in batch.moved:
                item = self.item_for_step.get(step_id)
                if item is not None:
                    followers.update(dict.fromkeys(item.move_alone(item.step.x, item.step.y)))
        if len(self._adding) + len(self._placing) + len(followers) <= AT_ONCE:
            # the batch's events measure the map again; items it removed are hidden first
            # only if some item is to be shown (one put back may be among them)
            self.finish_updates(measure=False, hide=bool(
                self._adding or self._placing or followers))
        slices = self.updating
        if slices:  # thousands of items: a slice per turn of the event loop, the first on the
            self._wait_turns = 1  # turn after next (the next has the batch's other work)
            self._next_slice()
        self.blockSignals(batch.blocked)
        if batch.lanes:
            self._update_lanes()
        if unselected and not batch.blocked:
            self.selectionChanged.emit()
        if slices:  # the decorations are placed when the slices end (slices_ended); till
            self._hold_views(True)  # then the views do not repaint
        else:
            self.schedule_layout()
        if batch.was_empty and batch.added_steps and not batch.blocked:
            self.refilled.emit()  # its layout asked for: a view fits once it is done

    def _following(self, moved: list[StepItem], moved_ids: dict[str, None]
                   ) -> dict[Follower, None]:
        """The flows and bursts that follow these moved step items, each once: if most of
        the map moved (an auto-layout), every flow but those between steps that stayed and
        every burst on a moved step, from the scene's items at once (asking each moved step
        for its flows found each twice: ~15 ms at 20,000 steps); else each one's, in order."""
        if 2 * len(moved) <= len(self.item_for_step):
            return dict.fromkeys([
                follower for item in moved
                for follower in (item.flows + item.kaizens if item.kaizens else item.flows)])
        items = self.item_for_step
        stayed = {items[step_id] for step_id in items.keys() - moved_ids.keys()}
        following: dict[Follower, None] = dict.fromkeys(self.item_for_flow.values())
        for item in stayed:  # a flow between two steps that stayed does not follow
            for flow in item.flows:
                if flow.source in stayed and flow.target in stayed:
                    following.pop(flow, None)
        following.update(dict.fromkeys(
            burst for burst in self.item_for_kaizen.values()
            if burst.step_item is not None and burst.step_item not in stayed))
        return following

    def _take_off(self, gone: list[QGraphicsItem]) -> bool:
        """Take the items a batch removed off the canvas: detached from the steps that stay
        (thousands of removed flows between removed steps stay joined to them: `_seal`), and
        hidden and taken off: a few at once (True if any was selected), thousands in the
        slices (`_hiding`, `_dropping`: their lost selection is told when they are hidden). An
        item put back and not shown yet is not shown."""
        if not gone:
            return False
        # The loops in C, by exact type and by step id (no isinstance, no hash of an item).
        kinds = list(map(type, gone))
        flows = list(compress(gone, map(is_, kinds, repeat(FlowItem))))
        both_gone = flows  # no step stays (a delete of everything): neither end of any flow
        if self.item_for_step:  # a removed step's item has left it
            shown = self.item_for_step.__contains__
            end_stays = list(map(operator.or_, map(shown, map(_SOURCE_ID, flows)),
                                 map(shown, map(_TARGET_ID, flows))))
            for item in compress(flows, end_stays):
                item.detach()  # from the step that stays (and the one that goes)
            both_gone = list(compress(flows, map(operator.not_, end_stays)))
        # Every flow of a removed step is removed with it (the model has no flow to a missing
        # step): its list holds only flows whose other end went too. Thousands: those are
        # kept joined to their steps (`_seal`: an undo puts them back as they are); a few:
        # detached (nothing to collect later).
        if len(gone) > AT_ONCE:
            self._seal(both_gone)
        else:
            for item in both_gone:  # both ends go too: no list to leave
                item.source = item.target = None
            for step_item in compress(gone, map(is_, kinds, repeat(StepItem))):
                step_item.flows = []
        adding = self._adding
        if len(gone) <= AT_ONCE:  # a few: off the canvas now
            unselected = False
            for item in gone:
                if item in adding:  # put back by a batch, never shown: nothing to show
                    del adding[item]
                if item in self._dropping:
                    del self._dropping[item]
                if item.isSelected():
                    unselected = True
                    item.setSelected(False)  # put back as new items come: not selected
                if item.scene() is self:
                    self.removeItem(item)
            return unselected
        # Stops at the first selected one (a Select all's delete: the first); listing the
        # scene's selected items costs more than asking each of 48,000 items in C.
        if any(map(_IS_SELECTED, gone)):
            self._lost_selection = True  # told when they are hidden (`_hide_some`)
        if adding:
            for item in adding.keys() & set(gone):  # put back, never shown: not to show
                del adding[item]
        # Hidden in the slices, before anything looks at the canvas (module docstring).
        if self._hiding:
            self._hiding.extend(gone)
        else:  # the scene's own (not the class's empty default)
            self._hiding = list(gone)
        if self._dropping:
            self._dropping.update(dict.fromkeys(gone))
        else:  # the scene's own (not the class's empty default), made once: no copy
            self._dropping = dict.fromkeys(gone)
        return False

    # ------------------------------------------------------------ slices

    @property
    def updating(self) -> bool:
        """Whether items a batch put back still wait to be shown, flows and bursts it moved
        still wait to follow their steps, or items it removed still wait to be hidden and to
        leave the canvas (the batch had so many that they come a slice per turn of the event
        loop), or the selection they lost to be told."""
        return (bool(self._adding) or bool(self._placing) or bool(self._follow)
                or bool(self._dropping) or bool(self._unsealing) or self._lost_selection)

    def finish_hiding(self) -> None:
        """Hide now every removed item still waiting to be hidden: something is about to look
        at the canvas (module docstring). The selection they lose is told by the next slice or
        finish_updates (`_tell_lost_selection`), not from here: a look at the selection would
        send selectionChanged from inside it."""
        if self._hiding:
            self._hide_some(None)

    def _tell_lost_selection(self) -> None:
        """Once the removed items are hidden: selectionChanged, once, if any was selected
        (never while the scene's signals are blocked: the next slice tells it then)."""
        if self._lost_selection and not self._hiding and not self.signalsBlocked():
            self._lost_selection = False
            self.selectionChanged.emit()

    def _hide_some(self, deadline: float | None) -> bool:
        """Hide the removed items still waiting, HIDE_CHUNK at a time, until `deadline` (all
        of them if None); True if some still wait. The whole scene repaints: no hidden item
        then marks its own rectangle (and its badges') for the next paint, a call into Python
        each. Hiding also unselects, with the scene's signals blocked: put back as new items
        come, unselected. The loops in C (48,000 items at 20,000 steps)."""
        hiding = self._hiding
        self.update()
        blocked = self.blockSignals(True)
        try:
            while hiding:
                chunk = hiding[:HIDE_CHUNK]
                del hiding[:HIDE_CHUNK]
                deque(map(_SET_VISIBLE, chunk, repeat(False)), 0)
                if deadline is not None and time.perf_counter() >= deadline:
                    break
        finally:
            self.blockSignals(blocked)
        return bool(hiding)

    def finish_updates(self, measure: bool = True, hide: bool = True) -> None:
        """Show every item still waiting and draw every flow and burst still waiting to follow
        its steps, now (a selection or a routing, which need them, calls this first). The
        removed items are hidden first (unless `hide` is False: the batch's end, with nothing
        to show), and leave the canvas in their slices; the selection they lost is told now."""
        if hide:
            self.finish_hiding()
            self._tell_lost_selection()
        adding, placing, followers = self._adding, self._placing, self._follow
        self._adding, self._placing, self._follow = {}, {}, {}
        if self._update_timer is not None and not self._dropping and not self._unsealing:
            self._update_timer.stop()
        for item in adding:
            self._put_on(item)
        for item in placing:
            self._place(item)
        for follower in followers:
            follower.adjust()
        if measure and (adding or placing or followers):
            self._content = None  # the map's extent changed: measure it again
            self.schedule_layout()

    def _put_on(self, item: QGraphicsItem) -> None:
        """Show an item put back: on the canvas again, or visible again if it had not left; a
        flow routed again if its ends moved since it was last routed."""
        if item.scene() is not self:
            self.addItem(item)
        if isinstance(item, FlowItem):
            item.route_if_moved()
        item.setVisible(True)

    def _place(self, item: StepItem) -> None:
        """Put a moved step's item where its step is now (its flows and bursts follow later);
        nothing for an item whose step was removed meanwhile."""
        if self.item_for_step.get(item.step_id) is item:
            item.setPos(item.step.x, item.step.y)

    def _pending(self) -> dict[Follower, None]:
        """The flows and bursts waiting to follow (each once, in order): a new batch adds to
        those an earlier one left."""
        if not self._follow:
            self._follow = {}  # the scene's own, not the class's empty default
        return self._follow

    def _update_slice(self) -> None:
        """Take the hidden removed items off the canvas, show the waiting items, then draw the
        waiting flows and bursts, for about SLICE_SECONDS, then let the event loop turn. A
        follower adjusts from where its steps are when its turn comes, so a later edit leaves
        nothing stale; one removed meanwhile (detached) adjusts to nothing, and an item removed
        before it was shown is never shown (`_take_off`). The last slice notes for the map's
        extent (ui.canvas.extent) the items whose box a slice changed — a step placed, a flow
        or burst that followed, a flow routed again when shown; one taken off, or shown where
        it was, was noted by the batch's events — and places the decorations. The first
        slice after a batch lets a turn go by (`_wait_turns`)."""
        if self._wait_turns:
            self._wait_turns -= 1
            self._next_slice()
            if heap_frozen():  # as a slice's end does (module docstring)
                gc.freeze()
            return
        deadline = time.perf_counter() + SLICE_SECONDS
        dropping, adding, followers = self._dropping, self._adding, self._follow
        placing = self._placing
        moved = self._own_moved()  # boxes changed, for the map's extent (ui.canvas.extent)
        done = self._hide_some(deadline) if self._hiding else False
        if not done:  # every removed item hidden
            self._tell_lost_selection()
        # Through a copy of the keys: taking the first key of a dict again and again after
        # deleting the ones before it walks all the deleted ones each time (quadratic).
        if not done and self._unsealing:
            done = not self._unseal_some(deadline)
        for item in [] if done else list(dropping):  # no box since the batch's end (noted)
            del dropping[item]
            if item.scene() is self:
                self.removeItem(item)
            if time.perf_counter() >= deadline:
                done = True
                break
        if not done:
            for item in list(adding):
                del adding[item]
                # Shown where it was counted at the batch's end: only a flow routed again
                # (its ends moved meanwhile) has a new box.
                extent = getattr(item, "extent", None)
                self._put_on(item)
                if extent is not None and item.extent is not extent:
                    moved.append(item)
                if time.perf_counter() >= deadline:
                    done = True
                    break
        if not done:
            for step_item in list(placing):
                del placing[step_item]
                moved.append(step_item)
                self._place(step_item)
                if time.perf_counter() >= deadline:
                    done = True
                    break
        if not done:
            for follower in list(followers):
                del followers[follower]
                moved.append(follower)
                follower.adjust()
                if time.perf_counter() >= deadline:
                    break
        if heap_frozen():  # what the slice made joins the frozen heap (module docstring)
            gc.freeze()
        if (dropping or adding or placing or followers or self._unsealing or self._hiding
                or self._lost_selection):
            self._next_slice()
            return
        self._moved = []
        self.slices_ended(moved)

    def _next_slice(self) -> None:
        """Have the next slice run on the next turn of the event loop."""
        if self._update_timer is None:
            self._update_timer = QTimer(self)  # type: ignore[arg-type]
            self._update_timer.setSingleShot(True)
            self._update_timer.setInterval(0)
            self._update_timer.timeout.connect(self._update_slice)
        self._update_timer.start()

    def _own_moved(self) -> list[Any]:
        """The items the slices under way have shown, placed, routed or taken off: the scene's
        own list (not the class's empty one)."""
        if self._moved is Batches._moved:
            self._moved = []
        return self._moved
