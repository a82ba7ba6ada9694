"""The property pane and the step table show what the log measured, read only: a step's cases
and visits, a flow's cases; under 30 cases marked low confidence as the canvas marks it; nothing
of it for a map drawn by hand."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from tests.pure.test_measured_display import measured_project
from ui.document.document import Document
from ui.panels.properties import PropertiesPanel
from ui.panels.step_table import COLUMN, StepTablePanel
from vsm.model import Flow, Project, Step, ValueStreamMap


def _shown(qtbot, cls, document: Document):
    widget = cls(document)
    qtbot.addWidget(widget)
    widget.set_map(document.project.maps[0])
    widget.show()
    return widget


def test_the_property_pane_shows_counts_of_steps_and_flows(qtbot):
    document = Document(measured_project())  # Triage: 1,200 cases, 1,300 visits; Fix: 12, 12
    triage, fix = document.project.maps[0].steps
    flow = document.project.maps[0].flows[0]  # Triage -> Fix, 12 cases
    props = _shown(qtbot, PropertiesPanel, document)
    props.set_selection([triage.id], [])
    assert props.step_measured.isVisible()
    assert props.step_measured.text() == "1,200 cases, 1,300 visits"
    props.set_selection([fix.id], [])
    assert props.step_measured.text() == "12 cases, 12 visits — fewer than 30: low confidence"
    assert props.step_measured.textInteractionFlags() & Qt.TextInteractionFlag.TextEditable \
        == Qt.TextInteractionFlag.NoTextInteraction  # a label: nothing to type into
    props.set_selection([], [flow.id])
    assert props.current_page() == "flow" and props.flow_measured.isVisible()
    assert props.flow_measured.text() == ("12 cases took this route — fewer than 30: low "
                                          "confidence")
    document.project.maps[0].set_flow_cases(flow.id, 40)  # the pane follows the model
    assert props.flow_measured.text() == "40 cases took this route"


def test_a_hand_drawn_map_shows_no_measured_row_or_column(qtbot):
    map_ = ValueStreamMap("Current state")
    a = map_.add_step(Step("A"))
    b = map_.add_step(Step("B"))
    flow = map_.add_flow(Flow(a.id, b.id))
    document = Document(Project("Drawn", [map_]))
    props = _shown(qtbot, PropertiesPanel, document)
    props.set_selection([a.id], [])
    assert not props.step_measured.isVisible()
    props.set_selection([], [flow.id])
    assert not props.flow_measured.isVisible()
    table = _shown(qtbot, StepTablePanel, document)
    assert table.view.isColumnHidden(COLUMN["cases"])
    assert table.view.isColumnHidden(COLUMN["visits"])


def test_the_step_table_shows_cases_and_visits_read_only(qtbot):
    document = Document(measured_project())
    table = _shown(qtbot, StepTablePanel, document)
    model = table.model
    assert not table.view.isColumnHidden(COLUMN["cases"])
    cases, visits = (model.index(0, COLUMN["cases"]), model.index(0, COLUMN["visits"]))
    assert (model.data(cases), model.data(visits)) == ("1,200", "1,300")
    low = model.index(1, COLUMN["cases"])
    assert model.data(low) == "12 (low)"  # said in words, and greyed as on the canvas
    assert isinstance(model.data(low, Qt.ItemDataRole.ForegroundRole), QColor)
    assert model.data(cases, Qt.ItemDataRole.ForegroundRole) is None
    assert "fewer than 30: low confidence" in model.data(low, Qt.ItemDataRole.ToolTipRole)
    for index in (cases, visits):
        assert not model.flags(index) & Qt.ItemFlag.ItemIsEditable
        assert not model.setData(index, "5")
    assert document.undo_stack.count() == 0
    assert model.data(model.index(0, COLUMN["saving"])) is not None  # the columns after still
    assert model.data(model.index(0, COLUMN["name"])) == "Triage"
