"""The undo stack holds only edits that changed something.

A value the model refuses, typed in the step table (a process time below the step's minimum, a
wait above its maximum…) or given to any verb (set_step_field, set_flow_field,
set_kaizen_field, set_map_field), is refused before anything is pushed: no undo entry, the
document not modified, the reason shown (the table's message line and the cell's tooltip), no
traceback (pytest-qt fails a test on an exception raised inside a Qt call). A value equal to
the current one pushes nothing either.
"""

from __future__ import annotations

import copy
import random

import pytest
from PySide6.QtCore import Qt

from ui.document.document import Document
from ui.panels.step_table import COLUMN, COLUMNS, StepTablePanel
from vsm.model import Flow, Kaizen, ModelError, Project, Step, ValueStreamMap


@pytest.fixture
def doc(qtbot) -> Document:
    map_ = ValueStreamMap("Current state")
    map_.add_step(Step("Triage", id="T", wait_time=30, process_time=20, process_time_min=10,
                       process_time_max=40, wait_time_min=5, wait_time_max=60))
    map_.add_step(Step("Fix", id="F", wait_time=60, process_time=20))
    map_.add_step(Step("Close", id="C", wait_time=5, process_time=5))
    map_.add_flow(Flow("T", "F", id="tf"))
    map_.add_flow(Flow("F", "C", id="fc"))
    map_.add_flow(Flow("C", "T", "rework", probability=10, id="ct"))
    map_.add_kaizen(Kaizen("Automate triage", step_id="T", id="k"))
    document = Document(Project("Noop", [map_]))
    document.undo_stack.setClean()
    return document


@pytest.fixture
def table(qtbot, doc) -> StepTablePanel:
    widget = StepTablePanel(doc)
    qtbot.addWidget(widget)
    widget.set_map(doc.project.maps[0])
    return widget


def state(doc: Document) -> object:
    return copy.deepcopy(doc.project.maps[0].snapshot())


@pytest.mark.parametrize("column, text, words", [
    ("process_time", "5m", "process time minimum 10m is more than the most likely process time 5m"),
    ("process_time", "1h", "process time maximum 40m is less than the most likely process time 1h"),
    ("wait_time", "2m", "wait time minimum 5m is more than the most likely wait time 2m"),
    ("wait_time", "2h", "wait time maximum 1h is less than the most likely wait time 2h"),
])
def test_a_time_outside_its_range_typed_in_the_table_is_refused(qtbot, doc, table, column, text,
                                                                words):
    before = state(doc)
    model = table.model
    index = model.index(0, COLUMN[column])
    assert not model.setData(index, text)
    assert doc.undo_stack.count() == 0 and not doc.modified and state(doc) == before
    assert words in table.message.message()
    assert words in model.data(index, Qt.ItemDataRole.ToolTipRole)
    assert model.data(index) == ("20m" if column == "process_time" else "30m")  # unchanged


def test_the_same_refusal_through_the_cell_editor_reopens_it(qtbot, doc, table):
    table.show()
    qtbot.waitExposed(table)
    view = table.view
    view.setFocus()
    view.setCurrentIndex(table.model.index(0, COLUMN["process_time"]))
    qtbot.keyClick(view, Qt.Key.Key_F2)
    editor = view.indexWidget(view.currentIndex())
    editor.selectAll()
    qtbot.keyClicks(editor, "5m")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.indexWidget(view.currentIndex()) not in (None, editor),
                    timeout=1000)
    assert view.indexWidget(view.currentIndex()).text() == "5m"
    assert "minimum 10m" in table.message.message()
    assert doc.undo_stack.count() == 0 and not doc.modified


def test_a_value_equal_to_the_current_one_pushes_nothing(qtbot, doc, table):
    model = table.model
    for column, text in (("process_time", "20m"), ("process_time", "20"), ("wait_time", "30m"),
                         ("name", "Triage"), ("pca", "100"), ("people", "1")):
        assert model.setData(model.index(0, COLUMN[column]), text), column
    assert doc.undo_stack.count() == 0 and not doc.modified


def test_random_table_edits_push_only_real_changes(qtbot, doc, table):
    """Random typing in every editable cell: an entry on the undo stack if and only if the map
    changed; the document modified only then; undoing everything restores the map exactly."""
    rng = random.Random(7)
    texts = ["5", "5m", "9m", "10", "15m", "20", "20m", "40", "41", "1h", "0", "-1", "", "soon",
             "2d", "9.999", "10.0001", "50", "100", "101", "0.5", "Fix", "Service desk",
             "internal", "vendor", "deliver_support"]
    model = table.model
    editable = [c for c, column in enumerate(COLUMNS) if column.editable]
    initial = state(doc)
    for _ in range(600):
        index = model.index(rng.randrange(model.rowCount()), rng.choice(editable))
        before, entries = state(doc), doc.undo_stack.index()
        accepted = model.setData(index, rng.choice(texts))
        changed = state(doc) != before
        assert (doc.undo_stack.index() == entries + 1) == changed
        assert changed <= accepted
        assert not accepted == bool(model.last_error)
    assert doc.modified == (state(doc) != initial)
    while doc.undo_stack.canUndo():
        doc.undo_stack.undo()
    assert state(doc) == initial and not doc.modified


REFUSED = [
    ("set_step_field", ("T", "process_time", 5)),
    ("set_step_field", ("T", "process_time_min", 30)),
    ("set_step_field", ("T", "wait_time_max", 1)),
    ("set_step_field", ("T", "pca", 0)),
    ("set_step_field", ("T", "name", 5)),
    ("set_flow_field", ("tf", "share", 150)),
    ("set_flow_field", ("ct", "probability", 101)),
    ("set_flow_field", ("tf", "kind", "sideways")),
    ("set_kaizen_field", ("k", "step_id", "nowhere")),
    ("set_kaizen_field", ("k", "expected_saving_minutes", -5)),
    ("set_map_field", ("demand", 0)),
    ("set_map_field", ("kind", "past")),
    ("set_map_field", ("name", None)),
]


@pytest.mark.parametrize("verb, args", REFUSED, ids=[f"{v}:{a[-2]}" for v, a in REFUSED])
def test_every_verb_refuses_before_pushing(doc, verb, args):
    before = state(doc)
    with pytest.raises(ModelError):
        getattr(doc, verb)(doc.project.maps[0].id, *args)
    assert doc.undo_stack.count() == 0 and not doc.modified and state(doc) == before


UNCHANGED = [
    ("set_step_field", ("T", "process_time", "20m")),
    ("set_step_field", ("T", "process_time_min", 10)),
    ("set_flow_field", ("ct", "probability", 10)),
    ("set_flow_field", ("tf", "kind", "normal")),
    ("set_kaizen_field", ("k", "step_id", "T")),
    ("set_map_field", ("kind", "current")),
]


@pytest.mark.parametrize("verb, args", UNCHANGED, ids=[f"{v}:{a[-2]}" for v, a in UNCHANGED])
def test_every_verb_pushes_nothing_for_an_unchanged_value(doc, verb, args):
    assert getattr(doc, verb)(doc.project.maps[0].id, *args) is False
    assert doc.undo_stack.count() == 0 and not doc.modified
