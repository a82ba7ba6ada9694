"""vsm.analysis.Analyser (the editor's analysis, repeated after every edit) against a fresh analyse.

The Analyser keeps the structure, rolled %C&A, the previous branch choices and their
elimination between edits; none of that may show in the figures. Over random sequences of edits
on random maps every field of its MapAnalysis must equal a fresh analysis of the same map, and
where branches tie, both must take the same one (docs/analysis.md, "Ties and stray steps").
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.generate import synthetic_map
from tests.helpers.maps import make_map
from tests.helpers.strategies import dense_maps
from vsm.analysis import Analyser, analyse, build_structure
from vsm.analysis.solver import eliminate
from vsm.model import Flow, ModelError, ValueStreamMap

WAITS = [0, 5, 20, 60, 90]  # few values, so that branches often tie


def _edit(data: st.DataObject, map_: ValueStreamMap) -> None:
    """One edit a user could make: a time, a %C&A, a rework probability, a flow added or
    removed, a step removed."""
    step = data.draw(st.sampled_from(map_.steps))
    kind = data.draw(st.sampled_from(["wait", "wait", "wait", "process", "pca", "probability",
                                      "add rework", "remove flow", "remove step"]))
    if kind == "wait":
        map_.set_step_field(step.id, "wait_time", data.draw(st.sampled_from(WAITS)))
    elif kind == "process":
        map_.set_step_field(step.id, "process_time", data.draw(st.integers(0, 60)))
    elif kind == "pca":
        map_.set_step_field(step.id, "pca", data.draw(st.sampled_from([50, 90, 100])))
    elif kind == "probability":
        back = [f for f in map_.flows if f.kind == "rework"]
        if back:
            flow = data.draw(st.sampled_from(back))
            map_.set_flow_field(flow.id, "probability", data.draw(st.integers(1, 45)))
    elif kind == "add rework":
        map_.add_flow(Flow(step.id, data.draw(st.sampled_from(map_.steps)).id, kind="rework",
                           probability=data.draw(st.integers(1, 45))))
    elif kind == "remove flow" and map_.flows:
        map_.remove_flow(data.draw(st.sampled_from(map_.flows)).id)
    elif kind == "remove step" and len(map_.steps) > 1:
        map_.remove_step(step.id)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dense_maps(), st.data())
def test_repeated_analysis_equals_a_fresh_one_after_every_edit(map_, data):
    analyser = Analyser()
    assert analyser.analyse(map_) == analyse(map_)
    for _ in range(data.draw(st.integers(1, 8))):
        try:
            _edit(data, map_)
        except ModelError:
            continue  # refused edits (a flow already there...) leave the map as it was
        assert analyser.analyse(map_) == analyse(map_)


def test_repeated_analysis_of_a_benchmark_map_after_time_edits():
    map_ = synthetic_map(300, seed=3)
    analyser = Analyser()
    analyser.analyse(map_)
    waited = [step for step in map_.steps if step.wait_time > 0][:12]
    for number, step in enumerate(waited):
        map_.set_step_field(step.id, "wait_time", step.wait_time * (3 if number % 2 else 0.25))
        assert analyser.analyse(map_) == analyse(map_)


def _tied_split(b_wait: float) -> ValueStreamMap:
    """S splits into A and B (both happen), which join at J. A takes 18 + 2 minutes; B takes
    b_wait + 8."""
    return make_map({"S": (0, 1), "A": (18, 2), "B": (b_wait, 8), "J": (0, 1)},
                    [("S", "A"), ("S", "B"), ("A", "J"), ("B", "J")])


def test_tied_branches_go_to_the_least_process_time():
    # A = 18 + 2 = 20 and B = 12 + 8 = 20 tie: the lead time is 1 + 20 + 1 = 22 either way, but
    # the process time is 1 + 2 + 1 = 4 through A and 1 + 8 + 1 = 10 through B; A has the least,
    # so it sets both the critical path and the process time.
    result = analyse(_tied_split(12))
    assert result.lead_time == 22
    assert result.critical_path == ["S", "A", "J"]
    assert result.process_time == 4


def test_ties_after_an_edit_go_to_the_same_branch_as_in_a_fresh_analysis():
    # B first longer (30 + 8 = 38 > 20): the path runs through B and the process time is
    # 1 + 8 + 1 = 10. Cut B's wait to 12 and the branches tie at 20: a fresh analysis takes A
    # (process time 4); so must the analyser that started from B.
    map_ = _tied_split(30)
    analyser = Analyser()
    before = analyser.analyse(map_)
    assert before.critical_path == ["S", "B", "J"] and before.process_time == 10
    map_.set_step_field("B", "wait_time", 12)
    after = analyser.analyse(map_)
    assert after.critical_path == ["S", "A", "J"]
    assert after.process_time == 4
    assert after == analyse(map_)


def test_a_new_flow_is_seen_at_once():
    # S -> A -> E: 1 + 10 + 10 = 21. Then a rework flow E -> A at 50 %: T(E) = 10 + 0.5 T(A)
    # and T(A) = 10 + T(E), so T(A) = 20 / (1 - 0.5) = 40 and the lead time is 1 + 40 = 41.
    map_ = make_map({"S": (0, 1), "A": (5, 5), "E": (5, 5)}, [("S", "A"), ("A", "E")])
    analyser = Analyser()
    assert analyser.analyse(map_).lead_time == 21
    map_.add_flow(Flow("E", "A", kind="rework", probability=50))
    assert analyser.analyse(map_).lead_time == pytest.approx(41)


def test_a_map_made_invalid_and_mended_again():
    map_ = make_map({"S": (0, 1), "A": (5, 5)}, [("S", "A")])
    analyser = Analyser()
    analyser.analyse(map_)
    loop = map_.add_flow(Flow("A", "S"))
    broken = analyser.analyse(map_)
    assert not broken.ok and broken.lead_time is None
    map_.remove_flow(loop.id)
    assert analyser.analyse(map_) == analyse(map_)


def test_an_elimination_serves_other_durations_exactly():
    map_ = synthetic_map(200, seed=5)
    s, _ = build_structure(map_)
    duration = {st.id: st.wait_time + st.process_time for st in map_.steps}
    policy = {v: s.routes[v][-1][0] for v in s.concurrent_splits()}
    first = eliminate(s, duration, policy, record=True)
    other = {v: d * 1.5 + 7 for v, d in duration.items()}
    again = first.with_durations(other)
    fresh = eliminate(s, other, policy, record=True)
    assert again.const == fresh.const  # the same operations in the same order: bit for bit
    assert again.values() == fresh.values()
    start = s.starts[0]
    assert again.gradient({start: 1.0}) == fresh.gradient({start: 1.0})


def test_an_unrecorded_elimination_cannot_serve_other_durations():
    map_ = make_map({"S": (0, 1), "A": (5, 5)}, [("S", "A")])
    s, _ = build_structure(map_)
    with pytest.raises(ValueError, match="record=True"):
        eliminate(s, {"S": 1.0, "A": 10.0}, {}).with_durations({"S": 2.0, "A": 10.0})
