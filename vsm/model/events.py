"""Past-tense events the model emits after every change, and the subscription mechanism.

Subscribers (the editor's scenes and panels, the document's analysis scheduler) receive the event
objects in subscription order; the objects they carry are the live model objects.
"""

from __future__ import annotations

import inspect
import weakref
from collections.abc import Container, Sequence
from dataclasses import dataclass, field
from itertools import compress, repeat
from operator import attrgetter, eq, is_, or_
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from vsm.model.records import Flow, Kaizen, Step

# _ITEM_EVENTS: the per-item events below are frozen dataclasses whose __init__ fills the
# instance's dict directly: the generated one goes through object.__setattr__ per field, a
# third of the cost of the 48,000 events a delete of 20,000 steps emits (and its undo).

@dataclass(frozen=True, init=False)
class StepAdded:
    step: Step
    index: int

    def __init__(self, step: Step, index: int) -> None:  # see _ITEM_EVENTS
        fields = self.__dict__
        fields["step"], fields["index"] = step, index


@dataclass(frozen=True, init=False)
class StepRemoved:
    step: Step
    index: int

    def __init__(self, step: Step, index: int) -> None:  # see _ITEM_EVENTS
        fields = self.__dict__
        fields["step"], fields["index"] = step, index


@dataclass(frozen=True, init=False)
class StepChanged:
    step: Step
    field: str

    def __init__(self, step: Step, field: str) -> None:  # see _ITEM_EVENTS
        fields = self.__dict__
        fields["step"], fields["field"] = step, field


@dataclass(frozen=True, init=False)
class FlowAdded:
    flow: Flow
    index: int

    def __init__(self, flow: Flow, index: int) -> None:  # see _ITEM_EVENTS
        fields = self.__dict__
        fields["flow"], fields["index"] = flow, index


@dataclass(frozen=True, init=False)
class FlowRemoved:
    flow: Flow
    index: int

    def __init__(self, flow: Flow, index: int) -> None:  # see _ITEM_EVENTS
        fields = self.__dict__
        fields["flow"], fields["index"] = flow, index


@dataclass(frozen=True, init=False)
class FlowChanged:
    flow: Flow
    field: str

    def __init__(self, flow: Flow, field: str) -> None:  # see _ITEM_EVENTS
        fields = self.__dict__
        fields["flow"], fields["field"] = flow, field


@dataclass(frozen=True)
class MapChanged:
    field: str


@dataclass(frozen=True, init=False)
class KaizenAdded:
    kaizen: Kaizen
    index: int

    def __init__(self, kaizen: Kaizen, index: int) -> None:  # see _ITEM_EVENTS
        fields = self.__dict__
        fields["kaizen"], fields["index"] = kaizen, index


@dataclass(frozen=True, init=False)
class KaizenRemoved:
    kaizen: Kaizen
    index: int

    def __init__(self, kaizen: Kaizen, index: int) -> None:  # see _ITEM_EVENTS
        fields = self.__dict__
        fields["kaizen"], fields["index"] = kaizen, index


@dataclass(frozen=True, init=False)
class KaizenChanged:
    kaizen: Kaizen
    field: str

    def __init__(self, kaizen: Kaizen, field: str) -> None:  # see _ITEM_EVENTS
        fields = self.__dict__
        fields["kaizen"], fields["field"] = kaizen, field


_FIELD, _STEP_ID = attrgetter("field"), attrgetter("step.id")


def step_changes(events: Sequence[object], fields: Container[str] | None = None,
                 step_id: str | None = None) -> list[StepChanged]:
    """The StepChanged events among a batch's `events`, in order: with `fields`, those of
    these fields (or of any field of the step `step_id`) only. Picked out with the loops in C,
    where a listener's comprehension asked each of the 40,000 moves of an auto-layout at 20,000
    steps its type and field in Python."""
    changes: list[Any] = list(compress(events, map(is_, map(type, events),
                                                   repeat(StepChanged))))
    if fields is None:
        return changes
    named = map(fields.__contains__, map(_FIELD, changes))
    if step_id is not None:
        named = map(or_, named, map(eq, map(_STEP_ID, changes), repeat(step_id)))
    return list(compress(changes, named))


@dataclass(frozen=True)
class BatchStarted:
    """Several changes follow as one edit (a delete of many items, its undo, a paste, a move).

    Between BatchStarted and BatchEnded the usual per-item events arrive, each index as if the
    changes were made one by one in that order; the map may already hold the state of later
    events of the batch, so a subscriber that reads the map (rather than the events) waits for
    BatchEnded. Batches do not nest: a map emits one pair per outermost batch.
    """


@dataclass(frozen=True)
class BatchEnded:
    """The changes announced since BatchStarted are all made: the map is consistent again.

    `events`: for a listener subscribed with `gathered=True`, the batch's per-item events in
    the order they happened (it was not given them one by one); empty for the others."""

    events: tuple[Any, ...] = field(default=(), compare=False, repr=False)


MapEvent = (StepAdded | StepRemoved | StepChanged | FlowAdded | FlowRemoved | FlowChanged
            | KaizenAdded | KaizenRemoved | KaizenChanged | MapChanged | BatchStarted | BatchEnded)
Listener = Callable[[Any], None]


class Observable:
    """Subscribers receive every event this object emits, in subscription order.

    A bound method is held weakly: a view that subscribes its own method does not keep itself
    alive through the model, so closing it needs no cycle collection (whose timing and order are
    arbitrary, and dangerous for Qt objects). Other callables (functions, closures) are held
    strongly until unsubscribed.

    BatchStarted and BatchEnded go only to subscribers that asked for them
    (`subscribe(listener, batches=True)`): the others see the per-item events as before. A
    subscriber that asked for a batch's events `gathered` is not called once per item within a
    batch: it gets them all at once, in BatchEnded.events (a delete of 5,000 steps emits 12,000
    events; a panel or the analysis scheduler, which only note them until the batch's end, then
    cost nothing per event).
    """

    def __init__(self) -> None:
        self._listeners: list[Callable[[], Listener | None]] = []
        self._batch_listeners: set[int] = set()  # id() of the refs that want batch events
        self._gathering_listeners: set[int] = set()  # id() of the refs that want them gathered
        self._gathered: list[Any] | None = None  # the per-item events of the batch under way

    def subscribe(self, listener: Listener, *, batches: bool = False,
                  gathered: bool = False) -> None:
        """Call `listener(event)` after every change; with `batches`, also at the start and
        the end of a batch of changes (vsm.model.bulk); with `gathered` (which implies
        `batches`), within a batch not once per change but once at its end, with the batch's
        per-item events in BatchEnded.events."""
        ref: Callable[[], Listener | None]
        if inspect.ismethod(listener):
            ref = weakref.WeakMethod(listener)
        else:
            ref = lambda: listener  # noqa: E731 - the strong counterpart of a weak reference
        self._listeners.append(ref)
        if batches or gathered:
            self._batch_listeners.add(id(ref))
        if gathered:
            self._gathering_listeners.add(id(ref))

    def unsubscribe(self, listener: Listener) -> None:
        """Stop calling `listener`."""
        self._listeners = [ref for ref in self._listeners if ref() not in (listener, None)]
        kept = {id(ref) for ref in self._listeners}
        self._batch_listeners &= kept
        self._gathering_listeners &= kept

    def _item_listeners(self) -> list[Listener]:
        """The live listeners a per-item event goes to now: within a batch whose events are
        being gathered, all but those that take them gathered."""
        gathering = self._gathering_listeners if self._gathered is not None else ()
        return [listener for listener in (ref() for ref in self._listeners if id(ref) not in
                                          gathering) if listener is not None]

    def _emit(self, event: Any) -> None:
        wanted: Callable[[Any], bool] | None = None  # which refs get it; None: every one
        if isinstance(event, BatchEnded):
            self._emit_batch_end()
            return
        if isinstance(event, BatchStarted):
            self._gathered = [] if self._gathering_listeners else None
            wanted = lambda ref: id(ref) in self._batch_listeners  # noqa: E731
        elif self._gathered is not None:
            self._gathered.append(event)
            wanted = lambda ref: id(ref) not in self._gathering_listeners  # noqa: E731
        for ref in list(self._listeners):
            if wanted is None or wanted(ref):
                listener = self._live(ref)
                if listener is not None:
                    listener(event)

    def _emit_batch_end(self) -> None:
        """BatchEnded to the listeners of batches: with the gathered events to those that
        take them so."""
        gathered, self._gathered = tuple(self._gathered or ()), None
        plain = BatchEnded()
        whole = BatchEnded(gathered)
        for ref in list(self._listeners):
            if id(ref) not in self._batch_listeners:
                continue
            listener = self._live(ref)
            if listener is not None:
                listener(whole if id(ref) in self._gathering_listeners else plain)

    def _live(self, ref: Callable[[], Listener | None]) -> Listener | None:
        """The listener of `ref`, or None after dropping a collected one."""
        listener = ref()
        if listener is None and ref in self._listeners:
            self._listeners.remove(ref)
            self._batch_listeners.discard(id(ref))
            self._gathering_listeners.discard(id(ref))
        return listener
