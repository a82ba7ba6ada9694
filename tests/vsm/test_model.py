"""The model's mutating methods: validation, events, and exact inverses for undo."""

from __future__ import annotations

import copy

import pytest

from vsm.events import (FlowAdded, FlowChanged, FlowRemoved, MapAdded, MapChanged, StepAdded,
                        StepChanged, StepRemoved)
from vsm.model import Flow, ModelError, Project, Step, Thresholds, ValueStreamMap


@pytest.fixture
def map_():
    m = ValueStreamMap("Current state")
    for name in "ABC":
        m.add_step(Step(name, id=name, wait_time="1h", process_time=10))
    m.add_flow(Flow("A", "B", id="ab"))
    m.add_flow(Flow("B", "C", id="bc"))
    m.add_flow(Flow("C", "A", kind="rework", probability=20, id="ca"))
    return m


def test_events_are_past_tense_and_carry_the_object(map_):
    events = []
    map_.subscribe(events.append)
    map_.set_step_field("A", "wait_time", "2h")
    map_.set_step_field("A", "wait_time", 120)  # unchanged: no event
    map_.set_flow_field("ca", "probability", 30)
    map_.set_field("name", "Renamed")
    assert events == [StepChanged(map_.step("A"), "wait_time"), FlowChanged(map_.flow("ca"), "probability"),
                      MapChanged("name")]
    assert map_.step("A").wait_time == 120


def test_remove_step_removes_its_flows_and_can_be_restored_exactly(map_):
    before = copy.deepcopy(map_.snapshot())
    events = []
    map_.subscribe(events.append)
    step, index, flows, kaizens = map_.remove_step("B")
    assert [type(e) for e in events] == [FlowRemoved, FlowRemoved, StepRemoved]
    assert [f.id for f, _ in flows] == ["ab", "bc"] and index == 1 and kaizens == []
    assert [s.id for s in map_.steps] == ["A", "C"] and [f.id for f in map_.flows] == ["ca"]
    map_.add_step(step, index)
    for flow, position in flows:
        map_.add_flow(flow, position)
    assert map_.snapshot() == before
    assert isinstance(events[-1], FlowAdded) and isinstance(events[-3], StepAdded)


@pytest.mark.parametrize("field, value, message", [
    ("pca", 0, "more than 0"), ("pca", 101, "at most 100"), ("pca", "abc", "must be a number"),
    ("wait_time", "soon", "not a duration"), ("process_time", -1, "non-negative"),
    ("activity", "sell", "must be one of"), ("performer", "robot", "must be one of"),
    ("people", -2, "negative"), ("colour", 1, "no field"),
])
def test_bad_values_are_refused_with_the_step_named(map_, field, value, message):
    with pytest.raises(ModelError, match=message) as error:
        map_.set_step_field("A", field, value)
    assert "'A'" in str(error.value) or "no field" in message
    assert map_.step("A").pca == 100


@pytest.mark.parametrize("flow, message", [
    (Flow("A", "Z"), "not in the map"),
    (Flow("A", "A"), "cannot flow into itself"),
    (Flow("A", "C", share=0), "share must be more than 0"),
    (Flow("A", "C", kind="rework"), "needs a probability"),
    (Flow("A", "C", kind="rework", probability=100), "less than 100"),
    (Flow("A", "C", kind="rework", probability=10, share=5), "not a share"),
    (Flow("A", "B"), "already such a flow"),
    (Flow("A", "B", probability=5), "only rework flows"),
])
def test_bad_flows_are_refused(map_, flow, message):
    with pytest.raises(ModelError, match=message):
        map_.add_flow(flow)
    assert len(map_.flows) == 3


def test_changing_flow_kind_drops_the_figure_that_no_longer_applies(map_):
    map_.set_flow_field("ca", "kind", "normal")
    flow = map_.flow("ca")
    assert (flow.kind, flow.share, flow.probability) == ("normal", None, None)
    map_.set_flow_field("ab", "kind", "rework")  # a new rework flow starts at 10 %
    assert (map_.flow("ab").kind, map_.flow("ab").probability) == ("rework", 10.0)


def test_map_settings_are_validated(map_):
    with pytest.raises(ModelError):
        map_.set_field("kind", "past")
    with pytest.raises(ModelError):
        map_.set_field("thresholds", Thresholds(low_pca_percent=0))
    with pytest.raises(ModelError):
        map_.set_field("demand", -3)
    map_.set_field("demand", "40")
    assert map_.demand == 40.0


def test_project_maps():
    project = Project("P")
    events = []
    project.subscribe(events.append)
    current = project.add_map(ValueStreamMap("Current"))
    future = project.add_map(ValueStreamMap("Target", kind="future"), index=0)
    assert project.maps == [future, current] and events[0] == MapAdded(current, 0)
    assert project.map_named("target") is future and project.first_map("current") is current
    with pytest.raises(ModelError, match="maps: 'Target', 'Current'"):
        project.map_named("nope")
    assert project.remove_map(future.id) == (future, 0)
