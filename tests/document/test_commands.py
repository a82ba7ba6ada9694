"""Edits through the document's verbs: one command each, checked, undone exactly, redone.

Each round trip (tests/helpers/qt.py) asserts what the edit did, that undo restores the model
exactly and that redo does the edit again.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers.maps import loop_map
from tests.helpers.qt import model_state, round_trip
from ui.document.document import Document
from vsm.model import Flow, ModelError, Project, Step, ValueStreamMap
from vsm.model.duplicate import duplicate_map


def loop_document() -> Document:
    return Document(Project("Test", [loop_map()], id="p"))


def test_set_step_field(qapp):
    doc = loop_document()
    map_ = doc.project.maps[0]
    round_trip(doc, lambda: doc.set_step_field(map_.id, "B", "wait_time", "2h"),
               lambda: map_.step("B").wait_time == 120)


def test_invalid_value_is_refused_before_anything_is_pushed(qapp):
    doc = loop_document()
    map_ = doc.project.maps[0]
    with pytest.raises(ModelError, match="not a duration"):
        doc.set_step_field(map_.id, "B", "wait_time", "soon")
    assert doc.undo_stack.count() == 0


def test_an_edit_that_changes_nothing_pushes_nothing(qapp):
    doc = loop_document()
    map_ = doc.project.maps[0]
    assert doc.set_step_field(map_.id, "B", "wait_time", "1h") is False  # it is 60 already
    assert doc.move(map_.id, {"A": (0.0, 0.0)}) is False
    assert doc.remove(map_.id, ["no such step"]) is False
    assert doc.set_map_field(map_.id, "name", "Current state") is False
    assert doc.undo_stack.count() == 0 and not doc.modified


def test_remove_step_with_its_flows_restores_ids_and_order(qapp):
    doc = loop_document()
    map_ = doc.project.maps[0]

    round_trip(doc, lambda: doc.remove(map_.id, ["B"], ["ca"]),
               lambda: [s.id for s in map_.steps] == ["A", "C"] and map_.flows == [])


def test_add_steps_with_flows_is_one_undo(qapp):
    doc = loop_document()
    map_ = doc.project.maps[0]
    new = Step("D", id="D")
    round_trip(doc, lambda: doc.add_steps(map_.id, [new], [Flow("C", "D", id="cd")]),
               lambda: map_.step("D") is new and map_.flow("cd").source == "C")
    assert doc.undo_stack.count() == 1


def test_move_several_steps_is_one_command(qapp):
    doc = loop_document()
    map_ = doc.project.maps[0]
    round_trip(doc, lambda: doc.move(map_.id, {"A": (5, 6), "C": (7, 8)}),
               lambda: [(s.x, s.y) for s in map_.steps] == [(5, 6), (200, 0), (7, 8)])


def test_flow_kind_change_and_back(qapp):
    doc = loop_document()
    map_ = doc.project.maps[0]

    # C -> A as an ordinary flow makes a loop; the model allows it, the analysis reports it.
    round_trip(doc, lambda: doc.set_flow_field(map_.id, "ca", "kind", "normal"),
               lambda: (map_.flow("ca").kind, map_.flow("ca").probability) == ("normal", None))
    with pytest.raises(ModelError):
        doc.set_flow_field(map_.id, "ca", "probability", 150)


def test_map_commands(qapp):
    doc = loop_document()
    current = doc.project.maps[0]
    future = duplicate_map(current, "Target", kind="future", keep_origin=True)
    assert [s.origin for s in future.steps] == ["A", "B", "C"]
    round_trip(doc, lambda: doc.add_map(future), lambda: doc.project.maps == [current, future])
    round_trip(doc, lambda: doc.remove_map(current.id), lambda: doc.project.maps == [future])
    round_trip(doc, lambda: doc.set_map_field(future.id, "name", "Quick wins"),
               lambda: future.name == "Quick wins")


def test_undo_tells_which_map_it_touched(qapp):
    doc = loop_document()
    map_ = doc.project.maps[0]
    other = ValueStreamMap("Other")
    other.add_step(Step("X", id="X"))
    doc.add_map(other)
    touched = []
    doc.map_touched.connect(touched.append)
    doc.set_step_field(map_.id, "A", "name", "Alpha")
    doc.set_step_field(other.id, "X", "name", "Ex")
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    doc.undo_stack.redo()
    assert touched == [map_.id, other.id, other.id, map_.id, map_.id]


def test_analysis_follows_edits_once_per_event_loop_turn(qapp, qtbot):
    doc = loop_document()
    map_ = doc.project.maps[0]
    # Lead time: T(C) = 10 + 0.2 T(A); T(B) = 70 + T(C); T(A) = 40 + T(B) = 120 + 0.2 T(A) -> 150.
    assert doc.analysis(map_.id).lead_time == pytest.approx(150)
    seen = []
    doc.analysis_changed.connect(seen.append)
    doc.set_step_field(map_.id, "B", "wait_time", 0)
    doc.set_step_field(map_.id, "A", "wait_time", 0)
    qtbot.waitUntil(lambda: seen == [map_.id])
    # Without waits: T(A) = 30 + 0.2 T(A) -> 37.5.
    assert doc.analysis(map_.id).lead_time == pytest.approx(37.5)


EDITS = st.lists(st.tuples(
    st.sampled_from(["wait", "pca", "add", "remove", "move", "undo", "redo"]),
    st.sampled_from(["A", "B", "C"]), st.integers(1, 99)), max_size=25)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(EDITS)
def test_random_edit_sequences_undo_back_to_the_start(qapp, edits):
    doc = loop_document()
    map_ = doc.project.maps[0]
    initial = model_state(doc)
    for action, step_id, number in edits:
        if action == "undo":
            doc.undo_stack.undo()
        elif action == "redo":
            doc.undo_stack.redo()
        elif not map_.has_step(step_id) and action != "add":
            continue
        elif action == "wait":
            doc.set_step_field(map_.id, step_id, "wait_time", number)
        elif action == "pca":
            doc.set_step_field(map_.id, step_id, "pca", number)
        elif action == "add":
            doc.add_steps(map_.id, [Step(f"N{number}")])
        elif action == "remove":
            doc.remove(map_.id, [step_id])
        elif action == "move":
            doc.move(map_.id, {step_id: (number, -number)})
    while doc.undo_stack.canUndo():
        doc.undo_stack.undo()
    assert model_state(doc) == initial
    assert not doc.modified


def test_add_step_places_it_and_follows_the_step_it_comes_after(qapp):
    doc = loop_document()
    map_ = doc.project.maps[0]
    map_.set_step_field("B", "team", "Hosting")
    step = doc.add_step(map_.id, 640.0, 20.0, after="B", name="Verify", wait_time="1h")
    # One command: the step at (640, 20) with B's activity, team and performer, and B -> it.
    assert (step.x, step.y, step.name, step.wait_time, step.team) == (640.0, 20.0, "Verify",
                                                                       60.0, "Hosting")
    assert [(f.source, f.target) for f in map_.flows][-1] == ("B", step.id)
    assert doc.undo_stack.count() == 1 and doc.undo_stack.undoText() == "Append step"
    with pytest.raises(ModelError, match="steps have no field 'colour'"):
        doc.add_step(map_.id, 0, 0, colour="red")
    with pytest.raises(ModelError, match="already has a map"):
        doc.add_map(map_)
    assert doc.undo_stack.count() == 1
