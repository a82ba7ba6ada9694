"""Duplicate Map copies what the log measured: the map's Measured record, the steps' counts and
snapshots, the flows' cases and snapshots; so the copy shows the same counts and refreshes the
same way. A future state leaves the Measured record behind (the log measured today's process)."""

from __future__ import annotations

from tests.pure.test_measured_data import MEASURED
from vsm.model import Flow, Step, ValueStreamMap
from vsm.model.duplicate import duplicate_map, future_state_of


def _mined() -> ValueStreamMap:
    map_ = ValueStreamMap("Mined", measured=MEASURED)
    a = map_.add_step(Step(name="Triage", wait_time=60.0, cases=1200, visits=1310,
                           mined=(("wait_time", 60.0),)))
    b = map_.add_step(Step(name="Fix", cases=12, visits=12))
    c = map_.add_step(Step(name="Close", cases=1100, visits=1100))
    map_.add_flow(Flow(a.id, b.id, share=40.0, cases=480,
                       mined=(("share", 40.0), ("probability", None))))
    map_.add_flow(Flow(a.id, c.id, share=60.0, cases=720,
                       mined=(("share", 55.0), ("probability", None))))  # edited since
    map_.add_flow(Flow(b.id, a.id, "rework", probability=5.0, cases=3,
                       mined=(("share", None), ("probability", 5.0))))
    return map_


def test_a_duplicate_keeps_the_measured_record_counts_and_snapshots() -> None:
    original = _mined()
    copy = duplicate_map(original, "Mined 2")
    assert copy.measured == MEASURED
    assert [(s.cases, s.visits, s.mined) for s in copy.steps] == \
        [(s.cases, s.visits, s.mined) for s in original.steps]
    assert [(f.cases, f.mined, f.share, f.probability) for f in copy.flows] == \
        [(f.cases, f.mined, f.share, f.probability) for f in original.flows]
    assert {f.id for f in copy.flows}.isdisjoint(f.id for f in original.flows)
    new_ids = {s.name: s.id for s in copy.steps}
    assert copy.flows[0].source == new_ids["Triage"] and copy.flows[0].target == new_ids["Fix"]


def test_a_future_state_leaves_the_measured_record_behind() -> None:
    future = future_state_of(_mined(), "Future")
    assert future.measured is None
    assert [f.cases for f in future.flows] == [480, 720, 3]  # the counts behind the figures
