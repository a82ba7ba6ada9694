"""A map's records sent again to the same child go as their differences
(ui.document.resending): after an edit of one record, a few hundred bytes instead of the whole
map, and the child's copy always equals the parent's, whatever happened in between (a step
removed, a child killed, a job that could not be pickled)."""

from __future__ import annotations

import os
import pickle

import pytest

from ui.document import piecewise, resending
from ui.document.processes import ProcessWorker
from ui.document.snapshots import MapRecords, RecordCopies
from vsm.model import Flow, Step, ValueStreamMap

STEPS = 300  # more than resending.MIN_LENGTH: the steps and the flows go as changes


def chain(steps: int = STEPS) -> ValueStreamMap:
    """Steps s0 -> s1 -> ... in a line, each with a wait of its number of minutes."""
    map_ = ValueStreamMap(name="Chain", id="chain")
    for n in range(steps):
        map_.add_step(Step(id=f"s{n}", name=f"Step {n}", wait_time=float(n)))
    for n in range(steps - 1):
        map_.add_flow(Flow(id=f"f{n}", source=f"s{n}", target=f"s{n + 1}"))
    return map_


class Parent:
    """The parent's side, in this process: a map, its kept copies and what the child holds."""

    def __init__(self) -> None:
        self.map = chain()
        self.copies = RecordCopies()
        self.map.subscribe(self.copies.forget)
        self.sent = resending.Sent()

    def send(self) -> tuple[MapRecords, bytes, MapRecords]:
        """A snapshot, the pickle that takes it to the child and what the child reads (here:
        this process's table stands for the child's)."""
        records = MapRecords.of(self.map, copies=self.copies)
        draft = self.sent.draft()
        data = piecewise.dumps(records, resending.reducers(draft))
        self.sent.commit(draft)
        return records, data, pickle.loads(data)


def _same(records: MapRecords, received: MapRecords) -> bool:
    return ([vars(s) for s in received.steps] == [vars(s) for s in records.steps]
            and [vars(f) for f in received.flows] == [vars(f) for f in records.flows]
            and received.settings == records.settings)


@pytest.fixture()
def child_table():
    """resending's table of the child, here (this process unpickles as the child would)."""
    saved = dict(resending._HELD)
    resending._HELD.clear()
    yield resending._HELD
    resending._HELD.clear()
    resending._HELD.update(saved)


def test_an_edit_of_one_wait_sends_that_step_alone(child_table):
    parent = Parent()
    records, whole, received = parent.send()
    assert _same(records, received)
    parent.map.set_step_field("s150", "wait_time", 999.0)
    records, changes, received = parent.send()
    assert _same(records, received)
    assert received.steps[150].wait_time == 999.0
    # The whole map: 300 steps and 299 flows, about 110 bytes each (pickle's memo shares the
    # field names); the changes: one step and the map's settings, under 1,000 bytes.
    assert len(whole) > 60_000
    assert len(changes) < 1_000
    assert len(child_table) == 2  # the map's steps and flows, once each (the older dropped)


def test_added_and_removed_records_and_a_step_removed_early(child_table):
    parent = Parent()
    parent.send()  # whole
    parent.map.add_step(Step(id="late", name="Late"))
    parent.map.add_flow(Flow(id="fl", source="s299", target="late"))
    records, data, received = parent.send()  # two records past the end of the tuples held
    assert _same(records, received)
    assert len(data) < 2_000  # a step, a flow (their field names too) and the settings
    parent.map.remove_step("late")  # the last step and its flow: the tuples cut short
    records, data, received = parent.send()
    assert _same(records, received)
    assert len(data) < 1_000
    parent.map.remove_step("s3")  # every step and flow after it moves: sent whole
    records, data, received = parent.send()
    assert _same(records, received)
    assert len(data) > 60_000
    assert len(child_table) == 2


def test_a_short_tuple_goes_as_it_is_and_the_same_tuple_as_its_token(child_table):
    parent = Parent()
    records, _whole, _received = parent.send()
    draft = parent.sent.draft()
    again = piecewise.dumps(records, resending.reducers(draft))  # the very same tuples
    parent.sent.commit(draft)
    assert _same(records, pickle.loads(again))
    assert len(again) < 1_000
    small = MapRecords.of(chain(5))
    assert _same(small, pickle.loads(piecewise.dumps(small,
                                                      resending.reducers(resending.Sent()))))


@pytest.fixture()
def worker():
    made = ProcessWorker("resending")
    yield made
    made.shutdown(cancel_futures=True)


def test_the_child_holds_the_same_records_as_the_parent_through_edits_and_mishaps(worker):
    parent = chain()
    copies = RecordCopies()
    parent.subscribe(copies.forget)

    def round_trip() -> None:
        records = MapRecords.of(parent, copies=copies)
        assert worker.submit(repr, records).result(timeout=60) == repr(records)

    round_trip()
    parent.set_step_field("s10", "wait_time", 12.5)
    round_trip()
    with pytest.raises(AttributeError, match="pickle"):  # pickled halfway, never sent
        worker.submit(repr, (MapRecords.of(parent, copies=copies), lambda: None)).result(60)
    parent.set_step_field("s11", "wait_time", 13.5)
    round_trip()  # against what the child holds, not what the failed job would have left
    with pytest.raises(ChildProcessError):
        worker.submit(os._exit, 3).result(timeout=60)  # the child ends, as in a crash
    parent.set_step_field("s12", "wait_time", 14.5)
    round_trip()  # a new child: sent whole
    parent.remove_step("s0")
    round_trip()
    assert worker.submit(resending.held).result(timeout=60) == 2  # steps, flows

