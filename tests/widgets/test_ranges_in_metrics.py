"""With time ranges, the metrics pane says under the lead time that it uses the most likely
times, and shows the simulated mean, median and 85th percentile right under it, in bold; the
figures are the deck's (same runs, same seed). Maps without ranges show nothing new.

The map, skewed towards longer times (minutes):
  Submit    process 10, no wait
  Approve   wait most likely 60 (30 .. 1,440), process 15
  Provision wait most likely 120 (120 .. 2,880), process 30
    lead time with the most likely times = 10 + 60 + 15 + 120 + 30 = 235 min = 3h 55m
    simulated mean -> 10 + 510 + 15 + 1,040 + 30 = 1,605 min, far above 235
"""

from __future__ import annotations

import pytest

import ui.panels.simulation as simulation
from ui.document.document import Document
from ui.panels.metrics import MetricsPanel
from vsm.analysis import analyse
from vsm.analysis.montecarlo import simulate
from vsm.export import summary_slides
from vsm.model import Flow, Project, Step, ValueStreamMap
from vsm.model.durations import format_duration

MOST_LIKELY_MINUTES = 235


def skewed_map() -> ValueStreamMap:
    map_ = ValueStreamMap("Access today", "current")
    map_.add_step(Step("Submit", id="submit", process_time=10))
    map_.add_step(Step("Approve", id="approve", x=240, process_time=15, wait_time=60,
                       wait_time_min=30, wait_time_max=1440))
    map_.add_step(Step("Provision", id="provision", x=480, process_time=30, wait_time=120,
                       wait_time_min=120, wait_time_max=2880))
    map_.add_flow(Flow("submit", "approve"))
    map_.add_flow(Flow("approve", "provision"))
    return map_


@pytest.fixture
def doc() -> Document:
    return Document(Project("Access", [skewed_map()]))


def metrics_for(qtbot, doc: Document) -> MetricsPanel:
    metrics = MetricsPanel(doc)
    qtbot.addWidget(metrics)
    metrics.set_map(doc.project.maps[0])
    return metrics


def test_the_simulated_lead_time_sits_under_the_headline_labelled(qtbot, doc):
    metrics = metrics_for(qtbot, doc)
    assert metrics.lead_time_text() == "3h 55m"
    assert metrics.most_likely_text() == "with the most likely times"  # at once, from the map
    qtbot.waitUntil(lambda: metrics.simulated_text() != "", timeout=5000)
    expected = simulate(doc.project.maps[0], runs=2000, seed=42)
    assert expected.mean > MOST_LIKELY_MINUTES and expected.p50 > MOST_LIKELY_MINUTES
    assert metrics.simulated_text() == (
        f"Simulated: mean {format_duration(expected.mean)}, median "
        f"{format_duration(expected.p50)}, 85% within {format_duration(expected.p85)}")
    tip = metrics.simulated.toolTip()
    assert "the lead time above uses the most likely times" in tip
    assert f"P95 {format_duration(expected.p95)}" in tip
    # in the lead time's own box, right under its value, and in bold: not to be missed
    layout = metrics.figures["lead_time"].layout()
    lead = metrics.figures["lead_time"]
    assert [layout.indexOf(w) for w in (lead.value, metrics.most_likely, metrics.simulated)] \
        == [1, 2, 3]
    assert metrics.simulated.font().bold()


def test_the_pane_shows_the_decks_figures(qtbot, doc):
    """Same runs and seed as the deck: the pane and the exported deck agree to the minute."""
    assert simulation.SIMULATION_RUNS == summary_slides.SIMULATION_RUNS
    assert simulation.SIMULATION_SEED == summary_slides.SIMULATION_SEED
    metrics = metrics_for(qtbot, doc)
    qtbot.waitUntil(lambda: metrics.simulated_text() != "", timeout=5000)
    map_ = doc.project.maps[0]
    deck = summary_slides.simulated_lead_time(map_, analyse(map_))
    assert deck is not None
    words = summary_slides.simulated_words(deck).replace("\u00a0", " ")  # "mean …, median …"
    assert metrics.simulated_text().startswith(f"Simulated: {words}, 85% within ")


def test_without_ranges_nothing_new_shows(qtbot, doc):
    map_ = doc.project.maps[0]
    for step in map_.steps:
        map_.set_step_field(step.id, "wait_time_min", None)
        map_.set_step_field(step.id, "wait_time_max", None)
    metrics = metrics_for(qtbot, doc)
    assert metrics.lead_time_text() == "3h 55m"
    qtbot.wait(500)
    assert metrics.most_likely_text() == "" and metrics.simulated_text() == ""


def test_removing_the_ranges_removes_both_labels(qtbot, doc):
    metrics = metrics_for(qtbot, doc)
    qtbot.waitUntil(lambda: metrics.simulated_text() != "", timeout=5000)
    map_id = doc.project.maps[0].id
    for step_id in ("approve", "provision"):
        doc.set_step_field(map_id, step_id, "wait_time_min", None)
        doc.set_step_field(map_id, step_id, "wait_time_max", None)
    qtbot.waitUntil(lambda: metrics.simulated_text() == "", timeout=5000)
    assert metrics.most_likely_text() == ""
