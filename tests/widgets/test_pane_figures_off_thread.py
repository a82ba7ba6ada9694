"""After an edit of a map the live analysis counts costly (its threshold lowered to one step),
the metrics pane's own figures (who holds the work, the targets, the busiest step, the steps
below 100 %C&A, whether to simulate) are found by the analysis worker with the analysis, over
its copy of the map (vsm.analysis.pane_figures): nothing walks the map's steps for them on the
GUI thread (at 5,000 steps they blocked it 100-150 ms after every edit), and what the pane
shows is what the core functions say of the same map.

The map: tests/pure/test_pane_figures.py's. After B's wait is set to 60:
  lead time = 40 + (60 + 60) + 5 = 165 min = 2h 45m; vendor 120 (120/165 = 72.7 %),
  internal 40 (24.2 %), customer 5 (3.0 %); waiting on vendors 60 = 1h (36.4 %)
  target 4h: met, 240 - 165 = 75 = 1h 15m under; A's own 40 > 30: over its target
  busiest: B 50 % (its process time and demand did not change)
"""

from __future__ import annotations

import threading

import pytest

import ui.panels.stakeholder_metrics as stakeholder_metrics
import vsm.analysis.montecarlo as montecarlo
import vsm.analysis.pane_figures as pane_figures_module
from tests.pure.test_pane_figures import target_map
from ui.document.document import Document
from ui.panels.metrics import MetricsPanel
from ui.panels.stakeholder_metrics import StakeholderSection, TargetLines
from vsm.analysis import analyse
from vsm.analysis.stakeholder_words import segment_words, split_segments
from vsm.model import Project


@pytest.fixture
def on_main_thread(monkeypatch) -> list[tuple[str, bool]]:
    """(function, whether on the GUI thread) for every walk the pane's figures need (the jobs
    of the second process run on its dispatching thread here: the spies are in this process)."""
    from ui.document import processes

    monkeypatch.setattr(processes, "SEPARATE", False)
    calls: list[tuple[str, bool]] = []

    def watched(module, name):
        real = getattr(module, name)

        def call(*args, **kwargs):
            calls.append((name, threading.current_thread() is threading.main_thread()))
            return real(*args, **kwargs)
        monkeypatch.setattr(module, name, call)

    for module in (stakeholder_metrics, pane_figures_module):
        watched(module, "splits_of")
        watched(module, "attainment")
    watched(pane_figures_module, "has_variability")
    watched(montecarlo, "has_variability")  # should_simulate's
    return calls


def test_a_costly_maps_pane_figures_come_from_the_analysis_worker(qtbot, on_main_thread):
    doc = Document(Project("Test", [target_map()]))
    map_ = doc.project.maps[0]
    doc.live.async_steps = 1
    doc.analysis(map_.id)  # the first analysis, on this thread
    metrics = MetricsPanel(doc)
    qtbot.addWidget(metrics)
    metrics.set_map(map_)
    on_main_thread.clear()
    doc.set_step_field(map_.id, "B", "wait_time", 60)
    assert metrics.updating_text() == "Updating the figures…"
    qtbot.waitUntil(lambda: metrics.figure_text("lead_time") == "2h 45m"
                    and metrics.updating_text() == "", timeout=5000)
    assert on_main_thread and not any(main for _name, main in on_main_thread)

    section = metrics.stakeholders
    assert section.legend_lines() == ["Internal team 40m (24.2%)", "Vendor 2h (72.7%)",
                                      "Customer 5m (3.0%)"]
    assert section.vendor.text() == "Waiting on vendors: 1h (36.4% of the lead time)"
    assert metrics.targets.plain == ("Target 4h: ✔ met, 1h 15m under\n"
                                     "steps over their target: A (40m > 30m)")
    assert metrics.busiest_text() == "Busiest: B — 50%"
    assert metrics.figure_text("steps") == "4"
    assert "Steps below 100%: A 80%, D 90%" in metrics.figures["rolled_pca"].value.toolTip()
    assert metrics.most_likely_text() == "with the most likely times"

    # The same texts from the core functions on the same map, on this thread
    analysis = analyse(map_)
    direct = StakeholderSection()
    qtbot.addWidget(direct)
    direct.show_map(map_, analysis)
    assert section.legend_lines() == direct.legend_lines() == [
        segment_words(s) for s in split_segments(
            stakeholder_metrics.splits_of(map_, analysis)["performer"])]
    assert section.vendor.text() == direct.vendor.text()
    lines = TargetLines()
    lines.show(map_, analysis, None)
    assert metrics.targets.plain == lines.plain
    qtbot.addWidget(lines.target)
    qtbot.addWidget(lines.experience)


def test_a_newer_edit_supersedes_the_pane_figures_of_a_stale_analysis(qtbot):
    # Two edits before the worker is free: the figures shown are those of the last state
    # (B's wait 0: lead time 40 + 60 + 5 = 105 = 1h 45m; vendor 60 = 1h, 60/105 = 57.1 %)
    doc = Document(Project("Test", [target_map()]))
    map_ = doc.project.maps[0]
    doc.live.async_steps = 1
    doc.analysis(map_.id)
    metrics = MetricsPanel(doc)
    qtbot.addWidget(metrics)
    metrics.set_map(map_)
    doc.set_step_field(map_.id, "B", "wait_time", 60)
    doc.set_step_field(map_.id, "B", "wait_time", 0)
    qtbot.waitUntil(lambda: metrics.figure_text("lead_time") == "1h 45m"
                    and metrics.updating_text() == "", timeout=5000)
    qtbot.wait(100)
    assert metrics.figure_text("lead_time") == "1h 45m"
    assert "Vendor 1h (57.1%)" in metrics.stakeholders.legend_lines()
    assert metrics.stakeholders.vendor.text() == ""  # no wait at vendors: nothing said
    assert doc.live.pane_figures(map_.id) == pane_figures_module.pane_figures(
        map_, analyse(map_))
