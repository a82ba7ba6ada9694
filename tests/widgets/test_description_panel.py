"""The Description dock (View > Panels > Description) edits the map's ITIL 4 description: trigger,
outcome, value, stakeholders. Each text is one command when the user leaves it (round_trip);
the practices the steps name are listed with their step counts."""

from __future__ import annotations

import pytest

from tests.helpers.qt import round_trip
from ui.document.document import Document
from ui.panels.description import DescriptionPanel, practices_line
from vsm.model import Experience, Project, Step, ValueStreamDescription, ValueStreamMap
from vsm.model.limits import MAX_TEXT_LENGTH


@pytest.fixture
def doc(qtbot) -> Document:
    map_ = ValueStreamMap("Current state")
    map_.add_step(Step("Log", id="A", practices=("service_desk", "incident_management")))
    map_.add_step(Step("Fix", id="B", practices=("incident_management",)))
    return Document(Project("Test", [map_]))


def type_text(field, text: str) -> None:
    field.editor.setPlainText(text)
    field.editor.document().setModified(True)
    field.commit()  # what leaving the field does


def test_description_texts_are_one_command_each(qtbot, doc):
    map_ = doc.project.maps[0]
    panel = DescriptionPanel(doc)
    qtbot.addWidget(panel)
    panel.set_map(map_)
    round_trip(doc, lambda: type_text(panel.fields["trigger"], "A user reports an outage"),
               lambda: map_.itil == ValueStreamDescription(trigger="A user reports an outage"))
    round_trip(doc, lambda: type_text(panel.fields["stakeholders"], "Users; network vendor"),
               lambda: map_.itil.stakeholders == "Users; network vendor"
               and map_.itil.trigger == "A user reports an outage")
    doc.undo_stack.undo()  # the panel follows undo
    assert panel.fields["stakeholders"].editor.toPlainText() == ""
    type_text(panel.fields["outcome"], "x" * (MAX_TEXT_LENGTH + 1))  # too long: refused, said so
    assert panel.fields["outcome"].error.message().startswith("Not accepted:")
    assert map_.itil.outcome == ""


def test_practices_of_the_steps_listed_most_steps_first(qtbot, doc):
    map_ = doc.project.maps[0]
    panel = DescriptionPanel(doc)
    qtbot.addWidget(panel)
    panel.set_map(map_)
    # incident management: Log and Fix (2 steps); service desk: Log (1 step)
    assert practices_line(map_) == "Incident management (2 steps), Service desk (1 step)"
    assert panel.practices_text().endswith(practices_line(map_))
    doc.set_step_field(map_.id, "B", "practices", ())
    assert panel.practices_text().endswith("Incident management (1 step), Service desk (1 step)")


def test_description_dock_in_the_window(make_window):
    window = make_window()
    dock = window.description_dock
    assert dock.toggleViewAction() in window.menu_actions.docks_menu.actions()
    assert window.description.map is window.current_map()
    assert dock in window.tabifiedDockWidgets(window.properties_dock)


def test_a_tall_metrics_pane_scrolls_instead_of_hiding_the_properties(make_window, qtbot):
    # The metrics with a target, experience, who holds the work and cost are taller than a
    # laptop's side column: the pane scrolls and the properties keep half of the column.
    from PySide6.QtWidgets import QScrollArea

    from tests.widgets.test_stakeholder_metrics import line_map

    map_ = line_map()
    map_.set_field("target_lead_time", "3h")
    map_.set_field("experience", Experience("csat", 71, 412))
    window = make_window(Document(Project("Tall", [map_]), autosave=False))
    window.resize(1366, 700)
    window.reset_layout()
    qtbot.wait(50)
    metrics, properties = window.metrics_dock.height(), window.properties_dock.height()
    assert properties >= 0.4 * (metrics + properties), (metrics, properties)
    assert isinstance(window.metrics_dock.widget(), QScrollArea)
    assert window.metrics_dock.widget().widget() is window.metrics


def test_a_batch_counts_the_practices_once(qtbot, doc, monkeypatch):
    # Deleting many steps and undoing it are batches of per-step events: the practices line
    # walked the whole map once per step (1.2 s of the undo of a 5,000-step delete). Now once.
    import ui.panels.description as description

    map_ = doc.project.maps[0]
    for index in range(20):
        map_.add_step(Step(f"Step {index}", id=f"S{index}", practices=("change_enablement",)))
    panel = DescriptionPanel(doc)
    qtbot.addWidget(panel)
    panel.set_map(map_)
    counted = []
    real_line = description.practices_line
    monkeypatch.setattr(description, "practices_line",
                        lambda m: counted.append(1) or real_line(m))
    doc.remove(map_.id, [f"S{index}" for index in range(20)])
    assert len(counted) == 1
    assert panel.practices_text().endswith("Incident management (2 steps), Service desk (1 step)")
    doc.undo_stack.undo()
    assert len(counted) == 2
    # change enablement: the 20 steps back
    assert "Change enablement (20 steps)" in panel.practices_text()
