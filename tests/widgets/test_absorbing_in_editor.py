"""The editor with rework as an absorbing chain (docs/analysis.md, "Rework that goes anywhere
back"): a step only ever left backwards, drawn, flagged and analysed; typing 100 % into a rework
flow; the problem when work can never finish.

The map: Log (10m + 5m) -> In Progress (60m + 30m) -> Resolved (75 %, 0m + 10m) or Wait - Vendor
(25 %, 4h + 0m), and every item leaving Wait - Vendor goes back to In Progress.
    T(In Progress) = 90 + 0.75 x 10 + 0.25 (240 + T(In Progress)) -> 210;  lead time 225m = 3h 45m
    once through: Log, In Progress, Resolved (Wait - Vendor never lets work through): 115m
"""

from __future__ import annotations

import pytest

from tests.helpers.canvas import shown_canvas
from tests.helpers.maps import make_map, rework, share
from ui.document.document import Document
from ui.panels.metrics import MetricsPanel
from ui.panels.problems import ProblemsPanel
from ui.panels.properties import PropertiesPanel
from vsm.model import Project


def incident_map():
    return make_map(
        {"Log": (10, 5, 100, {"x": 0}), "In Progress": (60, 30, 100, {"x": 240}),
         "Resolved": (0, 10, 100, {"x": 480}),
         "Wait - Vendor": (240, 0, 100, {"x": 480, "y": 200})},
        [("Log", "In Progress"), ("In Progress", "Resolved", share(75)),
         ("In Progress", "Wait - Vendor", share(25)),
         ("Wait - Vendor", "In Progress", {**rework(100), "id": "back"})])


@pytest.fixture
def canvas(qtbot):
    yield from shown_canvas(qtbot, Document(Project("P", [incident_map()]), autosave=False))


@pytest.fixture
def document(qtbot) -> Document:
    return Document(Project("P", [incident_map()]), autosave=False)


def panel(qtbot, cls, document: Document):
    widget = cls(document)
    qtbot.addWidget(widget)
    widget.set_map(document.project.maps[0])
    return widget


def test_a_step_only_left_backwards_is_drawn_flagged_and_analysed(canvas, qtbot):
    scene = canvas.scene
    metrics = panel(qtbot, MetricsPanel, canvas.document)
    qtbot.waitUntil(lambda: metrics.figure_text("lead_time") == "3h 45m", timeout=3000)
    back = scene.item_for_flow["back"]
    assert back.label == "↺ 100%"
    assert back.tooltip_text().startswith("Rework: 100% of the work goes back")
    assert not back.boundingRect().isEmpty()
    qtbot.waitUntil(lambda: "rework" in scene.item_for_step["Wait - Vendor"].flags,
                    timeout=3000)
    on_path = {v for v, item in scene.item_for_step.items() if item.on_critical_path}
    assert on_path == {"Log", "In Progress", "Resolved"}
    assert scene.ladder.totals[-1] == "Once through 1h 55m"


def test_typing_100_percent_into_a_rework_flow(qtbot, document):
    map_ = document.project.maps[0]
    document.set_flow_field(map_.id, "back", "probability", 60)
    props = panel(qtbot, PropertiesPanel, document)
    props.set_selection([], ["back"])
    editor = props.flow_fields["probability"].editor
    editor.setText("100")
    editor.setModified(True)
    editor.editingFinished.emit()
    assert map_.flow("back").probability == 100
    assert props.flow_fields["probability"].error.message() == ""


def test_work_that_can_never_finish_is_one_problem_naming_the_steps(qtbot, document):
    # Without Resolved, everything from Log on ends up at Wait - Vendor and back.
    map_ = document.project.maps[0]
    problems = panel(qtbot, ProblemsPanel, document)
    document.remove(map_.id, ["Resolved"])
    document.set_flow_field(map_.id, next(f.id for f in map_.flows if f.kind == "normal"
                                          and f.target == "Wait - Vendor"), "share", 100)
    qtbot.waitUntil(lambda: problems.problem_count() == 1, timeout=3000)
    text = problems.lines()[0]
    assert text.startswith("Error: Work at 'Log', 'In Progress' and 'Wait - Vendor' can never "
                           "finish")
    assert "Keep the rework of 'Wait - Vendor' below 100%" in text
