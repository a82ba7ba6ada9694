"""The metrics pane's simulation runs in a process of its own (ui.panels.simulation and
ui.panels.simulation_jobs, issue 19): its figures are those of the same runs done here, a
superseded simulation is forgotten in the child and never shown, and a failure in the child or
its death is said in the pane."""

from __future__ import annotations

import os
import signal

import pytest

import ui.panels.simulation as simulation
from tests.helpers.maps import make_map, rework
from ui.document import processes
from ui.document.document import Document
from ui.panels import simulation_jobs
from ui.panels.metrics import MetricsPanel
from vsm.analysis.montecarlo import simulate
from vsm.model import Project
from vsm.model.durations import format_duration


@pytest.fixture(autouse=True)
def a_new_simulation_worker():
    """Each test starts with no simulation process: one it finds running was started by it."""
    processes.shared("simulation").shutdown(cancel_futures=True)


def panel_for(qtbot, doc: Document) -> MetricsPanel:
    metrics = MetricsPanel(doc)
    qtbot.addWidget(metrics)
    metrics.set_map(doc.project.maps[0])
    return metrics


def two_steps() -> Document:
    # A (10 to 100 min, most likely 10) -> B (10 min)
    return Document(Project("Test", [make_map(
        {"A": (0, 10, 100, {"process_time_max": 100}), "B": (0, 10)}, [("A", "B")])]))


def kept_in_the_child() -> list[str]:
    """The keys of the simulations the child holds (asked after the jobs queued before)."""
    return processes.shared("simulation").submit(simulation_jobs.kept).result(timeout=30)


def figures(doc: Document) -> str:
    expected = simulate(doc.project.maps[0], runs=2000, seed=42)  # the pane's runs and seed
    return (f"Simulated: mean {format_duration(expected.mean)}, median "
            f"{format_duration(expected.p50)}, 85% within {format_duration(expected.p85)}")


def never_ending(monkeypatch) -> None:
    """Simulations started from now on go on until superseded (their arguments are read on
    the GUI side: the child takes them with the job)."""
    monkeypatch.setattr(simulation, "SIMULATION_RUNS", 10**9)
    monkeypatch.setattr(simulation, "BUDGET_SECONDS", 1e9)
    monkeypatch.setattr(simulation, "PROGRESS_AFTER_SECONDS", 0.0)


def test_the_simulation_runs_in_another_process_with_the_figures_of_the_same_runs(qtbot):
    doc = two_steps()
    metrics = panel_for(qtbot, doc)
    qtbot.waitUntil(lambda: metrics.simulated_text().startswith("Simulated: mean"),
                    timeout=30000)
    child = processes.shared("simulation").pid
    assert child is not None and child != os.getpid()
    assert metrics.simulated_text() == figures(doc)
    expected = simulate(doc.project.maps[0], runs=2000, seed=42)
    assert metrics.simulation.result == expected  # every run's lead time, for the target
    assert "Lead time of 2,000 simulated items (seed 42)" in metrics.simulated.toolTip()
    assert f"P95 {format_duration(expected.p95)}" in metrics.simulated.toolTip()
    assert kept_in_the_child() == []  # a finished simulation is forgotten


def test_a_superseded_simulation_is_forgotten_in_the_child_and_never_shown(qtbot, monkeypatch):
    doc = two_steps()
    never_ending(monkeypatch)
    metrics = panel_for(qtbot, doc)
    texts: list[str] = []
    real_set = metrics.simulated.setText
    metrics.simulated.setText = lambda text: texts.append(text) or real_set(text)
    qtbot.waitUntil(lambda: "(simulating, " in metrics.simulated_text(), timeout=30000)
    superseded = kept_in_the_child()
    assert len(superseded) == 1  # the compiled simulation stays in the child between slices
    monkeypatch.setattr(simulation, "SIMULATION_RUNS", 2000)  # the next one ends
    monkeypatch.setattr(simulation, "BUDGET_SECONDS", 4.0)
    doc.set_step_field(doc.project.maps[0].id, "A", "process_time_max", 1000)
    controller = metrics.simulation
    qtbot.waitUntil(lambda: controller.running, timeout=3000)
    qtbot.waitUntil(lambda: not controller.running, timeout=30000)
    assert metrics.simulated_text() == figures(doc)
    assert kept_in_the_child() == []  # the superseded one too: no leak over a workshop's edits
    shown = [t.replace("\u00a0", " ") for t in texts if "simulating" not in t]
    assert shown == [figures(doc)]  # no figures of the superseded map, partial or whole


def test_a_run_past_the_rework_cap_in_the_child_names_the_loop(qtbot):
    # Review sends 99.999 % back to Draft: about 100,000 passes a run, so the first runs pass
    # the cap of 100,000 (montecarlo.MAX_PASSES_PER_RUN) in the child.
    map_ = make_map({"Draft": (0, 5, 100, {"process_time_max": 20}), "Review": (0, 5)},
                    [("Draft", "Review"), ("Review", "Draft", rework(99.999))])
    metrics = panel_for(qtbot, Document(Project("Test", [map_])))
    qtbot.waitUntil(lambda: "not computed" in metrics.simulated_text(), timeout=60000)
    assert processes.shared("simulation").pid not in (None, os.getpid())
    assert metrics.simulated_text() == (
        "Simulated: not computed: one run sent work back more than 100,000 times: the rework "
        "probabilities never let the work finish; it keeps going round 'Review' back to 'Draft'")
    assert kept_in_the_child() == []  # the failed simulation is forgotten


def test_a_dead_child_is_said_in_the_pane_and_the_next_edit_simulates_again(qtbot, monkeypatch):
    doc = two_steps()
    never_ending(monkeypatch)
    metrics = panel_for(qtbot, doc)
    qtbot.waitUntil(lambda: "(simulating, " in metrics.simulated_text(), timeout=30000)
    child = processes.shared("simulation").pid
    assert child is not None and child != os.getpid()
    os.kill(child, signal.SIGKILL)  # as if the system killed it (out of memory)
    qtbot.waitUntil(lambda: "not computed" in metrics.simulated_text(), timeout=30000)
    assert metrics.simulated_text().startswith(
        "Simulated: not computed: ChildProcessError: the simulation process ")
    monkeypatch.setattr(simulation, "SIMULATION_RUNS", 2000)
    monkeypatch.setattr(simulation, "BUDGET_SECONDS", 4.0)
    doc.set_step_field(doc.project.maps[0].id, "A", "process_time_max", 1000)
    qtbot.waitUntil(lambda: metrics.simulated_text().startswith("Simulated: mean"),
                    timeout=30000)
    assert metrics.simulated_text() == figures(doc)
    assert processes.shared("simulation").pid not in (None, child, os.getpid())
