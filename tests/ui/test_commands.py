"""Commands: push, check the model, undo, check it is exactly as before, redo."""

from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ui.document.commands import (AddMapCommand, AddStepsCommand, MoveStepsCommand, RemoveCommand,
                         RemoveMapCommand, SetFlowFieldCommand, SetMapFieldCommand,
                         SetStepFieldCommand)
from ui.document.document import Document
from vsm.model.duplicate import duplicate_map
from vsm.model import Flow, ModelError, Project, Step, ValueStreamMap


def make_document() -> Document:
    map_ = ValueStreamMap("Current state")
    for name, wait in (("A", 30), ("B", 60), ("C", 0)):
        map_.add_step(Step(name, id=name, wait_time=wait, process_time=10, x=len(map_.steps) * 200))
    map_.add_flow(Flow("A", "B", id="ab"))
    map_.add_flow(Flow("B", "C", id="bc"))
    map_.add_flow(Flow("C", "A", kind="rework", probability=20, id="ca"))
    return Document(Project("Test", [map_], id="p"))


def state(document: Document):
    return copy.deepcopy(([m.snapshot() for m in document.project.maps], document.project.name))


def round_trip(document: Document, command, check) -> None:
    document.undo_stack.setClean()
    before = state(document)
    document.push(command)
    check()
    after = state(document)
    assert document.modified
    document.undo_stack.undo()
    assert state(document) == before
    assert not document.modified
    document.undo_stack.redo()
    assert state(document) == after


def test_set_step_field(qapp):
    doc = make_document()
    map_ = doc.project.maps[0]
    round_trip(doc, SetStepFieldCommand(map_, "B", "wait_time", "2h"),
               lambda: map_.step("B").wait_time == 120 or pytest.fail("not set"))


def test_invalid_value_is_refused_before_anything_is_pushed(qapp):
    doc = make_document()
    with pytest.raises(ModelError, match="not a duration"):
        SetStepFieldCommand(doc.project.maps[0], "B", "wait_time", "soon")
    assert doc.undo_stack.count() == 0


def test_remove_step_with_its_flows_restores_ids_and_order(qapp):
    doc = make_document()
    map_ = doc.project.maps[0]

    def check():
        assert [s.id for s in map_.steps] == ["A", "C"]
        assert map_.flows == []

    round_trip(doc, RemoveCommand(map_, ["B"], ["ca"]), check)


def test_add_steps_with_flows_is_one_undo(qapp):
    doc = make_document()
    map_ = doc.project.maps[0]
    new = Step("D", id="D")
    round_trip(doc, AddStepsCommand(map_, [new], [Flow("C", "D", id="cd")]),
               lambda: (map_.step("D"), map_.flow("cd")))
    assert doc.undo_stack.count() == 1


def test_move_several_steps_is_one_command(qapp):
    doc = make_document()
    map_ = doc.project.maps[0]
    round_trip(doc, MoveStepsCommand(map_, {"A": (5, 6), "C": (7, 8)}),
               lambda: (map_.step("A").x, map_.step("C").y) == (5, 8) or pytest.fail())


def test_flow_kind_change_and_back(qapp):
    doc = make_document()
    map_ = doc.project.maps[0]

    def check():
        flow = map_.flow("ca")
        assert (flow.kind, flow.probability) == ("normal", None)

    # C -> A as an ordinary flow makes a loop; the model allows it, the analysis reports it.
    round_trip(doc, SetFlowFieldCommand(map_, "ca", "kind", "normal"), check)
    with pytest.raises(ModelError):
        SetFlowFieldCommand(map_, "ca", "probability", 150)


def test_map_commands(qapp):
    doc = make_document()
    current = doc.project.maps[0]
    future = duplicate_map(current, "Target", kind="future", keep_origin=True)
    assert [s.origin for s in future.steps] == ["A", "B", "C"]
    round_trip(doc, AddMapCommand(doc.project, future), lambda: len(doc.project.maps) == 2)
    round_trip(doc, RemoveMapCommand(doc.project, current.id),
               lambda: doc.project.maps == [future] or pytest.fail())
    round_trip(doc, SetMapFieldCommand(future, "name", "Quick wins"),
               lambda: future.name == "Quick wins" or pytest.fail())


def test_undo_tells_which_map_it_touched(qapp):
    doc = make_document()
    map_ = doc.project.maps[0]
    other = ValueStreamMap("Other")
    other.add_step(Step("X", id="X"))
    doc.push(AddMapCommand(doc.project, other))
    touched = []
    doc.map_touched.connect(touched.append)
    doc.push(SetStepFieldCommand(map_, "A", "name", "Alpha"))
    doc.push(SetStepFieldCommand(other, "X", "name", "Ex"))
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    doc.undo_stack.redo()
    assert touched == [map_.id, other.id, other.id, map_.id, map_.id]


def test_analysis_follows_edits_once_per_event_loop_turn(qapp, qtbot):
    doc = make_document()
    map_ = doc.project.maps[0]
    # Lead time: T(C) = 10 + 0.2 T(A); T(B) = 70 + T(C); T(A) = 40 + T(B) = 120 + 0.2 T(A) -> 150.
    assert doc.analysis(map_.id).lead_time == pytest.approx(150)
    seen = []
    doc.analysis_changed.connect(seen.append)
    doc.push(SetStepFieldCommand(map_, "B", "wait_time", 0))
    doc.push(SetStepFieldCommand(map_, "A", "wait_time", 0))
    qtbot.waitUntil(lambda: seen == [map_.id])
    # Without waits: T(A) = 30 + 0.2 T(A) -> 37.5.
    assert doc.analysis(map_.id).lead_time == pytest.approx(37.5)


EDITS = st.lists(st.tuples(
    st.sampled_from(["wait", "pca", "add", "remove", "move", "undo", "redo"]),
    st.sampled_from(["A", "B", "C"]), st.integers(1, 99)), max_size=25)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(EDITS)
def test_random_edit_sequences_undo_back_to_the_start(qapp, edits):
    doc = make_document()
    map_ = doc.project.maps[0]
    initial = state(doc)
    for action, step_id, number in edits:
        if action == "undo":
            doc.undo_stack.undo()
        elif action == "redo":
            doc.undo_stack.redo()
        elif not map_.has_step(step_id) and action != "add":
            continue
        elif action == "wait":
            doc.push(SetStepFieldCommand(map_, step_id, "wait_time", number))
        elif action == "pca":
            doc.push(SetStepFieldCommand(map_, step_id, "pca", number))
        elif action == "add":
            doc.push(AddStepsCommand(map_, [Step(f"N{number}")]))
        elif action == "remove":
            doc.push(RemoveCommand(map_, [step_id]))
        elif action == "move":
            doc.push(MoveStepsCommand(map_, {step_id: (number, -number)}))
    while doc.undo_stack.canUndo():
        doc.undo_stack.undo()
    assert state(doc) == initial
    assert not doc.modified
