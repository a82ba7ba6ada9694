"""The property pane edits what stakeholders ask (issue 18): the map's target lead time,
experience score, currency and team rates; a step's target time, hourly rate, ITIL 4 practices and
information. Each edit is one command (undo restores the model exactly: round_trip); a refused
value shows under its field and pushes nothing."""

from __future__ import annotations

import pytest

from tests.helpers.qt import round_trip
from ui.document.document import Document
from ui.panels.properties import PropertiesPanel
from vsm.model import Experience, Flow, Project, Step, ValueStreamMap


@pytest.fixture
def doc(qtbot) -> Document:
    map_ = ValueStreamMap("Current state")
    map_.add_step(Step("Log", id="A", wait_time=30, process_time=10, team="Service desk"))
    map_.add_step(Step("Fix", id="B", wait_time=60, process_time=20, team="Ops"))
    map_.add_flow(Flow("A", "B", id="ab"))
    return Document(Project("Test", [map_]))


def pane(qtbot, doc: Document) -> PropertiesPanel:
    props = PropertiesPanel(doc)
    qtbot.addWidget(props)
    props.set_map(doc.project.maps[0])
    return props


def type_and_finish(editor, text: str) -> None:
    editor.setText(text)
    editor.setModified(True)
    editor.editingFinished.emit()


def test_map_target_lead_time_typed_as_a_duration(qtbot, doc):
    props = pane(qtbot, doc)
    map_ = doc.project.maps[0]
    target = props.map_fields["target_lead_time"]
    assert target.editor.text() == ""  # no target yet
    round_trip(doc, lambda: type_and_finish(target.editor, "2d 4h"),
               lambda: map_.target_lead_time == 2 * 1440 + 4 * 60)  # 3120 minutes
    assert target.editor.text() == "2d 4h"
    type_and_finish(target.editor, "-3h")
    assert target.error.message().startswith("Not accepted:")
    assert map_.target_lead_time == 3120 and doc.undo_stack.count() == 1
    type_and_finish(target.editor, "2d 4h")  # the text as shown: nothing pushed
    assert doc.undo_stack.count() == 1 and not target.error.message()
    type_and_finish(target.editor, "")  # blank: no target
    assert map_.target_lead_time is None and doc.undo_stack.count() == 2


def test_team_rates_table_lists_the_map_teams(qtbot, doc):
    props = pane(qtbot, doc)
    map_ = doc.project.maps[0]
    rates = props.map_fields["team_rates"]
    assert rates.rows() == [("Ops", ""), ("Service desk", "")]
    round_trip(doc, lambda: rates.set_rate("Ops", "95.5"),
               lambda: map_.team_rates == {"Ops": 95.5})
    rates.set_rate("Service desk", "-4")
    assert "cannot be negative" in rates.error.message()
    assert map_.team_rates == {"Ops": 95.5}
    assert doc.undo_stack.count() == 1
    # a new team on a step shows up in the table
    doc.set_step_field(map_.id, "B", "team", "Network")
    assert [team for team, _ in rates.rows()] == ["Network", "Ops", "Service desk"]
    doc.set_map_field(map_.id, "currency", "CHF")
    assert rates.table.horizontalHeaderItem(1).text() == "Rate (CHF / h)"


def test_experience_score(qtbot, doc):
    props = pane(qtbot, doc)
    map_ = doc.project.maps[0]
    field = props.map_fields["experience"]
    assert field.scale.currentData() == "none" and not field.score.isEnabled()

    def set_csat() -> None:
        field.scale.setCurrentIndex(field.scale.findData("csat"))
        field.scale.activated.emit(field.scale.currentIndex())  # waits for the score
        assert map_.experience is None
        type_and_finish(field.score, "78")

    round_trip(doc, set_csat, lambda: map_.experience == Experience("csat", 78.0))
    round_trip(doc, lambda: type_and_finish(field.responses, "412"),
               lambda: map_.experience == Experience("csat", 78.0, 412))
    type_and_finish(field.score, "140")
    assert "from 0 to 100" in field.error.message()
    assert map_.experience == Experience("csat", 78.0, 412)
    field.scale.setCurrentIndex(field.scale.findData("none"))
    field.scale.activated.emit(field.scale.currentIndex())
    assert map_.experience is None


def test_step_target_rate_information(qtbot, doc):
    props = pane(qtbot, doc)
    props.set_selection(["B"], [])
    map_ = doc.project.maps[0]
    fields = props.step_fields
    round_trip(doc, lambda: type_and_finish(fields["target_time"].editor, "1h 30m"),
               lambda: map_.step("B").target_time == 90)
    round_trip(doc, lambda: type_and_finish(fields["hourly_rate"].editor, "62.5"),
               lambda: map_.step("B").hourly_rate == 62.5)
    type_and_finish(fields["hourly_rate"].editor, "lots")
    assert fields["hourly_rate"].error.message().startswith("Not accepted:")
    info = fields["information"].editor

    def type_information() -> None:
        info.setPlainText("ServiceNow, CMDB")
        info.document().setModified(True)
        fields["information"].commit()

    round_trip(doc, type_information, lambda: map_.step("B").information == "ServiceNow, CMDB")


def test_practices_checklist_grouped_and_searchable(qtbot, doc):
    props = pane(qtbot, doc)
    props.set_selection(["A"], [])
    map_ = doc.project.maps[0]
    practices = props.step_fields["practices"]
    groups = [practices.tree.topLevelItem(i) for i in range(practices.tree.topLevelItemCount())]
    assert [g.text(0) for g in groups] == ["General management practices",
                                           "Service management practices",
                                           "Technical management practices"]
    assert sum(g.childCount() for g in groups) == 34
    round_trip(doc, lambda: practices.tick("service_desk"),
               lambda: map_.step("A").practices == ("service_desk",))
    practices.tick("incident_management")  # ticked after: listed after
    assert map_.step("A").practices == ("service_desk", "incident_management")
    assert practices.summary.text() == "2 chosen: Service desk, Incident management"
    practices.filter("change")
    visible = [practices.items[c].text(0) for c in practices.items
               if not practices.items[c].isHidden()]
    assert visible == ["Organizational change management", "Change enablement"]
    assert groups[2].isHidden()  # no technical practice matches
    doc.undo_stack.undo()  # the pane follows undo
    assert practices.value() == ("service_desk",)
