"""Frozen copies of maps and projects for worker threads (issue 19).

A worker never reads the live model: the GUI thread may change it at any moment. Instead the GUI
thread takes a `MapRecords` / `ProjectRecords`, copies of every record (steps, flows, kaizens)
and setting, which costs about 2 µs a record (43 ms for the 20,000-step benchmark map), and the
worker rebuilds an ordinary ValueStreamMap or Project from them through the model's own methods
(`rebuild`), which validate every record again. Nothing in a snapshot is shared with the model,
so later edits cannot reach it.

`RecordCopies` keeps the copies between snapshots: a record is copied again only after a model
event names it (its step, flow or kaizen) and its fields differ from its copy's (a removal and
its undo leave them as they were); any other event but a map setting's forgets every copy.
Records change only through the map's methods, which all emit such an event, so a snapshot of a
20,000-step map after one edit copies one record and looks the others up (about 0.2 µs each).
"""

from __future__ import annotations

import operator
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import compress, groupby, repeat
from itertools import count as counting
from typing import Any, TypeVar

from vsm.model import (
    MAP_FIELDS,
    Flow,
    FlowAdded,
    FlowChanged,
    FlowRemoved,
    Kaizen,
    KaizenAdded,
    KaizenChanged,
    KaizenRemoved,
    MapChanged,
    Project,
    Step,
    StepAdded,
    StepChanged,
    StepRemoved,
    ValueStreamMap,
)

R = TypeVar("R")
# The map's settings, as ValueStreamMap() takes them: every one of MAP_FIELDS and the id (the
# records are copied on their own). A setting added to the model without being added here would
# be lost by the worker's copy (tests/document/test_analysis_off_thread.py rebuilds a map with
# every setting set and compares the whole map).
MAP_SETTINGS = ("id", *MAP_FIELDS)


def _copied(record: R) -> R:
    """A shallow copy of a record dataclass (its fields are plain values or tuples)."""
    twin = object.__new__(type(record))
    twin.__dict__.update(record.__dict__)
    return twin


class RecordCopies:
    """Copies of one map's records, kept until an event says the record changed (GUI thread).

    The last tuple of copies of each kind of record is kept with the records it copied: asked
    again for the very same records (in order: one tuple comparison in C), or for those with
    new ones after them (a step or flow added), only the records named by an event since are
    copied again, not each looked up (a dict lookup per record: 4 ms at 20,000 steps)."""

    def __init__(self) -> None:
        self._copies: dict[int, tuple[Any, Any]] = {}  # id(record) -> (record, its copy)
        # per kind of record: the records last copied, their copies, each record's place
        self._last: dict[type, tuple[tuple[Any, ...], tuple[Any, ...], dict[int, int] | None]] = {}
        self._named: dict[int, Any] = {}  # id(record) -> record, named by an event since
        self._batches: list[tuple[object, ...] | list[object]] = []  # batches not forgotten yet

    def copies(self, records: tuple[Any, ...]) -> tuple[Any, ...]:
        """The copies of `records`, made now for those without one."""
        if self._batches:
            self.settle()
        if not records:
            return ()
        kind = type(records[0])
        last = self._last.get(kind)
        if last is not None:
            kept = self._from_last(records, *last)
            if kept is not None:
                return kept
        known = self._copies
        result = []
        for record in records:
            hit = known.get(id(record))
            if hit is None or hit[0] is not record:
                hit = known[id(record)] = (record, _copied(record))
            result.append(hit[1])
        copies = tuple(result)
        self._keep(kind, records, copies, None)
        return copies

    def _from_last(self, records: tuple[Any, ...], inputs: tuple[Any, ...],
                   outputs: tuple[Any, ...], places: dict[int, int] | None
                   ) -> tuple[Any, ...] | None:
        """The copies of `records` from the last ones of their kind, if they are those records
        (or those with new ones after them); None: look each up. A record an event named
        since keeps its last copy if its fields are still equal to the copy's (one dict
        comparison, a third of a copy's cost; an unchanged field holds the very object the copy
        holds): the undo of a delete of everything puts back the very records the snapshot
        before the delete copied, unchanged, and their copies serve again."""
        count = len(inputs)
        if len(records) < count or not _same(records[:count] if len(records) > count
                                             else records, inputs):
            return None
        result = list(outputs)
        named = [r for r in self._named.values() if type(r) is type(records[0])]
        if named and len(named) * 4 >= count:  # most named (the undo of a big delete):
            for index in _differing(inputs, outputs):  # every record compared, in C
                result[index] = self._copy(inputs[index])
        elif named:
            if places is None:
                places = {id(record): index for index, record in enumerate(inputs)}
            for record in named:
                index = places.get(id(record))
                if (index is not None and inputs[index] is record
                        and outputs[index].__dict__ != record.__dict__):
                    result[index] = self._copy(record)
        result += [self._copy(record) for record in records[count:]]
        copies = tuple(result)
        self._keep(type(records[0]), records, copies,
                   places if len(records) == count else None)
        return copies

    def _copy(self, record: Any) -> Any:
        hit = self._copies.get(id(record))
        if hit is None or hit[0] is not record:
            hit = self._copies[id(record)] = (record, _copied(record))
        return hit[1]

    def _keep(self, kind: type, records: tuple[Any, ...], copies: tuple[Any, ...],
              places: dict[int, int] | None) -> None:
        self._last[kind] = (records, copies, places)
        for key in [key for key, record in self._named.items() if type(record) is kind]:
            del self._named[key]

    def forget(self, event: object) -> None:
        """A model event of the map: drop the copy of the record it names (all of them when it
        names none, but for a map setting)."""
        if self._batches:
            self.settle()
        for name in ("step", "flow", "kaizen"):
            record = getattr(event, name, None)
            if isinstance(record, (Step, Flow, Kaizen)):
                self._copies.pop(id(record), None)
                if type(record) in self._last:  # its copy is among the last ones
                    self._named[id(record)] = record
                return
        if not isinstance(event, MapChanged):
            self._copies.clear()
            self._last.clear()
            self._named.clear()

    def forget_all(self, events: tuple[object, ...] | list[object]) -> None:
        """`forget` each of these events (a batch's: thousands at once), in order, when the
        copies are next asked for or `settle` is called: the batch's own turn (a delete of
        20,000 steps, 13-16 ms of it) is spared. The events hold their records, so no record
        named can be collected and its id reused meanwhile."""
        if events:
            self._batches.append(events)

    def settle(self) -> None:
        """Forget now the batches `forget_all` was given, in order."""
        batches, self._batches = self._batches, []
        for events in batches:
            self._forget_batch(events)

    def _forget_batch(self, events: tuple[object, ...] | list[object]) -> None:
        """`forget` each event: each run of events of one kind naming a record (a delete of
        20,000 steps: 28,000 FlowRemoved, then 20,000 StepRemoved) with the loops in C, a dict
        lookup per record."""
        known, named, last = self._copies, self._named, self._last
        for kind, run in groupby(events, type):
            name = _RECORD_OF.get(kind)
            if name is None:
                for event in run:
                    self.forget(event)
                continue
            records = list(map(operator.attrgetter(name), run))
            ids = list(map(id, records))
            if known:
                deque(map(known.pop, ids, repeat(None)), 0)
            if type(records[0]) in last:  # one kind of record per kind of event
                named.update(zip(ids, records))


def _differing(records: tuple[Any, ...], copies: tuple[Any, ...]) -> Iterator[int]:
    """The indices of the records whose fields differ from their copy's (one comparison of
    their dicts each, the loop in C)."""
    fields = operator.attrgetter("__dict__")
    return compress(counting(), map(operator.ne, map(fields, records), map(fields, copies)))


def _same(records: tuple[Any, ...], inputs: tuple[Any, ...]) -> bool:
    """Whether two tuples hold the very same records in the same order (not equal ones)."""
    return len(records) == len(inputs) and all(map(operator.is_, records, inputs))


# The record each kind of per-item event names (forget_all; forget finds it by looking).
_RECORD_OF: dict[type, str] = {
    StepAdded: "step", StepRemoved: "step", StepChanged: "step",
    FlowAdded: "flow", FlowRemoved: "flow", FlowChanged: "flow",
    KaizenAdded: "kaizen", KaizenRemoved: "kaizen", KaizenChanged: "kaizen",
}


@dataclass(frozen=True)
class MapRecords:
    """Everything that defines one map, copied (see the module docstring)."""

    settings: dict[str, Any]
    steps: tuple[Any, ...]
    flows: tuple[Any, ...]
    kaizens: tuple[Any, ...]

    @classmethod
    def of(cls, map_: ValueStreamMap, kaizens: bool = True,
           copies: RecordCopies | None = None) -> MapRecords:
        """Copy `map_` now (GUI thread), reusing `copies` where given. Without `kaizens` they
        are left out (the analysis does not read them)."""
        settings = {name: getattr(map_, name) for name in MAP_SETTINGS}
        settings["thresholds"] = _copied(map_.thresholds)
        settings["team_rates"] = dict(map_.team_rates)
        steps, flows, ideas = map_.steps, map_.flows, map_.kaizens
        copy = copies.copies if copies is not None else (
            lambda records: tuple(_copied(r) for r in records))
        return cls(settings, copy(steps), copy(flows), copy(ideas) if kaizens else ())

    def rebuild(self) -> ValueStreamMap:
        """A ValueStreamMap of its own with these records (any thread)."""
        twin = ValueStreamMap(**self.settings)
        for step in self.steps:
            twin.add_step(_copied(step))
        for flow in self.flows:
            twin.add_flow(_copied(flow))
        for kaizen in self.kaizens:
            twin.add_kaizen(_copied(kaizen))
        return twin


@dataclass(frozen=True)
class ProjectRecords:
    """A project's name, id and maps, copied."""

    name: str
    id: str
    maps: tuple[MapRecords, ...]

    @classmethod
    def of(cls, project: Project,
           copies: Callable[[str], RecordCopies | None] = lambda _map_id: None) -> ProjectRecords:
        """Copy `project` now (GUI thread); `copies(map id)`: the kept copies of a map, if any."""
        return cls(project.name, project.id,
                   tuple(MapRecords.of(m, copies=copies(m.id)) for m in project.maps))

    def rebuild(self) -> Project:
        """A Project of its own with these maps (any thread)."""
        return Project(self.name, [m.rebuild() for m in self.maps], id=self.id)
