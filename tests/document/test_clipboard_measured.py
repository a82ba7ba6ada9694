"""Copy and paste keep what the log measured, as Duplicate Map does (vsm.model.duplicate): the
pasted steps' cases, visits and mined snapshots, and the pasted flows' cases and mined snapshots,
so the copies show the same counts and a refresh can still tell edited figures from mined ones."""

from __future__ import annotations

from tests.helpers.qt import round_trip
from tests.pure.test_measured_data import MEASURED
from ui.document.clipboard import copy_steps, steps_from_mime
from ui.document.document import Document
from vsm.model import Flow, Project, Step, ValueStreamMap


def _mined_document() -> Document:
    map_ = ValueStreamMap("Mined", measured=MEASURED, id="m")
    map_.add_step(Step(name="Triage", wait_time=60.0, cases=1200, visits=1310,
                       mined=(("wait_time", 60.0),), id="a"))
    map_.add_step(Step(name="Fix", process_time=30.0, cases=12, visits=14,
                       mined=(("process_time", 30.0),), id="b", x=240.0))
    map_.add_step(Step(name="Close", cases=1100, visits=1100, id="c", x=480.0))
    map_.add_flow(Flow("a", "b", share=40.0, cases=480,
                       mined=(("share", 40.0), ("probability", None)), id="ab"))
    map_.add_flow(Flow("a", "c", share=60.0, cases=720,
                       mined=(("share", 55.0), ("probability", None)), id="ac"))  # edited since
    map_.add_flow(Flow("b", "a", "rework", probability=5.0, cases=3,
                       mined=(("share", None), ("probability", 5.0)), id="ba"))
    map_.add_flow(Flow("b", "c", id="bc"))  # drawn by hand: nothing measured
    return Document(Project("P", [map_], id="p"))


def _copied(map_: ValueStreamMap, step_ids: list[str]) -> tuple[list[Step], list[Flow]]:
    """The steps and flows a paste would add: copied to mime data and read back."""
    copied = steps_from_mime(copy_steps(map_, step_ids))
    assert copied is not None
    return copied


def test_pasted_steps_and_flows_keep_their_counts_and_snapshots(qapp):
    doc = _mined_document()
    map_ = doc.project.maps[0]
    steps, flows = _copied(map_, ["a", "b"])
    names = {s.id: s.name for s in steps}

    def pasted() -> bool:
        new = [s for s in map_.steps if s.id in names]
        new_flows = [f for f in map_.flows if f.source in names and f.target in names]
        # Triage and Fix with their counts and snapshots; the two flows between them (a->b and
        # the rework b->a), not a->c or b->c whose target was not copied.
        return ([(s.name, s.cases, s.visits, s.mined) for s in new] ==
                [("Triage", 1200, 1310, (("wait_time", 60.0),)),
                 ("Fix", 12, 14, (("process_time", 30.0),))]
                and [(names[f.source], names[f.target], f.kind, f.share, f.probability, f.cases,
                      f.mined) for f in new_flows] ==
                [("Triage", "Fix", "normal", 40.0, None, 480,
                  (("share", 40.0), ("probability", None))),
                 ("Fix", "Triage", "rework", None, 5.0, 3,
                  (("share", None), ("probability", 5.0)))])

    round_trip(doc, lambda: doc.add_steps(map_.id, steps, flows, "Paste"), pasted)
    assert {f.id for f in flows}.isdisjoint({"ab", "ac", "ba", "bc"})  # new ids all the same


def test_a_flow_drawn_by_hand_stays_without_counts(qapp):
    steps, flows = _copied(_mined_document().project.maps[0], ["b", "c"])
    assert [(f.cases, f.mined) for f in flows] == [(None, None)]
    assert [(s.name, s.cases, s.visits, s.mined) for s in steps] == \
        [("Fix", 12, 14, (("process_time", 30.0),)), ("Close", 1100, 1100, None)]
