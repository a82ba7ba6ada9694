"""A map's records sent again to the same child go as their differences (issue 19).

Every job of a second process (ui.document.processes) carries a fresh copy of a map
(ui.document.snapshots.MapRecords): after an edit of one wait, the 20,000-step benchmark map's
steps and flows went whole again, 6 MB pickled on the dispatching thread (85-97 ms of the
interpreter's lock, which the GUI thread needs for every paint and slot) and unpickled again in
the child (160-175 ms), though one step had changed. The copies of unchanged records are the
very same objects from one snapshot to the next (RecordCopies), so the parent tells them apart
in C, an identity comparison each (about 1 ms for 20,000), and a long tuple of records
(MIN_LENGTH or more) goes as its changes from the one the child holds for the same map and kind
of record: the records at the places where the two differ, and those past the old one's end
(1 KB, 2 ms to pickle and 1.5 ms to unpickle after that edit). A tuple changed in more than
1/CHANGED_SHARE of its places (a step removed early: every later one moves) goes whole.

Each child keeps the last tuple of each map's steps, flows and kaizens it was sent (`_HELD`, in
the child; KEPT at most, the least recently sent dropped first), under tokens the parent gives;
the parent (`Sent`, one for each child) keeps the same tuples under the same tokens and says
which to drop as it gives new ones, so both sides always agree. A new child (the old one died)
starts with none: the parent's `Sent` is reset with it. A job that could not be pickled or sent
leaves the parent's `Sent` as it was (`draft`, then `commit` once sent).

Records sent this way are shared between the jobs of one child: a job must never change the
records it is given (none does: `MapRecords.rebuild` copies each again).
"""

from __future__ import annotations

import operator
from collections import OrderedDict
from collections.abc import Callable
from itertools import compress, count
from typing import Any

from ui.document.snapshots import MapRecords

MIN_LENGTH = 256  # tuples of records this long go as their changes, when they can
KEPT = 24  # the maps' tuples a child keeps (the least recently sent are dropped first)
CHANGED_SHARE = 4  # more than 1/4 of the records changed (a step removed early): sent whole

_HELD: dict[int, tuple[Any, ...]] = {}  # in the child: token -> a tuple it was sent

Slot = tuple[object, str]  # (a map's id, "steps" | "flows" | "kaizens")


class Sent:
    """The tuples one child holds, as the parent sees them (see the module docstring): one
    for each map and kind of record, the last one sent."""

    def __init__(self) -> None:
        self.slots: OrderedDict[Slot, tuple[int, tuple[Any, ...]]] = OrderedDict()
        self.next_token = 0

    def reset(self) -> None:
        """The child is new: it holds nothing."""
        self.slots.clear()

    def draft(self) -> Sent:
        """A copy to pickle a job against (`commit` it once the job is sent)."""
        copy = Sent()
        copy.slots = OrderedDict(self.slots)
        copy.next_token = self.next_token
        return copy

    def commit(self, draft: Sent) -> None:
        """The job pickled against `draft` was sent: the child now holds what it says."""
        self.slots, self.next_token = draft.slots, draft.next_token

    def encode(self, slot: Slot, records: tuple[Any, ...], dropped: list[int]
               ) -> tuple[Any, ...]:
        """How `records` go to the child: (0, the tuple) when short, (1, token, the tuple)
        whole, (2, token, length, places, records) as the changes of the slot's last tuple,
        (3, token) when it is that very tuple; the tokens the child must drop once it has
        read them are added to `dropped`."""
        if len(records) < MIN_LENGTH:
            return (0, records)
        last = self.slots.pop(slot, None)
        if last is not None and last[1] is records:
            self.slots[slot] = last
            return (3, last[0])
        token = self.next_token
        self.next_token += 1
        self.slots[slot] = (token, records)
        while len(self.slots) > KEPT:
            dropped.append(self.slots.popitem(last=False)[1][0])
        if last is None:
            return (1, token, records)
        base_token, base = last
        dropped.append(base_token)
        places = tuple(compress(count(), map(operator.is_not, records, base)))
        if len(places) + max(0, len(records) - len(base)) > len(records) // CHANGED_SHARE:
            return (1, token, records)
        changed = tuple(records[place] for place in places) + records[len(base):]
        return (2, token, base_token, len(records), places, changed)


def _decoded(part: tuple[Any, ...]) -> tuple[Any, ...]:
    """In the child: the tuple `Sent.encode` sent as `part`, held if it came with a token."""
    kind = part[0]
    if kind == 0:
        return part[1]  # type: ignore[no-any-return]
    if kind == 3:
        return _HELD[part[1]]
    if kind == 1:
        _, token, records = part
    else:
        _, token, base_token, length, places, changed = part
        items = list(_HELD[base_token][:length])
        for place, record in zip(places, changed, strict=False):
            items[place] = record
        items += changed[len(places):]
        records = tuple(items)
    _HELD[token] = records
    return records  # type: ignore[no-any-return]


def _records(dropped: list[int], settings: dict[str, Any], steps: tuple[Any, ...],
             flows: tuple[Any, ...], kaizens: tuple[Any, ...]) -> MapRecords:
    """In the child: a MapRecords rebuilt from what `_reducer` sent."""
    records = MapRecords(settings, _decoded(steps), _decoded(flows), _decoded(kaizens))
    for token in dropped:
        _HELD.pop(token, None)
    return records


def held() -> int:
    """How many tuples this process holds as a child (what a test asks the child)."""
    return len(_HELD)


def reducers(sent: Sent) -> dict[type, Callable[[Any], tuple[Any, ...]]]:
    """The pickler's reducers (ui.document.piecewise.dumps) that send each MapRecords against
    what the child holds (`sent`: a draft, see `Sent`)."""

    def reduce_records(records: MapRecords) -> tuple[Any, ...]:
        dropped: list[int] = []
        key = records.settings.get("id")
        parts = [sent.encode((key, "steps"), records.steps, dropped),
                 sent.encode((key, "flows"), records.flows, dropped),
                 sent.encode((key, "kaizens"), records.kaizens, dropped)]
        return (_records, (dropped, records.settings, *parts))

    return {MapRecords: reduce_records}
