"""The model's mutating methods: validation, events, and exact inverses for undo."""

from __future__ import annotations

import copy

import pytest

from vsm.model import (
    STEP_FIELDS,
    Flow,
    ModelError,
    Project,
    Step,
    Thresholds,
    ValueStreamMap,
    clean_step_value,
)
from vsm.model.events import (
    FlowAdded,
    FlowChanged,
    FlowRemoved,
    MapChanged,
    StepAdded,
    StepChanged,
    StepRemoved,
)
from vsm.model.project import MapAdded
from vsm.model.variability import check_ranges


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
    (Flow("A", "C", kind="rework", probability=101), "at most 100"),
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


# Odd values for every step field: valid ones of another type (text durations, ints, numbers as
# text), and refused ones. Adding a step takes a fast path when every field is already clean;
# otherwise it checks field by field. Both must agree with clean_step_value, field by field.
ODD_VALUES = [None, True, 0, -1, 7, 0.0, -0.0, 100.0, 101.0, float("nan"), float("inf"), "",
              " ", "1h 30m", "50", "abc", [], "plan", "vendor", " padded "]


def _outcome(action):
    """What an action gives: ("ok", result) or (type of exception, message)."""
    try:
        return "ok", action()
    except Exception as error:  # noqa: BLE001 - the outcome is compared, whatever it is
        return type(error), str(error)


def _checked_field_by_field(step):
    """The step's fields as add_step validates them, spelled out with clean_step_value."""
    values = {name: clean_step_value(step.name, name, getattr(step, name)) for name in STEP_FIELDS}
    check_ranges(step.name, values)
    return values


@pytest.mark.parametrize("field", STEP_FIELDS)
def test_adding_a_step_checks_each_field_as_clean_step_value_does(field):
    for value in ODD_VALUES:
        step = Step(**{"name": " A ", field: value}, id="a")
        expected = _outcome(lambda step=step: _checked_field_by_field(copy.copy(step)))
        added = _outcome(lambda step=step: ValueStreamMap().add_step(step))
        if expected[0] != "ok":
            assert added == expected
        else:
            assert added[0] == "ok"
            assert repr({name: getattr(step, name) for name in STEP_FIELDS}) == repr(expected[1])


def test_a_refused_value_names_the_step_and_field_exactly():
    map_ = ValueStreamMap()
    cases = [({"pca": 0.0}, "step 'Triage': pca must be more than 0 and at most 100, not 0"),
             ({"pca": "much"}, "step 'Triage': pca must be a number, not 'much'"),
             ({"x": float("inf")}, "step 'Triage': x must be a finite number, not inf"),
             ({"people": -1.0}, "step 'Triage': people cannot be negative"),
             ({"wait_time": "soon"}, "step 'Triage': wait time: not a duration: 'soon' (write "
                                     "e.g. '45', '45m', '1h 30m', '2.5h', '3d', '1w')"),
             ({"wait_time_max": "x"}, "step 'Triage': wait time max: not a duration: 'x' (write "
                                      "e.g. '45', '45m', '1h 30m', '2.5h', '3d', '1w')"),
             ({"wait_time": 60.0, "wait_time_max": 30.0},
              "step 'Triage': wait time maximum 30m is less than the most likely wait time 1h"),
             ({"performer": "robot"}, "step 'Triage': performer must be one of internal, vendor, "
                                      "customer, automated, not 'robot'"),
             ({"origin": 5}, "step 'Triage': origin must be a step id"),
             ({"team": None}, "step 'Triage': team must be text, not None")]
    for values, message in cases:
        with pytest.raises(ModelError) as caught:
            map_.add_step(Step("Triage", **values))
        assert str(caught.value) == message
    assert map_.steps == []
    with pytest.raises(ModelError, match="^steps have no field 'colour'$"):
        clean_step_value("Triage", "colour", 1)


def test_a_clean_step_is_added_as_it_is_apart_from_stripped_names():
    step = Step(" Triage ", team=" Desk ", notes=" as typed ", pca=95.0, x=-3.5, origin="o1")
    ValueStreamMap().add_step(step)
    assert (step.name, step.team, step.notes, step.pca, step.x, step.origin) == (
        "Triage", "Desk", " as typed ", 95.0, -3.5, "o1")


def test_added_steps_and_flows_report_their_index_to_listeners(map_):
    events = []
    map_.subscribe(events.append)
    step = map_.add_step(Step("D", id="D"), index=1)
    flow = map_.add_flow(Flow("A", "D", id="ad"), index=0)
    map_.add_flow(Flow("D", "C", id="dc"))
    assert events == [StepAdded(step, 1), FlowAdded(flow, 0), FlowAdded(map_.flow("dc"), 4)]
    assert [s.id for s in map_.steps] == ["A", "D", "B", "C"]


# ---------------------------------------------------------------- checks before an edit

def test_clean_step_field_previews_without_changing_anything(map_):
    before = copy.deepcopy(map_.snapshot())
    assert map_.clean_step_field("A", "wait_time", "1h 30m") == 90.0
    with pytest.raises(ModelError, match="not a duration"):
        map_.clean_step_field("A", "wait_time", "soon")
    with pytest.raises(ModelError, match="steps have no field 'colour'"):
        map_.clean_step_field("A", "colour", "red")
    # A time range is checked against the step's other fields: a minimum above the 60m wait.
    with pytest.raises(ModelError, match="wait"):
        map_.clean_step_field("A", "wait_time_min", "2h")
    assert map_.snapshot() == before


def test_check_new_refuses_what_adding_would_refuse_and_changes_nothing(map_):
    before = copy.deepcopy(map_.snapshot())
    d = Step("D", id="D", wait_time="2h")
    flow = Flow("C", "D", id="cd", share="50")
    map_.check_new([d], [flow])  # accepted: a new step and a flow to it
    assert (d.wait_time, flow.share) == ("2h", "50")  # the records are left as they were
    with pytest.raises(ModelError, match="already has a step with id 'A'"):
        map_.check_new([Step("A again", id="A")])
    with pytest.raises(ModelError, match="not in the map"):
        map_.check_new([], [Flow("C", "X")])
    with pytest.raises(ModelError, match="there is already such a flow"):
        map_.check_new([d], [Flow("C", "D"), Flow("C", "D")])
    with pytest.raises(ModelError, match="there is already such a flow"):
        map_.check_new([], [Flow("A", "B")])
    with pytest.raises(ModelError, match="cannot flow into itself"):
        map_.check_new([d], [Flow("D", "D")])
    assert map_.snapshot() == before


def test_kaizen_previews_and_unknown_settings(map_):
    from vsm.model import Kaizen

    before = copy.deepcopy(map_.snapshot())
    kaizen = Kaizen(title="  Fewer waits ", step_id="B")
    assert map_.clean_new_kaizen(kaizen)["title"] == "Fewer waits"
    assert kaizen.title == "  Fewer waits "
    with pytest.raises(ModelError, match="step 'X' is not in the map"):
        map_.clean_new_kaizen(Kaizen(step_id="X"))
    map_.add_kaizen(kaizen)
    assert map_.clean_kaizen_field(kaizen.id, "expected_saving_minutes", "2h") == 120.0
    with pytest.raises(ModelError, match="kaizens have no field 'colour'"):
        map_.clean_kaizen_field(kaizen.id, "colour", "red")
    with pytest.raises(ModelError, match="maps have no setting 'colour'"):
        map_.clean_setting("colour", "red")
    map_.remove_kaizen(kaizen.id)
    assert map_.snapshot() == before


@pytest.mark.parametrize("value, label", [
    (70, "70%"), (100, "100%"), (33.333333, "33.3%"),
    (52.941176, "52.9%"),  # a mined share, 9/17: one decimal on the canvas and the slide
    (0.04, "0.04%"), (99.96, "99.96%"),  # one decimal would say 0% or 100%: wrongly
])
def test_a_route_percent_has_one_decimal_unless_that_says_all_or_nothing(value, label):
    from vsm.model import route_percent

    assert route_percent(value) == label
