"""One event's step or flow item taken off, put back or shown on the canvas, alone or within a
batch of model events (ui.canvas.batches): a mix-in of MapScene, under Batches.

Within a batch an event of its usual kinds (a step or flow added, removed, moved) only notes
what it changes (`in_batch`): an item taken off waits for the batch's end (`_remove`), a step
or flow item is kept for the batch that puts the very same record back (the delete's undo:
`_put_back`), shown again instead of a new one, and an item put back or added joins those the
batch's end shows, in slices if there are many (`_show`). Alone, an item leaves at once.

A flow removed with both its steps in a batch of thousands (a delete of everything) is left
joined to them (`_sealed`): the removed items only refer to one another, so there is nothing to
detach at the delete (two attributes and a list per item, 25 ms at 20,000 steps), and the undo
puts them back as they are, nothing to attach again (`_rejoin`). Once they can no longer be put
back (`_forget_kept`: another batch came), they are detached a slice at a time, else their
references to one another would leave them all to the garbage collector.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QGraphicsItem

from ui.canvas.items import FlowItem, StepItem
from vsm.model import Flow, Step
from vsm.model.events import FlowAdded, FlowRemoved, StepAdded, StepChanged, StepRemoved


class BatchItems:
    """The one-item methods of MapScene's batches."""

    _batch: Any  # ui.canvas.batches.Batch, or None outside a batch
    _kept: dict[str, QGraphicsItem]
    _lanes_by: str | None
    _colour_mode: str
    _content: Any
    move_tool: Any
    _adding: dict[QGraphicsItem, None] = {}  # items put back, still to show
    _dropping: dict[QGraphicsItem, None] = {}  # items removed, hidden, still on the canvas
    _sealed: dict[FlowItem, None] = {}  # kept flows still joined to their kept steps
    step_items_made = 0  # StepItems the scene made (MapScene._add_step_item), ever
    _unsealing: dict[FlowItem, None] = {}  # flows no longer kept, to detach in slices
    item_for_step: dict[str, StepItem]
    item_for_flow: dict[str, FlowItem]

    if TYPE_CHECKING:  # MapScene's and QGraphicsScene's, in the scene this is mixed into
        theme: Any

        def _update_lanes(self) -> None: ...
        def removeItem(self, item: QGraphicsItem) -> None: ...  # noqa: N802
        def _add_step_item(self, step: Step, add: bool = True) -> StepItem: ...
        def _add_flow_item(self, flow: Flow, add: bool = True) -> FlowItem: ...
        def _next_slice(self) -> None: ...

    def in_batch(self, event: object) -> bool:
        """Within a batch, note what an event of the batch's usual kinds changes (a step or
        flow added or put back, removed, moved) and leave its Qt work for the batch's end;
        False: the event is of another kind (or no batch is under way), handle it as usual.
        Thousands of these come in one batch: each costs a dict lookup or two."""
        batch = self._batch
        if batch is None:
            return False
        kind = type(event)
        if kind is StepChanged:
            if event.field not in ("x", "y"):  # type: ignore[attr-defined]
                return False
            batch.moved[event.step.id] = None  # type: ignore[attr-defined]
        elif kind is StepRemoved:
            step_id = event.step.id  # type: ignore[attr-defined]
            item = self.item_for_step.pop(step_id, None)
            if item is not None:
                if self.move_tool is not None:
                    self.move_tool.forget(step_id)
                batch.gone.append(item)
                batch.removed[step_id] = item
        elif kind is FlowRemoved:
            flow_id = event.flow.id  # type: ignore[attr-defined]
            flow_item = self.item_for_flow.pop(flow_id, None)
            if flow_item is not None:  # detached from its steps at the batch's end
                batch.gone.append(flow_item)
                batch.removed[flow_id] = flow_item
        elif kind is StepAdded:
            step = event.step  # type: ignore[attr-defined]
            if not self._put_back(step.id, step):
                self._add_step_item(step, add=False)
                self._show(self.item_for_step[step.id])
            batch.added_steps.append(step.id)
        elif kind is FlowAdded:
            flow = event.flow  # type: ignore[attr-defined]
            if not self._put_back(flow.id, flow):
                self._show(self._add_flow_item(flow, add=False))
            batch.added_flows.append(flow.id)
        else:
            return False
        if self._lanes_by is not None and kind is not FlowRemoved and kind is not FlowAdded:
            batch.lanes = True
        self._content = None  # the map's extent is measured again
        return True

    def _lanes_changed(self) -> None:
        """Lay the lanes out again (once at the end of a batch)."""
        if self._lanes_by is None:
            return
        if self._batch is not None:
            self._batch.lanes = True
        else:
            self._update_lanes()

    def _remove(self, item: QGraphicsItem) -> None:
        """Take an item off the canvas; in a batch, at its end (`_take_off`), and a step or
        flow item is kept in case the next batch puts it back (the delete's undo)."""
        batch = self._batch
        if batch is not None:
            batch.gone.append(item)
            if isinstance(item, (StepItem, FlowItem)):
                batch.removed[item.step_id if isinstance(item, StepItem) else item.flow_id] = item
            return
        if item in self._adding:  # put back by a batch, never shown: nothing to take off
            del self._adding[item]
        if item in self._dropping:
            del self._dropping[item]
        if item.scene() is self:
            self.removeItem(item)

    def _put_back(self, item_id: str, record: Step | Flow) -> bool:
        """Show again the item a batch removed for this very step or flow record (an undo
        puts back the same records): no new item, and a flow whose ends have not moved is not
        routed again. False: there is no such item."""
        item = self._kept.pop(item_id, None) if self._batch is not None else None
        if isinstance(item, StepItem) and item.step is record:
            item.set_colour_mode(self._colour_mode)
            item.set_theme(self.theme)
            item.setPos(record.x, record.y)
            self.item_for_step[item_id] = item
            self._show(item)
            return True
        if (isinstance(item, FlowItem) and item.flow is record and isinstance(record, Flow)
                and record.source in self.item_for_step and record.target in self.item_for_step):
            item.set_theme(self.theme)
            self._rejoin(item, self.item_for_step[record.source],
                         self.item_for_step[record.target], True)
            self.item_for_flow[item_id] = item
            self._show(item)
            return True
        return False

    def _show(self, item: QGraphicsItem) -> None:
        """Put an item back on the canvas at the batch's end (in slices if there are many); one
        still on it, hidden, waiting to leave, stays."""
        self._own_adding()[item] = None
        if item in self._dropping:
            del self._dropping[item]

    def _own_adding(self) -> dict[QGraphicsItem, None]:
        """The items waiting to be shown: the scene's own dict (not the class's empty one)."""
        if self._adding is BatchItems._adding:
            self._adding = {}
        return self._adding

    # ------------------------------------------------------------ flows kept joined

    def _seal(self, flows: list[FlowItem]) -> None:
        """Keep these removed flows joined to their removed steps (both ends went with them)."""
        if self._sealed:
            self._sealed.update(dict.fromkeys(flows))
        else:  # the scene's own (not the class's empty default), made once: no copy
            self._sealed = dict.fromkeys(flows)

    def _rejoin(self, item: FlowItem, source: StepItem, target: StepItem, route: bool) -> None:
        """A kept flow put back between these step items: one still joined to them stays as
        it is (its steps list it); any other follows them again (FlowItem.reattach)."""
        sealed = self._sealed
        if sealed and item in sealed:
            del sealed[item]
            if item.source is source and item.target is target:
                return
            item.detach()
        item.reattach(source, target, route)

    def _forget_kept(self, slices: bool = True) -> None:
        """The kept items can no longer be put back (another batch came): the flows still
        joined to their steps are detached in the coming slices (`_unseal_some`; started here
        if `slices` and no batch is under way, whose end starts them)."""
        self._kept = {}
        if self._sealed:
            if not self._unsealing:
                self._unsealing = {}
            self._unsealing.update(self._sealed)
            self._sealed = {}
            if slices and self._batch is None:
                self._next_slice()

    def _unseal_lost(self) -> None:
        """At a batch's end: a flow still joined to a step this batch put back, though the flow
        was not put back with it, is detached now (the step must not list it)."""
        shown = self.item_for_step
        for flow in [flow for flow in self._sealed
                     if any(end is not None and shown.get(end.step_id) is end
                            for end in (flow.source, flow.target))]:
            del self._sealed[flow]
            flow.detach()

    def _unseal_some(self, deadline: float) -> bool:
        """Detach flows no longer kept until `deadline` (perf_counter); True if all are done."""
        unsealing = self._unsealing
        for flow in list(unsealing):
            del unsealing[flow]
            flow.detach()
            if time.perf_counter() >= deadline:
                return not unsealing
        return True

    def release_kept(self, slice_seconds: float) -> Iterator[float]:
        """A job for a canvas being taken apart (ui.window.map_tabs): detach the flows still
        joined to removed steps about `slice_seconds` at a time, yielding between slices."""
        self._forget_kept(slices=False)
        while not self._unseal_some(time.perf_counter() + slice_seconds):
            yield 1.0
