"""A batch's events taken a run at a time (ui.canvas.batches.take_batch): consecutive events of
one kind — a delete of 20,000 steps gives 28,000 FlowRemoved then 20,000 StepRemoved, its undo
the StepAdded then the FlowAdded, an auto-layout 40,000 StepChanged of x and y — noted with the
loops in C (map, dict.update, dict.fromkeys), not a Python iteration per event.

Each function does exactly what take_batch's loop does for each event of the run, in the same
order (the scene's dicts gain their keys in the events' order), or returns False having
changed nothing when a run is not the plain case it handles (an item kept for another record,
a flow whose ends have no item): the loop then takes that run event by event.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from itertools import compress, repeat
from operator import attrgetter, is_, is_not
from typing import Any

from ui.canvas.items import FlowItem, StepItem
from vsm.model.events import FlowAdded, FlowRemoved, StepAdded, StepChanged, StepRemoved

_STEP = attrgetter("step")
_FLOW = attrgetter("flow")
_ID = attrgetter("id")
_STEP_ID = attrgetter("step.id")
_FLOW_ID = attrgetter("flow.id")
_FIELD = attrgetter("field")
_X, _Y = attrgetter("x"), attrgetter("y")
_SOURCE, _TARGET = attrgetter("source"), attrgetter("target")
_POSITION = frozenset({"x", "y"})


class Taking:
    """What take_batch holds while it takes a batch's events: the scene (MapScene, its batch
    under way) and the items to show at the batch's end. The items the last batch kept show
    the scene's colour mode and theme (MapScene tells them when those change): put back as
    they are."""

    def __init__(self, scene: Any, adding: dict[Any, None]) -> None:
        self.scene, self.adding = scene, adding


def take_run(taking: Taking, kind: type, run: list[Any]) -> bool:
    """Note a run of events of one kind as take_batch notes each; False: nothing done (a kind
    or a case it does not handle), take them one by one."""
    taker = _TAKERS.get(kind)
    if taker is None or (kind is not StepRemoved and kind is not FlowRemoved
                         and not taking.scene._complete):
        return False
    return taker(taking, run)


def take_one(taking: Taking, event: Any, one: Callable[[object], None],
             lanes: bool) -> tuple[bool, bool]:
    """take_batch's note of one event (of a run take_run does not take at once): whether
    the lanes need laying out, and whether it noted the event (else `one` took it)."""
    scene = taking.scene
    batch = scene._batch
    steps, flows, kept = scene.item_for_step, scene.item_for_flow, scene._kept
    gone, removed = batch.gone, batch.removed
    complete, move_tool = scene._complete, scene.move_tool
    adding, dropping = taking.adding, scene._dropping
    added_steps, added_flows = batch.added_steps.append, batch.added_flows.append
    kind = type(event)
    if kind is StepRemoved:
        step_id = event.step.id
        item = steps.pop(step_id, None)
        if item is not None:
            if move_tool is not None:
                move_tool.forget(step_id)
            gone.append(item)
            removed[step_id] = item
        lanes = True
    elif kind is FlowRemoved:
        flow_id = event.flow.id
        flow_item = flows.pop(flow_id, None)
        if flow_item is not None:  # detached from its steps at the batch's end
            gone.append(flow_item)
            removed[flow_id] = flow_item
    elif kind is StepAdded and complete:
        step = event.step
        item = kept.pop(step.id, None)
        if isinstance(item, StepItem) and item.step is step:  # put back: shown again
            item.setPos(step.x, step.y)
            steps[step.id] = item
        else:
            item = scene._add_step_item(step, add=False)
        adding[item] = None  # shown at the batch's end (_show)
        if dropping and item in dropping:  # still on the canvas, hidden: it stays
            del dropping[item]
        added_steps(step.id)
        lanes = True
    elif (kind is StepChanged and complete
          and event.field in ("x", "y")):
        batch.moved[event.step.id] = None
        lanes = True  # as in_batch notes it (an auto-layout: 10,000 of these)
    elif kind is FlowAdded and complete:
        flow = event.flow
        flow_item = kept.pop(flow.id, None)
        source, target = steps.get(flow.source), steps.get(flow.target)
        if (isinstance(flow_item, FlowItem) and flow_item.flow is flow
                and source is not None and target is not None):
            scene._rejoin(flow_item, source, target, False)  # routed, if its ends moved,
            flows[flow.id] = flow_item  # when shown (_put_on)
        else:
            flow_item = scene._add_flow_item(flow, add=False)
        adding[flow_item] = None
        if dropping and flow_item in dropping:
            del dropping[flow_item]
        added_flows(flow.id)
    else:
        one(event)
        return lanes, False
    return lanes, True


def _steps_removed(taking: Taking, run: list[Any]) -> bool:
    scene = taking.scene
    ids = list(map(_STEP_ID, run))
    items = list(map(scene.item_for_step.pop, ids, repeat(None)))
    present = list(map(is_not, items, repeat(None)))
    ids, items = list(compress(ids, present)), list(compress(items, present))
    if scene.move_tool is not None and scene.move_tool.active:  # removed during a drag
        deque(map(scene.move_tool.forget, ids), 0)
    scene._batch.gone.extend(items)
    scene._batch.removed.update(zip(ids, items))
    return True


def _flows_removed(taking: Taking, run: list[Any]) -> bool:
    scene = taking.scene
    ids = list(map(_FLOW_ID, run))
    items = list(map(scene.item_for_flow.pop, ids, repeat(None)))
    present = list(map(is_not, items, repeat(None)))
    ids, items = list(compress(ids, present)), list(compress(items, present))
    scene._batch.gone.extend(items)  # detached from their steps at the batch's end
    scene._batch.removed.update(zip(ids, items))
    return True


def _steps_added(taking: Taking, run: list[Any]) -> bool:
    scene = taking.scene
    records = list(map(_STEP, run))
    ids = list(map(_ID, records))
    items = list(map(scene._kept.get, ids))
    if not all(map(is_, map(getattr, items, repeat("step"), repeat(None)), records)):
        return False  # one is new, or its kept item shows another record: one by one
    deque(map(scene._kept.pop, ids), 0)
    deque(map(StepItem.setPos, items, map(_X, records), map(_Y, records)), 0)
    scene.item_for_step.update(zip(ids, items))
    _shown_at_the_end(taking, items)
    scene._batch.added_steps.extend(ids)
    return True


def _flows_added(taking: Taking, run: list[Any]) -> bool:
    scene = taking.scene
    records = list(map(_FLOW, run))
    ids = list(map(_ID, records))
    items = list(map(scene._kept.get, ids))
    steps = scene.item_for_step
    sources = list(map(steps.get, map(_SOURCE, records)))
    targets = list(map(steps.get, map(_TARGET, records)))
    if not (all(map(is_, map(getattr, items, repeat("flow"), repeat(None)), records))
            and all(map(is_not, sources, repeat(None)))
            and all(map(is_not, targets, repeat(None)))):
        return False
    deque(map(scene._kept.pop, ids), 0)
    sealed = scene._sealed
    if (sealed and scene.step_items_made == scene._batch.step_items_made
            and all(map(sealed.__contains__, items))):
        # Still joined to the steps they were removed with (a delete of everything, undone),
        # which are these: a kept flow's steps went with it in the last batch (`_seal`), and
        # no step item was made in this one, so each of its steps is back as its kept item.
        # As they are; nothing asked of 28,000 flow items (an attribute of an item is a
        # Shiboken lookup, 0.2 µs: 12 ms at 20,000 steps for their ends).
        deque(map(sealed.pop, items), 0)
    else:  # routed, if their ends moved, when shown (_put_on)
        deque(map(scene._rejoin, items, sources, targets, repeat(False)), 0)
    scene.item_for_flow.update(zip(ids, items))
    _shown_at_the_end(taking, items)
    scene._batch.added_flows.extend(ids)
    return True


def _steps_moved(taking: Taking, run: list[Any]) -> bool:
    scene = taking.scene
    if not set(map(_FIELD, run)) <= _POSITION:
        return False  # another field: the scene's handling of it, in its turn
    scene._batch.moved.update(dict.fromkeys(map(_STEP_ID, run)))
    return True


def _shown_at_the_end(taking: Taking, items: list[Any]) -> None:
    """Items put back: shown at the batch's end (_show); one still on the canvas, hidden,
    waiting to leave it, stays."""
    taking.adding.update(dict.fromkeys(items))
    dropping = taking.scene._dropping
    if dropping:
        for item in dropping.keys() & set(items):
            del dropping[item]


_TAKERS: dict[type, Callable[[Taking, list[Any]], bool]] = {
    StepRemoved: _steps_removed, FlowRemoved: _flows_removed, StepAdded: _steps_added,
    FlowAdded: _flows_added, StepChanged: _steps_moved,
}
