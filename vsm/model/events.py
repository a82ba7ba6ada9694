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
    """

    def __init__(self) -> None:
        self._listeners: list[Callable[[], Listener | None]] = []

    def subscribe(self, listener: Listener) -> None:
        """Call `listener(event)` after every change."""
        if inspect.ismethod(listener):
            self._listeners.append(weakref.WeakMethod(listener))
        else:
            self._listeners.append(lambda: listener)

    def unsubscribe(self, listener: Listener) -> None:
        """Stop calling `listener`."""
        self._listeners = [ref for ref in self._listeners if ref() not in (listener, None)]

    def _emit(self, event: Any) -> None:
        for ref in list(self._listeners):
            listener = ref()
            if listener is None:
                self._listeners.remove(ref)
            else:
                listener(event)
