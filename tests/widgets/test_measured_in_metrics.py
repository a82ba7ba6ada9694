"""Metrics panel: the lead time measured from the log beside the map's lead time, for a mined
map (tests/pure/test_measured_display.py has the same map: lead time 4h 30m; measured P50 2d,
P85 3d, P95 1w over 1,200 cases)."""

from __future__ import annotations

from tests.pure.test_measured_display import measured_project
from ui.document.document import Document
from ui.panels.metrics import MetricsPanel
from vsm.model import Project, ValueStreamMap


def test_a_mined_map_shows_the_measured_lead_time_beside_its_own(qtbot):
    doc = Document(measured_project())
    metrics = MetricsPanel(doc)
    qtbot.addWidget(metrics)
    metrics.set_map(doc.project.maps[0])
    qtbot.waitUntil(lambda: metrics.lead_time_text() == "4h 30m")
    assert metrics.measured_text() == ("Measured from the log: P50 2d, P85 3d, P95 1w "
                                       "(1,200 cases)")
    assert "tickets.csv" in metrics.measured.toolTip()


def test_a_map_not_mined_shows_no_measured_line(qtbot):
    doc = Document(Project("Plain", [ValueStreamMap("A")]))
    metrics = MetricsPanel(doc)
    qtbot.addWidget(metrics)
    metrics.set_map(doc.project.maps[0])
    assert metrics.measured_text() == ""
