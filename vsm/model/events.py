"""Past-tense events the model emits after every change, and the subscription mechanism.

Subscribers (the editor's scenes and panels, the document's analysis scheduler) receive the event
objects in subscription order; the objects they carry are the live model objects.
"""

from __future__ import annotations

import inspect
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from vsm.model.records import Flow, Kaizen, Step

@dataclass(frozen=True)
class StepAdded:
    step: Step
    index: int


@dataclass(frozen=True)
class StepRemoved:
    step: Step
    index: int


@dataclass(frozen=True)
class StepChanged:
    step: Step
    field: str


@dataclass(frozen=True)
class FlowAdded:
    flow: Flow
    index: int


@dataclass(frozen=True)
class FlowRemoved:
    flow: Flow
    index: int


@dataclass(frozen=True)
class FlowChanged:
    flow: Flow
    field: str


@dataclass(frozen=True)
class MapChanged:
    field: str


@dataclass(frozen=True)
class KaizenAdded:
    kaizen: Kaizen
    index: int


@dataclass(frozen=True)
class KaizenRemoved:
    kaizen: Kaizen
    index: int


@dataclass(frozen=True)
class KaizenChanged:
    kaizen: Kaizen
    field: str


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
    """The changes announced since BatchStarted are all made: the map is consistent again."""


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
    (`subscribe(listener, batches=True)`): the others see the per-item events as before.
    """

    def __init__(self) -> None:
        self._listeners: list[Callable[[], Listener | None]] = []
        self._batch_listeners: set[int] = set()  # id() of the refs that want batch events

    def subscribe(self, listener: Listener, *, batches: bool = False) -> None:
        """Call `listener(event)` after every change; with `batches`, also at the start and
        the end of a batch of changes (vsm.model.bulk)."""
        ref: Callable[[], Listener | None]
        if inspect.ismethod(listener):
            ref = weakref.WeakMethod(listener)
        else:
            ref = lambda: listener  # noqa: E731 - the strong counterpart of a weak reference
        self._listeners.append(ref)
        if batches:
            self._batch_listeners.add(id(ref))

    def unsubscribe(self, listener: Listener) -> None:
        """Stop calling `listener`."""
        self._listeners = [ref for ref in self._listeners if ref() not in (listener, None)]
        self._batch_listeners &= {id(ref) for ref in self._listeners}

    def _emit(self, event: Any) -> None:
        batch = isinstance(event, (BatchStarted, BatchEnded))
        for ref in list(self._listeners):
            if batch and id(ref) not in self._batch_listeners:
                continue
            listener = ref()
            if listener is None:
                self._listeners.remove(ref)
                self._batch_listeners.discard(id(ref))
            else:
                listener(event)
