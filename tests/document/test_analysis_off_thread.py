"""Large maps are analysed by a worker thread (ui.document.live_analysis, issue 19): the previous
figures stay, marked as updating, until the newest state's figures arrive; a result of a state
that a newer edit replaced is never shown; a worker's error reaches the window as a message.

The tests lower the size threshold to one step so the loop map of tests/helpers/maps.py takes
the worker's path. Its lead times (see loop_map): 150 minutes; with B's wait 0,
T(A) = 40 + 10 + T(C) = 60 + 0.2 T(A) -> 75; with A's wait 0 as well, T(A) = 30 + 0.2 T(A) -> 37.5.
"""

from __future__ import annotations

import threading
import time

import pytest

from tests.helpers.maps import loop_map
from ui.document import analysis_jobs, processes
from ui.document.document import Document
from ui.panels.metrics import MetricsPanel
from vsm.analysis import Analyser, MapAnalysis, analyse
from vsm.model import Project, ValueStreamMap


class Gate(Analyser):
    """An Analyser whose first analysis waits for `release` (the worker held mid-way); with
    `fail`, every analysis raises."""

    def __init__(self, fail: bool = False) -> None:
        super().__init__()
        self.release = threading.Event()
        self.calls = 0
        self.fail = fail

    def analyse(self, map_: ValueStreamMap) -> MapAnalysis:
        self.calls += 1
        if self.calls == 1:
            self.release.wait(10)
        if self.fail:
            raise ZeroDivisionError("a planted bug")
        return super().analyse(map_)


def gated_document(gate: Gate, monkeypatch: pytest.MonkeyPatch) -> tuple[Document, str]:
    """A document of loop_map analysed by the worker with `gate` as its Analyser, on this
    thread and in the job (run on the second process's dispatching thread here: the gate cannot
    cross into another process)."""
    monkeypatch.setattr(processes, "SEPARATE", False)
    doc = Document(Project("Test", [loop_map()], id="p"))
    map_id = doc.project.maps[0].id
    doc.live.async_steps = 1
    assert doc.analysis(map_id).lead_time == pytest.approx(150)  # the first: on this thread
    doc.live._analysers[map_id] = gate
    monkeypatch.setitem(analysis_jobs.ANALYSERS, doc.live.job_key(map_id), gate)
    return doc, map_id


def test_a_newer_edit_supersedes_the_worker_result_and_updating_clears(qtbot, monkeypatch):
    gate = Gate()
    doc, map_id = gated_document(gate, monkeypatch)
    shown: list[float] = []
    doc.analysis_changed.connect(lambda m: shown.append(doc.analysis(m).lead_time))
    states: list[bool] = []
    doc.live.updating_changed.connect(lambda m, updating: states.append(updating))
    panel = MetricsPanel(doc)
    qtbot.addWidget(panel)
    panel.set_map(doc.project.maps[0])

    doc.set_step_field(map_id, "B", "wait_time", 0)
    assert doc.live.updating(map_id) and states == [True]
    assert panel.updating_text() == "Updating the figures…"
    qtbot.waitUntil(lambda: gate.calls == 1)  # the worker holds the state with B's wait 0
    assert doc.analysis(map_id).lead_time == pytest.approx(150)  # meanwhile: the previous
    doc.set_step_field(map_id, "A", "wait_time", 0)  # a newer state before the worker is done
    gate.release.set()
    qtbot.waitUntil(lambda: shown != [])
    qtbot.wait(50)
    assert shown == [pytest.approx(37.5)]  # 75, the superseded state's figure, never shown
    assert gate.calls == 2
    assert states == [True, False] and not doc.live.updating(map_id)
    assert panel.updating_text() == ""
    assert panel.lead_time_text() == panel.figure_text("lead_time")
    assert doc.analysis(map_id) == analyse(doc.project.maps[0])


def test_the_worker_error_reaches_the_window_as_a_message(qtbot, monkeypatch):
    gate = Gate(fail=True)
    doc, map_id = gated_document(gate, monkeypatch)
    panel = MetricsPanel(doc)
    qtbot.addWidget(panel)
    panel.set_map(doc.project.maps[0])
    gate.release.set()
    with qtbot.waitSignal(doc.live.failed, timeout=5000) as failed:
        doc.set_step_field(map_id, "B", "wait_time", 0)
    assert failed.args[0] == map_id
    assert "ZeroDivisionError: a planted bug" in failed.args[1]
    assert "ZeroDivisionError: a planted bug" in panel.reason.toolTip()
    assert not doc.live.updating(map_id) and panel.updating_text() == ""
    assert doc.analysis(map_id).lead_time == pytest.approx(150)  # the figures before the edit


def test_current_gives_the_figures_of_the_map_as_it_is(qtbot, monkeypatch):
    gate = Gate()
    doc, map_id = gated_document(gate, monkeypatch)
    gate.release.set()
    doc.set_step_field(map_id, "B", "wait_time", 0)
    assert doc.live.current(map_id).lead_time == pytest.approx(75)  # exports: never stale
    assert not doc.live.updating(map_id)


def test_an_export_draws_the_figures_of_the_map_as_it_is(qtbot, tmp_path, monkeypatch):
    from ui.render import images

    gate = Gate()
    doc, map_id = gated_document(gate, monkeypatch)
    doc.set_step_field(map_id, "B", "wait_time", 0)
    assert doc.live.updating(map_id) and doc.analysis(map_id).lead_time == pytest.approx(150)
    drawn: list[float] = []
    real_scene = images.export_scene

    def spy(document, map_id_, *args, **kwargs):
        drawn.append(document.analysis(map_id_).lead_time)
        return real_scene(document, map_id_, *args, **kwargs)

    monkeypatch.setattr(images, "export_scene", spy)
    gate.release.set()
    images.export_maps(doc, tmp_path / "map.svg", [map_id], "svg")
    assert drawn == [pytest.approx(75)]  # the state with B's wait 0, not the 150 shown before


def test_a_map_grown_past_the_threshold_since_its_last_analysis_goes_to_the_worker(
        qtbot, monkeypatch):
    """The undo of a Delete puts steps back into a map last analysed small: its size is counted
    now, so the analysis goes to the worker, never onto the GUI thread (a Delete of every step of
    20,000 and its undo analysed 20,000 steps there). Three steps, the threshold at three."""
    doc = Document(Project("Test", [loop_map()], id="p"))
    map_id = doc.project.maps[0].id
    doc.live.async_steps = 3
    doc.remove(map_id, ["C"])
    with qtbot.waitSignal(doc.analysis_changed):
        pass  # two steps: analysed on this thread, as a small map is
    assert not doc.live.updating(map_id)
    on_this_thread: list[str] = []
    monkeypatch.setattr(doc.live, "_analyse_now", lambda m: on_this_thread.append(m.id))
    doc.undo_stack.undo()  # C and its flows back: three steps
    assert doc.live.updating(map_id)
    with qtbot.waitSignal(doc.analysis_changed, timeout=5000):
        pass
    assert on_this_thread == []
    assert doc.analysis(map_id).lead_time == pytest.approx(150)  # loop_map's, see its docstring
    assert not doc.live.updating(map_id)


class Slow(Analyser):
    """An Analyser that takes 50 ms an analysis (a map whose analysis is costly)."""

    def analyse(self, map_: ValueStreamMap) -> MapAnalysis:
        time.sleep(0.05)
        return super().analyse(map_)


def test_a_map_whose_analysis_was_slow_goes_to_the_worker_though_it_is_small(qtbot):
    """The thread is chosen by what the map's analysis costs, not by its steps alone: a map of
    `measured_steps` or more whose analysis once took SLOW_SECONDS (20 ms) is analysed by the
    worker. loop_map's lead times: 150; with B's wait 0, 75 (see the module docstring)."""
    doc = Document(Project("Test", [loop_map()], id="p"))
    map_id = doc.project.maps[0].id
    doc.live.measured_steps = 3
    doc.live._analysers[map_id] = Slow()
    assert doc.analysis(map_id).lead_time == pytest.approx(150)  # the first: on this thread
    doc.set_step_field(map_id, "B", "wait_time", 0)
    assert doc.live.updating(map_id)
    assert doc.analysis(map_id).lead_time == pytest.approx(150)  # the previous, updating
    with qtbot.waitSignal(doc.analysis_changed, timeout=5000):
        pass
    assert doc.analysis(map_id).lead_time == pytest.approx(75)
    assert not doc.live.updating(map_id)


def test_setting_a_demand_counts_the_visits_on_the_worker_and_then_edits_stay_here(
        qtbot, monkeypatch):
    """The first analysis with a demand counts the visits of the structure (0.3 s at 1,000
    steps): it goes to the worker; the next edit of times reuses them and stays on this thread
    (SLOW_SECONDS raised so no analysis counts as slow, whatever the machine's load). An item
    passes loop_map's A, B and C 1 / (1 - 0.2) = 1.25 times each (C sends 20 % back to A)."""
    import ui.document.live_analysis as live_analysis

    monkeypatch.setattr(live_analysis, "SLOW_SECONDS", 60.0)
    doc = Document(Project("Test", [loop_map()], id="p"))
    map_id = doc.project.maps[0].id
    doc.live.measured_steps = 3
    assert doc.analysis(map_id).visits == {}  # no demand: no visits
    doc.set_map_field(map_id, "demand", 40)
    assert doc.live.updating(map_id)
    with qtbot.waitSignal(doc.analysis_changed, timeout=5000):
        pass
    assert doc.analysis(map_id).visits == pytest.approx({"A": 1.25, "B": 1.25, "C": 1.25})
    doc.set_step_field(map_id, "B", "wait_time", 0)
    assert not doc.live.updating(map_id)
    assert doc.analysis(map_id).lead_time == pytest.approx(75)  # at once, on this thread


def test_a_costly_maps_panels_show_the_new_figures_a_turn_later_saying_updating_till_then(
        qtbot):
    """After a costly map's analysis each panel refreshes in a turn of its own (together they
    took 90 ms at 5,000 steps in one turn); until its turn, the metrics pane still says
    "updating" over the previous figures, never shows them as current. loop_map: 150 minutes
    (2h 30m); with B's wait 0, 75 (1h 15m)."""
    doc = Document(Project("Test", [loop_map()], id="p"))
    map_id = doc.project.maps[0].id
    doc.live.async_steps = 1
    panel = MetricsPanel(doc)
    qtbot.addWidget(panel)
    panel.set_map(doc.project.maps[0])
    assert panel.lead_time_text() == "2h 30m"
    seen: list[tuple[str, str]] = []
    doc.live.updating_changed.connect(  # after the panel's own: what shows as updating ends
        lambda _map_id, updating: updating or seen.append((panel.lead_time_text(),
                                                           panel.updating_text())))
    doc.set_step_field(map_id, "B", "wait_time", 0)
    qtbot.waitUntil(lambda: seen != [], timeout=5000)
    assert seen == [("2h 30m", "Updating the figures…")]  # the new figures wait for a turn
    qtbot.waitUntil(lambda: panel.lead_time_text() == "1h 15m")
    assert panel.updating_text() == ""


def test_a_document_freed_while_its_figures_are_computed_announces_nothing(qtbot, monkeypatch):
    # A document left in a reference cycle (a test's, or any dropped without a close) can be
    # freed by a garbage collection that starts inside its own pending analysis: its live
    # analysis must then stop, not emit through the deleted document ("Signal source has been
    # deleted" from the timer's slot).
    import shiboken6

    doc = Document(Project("Test", [loop_map()], id="p"))
    map_id = doc.project.maps[0].id
    live = doc.live
    real = live.analysis

    def analysed_then_freed(map_id_):
        result = real(map_id_)
        shiboken6.delete(doc)  # as the collector does: the document, and its live analysis
        return result

    monkeypatch.setattr(live, "analysis", analysed_then_freed)
    doc.set_step_field(map_id, "B", "wait_time", 0)
    live._turns_left = 0
    live._on_timer()  # no RuntimeError
    assert not shiboken6.isValid(live)
