"""A rule-based state machine over random edits, undo, redo, save and autosave of one Document.

Invariants: undoing everything returns the initial model and redoing everything the latest one;
a saved file reopens equal to the model; an unmodified document equals what was last saved; the
working copy, when written, reopens equal to the model, and exists only while there are unsaved
changes.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from ui.document.document import Document
from vsm.files.formats import load_project
from vsm.model import Flow, Project, Step, ValueStreamMap

names = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1,
                max_size=12).filter(str.strip)
minutes = st.floats(0, 10_000, allow_nan=False).map(lambda v: round(v, 3))


def state(project: Project) -> tuple:
    return copy.deepcopy((project.id, project.name, [m.snapshot() for m in project.maps]))


class DocumentMachine(RuleBasedStateMachine):
    """Drives a Document like the editor does: commands on its undo stack, Save, the autosaver."""

    folder: Path

    @initialize(steps=st.integers(1, 4))
    def start(self, steps: int) -> None:
        map_ = ValueStreamMap("Current state")
        for index in range(steps):
            map_.add_step(Step(f"Step {index}", wait_time=index * 10, x=index * 100.0))
        for source, target in zip(map_.steps, map_.steps[1:]):
            map_.add_flow(Flow(source.id, target.id))
        self.document = Document(Project("Machine", [map_]))
        self.initial = state(self.document.project)
        self.saved_state = self.initial
        self.saves = 0

    @property
    def map(self) -> ValueStreamMap:
        return self.document.project.maps[0]

    def teardown(self) -> None:
        document = getattr(self, "document", None)
        if document is not None:
            document.close()
            document.deleteLater()

    # ------------------------------------------------------------ edits

    @precondition(lambda self: self.map.steps)
    @rule(data=st.data(), field=st.sampled_from(["name", "wait_time", "process_time", "pca"]))
    def set_field(self, data: st.DataObject, field: str) -> None:
        step = data.draw(st.sampled_from(self.map.steps))
        percent = st.floats(0.01, 100).map(lambda v: round(v, 2) or 0.01)  # %C&A is above 0
        value = {"name": names, "pca": percent}.get(field, minutes)
        self.document.set_step_field(self.map.id, step.id, field, data.draw(value))

    @rule(name=names, connect=st.booleans())
    def add_step(self, name: str, connect: bool) -> None:
        step = Step(name, x=len(self.map.steps) * 100.0)
        flows = [Flow(self.map.steps[-1].id, step.id)] if connect and self.map.steps else []
        self.document.add_steps(self.map.id, [step], flows)

    @precondition(lambda self: self.map.steps)
    @rule(data=st.data())
    def remove_step(self, data: st.DataObject) -> None:
        step = data.draw(st.sampled_from(self.map.steps))
        self.document.remove(self.map.id, [step.id])

    @precondition(lambda self: self.map.steps)
    @rule(dx=st.integers(-50, 50), dy=st.integers(-50, 50))
    def move_all(self, dx: int, dy: int) -> None:
        self.document.move(self.map.id, {s.id: (s.x + dx, s.y + dy) for s in self.map.steps})

    @rule(name=names)
    def rename_map(self, name: str) -> None:
        self.document.set_map_field(self.map.id, "name", name)

    @precondition(lambda self: self.document.undo_stack.canUndo())
    @rule()
    def undo(self) -> None:
        self.document.undo_stack.undo()

    @precondition(lambda self: self.document.undo_stack.canRedo())
    @rule()
    def redo(self) -> None:
        self.document.undo_stack.redo()

    # ------------------------------------------------------------ files

    @rule(suffix=st.sampled_from([".vsm", ".json"]))
    def save(self, suffix: str) -> None:
        self.saves += 1
        path = self.folder / f"save-{self.saves}{suffix}"
        self.document.save(path)
        assert load_project(path) == self.document.project
        if suffix == ".vsm" or self.document.path == path:
            assert not self.document.modified
            self.saved_state = state(self.document.project)

    @rule()
    def autosave(self) -> None:
        autosaver = self.document.autosaver
        autosaver.write_now()
        working_copy = autosaver.copy
        if self.document.modified:
            assert working_copy.load() == self.document.project
            assert working_copy.original == self.document.path
        else:
            assert not working_copy.exists

    @rule()
    def undo_all_then_redo_all(self) -> None:
        stack = self.document.undo_stack
        latest, index = state(self.document.project), stack.index()
        stack.setIndex(0)
        assert state(self.document.project) == self.initial
        stack.setIndex(index)
        assert state(self.document.project) == latest

    # ------------------------------------------------------------ invariants

    @invariant()
    def unmodified_means_as_saved(self) -> None:
        if hasattr(self, "document") and not self.document.modified:
            assert state(self.document.project) == self.saved_state


def test_random_edit_undo_redo_save_sequences(qapp, tmp_path):
    counter = iter(range(10_000))

    def machine() -> DocumentMachine:
        instance = DocumentMachine()
        instance.folder = tmp_path / f"run{next(counter)}"
        instance.folder.mkdir()
        return instance

    run_state_machine_as_test(machine, settings=settings(
        max_examples=50, stateful_step_count=25, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))


@pytest.mark.parametrize("suffix", [".vsm", ".json"])
def test_save_as_json_exports_without_becoming_the_file(qapp, tmp_path, suffix):
    document = Document(Project("P", [ValueStreamMap("M")]))
    document.save(tmp_path / "doc.vsm")
    document.set_map_field(document.project.maps[0].id, "name", "N")
    document.save(tmp_path / f"export{suffix}")
    assert document.modified is (suffix == ".json")
    document.close()


def test_a_clean_close_drops_the_undo_history_and_a_live_document_is_known(qtbot):
    # Its commands are deleted at the close, while what they hold is intact, never later by the
    # garbage collector in no safe order (a segfault: ~QUndoStack <- the collector).
    map_ = ValueStreamMap("M")
    map_.add_step(Step("A", id="A"))
    document = Document(Project("P", [map_]), autosave=False)
    assert document in Document.alive()
    document.set_step_field(map_.id, "A", "wait_time", 30)
    assert document.undo_stack.count() == 1
    document.close()
    assert document.undo_stack.count() == 0
    assert map_.step("A").wait_time == 30  # the edit stays; only its history goes
