"""Changes of many items of a map at once: a delete of a thousand steps and its undo, a paste,
an auto-layout (`move_steps`).

ValueStreamMap mixes BulkEdits in. Its methods cost one pass over the map per call, not one per
item: `remove_items` finds the flows and kaizens that go with the removed steps in one scan and
takes every item's index from one enumeration; `restore_items` puts them back at those indices
with one rebuild of each dict (inserting one by one rebuilds the whole dict per item);
`move_steps` checks every position before it moves any (and `position_changes` finds, in one
pass, which of a move's positions change anything). They emit the usual per-item events
between one BatchStarted and one BatchEnded (`batch()`), so a subscriber mirroring the map can
apply a thousand removals as a few ranges, and look the listeners up once for all the events
(`_emit_each`), not once per event; when every listener takes a batch's events gathered (the
editor's), a removal takes the items out at once and notes its events without emitting them
one by one (`_remove_noted`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import compress
from math import isfinite
from operator import attrgetter, delitem, or_
from typing import TYPE_CHECKING, Any, TypeVar

from vsm.errors import ModelError
from vsm.model.events import (
    BatchEnded,
    BatchStarted,
    FlowAdded,
    FlowRemoved,
    KaizenAdded,
    KaizenRemoved,
    StepAdded,
    StepChanged,
    StepRemoved,
)
from vsm.model.records import Flow, Kaizen, Step

T = TypeVar("T")
_ID, _SOURCE, _TARGET = attrgetter("id"), attrgetter("source"), attrgetter("target")


@dataclass(frozen=True)
class Removal:
    """What remove_items took out of a map: each item with its index in the stored order just
    before the removal, ascending. restore_items(removal) puts them back exactly.

    Kept as columns (the items of a kind, their indices): an undo stack holds it for good, and
    a pair per item would be 48,000 more objects the cycle collector walks after a delete of
    20,000 steps. `steps`, `flows`, `kaizens` give the (item, index) pairs."""

    step_records: tuple[Step, ...] = ()
    step_indices: tuple[int, ...] = ()
    flow_records: tuple[Flow, ...] = ()
    flow_indices: tuple[int, ...] = ()
    kaizen_records: tuple[Kaizen, ...] = ()
    kaizen_indices: tuple[int, ...] = ()

    @property
    def steps(self) -> tuple[tuple[Step, int], ...]:
        """Each removed step with its index, ascending."""
        return tuple(zip(self.step_records, self.step_indices))

    @property
    def flows(self) -> tuple[tuple[Flow, int], ...]:
        """Each removed flow with its index, ascending."""
        return tuple(zip(self.flow_records, self.flow_indices))

    @property
    def kaizens(self) -> tuple[tuple[Kaizen, int], ...]:
        """Each removed kaizen with its index, ascending."""
        return tuple(zip(self.kaizen_records, self.kaizen_indices))

    def __len__(self) -> int:
        return len(self.step_records) + len(self.flow_records) + len(self.kaizen_records)


class BulkEdits:
    """The bulk methods of ValueStreamMap (a mix-in: it uses the map's dicts, name and _emit)."""

    name: str
    _steps: dict[str, Step]
    _flows: dict[str, Flow]
    _flows_from: dict[str, dict[str, Flow]]
    _kaizens: dict[str, Kaizen]
    _batch_depth: int
    _listeners: list[Callable[[], Callable[[Any], None] | None]]  # Observable's
    _gathered: list[Any] | None  # Observable's: the batch's events, for gathered listeners

    if TYPE_CHECKING:  # ValueStreamMap's and Observable's
        def _emit(self, event: Any) -> None: ...
        def _item_listeners(self) -> list[Callable[[Any], None]]: ...
        def step(self, step_id: str) -> Step: ...
        def clean_step_field(self, step_id: str, name: str, value: Any) -> Any: ...

    def _emit_each(self, events: Iterable[Any]) -> None:
        """Emit per-item events one after the other, as `_emit` would, each to every listener
        in subscription order, but looking the listeners up once rather than once per event (a
        delete of 5,000 steps emits 12,000 events to a dozen listeners): again only when one
        subscribes or unsubscribes meanwhile. Within a batch, a listener that takes its events
        gathered (vsm.model.events) is not called: each event is noted for its BatchEnded. A
        listener gone (collected) is left for `_emit` to drop."""
        listeners: list[Callable[[Any], None]] = []
        looked_up: list | None = None  # the list looked at (held: its id cannot be reused)
        count = 0
        gathered = self._gathered
        note = gathered.append if gathered is not None else None
        for event in events:
            if self._listeners is not looked_up or len(self._listeners) != count:
                looked_up, count = self._listeners, len(self._listeners)
                listeners = self._item_listeners()
                if not listeners and gathered is not None:  # nobody to call: nobody can
                    gathered.append(event)  # subscribe meanwhile; the rest noted at once
                    gathered.extend(events)
                    return
            if note is not None:
                note(event)
            for listener in listeners:
                listener(event)

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Announce the changes made inside the `with` block as one batch (BatchStarted, the
        per-item events, BatchEnded), even if the block raises. Nested blocks join the outer
        batch."""
        self._batch_depth += 1
        if self._batch_depth == 1:
            self._emit(BatchStarted())
        try:
            yield
        finally:
            self._batch_depth -= 1
            if self._batch_depth == 0:
                self._emit(BatchEnded())

    def flows_touching(self, step_ids: Iterable[str]) -> list[Flow]:
        """Every flow into or out of any of these steps, in stored order (one scan of the
        flows, whatever the number of steps)."""
        steps = set(step_ids)
        flows = list(self._flows.values())  # picked out in C: 28,000 flows at 20,000 steps
        return list(compress(flows, map(or_, map(steps.__contains__, map(_SOURCE, flows)),
                                        map(steps.__contains__, map(_TARGET, flows)))))

    def remove_items(self, step_ids: Sequence[str] = (), flow_ids: Sequence[str] = (),
                     kaizen_ids: Sequence[str] = ()) -> Removal:
        """Remove steps (with every flow touching them and every kaizen attached to them), flows
        and kaizens as one batch; return what restore_items needs to undo it.

        ModelError, before anything changes, if an id names nothing in the map. The events:
        KaizenRemoved, then FlowRemoved, then StepRemoved, each kind from the highest index
        down, so every event's index is also the item's index before the batch.
        """
        for ids, held, what in ((step_ids, self._steps, "step"), (flow_ids, self._flows, "flow"),
                                (kaizen_ids, self._kaizens, "kaizen")):
            if not all(map(held.__contains__, ids)):  # one look in C; which one, only if any
                missing = next(i for i in ids if i not in held)
                raise ModelError(f"map {self.name!r} has no {what} with id {missing!r}")
        steps = set(step_ids)
        flows = set(flow_ids)
        kaizens = set(kaizen_ids)
        if steps:
            flows.update(map(_ID, self.flows_touching(steps)))
            kaizens.update(k.id for k in self._kaizens.values() if k.step_id in steps)
        removal = Removal(*_indexed(self._steps, steps), *_indexed(self._flows, flows),
                          *_indexed(self._kaizens, kaizens))
        if not removal:
            return removal
        with self.batch():
            if self._gathered is not None and not self._item_listeners():
                self._remove_noted(removal)
            else:
                self._emit_each(self._removing(removal))
        return removal

    def _remove_noted(self, removal: Removal) -> None:
        """Take the items out and note their events for the batch's end, when every listener
        takes a batch's events gathered (the editor's): nobody looks at the map between two
        events, so the items go at once and the events are made at once, the loops in C (the
        events as `_removing` gives them; a delete of 20,000 steps: 48,000 items)."""
        gathered = self._gathered
        assert gathered is not None
        if removal.kaizen_records:
            deque(map(self._kaizens.__delitem__, map(_ID, removal.kaizen_records)), 0)
            gathered.extend(map(KaizenRemoved, reversed(removal.kaizen_records),
                                reversed(removal.kaizen_indices)))
        if removal.flow_records:
            flows = removal.flow_records
            deque(map(self._flows.__delitem__, map(_ID, flows)), 0)
            deque(map(delitem, map(self._flows_from.__getitem__, map(_SOURCE, flows)),
                      map(_ID, flows)), 0)
            gathered.extend(map(FlowRemoved, reversed(flows), reversed(removal.flow_indices)))
        if removal.step_records:
            deque(map(self._steps.__delitem__, map(_ID, removal.step_records)), 0)
            gathered.extend(map(StepRemoved, reversed(removal.step_records),
                                reversed(removal.step_indices)))

    def _removing(self, removal: Removal) -> Iterator[Any]:
        """Take each item out and give its event, the item gone when the event is emitted."""
        for kaizen, index in zip(reversed(removal.kaizen_records),
                                 reversed(removal.kaizen_indices)):
            del self._kaizens[kaizen.id]
            yield KaizenRemoved(kaizen, index)
        for flow, index in zip(reversed(removal.flow_records), reversed(removal.flow_indices)):
            del self._flows[flow.id]
            del self._flows_from[flow.source][flow.id]
            yield FlowRemoved(flow, index)
        for step, index in zip(reversed(removal.step_records), reversed(removal.step_indices)):
            del self._steps[step.id]
            yield StepRemoved(step, index)

    def restore_items(self, removal: Removal) -> None:
        """Put back what remove_items took out, at the same indices (the undo of a removal), as
        one batch: StepAdded, then FlowAdded, then KaizenAdded, each kind from the lowest index
        up. The records were valid in this map; ModelError, before anything changes, if an id
        is taken meanwhile or a flow or kaizen would refer to a step that is not there."""
        # Each kind as columns (records, indices, ids), taken in C: an undo of a delete of
        # 20,000 steps puts back 48,000 items.
        step_records, step_indices = removal.step_records, removal.step_indices
        flow_records, flow_indices = removal.flow_records, removal.flow_indices
        kaizen_records, kaizen_indices = removal.kaizen_records, removal.kaizen_indices
        step_ids, flow_ids, kaizen_ids = (list(map(_ID, records)) for records in (
            step_records, flow_records, kaizen_records))
        steps = set(step_ids)
        for ids, held, what in ((step_ids, self._steps, "step"), (flow_ids, self._flows, "flow"),
                                (kaizen_ids, self._kaizens, "kaizen")):
            if not held.keys().isdisjoint(ids):  # one look in C; which one, only if any
                taken = next(item_id for item_id in ids if item_id in held)
                raise ModelError(f"map {self.name!r} already has a {what} with id {taken!r}")
        ends = set(map(_SOURCE, flow_records)).union(map(_TARGET, flow_records))
        missing = ends - steps - self._steps.keys()
        if missing:
            end = next(e for flow in flow_records for e in (flow.source, flow.target)
                       if e in missing)  # the first, in order
            raise ModelError(f"map {self.name!r}: a flow refers to step {end!r}, which "
                             "is not in the map")
        for kaizen in kaizen_records:
            if (kaizen.step_id is not None and kaizen.step_id not in self._steps
                    and kaizen.step_id not in steps):
                raise ModelError(f"map {self.name!r}: kaizen {kaizen.title!r} refers to step "
                                 f"{kaizen.step_id!r}, which is not in the map")
        with self.batch():
            if step_records:
                self._steps = _merged(self._steps, step_ids, step_records, step_indices)
                self._emit_each(map(StepAdded, step_records, step_indices))
            if flow_records:
                self._flows = _merged(self._flows, flow_ids, flow_records, flow_indices)
                for flow in flow_records:
                    self._flows_from.setdefault(flow.source, {})[flow.id] = flow
                self._emit_each(map(FlowAdded, flow_records, flow_indices))
            if kaizen_records:
                self._kaizens = _merged(self._kaizens, kaizen_ids, kaizen_records,
                                        kaizen_indices)
                self._emit_each(map(KaizenAdded, kaizen_records, kaizen_indices))


    def move_steps(self, positions: dict[str, tuple[float, float]]) -> None:
        """Put steps at new positions (id -> (x, y)) as one batch: StepChanged for x, then for
        y, of each step whose coordinate changes, in the order given (what set_step_field for x
        then y of each gives), with the listeners looked up once. Every position is checked
        first: ModelError (an unknown step, a coordinate the map refuses) before anything
        changes."""
        steps = self._steps
        cleaned: list[tuple[Step, Any, Any]] = []
        for step_id, (x, y) in positions.items():  # clean_positions' checks, in one pass
            step = steps.get(step_id)
            if (step is None or type(x) is not float or type(y) is not float
                    or not (isfinite(x) and isfinite(y))):
                x, y = self.clean_positions({step_id: (x, y)})[step_id]  # or ModelError
                step = steps[step_id]
            cleaned.append((step, x, y))
        with self.batch():
            self._emit_each(_moving(cleaned))

    def position_changes(self, positions: dict[str, tuple[Any, Any]]
                         ) -> tuple[dict[str, tuple[float, float]],
                                    dict[str, tuple[float, float]]]:
        """The positions (step id -> (x, y), cleaned as clean_positions cleans them) that move
        their step, in the order given, and where those steps are now: what a move and its
        undo put them at, in one pass (a layout moves 20,000 steps; cleaning them first and
        then looking each up again to compare took twice as long). ModelError as
        clean_positions."""
        steps = self._steps
        new: dict[str, tuple[float, float]] = {}
        old: dict[str, tuple[float, float]] = {}
        for step_id, position in positions.items():
            x, y = position
            step = steps.get(step_id)
            if (step is None or type(x) is not float or type(y) is not float
                    or not (isfinite(x) and isfinite(y))):
                x, y = self.clean_positions({step_id: (x, y)})[step_id]  # or ModelError
                step, position = steps[step_id], (x, y)
            elif type(position) is not tuple:
                position = (x, y)
            now_x, now_y = step.x, step.y
            if x != now_x or y != now_y:
                new[step_id] = position
                old[step_id] = (now_x, now_y)
        return new, old

    def clean_positions(self, positions: dict[str, tuple[Any, Any]]
                        ) -> dict[str, tuple[float, float]]:
        """The positions (step id -> (x, y)) set_step_field would store for x and y, in the
        same order; ModelError for an unknown step or a refused coordinate. A finite float is
        what clean_step_field keeps as it is: only other values are cleaned by it (a layout of
        thousands of steps gives floats)."""
        steps = self._steps
        cleaned: dict[str, tuple[float, float]] = {}
        for step_id, (x, y) in positions.items():
            if (step_id in steps and type(x) is float and type(y) is float
                    and isfinite(x) and isfinite(y)):
                cleaned[step_id] = (x, y)
            else:
                cleaned[step_id] = (self.clean_step_field(step_id, "x", x),
                                    self.clean_step_field(step_id, "y", y))
        return cleaned


def _moving(cleaned: list[tuple[Step, Any, Any]]) -> Iterator[StepChanged]:
    """Set each step's x and y, giving a StepChanged for each that changed, once it is set."""
    for step, x, y in cleaned:
        if step.x != x:
            step.x = x
            yield StepChanged(step, "x")
        if step.y != y:
            step.y = y
            yield StepChanged(step, "y")


def _indexed(items: dict[str, T], ids: set[str]) -> tuple[tuple[T, ...], tuple[int, ...]]:
    """The items with these ids and their indices in `items`, ascending, as two columns (two
    passes in C)."""
    if not ids:
        return (), ()
    if len(ids) == len(items):  # every one (the ids are the map's)
        return tuple(items.values()), tuple(range(len(items)))
    wanted = list(map(ids.__contains__, items))
    return (tuple(map(items.__getitem__, compress(items, wanted))),
            tuple(compress(range(len(items)), wanted)))


def _merged(items: dict[str, T], keys: Sequence[str], values: Sequence[T],
            indices: Sequence[int]) -> dict[str, T]:
    """A new dict: `items` with each key and value put back at its index (ascending indices,
    each the final index), the others keeping their order; an index past the end appends."""
    if not items:  # everything was removed (an undo of a delete of all): in order
        return dict(zip(keys, values))
    merged: dict[str, T] = {}
    remaining = iter(items.items())
    for key, value, index in zip(keys, values, indices):
        while len(merged) < index:
            pair = next(remaining, None)
            if pair is None:
                break
            merged[pair[0]] = pair[1]
        merged[key] = value
    merged.update(remaining)
    return merged
