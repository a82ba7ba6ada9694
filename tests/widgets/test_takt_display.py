"""The metrics panel shows takt time as `vsm report` does: working hours, never calendar days,
with the basis said once under the value (vsm.model.durations.format_working_time).

2 items a month: 10,400 working minutes a month (52 / 12 weeks of 5 days of 8 hours) / 2 =
5,200 minutes = 86h 40m of working time. It read "3d 15h" (5,200 / 1,440 calendar days) before.
"""

from __future__ import annotations

from ui.document.document import Document
from ui.panels.metrics import MetricsPanel
from vsm.analysis.capacity import AVAILABLE_MINUTES
from vsm.cli.report import report_text_rows
from vsm.model import Project, Step, ValueStreamMap
from vsm.model.durations import format_working_time


def panel_for(qtbot, demand: float, period: str) -> MetricsPanel:
    map_ = ValueStreamMap("Onboarding", demand=demand, demand_period=period)
    map_.add_step(Step("Create account", id="A", process_time=53, wait_time=60))
    document = Document(Project("Test", [map_]))
    metrics = MetricsPanel(document)
    qtbot.addWidget(metrics)
    metrics.set_map(map_)
    return metrics


def test_takt_in_working_hours_with_its_basis(qtbot):
    metrics = panel_for(qtbot, 2, "month")
    assert metrics.takt_text() == "86h 40m"
    assert metrics.takt_basis.text() == "of working time (8h days)"
    assert not metrics.takt_basis.isHidden()
    assert "= 10,400 working minutes per month / 2 items per month = 86h 40m of working time" in (
        metrics.takt.toolTip())
    assert metrics.takt.value.accessibleName() == "Takt time: 86h 40m of working time (8h days)"


def test_the_panel_and_the_report_say_the_same(qtbot):
    metrics = panel_for(qtbot, 2, "month")
    shown = f"{metrics.takt_text()} {metrics.takt_basis.text()}"
    assert shown == format_working_time(5200, AVAILABLE_MINUTES["day"])
    map_ = metrics.map
    _, rows = report_text_rows(map_, metrics.document.analysis(map_.id), None)
    assert ("Takt time", f"{shown} at 2 items/month") in rows


def test_short_takt_times_stay_in_minutes(qtbot):
    # 12 items a day: 480 / 12 = 40 minutes
    assert panel_for(qtbot, 12, "day").takt_text() == "40m"


def test_the_a3_report_says_the_same(qtbot):
    from ui.render.a3_report import _figures

    metrics = panel_for(qtbot, 2, "month")
    map_ = metrics.map
    rows = dict(_figures(map_, metrics.document.analysis(map_.id)))
    # the value as the panel shows it, the basis said in the label (the A3 column is narrow)
    assert rows["Takt time, of working time (8h days)"] == "86h 40m"  # was "3d 15h"
