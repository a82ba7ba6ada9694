"""Metrics panel: takt time and busiest step with a demand; simulated mean, P50 and P85 when a
step has a time range, computed after a 300 ms pause.

The map: demand 40 items/week; Create account (process 53m, 40m–90m, wait 1h) -> Send welcome
(process 10m, wait 30m), one person each.
    available working time = 5 days x 8h = 2,400 working minutes per week
    takt = 2,400 / 40 = 60m                                    -> "1h"
    utilisation(Create account) = 40 x 53 x 1 / (1 x 2,400) = 88.3 %  -> "88%"
    utilisation(Send welcome)   = 40 x 10 x 1 / (1 x 2,400) = 16.7 %
"""

from __future__ import annotations

import threading

import pytest

from ui.document.document import Document
from ui.panels.metrics import MetricsPanel
from vsm.analysis.montecarlo import simulate
from vsm.model import Flow, Project, Step, ValueStreamMap
from vsm.model.durations import format_duration


@pytest.fixture
def doc() -> Document:
    map_ = ValueStreamMap("Onboarding", demand=40, demand_period="week")
    map_.add_step(Step("Create account", id="A", process_time=53, wait_time=60,
                       process_time_min=40, process_time_max=90))
    map_.add_step(Step("Send welcome", id="B", process_time=10, wait_time=30))
    map_.add_flow(Flow("A", "B", id="ab"))
    return Document(Project("Test", [map_]))


def metrics_for(qtbot, doc: Document) -> MetricsPanel:
    metrics = MetricsPanel(doc)
    qtbot.addWidget(metrics)
    metrics.set_map(doc.project.maps[0])
    return metrics


def test_takt_time_and_busiest_step_with_their_formulas(qtbot, doc):
    metrics = metrics_for(qtbot, doc)
    assert metrics.takt_text() == "1h"  # 2,400 working minutes / 40 items
    assert "available working minutes per period / demand" in metrics.takt.toolTip()
    assert "2,400 working minutes per week / 40" in metrics.takt.toolTip()
    assert metrics.busiest_text() == "Busiest: Create account — 88%"
    tip = metrics.busiest.toolTip()
    assert "demand × process time × visits / (people × available minutes)" in tip
    assert "40 × 53m × 1.00 / (1 × 2,400m per week) = 88.3%" in tip


def test_simulated_percentiles_appear_after_the_pause(qtbot, doc):
    metrics = metrics_for(qtbot, doc)
    assert metrics.simulated_text() == ""  # debounced: not computed at once
    qtbot.waitUntil(lambda: metrics.simulated_text() != "", timeout=3000)
    expected = simulate(doc.project.maps[0], runs=2000, seed=42)
    assert metrics.simulated_text() == (
        f"Simulated: mean {format_duration(expected.mean)}, median "
        f"{format_duration(expected.p50)}, 85% within {format_duration(expected.p85)}")
    # an edit restarts the pause; removing the range hides the percentiles
    doc.set_step_field(doc.project.maps[0].id, "A", "process_time_max", None)
    doc.set_step_field(doc.project.maps[0].id, "A", "process_time_min", None)
    qtbot.waitUntil(lambda: metrics.simulated_text() == "", timeout=3000)


def test_no_demand_and_no_ranges_show_neither(qtbot, doc):
    map_ = doc.project.maps[0]
    map_.set_field("demand", None)
    map_.set_step_field("A", "process_time_min", None)
    map_.set_step_field("A", "process_time_max", None)
    metrics = metrics_for(qtbot, doc)
    assert metrics.takt_text() == "" and metrics.busiest_text() == ""
    qtbot.wait(400)
    assert metrics.simulated_text() == ""


def test_simulation_runs_in_slices_and_an_edit_meanwhile_starts_it_again(qtbot, doc, monkeypatch):
    """The runs are done in slices, one job each (a large map never freezes the window), which
    say how far it got; an edit while it runs restarts it from the new map, whose
    figures are the ones shown."""
    import ui.panels.simulation as simulation
    from ui.document import processes

    monkeypatch.setattr(simulation, "SLICE_SECONDS", 0.0)  # one run per slice
    monkeypatch.setattr(simulation, "JOB_SECONDS", 0.0)  # one slice per job
    monkeypatch.setattr(simulation, "PROGRESS_AFTER_SECONDS", 0.0)
    monkeypatch.setattr(processes, "SEPARATE", False)  # the child cannot see the advance below
    from vsm.analysis.montecarlo import Simulation

    slices = []
    advanced = []  # every Simulation the worker advanced, in order
    real_advance = Simulation.advance
    # The worker waits after its third slice until the test has seen the progress: on a loaded
    # machine a tiny map's 2,000 runs could otherwise finish before the GUI thread showed
    # "simulating", and the progress and the result were shown in one turn of the event loop.
    seen_progress = threading.Event()

    def advance(self, seconds):
        slices.append(self.completed)
        if not advanced or advanced[-1] is not self:
            advanced.append(self)
        if self.completed >= 3:
            seen_progress.wait(10)
        return real_advance(self, seconds)

    monkeypatch.setattr(Simulation, "advance", advance)
    metrics = metrics_for(qtbot, doc)
    controller = metrics.simulation
    qtbot.waitUntil(lambda: advanced != [], timeout=3000)
    first = advanced[0]
    qtbot.waitUntil(lambda: len(slices) >= 3, timeout=3000)
    assert slices[:3] == [0, 1, 2]  # one run per slice
    qtbot.waitUntil(lambda: metrics.simulated_text().startswith("Simulated: … (simulating, "),
                    timeout=3000)
    doc.set_step_field(doc.project.maps[0].id, "A", "process_time_max", 300)
    seen_progress.set()
    # The new map's simulation is seen by the runs the worker does on it, not by
    # controller.compiled: a tiny map's 2,000 runs can start and finish between two looks of
    # waitUntil, and the controller forgets a finished simulation.
    qtbot.waitUntil(lambda: any(s is not first for s in advanced), timeout=5000)
    qtbot.waitUntil(lambda: not controller.running, timeout=20000)
    expected = simulate(doc.project.maps[0], runs=2000, seed=42)
    assert metrics.simulated_text() == (
        f"Simulated: mean {format_duration(expected.mean)}, median "
        f"{format_duration(expected.p50)}, 85% within {format_duration(expected.p85)}")


def test_a_large_map_shows_the_runs_done_within_the_budget(qtbot, doc, monkeypatch):
    import ui.panels.simulation as simulation

    monkeypatch.setattr(simulation, "SLICE_SECONDS", 0.0)  # one run per slice
    monkeypatch.setattr(simulation, "BUDGET_SECONDS", 0.0)  # as if every run were slow
    monkeypatch.setattr(simulation, "MINIMUM_RUNS", 5)
    metrics = metrics_for(qtbot, doc)
    qtbot.waitUntil(lambda: metrics.simulated_text().endswith(" (5 runs)"), timeout=3000)
    assert metrics.simulated.toolTip().startswith("Stopped after 0 s of simulating")
    assert "Lead time of 5 simulated items" in metrics.simulated.toolTip()
