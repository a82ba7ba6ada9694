"""Everyday durations typed in the editor: the properties pane and the step table read "1 hour",
"90 min", "2 days" and "1,5h" like the files do."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from ui.document.document import Document
from ui.panels.properties import PropertiesPanel
from ui.panels.step_table import COLUMN, StepTablePanel
from vsm.model import Project, Step, ValueStreamMap


@pytest.fixture
def doc() -> Document:
    """The document outlives the panels showing it (a fixture ends after the test's widgets)."""
    map_ = ValueStreamMap("Current state")
    map_.add_step(Step("Approve", id="A", wait_time=30, process_time=30))
    return Document(Project("Workshop", [map_]), autosave=False)


def test_the_properties_pane_reads_words_and_a_decimal_comma(qtbot, doc):
    props = PropertiesPanel(doc)
    qtbot.addWidget(props)
    props.set_map(doc.project.maps[0])
    props.set_selection(["A"], [])
    step = doc.project.maps[0].step("A")
    for field, typed, minutes in (("process_time", "1 hour", 60), ("wait_time", "2 days", 2880),
                                  ("process_time", "1,5h", 90)):
        editor = props.step_fields[field].editor
        editor.selectAll()
        qtbot.keyClicks(editor, typed)
        qtbot.keyClick(editor, Qt.Key.Key_Return)
        assert getattr(step, field) == minutes, typed


def test_the_step_table_reads_words(qtbot, doc):
    table = StepTablePanel(doc)
    qtbot.addWidget(table)
    table.set_map(doc.project.maps[0])
    model = table.model
    assert model.setData(model.index(0, COLUMN["wait_time"]), "90 min")
    assert doc.project.maps[0].step("A").wait_time == 90
