"""The simulated lead time comes from the simulation's own process (ui.panels.simulation, issue
19): a run past the rework cap says which loop it keeps going round, a superseded simulation's
figures are never shown."""

from __future__ import annotations

import threading

import vsm.analysis.montecarlo as montecarlo
from tests.helpers.maps import make_map, rework
from ui.document import processes
from ui.document.document import Document
from ui.panels.metrics import MetricsPanel
from vsm.analysis.montecarlo import simulate
from vsm.model import Project
from vsm.model.durations import format_duration


def panel_for(qtbot, doc: Document) -> MetricsPanel:
    metrics = MetricsPanel(doc)
    qtbot.addWidget(metrics)
    metrics.set_map(doc.project.maps[0])
    return metrics


def test_a_run_past_the_rework_cap_names_the_loop_in_the_pane(qtbot, monkeypatch):
    monkeypatch.setattr(processes, "SEPARATE", False)  # the child cannot see the smaller cap
    monkeypatch.setattr(montecarlo, "MAX_PASSES_PER_RUN", 50)
    monkeypatch.setattr(montecarlo, "LOOP_WINDOW", 10)
    # Review sends 99 % back to Draft: about 100 passes a run, over the cap of 50.
    map_ = make_map({"Draft": (0, 5, 100, {"process_time_max": 20}), "Review": (0, 5)},
                    [("Draft", "Review"), ("Review", "Draft", rework(99))])
    metrics = panel_for(qtbot, Document(Project("Test", [map_])))
    qtbot.waitUntil(lambda: "not computed" in metrics.simulated_text(), timeout=5000)
    assert metrics.simulated_text() == (
        "Simulated: not computed: one run sent work back more than 50 times: the rework "
        "probabilities never let the work finish; it keeps going round 'Review' back to 'Draft'")


def test_a_superseded_simulation_is_never_shown(qtbot, monkeypatch):
    # A (10 to 100 min) -> B (10 min). The first simulation is held inside the worker until
    # the map has changed (A's maximum 1,000 min); its figures must never reach the pane.
    map_ = make_map({"A": (0, 10, 100, {"process_time_max": 100}), "B": (0, 10)}, [("A", "B")])
    doc = Document(Project("Test", [map_]))
    release = threading.Event()
    held: list[int] = []
    real = montecarlo.Simulation.advance

    def advance(self, seconds):
        if not held:
            held.append(1)
            release.wait(10)
        return real(self, seconds)

    monkeypatch.setattr(montecarlo.Simulation, "advance", advance)
    monkeypatch.setattr(processes, "SEPARATE", False)  # the child cannot see the held advance
    stale = simulate(map_, runs=2000, seed=42)  # what the held simulation would show
    metrics = panel_for(qtbot, doc)
    texts: list[str] = []
    real_set = metrics.simulated.setText
    metrics.simulated.setText = lambda text: texts.append(text) or real_set(text)
    qtbot.waitUntil(lambda: held == [1], timeout=5000)
    doc.set_step_field(map_.id, "A", "process_time_max", 1000)
    release.set()
    controller = metrics.simulation
    qtbot.waitUntil(lambda: controller.running, timeout=3000)
    qtbot.waitUntil(lambda: not controller.running, timeout=30000)
    expected = simulate(doc.project.maps[0], runs=2000, seed=42)
    assert metrics.simulated_text() == (
        f"Simulated: mean {format_duration(expected.mean)}, median "
        f"{format_duration(expected.p50)}, 85% within {format_duration(expected.p85)}")
    assert not any(format_duration(stale.mean) in text for text in texts)
    assert format_duration(stale.mean) != format_duration(expected.mean)
