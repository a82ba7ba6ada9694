"""A large map is analysed in the second process (ui.document.live_analysis,
ui.document.analysis_jobs, issue 19): on a worker thread its analysis held the interpreter the
GUI thread needs. The child keeps the map's Analyser between edits and forgets it when the map
or the document goes; a killed child is replaced at the next edit.

The size threshold is lowered to one step so loop_map takes that path. Its lead times (see
tests/helpers/maps.py): 150 minutes; with B's wait 0, T(A) = 40 + 10 + T(C) = 60 + 0.2 T(A)
-> 75; with A's wait 0 as well, T(A) = 30 + 0.2 T(A) -> 37.5.
"""

from __future__ import annotations

import os
import signal
import time

import pytest

from tests.helpers.maps import loop_map
from ui.document import analysis_jobs, processes
from ui.document.document import Document
from vsm.analysis import Analyser, MapAnalysis, analyse
from vsm.model import Project, ValueStreamMap


def large_document() -> tuple[Document, str]:
    doc = Document(Project("Test", [loop_map()], id="p"))
    doc.live.async_steps = 1
    map_id = doc.project.maps[0].id
    assert doc.analysis(map_id).lead_time == pytest.approx(150)  # the first: on this thread
    return doc, map_id


def edited(qtbot, doc: Document, map_id: str, step: str, wait: float) -> None:
    with qtbot.waitSignal(doc.analysis_changed, timeout=30_000):  # a first job starts the child
        doc.set_step_field(map_id, step, "wait_time", wait)
    assert not doc.live.updating(map_id)


def kept_in_child(key: str) -> bool:
    """Whether the analysis child holds an Analyser under `key` (asked by forgetting it)."""
    return processes.shared("analysis").submit(analysis_jobs.forget, key).result(30) == 1


def test_a_large_maps_analysis_runs_in_the_second_process_keeping_its_analyser(qtbot):
    doc, map_id = large_document()
    edited(qtbot, doc, map_id, "B", 0)
    assert doc.analysis(map_id).lead_time == pytest.approx(75)
    child = processes.shared("analysis").pid
    assert child is not None and child != os.getpid()
    edited(qtbot, doc, map_id, "A", 0)
    assert doc.analysis(map_id).lead_time == pytest.approx(37.5)
    assert doc.analysis(map_id) == analyse(doc.project.maps[0])
    assert doc.live.pane_figures(map_id) is not None
    assert kept_in_child(doc.live.job_key(map_id))  # one Analyser, kept between the edits
    assert not kept_in_child(doc.live.job_key(map_id))  # forgotten just now


def test_a_removed_map_and_a_closed_document_are_forgotten_in_the_child(qtbot):
    doc, map_id = large_document()
    edited(qtbot, doc, map_id, "B", 0)
    doc.new_map()  # a document keeps one map at least
    doc.remove_map(map_id)
    assert not kept_in_child(doc.live.job_key(map_id))  # already forgotten
    second, second_id = large_document()
    edited(qtbot, second, second_id, "B", 0)
    second.live.shutdown()  # the document closes
    assert not kept_in_child(second.live.job_key(second_id))


def test_a_killed_analysis_process_is_replaced_at_the_next_edit(qtbot):
    doc, map_id = large_document()
    edited(qtbot, doc, map_id, "B", 0)
    child = processes.shared("analysis").pid
    assert child is not None
    os.kill(child, signal.SIGKILL)
    qtbot.waitUntil(lambda: processes.shared("analysis").pid is None)  # gone (out of memory...)
    edited(qtbot, doc, map_id, "A", 0)
    assert doc.analysis(map_id).lead_time == pytest.approx(37.5)
    assert processes.shared("analysis").pid not in (None, child)


class Slow(Analyser):
    """An Analyser that takes 50 ms an analysis (a map whose analysis is costly)."""

    def analyse(self, map_: ValueStreamMap) -> MapAnalysis:
        time.sleep(0.05)
        return super().analyse(map_)


def test_a_small_map_whose_analysis_was_slow_is_analysed_in_the_second_process(qtbot):
    # Costly by measure (an analysis took SLOW_SECONDS or longer), not by its steps: on a
    # worker thread its analysis held the interpreter while the window painted (the undo of a
    # Delete of every step of 1,000: each paint waited for it), so it goes to the child too.
    doc = Document(Project("Test", [loop_map()], id="p"))
    map_id = doc.project.maps[0].id
    doc.live.measured_steps = 3
    doc.live._analysers[map_id] = Slow()
    assert doc.analysis(map_id).lead_time == pytest.approx(150)  # the first: on this thread
    edited(qtbot, doc, map_id, "B", 0)
    assert doc.analysis(map_id).lead_time == pytest.approx(75)
    assert doc.live._pool is None  # no worker thread was made
    assert kept_in_child(doc.live.job_key(map_id))
